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

package validation

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// messages renders an ErrorList the way an Invalid status prints it.
func messages(errs field.ErrorList) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func check(t *testing.T, got field.ErrorList, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if g := messages(got); !reflect.DeepEqual(g, want) {
		t.Errorf("errors:\n got %q\nwant %q", g, want)
	}
}

func podReader() rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}
}

func TestValidateRole(t *testing.T) {
	cases := []struct {
		name string
		edit func(*rbacv1.Role)
		want []string
	}{
		{"valid", func(*rbacv1.Role) {}, nil},
		{"no rules at all is fine", func(r *rbacv1.Role) { r.Rules = nil }, nil},
		{"name with colon is fine", func(r *rbacv1.Role) { r.Name = "system:controller:x" }, nil},
		{"missing namespace", func(r *rbacv1.Role) { r.Namespace = "" },
			[]string{"metadata.namespace: Required value"}},
		{"missing name", func(r *rbacv1.Role) { r.Name = "" },
			[]string{"metadata.name: Required value: name or generateName is required"}},
		{"name with slash and percent", func(r *rbacv1.Role) { r.Name = "a/b%c" },
			[]string{`metadata.name: Invalid value: "a/b%c": may not contain '/'`, `metadata.name: Invalid value: "a/b%c": may not contain '%'`}},
		{"name is dot-dot", func(r *rbacv1.Role) { r.Name = ".." },
			[]string{`metadata.name: Invalid value: "..": may not be '..'`}},
		{"unqualified finalizer", func(r *rbacv1.Role) { r.Finalizers = []string{"orphan", "example.com/x", "mine"} },
			[]string{`metadata.finalizers[2]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified`}},
		{"no verbs", func(r *rbacv1.Role) { r.Rules[0].Verbs = nil },
			[]string{"rules[0].verbs: Required value: verbs must contain at least one value"}},
		{"no api groups or resources", func(r *rbacv1.Role) { r.Rules = append(r.Rules, rbacv1.PolicyRule{Verbs: []string{"get"}}) },
			[]string{
				"rules[1].apiGroups: Required value: resource rules must supply at least one api group",
				"rules[1].resources: Required value: resource rules must supply at least one resource",
			}},
		{"non-resource URLs in a namespaced role", func(r *rbacv1.Role) {
			r.Rules = []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}}
		}, []string{`rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs`}},
		{"non-resource URLs mixed with resources", func(r *rbacv1.Role) {
			r.Rules[0].NonResourceURLs = []string{"/healthz"}
		}, []string{
			`rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs`,
			`rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs`,
		}},
		{"resource names over several resources are fine", func(r *rbacv1.Role) {
			r.Rules[0].Resources = []string{"pods", "secrets"}
			r.Rules[0].ResourceNames = []string{"a"}
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "reader", Namespace: "ns"}, Rules: []rbacv1.PolicyRule{podReader()}}
			tc.edit(r)
			check(t, ValidateRole(r), tc.want)
		})
	}
}

