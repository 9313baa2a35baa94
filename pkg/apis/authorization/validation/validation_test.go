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
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// errorStrings renders errs the way a 422 lists its causes.
func errorStrings(errs field.ErrorList) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func expectErrors(t *testing.T, got field.ErrorList, want []string) {
	t.Helper()
	gotStrings := errorStrings(got)
	if len(gotStrings) != len(want) {
		t.Fatalf("got %d errors, want %d:\ngot:  %q\nwant: %q", len(gotStrings), len(want), gotStrings, want)
	}
	for i := range want {
		if gotStrings[i] != want[i] {
			t.Errorf("error %d:\ngot:  %s\nwant: %s", i, gotStrings[i], want[i])
		}
	}
}

const (
	neitherErr = `spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified`
	bothErr    = `spec: Invalid value: {"path":"/healthz"}: exactly one of nonResourceAttributes or resourceAttributes must be specified`
	noSubject  = `spec.user: Invalid value: "": at least one of user or group must be specified`
)

func TestValidateSubjectAccessReview(t *testing.T) {
	ra := &authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods"}
	nra := &authorizationv1.NonResourceAttributes{Path: "/healthz"}
	tests := []struct {
		name string
		sar  authorizationv1.SubjectAccessReview
		want []string
	}{
		{name: "resource for user", sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra, User: "me"}}},
		{name: "non-resource for group", sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{NonResourceAttributes: nra, Groups: []string{"g"}}}},
		{
			name: "managed fields are tolerated",
			sar: authorizationv1.SubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra, User: "me"},
			},
		},
		{name: "neither attributes", sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "me"}}, want: []string{neitherErr}},
		{name: "both attributes", sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra, NonResourceAttributes: nra, User: "me"}}, want: []string{bothErr}},
		{name: "no user or group", sar: authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra}}, want: []string{noSubject}},
		{name: "nothing at all", sar: authorizationv1.SubjectAccessReview{}, want: []string{neitherErr, noSubject}},
		{
			name: "name set",
			sar: authorizationv1.SubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Name: "x"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra, User: "me"},
			},
			want: []string{`metadata: Invalid value: {"name":"x"}: must be empty`},
		},
		{
			name: "namespace set",
			sar: authorizationv1.SubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra, User: "me"},
			},
			want: []string{`metadata: Invalid value: {"namespace":"ns"}: must be empty`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectErrors(t, ValidateSubjectAccessReview(&tc.sar), tc.want)
		})
	}
}

