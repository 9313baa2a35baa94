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

package bootstrap

import (
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/user"
)

// API groups the policy refers to.
const (
	coreGroup           = ""
	authenticationGroup = "authentication.k8s.io"
	authorizationGroup  = "authorization.k8s.io"
	rbacGroup           = rbacv1.GroupName
)

// Labels and annotation upstream puts on every bootstrap object, so that
// tools (and people) can tell the defaults from what was added later.
const (
	// BootstrappingLabel marks an object as part of the default policy.
	BootstrappingLabel = "kubernetes.io/bootstrapping"
	// BootstrappingValue is BootstrappingLabel's value.
	BootstrappingValue = "rbac-defaults"

	// AggregateToAdminLabel, AggregateToEditLabel and AggregateToViewLabel
	// set to "true" on a cluster role add its rules to admin, edit and view.
	AggregateToAdminLabel = "rbac.authorization.k8s.io/aggregate-to-admin"
	AggregateToEditLabel  = "rbac.authorization.k8s.io/aggregate-to-edit"
	AggregateToViewLabel  = "rbac.authorization.k8s.io/aggregate-to-view"
)

// Verb sets.
var (
	read      = []string{"get", "list", "watch"}
	write     = []string{"create", "update", "patch", "delete", "deletecollection"}
	readWrite = append(append([]string{}, read...), write...)
)

// ClusterRoles returns the default cluster roles. Every call returns fresh
// objects the caller may change.
//
// admin, edit and view hold no rules of their own: they aggregate the roles
// labelled for them (and admin aggregates edit, which aggregates view), so
// the cluster role aggregation controller fills them in. None of them, nor
// any system:aggregate-to-* role, grants pods/ephemeralcontainers: adding a
// debug container to a running pod lets one run a process beside the pod's
// own, with its own security context, which upstream deliberately keeps out
// of the user-facing roles; it has to be granted explicitly.
func ClusterRoles() []rbacv1.ClusterRole {
	roles := []rbacv1.ClusterRole{
		{
			// The superuser: everything, resources and non-resource URLs.
			ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"},
			Rules: []rbacv1.PolicyRule{
				newRule("*").groups("*").resources("*").rule(),
				newRule("*").urls("*").rule(),
			},
		},
		{
			// Enough to negotiate an API version and check the server is up.
			ObjectMeta: metav1.ObjectMeta{Name: "system:discovery"},
			Rules: []rbacv1.PolicyRule{
				newRule("get").urls(
					"/livez", "/readyz", "/healthz",
					"/version", "/version/",
					"/openapi", "/openapi/*",
					"/api", "/api/*",
					"/apis", "/apis/*",
				).rule(),
			},
		},
		{
			// What any user needs to find out who they are and what they may do.
			ObjectMeta: metav1.ObjectMeta{Name: "system:basic-user"},
			Rules: []rbacv1.PolicyRule{
				newRule("create").groups(authorizationGroup).resources("selfsubjectaccessreviews", "selfsubjectrulesreviews").rule(),
				newRule("create").groups(authenticationGroup).resources("selfsubjectreviews").rule(),
			},
		},
		{
			// Information that is harmless to show to anyone, even anonymous
			// clients.
			ObjectMeta: metav1.ObjectMeta{Name: "system:public-info-viewer"},
			Rules: []rbacv1.PolicyRule{
				newRule("get").urls("/livez", "/readyz", "/healthz", "/version", "/version/").rule(),
			},
		},
		{
			// Namespace administrator: edit plus the power to hand out
			// permissions inside the namespace.
			ObjectMeta:      metav1.ObjectMeta{Name: "admin"},
			AggregationRule: aggregate(AggregateToAdminLabel),
		},
		{
			// Namespace editor: every user-level action in a namespace, but
			// not the system's domain (status subresources) nor the power to
			// grant permissions.
			ObjectMeta:      metav1.ObjectMeta{Name: "edit", Labels: map[string]string{AggregateToAdminLabel: "true"}},
			AggregationRule: aggregate(AggregateToEditLabel),
		},
		{
			// Namespace viewer: read-only access to what does not let one
			// escalate.
			ObjectMeta:      metav1.ObjectMeta{Name: "view", Labels: map[string]string{AggregateToEditLabel: "true"}},
			AggregationRule: aggregate(AggregateToViewLabel),
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: "system:aggregate-to-admin", Labels: map[string]string{AggregateToAdminLabel: "true"}},
			Rules:      aggregateToAdminRules(),
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: "system:aggregate-to-edit", Labels: map[string]string{AggregateToEditLabel: "true"}},
			Rules:      aggregateToEditRules(),
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: "system:aggregate-to-view", Labels: map[string]string{AggregateToViewLabel: "true"}},
			Rules:      aggregateToViewRules(),
		},
	}
	for i := range roles {
		addDefaultMetadata(&roles[i].ObjectMeta)
	}
	return roles
}

