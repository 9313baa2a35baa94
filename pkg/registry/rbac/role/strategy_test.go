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

package role

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
	scheme.AddKnownTypes(schema.GroupVersion{Group: rbacv1.GroupName, Version: runtime.APIVersionInternal}, &rbacv1.Role{}, &rbacv1.RoleList{})
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
	kinds, _, err := s.ObjectKinds(&rbacv1.Role{})
	if err != nil || len(kinds) == 0 || kinds[0].Group != rbacv1.GroupName || kinds[0].Kind != "Role" {
		t.Errorf("ObjectKinds = %v, %v", kinds, err)
	}

	cases := []struct {
		name string
		edit func(*rbacv1.Role)
		want []string
	}{
		{"valid", func(*rbacv1.Role) {}, []string{}},
		{"invalid", func(o *rbacv1.Role) { o.Rules[0].Verbs = nil }, []string{"rules[0].verbs: Required value: verbs must contain at least one value"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}}
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
	old := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}}
	old.ResourceVersion = "1"
	cases := []struct {
		name string
		edit func(*rbacv1.Role)
		want []string
	}{
		{"unchanged", func(*rbacv1.Role) {}, []string{}},
		{"labels", func(o *rbacv1.Role) { o.Labels = map[string]string{"a": "b"} }, []string{}},
		{"invalid", func(o *rbacv1.Role) {
			o.Rules = append(o.Rules, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/x"}})
		}, []string{`rules[1].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs`, `rules[1].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs`}},
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
