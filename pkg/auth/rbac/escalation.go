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
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	rbacvalidation "k8s.io/component-helpers/auth/rbac/validation"
)

// EscalationAllowed reports whether the requesting user may grant anything:
// members of system:masters hold every permission already.
func EscalationAllowed(ctx context.Context) bool {
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return false
	}
	for _, g := range u.GetGroups() {
		if g == user.SystemPrivilegedGroup {
			return true
		}
	}
	return false
}

// ConfirmNoEscalation returns an error naming the rules the requesting user
// would grant without holding them in the request's namespace.
func (r *RuleResolver) ConfirmNoEscalation(ctx context.Context, rules []rbacv1.PolicyRule) error {
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return errors.New("no user on request")
	}
	namespace, _ := genericapirequest.NamespaceFrom(ctx)
	held, resolutionErr := r.RulesFor(u, namespace)
	covered, missing := rbacvalidation.Covers(held, rules)
	if covered {
		return nil
	}
	msg := fmt.Sprintf("user %q (groups=%q) is attempting to grant RBAC permissions not currently held:\n%s",
		u.GetName(), u.GetGroups(), strings.Join(describeRules(missing), "\n"))
	if resolutionErr != nil {
		msg += fmt.Sprintf("; resolution errors: %v", resolutionErr)
	}
	return errors.New(msg)
}

// describeRules renders rules one per line, those differing only in verbs
// merged, sorted so the message is stable.
func describeRules(rules []rbacv1.PolicyRule) []string {
	type key struct{ groups, resources, names, urls string }
	var order []key
	merged := map[key]*rbacv1.PolicyRule{}
	for _, rule := range rules {
		k := key{fmt.Sprint(rule.APIGroups), fmt.Sprint(rule.Resources), fmt.Sprint(rule.ResourceNames), fmt.Sprint(rule.NonResourceURLs)}
		if m, ok := merged[k]; ok {
			for _, v := range rule.Verbs {
				if !slices.Contains(m.Verbs, v) {
					m.Verbs = append(m.Verbs, v)
				}
			}
			continue
		}
		copied := rule.DeepCopy()
		merged[k] = copied
		order = append(order, k)
	}
	lines := make([]string, 0, len(order))
	for _, k := range order {
		lines = append(lines, CompactString(*merged[k]))
	}
	sort.Strings(lines)
	return lines
}

// CompactString renders a rule with only its non-empty fields, as
// {APIGroups:[""], Resources:["pods"], Verbs:["get"]}.
func CompactString(rule rbacv1.PolicyRule) string {
	var parts []string
	for _, field := range []struct {
		name   string
		values []string
	}{
		{"APIGroups", rule.APIGroups},
		{"Resources", rule.Resources},
		{"NonResourceURLs", rule.NonResourceURLs},
		{"ResourceNames", rule.ResourceNames},
		{"Verbs", rule.Verbs},
	} {
		if len(field.values) > 0 {
			parts = append(parts, fmt.Sprintf("%s:%q", field.name, field.values))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
