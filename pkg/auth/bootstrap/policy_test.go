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

package bootstrap_test

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/bootstrap"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
)

func rolesByName(t *testing.T) map[string]rbacv1.ClusterRole {
	t.Helper()
	roles := map[string]rbacv1.ClusterRole{}
	for _, r := range bootstrap.ClusterRoles() {
		if _, dup := roles[r.Name]; dup {
			t.Fatalf("cluster role %s defined twice", r.Name)
		}
		roles[r.Name] = r
	}
	return roles
}

// effectiveRules is what the aggregation controller makes of a bootstrap
// role when only the bootstrap roles exist: the rules of every role whose
// labels one of its selectors matches, followed transitively.
func effectiveRules(t *testing.T, roles map[string]rbacv1.ClusterRole, name string, seen map[string]bool) []rbacv1.PolicyRule {
	t.Helper()
	if seen[name] {
		t.Fatalf("aggregation cycle through %s", name)
	}
	seen[name] = true
	role, ok := roles[name]
	if !ok {
		t.Fatalf("no cluster role %s", name)
	}
	if role.AggregationRule == nil {
		return role.Rules
	}
	var rules []rbacv1.PolicyRule
	for other, r := range roles {
		if other == name {
			continue
		}
		for _, sel := range role.AggregationRule.ClusterRoleSelectors {
			s, err := metav1.LabelSelectorAsSelector(&sel)
			if err != nil {
				t.Fatalf("role %s: %v", name, err)
			}
			if s.Matches(labels.Set(r.Labels)) {
				rules = append(rules, effectiveRules(t, roles, other, copySeen(seen))...)
				break
			}
		}
	}
	return rules
}

func copySeen(in map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range in {
		out[k] = v
	}
	return out
}

func allows(rules []rbacv1.PolicyRule, attrs authorizer.AttributesRecord) bool {
	for i := range rules {
		if rbac.RuleAllows(attrs, &rules[i]) {
			return true
		}
	}
	return false
}

func TestNoEphemeralContainersInUserRoles(t *testing.T) {
	roles := rolesByName(t)
	for _, name := range []string{"admin", "edit", "view", "system:aggregate-to-admin", "system:aggregate-to-edit", "system:aggregate-to-view"} {
		t.Run(name, func(t *testing.T) {
			for _, r := range roles[name].Rules {
				for _, res := range r.Resources {
					if res == "pods/ephemeralcontainers" || res == "*" || res == "pods/*" || res == "*/ephemeralcontainers" {
						t.Errorf("rule %v names %q", r, res)
					}
				}
			}
			rules := effectiveRules(t, roles, name, map[string]bool{})
			for _, verb := range []string{"get", "update", "patch", "create", "*"} {
				attrs := authorizer.AttributesRecord{Verb: verb, Namespace: "ns", Resource: "pods", Subresource: "ephemeralcontainers", Name: "p", ResourceRequest: true}
				if allows(rules, attrs) {
					t.Errorf("%s allows %s pods/ephemeralcontainers", name, verb)
				}
			}
		})
	}
}

func TestAggregation(t *testing.T) {
	roles := rolesByName(t)
	tests := []struct {
		role       string
		selects    string // the label its aggregationRule selects; "" for none
		labels     map[string]string
		wantNoRule bool
	}{
		{role: "admin", selects: bootstrap.AggregateToAdminLabel, wantNoRule: true},
		{role: "edit", selects: bootstrap.AggregateToEditLabel, labels: map[string]string{bootstrap.AggregateToAdminLabel: "true"}, wantNoRule: true},
		{role: "view", selects: bootstrap.AggregateToViewLabel, labels: map[string]string{bootstrap.AggregateToEditLabel: "true"}, wantNoRule: true},
		{role: "system:aggregate-to-admin", labels: map[string]string{bootstrap.AggregateToAdminLabel: "true"}},
		{role: "system:aggregate-to-edit", labels: map[string]string{bootstrap.AggregateToEditLabel: "true"}},
		{role: "system:aggregate-to-view", labels: map[string]string{bootstrap.AggregateToViewLabel: "true"}},
		{role: "cluster-admin"},
		{role: "system:discovery"},
		{role: "system:basic-user"},
		{role: "system:public-info-viewer"},
	}
	if len(tests) != len(roles) {
		t.Errorf("%d roles, %d tested", len(roles), len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			r, ok := roles[tc.role]
			if !ok {
				t.Fatalf("missing")
			}
			if tc.selects == "" {
				if r.AggregationRule != nil {
					t.Errorf("unexpected aggregationRule %v", r.AggregationRule)
				}
			} else {
				want := &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{tc.selects: "true"}}}}
				if !equality.Semantic.DeepEqual(r.AggregationRule, want) {
					t.Errorf("aggregationRule %v, want %v", r.AggregationRule, want)
				}
			}
			if tc.wantNoRule != (len(r.Rules) == 0) {
				t.Errorf("rules %v", r.Rules)
			}
			wantLabels := map[string]string{bootstrap.BootstrappingLabel: bootstrap.BootstrappingValue}
			for k, v := range tc.labels {
				wantLabels[k] = v
			}
			if !equality.Semantic.DeepEqual(r.Labels, wantLabels) {
				t.Errorf("labels %v, want %v", r.Labels, wantLabels)
			}
			if r.Annotations[rbacv1.AutoUpdateAnnotationKey] != "true" {
				t.Errorf("annotations %v", r.Annotations)
			}
		})
	}
}

