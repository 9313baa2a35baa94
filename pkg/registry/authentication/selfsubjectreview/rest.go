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

// Package selfsubjectreview serves authentication.k8s.io/v1
// selfsubjectreviews: a create that answers with the requesting user's
// own identity, as the authenticator saw it, and stores nothing.
package selfsubjectreview

import (
	"context"
	"fmt"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// REST is the create-only storage of selfsubjectreviews.
type REST struct{}

var (
	_ rest.Creater              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.Storage              = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the storage of selfsubjectreviews.
func NewREST() *REST { return &REST{} }

// New is an empty SelfSubjectReview.
func (*REST) New() runtime.Object { return &authenticationv1.SelfSubjectReview{} }

// Destroy has nothing to release.
func (*REST) Destroy() {}

// NamespaceScoped is false: a review is about the caller, not a namespace.
func (*REST) NamespaceScoped() bool { return false }

// GetSingularName is the singular resource name kubectl shows.
func (*REST) GetSingularName() string { return "selfsubjectreview" }

// Create ignores what the body asked and answers with the user the request
// was authenticated as.
func (*REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	if _, ok := obj.(*authenticationv1.SelfSubjectReview); !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectReview: %T", obj))
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	user, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	var extra map[string]authenticationv1.ExtraValue
	if userExtra := user.GetExtra(); len(userExtra) > 0 {
		extra = make(map[string]authenticationv1.ExtraValue, len(userExtra))
		for key, values := range userExtra {
			extra[key] = values
		}
	}
	return &authenticationv1.SelfSubjectReview{
		ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(time.Now())},
		Status: authenticationv1.SelfSubjectReviewStatus{
			UserInfo: authenticationv1.UserInfo{
				Username: user.GetName(),
				UID:      user.GetUID(),
				Groups:   user.GetGroups(),
				Extra:    extra,
			},
		},
	}, nil
}
