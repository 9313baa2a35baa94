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

// Package localsubjectaccessreview serves authorization.k8s.io/v1
// localsubjectaccessreviews: a subjectaccessreview confined to the namespace
// it is created in, so that asking about a namespace can be granted per
// namespace. Nothing is stored.
package localsubjectaccessreview

import (
	"context"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/authorization/validation"
	authorizationutil "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/util"
)

// NewREST returns the storage of localsubjectaccessreviews, answered by authz.
func NewREST(authz authorizer.Authorizer) *authorizationutil.ReviewREST[*authorizationv1.LocalSubjectAccessReview] {
	return &authorizationutil.ReviewREST[*authorizationv1.LocalSubjectAccessReview]{
		Kind:       "LocalSubjectAccessReview",
		Singular:   "localsubjectaccessreview",
		Namespaced: true,
		NewObj:     func() *authorizationv1.LocalSubjectAccessReview { return &authorizationv1.LocalSubjectAccessReview{} },
		Validate:   validation.ValidateLocalSubjectAccessReview,
		Precondition: func(ctx context.Context, review *authorizationv1.LocalSubjectAccessReview) error {
			namespace := genericapirequest.NamespaceValue(ctx)
			if len(namespace) == 0 {
				return apierrors.NewBadRequest(fmt.Sprintf("namespace is required on this type: %v", namespace))
			}
			// Validation tied spec.resourceAttributes.namespace to
			// metadata.namespace; this ties metadata.namespace to the URL.
			if namespace != review.Namespace {
				return apierrors.NewBadRequest(fmt.Sprintf("spec.resourceAttributes.namespace must match namespace: %v", namespace))
			}
			return nil
		},
		Answer: func(ctx context.Context, review *authorizationv1.LocalSubjectAccessReview) runtime.Object {
			review.Status = authorizationutil.Review(ctx, authz, authorizationutil.AuthorizationAttributesFrom(review.Spec))
			return review
		},
	}
}
