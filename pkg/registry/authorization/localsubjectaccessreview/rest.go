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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/authorization/validation"
	authorizationutil "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/util"
)

// REST is the create-only storage of localsubjectaccessreviews.
type REST struct {
	authorizer authorizer.Authorizer
}

var (
	_ rest.Creater              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.Storage              = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the storage of localsubjectaccessreviews, answered by authz.
func NewREST(authz authorizer.Authorizer) *REST { return &REST{authorizer: authz} }

// New is an empty LocalSubjectAccessReview.
func (*REST) New() runtime.Object { return &authorizationv1.LocalSubjectAccessReview{} }

// Destroy has nothing to release.
func (*REST) Destroy() {}

// NamespaceScoped is true: a review is created in the namespace it asks about.
func (*REST) NamespaceScoped() bool { return true }

// GetSingularName is the singular resource name kubectl shows.
func (*REST) GetSingularName() string { return "localsubjectaccessreview" }

// Create validates the review, checks that it is about the namespace of the
// request, then fills its status with the authorizer's decision about the
// subject the spec names.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.LocalSubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a LocalSubjectAccessReview: %T", obj))
	}
	if errs := validation.ValidateLocalSubjectAccessReview(review); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: authorizationv1.GroupName, Kind: "LocalSubjectAccessReview"}, "", errs)
	}
	namespace := genericapirequest.NamespaceValue(ctx)
	if len(namespace) == 0 {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("namespace is required on this type: %v", namespace))
	}
	// Validation tied spec.resourceAttributes.namespace to metadata.namespace;
	// this ties metadata.namespace to the URL.
	if namespace != review.Namespace {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("spec.resourceAttributes.namespace must match namespace: %v", namespace))
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	review.Status = authorizationutil.Review(ctx, r.authorizer, authorizationutil.AuthorizationAttributesFrom(review.Spec))
	return review, nil
}
