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

// Package storage wires the clusterrolebindings resource to etcd, behind the RBAC
// escalation checks.
package storage

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/printers"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/clusterrolebinding"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/escalation"
)

// REST is the clusterrolebindings resource: the generic store, with creates and
// updates going through the escalation checks first.
type REST struct {
	*genericregistry.Store
	guarded *escalation.Guarded
}

var (
	_ rest.StandardStorage      = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the clusterrolebindings store. authz and resolver decide who may
// write what: see package escalation.
func NewREST(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter, authz authorizer.Authorizer, resolver *rbac.RuleResolver) (*REST, error) {
	store, err := NewStore(scheme, optsGetter)
	if err != nil {
		return nil, err
	}
	return &REST{Store: store, guarded: escalation.NewChecker(authz, resolver).ClusterRoleBindings(store)}, nil
}

// NewStore returns the bare clusterrolebindings store, without escalation checks.
func NewStore(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter) (*genericregistry.Store, error) {
	strategy := clusterrolebinding.NewStrategy(scheme)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &rbacv1.ClusterRoleBinding{} },
		NewListFunc:               func() runtime.Object { return &rbacv1.ClusterRoleBindingList{} },
		DefaultQualifiedResource:  rbacv1.Resource("clusterrolebindings"),
		SingularQualifiedResource: rbacv1.Resource("clusterrolebinding"),

		CreateStrategy: strategy,
		UpdateStrategy: strategy,
		DeleteStrategy: strategy,

		TableConvertor: printers.NewClusterRoleBindingTableConvertor(),
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter}); err != nil {
		return nil, err
	}
	return store, nil
}

// Create checks the new object, then stores it.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	return r.guarded.Create(ctx, obj, createValidation, options)
}

// Update checks the updated object (for PUT, PATCH and apply alike), then
// stores it.
func (r *REST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.guarded.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
}
