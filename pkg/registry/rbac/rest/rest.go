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
	"reflect"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/rbac/validation"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/printers"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/guard"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/escalation"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/strategy"
)

// NewStorage returns the four RBAC resources keyed by their names, each
// behind the escalation checks: authz answers whether a user may escalate
// a role or bind it, the stores what a user holds and a role grants.
func NewStorage(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter, authz authorizer.Authorizer) (map[string]rest.Storage, error) {
	stores := map[string]*genericregistry.Store{}
	for _, r := range resources(scheme) {
		store := &genericregistry.Store{
			NewFunc:                   r.newObj,
			NewListFunc:               r.newList,
			DefaultQualifiedResource:  rbacv1.Resource(r.plural),
			SingularQualifiedResource: rbacv1.Resource(r.singular),

			CreateStrategy: r.strategy,
			UpdateStrategy: r.strategy,
			DeleteStrategy: r.strategy,

			TableConvertor: r.table,
		}
		if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter}); err != nil {
			return nil, err
		}
		stores[r.plural] = store
	}
	roles, roleBindings, clusterRoles, clusterRoleBindings := stores["roles"], stores["rolebindings"], stores["clusterroles"], stores["clusterrolebindings"]
	checker := escalation.NewChecker(authz, rbac.NewRuleResolver(storeListers(roles, roleBindings, clusterRoles, clusterRoleBindings)))
	// Checked writes go through the client error guard.
	guarded := func(store *genericregistry.Store) *guard.Store {
		kind := rbacv1.SchemeGroupVersion.WithKind(reflect.TypeOf(store.NewFunc()).Elem().Name()).GroupKind()
		return &guard.Store{Store: store, Kind: kind}
	}
	return map[string]rest.Storage{
		"roles":               escalation.Guard(roles, guarded(roles), checker.Roles),
		"rolebindings":        escalation.Guard(roleBindings, guarded(roleBindings), checker.RoleBindings),
		"clusterroles":        escalation.Guard(clusterRoles, guarded(clusterRoles), checker.ClusterRoles),
		"clusterrolebindings": escalation.Guard(clusterRoleBindings, guarded(clusterRoleBindings), checker.ClusterRoleBindings),
	}, nil
}

// resource is how one RBAC resource is stored.
type resource struct {
	plural, singular string
	newObj, newList  func() runtime.Object
	strategy         strategyInterface
	table            rest.TableConvertor
}

// resources are the four RBAC resources, with their strategies.
func resources(scheme *runtime.Scheme) []resource {
	return []resource{
		{"roles", "role", func() runtime.Object { return &rbacv1.Role{} }, func() runtime.Object { return &rbacv1.RoleList{} },
			strategy.New(scheme, true, validation.ValidateRole, func(obj, old *rbacv1.Role) field.ErrorList {
				// As upstream, the new object's own checks run twice.
				return append(validation.ValidateRole(obj), validation.ValidateRoleUpdate(obj, old)...)
			}),
			printers.NewRoleTableConvertor()},
		{"rolebindings", "rolebinding", func() runtime.Object { return &rbacv1.RoleBinding{} }, func() runtime.Object { return &rbacv1.RoleBindingList{} },
			strategy.New(scheme, true, validation.ValidateRoleBinding, func(obj, old *rbacv1.RoleBinding) field.ErrorList {
				return append(validation.ValidateRoleBinding(obj), validation.ValidateRoleBindingUpdate(obj, old)...)
			}),
			printers.NewRoleBindingTableConvertor()},
		{"clusterroles", "clusterrole", func() runtime.Object { return &rbacv1.ClusterRole{} }, func() runtime.Object { return &rbacv1.ClusterRoleList{} },
			strategy.New(scheme, false, validateClusterRole, validateClusterRoleUpdate),
			printers.NewClusterRoleTableConvertor()},
		{"clusterrolebindings", "clusterrolebinding", func() runtime.Object { return &rbacv1.ClusterRoleBinding{} }, func() runtime.Object { return &rbacv1.ClusterRoleBindingList{} },
			strategy.New(scheme, false, validation.ValidateClusterRoleBinding, func(obj, old *rbacv1.ClusterRoleBinding) field.ErrorList {
				return append(validation.ValidateClusterRoleBinding(obj), validation.ValidateClusterRoleBindingUpdate(obj, old)...)
			}),
			printers.NewClusterRoleBindingTableConvertor()},
	}
}

// strategyInterface is what a store needs of a strategy.
type strategyInterface interface {
	rest.RESTCreateStrategy
	rest.RESTUpdateStrategy
	rest.RESTDeleteStrategy
}

func validateClusterRole(role *rbacv1.ClusterRole) field.ErrorList {
	return validation.ValidateClusterRole(role, validation.ClusterRoleValidationOptions{})
}

// validateClusterRoleUpdate keeps accepting selector label values that are
// no longer valid when the stored role already had such a selector.
func validateClusterRoleUpdate(role, old *rbacv1.ClusterRole) field.ErrorList {
	opts := validation.ClusterRoleValidationOptions{
		AllowInvalidLabelValueInSelector: validation.HasInvalidLabelValueInAggregationRule(old),
	}
	return append(validation.ValidateClusterRole(role, opts), validation.ValidateClusterRoleUpdate(role, old, opts)...)
}
