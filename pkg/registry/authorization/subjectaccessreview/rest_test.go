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

package subjectaccessreview

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

type ctxKey struct{}

// fakeAuthorizer answers with a fixed decision and records what it was asked.
type fakeAuthorizer struct {
	decision authorizer.Decision
	reason   string
	err      error

	calls int
	attrs authorizer.Attributes
	ctx   context.Context
}

func (f *fakeAuthorizer) authorizer() authorizer.Authorizer {
	return authorizer.AuthorizerFunc(func(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		f.calls++
		f.attrs, f.ctx = a, ctx
		return f.decision, f.reason, f.err
	})
}

func TestCreate(t *testing.T) {
	podsInNS := &authorizationv1.ResourceAttributes{Namespace: "ns", Verb: "list", Resource: "pods"}
	rejectAll := func(context.Context, runtime.Object) error {
		return apierrors.NewForbidden(authorizationv1.Resource("subjectaccessreviews"), "", errors.New("admission says no"))
	}

	tests := []struct {
		name             string
		obj              runtime.Object
		createValidation rest.ValidateObjectFunc
		authz            fakeAuthorizer
		wantAttrs        authorizer.Attributes
		wantStatus       authorizationv1.SubjectAccessReviewStatus
		wantErr          func(error) bool
		wantErrMsg       string
	}{
		{
			name: "allowed",
			obj: &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: "bob", UID: "u1", Groups: []string{"devs"}, Extra: map[string]authorizationv1.ExtraValue{"k": {"v"}},
				ResourceAttributes: podsInNS,
			}},
			createValidation: rest.ValidateAllObjectFunc,
			authz:            fakeAuthorizer{decision: authorizer.DecisionAllow, reason: "bound by rb/devs"},
			wantAttrs: authorizer.AttributesRecord{
				User:      &user.DefaultInfo{Name: "bob", UID: "u1", Groups: []string{"devs"}, Extra: map[string][]string{"k": {"v"}}},
				Namespace: "ns", Verb: "list", Resource: "pods", APIVersion: "*", ResourceRequest: true,
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "bound by rb/devs"},
		},
		{
			name:       "denied, for a group, about a path",
			obj:        &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{Groups: []string{"g"}, NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/metrics", Verb: "get"}}},
			authz:      fakeAuthorizer{decision: authorizer.DecisionDeny, reason: "nope"},
			wantAttrs:  authorizer.AttributesRecord{User: &user.DefaultInfo{Groups: []string{"g"}}, Verb: "get", Path: "/metrics"},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{Denied: true, Reason: "nope"},
		},
		{
			name: "no opinion with an evaluation error",
			obj:  &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: podsInNS}},
			authz: fakeAuthorizer{
				decision: authorizer.DecisionNoOpinion, err: errors.New("role.rbac.authorization.k8s.io \"gone\" not found"),
			},
			wantAttrs: authorizer.AttributesRecord{
				User: &user.DefaultInfo{Name: "bob"}, Namespace: "ns", Verb: "list", Resource: "pods", APIVersion: "*", ResourceRequest: true,
			},
			wantStatus: authorizationv1.SubjectAccessReviewStatus{EvaluationError: "role.rbac.authorization.k8s.io \"gone\" not found"},
		},
		{
			name:       "invalid: no subject",
			obj:        &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: podsInNS}},
			wantErr:    apierrors.IsInvalid,
			wantErrMsg: `SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`,
		},
		{
			name:       "invalid: both attributes",
			obj:        &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: podsInNS, NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/x"}}},
			wantErr:    apierrors.IsInvalid,
			wantErrMsg: `SubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: {"path":"/x"}: exactly one of nonResourceAttributes or resourceAttributes must be specified`,
		},
		{
			name:             "createValidation refuses",
			obj:              &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob", ResourceAttributes: podsInNS}},
			createValidation: rejectAll,
			wantErr:          apierrors.IsForbidden,
		},
		{
			name:       "wrong type",
			obj:        &authorizationv1.SelfSubjectAccessReview{},
			wantErr:    apierrors.IsBadRequest,
			wantErrMsg: "not a SubjectAccessReview: *v1.SelfSubjectAccessReview",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.WithValue(genericapirequest.NewContext(), ctxKey{}, tc.name)
			authz := tc.authz
			got, err := NewREST(authz.authorizer()).Create(ctx, tc.obj, tc.createValidation, &metav1.CreateOptions{})
			if tc.wantErr != nil {
				if err == nil || !tc.wantErr(err) {
					t.Fatalf("got error %v, want another kind", err)
				}
				if tc.wantErrMsg != "" && err.Error() != tc.wantErrMsg {
					t.Errorf("got error %q\nwant       %q", err, tc.wantErrMsg)
				}
				if authz.calls != 0 {
					t.Errorf("authorizer was asked %d times after a refusal", authz.calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			review := got.(*authorizationv1.SubjectAccessReview)
			if review.Status != tc.wantStatus {
				t.Errorf("status %#v, want %#v", review.Status, tc.wantStatus)
			}
			if !reflect.DeepEqual(authz.attrs, tc.wantAttrs) {
				t.Errorf("authorizer asked about %#v, want %#v", authz.attrs, tc.wantAttrs)
			}
			if authz.ctx.Value(ctxKey{}) != tc.name {
				t.Errorf("authorizer did not get the request context")
			}
		})
	}
}

func TestInvalidDetails(t *testing.T) {
	_, err := NewREST(nil).Create(genericapirequest.NewContext(), &authorizationv1.SubjectAccessReview{}, nil, nil)
	status, ok := err.(apierrors.APIStatus)
	if !ok {
		t.Fatalf("got %T, want an API status", err)
	}
	details := status.Status().Details
	if status.Status().Code != 422 || details == nil || details.Group != "authorization.k8s.io" || details.Kind != "SubjectAccessReview" || len(details.Causes) != 2 {
		t.Fatalf("unexpected status %#v", status.Status())
	}
}
