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

package rbacrest

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
)

// The escalation checks read roles and bindings from their stores, not
// from the authorizer's informers, as upstream does: a role created a
// moment ago can be bound at once, and rights granted a moment ago count.

// storageReader is what the listers need of a store.
type storageReader interface {
	rest.Getter
	rest.Lister
}

// storeListers are listers over the four stores.
func storeListers(roles, roleBindings, clusterRoles, clusterRoleBindings storageReader) rbac.Listers {
	return rbac.Listers{
		Roles:               roleLister{roles},
		RoleBindings:        roleBindingLister{roleBindings},
		ClusterRoles:        clusterRoleLister{clusterRoles},
		ClusterRoleBindings: clusterRoleBindingLister{clusterRoleBindings},
	}
}

// get reads one object of namespace ("" for cluster-scoped ones).
func get[T any](store rest.Getter, namespace, name string) (T, error) {
	var zero T
	obj, err := store.Get(genericapirequest.WithNamespace(context.Background(), namespace), name, &metav1.GetOptions{})
	if err != nil {
		return zero, err
	}
	return obj.(T), nil
}

// list reads the objects of namespace (every namespace with "") that
// selector matches, as pointers into the list items.
func list[T any, L any](store rest.Lister, namespace string, selector labels.Selector, items func(L) []T) ([]*T, error) {
	obj, err := store.List(genericapirequest.WithNamespace(context.Background(), namespace), &metainternalversion.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	all := items(obj.(L))
	out := make([]*T, len(all))
	for i := range all {
		out[i] = &all[i]
	}
	return out, nil
}

func roles(l *rbacv1.RoleList) []rbacv1.Role                      { return l.Items }
func roleBindings(l *rbacv1.RoleBindingList) []rbacv1.RoleBinding { return l.Items }
func clusterRoles(l *rbacv1.ClusterRoleList) []rbacv1.ClusterRole { return l.Items }
func clusterRoleBindings(l *rbacv1.ClusterRoleBindingList) []rbacv1.ClusterRoleBinding {
	return l.Items
}

type roleLister struct{ store storageReader }

func (l roleLister) List(selector labels.Selector) ([]*rbacv1.Role, error) {
	return list(l.store, metav1.NamespaceAll, selector, roles)
}
func (l roleLister) Roles(namespace string) rbaclisters.RoleNamespaceLister {
	return roleNamespaceLister{l.store, namespace}
}

type roleNamespaceLister struct {
	store     storageReader
	namespace string
}

func (l roleNamespaceLister) List(selector labels.Selector) ([]*rbacv1.Role, error) {
	return list(l.store, l.namespace, selector, roles)
}
func (l roleNamespaceLister) Get(name string) (*rbacv1.Role, error) {
	return get[*rbacv1.Role](l.store, l.namespace, name)
}

type roleBindingLister struct{ store storageReader }

func (l roleBindingLister) List(selector labels.Selector) ([]*rbacv1.RoleBinding, error) {
	return list(l.store, metav1.NamespaceAll, selector, roleBindings)
}
func (l roleBindingLister) RoleBindings(namespace string) rbaclisters.RoleBindingNamespaceLister {
	return roleBindingNamespaceLister{l.store, namespace}
}

type roleBindingNamespaceLister struct {
	store     storageReader
	namespace string
}

func (l roleBindingNamespaceLister) List(selector labels.Selector) ([]*rbacv1.RoleBinding, error) {
	return list(l.store, l.namespace, selector, roleBindings)
}
func (l roleBindingNamespaceLister) Get(name string) (*rbacv1.RoleBinding, error) {
	return get[*rbacv1.RoleBinding](l.store, l.namespace, name)
}

type clusterRoleLister struct{ store storageReader }

func (l clusterRoleLister) List(selector labels.Selector) ([]*rbacv1.ClusterRole, error) {
	return list(l.store, metav1.NamespaceNone, selector, clusterRoles)
}
func (l clusterRoleLister) Get(name string) (*rbacv1.ClusterRole, error) {
	return get[*rbacv1.ClusterRole](l.store, metav1.NamespaceNone, name)
}

type clusterRoleBindingLister struct{ store storageReader }

func (l clusterRoleBindingLister) List(selector labels.Selector) ([]*rbacv1.ClusterRoleBinding, error) {
	return list(l.store, metav1.NamespaceNone, selector, clusterRoleBindings)
}
func (l clusterRoleBindingLister) Get(name string) (*rbacv1.ClusterRoleBinding, error) {
	return get[*rbacv1.ClusterRoleBinding](l.store, metav1.NamespaceNone, name)
}
