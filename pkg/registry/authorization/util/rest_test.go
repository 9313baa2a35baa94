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

package util_test

import (
	"reflect"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/localsubjectaccessreview"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/selfsubjectaccessreview"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/selfsubjectrulesreview"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/subjectaccessreview"
)

// reviewStorage is what the API installer needs of a review resource.
type reviewStorage interface {
	rest.Creater
	rest.Scoper
	rest.Storage
	rest.SingularNameProvider
}

func TestReviewStorageShape(t *testing.T) {
	for _, tc := range []struct {
		storage    reviewStorage
		newObj     runtime.Object
		namespaced bool
		singular   string
	}{
		{subjectaccessreview.NewREST(nil), &authorizationv1.SubjectAccessReview{}, false, "subjectaccessreview"},
		{selfsubjectaccessreview.NewREST(nil), &authorizationv1.SelfSubjectAccessReview{}, false, "selfsubjectaccessreview"},
		{localsubjectaccessreview.NewREST(nil), &authorizationv1.LocalSubjectAccessReview{}, true, "localsubjectaccessreview"},
		{selfsubjectrulesreview.NewREST(nil), &authorizationv1.SelfSubjectRulesReview{}, false, "selfsubjectrulesreview"},
	} {
		t.Run(tc.singular, func(t *testing.T) {
			r := tc.storage
			if got := r.New(); reflect.TypeOf(got) != reflect.TypeOf(tc.newObj) {
				t.Errorf("New() is %T", got)
			}
			if r.NamespaceScoped() != tc.namespaced {
				t.Errorf("namespaced = %v, want %v", r.NamespaceScoped(), tc.namespaced)
			}
			if r.GetSingularName() != tc.singular {
				t.Errorf("singular name %q", r.GetSingularName())
			}
			r.Destroy()
		})
	}
}
