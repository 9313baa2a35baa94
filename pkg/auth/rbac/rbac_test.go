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

package rbac

import (
	"context"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/client-go/tools/cache"
)

// newTestResolver reads objects from indexers, as the server's informers do.
func newTestResolver(t *testing.T, objects ...interface{}) *RuleResolver {
	t.Helper()
	indexers := cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}
	roles, roleBindings := cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers), cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers)
	clusterRoles, clusterRoleBindings := cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers), cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers)
	for _, obj := range objects {
		var err error
		switch obj.(type) {
		case *rbacv1.Role:
			err = roles.Add(obj)
		case *rbacv1.RoleBinding:
			err = roleBindings.Add(obj)
		case *rbacv1.ClusterRole:
			err = clusterRoles.Add(obj)
		case *rbacv1.ClusterRoleBinding:
			err = clusterRoleBindings.Add(obj)
		default:
			t.Fatalf("unexpected object %T", obj)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return NewRuleResolver(Listers{
		Roles:               rbaclisters.NewRoleLister(roles),
		RoleBindings:        rbaclisters.NewRoleBindingLister(roleBindings),
		ClusterRoles:        rbaclisters.NewClusterRoleLister(clusterRoles),
		ClusterRoleBindings: rbaclisters.NewClusterRoleBindingLister(clusterRoleBindings),
	})
}

func role(namespace, name string, rules ...rbacv1.PolicyRule) *rbacv1.Role {
	return &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Rules: rules}
}

func clusterRole(name string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
}

func roleBinding(namespace, name string, ref rbacv1.RoleRef, subjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, RoleRef: ref, Subjects: subjects}
}

func clusterRoleBinding(name string, ref rbacv1.RoleRef, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: ref, Subjects: subjects}
}

func ref(kind, name string) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: name}
}

func userSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

func resourceRule(verbs, groups, resources []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
}

func list(s ...string) []string { return s }

var (
	dev = &user.DefaultInfo{Name: "dev", Groups: []string{user.AllAuthenticated}}
	sa  = &user.DefaultInfo{Name: "system:serviceaccount:team:debugger", Groups: []string{"system:serviceaccounts", user.AllAuthenticated}}
)

func resourceAttrs(u user.Info, verb, namespace, resource, subresource, name string) authorizer.AttributesRecord {
	return authorizer.AttributesRecord{
		User: u, Verb: verb, Namespace: namespace, Resource: resource, Subresource: subresource, Name: name,
		ResourceRequest: true,
	}
}

