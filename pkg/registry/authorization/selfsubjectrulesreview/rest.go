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

// Package selfsubjectrulesreview serves authorization.k8s.io/v1
// selfsubjectrulesreviews: a create that lists what the requesting user may
// do in one namespace, as far as the server's rule resolver can tell. It is
// meant for UIs deciding what to show, not for making authorization
// decisions. Nothing is stored.
package selfsubjectrulesreview

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/authorization/validation"
	authorizationutil "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/util"
)

// NewREST returns the storage of selfsubjectrulesreviews, answered by
// resolver: the rules that apply to the requesting user in spec.namespace,
// the cluster-wide ones and that namespace's together. The answer carries
// only a status, and both rule lists are present even when empty.
func NewREST(resolver authorizer.RuleResolver) *authorizationutil.ReviewREST[*authorizationv1.SelfSubjectRulesReview] {
	return &authorizationutil.ReviewREST[*authorizationv1.SelfSubjectRulesReview]{
		Kind:     "SelfSubjectRulesReview",
		Singular: "selfsubjectrulesreview",
		NewObj:   func() *authorizationv1.SelfSubjectRulesReview { return &authorizationv1.SelfSubjectRulesReview{} },
		Validate: validation.ValidateSelfSubjectRulesReview,
		Precondition: func(ctx context.Context, review *authorizationv1.SelfSubjectRulesReview) error {
			if err := authorizationutil.RequireUser(ctx, review); err != nil {
				return err
			}
			if review.Spec.Namespace == "" {
				return apierrors.NewBadRequest("no namespace on request")
			}
			return nil
		},
		Answer: func(ctx context.Context, review *authorizationv1.SelfSubjectRulesReview) runtime.Object {
			requester, _ := genericapirequest.UserFrom(ctx)
			resourceRules, nonResourceRules, incomplete, err := resolver.RulesFor(ctx, requester, review.Spec.Namespace)
			answer := &authorizationv1.SelfSubjectRulesReview{
				Status: authorizationv1.SubjectRulesReviewStatus{
					ResourceRules:    convertResourceRules(resourceRules),
					NonResourceRules: convertNonResourceRules(nonResourceRules),
					Incomplete:       incomplete,
				},
			}
			if err != nil {
				answer.Status.EvaluationError = err.Error()
			}
			return answer
		},
	}
}

func convertResourceRules(infos []authorizer.ResourceRuleInfo) []authorizationv1.ResourceRule {
	rules := make([]authorizationv1.ResourceRule, 0, len(infos))
	for _, info := range infos {
		rules = append(rules, authorizationv1.ResourceRule{
			Verbs:         info.GetVerbs(),
			APIGroups:     info.GetAPIGroups(),
			Resources:     info.GetResources(),
			ResourceNames: info.GetResourceNames(),
		})
	}
	return rules
}

func convertNonResourceRules(infos []authorizer.NonResourceRuleInfo) []authorizationv1.NonResourceRule {
	rules := make([]authorizationv1.NonResourceRule, 0, len(infos))
	for _, info := range infos {
		rules = append(rules, authorizationv1.NonResourceRule{
			Verbs:           info.GetVerbs(),
			NonResourceURLs: info.GetNonResourceURLs(),
		})
	}
	return rules
}
