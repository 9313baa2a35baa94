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

package printers

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/registry/rest"
)

// NewRoleTableConvertor renders Roles and RoleLists. Upstream registers no
// printer for roles, so kube-apiserver answers with the generic
// apiserver's default table (Name, Created At as an RFC 3339 date); this
// is that same convertor.
func NewRoleTableConvertor() rest.TableConvertor {
	return rest.NewDefaultTableConvertor(rbacv1.Resource("roles"))
}

// NewClusterRoleTableConvertor renders ClusterRoles and ClusterRoleLists,
// with the default table as NewRoleTableConvertor does.
func NewClusterRoleTableConvertor() rest.TableConvertor {
	return rest.NewDefaultTableConvertor(rbacv1.Resource("clusterroles"))
}

// bindingColumns are the columns of `kubectl get rolebindings` and
// `kubectl get clusterrolebindings`; what differs is the description of
// roleRef and the word used for the binding. Upstream takes the roleRef
// descriptions from rbac/v1beta1, so this does too.
func bindingColumns(roleRefDoc, noun string) []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name", Description: objectMetaDocs["name"]},
		{Name: "Role", Type: "string", Description: roleRefDoc},
		{Name: "Age", Type: "string", Description: objectMetaDocs["creationTimestamp"]},
		{Name: "Users", Type: "string", Priority: 1, Description: "Users in the " + noun},
		{Name: "Groups", Type: "string", Priority: 1, Description: "Groups in the " + noun},
		{Name: "ServiceAccounts", Type: "string", Priority: 1, Description: "ServiceAccounts in the " + noun},
	}
}

// RoleBindingColumns are the columns of `kubectl get rolebindings`.
var RoleBindingColumns = bindingColumns(rbacv1beta1.RoleBinding{}.SwaggerDoc()["roleRef"], "roleBinding")

// ClusterRoleBindingColumns are the columns of `kubectl get clusterrolebindings`.
var ClusterRoleBindingColumns = bindingColumns(rbacv1beta1.ClusterRoleBinding{}.SwaggerDoc()["roleRef"], "clusterRoleBinding")

// NewRoleBindingTableConvertor renders RoleBindings and RoleBindingLists.
func NewRoleBindingTableConvertor() rest.TableConvertor {
	return tableConvertor[*rbacv1.RoleBinding]{columns: RoleBindingColumns, row: func(b *rbacv1.RoleBinding) ([]interface{}, []metav1.TableRowCondition) {
		return bindingCells(b.Name, b.RoleRef, b.Subjects, b.CreationTimestamp), nil
	}}
}

// NewClusterRoleBindingTableConvertor renders ClusterRoleBindings and
// ClusterRoleBindingLists.
func NewClusterRoleBindingTableConvertor() rest.TableConvertor {
	return tableConvertor[*rbacv1.ClusterRoleBinding]{columns: ClusterRoleBindingColumns, row: func(b *rbacv1.ClusterRoleBinding) ([]interface{}, []metav1.TableRowCondition) {
		return bindingCells(b.Name, b.RoleRef, b.Subjects, b.CreationTimestamp), nil
	}}
}

// bindingCells is one binding's row: the role as Kind/name, and the
// subjects split by kind and joined with ", ". Service accounts are shown
// as namespace/name (an empty namespace leaves a leading "/"); subjects of
// another kind appear in no column.
func bindingCells(name string, ref rbacv1.RoleRef, subjects []rbacv1.Subject, created metav1.Time) []interface{} {
	users, groups, serviceAccounts := []string{}, []string{}, []string{}
	for _, s := range subjects {
		switch s.Kind {
		case rbacv1.UserKind:
			users = append(users, s.Name)
		case rbacv1.GroupKind:
			groups = append(groups, s.Name)
		case rbacv1.ServiceAccountKind:
			serviceAccounts = append(serviceAccounts, s.Namespace+"/"+s.Name)
		}
	}
	return []interface{}{
		name,
		fmt.Sprintf("%s/%s", ref.Kind, ref.Name),
		translateTimestampSince(created),
		strings.Join(users, ", "),
		strings.Join(groups, ", "),
		strings.Join(serviceAccounts, ", "),
	}
}