func TestValidateClusterRole(t *testing.T) {
	cases := []struct {
		name string
		edit func(*rbacv1.ClusterRole)
		opts ClusterRoleValidationOptions
		want []string
	}{
		{"valid", func(*rbacv1.ClusterRole) {}, ClusterRoleValidationOptions{}, nil},
		{"namespace set", func(r *rbacv1.ClusterRole) { r.Namespace = "ns" }, ClusterRoleValidationOptions{},
			[]string{`metadata.namespace: Forbidden: not allowed on this type`}},
		{"non-resource URLs", func(r *rbacv1.ClusterRole) {
			r.Rules = append(r.Rules, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/version"}})
		}, ClusterRoleValidationOptions{}, nil},
		{"non-resource URLs with resource names", func(r *rbacv1.ClusterRole) {
			r.Rules = []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}, ResourceNames: []string{"x"}}}
		}, ClusterRoleValidationOptions{}, []string{
			`rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs`,
		}},
		{"empty aggregation rule", func(r *rbacv1.ClusterRole) { r.AggregationRule = &rbacv1.AggregationRule{} }, ClusterRoleValidationOptions{},
			[]string{"aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil"}},
		{"aggregation rule with a valid selector", func(r *rbacv1.ClusterRole) {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"rbac.example.com/aggregate-to-view": "true"}}}}
		}, ClusterRoleValidationOptions{}, nil},
		{"aggregation rule with a bad operator", func(r *rbacv1.ClusterRole) {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: "Near", Values: []string{"v"}}}},
			}}
		}, ClusterRoleValidationOptions{}, []string{
			`aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator`,
			`aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.`,
		}},
		{"aggregation rule with an invalid label value", func(r *rbacv1.ClusterRole) {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: metav1.LabelSelectorOpIn, Values: []string{"-bad-"}}}},
			}}
		}, ClusterRoleValidationOptions{}, []string{
			`aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values[0]: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
			`aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.`,
		}},
		// As upstream: the option quiets the selector validation, but the
		// selector still cannot be converted, and that is reported.
		{"invalid label value allowed by options", func(r *rbacv1.ClusterRole) {
			r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
				{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: metav1.LabelSelectorOpIn, Values: []string{"-bad-"}}}},
			}}
		}, ClusterRoleValidationOptions{AllowInvalidLabelValueInSelector: true}, []string{
			`aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader"}, Rules: []rbacv1.PolicyRule{podReader()}}
			tc.edit(r)
			check(t, ValidateClusterRole(r, tc.opts), tc.want)
		})
	}
}

func TestHasInvalidLabelValueInAggregationRule(t *testing.T) {
	bad := &rbacv1.ClusterRole{AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
		{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: metav1.LabelSelectorOpIn, Values: []string{"-bad-"}}}},
	}}}
	good := &rbacv1.ClusterRole{AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
		{MatchLabels: map[string]string{"k": "v"}},
	}}}
	for _, tc := range []struct {
		role *rbacv1.ClusterRole
		want bool
	}{{nil, false}, {&rbacv1.ClusterRole{}, false}, {good, false}, {bad, true}} {
		if got := HasInvalidLabelValueInAggregationRule(tc.role); got != tc.want {
			t.Errorf("HasInvalidLabelValueInAggregationRule(%v) = %v, want %v", tc.role, got, tc.want)
		}
	}
}

func TestValidateRoleBinding(t *testing.T) {
	cases := []struct {
		name string
		edit func(*rbacv1.RoleBinding)
		want []string
	}{
		{"valid", func(*rbacv1.RoleBinding) {}, nil},
		{"cluster role ref", func(b *rbacv1.RoleBinding) { b.RoleRef.Kind = "ClusterRole" }, nil},
		{"service account without namespace", func(b *rbacv1.RoleBinding) {
			b.Subjects = []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default"}}
		}, nil},
		{"missing namespace", func(b *rbacv1.RoleBinding) { b.Namespace = "" },
			[]string{"metadata.namespace: Required value"}},
		{"empty role ref", func(b *rbacv1.RoleBinding) { b.RoleRef = rbacv1.RoleRef{} }, []string{
			`roleRef.apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"`,
			`roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"`,
			`roleRef.name: Required value`,
		}},
		{"wrong kind and group", func(b *rbacv1.RoleBinding) {
			b.RoleRef.APIGroup = "authorization.k8s.io"
			b.RoleRef.Kind = "Group"
		}, []string{
			`roleRef.apiGroup: Unsupported value: "authorization.k8s.io": supported values: "rbac.authorization.k8s.io"`,
			`roleRef.kind: Unsupported value: "Group": supported values: "Role", "ClusterRole"`,
		}},
		{"role ref name not a path segment", func(b *rbacv1.RoleBinding) { b.RoleRef.Name = "." },
			[]string{`roleRef.name: Invalid value: ".": may not be '.'`}},
		{"subjects", func(b *rbacv1.RoleBinding) {
			b.Subjects = []rbacv1.Subject{
				{Kind: "User", APIGroup: rbacv1.GroupName},
				{Kind: "Group", Name: "g"},
				{Kind: "ServiceAccount", Name: "Not_DNS", APIGroup: rbacv1.GroupName},
				{Kind: "Robot", Name: "r"},
			}
		}, []string{
			`subjects[0].name: Required value`,
			`subjects[1].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"`,
			`subjects[2].name: Invalid value: "Not_DNS": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
			`subjects[2].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""`,
			`subjects[3].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "ns"},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "reader"},
				Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"}},
			}
			tc.edit(b)
			check(t, ValidateRoleBinding(b), tc.want)
		})
	}
}

