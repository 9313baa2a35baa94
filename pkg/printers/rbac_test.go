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
	"context"
	"reflect"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"
)

func columnDefNames(cols []metav1.TableColumnDefinition) []string {
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	return names
}

func TestRoleTables(t *testing.T) {
	created := metav1.NewTime(time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600)))
	cases := []struct {
		name string
		conv rest.TableConvertor
		obj  runtime.Object
		want [][]interface{}
	}{
		{"role", NewRoleTableConvertor(),
			&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "reader", Namespace: "ns", CreationTimestamp: created}},
			[][]interface{}{{"reader", "2026-03-04T04:06:07Z"}}},
		{"cluster role list", NewClusterRoleTableConvertor(),
			&rbacv1.ClusterRoleList{ListMeta: metav1.ListMeta{ResourceVersion: "9"}, Items: []rbacv1.ClusterRole{
				{ObjectMeta: metav1.ObjectMeta{Name: "view", CreationTimestamp: created}},
				{ObjectMeta: metav1.ObjectMeta{Name: "edit"}},
			}},
			[][]interface{}{{"view", "2026-03-04T04:06:07Z"}, {"edit", "0001-01-01T00:00:00Z"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			table, err := tc.conv.ConvertToTable(context.Background(), tc.obj, &metav1.TableOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := columnDefNames(table.ColumnDefinitions), []string{"Name", "Created At"}; !reflect.DeepEqual(got, want) {
				t.Errorf("columns %q, want %q", got, want)
			}
			if table.ColumnDefinitions[1].Type != "date" || table.ColumnDefinitions[0].Format != "name" {
				t.Errorf("column types: %+v", table.ColumnDefinitions)
			}
			var cells [][]interface{}
			for _, r := range table.Rows {
				cells = append(cells, r.Cells)
			}
			if !reflect.DeepEqual(cells, tc.want) {
				t.Errorf("cells %v, want %v", cells, tc.want)
			}
		})
	}
}

func TestBindingColumns(t *testing.T) {
	want := []string{"Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"}
	for name, cols := range map[string][]metav1.TableColumnDefinition{"rolebindings": RoleBindingColumns, "clusterrolebindings": ClusterRoleBindingColumns} {
		if got := columnDefNames(cols); !reflect.DeepEqual(got, want) {
			t.Errorf("%s columns %q, want %q", name, got, want)
		}
		for i, c := range cols {
			wide := i >= 3
			if (c.Priority == 1) != wide || c.Type != "string" || c.Description == "" {
				t.Errorf("%s column %q: %+v", name, c.Name, c)
			}
		}
	}
	if got := RoleBindingColumns[3].Description; got != "Users in the roleBinding" {
		t.Errorf("rolebinding users description %q", got)
	}
	if got := ClusterRoleBindingColumns[5].Description; got != "ServiceAccounts in the clusterRoleBinding" {
		t.Errorf("clusterrolebinding service accounts description %q", got)
	}
	if got := ClusterRoleBindingColumns[1].Description; got != "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error." &&
		got != "roleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error." {
		t.Errorf("clusterrolebinding role description %q", got)
	}
}

func TestBindingRows(t *testing.T) {
	subjects := []rbacv1.Subject{
		{Kind: "User", Name: "alice"},
		{Kind: "ServiceAccount", Name: "default", Namespace: "kube-system"},
		{Kind: "Group", Name: "system:authenticated"},
		{Kind: "User", Name: "bob"},
		{Kind: "ServiceAccount", Name: "builder"},
		{Kind: "Robot", Name: "r2"},
	}
	cases := []struct {
		name string
		conv rest.TableConvertor
		obj  runtime.Object
		want [][]interface{}
	}{
		{"rolebinding", NewRoleBindingTableConvertor(),
			&rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "devs", Namespace: "ns", CreationTimestamp: ago(3 * time.Hour)},
				RoleRef:    rbacv1.RoleRef{Kind: "ClusterRole", Name: "edit"},
				Subjects:   subjects,
			},
			[][]interface{}{{"devs", "ClusterRole/edit", "3h", "alice, bob", "system:authenticated", "kube-system/default, /builder"}}},
		{"clusterrolebinding without subjects", NewClusterRoleBindingTableConvertor(),
			&rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "nobody", CreationTimestamp: ago(49 * time.Hour)},
				RoleRef:    rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
			},
			[][]interface{}{{"nobody", "ClusterRole/view", "2d1h", "", "", ""}}},
		{"clusterrolebinding list", NewClusterRoleBindingTableConvertor(),
			&rbacv1.ClusterRoleBindingList{Items: []rbacv1.ClusterRoleBinding{
				{ObjectMeta: metav1.ObjectMeta{Name: "a"}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "cluster-admin"},
					Subjects: []rbacv1.Subject{{Kind: "Group", Name: "system:masters"}}},
				{ObjectMeta: metav1.ObjectMeta{Name: "b", CreationTimestamp: ago(90 * time.Second)}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "x"}},
			}},
			[][]interface{}{
				{"a", "ClusterRole/cluster-admin", "<unknown>", "", "system:masters", ""},
				{"b", "ClusterRole/x", "90s", "", "", ""},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			table, err := tc.conv.ConvertToTable(context.Background(), tc.obj, nil)
			if err != nil {
				t.Fatal(err)
			}
			var cells [][]interface{}
			for _, r := range table.Rows {
				cells = append(cells, r.Cells)
			}
			if !reflect.DeepEqual(cells, tc.want) {
				t.Errorf("cells\n got %q\nwant %q", cells, tc.want)
			}
		})
	}
	empty, err := NewRoleBindingTableConvertor().ConvertToTable(context.Background(), &rbacv1.RoleBindingList{}, &metav1.TableOptions{NoHeaders: true})
	if err != nil || empty.Rows == nil || len(empty.Rows) != 0 || empty.ColumnDefinitions != nil {
		t.Errorf("empty list without headers: %+v, %v", empty, err)
	}
}
