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

// Package selfsubjectaccessreview serves authorization.k8s.io/v1
// selfsubjectaccessreviews: a create that asks the server's authorizer
// whether the requesting user may do what the body describes. Anyone may ask
// about themselves. Nothing is stored.
package selfsubjectaccessreview

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/authorization/validation"
	authorizationutil "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/util"
)

// NewREST returns the storage of selfsubjectaccessreviews, answered by authz
// about the user the request was authenticated as.
func NewREST(authz authorizer.Authorizer) *authorizationutil.ReviewREST[*authorizationv1.SelfSubjectAccessReview] {
	return &authorizationutil.ReviewREST[*authorizationv1.SelfSubjectAccessReview]{
		Kind:         "SelfSubjectAccessReview",
		Singular:     "selfsubjectaccessreview",
		NewObj:       func() *authorizationv1.SelfSubjectAccessReview { return &authorizationv1.SelfSubjectAccessReview{} },
		Validate:     validation.ValidateSelfSubjectAccessReview,
		Precondition: authorizationutil.RequireUser[*authorizationv1.SelfSubjectAccessReview],
		Answer: func(ctx context.Context, review *authorizationv1.SelfSubjectAccessReview) runtime.Object {
			requester, _ := genericapirequest.UserFrom(ctx)
			attrs := authorizationutil.AttributesFor(requester, review.Spec.ResourceAttributes, review.Spec.NonResourceAttributes)
			review.Status = authorizationutil.Review(ctx, authz, attrs)
			return review
		},
	}
}
