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

// Package validation checks the bodies of the authorization.k8s.io/v1 access
// review kinds before the server answers them. Field paths and messages
// follow kube-apiserver 1.37, so clients see the same 422s from either.
package validation

import (
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The messages clients match on.
const (
	exactlyOneAttributesMsg = "exactly one of nonResourceAttributes or resourceAttributes must be specified"
	userOrGroupMsg          = "at least one of user or group must be specified"
	metadataEmptyMsg        = "must be empty"
	metadataNamespaceMsg    = "must be empty except for namespace"
	namespaceMismatchMsg    = "must match metadata.namespace"
	nonResourceDisallowed   = "disallowed on this kind of request"
	selectorBothMsg         = "may not specified at the same time as requirements"
)

// unionOrigin tags the "exactly one of" error the way the declarative
// +k8s:unionMember rule on these specs would.
const unionOrigin = "union"

// validateAttributesUnion reports, at fldPath itself, a spec that names both
// or neither of resourceAttributes and nonResourceAttributes.
func validateAttributesUnion(ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes, fldPath *field.Path) field.ErrorList {
	if (ra == nil) == (nra == nil) {
		return field.ErrorList{field.Invalid(fldPath, nra, exactlyOneAttributesMsg).WithOrigin(unionOrigin)}
	}
	return nil
}

// ValidateSubjectAccessReviewSpec checks the spec shared by SubjectAccessReview
// and LocalSubjectAccessReview: exactly one kind of attributes, a subject, and
// well-formed selectors.
func ValidateSubjectAccessReviewSpec(spec authorizationv1.SubjectAccessReviewSpec, fldPath *field.Path) field.ErrorList {
	allErrs := validateAttributesUnion(spec.ResourceAttributes, spec.NonResourceAttributes, fldPath)
	if len(spec.User) == 0 && len(spec.Groups) == 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("user"), spec.User, userOrGroupMsg))
	}
	allErrs = append(allErrs, validateResourceAttributes(spec.ResourceAttributes, fldPath.Child("resourceAttributes"))...)
	return allErrs
}

// ValidateSelfSubjectAccessReviewSpec checks a SelfSubjectAccessReview spec;
// the subject comes from the request, so only the attributes are checked.
func ValidateSelfSubjectAccessReviewSpec(spec authorizationv1.SelfSubjectAccessReviewSpec, fldPath *field.Path) field.ErrorList {
	allErrs := validateAttributesUnion(spec.ResourceAttributes, spec.NonResourceAttributes, fldPath)
	allErrs = append(allErrs, validateResourceAttributes(spec.ResourceAttributes, fldPath.Child("resourceAttributes"))...)
	return allErrs
}

// ValidateSubjectAccessReview checks a whole SubjectAccessReview. Its
// metadata must be empty; managedFields are ignored because the create
// handler may have filled them in.
func ValidateSubjectAccessReview(sar *authorizationv1.SubjectAccessReview) field.ErrorList {
	allErrs := ValidateSubjectAccessReviewSpec(sar.Spec, field.NewPath("spec"))
	if !metadataIsEmpty(sar.ObjectMeta, false) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("metadata"), sar.ObjectMeta, metadataEmptyMsg))
	}
	return allErrs
}

// ValidateSelfSubjectAccessReview checks a whole SelfSubjectAccessReview,
// whose metadata must be empty as well.
func ValidateSelfSubjectAccessReview(sar *authorizationv1.SelfSubjectAccessReview) field.ErrorList {
	allErrs := ValidateSelfSubjectAccessReviewSpec(sar.Spec, field.NewPath("spec"))
	if !metadataIsEmpty(sar.ObjectMeta, false) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("metadata"), sar.ObjectMeta, metadataEmptyMsg))
	}
	return allErrs
}