func TestValidateClusterRoleBinding(t *testing.T) {
	cases := []struct {
		name string
		edit func(*rbacv1.ClusterRoleBinding)
		want []string
	}{
		{"valid", func(*rbacv1.ClusterRoleBinding) {}, nil},
		{"role ref to a Role", func(b *rbacv1.ClusterRoleBinding) { b.RoleRef.Kind = "Role" },
			[]string{`roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"`}},
		{"namespace set", func(b *rbacv1.ClusterRoleBinding) { b.Namespace = "ns" },
			[]string{`metadata.namespace: Forbidden: not allowed on this type`}},
		{"service account needs a namespace", func(b *rbacv1.ClusterRoleBinding) {
			b.Subjects = []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default"}, {Kind: "ServiceAccount", Name: "default", Namespace: "kube-system"}}
		}, []string{`subjects[0].namespace: Required value`}},
		{"empty subject", func(b *rbacv1.ClusterRoleBinding) { b.Subjects = []rbacv1.Subject{{}} }, []string{
			`subjects[0].name: Required value`,
			`subjects[0].kind: Unsupported value: "": supported values: "ServiceAccount", "User", "Group"`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "b"},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
				Subjects:   []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "devs"}},
			}
			tc.edit(b)
			check(t, ValidateClusterRoleBinding(b), tc.want)
		})
	}
}

func TestValidateUpdates(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "b", Namespace: "ns", ResourceVersion: "1"}
	oldRB := &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "reader"}}
	newRB := oldRB.DeepCopy()
	newRB.Subjects = []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "bob"}}
	check(t, ValidateRoleBindingUpdate(newRB, oldRB), nil)
	newRB.RoleRef.Name = "writer"
	check(t, ValidateRoleBindingUpdate(newRB, oldRB), []string{
		`roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"writer"}: cannot change roleRef`,
	})

	oldCRB := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b", ResourceVersion: "1"}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}}
	newCRB := oldCRB.DeepCopy()
	newCRB.RoleRef.Name = "cluster-admin"
	check(t, ValidateClusterRoleBindingUpdate(newCRB, oldCRB), []string{
		`roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"}: cannot change roleRef`,
	})

	oldRole := &rbacv1.Role{ObjectMeta: meta, Rules: []rbacv1.PolicyRule{podReader()}}
	newRole := oldRole.DeepCopy()
	newRole.Namespace = "other"
	newRole.Rules[0].Verbs = nil
	check(t, ValidateRoleUpdate(newRole, oldRole), []string{
		"rules[0].verbs: Required value: verbs must contain at least one value",
		`metadata.namespace: Invalid value: "other": field is immutable`,
	})

	oldCR := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r", ResourceVersion: "1", UID: "u1"}}
	newCR := oldCR.DeepCopy()
	newCR.UID = "u2"
	check(t, ValidateClusterRoleUpdate(newCR, oldCR, ClusterRoleValidationOptions{}), []string{
		`metadata.uid: Invalid value: "u2": field is immutable`,
	})
}
