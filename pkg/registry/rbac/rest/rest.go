/*
Copyright The ephemeral-apiserver Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package rbacrest assembles the storage of rbac.authorization.k8s.io/v1:
// roles, role bindings, cluster roles and cluster role bindings.
package rbacrest

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
	clusterrolestorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/clusterrole/storage"
	clusterrolebindingstorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/clusterrolebinding/storage"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/escalation"
	rolestorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/role/storage"
	rolebindingstorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/rolebinding/storage"
)

// NewStorage returns the four RBAC resources keyed by their names, each
// behind the escalation checks: authz answers whether a user may escalate
// a role or bind it, the stores what a user holds and a role grants.
func NewStorage(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter, authz authorizer.Authorizer) (map[string]rest.Storage, error) {
	roles, err := rolestorage.NewStore(scheme, optsGetter)
	if err != nil {
		return nil, err
	}
	roleBindings, err := rolebindingstorage.NewStore(scheme, optsGetter)
	if err != nil {
		return nil, err
	}
	clusterRoles, err := clusterrolestorage.NewStore(scheme, optsGetter)
	if err != nil {
		return nil, err
	}
	clusterRoleBindings, err := clusterrolebindingstorage.NewStore(scheme, optsGetter)
	if err != nil {
		return nil, err
	}
	checker := escalation.NewChecker(authz, rbac.NewRuleResolver(storeListers(roles, roleBindings, clusterRoles, clusterRoleBindings)))
	return map[string]rest.Storage{
		"roles":               escalation.Guard(roles, checker.Roles),
		"rolebindings":        escalation.Guard(roleBindings, checker.RoleBindings),
		"clusterroles":        escalation.Guard(clusterRoles, checker.ClusterRoles),
		"clusterrolebindings": escalation.Guard(clusterRoleBindings, checker.ClusterRoleBindings),
	}, nil
}
