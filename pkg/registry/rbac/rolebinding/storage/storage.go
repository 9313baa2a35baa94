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

// Package storage wires the rolebindings resource to etcd; package rbacrest puts
// it behind the RBAC escalation checks.
package storage

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/printers"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/rolebinding"
)

// NewStore returns the rolebindings store, without escalation checks.
func NewStore(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter) (*genericregistry.Store, error) {
	strategy := rolebinding.NewStrategy(scheme)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &rbacv1.RoleBinding{} },
		NewListFunc:               func() runtime.Object { return &rbacv1.RoleBindingList{} },
		DefaultQualifiedResource:  rbacv1.Resource("rolebindings"),
		SingularQualifiedResource: rbacv1.Resource("rolebinding"),

		CreateStrategy: strategy,
		UpdateStrategy: strategy,
		DeleteStrategy: strategy,

		TableConvertor: printers.NewRoleBindingTableConvertor(),
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter}); err != nil {
		return nil, err
	}
	return store, nil
}
