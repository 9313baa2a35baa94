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

package apiserver

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// aliasBomb is a YAML document whose one anchor of width values is used
// uses times.
func aliasBomb(width, uses int) string {
	var b strings.Builder
	b.WriteString("a: &a [" + strings.Repeat("x,", width-1) + "x]\nb: [")
	for i := range uses {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("*a")
	}
	b.WriteString("]\n")
	return b.String()
}

func TestCountValues(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     int
		wantOver bool
	}{
		// The map, two keys, 1, the list and its two items.
		{name: "json object", body: `{"a":1,"b":[1,2]}`, want: 7},
		{name: "yaml map", body: "a: 1\nb: [1, 2]\n", want: 7},
		{name: "yaml with a small alias", body: "a: &x [1, 2]\nb: *x\n", want: 9},
		{name: "an alias bomb stops past the limit", body: aliasBomb(1000, 400), wantOver: true},
		{name: "a long json list stops past the limit", body: "[" + strings.Repeat("0,", 5000) + "0]", wantOver: true},
		{name: "malformed yaml counts nothing", body: "a: [", want: 0},
		{name: "empty", body: "", want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := countValues([]byte(tc.body), 1000)
			if tc.wantOver && (got <= 1000 || got > 2000) {
				t.Errorf("got %d, want a count just past the limit of 1000", got)
			}
			if !tc.wantOver && got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestBoundedBodies(t *testing.T) {
	var reached string
	handler := boundedBodies{maxBodyBytes: 3 << 20, next: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		reached = string(body)
	})}
	bomb := aliasBomb(1000, 400)
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		wantCode    int
	}{
		{name: "a small apply passes", method: http.MethodPatch, contentType: "application/apply-patch+yaml", body: "kind: Pod\n", wantCode: http.StatusOK},
		{name: "an alias bomb in apply is refused", method: http.MethodPatch, contentType: "application/apply-patch+yaml", body: bomb, wantCode: http.StatusRequestEntityTooLarge},
		{name: "an alias bomb in a yaml PUT is refused", method: http.MethodPut, contentType: "application/yaml; charset=utf-8", body: bomb, wantCode: http.StatusRequestEntityTooLarge},
		{name: "a huge list in a json apply is refused", method: http.MethodPatch, contentType: "application/apply-patch+yaml", body: `{"args":[` + strings.Repeat("0,", maxBodyValues) + "0]}", wantCode: http.StatusRequestEntityTooLarge},
		{name: "strategic merge patches are not counted", method: http.MethodPatch, contentType: "application/strategic-merge-patch+json", body: `{"args":[` + strings.Repeat("0,", maxBodyValues) + "0]}", wantCode: http.StatusOK},
		{name: "a GET passes", method: http.MethodGet, contentType: "application/yaml", body: bomb, wantCode: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reached = ""
			req := httptest.NewRequest(tc.method, "/api/v1/namespaces/default/pods/p", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != tc.wantCode {
				t.Fatalf("code %d, want %d: %s", rec.Code, tc.wantCode, rec.Body)
			}
			if tc.wantCode == http.StatusOK && reached != tc.body {
				t.Errorf("the handler got %d bytes of the %d sent", len(reached), len(tc.body))
			}
			if tc.wantCode != http.StatusOK && !strings.Contains(rec.Body.String(), fmt.Sprintf("more than %d values", maxBodyValues)) {
				t.Errorf("body %s", rec.Body)
			}
		})
	}
}