// TestPermissions checks what admin, edit and view end up allowing once
// aggregated, for the resources this server serves.
func TestPermissions(t *testing.T) {
	roles := rolesByName(t)
	res := func(verb, group, resource, sub string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{Verb: verb, Namespace: "ns", APIGroup: group, Resource: resource, Subresource: sub, ResourceRequest: true}
	}
	url := func(verb, path string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{Verb: verb, Path: path}
	}
	tests := []struct {
		attrs authorizer.AttributesRecord
		// whether view, edit and admin allow attrs; cluster-admin always does
		view, edit, admin bool
	}{
		{attrs: res("get", "", "pods", ""), view: true, edit: true, admin: true},
		{attrs: res("watch", "", "pods", ""), view: true, edit: true, admin: true},
		{attrs: res("create", "", "pods", ""), edit: true, admin: true},
		{attrs: res("deletecollection", "", "pods", ""), edit: true, admin: true},
		{attrs: res("get", "", "pods", "status"), view: true, edit: true, admin: true},
		{attrs: res("update", "", "pods", "status")},
		{attrs: res("get", "", "pods", "log"), view: true, edit: true, admin: true},
		{attrs: res("create", "", "pods", "exec"), edit: true, admin: true},
		{attrs: res("get", "", "pods", "exec"), edit: true, admin: true},
		{attrs: res("create", "", "pods", "attach"), edit: true, admin: true},
		{attrs: res("create", "", "pods", "portforward"), edit: true, admin: true},
		{attrs: res("create", "", "pods", "eviction"), edit: true, admin: true},
		{attrs: res("get", "", "pods", "ephemeralcontainers")},
		{attrs: res("patch", "", "pods", "ephemeralcontainers")},
		{attrs: res("get", "", "namespaces", ""), view: true, edit: true, admin: true},
		{attrs: res("get", "", "namespaces", "status"), view: true, edit: true, admin: true},
		{attrs: res("delete", "", "namespaces", "")},
		{attrs: res("update", "", "namespaces", "finalize")},
		{attrs: res("list", "", "events", ""), view: true, edit: true, admin: true},
		{attrs: res("create", "", "events", ""), edit: true, admin: true},
		{attrs: res("list", "", "podtemplates", "")},
		{attrs: res("impersonate", "", "serviceaccounts", "")},
		{attrs: res("list", "rbac.authorization.k8s.io", "rolebindings", ""), admin: true},
		{attrs: res("create", "rbac.authorization.k8s.io", "roles", ""), admin: true},
		{attrs: res("create", "rbac.authorization.k8s.io", "clusterroles", "")},
		{attrs: res("create", "authorization.k8s.io", "localsubjectaccessreviews", ""), admin: true},
		{attrs: res("create", "authorization.k8s.io", "subjectaccessreviews", "")},
		{attrs: url("get", "/healthz")},
	}
	effective := map[string][]rbacv1.PolicyRule{}
	for _, name := range []string{"view", "edit", "admin", "cluster-admin"} {
		effective[name] = effectiveRules(t, roles, name, map[string]bool{})
	}
	for _, tc := range tests {
		a := tc.attrs
		want := map[string]bool{"view": tc.view, "edit": tc.edit, "admin": tc.admin, "cluster-admin": true}
		for name, rules := range effective {
			if got := allows(rules, a); got != want[name] {
				t.Errorf("%s: %s %s %s/%s %s: got %v, want %v", name, a.Verb, a.APIGroup, a.Resource, a.Subresource, a.Path, got, want[name])
			}
		}
	}
}

