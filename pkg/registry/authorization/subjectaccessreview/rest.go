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

// Package subjectaccessreview serves authorization.k8s.io/v1
// subjectaccessreviews: a create that asks the server's authorizer whether
// the user the spec names may do what the spec describes. Nothing is stored.
package subjectaccessreview

import (
	"context"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/authorization/validation"
	authorizationutil "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/util"
)

// NewREST returns the storage of subjectaccessreviews, answered by authz.
func NewREST(authz authorizer.Authorizer) *authorizationutil.ReviewREST[*authorizationv1.SubjectAccessReview] {
	return &authorizationutil.ReviewREST[*authorizationv1.SubjectAccessReview]{
		Kind:     "SubjectAccessReview",
		Singular: "subjectaccessreview",
		NewObj:   func() *authorizationv1.SubjectAccessReview { return &authorizationv1.SubjectAccessReview{} },
		Validate: validation.ValidateSubjectAccessReview,
		Answer: func(ctx context.Context, review *authorizationv1.SubjectAccessReview) runtime.Object {
			review.Status = authorizationutil.Review(ctx, authz, authorizationutil.AuthorizationAttributesFrom(review.Spec))
			return review
		},
	}
}
