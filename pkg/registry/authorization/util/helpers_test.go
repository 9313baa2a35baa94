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

package util

import (
	"context"
	"errors"
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

func mustLabelRequirement(t *testing.T, key string, op selection.Operator, values ...string) labels.Requirement {
	t.Helper()
	req, err := labels.NewRequirement(key, op, values)
	if err != nil {
		t.Fatal(err)
	}
	return *req
}

func TestAuthorizationAttributesFrom(t *testing.T) {
	tests := []struct {
		name string
		spec authorizationv1.SubjectAccessReviewSpec
		want authorizer.AttributesRecord
	}{
		{
			name: "resource",
			spec: authorizationv1.SubjectAccessReviewSpec{
				User:   "bob",
				UID:    "uid-1",
				Groups: []string{"devs"},
				Extra:  map[string]authorizationv1.ExtraValue{"scopes": {"a", "b"}},
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Namespace: "ns", Verb: "get", Group: "apps", Version: "v1",
					Resource: "deployments", Subresource: "scale", Name: "web",
				},
			},
			want: authorizer.AttributesRecord{
				User:      &user.DefaultInfo{Name: "bob", UID: "uid-1", Groups: []string{"devs"}, Extra: map[string][]string{"scopes": {"a", "b"}}},
				Namespace: "ns", Verb: "get", APIGroup: "apps", APIVersion: "v1",
				Resource: "deployments", Subresource: "scale", Name: "web", ResourceRequest: true,
			},
		},
		{
			name: "empty version means all",
			spec: authorizationv1.SubjectAccessReviewSpec{
				Groups:             []string{"g"},
				ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods"},
			},
			want: authorizer.AttributesRecord{
				User: &user.DefaultInfo{Groups: []string{"g"}},
				Verb: "list", APIVersion: "*", Resource: "pods", ResourceRequest: true,
			},
		},
		{
			name: "non-resource",
			spec: authorizationv1.SubjectAccessReviewSpec{
				User:                  "bob",
				NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/healthz", Verb: "get"},
			},
			want: authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "bob"}, Verb: "get", Path: "/healthz"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AuthorizationAttributesFrom(tc.spec)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestSelectors(t *testing.T) {
	u := &user.DefaultInfo{Name: "bob"}
	tests := []struct {
		name          string
		ra            authorizationv1.ResourceAttributes
		wantFields    fields.Requirements
		wantFieldErr  bool
		wantLabels    labels.Requirements
		wantLabelErr  bool
		wantEvalError string
	}{
		{name: "none"},
		{
			name:       "raw",
			ra:         authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{RawSelector: "spec.nodeName=n1"}, LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "app=web"}},
			wantFields: fields.Requirements{{Field: "spec.nodeName", Operator: selection.Equals, Value: "n1"}},
			wantLabels: labels.Requirements{mustLabelRequirement(t, "app", selection.Equals, "web")},
		},
		{
			name:          "raw unparseable",
			ra:            authorizationv1.ResourceAttributes{FieldSelector: &authorizationv1.FieldSelectorAttributes{RawSelector: "a=b=c==d"}, LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "!!!"}},
			wantFieldErr:  true,
			wantLabelErr:  true,
			wantEvalError: "spec.resourceAttributes.fieldSelector ignored due to parse error; spec.resourceAttributes.labelSelector ignored due to parse error",
		},
		{
			name: "requirements",
			ra: authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
					{Key: "spec.nodeName", Operator: metav1.FieldSelectorOpIn, Values: []string{"n1"}},
					{Key: "status.phase", Operator: metav1.FieldSelectorOpNotIn, Values: []string{"Failed"}},
				}},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{
					{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"web", "db"}},
					{Key: "tier", Operator: metav1.LabelSelectorOpDoesNotExist},
				}},
			},
			wantFields: fields.Requirements{
				{Field: "spec.nodeName", Operator: selection.Equals, Value: "n1"},
				{Field: "status.phase", Operator: selection.NotEquals, Value: "Failed"},
			},
			wantLabels: labels.Requirements{
				mustLabelRequirement(t, "app", selection.In, "web", "db"),
				mustLabelRequirement(t, "tier", selection.DoesNotExist),
			},
		},
		{
			name: "requirements partly understood",
			ra: authorizationv1.ResourceAttributes{
				FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
					{Key: "spec.nodeName", Operator: metav1.FieldSelectorOpIn, Values: []string{"n1"}},
					{Key: "x", Operator: metav1.FieldSelectorOpIn, Values: []string{"1", "2"}},
					{Key: "y", Operator: metav1.FieldSelectorOpExists},
					{Key: "z", Operator: "Gt", Values: []string{"1"}},
				}},
				LabelSelector: &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{
					{Key: "app", Operator: "Gt", Values: []string{"1"}},
				}},
			},
			wantFields:    fields.Requirements{{Field: "spec.nodeName", Operator: selection.Equals, Value: "n1"}},
			wantFieldErr:  true,
			wantLabelErr:  true,
			wantEvalError: "spec.resourceAttributes.fieldSelector partially ignored due to parse error; spec.resourceAttributes.labelSelector ignored due to parse error",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attrs := ResourceAttributesFrom(u, tc.ra)
			gotFields, fieldErr := attrs.GetFieldSelector()
			gotLabels, labelErr := attrs.GetLabelSelector()
			if !reflect.DeepEqual(gotFields, tc.wantFields) || (fieldErr != nil) != tc.wantFieldErr {
				t.Errorf("field selector: got %#v, %v; want %#v, error %v", gotFields, fieldErr, tc.wantFields, tc.wantFieldErr)
			}
			if !reflect.DeepEqual(gotLabels, tc.wantLabels) || (labelErr != nil) != tc.wantLabelErr {
				t.Errorf("label selector: got %#v, %v; want %#v, error %v", gotLabels, labelErr, tc.wantLabels, tc.wantLabelErr)
			}
			if got := BuildEvaluationError(nil, attrs); got != tc.wantEvalError {
				t.Errorf("evaluation error: got %q, want %q", got, tc.wantEvalError)
			}
		})
	}
}

func TestReview(t *testing.T) {
	parseFailed := authorizer.AttributesRecord{FieldSelectorParsingErr: errors.New("bad")}
	tests := []struct {
		name     string
		decision authorizer.Decision
		reason   string
		err      error
		attrs    authorizer.AttributesRecord
		want     authorizationv1.SubjectAccessReviewStatus
	}{
		{name: "allow", decision: authorizer.DecisionAllow, reason: "rbac", want: authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "rbac"}},
		{name: "deny", decision: authorizer.DecisionDeny, reason: "no", want: authorizationv1.SubjectAccessReviewStatus{Denied: true, Reason: "no"}},
		{name: "no opinion", decision: authorizer.DecisionNoOpinion, want: authorizationv1.SubjectAccessReviewStatus{}},
		{
			name: "error and dropped selector", decision: authorizer.DecisionNoOpinion, err: errors.New("webhook down"), attrs: parseFailed,
			want: authorizationv1.SubjectAccessReviewStatus{EvaluationError: "webhook down; spec.resourceAttributes.fieldSelector ignored due to parse error"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen authorizer.Attributes
			authz := authorizer.AuthorizerFunc(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
				seen = a
				return tc.decision, tc.reason, tc.err
			})
			got := Review(context.Background(), authz, tc.attrs)
			if got != tc.want {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
			if !reflect.DeepEqual(seen, tc.attrs) {
				t.Errorf("authorizer saw %#v, want %#v", seen, tc.attrs)
			}
		})
	}
}
