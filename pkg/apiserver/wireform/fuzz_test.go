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

package wireform

import (
	"net/http"
	"testing"
)

// FuzzBodyIsLegacyForm: telling the form of any body never panics.
func FuzzBodyIsLegacyForm(f *testing.F) {
	for _, seed := range []struct{ method, contentType, body string }{
		{http.MethodPut, "application/json", legacyJSON},
		{http.MethodPut, "application/yaml", "kind: EphemeralContainers\n"},
		{http.MethodPatch, "application/apply-patch+yaml", "kind: [EphemeralContainers"},
		{http.MethodPatch, "application/json-patch+json", `[{"op":"add","path":"/ephemeralContainers/-","value":{}}]`},
		{http.MethodPatch, "application/strategic-merge-patch+json", `{"spec":{"ephemeralContainers":[{"name":{"a":1}}]}}`},
		{http.MethodPatch, "application/merge-patch+json; charset=utf-8", `{"ephemeralContainers":null}`},
		{http.MethodPut, "application/vnd.kubernetes.protobuf", "k8s\x00\x0a\x02"},
	} {
		f.Add(seed.method, seed.contentType, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, method, contentType string, body []byte) {
		_ = bodyIsLegacyForm(method, contentType, body)
	})
}