// ValidateLocalSubjectAccessReview checks a whole LocalSubjectAccessReview:
// the metadata may carry only the namespace, the resource attributes must
// name that same namespace, and non-resource attributes make no sense in a
// namespace.
func ValidateLocalSubjectAccessReview(sar *authorizationv1.LocalSubjectAccessReview) field.ErrorList {
	allErrs := ValidateSubjectAccessReviewSpec(sar.Spec, field.NewPath("spec"))
	if !metadataIsEmpty(sar.ObjectMeta, true) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("metadata"), sar.ObjectMeta, metadataNamespaceMsg))
	}
	if ra := sar.Spec.ResourceAttributes; ra != nil && ra.Namespace != sar.Namespace {
		allErrs = append(allErrs, field.Invalid(field.NewPath("spec", "resourceAttributes", "namespace"), ra.Namespace, namespaceMismatchMsg))
	}
	if sar.Spec.NonResourceAttributes != nil {
		allErrs = append(allErrs, field.Invalid(field.NewPath("spec", "nonResourceAttributes"), sar.Spec.NonResourceAttributes, nonResourceDisallowed))
	}
	return allErrs
}

// ValidateSelfSubjectRulesReview checks a SelfSubjectRulesReview. Like
// kube-apiserver it has no field rules: a missing spec.namespace is refused
// by the storage as a bad request, not here.
func ValidateSelfSubjectRulesReview(_ *authorizationv1.SelfSubjectRulesReview) field.ErrorList {
	return nil
}

// metadataIsEmpty reports whether meta holds nothing but managedFields (and
// the namespace, when allowNamespace).
func metadataIsEmpty(meta metav1.ObjectMeta, allowNamespace bool) bool {
	meta.ManagedFields = nil
	if allowNamespace {
		meta.Namespace = ""
	}
	return apiequality.Semantic.DeepEqual(metav1.ObjectMeta{}, meta)
}

func validateResourceAttributes(ra *authorizationv1.ResourceAttributes, fldPath *field.Path) field.ErrorList {
	if ra == nil {
		return nil
	}
	var allErrs field.ErrorList
	if fs := ra.FieldSelector; fs != nil {
		p := fldPath.Child("fieldSelector")
		allErrs = append(allErrs, validateSelectorShape(len(fs.RawSelector) > 0, len(fs.Requirements) > 0, fs.RawSelector, p)...)
		// Unknown operators pass: a newer client may send one this server
		// does not understand, and dropping a requirement only widens the
		// check, so the review can still be answered.
		opts := metav1validation.FieldSelectorValidationOptions{AllowUnknownOperatorInRequirement: true}
		for i, req := range fs.Requirements {
			allErrs = append(allErrs, metav1validation.ValidateFieldSelectorRequirement(req, opts, p.Child("requirements").Index(i))...)
		}
	}
	if ls := ra.LabelSelector; ls != nil {
		p := fldPath.Child("labelSelector")
		allErrs = append(allErrs, validateSelectorShape(len(ls.RawSelector) > 0, len(ls.Requirements) > 0, ls.RawSelector, p)...)
		opts := metav1validation.LabelSelectorValidationOptions{AllowUnknownOperatorInRequirement: true}
		for i, req := range ls.Requirements {
			allErrs = append(allErrs, metav1validation.ValidateLabelSelectorRequirement(req, opts, p.Child("requirements").Index(i))...)
		}
	}
	return allErrs
}

// validateSelectorShape requires exactly one of a selector's rawSelector and
// requirements.
func validateSelectorShape(hasRaw, hasRequirements bool, raw string, fldPath *field.Path) field.ErrorList {
	switch {
	case hasRaw && hasRequirements:
		return field.ErrorList{field.Invalid(fldPath.Child("rawSelector"), raw, selectorBothMsg)}
	case !hasRaw && !hasRequirements:
		return field.ErrorList{field.Required(fldPath.Child("requirements"), fmt.Sprintf("when %s is specified, requirements or rawSelector is required", fldPath))}
	}
	return nil
}