func TestAuthorize(t *testing.T) {
	debugger := role("default", "debugger", resourceRule(list("get", "update", "patch"), list(""), list("pods/ephemeralcontainers")))
	objects := []interface{}{
		debugger,
		roleBinding("default", "dev-debugger", ref("Role", "debugger"), userSubject("dev")),
		clusterRole("view", resourceRule(list("get", "list", "watch"), list(""), list("pods", "pods/status"))),
		roleBinding("team", "dev-view", ref("ClusterRole", "view"), userSubject("dev")),
		clusterRole("named", rbacv1.PolicyRule{Verbs: list("get"), APIGroups: list(""), Resources: list("pods"), ResourceNames: list("only-this")}),
		roleBinding("named", "dev-named", ref("ClusterRole", "named"), userSubject("dev")),
		clusterRole("any-ephemeral", resourceRule(list("patch"), list("*"), list("*/ephemeralcontainers"))),
		roleBinding("team", "sa-ephemeral", ref("ClusterRole", "any-ephemeral"),
			rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "debugger"}),
		clusterRole("health", rbacv1.PolicyRule{Verbs: list("get"), NonResourceURLs: list("/healthz", "/apis/*")}),
		clusterRoleBinding("authenticated-health", ref("ClusterRole", "health"),
			rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: user.AllAuthenticated}),
		roleBinding("broken", "dangling", ref("Role", "missing"), userSubject("dev")),
	}
	resolver := newTestResolver(t, objects...)
	a := NewAuthorizer(resolver)
	tests := []struct {
		name       string
		attrs      authorizer.Attributes
		allowed    bool
		reasonPart string
	}{
		{"subresource granted", resourceAttrs(dev, "patch", "default", "pods", "ephemeralcontainers", "p"), true,
			`RBAC: allowed by RoleBinding "dev-debugger/default" of Role "debugger" to User "dev"`},
		{"parent resource not granted by a subresource rule", resourceAttrs(dev, "get", "default", "pods", "", "p"), false, ""},
		{"verb not granted", resourceAttrs(dev, "delete", "default", "pods", "ephemeralcontainers", "p"), false, ""},
		{"other namespace", resourceAttrs(dev, "patch", "team", "pods", "ephemeralcontainers", "p"), false, ""},
		{"cluster role through a role binding", resourceAttrs(dev, "list", "team", "pods", "", ""), true, ""},
		{"resource rule does not cover its subresource", resourceAttrs(dev, "get", "team", "pods", "ephemeralcontainers", "p"), false, ""},
		{"subresource listed explicitly", resourceAttrs(dev, "get", "team", "pods", "status", "p"), true, ""},
		{"role binding is not cluster-wide", resourceAttrs(dev, "list", "", "pods", "", ""), false, ""},
		{"resource name matches", resourceAttrs(dev, "get", "named", "pods", "", "only-this"), true, ""},
		{"resource name differs", resourceAttrs(dev, "get", "named", "pods", "", "other"), false, ""},
		{"resource names never match a list", resourceAttrs(dev, "get", "named", "pods", "", ""), false, ""},
		{"service account in the binding's namespace", resourceAttrs(sa, "patch", "team", "pods", "ephemeralcontainers", "p"), true,
			`RBAC: allowed by RoleBinding "sa-ephemeral/team" of ClusterRole "any-ephemeral" to ServiceAccount "debugger"`},
		{"*/subresource does not cover the resource", resourceAttrs(sa, "patch", "team", "pods", "", "p"), false, ""},
		{"non-resource exact", authorizer.AttributesRecord{User: dev, Verb: "get", Path: "/healthz"}, true,
			`RBAC: allowed by ClusterRoleBinding "authenticated-health" of ClusterRole "health" to Group "system:authenticated"`},
		{"non-resource prefix", authorizer.AttributesRecord{User: dev, Verb: "get", Path: "/apis/rbac.authorization.k8s.io"}, true, ""},
		{"non-resource other path", authorizer.AttributesRecord{User: dev, Verb: "get", Path: "/metrics"}, false, ""},
		{"dangling binding explains itself", resourceAttrs(dev, "get", "broken", "pods", "", "p"), false, `RBAC: role.rbac.authorization.k8s.io "missing" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decision, reason, err := a.Authorize(context.Background(), tt.attrs)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := decision == authorizer.DecisionAllow; got != tt.allowed {
				t.Errorf("allowed = %v, want %v (reason %q)", got, tt.allowed, reason)
			}
			if !tt.allowed && decision != authorizer.DecisionNoOpinion {
				t.Errorf("a refusal must leave later authorizers a say, got %v", decision)
			}
			switch {
			case tt.allowed && !strings.HasPrefix(reason, "RBAC: allowed by "):
				t.Errorf("reason = %q, want it to name the binding", reason)
			case !strings.Contains(reason, tt.reasonPart), !tt.allowed && tt.reasonPart == "" && reason != "":
				t.Errorf("reason = %q, want %q", reason, tt.reasonPart)
			}
		})
	}
}

func TestRulesFor(t *testing.T) {
	resolver := newTestResolver(t,
		clusterRole("health", rbacv1.PolicyRule{Verbs: list("get"), NonResourceURLs: list("/healthz")}),
		clusterRoleBinding("health", ref("ClusterRole", "health"), rbacv1.Subject{Kind: rbacv1.GroupKind, Name: user.AllAuthenticated}),
		role("default", "debugger", resourceRule(list("patch"), list(""), list("pods/ephemeralcontainers"))),
		roleBinding("default", "dev", ref("Role", "debugger"), userSubject("dev")),
	)
	a := NewAuthorizer(resolver)
	resourceRules, nonResourceRules, incomplete, err := a.RulesFor(context.Background(), dev, "default")
	if err != nil || incomplete {
		t.Fatalf("RulesFor: incomplete %v, err %v", incomplete, err)
	}
	if len(resourceRules) != 1 || resourceRules[0].GetResources()[0] != "pods/ephemeralcontainers" {
		t.Errorf("resource rules = %v", resourceRules)
	}
	if len(nonResourceRules) != 1 || nonResourceRules[0].GetNonResourceURLs()[0] != "/healthz" {
		t.Errorf("non-resource rules = %v", nonResourceRules)
	}
	resourceRules, _, _, _ = a.RulesFor(context.Background(), dev, "other")
	if len(resourceRules) != 0 {
		t.Errorf("rules of another namespace leaked: %v", resourceRules)
	}
}

func TestConfirmNoEscalation(t *testing.T) {
	clusterAdminRules := []rbacv1.PolicyRule{
		resourceRule(list("*"), list("*"), list("*")),
		{Verbs: list("*"), NonResourceURLs: list("*")},
	}
	resolver := newTestResolver(t,
		role("default", "pod-editor", resourceRule(list("get", "patch"), list(""), list("pods"))),
		roleBinding("default", "dev", ref("Role", "pod-editor"), userSubject("dev")),
	)
	tests := []struct {
		name    string
		rules   []rbacv1.PolicyRule
		wantErr string
	}{
		{"held rules", []rbacv1.PolicyRule{resourceRule(list("get"), list(""), list("pods"))}, ""},
		{"subset of verbs", []rbacv1.PolicyRule{resourceRule(list("patch", "get"), list(""), list("pods"))}, ""},
		{"subresource not held", []rbacv1.PolicyRule{resourceRule(list("patch", "update"), list(""), list("pods/ephemeralcontainers"))},
			"user \"dev\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
				`{APIGroups:[""], Resources:["pods/ephemeralcontainers"], Verbs:["patch" "update"]}`},
		{"cluster-admin", clusterAdminRules,
			"user \"dev\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
				`{APIGroups:["*"], Resources:["*"], Verbs:["*"]}` + "\n" + `{NonResourceURLs:["*"], Verbs:["*"]}`},
	}
	ctx := genericapirequest.WithNamespace(genericapirequest.WithUser(context.Background(), dev), "default")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := resolver.ConfirmNoEscalation(ctx, tt.rules)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("error = %v\nwant %s", err, tt.wantErr)
			}
		})
	}
}

func TestEscalationAllowed(t *testing.T) {
	for _, tt := range []struct {
		groups []string
		want   bool
	}{
		{[]string{user.SystemPrivilegedGroup, user.AllAuthenticated}, true},
		{[]string{user.AllAuthenticated}, false},
	} {
		ctx := genericapirequest.WithUser(context.Background(), &user.DefaultInfo{Name: "u", Groups: tt.groups})
		if got := EscalationAllowed(ctx); got != tt.want {
			t.Errorf("groups %v: EscalationAllowed = %v, want %v", tt.groups, got, tt.want)
		}
	}
	if EscalationAllowed(context.Background()) {
		t.Error("a request without a user must not escalate")
	}
}
