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

package selfsubjectrulesreview

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
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

// fakeResolver returns fixed rules and records whom it was asked about.
type fakeResolver struct {
	resourceRules    []authorizer.ResourceRuleInfo
	nonResourceRules []authorizer.NonResourceRuleInfo
	incomplete       bool
	err              error

	calls     int
	user      user.Info
	namespace string
}

func (f *fakeResolver) RulesFor(_ context.Context, u user.Info, namespace string) ([]authorizer.ResourceRuleInfo, []authorizer.NonResourceRuleInfo, bool, error) {
	f.calls++
	f.user, f.namespace = u, namespace
	return f.resourceRules, f.nonResourceRules, f.incomplete, f.err
}

func TestCreate(t *testing.T) {
	bob := &user.DefaultInfo{Name: "bob", Groups: []string{"devs"}}
	refuse := func(context.Context, runtime.Object) error {
		return apierrors.NewForbidden(authorizationv1.Resource("selfsubjectrulesreviews"), "", errors.New("no"))
	}
	inNS := &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: "ns"}}
	tests := []struct {
		name             string
		user             user.Info
		obj              runtime.Object
		createValidation rest.ValidateObjectFunc
		resolver         fakeResolver
		wantStatus       authorizationv1.SubjectRulesReviewStatus
		wantErr          func(error) bool
		wantErrMsg       string
	}{
		{
			name:             "rules",
			user:             bob,
			obj:              inNS,
			createValidation: rest.ValidateAllObjectFunc,
			resolver: fakeResolver{
				resourceRules: []authorizer.ResourceRuleInfo{
					&authorizer.DefaultResourceRuleInfo{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
					&authorizer.DefaultResourceRuleInfo{Verbs: []string{"update"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"web"}},
				},
				nonResourceRules: []authorizer.NonResourceRuleInfo{
					&authorizer.DefaultNonResourceRuleInfo{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/api/*"}},
				},
			},
			wantStatus: authorizationv1.SubjectRulesReviewStatus{
				ResourceRules: []authorizationv1.ResourceRule{
					{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
					{Verbs: []string{"update"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"web"}},
				},
				NonResourceRules: []authorizationv1.NonResourceRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/api/*"}}},
			},
		},
		{
			name:     "incomplete with an error",
			user:     bob,
			obj:      inNS,
			resolver: fakeResolver{incomplete: true, err: errors.New("clusterrole \"gone\" not found")},
			wantStatus: authorizationv1.SubjectRulesReviewStatus{
				ResourceRules:    []authorizationv1.ResourceRule{},
				NonResourceRules: []authorizationv1.NonResourceRule{},
				Incomplete:       true,
				EvaluationError:  "clusterrole \"gone\" not found",
			},
		},
		{
			name:       "no user",
			obj:        inNS,
			wantErr:    apierrors.IsBadRequest,
			wantErrMsg: "no user present on request",
		},
		{
			name:       "no namespace",
			user:       bob,
			obj:        &authorizationv1.SelfSubjectRulesReview{},
			wantErr:    apierrors.IsBadRequest,
			wantErrMsg: "no namespace on request",
		},
		{
			name:             "createValidation refuses",
			user:             bob,
			obj:              inNS,
			createValidation: refuse,
			wantErr:          apierrors.IsForbidden,
		},
		{
			name:       "wrong type",
			user:       bob,
			obj:        &authorizationv1.SelfSubjectAccessReview{},
			wantErr:    apierrors.IsBadRequest,
			wantErrMsg: "not a SelfSubjectRulesReview: *v1.SelfSubjectAccessReview",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := genericapirequest.NewContext()
			if tc.user != nil {
				ctx = genericapirequest.WithUser(ctx, tc.user)
			}
			resolver := tc.resolver
			got, err := NewREST(&resolver).Create(ctx, tc.obj.DeepCopyObject(), tc.createValidation, &metav1.CreateOptions{})
			if tc.wantErr != nil {
				if err == nil || !tc.wantErr(err) {
					t.Fatalf("got error %v, want another kind", err)
				}
				if tc.wantErrMsg != "" && err.Error() != tc.wantErrMsg {
					t.Errorf("got error %q\nwant       %q", err, tc.wantErrMsg)
				}
				if resolver.calls != 0 {
					t.Errorf("resolver asked after a refusal")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			answer := got.(*authorizationv1.SelfSubjectRulesReview)
			if !reflect.DeepEqual(answer.Status, tc.wantStatus) {
				t.Errorf("status %#v\nwant   %#v", answer.Status, tc.wantStatus)
			}
			if resolver.user != tc.user || resolver.namespace != "ns" {
				t.Errorf("resolver asked about %v in %q", resolver.user, resolver.namespace)
			}
		})
	}
}

// Both rule lists are required in the API, so an empty answer must say []
// rather than null.
func TestEmptyRulesSerializeAsLists(t *testing.T) {
	got, err := NewREST(&fakeResolver{}).Create(
		genericapirequest.WithUser(genericapirequest.NewContext(), &user.DefaultInfo{Name: "bob"}),
		&authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: "ns"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"status":{"resourceRules":[],"nonResourceRules":[],"incomplete":false}`) {
		t.Errorf("unexpected body %s", body)
	}
}
