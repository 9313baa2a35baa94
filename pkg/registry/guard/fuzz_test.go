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

package guard

import (
	"context"
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/endpoints/request"
)

// FuzzClientError: whatever a library says about a patch, the answer is a
// bounded 4xx Status.
func FuzzClientError(f *testing.F) {
	for _, seed := range []string{
		applyTypedPatchPrefix + "/p; /v1, Kind=Pod): .spec.x: field not declared in schema",
		applyTypedPatchPrefix + "/p; /v1, Kind=Pod): errors:\n  .a: expected string, got &{0}\n  .b: field not declared in schema",
		applyTypedPatchPrefix + "/p; /v1, Kind=Pod): errors:\n\n\n",
		applyTypedPatchPrefix,
		applyConvertPrefix + "/p; /v1, Kind=Pod) to proper version: cannot convert float64 to int64",
		"unknown patch type: merge in map: map[$patch:merge]",
		"",
	} {
		f.Add(seed)
	}
	ctx := request.WithRequestInfo(context.Background(), &request.RequestInfo{Verb: "patch"})
	f.Fuzz(func(t *testing.T, message string) {
		err := clientError(ctx, errors.New(message), podKind, "p")
		var status apierrors.APIStatus
		if !errors.As(err, &status) {
			for _, prefix := range serverSidePrefixes {
				if len(message) >= len(prefix) && message[:len(prefix)] == prefix {
					return
				}
			}
			t.Fatalf("%q is not a Status: %v", message, err)
		}
		s := status.Status()
		if s.Code < 400 || s.Code >= 500 {
			t.Fatalf("%q: code %d", message, s.Code)
		}
		if len(s.Message) > 2*MaxMessageBytes {
			t.Fatalf("%q: a message of %d bytes", message, len(s.Message))
		}
		if s.Details != nil && len(s.Details.Causes) > MaxCauses+1 {
			t.Fatalf("%q: %d causes", message, len(s.Details.Causes))
		}
	})
}
