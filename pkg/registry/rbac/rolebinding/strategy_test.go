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

package rolebinding

import (
	"context"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// testScheme registers rbac/v1 as served and as internal, as the server does.
func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := rbacv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	scheme.AddKnownTypes(schema.GroupVersion{Group: rbacv1.GroupName, Version: runtime.APIVersionInternal}, &rbacv1.RoleBinding{}, &rbacv1.RoleBindingList{})
	return scheme
}

func messages(errs field.ErrorList) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestStrategy(t *testing.T) {
	s := NewStrategy(testScheme(t))
	ctx := context.Background()
	if s.NamespaceScoped() != true || !s.AllowCreateOnUpdate(ctx) || !s.AllowUnconditionalUpdate(ctx) {
		t.Errorf("scope %v, create on update %v, unconditional update %v", s.NamespaceScoped(), s.AllowCreateOnUpdate(ctx), s.AllowUnconditionalUpdate(ctx))
	}
	kinds, _, err := s.ObjectKinds(&rbacv1.RoleBinding{})
	if err != nil || len(kinds) == 0 || kinds[0].Group != rbacv1.GroupName || kinds[0].Kind != "RoleBinding" {
		t.Errorf("ObjectKinds = %v, %v", kinds, err)
	}

	cases := []struct {
		name string
		edit func(*rbacv1.RoleBinding)
		want []string
	}{
		{"valid", func(*rbacv1.RoleBinding) {}, []string{}},
		{"invalid", func(o *rbacv1.RoleBinding) { o.RoleRef.Kind = "Pod" }, []string{`roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "ns"}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}}
			tc.edit(obj)
			s.PrepareForCreate(ctx, obj)
			s.Canonicalize(obj)
			if got := messages(s.Validate(ctx, obj)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Validate = %q, want %q", got, tc.want)
			}
			if w := s.WarningsOnCreate(ctx, obj); w != nil {
				t.Errorf("warnings %q", w)
			}
		})
	}
}

func TestStrategyUpdate(t *testing.T) {
	s := NewStrategy(testScheme(t))
	ctx := context.Background()
	old := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "ns"}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}}
	old.ResourceVersion = "1"
	cases := []struct {
		name string
		edit func(*rbacv1.RoleBinding)
		want []string
	}{
		{"unchanged", func(*rbacv1.RoleBinding) {}, []string{}},
		{"labels", func(o *rbacv1.RoleBinding) { o.Labels = map[string]string{"a": "b"} }, []string{}},
		{"invalid", func(o *rbacv1.RoleBinding) { o.RoleRef.Kind = "ClusterRole" }, []string{`roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"}: cannot change roleRef`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := old.DeepCopy()
			tc.edit(obj)
			s.PrepareForUpdate(ctx, obj, old)
			if got := messages(s.ValidateUpdate(ctx, obj, old)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ValidateUpdate = %q, want %q", got, tc.want)
			}
			if w := s.WarningsOnUpdate(ctx, obj, old); w != nil {
				t.Errorf("warnings %q", w)
			}
		})
	}
}
