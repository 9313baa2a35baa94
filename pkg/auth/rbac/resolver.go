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

// Package rbac evaluates rbac.authorization.k8s.io/v1 roles and bindings:
// which rules apply to a user, whether a request is allowed, and whether a
// user may grant a set of rules.
package rbac

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
)

// Listers are where roles and bindings are read from: client-go listers
// in the server (informer caches), anything equivalent in tests.
type Listers struct {
	Roles               rbaclisters.RoleLister
	RoleBindings        rbaclisters.RoleBindingLister
	ClusterRoles        rbaclisters.ClusterRoleLister
	ClusterRoleBindings rbaclisters.ClusterRoleBindingLister
}

// RuleResolver finds the rules that bindings give a user.
type RuleResolver struct {
	listers Listers
}

// NewRuleResolver reads roles and bindings from listers.
func NewRuleResolver(listers Listers) *RuleResolver {
	return &RuleResolver{listers: listers}
}

// RuleVisitor receives each rule that applies, with the binding it came
// from, or an error met on the way. Returning false stops the walk.
type RuleVisitor func(source fmt.Stringer, rule *rbacv1.PolicyRule, err error) bool

// VisitRulesFor walks the rules that apply to u in namespace: those of
// cluster role bindings first, then those of the namespace's role bindings.
// An empty namespace means cluster-wide rules only.
func (r *RuleResolver) VisitRulesFor(u user.Info, namespace string, visit RuleVisitor) {
	clusterBindings, err := r.listers.ClusterRoleBindings.List(labels.Everything())
	if err != nil && !visit(nil, nil, err) {
		return
	}
	for _, binding := range clusterBindings {
		source := bindingSource{kind: "ClusterRoleBinding", name: binding.Name, roleRef: binding.RoleRef}
		if !r.visitBinding(u, binding.Subjects, source, visit) {
			return
		}
	}
	if namespace == "" {
		return
	}
	bindings, err := r.listers.RoleBindings.RoleBindings(namespace).List(labels.Everything())
	if err != nil && !visit(nil, nil, err) {
		return
	}
	for _, binding := range bindings {
		source := bindingSource{kind: "RoleBinding", namespace: namespace, name: binding.Name, roleRef: binding.RoleRef}
		if !r.visitBinding(u, binding.Subjects, source, visit) {
			return
		}
	}
}

// visitBinding visits the rules of the binding source describes, if one
// of its subjects is u. It returns false when the visitor is done.
func (r *RuleResolver) visitBinding(u user.Info, subjects []rbacv1.Subject, source bindingSource, visit RuleVisitor) bool {
	subject, ok := appliesTo(u, subjects, source.namespace)
	if !ok {
		return true
	}
	source.subject = subject
	rules, err := r.RoleRefRules(source.roleRef, source.namespace)
	if err != nil {
		return visit(nil, nil, err)
	}
	for i := range rules {
		if !visit(source, &rules[i], nil) {
			return false
		}
	}
	return true
}

// RulesFor returns every rule that applies to u in namespace, and the
// errors met resolving them (a binding to a missing role, say): the rules
// found are returned either way.
func (r *RuleResolver) RulesFor(u user.Info, namespace string) ([]rbacv1.PolicyRule, error) {
	var (
		rules []rbacv1.PolicyRule
		errs  []error
	)
	r.VisitRulesFor(u, namespace, func(_ fmt.Stringer, rule *rbacv1.PolicyRule, err error) bool {
		if rule != nil {
			rules = append(rules, *rule)
		}
		if err != nil {
			errs = append(errs, err)
		}
		return true
	})
	return rules, utilerrors.NewAggregate(errs)
}

// RoleRefRules returns the rules of the role a binding in namespace refers
// to ("" for a cluster role binding).
func (r *RuleResolver) RoleRefRules(ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, error) {
	switch ref.Kind {
	case "Role":
		role, err := r.listers.Roles.Roles(namespace).Get(ref.Name)
		if err != nil {
			return nil, err
		}
		return role.Rules, nil
	case "ClusterRole":
		role, err := r.listers.ClusterRoles.Get(ref.Name)
		if err != nil {
			return nil, err
		}
		return role.Rules, nil
	default:
		return nil, fmt.Errorf("unsupported role reference kind: %q", ref.Kind)
	}
}

// appliesTo returns the first of subjects that is u. A service account
// subject without a namespace means one in the binding's namespace.
func appliesTo(u user.Info, subjects []rbacv1.Subject, bindingNamespace string) (rbacv1.Subject, bool) {
	for _, s := range subjects {
		switch s.Kind {
		case rbacv1.UserKind:
			if u.GetName() == s.Name {
				return s, true
			}
		case rbacv1.GroupKind:
			for _, g := range u.GetGroups() {
				if g == s.Name {
					return s, true
				}
			}
		case rbacv1.ServiceAccountKind:
			namespace := s.Namespace
			if namespace == "" {
				namespace = bindingNamespace
			}
			if namespace != "" && serviceaccount.MatchesUsername(namespace, s.Name, u.GetName()) {
				return s, true
			}
		}
	}
	return rbacv1.Subject{}, false
}

// bindingSource names the binding a rule came from, for the reason of an
// allowed request: ClusterRoleBinding "x" of ClusterRole "y" to Group "z",
// a role binding named "name/namespace", as upstream writes them.
type bindingSource struct {
	kind, namespace, name string
	roleRef               rbacv1.RoleRef
	subject               rbacv1.Subject
}

func (s bindingSource) String() string {
	name := s.name
	if s.namespace != "" {
		name += "/" + s.namespace
	}
	subject := s.subject.Name
	if s.subject.Kind == rbacv1.ServiceAccountKind && s.subject.Namespace != "" {
		subject = s.subject.Namespace + "/" + s.subject.Name
	}
	return fmt.Sprintf("%s %q of %s %q to %s %q", s.kind, name, s.roleRef.Kind, s.roleRef.Name, s.subject.Kind, subject)
}