// aggregateToAdminRules are what admin has beyond edit.
func aggregateToAdminRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		newRule("create").groups(authorizationGroup).resources("localsubjectaccessreviews").rule(),
		newRule(readWrite...).groups(rbacGroup).resources("roles", "rolebindings").rule(),
	}
}

// aggregateToEditRules are what edit has beyond view. Upstream's entries
// for resources of other groups, and for core resources this server does
// not serve (secrets, services, configmaps, ...), are left out; those for
// subresources of pods are kept even where this server has no handler for
// them (attach, exec, portforward, proxy, eviction), so that the roles read
// as users know them and stay right should the subresources appear.
//
// Upstream also lets edit impersonate the namespace's service accounts.
// That is left out here: upstream grants it because an editor can already
// run pods as any service account and read its token, neither of which
// this server allows, so here it would be a way to borrow whatever those
// accounts were bound to.
func aggregateToEditRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		// Read access to the pod subresources that let one act in a pod.
		newRule(read...).groups(coreGroup).resources("pods/attach", "pods/proxy", "pods/exec", "pods/portforward").rule(),
		newRule(write...).groups(coreGroup).resources("pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward").rule(),
		newRule("create").groups(coreGroup).resources("pods/eviction").rule(),
		newRule(write...).groups(coreGroup).resources("events").rule(),
	}
}

// aggregateToViewRules are view's rules: upstream's, for the core
// resources this server serves (podtemplates is in none of upstream's
// user-facing roles and stays out of them here too), with pods/log kept as
// a read-only pods subresource.
func aggregateToViewRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		newRule(read...).groups(coreGroup).resources("pods").rule(),
		newRule(read...).groups(coreGroup).resources("events", "pods/status", "namespaces/status", "pods/log").rule(),
		// Reading namespaces through a role binding means reading the
		// namespace the binding is in, a hint of where one has access.
		newRule(read...).groups(coreGroup).resources("namespaces").rule(),
	}
}

// ClusterRoleBindings returns the default cluster role bindings. Every call
// returns fresh objects the caller may change.
func ClusterRoleBindings() []rbacv1.ClusterRoleBinding {
	bindings := []rbacv1.ClusterRoleBinding{
		bindToGroups("cluster-admin", user.SystemPrivilegedGroup),
		bindToGroups("system:discovery", user.AllAuthenticated),
		bindToGroups("system:basic-user", user.AllAuthenticated),
		bindToGroups("system:public-info-viewer", user.AllAuthenticated, user.AllUnauthenticated),
	}
	for i := range bindings {
		addDefaultMetadata(&bindings[i].ObjectMeta)
	}
	return bindings
}

// bindToGroups binds the cluster role role, under a binding of the same
// name, to groups.
func bindToGroups(role string, groups ...string) rbacv1.ClusterRoleBinding {
	b := rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacGroup, Kind: "ClusterRole", Name: role},
	}
	for _, g := range groups {
		b.Subjects = append(b.Subjects, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacGroup, Name: g})
	}
	return b
}

func aggregate(label string) *rbacv1.AggregationRule {
	return &rbacv1.AggregationRule{
		ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{label: "true"}}},
	}
}

func addDefaultMetadata(meta *metav1.ObjectMeta) {
	if meta.Labels == nil {
		meta.Labels = map[string]string{}
	}
	meta.Labels[BootstrappingLabel] = BootstrappingValue
	if meta.Annotations == nil {
		meta.Annotations = map[string]string{}
	}
	meta.Annotations[rbacv1.AutoUpdateAnnotationKey] = "true"
}

// ruleBuilder assembles a policy rule; its lists come out sorted, as
// upstream stores them.
type ruleBuilder struct {
	r rbacv1.PolicyRule
}

func newRule(verbs ...string) *ruleBuilder {
	return &ruleBuilder{r: rbacv1.PolicyRule{Verbs: append([]string(nil), verbs...)}}
}

func (b *ruleBuilder) groups(groups ...string) *ruleBuilder {
	b.r.APIGroups = append(b.r.APIGroups, groups...)
	return b
}

func (b *ruleBuilder) resources(resources ...string) *ruleBuilder {
	b.r.Resources = append(b.r.Resources, resources...)
	return b
}

func (b *ruleBuilder) urls(urls ...string) *ruleBuilder {
	b.r.NonResourceURLs = append(b.r.NonResourceURLs, urls...)
	return b
}

func (b *ruleBuilder) rule() rbacv1.PolicyRule {
	for _, list := range [][]string{b.r.Verbs, b.r.APIGroups, b.r.Resources, b.r.NonResourceURLs} {
		sort.Strings(list)
	}
	return b.r
}
