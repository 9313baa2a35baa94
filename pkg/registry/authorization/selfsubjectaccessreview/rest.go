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
	authorizationutil "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/util"
)

// REST is the create-only storage of selfsubjectaccessreviews.
type REST struct {
	authorizer authorizer.Authorizer
}

var (
	_ rest.Creater              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.Storage              = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the storage of selfsubjectaccessreviews, answered by authz.
func NewREST(authz authorizer.Authorizer) *REST { return &REST{authorizer: authz} }

// New is an empty SelfSubjectAccessReview.
func (*REST) New() runtime.Object { return &authorizationv1.SelfSubjectAccessReview{} }

// Destroy has nothing to release.
func (*REST) Destroy() {}

// NamespaceScoped is false: the namespace asked about is in the spec.
func (*REST) NamespaceScoped() bool { return false }

// GetSingularName is the singular resource name kubectl shows.
func (*REST) GetSingularName() string { return "selfsubjectaccessreview" }

// Create validates the review, then fills its status with the authorizer's
// decision about the user the request was authenticated as.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.SelfSubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectAccessReview: %T", obj))
	}
	if errs := validation.ValidateSelfSubjectAccessReview(review); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: authorizationv1.GroupName, Kind: "SelfSubjectAccessReview"}, "", errs)
	}
	requester, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	attrs := authorizationutil.AttributesFor(requester, review.Spec.ResourceAttributes, review.Spec.NonResourceAttributes)
	review.Status = authorizationutil.Review(ctx, r.authorizer, attrs)
	return review, nil
}
