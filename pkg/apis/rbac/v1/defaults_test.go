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

package v1

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestRegisterDefaults(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := rbacv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	RegisterDefaults(scheme)
	subjects := func() []rbacv1.Subject {
		return []rbacv1.Subject{
			{Kind: "User", Name: "u"},
			{Kind: "Group", Name: "g"},
			{Kind: "ServiceAccount", Name: "sa", Namespace: "ns"},
			{Kind: "User", Name: "x", APIGroup: "example.com"},
		}
	}
	wantSubjects := []rbacv1.Subject{
		{Kind: "User", Name: "u", APIGroup: rbacv1.GroupName},
		{Kind: "Group", Name: "g", APIGroup: rbacv1.GroupName},
		{Kind: "ServiceAccount", Name: "sa", Namespace: "ns"},
		{Kind: "User", Name: "x", APIGroup: "example.com"},
	}
	wantRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}

	rb := &rbacv1.RoleBinding{RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"}, Subjects: subjects()}
	scheme.Default(rb)
	crbList := &rbacv1.ClusterRoleBindingList{Items: []rbacv1.ClusterRoleBinding{{RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"}, Subjects: subjects()}}}
	scheme.Default(crbList)
	for name, got := range map[string]struct {
		ref      rbacv1.RoleRef
		subjects []rbacv1.Subject
	}{
		"rolebinding":             {rb.RoleRef, rb.Subjects},
		"clusterrolebinding list": {crbList.Items[0].RoleRef, crbList.Items[0].Subjects},
	} {
		if got.ref != wantRef || !reflect.DeepEqual(got.subjects, wantSubjects) {
			t.Errorf("%s defaulted to %+v %+v", name, got.ref, got.subjects)
		}
	}
}
