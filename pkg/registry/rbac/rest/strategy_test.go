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
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func messages(errs field.ErrorList) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// strategyCase is an object of one resource and edits of it with the
// validation errors they must give.
type strategyCase struct {
	kind       string
	namespaced bool
	obj        runtime.Object
	// create edits a new object, update a stored one.
	create, update []edit
}

type edit struct {
	name string
	fn   func(runtime.Object)
	want []string
}

func strategyCases() map[string]strategyCase {
	podsRule := []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}
	unchanged := edit{"unchanged", func(runtime.Object) {}, []string{}}
	labelled := edit{"labels", func(o runtime.Object) { o.(metav1.Object).SetLabels(map[string]string{"a": "b"}) }, []string{}}
	return map[string]strategyCase{
		"roles": {"Role", true,
			&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"}, Rules: podsRule},
			[]edit{unchanged, {"invalid", func(o runtime.Object) { o.(*rbacv1.Role).Rules[0].Verbs = nil },
				[]string{"rules[0].verbs: Required value: verbs must contain at least one value"}}},
			[]edit{unchanged, labelled, {"invalid", func(o runtime.Object) {
				r := o.(*rbacv1.Role)
				r.Rules = append(r.Rules, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/x"}})
			}, []string{
				`rules[1].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs`,
				`rules[1].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs`,
			}}},
		},
		"clusterroles": {"ClusterRole", false,
			&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}}},
			[]edit{unchanged, {"invalid", func(o runtime.Object) { o.(*rbacv1.ClusterRole).Rules[0].Verbs = nil },
				[]string{"rules[0].verbs: Required value: verbs must contain at least one value"}}},
			[]edit{unchanged, labelled, {"invalid", func(o runtime.Object) { o.(*rbacv1.ClusterRole).AggregationRule = &rbacv1.AggregationRule{} }, []string{
				"aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
				"aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
			}}},
		},
		"rolebindings": {"RoleBinding", true,
			&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "ns"}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "r"}},
			[]edit{unchanged, {"invalid", func(o runtime.Object) { o.(*rbacv1.RoleBinding).RoleRef.Kind = "Pod" },
				[]string{`roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"`}}},
			[]edit{unchanged, labelled, {"invalid", func(o runtime.Object) { o.(*rbacv1.RoleBinding).RoleRef.Kind = "ClusterRole" },
				[]string{`roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"}: cannot change roleRef`}}},
		},
		"clusterrolebindings": {"ClusterRoleBinding", false,
			&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b"}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}},
			[]edit{unchanged, {"invalid", func(o runtime.Object) {
				o.(*rbacv1.ClusterRoleBinding).Subjects = []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default"}}
			}, []string{"subjects[0].namespace: Required value"}}},
			[]edit{unchanged, labelled, {"invalid", func(o runtime.Object) { o.(*rbacv1.ClusterRoleBinding).RoleRef.Name = "edit" },
				[]string{`roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}: cannot change roleRef`}}},
		},
	}
}

func TestStrategies(t *testing.T) {
	ctx := context.Background()
	cases := strategyCases()
	for _, r := range resources(testScheme(t)) {
		tc, ok := cases[r.plural]
		if !ok {
			t.Fatalf("no cases for %s", r.plural)
		}
		s := r.strategy
		t.Run(r.plural, func(t *testing.T) {
			if s.NamespaceScoped() != tc.namespaced || !s.AllowCreateOnUpdate(ctx) || !s.AllowUnconditionalUpdate(ctx) {
				t.Errorf("scope %v, create on update %v, unconditional update %v", s.NamespaceScoped(), s.AllowCreateOnUpdate(ctx), s.AllowUnconditionalUpdate(ctx))
			}
			kinds, _, err := s.ObjectKinds(tc.obj)
			if err != nil || len(kinds) == 0 || kinds[0].Group != rbacv1.GroupName || kinds[0].Kind != tc.kind {
				t.Errorf("ObjectKinds = %v, %v", kinds, err)
			}
			for _, e := range tc.create {
				obj := tc.obj.DeepCopyObject()
				e.fn(obj)
				s.PrepareForCreate(ctx, obj)
				s.Canonicalize(obj)
				if got := messages(s.Validate(ctx, obj)); !reflect.DeepEqual(got, e.want) {
					t.Errorf("create %s: Validate = %q, want %q", e.name, got, e.want)
				}
				if w := s.WarningsOnCreate(ctx, obj); w != nil {
					t.Errorf("create %s: warnings %q", e.name, w)
				}
			}
			old := tc.obj.DeepCopyObject()
			old.(metav1.Object).SetResourceVersion("1")
			for _, e := range tc.update {
				obj := old.DeepCopyObject()
				e.fn(obj)
				s.PrepareForUpdate(ctx, obj, old)
				if got := messages(s.ValidateUpdate(ctx, obj, old)); !reflect.DeepEqual(got, e.want) {
					t.Errorf("update %s: ValidateUpdate = %q, want %q", e.name, got, e.want)
				}
				if w := s.WarningsOnUpdate(ctx, obj, old); w != nil {
					t.Errorf("update %s: warnings %q", e.name, w)
				}
			}
		})
	}
}
