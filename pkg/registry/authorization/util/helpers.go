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

// Package util turns the attributes of an authorization.k8s.io/v1 access
// review into the authorizer's own attributes, and the authorizer's answer
// back into a review status. The three *SubjectAccessReview storages share it.
package util

import (
	"context"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// AuthorizationAttributesFrom builds the attributes a SubjectAccessReview or
// LocalSubjectAccessReview asks about, for the subject the spec names. The
// spec must have passed validation: exactly one of resourceAttributes and
// nonResourceAttributes is set.
func AuthorizationAttributesFrom(spec authorizationv1.SubjectAccessReviewSpec) authorizer.AttributesRecord {
	subject := &user.DefaultInfo{
		Name:   spec.User,
		UID:    spec.UID,
		Groups: spec.Groups,
		Extra:  extraFrom(spec.Extra),
	}
	return AttributesFor(subject, spec.ResourceAttributes, spec.NonResourceAttributes)
}

// AttributesFor builds the attributes for subject from whichever of ra and nra
// is set, ra winning if both are.
func AttributesFor(subject user.Info, ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes) authorizer.AttributesRecord {
	if ra != nil {
		return ResourceAttributesFrom(subject, *ra)
	}
	if nra != nil {
		return NonResourceAttributesFrom(subject, *nra)
	}
	return authorizer.AttributesRecord{User: subject}
}

// ResourceAttributesFrom builds the attributes of a resource request. An
// empty version means every version. Field and label selectors are parsed
// into requirements; a selector that does not parse, wholly or in part, is
// recorded as a parsing error on the attributes, which only ever widens the
// check, and is reported back by BuildEvaluationError.
func ResourceAttributesFrom(subject user.Info, in authorizationv1.ResourceAttributes) authorizer.AttributesRecord {
	ret := authorizer.AttributesRecord{
		User:            subject,
		Verb:            in.Verb,
		Namespace:       in.Namespace,
		APIGroup:        in.Group,
		APIVersion:      in.Version,
		Resource:        in.Resource,
		Subresource:     in.Subresource,
		Name:            in.Name,
		ResourceRequest: true,
	}
	if ret.APIVersion == "" {
		ret.APIVersion = "*"
	}
	if ls := in.LabelSelector; ls != nil {
		switch {
		case len(ls.Requirements) > 0:
			ret.LabelSelectorRequirements, ret.LabelSelectorParsingErr = labelRequirements(ls.Requirements)
		case len(ls.RawSelector) > 0:
			if parsed, err := labels.Parse(ls.RawSelector); err != nil {
				ret.LabelSelectorParsingErr = err
			} else {
				ret.LabelSelectorRequirements, _ = parsed.Requirements()
			}
		}
	}
	if fs := in.FieldSelector; fs != nil {
		switch {
		case len(fs.Requirements) > 0:
			ret.FieldSelectorRequirements, ret.FieldSelectorParsingErr = fieldRequirements(fs.Requirements)
		case len(fs.RawSelector) > 0:
			if parsed, err := fields.ParseSelector(fs.RawSelector); err != nil {
				ret.FieldSelectorParsingErr = err
			} else {
				ret.FieldSelectorRequirements = parsed.Requirements()
			}
		}
	}
	return ret
}

// NonResourceAttributesFrom builds the attributes of a request for a URL path.
func NonResourceAttributesFrom(subject user.Info, in authorizationv1.NonResourceAttributes) authorizer.AttributesRecord {
	return authorizer.AttributesRecord{
		User: subject,
		Verb: in.Verb,
		Path: in.Path,
	}
}

// Review asks authz about attrs and writes the answer as a review status.
func Review(ctx context.Context, authz authorizer.Authorizer, attrs authorizer.AttributesRecord) authorizationv1.SubjectAccessReviewStatus {
	decision, reason, err := authz.Authorize(ctx, attrs)
	return authorizationv1.SubjectAccessReviewStatus{
		Allowed:         decision == authorizer.DecisionAllow,
		Denied:          decision == authorizer.DecisionDeny,
		Reason:          reason,
		EvaluationError: BuildEvaluationError(err, attrs),
	}
}

// BuildEvaluationError joins, with "; ", the authorizer's error and a note
// for each selector that was dropped, in whole or in part, because it did
// not parse. It is empty when there is nothing to say.
func BuildEvaluationError(evaluationErr error, attrs authorizer.AttributesRecord) string {
	var parts []string
	if evaluationErr != nil {
		parts = append(parts, evaluationErr.Error())
	}
	if reqs, err := attrs.GetFieldSelector(); err != nil {
		parts = append(parts, ignoredNote("fieldSelector", len(reqs) > 0))
	}
	if reqs, err := attrs.GetLabelSelector(); err != nil {
		parts = append(parts, ignoredNote("labelSelector", len(reqs) > 0))
	}
	return strings.Join(parts, "; ")
}

func ignoredNote(selector string, partly bool) string {
	if partly {
		return "spec.resourceAttributes." + selector + " partially ignored due to parse error"
	}
	return "spec.resourceAttributes." + selector + " ignored due to parse error"
}

func extraFrom(extra map[string]authorizationv1.ExtraValue) map[string][]string {
	if extra == nil {
		return nil
	}
	out := make(map[string][]string, len(extra))
	for key, values := range extra {
		out[key] = []string(values)
	}
	return out
}

var labelOperators = map[metav1.LabelSelectorOperator]selection.Operator{
	metav1.LabelSelectorOpIn:           selection.In,
	metav1.LabelSelectorOpNotIn:        selection.NotIn,
	metav1.LabelSelectorOpExists:       selection.Exists,
	metav1.LabelSelectorOpDoesNotExist: selection.DoesNotExist,
}

// labelRequirements converts what it can of in. Requirements are ANDed, so
// leaving out one that cannot be converted makes the check broader, never
// narrower; the ones left out are reported in the error.
func labelRequirements(in []metav1.LabelSelectorRequirement) (labels.Requirements, error) {
	var reqs labels.Requirements
	var errs []error
	for _, expr := range in {
		op, ok := labelOperators[expr.Operator]
		if !ok {
			errs = append(errs, fmt.Errorf("%q is not a valid label selector operator", expr.Operator))
			continue
		}
		values := expr.Values
		if len(values) == 0 {
			values = nil
		}
		req, err := labels.NewRequirement(expr.Key, op, values)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		reqs = append(reqs, *req)
	}
	return reqs, utilerrors.NewAggregate(errs)
}

// fieldRequirements converts what it can of in, as labelRequirements does.
// Field selectors only compare one field with one value, so In and NotIn
// become = and != and take exactly one value; Exists and DoesNotExist have
// no field selector form.
func fieldRequirements(in []metav1.FieldSelectorRequirement) (fields.Requirements, error) {
	var reqs fields.Requirements
	var errs []error
	for _, expr := range in {
		if len(expr.Values) > 1 {
			errs = append(errs, fmt.Errorf("fieldSelectors do not yet support multiple values"))
			continue
		}
		var op selection.Operator
		switch expr.Operator {
		case metav1.FieldSelectorOpIn:
			if len(expr.Values) != 1 {
				errs = append(errs, fmt.Errorf("fieldSelectors in must have one value"))
				continue
			}
			op = selection.Equals
		case metav1.FieldSelectorOpNotIn:
			if len(expr.Values) != 1 {
				errs = append(errs, fmt.Errorf("fieldSelectors not in must have one value"))
				continue
			}
			op = selection.NotEquals
		case metav1.FieldSelectorOpExists, metav1.FieldSelectorOpDoesNotExist:
			errs = append(errs, fmt.Errorf("fieldSelectors do not yet support %v", expr.Operator))
			continue
		default:
			errs = append(errs, fmt.Errorf("%q is not a valid field selector operator", expr.Operator))
			continue
		}
		reqs = append(reqs, fields.Requirement{Field: expr.Key, Operator: op, Value: expr.Values[0]})
	}
	return reqs, utilerrors.NewAggregate(errs)
}
