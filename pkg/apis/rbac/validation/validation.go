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

// Package validation checks rbac.authorization.k8s.io/v1 roles and bindings
// the way upstream kube-apiserver does, with the same field paths and
// messages. Like the core validation, it works on the v1 Go types directly.
package validation

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateRBACName is the name rule of roles, bindings and the role a
// binding refers to: anything that can be one segment of a URL path.
// The prefix flag (set for generateName) changes nothing.
func ValidateRBACName(name string, prefix bool) []string {
	return isValidPathSegmentName(name)
}

// isValidPathSegmentName mirrors apimachinery's path.IsValidPathSegmentName,
// which is not vendored here: "." and ".." are refused outright, and "/"
// and "%" anywhere in the name.
func isValidPathSegmentName(name string) []string {
	for _, whole := range []string{".", ".."} {
		if name == whole {
			return []string{fmt.Sprintf("may not be '%s'", whole)}
		}
	}
	var msgs []string
	for _, part := range []string{"/", "%"} {
		if strings.Contains(name, part) {
			msgs = append(msgs, fmt.Sprintf("may not contain '%s'", part))
		}
	}
	return msgs
}

// ClusterRoleValidationOptions relax ClusterRole validation for objects
// stored before a rule was tightened.
type ClusterRoleValidationOptions struct {
	// AllowInvalidLabelValueInSelector accepts label values in the
	// aggregation rule's selectors that are not valid label values; set on
	// update when the stored object already had one.
	AllowInvalidLabelValueInSelector bool
}

// ValidateRole validates a new Role.
func ValidateRole(role *rbacv1.Role) field.ErrorList {
	allErrs := validateObjectMeta(&role.ObjectMeta, true)
	rulesPath := field.NewPath("rules")
	for i := range role.Rules {
		allErrs = append(allErrs, ValidatePolicyRule(role.Rules[i], true, rulesPath.Index(i))...)
	}
	return allErrs
}

// ValidateRoleUpdate validates a Role replacing oldRole: every rule of a
// new Role, plus the metadata update rules.
func ValidateRoleUpdate(role, oldRole *rbacv1.Role) field.ErrorList {
	allErrs := ValidateRole(role)
	return append(allErrs, validateObjectMetaUpdate(&role.ObjectMeta, &oldRole.ObjectMeta)...)
}

// ValidateClusterRole validates a new ClusterRole.
func ValidateClusterRole(role *rbacv1.ClusterRole, opts ClusterRoleValidationOptions) field.ErrorList {
	allErrs := validateObjectMeta(&role.ObjectMeta, false)
	rulesPath := field.NewPath("rules")
	for i := range role.Rules {
		allErrs = append(allErrs, ValidatePolicyRule(role.Rules[i], false, rulesPath.Index(i))...)
	}
	if role.AggregationRule != nil {
		selectorsPath := field.NewPath("aggregationRule", "clusterRoleSelectors")
		if len(role.AggregationRule.ClusterRoleSelectors) == 0 {
			allErrs = append(allErrs, field.Required(selectorsPath, "at least one clusterRoleSelector required if aggregationRule is non-nil"))
		}
		selectorOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.AllowInvalidLabelValueInSelector}
		for i := range role.AggregationRule.ClusterRoleSelectors {
			sel := &role.AggregationRule.ClusterRoleSelectors[i]
			allErrs = append(allErrs, metav1validation.ValidateLabelSelector(sel, selectorOpts, selectorsPath.Index(i))...)
			// Upstream also reports a selector that cannot be converted at
			// all, with the (nil) converted selector as the value.
			if converted, err := metav1.LabelSelectorAsSelector(sel); err != nil {
				allErrs = append(allErrs, field.Invalid(selectorsPath.Index(i), converted, "invalid label selector."))
			}
		}
	}
	return allErrs
}

// ValidateClusterRoleUpdate validates a ClusterRole replacing oldRole.
func ValidateClusterRoleUpdate(role, oldRole *rbacv1.ClusterRole, opts ClusterRoleValidationOptions) field.ErrorList {
	allErrs := ValidateClusterRole(role, opts)
	return append(allErrs, validateObjectMetaUpdate(&role.ObjectMeta, &oldRole.ObjectMeta)...)
}

