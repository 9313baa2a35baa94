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

package util

import (
	"context"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// ReviewREST is a create-only resource that stores nothing: each create is
// a question, answered in the object returned. The review resources differ
// only in their kind, scope, checks and answer.
type ReviewREST[T runtime.Object] struct {
	// Kind names the resource's objects in errors.
	Kind string
	// Singular is the singular resource name kubectl shows.
	Singular string
	// Namespaced is whether reviews are created in a namespace.
	Namespaced bool
	// NewObj returns an empty review.
	NewObj func() T
	// Validate checks the review; its errors are a 422 Invalid.
	Validate func(review T) field.ErrorList
	// Precondition, if set, checks the request around the review (its
	// user, its namespace) after validation and before admission.
	Precondition func(ctx context.Context, review T) error
	// Answer fills in the review's status, or returns another answer.
	Answer func(ctx context.Context, review T) runtime.Object
}

var (
	_ rest.Creater              = &ReviewREST[runtime.Object]{}
	_ rest.Scoper               = &ReviewREST[runtime.Object]{}
	_ rest.Storage              = &ReviewREST[runtime.Object]{}
	_ rest.SingularNameProvider = &ReviewREST[runtime.Object]{}
)

func (r *ReviewREST[T]) New() runtime.Object { return r.NewObj() }

// Destroy has nothing to release.
func (*ReviewREST[T]) Destroy() {}

func (r *ReviewREST[T]) NamespaceScoped() bool { return r.Namespaced }

func (r *ReviewREST[T]) GetSingularName() string { return r.Singular }

// Create checks the review, lets admission see it, then answers it, in
// upstream's order: validation, request checks, admission, answer.
func (r *ReviewREST[T]) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(T)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a %s: %T", r.Kind, obj))
	}
	if errs := r.Validate(review); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: authorizationv1.GroupName, Kind: r.Kind}, "", errs)
	}
	if r.Precondition != nil {
		if err := r.Precondition(ctx, review); err != nil {
			return nil, err
		}
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	return r.Answer(ctx, review), nil
}

// RequireUser is a Precondition of the self reviews: they are about the
// request's user, so there must be one.
func RequireUser[T runtime.Object](ctx context.Context, _ T) error {
	if _, ok := genericapirequest.UserFrom(ctx); !ok {
		return apierrors.NewBadRequest("no user present on request")
	}
	return nil
}
