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
// the user and groups named in the body may do what the body describes, and
// answers in the status. Nothing is stored.
package subjectaccessreview

import (
	"context"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/authorization/validation"
	authorizationutil "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/util"
)

// REST is the create-only storage of subjectaccessreviews.
type REST struct {
	authorizer authorizer.Authorizer
}

var (
	_ rest.Creater              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.Storage              = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the storage of subjectaccessreviews, answered by authz.
func NewREST(authz authorizer.Authorizer) *REST { return &REST{authorizer: authz} }

// New is an empty SubjectAccessReview.
func (*REST) New() runtime.Object { return &authorizationv1.SubjectAccessReview{} }

// Destroy has nothing to release.
func (*REST) Destroy() {}

// NamespaceScoped is false: the namespace asked about is in the spec.
func (*REST) NamespaceScoped() bool { return false }

// GetSingularName is the singular resource name kubectl shows.
func (*REST) GetSingularName() string { return "subjectaccessreview" }

// Create validates the review, then fills its status with the authorizer's
// decision about the subject the spec names.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.SubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SubjectAccessReview: %T", obj))
	}
	if errs := validation.ValidateSubjectAccessReview(review); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: authorizationv1.GroupName, Kind: "SubjectAccessReview"}, "", errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	review.Status = authorizationutil.Review(ctx, r.authorizer, authorizationutil.AuthorizationAttributesFrom(review.Spec))
	return review, nil
}
