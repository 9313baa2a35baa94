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

package localsubjectaccessreview

import (
	"context"
	"errors"
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

func review(metaNamespace, specNamespace string) *authorizationv1.LocalSubjectAccessReview {
	return &authorizationv1.LocalSubjectAccessReview{
		ObjectMeta: metav1.ObjectMeta{Namespace: metaNamespace},
		Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               "bob",
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: specNamespace, Verb: "get", Resource: "secrets", Name: "s"},
		},
	}
}

func TestCreate(t *testing.T) {
	refuse := func(context.Context, runtime.Object) error {
		return apierrors.NewForbidden(authorizationv1.Resource("localsubjectaccessreviews"), "", errors.New("no"))
	}
	tests := []struct {
		name             string
		requestNamespace string
		obj              runtime.Object
		createValidation rest.ValidateObjectFunc
		decision         authorizer.Decision
		evalErr          error
		wantStatus       authorizationv1.SubjectAccessReviewStatus
		wantErr          func(error) bool
		wantErrMsg       string
	}{
		{
			name:             "allowed",
			requestNamespace: "ns",
			obj:              review("ns", "ns"),
			createValidation: rest.ValidateAllObjectFunc,
			decision:         authorizer.DecisionAllow,
			wantStatus:       authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "because"},
		},
		{
			name:             "denied with error",
			requestNamespace: "ns",
			obj:              review("ns", "ns"),
			decision:         authorizer.DecisionDeny,
			evalErr:          errors.New("boom"),
			wantStatus:       authorizationv1.SubjectAccessReviewStatus{Denied: true, Reason: "because", EvaluationError: "boom"},
		},
		{
			name:             "spec namespace differs from metadata",
			requestNamespace: "ns",
			obj:              review("ns", "other"),
			wantErr:          apierrors.IsInvalid,
			wantErrMsg:       `LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace`,
		},
		{
			name:             "non-resource attributes",
			requestNamespace: "ns",
			obj: &authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
				Spec:       authorizationv1.SubjectAccessReviewSpec{User: "bob", NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/x"}},
			},
			wantErr:    apierrors.IsInvalid,
			wantErrMsg: `LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: {"path":"/x"}: disallowed on this kind of request`,
		},
		{
			name:       "no namespace on the request",
			obj:        review("", ""),
			wantErr:    apierrors.IsBadRequest,
			wantErrMsg: "namespace is required on this type: ",
		},
		{
			name:             "request namespace differs",
			requestNamespace: "ns",
			obj:              review("other", "other"),
			wantErr:          apierrors.IsBadRequest,
			wantErrMsg:       "spec.resourceAttributes.namespace must match namespace: ns",
		},
		{
			name:             "createValidation refuses",
			requestNamespace: "ns",
			obj:              review("ns", "ns"),
			createValidation: refuse,
			wantErr:          apierrors.IsForbidden,
		},
		{
			name:             "wrong type",
			requestNamespace: "ns",
			obj:              &authorizationv1.SubjectAccessReview{},
			wantErr:          apierrors.IsBadRequest,
			wantErrMsg:       "not a LocalSubjectAccessReview: *v1.SubjectAccessReview",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var asked []authorizer.Attributes
			authz := authorizer.AuthorizerFunc(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
				asked = append(asked, a)
				return tc.decision, "because", tc.evalErr
			})
			ctx := genericapirequest.WithNamespace(genericapirequest.NewContext(), tc.requestNamespace)
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
			if status := got.(*authorizationv1.LocalSubjectAccessReview).Status; status != tc.wantStatus {
				t.Errorf("status %#v, want %#v", status, tc.wantStatus)
			}
			want := []authorizer.Attributes{authorizer.AttributesRecord{
				User: &user.DefaultInfo{Name: "bob"}, Namespace: "ns", Verb: "get", Resource: "secrets", Name: "s", APIVersion: "*", ResourceRequest: true,
			}}
			if !reflect.DeepEqual(asked, want) {
				t.Errorf("authorizer asked %#v, want %#v", asked, want)
			}
		})
	}
}