func TestRulesStayInServedGroups(t *testing.T) {
	served := map[string]bool{"": true, "rbac.authorization.k8s.io": true, "authorization.k8s.io": true, "authentication.k8s.io": true}
	for _, r := range bootstrap.ClusterRoles() {
		if r.Name == "cluster-admin" {
			continue
		}
		for _, rule := range r.Rules {
			for _, g := range rule.APIGroups {
				if !served[g] {
					t.Errorf("%s: rule %v names group %q", r.Name, rule, g)
				}
			}
			if len(rule.Resources) > 0 && len(rule.NonResourceURLs) > 0 {
				t.Errorf("%s: rule %v mixes resources and URLs", r.Name, rule)
			}
		}
	}
}

func TestBindings(t *testing.T) {
	roles := rolesByName(t)
	group := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
	}
	want := map[string][]rbacv1.Subject{
		"cluster-admin":             {group("system:masters")},
		"system:discovery":          {group("system:authenticated")},
		"system:basic-user":         {group("system:authenticated")},
		"system:public-info-viewer": {group("system:authenticated"), group("system:unauthenticated")},
	}
	bindings := bootstrap.ClusterRoleBindings()
	if len(bindings) != len(want) {
		t.Errorf("%d bindings, want %d", len(bindings), len(want))
	}
	for _, b := range bindings {
		subjects, ok := want[b.Name]
		if !ok {
			t.Errorf("unexpected binding %s", b.Name)
			continue
		}
		if !equality.Semantic.DeepEqual(b.Subjects, subjects) {
			t.Errorf("%s: subjects %v, want %v", b.Name, b.Subjects, subjects)
		}
		wantRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: b.Name}
		if b.RoleRef != wantRef {
			t.Errorf("%s: roleRef %v", b.Name, b.RoleRef)
		}
		if _, ok := roles[b.RoleRef.Name]; !ok {
			t.Errorf("%s: binds a role that is not bootstrapped", b.Name)
		}
		if b.Labels[bootstrap.BootstrappingLabel] != bootstrap.BootstrappingValue || b.Annotations[rbacv1.AutoUpdateAnnotationKey] != "true" {
			t.Errorf("%s: metadata %v %v", b.Name, b.Labels, b.Annotations)
		}
	}
}

func TestNonResourceRoles(t *testing.T) {
	roles := rolesByName(t)
	url := func(path string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{Verb: "get", Path: path}
	}
	tests := []struct {
		role  string
		attrs authorizer.AttributesRecord
		want  bool
	}{
		{"system:public-info-viewer", url("/healthz"), true},
		{"system:public-info-viewer", url("/livez"), true},
		{"system:public-info-viewer", url("/readyz"), true},
		{"system:public-info-viewer", url("/version"), true},
		{"system:public-info-viewer", url("/version/"), true},
		{"system:public-info-viewer", url("/api"), false},
		{"system:public-info-viewer", url("/metrics"), false},
		{"system:discovery", url("/apis/rbac.authorization.k8s.io/v1"), true},
		{"system:discovery", url("/openapi/v3"), true},
		{"system:discovery", url("/metrics"), false},
		{"system:basic-user", authorizer.AttributesRecord{Verb: "create", APIGroup: "authorization.k8s.io", Resource: "selfsubjectaccessreviews", ResourceRequest: true}, true},
		{"system:basic-user", authorizer.AttributesRecord{Verb: "create", APIGroup: "authorization.k8s.io", Resource: "selfsubjectrulesreviews", ResourceRequest: true}, true},
		{"system:basic-user", authorizer.AttributesRecord{Verb: "create", APIGroup: "authentication.k8s.io", Resource: "selfsubjectreviews", ResourceRequest: true}, true},
		{"system:basic-user", authorizer.AttributesRecord{Verb: "create", APIGroup: "authorization.k8s.io", Resource: "subjectaccessreviews", ResourceRequest: true}, false},
		{"cluster-admin", url("/anything"), true},
		{"cluster-admin", authorizer.AttributesRecord{Verb: "patch", Namespace: "ns", Resource: "pods", Subresource: "ephemeralcontainers", ResourceRequest: true}, true},
	}
	for _, tc := range tests {
		if got := allows(roles[tc.role].Rules, tc.attrs); got != tc.want {
			t.Errorf("%s: %+v: got %v, want %v", tc.role, tc.attrs, got, tc.want)
		}
	}
}

func TestFreshObjects(t *testing.T) {
	a := bootstrap.ClusterRoles()
	a[0].Labels["x"] = "y"
	a[len(a)-1].Rules[0].Verbs[0] = "changed"
	b := bootstrap.ClusterRoles()
	if _, ok := b[0].Labels["x"]; ok || b[len(b)-1].Rules[0].Verbs[0] == "changed" {
		t.Errorf("ClusterRoles shares state between calls")
	}
}
