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
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/authorization/validation"
)

// REST is the create-only storage of selfsubjectrulesreviews.
type REST struct {
	resolver authorizer.RuleResolver
}

var (
	_ rest.Creater              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.Storage              = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the storage of selfsubjectrulesreviews, answered by resolver.
func NewREST(resolver authorizer.RuleResolver) *REST { return &REST{resolver: resolver} }

// New is an empty SelfSubjectRulesReview.
func (*REST) New() runtime.Object { return &authorizationv1.SelfSubjectRulesReview{} }

// Destroy has nothing to release.
func (*REST) Destroy() {}

// NamespaceScoped is false: the namespace asked about is in the spec.
func (*REST) NamespaceScoped() bool { return false }

// GetSingularName is the singular resource name kubectl shows.
func (*REST) GetSingularName() string { return "selfsubjectrulesreview" }

// Create answers with the rules that apply to the requesting user in
// spec.namespace: the cluster-wide ones and that namespace's together. The
// answer carries only a status, and both rule lists are present even when
// empty.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.SelfSubjectRulesReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectRulesReview: %T", obj))
	}
	if errs := validation.ValidateSelfSubjectRulesReview(review); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: authorizationv1.GroupName, Kind: "SelfSubjectRulesReview"}, "", errs)
	}
	requester, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	namespace := review.Spec.Namespace
	if namespace == "" {
		return nil, apierrors.NewBadRequest("no namespace on request")
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}

	resourceRules, nonResourceRules, incomplete, err := r.resolver.RulesFor(ctx, requester, namespace)
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
	return answer, nil
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
