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

package selfsubjectaccessreview

import (
	"context"
	"errors"
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/selection"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

func TestCreate(t *testing.T) {
	alice := &user.DefaultInfo{Name: "alice", UID: "a-1", Groups: []string{"system:authenticated"}, Extra: map[string][]string{"scopes": {"x"}}}
	refuse := func(context.Context, runtime.Object) error {
		return apierrors.NewForbidden(authorizationv1.Resource("selfsubjectaccessreviews"), "", errors.New("no"))
	}
	tests := []struct {
		name             string
		user             user.Info
		obj              runtime.Object
		createValidation rest.ValidateObjectFunc
		decision         authorizer.Decision
		evalErr          error
		wantAttrs        authorizer.Attributes
		wantStatus       authorizationv1.SubjectAccessReviewStatus
		wantErr          func(error) bool
		wantErrMsg       string
	}{
		{
			name: "resource, allowed",
			user: alice,
			obj: &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "ns", Verb: "create", Group: "apps", Version: "v1", Resource: "deployments"},
			}},
			createValidation: rest.ValidateAllObjectFunc,
			decision:         authorizer.DecisionAllow,
			wantAttrs: authorizer.AttributesRecord{
				User: alice, Namespace: "ns", Verb: "create", APIGroup: "apps", APIVersion: "v1", Resource: "deployments", ResourceRequest: true,
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "r"},
		},
		{
			name:       "non-resource, no opinion",
			user:       alice,
			obj:        &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/logs", Verb: "get"}}},
			decision:   authorizer.DecisionNoOpinion,
			wantAttrs:  authorizer.AttributesRecord{User: alice, Verb: "get", Path: "/logs"},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Reason: "r"},
		},
		{
			name: "selector that does not parse is reported",
			user: alice,
			obj: &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				Verb: "list", Resource: "pods",
				FieldSelector: &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
					{Key: "spec.nodeName", Operator: metav1.FieldSelectorOpIn, Values: []string{"n1"}},
					{Key: "x", Operator: metav1.FieldSelectorOpExists},
				}},
			}}},
			decision: authorizer.DecisionDeny,
			evalErr:  errors.New("webhook timed out"),
			wantAttrs: authorizer.AttributesRecord{
				User: alice, Verb: "list", Resource: "pods", APIVersion: "*", ResourceRequest: true,
				FieldSelectorRequirements: fields.Requirements{{Field: "spec.nodeName", Operator: selection.Equals, Value: "n1"}},
				FieldSelectorParsingErr:   utilerrors.NewAggregate([]error{errors.New("fieldSelectors do not yet support Exists")}),
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{
				Denied: true, Reason: "r",
				EvaluationError: "webhook timed out; spec.resourceAttributes.fieldSelector partially ignored due to parse error",
			},
		},
		{
			name:       "invalid: neither attributes",
			user:       alice,
			obj:        &authorizationv1.SelfSubjectAccessReview{},
			wantErr:    apierrors.IsInvalid,
			wantErrMsg: `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified`,
		},
		{
			name:       "invalid: metadata",
			user:       alice,
			obj:        &authorizationv1.SelfSubjectAccessReview{ObjectMeta: metav1.ObjectMeta{Name: "mine"}, Spec: authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/"}}},
			wantErr:    apierrors.IsInvalid,
			wantErrMsg: `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: metadata: Invalid value: {"name":"mine"}: must be empty`,
		},
		{
			name:       "no user",
			obj:        &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/"}}},
			wantErr:    apierrors.IsBadRequest,
			wantErrMsg: "no user present on request",
		},
		{
			name:             "createValidation refuses",
			user:             alice,
			obj:              &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/"}}},
			createValidation: refuse,
			wantErr:          apierrors.IsForbidden,
		},
		{
			name:       "wrong type",
			user:       alice,
			obj:        &authorizationv1.SubjectAccessReview{},
			wantErr:    apierrors.IsBadRequest,
			wantErrMsg: "not a SelfSubjectAccessReview: *v1.SubjectAccessReview",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var asked []authorizer.Attributes
			authz := authorizer.AuthorizerFunc(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
				asked = append(asked, a)
				return tc.decision, "r", tc.evalErr
			})
			ctx := genericapirequest.NewContext()
			if tc.user != nil {
				ctx = genericapirequest.WithUser(ctx, tc.user)
			}
			got, err := NewREST(authz).Create(ctx, tc.obj, tc.createValidation, &metav1.CreateOptions{})
			if tc.wantErr != nil {
				if err == nil || !tc.wantErr(err) {
					t.Fatalf("got error %v, want another kind", err)
				}
				if tc.wantErrMsg != "" && err.Error() != tc.wantErrMsg {
					t.Errorf("got error %q\nwant       %q", err, tc.wantErrMsg)
				}
				if len(asked) != 0 {
					t.Errorf("authorizer asked after a refusal")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if status := got.(*authorizationv1.SelfSubjectAccessReview).Status; status != tc.wantStatus {
				t.Errorf("status %#v, want %#v", status, tc.wantStatus)
			}
			if !reflect.DeepEqual(asked, []authorizer.Attributes{tc.wantAttrs}) {
				t.Errorf("authorizer asked %#v, want %#v", asked, tc.wantAttrs)
			}
		})
	}
}