// HasInvalidLabelValueInAggregationRule reports whether any selector of
// role's aggregation rule fails today's strict selector validation; an
// update of such a role keeps being allowed the lax rule.
func HasInvalidLabelValueInAggregationRule(role *rbacv1.ClusterRole) bool {
	if role == nil || role.AggregationRule == nil {
		return false
	}
	strict := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: false}
	for i := range role.AggregationRule.ClusterRoleSelectors {
		if len(metav1validation.ValidateLabelSelector(&role.AggregationRule.ClusterRoleSelectors[i], strict, nil)) > 0 {
			return true
		}
	}
	return false
}

// ValidatePolicyRule validates one rule of a Role (isNamespaced) or a
// ClusterRole. A rule is either about non-resource URLs or about resources.
func ValidatePolicyRule(rule rbacv1.PolicyRule, isNamespaced bool, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if len(rule.Verbs) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("verbs"), "verbs must contain at least one value"))
	}

	if len(rule.NonResourceURLs) > 0 {
		urlsPath := fldPath.Child("nonResourceURLs")
		if isNamespaced {
			allErrs = append(allErrs, field.Invalid(urlsPath, rule.NonResourceURLs, "namespaced rules cannot apply to non-resource URLs"))
		}
		if len(rule.APIGroups) > 0 || len(rule.Resources) > 0 || len(rule.ResourceNames) > 0 {
			allErrs = append(allErrs, field.Invalid(urlsPath, rule.NonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"))
		}
		return allErrs
	}

	if len(rule.APIGroups) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("apiGroups"), "resource rules must supply at least one api group"))
	}
	if len(rule.Resources) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("resources"), "resource rules must supply at least one resource"))
	}
	return allErrs
}

// ValidateRoleBinding validates a new RoleBinding: it may refer to a Role
// of its namespace or to a ClusterRole.
func ValidateRoleBinding(binding *rbacv1.RoleBinding) field.ErrorList {
	return validateBinding(&binding.ObjectMeta, binding.RoleRef, binding.Subjects, true)
}

// ValidateRoleBindingUpdate validates a RoleBinding replacing old; its
// roleRef may not change.
func ValidateRoleBindingUpdate(binding, old *rbacv1.RoleBinding) field.ErrorList {
	return append(ValidateRoleBinding(binding), validateBindingUpdate(&binding.ObjectMeta, &old.ObjectMeta, binding.RoleRef, old.RoleRef)...)
}

// ValidateClusterRoleBinding validates a new ClusterRoleBinding: it may
// only refer to a ClusterRole, and service account subjects need a
// namespace.
func ValidateClusterRoleBinding(binding *rbacv1.ClusterRoleBinding) field.ErrorList {
	return validateBinding(&binding.ObjectMeta, binding.RoleRef, binding.Subjects, false)
}

// ValidateClusterRoleBindingUpdate validates a ClusterRoleBinding replacing
// old; its roleRef may not change.
func ValidateClusterRoleBindingUpdate(binding, old *rbacv1.ClusterRoleBinding) field.ErrorList {
	return append(ValidateClusterRoleBinding(binding), validateBindingUpdate(&binding.ObjectMeta, &old.ObjectMeta, binding.RoleRef, old.RoleRef)...)
}

// validateBinding checks what role and cluster role bindings share: a
// namespaced binding may name a Role or a ClusterRole, a cluster one only a
// ClusterRole, and its service account subjects need a namespace.
func validateBinding(meta *metav1.ObjectMeta, ref rbacv1.RoleRef, subjects []rbacv1.Subject, namespaced bool) field.ErrorList {
	kinds := []string{"ClusterRole"}
	if namespaced {
		kinds = []string{"Role", "ClusterRole"}
	}
	allErrs := validateObjectMeta(meta, namespaced)
	allErrs = append(allErrs, validateRoleRef(ref, kinds)...)
	subjectsPath := field.NewPath("subjects")
	for i := range subjects {
		allErrs = append(allErrs, ValidateRoleBindingSubject(subjects[i], namespaced, subjectsPath.Index(i))...)
	}
	return allErrs
}