func TestValidateSelfSubjectAccessReview(t *testing.T) {
	ra := &authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods"}
	nra := &authorizationv1.NonResourceAttributes{Path: "/healthz"}
	tests := []struct {
		name string
		sar  authorizationv1.SelfSubjectAccessReview
		want []string
	}{
		{name: "resource", sar: authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: ra}}},
		{name: "non-resource", sar: authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: nra}}},
		{name: "neither", sar: authorizationv1.SelfSubjectAccessReview{}, want: []string{neitherErr}},
		{name: "both", sar: authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: ra, NonResourceAttributes: nra}}, want: []string{bothErr}},
		{
			name: "labels set",
			sar: authorizationv1.SelfSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}},
				Spec:       authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: ra},
			},
			want: []string{`metadata: Invalid value: {"labels":{"a":"b"}}: must be empty`},
		},
		{
			name: "bad selector",
			sar: authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				LabelSelector: &authorizationv1.LabelSelectorAttributes{},
			}}},
			want: []string{`spec.resourceAttributes.labelSelector.requirements: Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectErrors(t, ValidateSelfSubjectAccessReview(&tc.sar), tc.want)
		})
	}
}

func TestValidateLocalSubjectAccessReview(t *testing.T) {
	tests := []struct {
		name string
		sar  authorizationv1.LocalSubjectAccessReview
		want []string
	}{
		{
			name: "namespaces agree",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "ns", Verb: "get"}, User: "me"},
			},
		},
		{
			name: "namespaces differ",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "other"}, User: "me"},
			},
			want: []string{`spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace`},
		},
		{
			name: "spec namespace left empty",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{}, User: "me"},
			},
			want: []string{`spec.resourceAttributes.namespace: Invalid value: "": must match metadata.namespace`},
		},
		{
			name: "name set",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "x"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "ns"}, User: "me"},
			},
			want: []string{`metadata: Invalid value: {"name":"x","namespace":"ns"}: must be empty except for namespace`},
		},
		{
			name: "non-resource",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/x"}, User: "me"},
			},
			want: []string{`spec.nonResourceAttributes: Invalid value: {"path":"/x"}: disallowed on this kind of request`},
		},
		{
			name: "no subject",
			sar: authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "ns"}},
			},
			want: []string{noSubject},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectErrors(t, ValidateLocalSubjectAccessReview(&tc.sar), tc.want)
		})
	}
}

func TestValidateSelectors(t *testing.T) {
	tests := []struct {
		name string
		ra   authorizationv1.ResourceAttributes
		want []string
	}{
		{name: "raw field selector", ra: authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{RawSelector: "spec.nodeName=n1"}}},
		{name: "raw label selector", ra: authorizationv1.ResourceAttributes{LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "a=b"}}},
		{
			name: "field requirements",
			ra: authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
				{Key: "spec.nodeName", Operator: metav1.FieldSelectorOpIn, Values: []string{"n1"}},
			}}},
		},
		{
			name: "unknown operators are allowed",
			ra: authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{{Key: "k", Operator: "Gt", Values: []string{"1"}}}},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{{Key: "k", Operator: "Gt", Values: []string{"1"}}}},
			},
		},
		{
			name: "field selector with both",
			ra: authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{
				RawSelector:  "a=b",
				Requirements: []metav1.FieldSelectorRequirement{{Key: "a", Operator: metav1.FieldSelectorOpIn, Values: []string{"b"}}},
			}},
			want: []string{`spec.resourceAttributes.fieldSelector.rawSelector: Invalid value: "a=b": may not specified at the same time as requirements`},
		},
		{
			name: "empty field selector",
			ra:   authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{}},
			want: []string{`spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required`},
		},
		{
			name: "label selector with both",
			ra: authorizationv1.ResourceAttributes{LabelSelector: &authorizationv1.LabelSelectorAttributes{
				RawSelector:  "a=b",
				Requirements: []metav1.LabelSelectorRequirement{{Key: "a", Operator: metav1.LabelSelectorOpExists}},
			}},
			want: []string{`spec.resourceAttributes.labelSelector.rawSelector: Invalid value: "a=b": may not specified at the same time as requirements`},
		},
		{
			name: "bad field requirement",
			ra: authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
				{Operator: metav1.FieldSelectorOpIn},
				{Key: "a", Operator: metav1.FieldSelectorOpExists, Values: []string{"x"}},
			}}},
			want: []string{
				`spec.resourceAttributes.fieldSelector.requirements[0].key: Required value: must be specified`,
				"spec.resourceAttributes.fieldSelector.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
				"spec.resourceAttributes.fieldSelector.requirements[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
			},
		},
		{
			name: "bad label requirement",
			ra: authorizationv1.ResourceAttributes{LabelSelector: &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{
				{Key: "a", Operator: metav1.LabelSelectorOpNotIn},
			}}},
			want: []string{"spec.resourceAttributes.labelSelector.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: &tc.ra, User: "me"}
			expectErrors(t, ValidateSubjectAccessReviewSpec(spec, field.NewPath("spec")), tc.want)
		})
	}
}

func TestUnionErrorOrigin(t *testing.T) {
	errs := ValidateSelfSubjectAccessReviewSpec(authorizationv1.SelfSubjectAccessReviewSpec{}, field.NewPath("spec"))
	if len(errs) != 1 || errs[0].Origin != "union" || errs[0].Type != field.ErrorTypeInvalid {
		t.Fatalf("want one Invalid error with origin union, got %#v", errs)
	}
}

func TestValidateSelfSubjectRulesReview(t *testing.T) {
	for _, review := range []*authorizationv1.SelfSubjectRulesReview{
		{},
		{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: "ns"}},
	} {
		if errs := ValidateSelfSubjectRulesReview(review); len(errs) != 0 {
			t.Errorf("%#v: unexpected errors %v", review, errs)
		}
	}
}
