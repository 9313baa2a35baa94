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

package ephemeral

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestErrorMessage(t *testing.T) {
	podGR := schema.GroupResource{Resource: "pods"}
	podGK := schema.GroupKind{Kind: "Pod"}
	tests := []struct {
		name string
		err  error
		want string
	}{{
		name: "Forbidden, as the server words it",
		err: apierrors.NewForbidden(schema.GroupResource{Resource: "pods/ephemeralcontainers"}, "p",
			errors.New(`User "editor" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "default"`)),
		want: `Error from server (Forbidden): pods/ephemeralcontainers "p" is forbidden: User "editor" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "default"` + "\n",
	}, {
		name: "NotFound",
		err:  apierrors.NewNotFound(podGR, "p"),
		want: `Error from server (NotFound): pods "p" not found` + "\n",
	}, {
		name: "Invalid with one cause",
		err: apierrors.NewInvalid(podGK, "p", field.ErrorList{
			field.Duplicate(field.NewPath("spec", "ephemeralContainers").Index(1).Child("name"), "app"),
		}),
		want: `The Pod "p" is invalid: spec.ephemeralContainers[1].name: Duplicate value: "app"` + "\n",
	}, {
		name: "Invalid with two causes",
		err: apierrors.NewInvalid(podGK, "p", field.ErrorList{
			field.Duplicate(field.NewPath("spec", "ephemeralContainers").Index(1).Child("name"), "app"),
			field.Required(field.NewPath("spec", "ephemeralContainers").Index(1).Child("image"), ""),
		}),
		want: "The Pod \"p\" is invalid:\n" +
			"* spec.ephemeralContainers[1].name: Duplicate value: \"app\"\n" +
			"* spec.ephemeralContainers[1].image: Required value\n",
	}, {
		name: "a Status without a reason",
		err:  &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Message: "boom", Code: 500}},
		want: "Error from server: boom\n",
	}, {
		name: "a client-side error",
		err:  errors.New(`ephemeral container "dbg" is not running: Waiting: ImagePullBackOff`),
		want: "error: ephemeral container \"dbg\" is not running: Waiting: ImagePullBackOff\n",
	}, {
		name: "a wrapped Status is still the server's",
		err:  fmt.Errorf("adding: %w", apierrors.NewNotFound(podGR, "p")),
		want: `Error from server (NotFound): pods "p" not found` + "\n",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ErrorMessage(tc.err)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