// validateBindingUpdate adds the update rules: the metadata's, and a
// roleRef that never changes.
func validateBindingUpdate(meta, oldMeta *metav1.ObjectMeta, ref, oldRef rbacv1.RoleRef) field.ErrorList {
	allErrs := validateObjectMetaUpdate(meta, oldMeta)
	if ref != oldRef {
		allErrs = append(allErrs, field.Invalid(field.NewPath("roleRef"), ref, "cannot change roleRef"))
	}
	return allErrs
}

// validateRoleRef checks a binding's roleRef against the kinds it may name.
func validateRoleRef(ref rbacv1.RoleRef, kinds []string) field.ErrorList {
	var allErrs field.ErrorList
	refPath := field.NewPath("roleRef")
	if ref.APIGroup != rbacv1.GroupName {
		allErrs = append(allErrs, field.NotSupported(refPath.Child("apiGroup"), ref.APIGroup, []string{rbacv1.GroupName}))
	}
	if !slices.Contains(kinds, ref.Kind) {
		allErrs = append(allErrs, field.NotSupported(refPath.Child("kind"), ref.Kind, kinds))
	}
	if ref.Name == "" {
		allErrs = append(allErrs, field.Required(refPath.Child("name"), ""))
	} else {
		for _, msg := range ValidateRBACName(ref.Name, false) {
			allErrs = append(allErrs, field.Invalid(refPath.Child("name"), ref.Name, msg))
		}
	}
	return allErrs
}

// ValidateRoleBindingSubject validates one subject of a RoleBinding
// (isNamespaced) or a ClusterRoleBinding.
func ValidateRoleBindingSubject(subject rbacv1.Subject, isNamespaced bool, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if subject.Name == "" {
		allErrs = append(allErrs, field.Required(fldPath.Child("name"), ""))
	}

	switch subject.Kind {
	case rbacv1.ServiceAccountKind:
		if subject.Name != "" {
			for _, msg := range apimachineryvalidation.ValidateServiceAccountName(subject.Name, false) {
				allErrs = append(allErrs, field.Invalid(fldPath.Child("name"), subject.Name, msg))
			}
		}
		if subject.APIGroup != "" {
			allErrs = append(allErrs, field.NotSupported(fldPath.Child("apiGroup"), subject.APIGroup, []string{""}))
		}
		// A RoleBinding's service account defaults to the binding's
		// namespace; a ClusterRoleBinding has none to offer.
		if !isNamespaced && subject.Namespace == "" {
			allErrs = append(allErrs, field.Required(fldPath.Child("namespace"), ""))
		}
	case rbacv1.UserKind, rbacv1.GroupKind:
		if subject.APIGroup != rbacv1.GroupName {
			allErrs = append(allErrs, field.NotSupported(fldPath.Child("apiGroup"), subject.APIGroup, []string{rbacv1.GroupName}))
		}
	default:
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("kind"), subject.Kind,
			[]string{rbacv1.ServiceAccountKind, rbacv1.UserKind, rbacv1.GroupKind}))
	}
	return allErrs
}

// standardFinalizers need no domain prefix.
var standardFinalizers = []string{"kubernetes", metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents}

// validateObjectMeta is the metadata check upstream runs for every built-in
// kind: apimachinery's, with RBAC's name rule, plus the finalizer rule.
func validateObjectMeta(meta *metav1.ObjectMeta, requiresNamespace bool) field.ErrorList {
	fldPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMeta(meta, requiresNamespace, ValidateRBACName, fldPath)
	return append(allErrs, validateFinalizerNames(meta.Finalizers, fldPath.Child("finalizers"))...)
}

func validateObjectMetaUpdate(newMeta, oldMeta *metav1.ObjectMeta) field.ErrorList {
	fldPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(newMeta, oldMeta, fldPath)
	return append(allErrs, validateFinalizerNames(newMeta.Finalizers, fldPath.Child("finalizers"))...)
}

// validateFinalizerNames refuses a finalizer without a "/" unless it is
// one of the standard ones.
func validateFinalizerNames(finalizers []string, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for i, name := range finalizers {
		if !strings.Contains(name, "/") && !slices.Contains(standardFinalizers, name) {
			allErrs = append(allErrs, field.Invalid(fldPath.Index(i), name, "name is neither a standard finalizer name nor is it fully qualified"))
		}
	}
	return allErrs
}
