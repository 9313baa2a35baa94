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
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
)

// request is what the fake server saw.
type request struct {
	Method, Path, ContentType, Body string
}

// serverKind answers the requests of the subresource and of the pod like
// one kind of server; it sees the requests in order, numbered from 0.
type serverKind func(t *testing.T, n int, r request) (status int, body string)

const podPath = "/api/v1/namespaces/ns/pods/p"
const ecPath = podPath + "/ephemeralcontainers"

func podJSON(rv string, ephemeral ...string) string {
	var ecs []string
	for _, name := range ephemeral {
		ecs = append(ecs, fmt.Sprintf(`{"name":%q,"image":"busybox"}`, name))
	}
	return fmt.Sprintf(`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":%q},`+
		`"spec":{"containers":[{"name":"app","image":"nginx"}],"ephemeralContainers":[%s]}}`, rv, strings.Join(ecs, ","))
}

func legacyJSON(rv string, ephemeral ...string) string {
	var ecs []string
	for _, name := range ephemeral {
		ecs = append(ecs, fmt.Sprintf(`{"name":%q,"image":"busybox"}`, name))
	}
	return fmt.Sprintf(`{"kind":"EphemeralContainers","apiVersion":"v1","metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":%q},`+
		`"ephemeralContainers":[%s]}`, rv, strings.Join(ecs, ","))
}

func status(code int, reason, message string, details string) string {
	return fmt.Sprintf(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":%q,"reason":%q,"details":%s,"code":%d}`,
		message, reason, details, code)
}

var (
	conflict  = status(409, "Conflict", `Operation cannot be fulfilled on pods "p": the object has been modified; please apply your changes to the latest version and try again`, `{"name":"p","kind":"pods"}`)
	forbidden = func(verb string) string {
		return status(403, "Forbidden", fmt.Sprintf(`pods "p" is forbidden: User "editor" cannot %s resource "pods/ephemeralcontainers" in API group "" in the namespace "ns"`, verb),
			`{"name":"p","kind":"pods"}`)
	}
)

// runAdd adds ec to pod ns/p on a fake server of the given kind and returns
// what Add returned and the requests the server saw.
func runAdd(t *testing.T, kind serverKind, ec corev1.EphemeralContainer) (*Added, error, []request) {
	t.Helper()
	var mu sync.Mutex
	var seen []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := request{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Body: string(body)}
		mu.Lock()
		n := len(seen)
		seen = append(seen, req)
		mu.Unlock()
		code, answer := kind(t, n, req)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	clients, err := NewClients(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	adder := &Adder{
		Clients: *clients,
		NewName: func(map[string]bool) string { return "debugger-abcde" },
		Backoff: wait.Backoff{Steps: 3},
	}
	added, err := adder.Add(context.Background(), "ns", "p", ec)
	return added, err, seen
}

// ecNames are the names in a body's ephemeralContainers list, at its top
// level (1.16 form) or in its spec (Pod form).
func ecNames(t *testing.T, body string) []string {
	t.Helper()
	var obj struct {
		EphemeralContainers []corev1.EphemeralContainer `json:"ephemeralContainers"`
		Spec                struct {
			EphemeralContainers []corev1.EphemeralContainer `json:"ephemeralContainers"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(body), &obj); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	var names []string
	for _, ec := range append(obj.EphemeralContainers, obj.Spec.EphemeralContainers...) {
		names = append(names, ec.Name)
	}
	return names
}

func TestAdd(t *testing.T) {
	dbg := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox"}}
	unnamed := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Image: "busybox"}}

	tests := []struct {
		name string
		// kind answers like one kind of server.
		kind serverKind
		ec   corev1.EphemeralContainer
		// wantRequests are "METHOD path" in order.
		wantRequests []string
		wantAdded    *Added
		wantErr      string
		// check looks at the requests further.
		check func(t *testing.T, seen []request)
	}{{
		name: "a 1.22+ server (and ephemeral-apiserver in auto or pod mode) gets kubectl debug's strategic merge patch",
		kind: func(t *testing.T, n int, r request) (int, string) {
			switch {
			case r.Method == "GET" && r.Path == ecPath:
				return 200, podJSON("5", "old")
			case r.Method == "PATCH" && r.Path == ecPath:
				return 200, podJSON("6", "old", "dbg")
			}
			return 500, "unexpected"
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath, "PATCH " + ecPath},
		wantAdded:    &Added{Name: "dbg", Form: FormPod, Attempts: 1},
		check: func(t *testing.T, seen []request) {
			patch := seen[1]
			if patch.ContentType != "application/strategic-merge-patch+json" {
				t.Errorf("Content-Type %q", patch.ContentType)
			}
			want := `{"spec":{"$setElementOrder/ephemeralContainers":[{"name":"old"},{"name":"dbg"}],` +
				`"ephemeralContainers":[{"image":"busybox","name":"dbg","resources":{}}]}}`
			if patch.Body != want {
				t.Errorf("patch\n got %s\nwant %s", patch.Body, want)
			}
		},
	}, {
		name: "a 1.16-1.21 server (and ephemeral-apiserver in legacy mode) gets a PUT of its list and the new entry, with the resourceVersion read",
		kind: func(t *testing.T, n int, r request) (int, string) {
			switch {
			case r.Method == "GET" && r.Path == ecPath:
				return 200, legacyJSON("5", "old")
			case r.Method == "PUT" && r.Path == ecPath:
				return 200, legacyJSON("6", "old", "dbg")
			}
			return 500, "unexpected"
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath, "PUT " + ecPath},
		wantAdded:    &Added{Name: "dbg", Form: FormLegacy, Attempts: 1},
		check: func(t *testing.T, seen []request) {
			var put map[string]any
			if err := json.Unmarshal([]byte(seen[1].Body), &put); err != nil {
				t.Fatal(err)
			}
			if put["kind"] != "EphemeralContainers" || put["apiVersion"] != "v1" {
				t.Errorf("PUT of kind %v, apiVersion %v", put["kind"], put["apiVersion"])
			}
			if rv := put["metadata"].(map[string]any)["resourceVersion"]; rv != "5" {
				t.Errorf("PUT with resourceVersion %v, want the one read, 5", rv)
			}
			if diff := cmp.Diff([]string{"old", "dbg"}, ecNames(t, seen[1].Body)); diff != "" {
				t.Errorf("PUT list (-want +got):\n%s", diff)
			}
		},
	}, {
		name: "a PUT refused with 409 Conflict is sent again with the list and resourceVersion read anew",
		kind: func(t *testing.T, n int, r request) (int, string) {
			switch {
			case n == 0:
				return 200, legacyJSON("5", "old")
			case n == 1:
				return 409, conflict
			case n == 2 && r.Method == "GET":
				// Someone else added "theirs" meanwhile.
				return 200, legacyJSON("7", "old", "theirs")
			case n == 3 && r.Method == "PUT":
				return 200, legacyJSON("8", "old", "theirs", "dbg")
			}
			return 500, "unexpected"
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath, "PUT " + ecPath, "GET " + ecPath, "PUT " + ecPath},
		wantAdded:    &Added{Name: "dbg", Form: FormLegacy, Attempts: 2},
		check: func(t *testing.T, seen []request) {
			if !strings.Contains(seen[3].Body, `"resourceVersion":"7"`) {
				t.Errorf("second PUT does not carry resourceVersion 7: %s", seen[3].Body)
			}
			if diff := cmp.Diff([]string{"old", "theirs", "dbg"}, ecNames(t, seen[3].Body)); diff != "" {
				t.Errorf("second PUT list (-want +got):\n%s", diff)
			}
		},
	}, {
		name: "conflicts that do not end give up after the backoff's steps with the Conflict",
		kind: func(t *testing.T, n int, r request) (int, string) {
			if r.Method == "GET" {
				return 200, legacyJSON(fmt.Sprint(n), "old")
			}
			return 409, conflict
		},
		ec: dbg,
		wantRequests: []string{"GET " + ecPath, "PUT " + ecPath, "GET " + ecPath, "PUT " + ecPath,
			"GET " + ecPath, "PUT " + ecPath},
		wantErr: "Operation cannot be fulfilled on pods \"p\"",
	}, {
		name: "the name of an existing ephemeral container is refused before any write (a patch would merge into it)",
		kind: func(t *testing.T, n int, r request) (int, string) {
			return 200, podJSON("5", "dbg")
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath},
		wantErr:      `pod "p" already has an ephemeral container named "dbg"`,
	}, {
		name: "the same in the 1.16 form",
		kind: func(t *testing.T, n int, r request) (int, string) {
			return 200, legacyJSON("5", "dbg")
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath},
		wantErr:      `pod "p" already has an ephemeral container named "dbg"`,
	}, {
		name: "a name is generated in either form",
		kind: func(t *testing.T, n int, r request) (int, string) {
			if r.Method == "GET" {
				return 200, legacyJSON("5")
			}
			return 200, legacyJSON("6", "debugger-abcde")
		},
		ec:           unnamed,
		wantRequests: []string{"GET " + ecPath, "PUT " + ecPath},
		wantAdded:    &Added{Name: "debugger-abcde", Form: FormLegacy, Attempts: 1},
		check: func(t *testing.T, seen []request) {
			if diff := cmp.Diff([]string{"debugger-abcde"}, ecNames(t, seen[1].Body)); diff != "" {
				t.Errorf("PUT list (-want +got):\n%s", diff)
			}
		},
	}, {
		name: "a user who may not read the subresource, only patch it, gets the patch after a read of the pod",
		kind: func(t *testing.T, n int, r request) (int, string) {
			switch {
			case r.Method == "GET" && r.Path == ecPath:
				return 403, forbidden("get")
			case r.Method == "GET" && r.Path == podPath:
				return 200, podJSON("5")
			case r.Method == "PATCH" && r.Path == ecPath:
				return 200, podJSON("6", "dbg")
			}
			return 500, "unexpected"
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath, "GET " + podPath, "PATCH " + ecPath},
		wantAdded:    &Added{Name: "dbg", Form: FormPod, Attempts: 1},
	}, {
		name: "a 1.16-1.21 server that answers the Pod-form patch in its own form gets the 1.16-form patch",
		kind: func(t *testing.T, n int, r request) (int, string) {
			switch {
			case r.Method == "GET" && r.Path == ecPath:
				return 403, forbidden("get")
			case r.Method == "GET" && r.Path == podPath:
				return 200, podJSON("5", "old")
			case r.Method == "PATCH" && strings.Contains(r.Body, `"spec"`):
				return 200, legacyJSON("5", "old")
			case r.Method == "PATCH":
				return 200, legacyJSON("6", "old", "dbg")
			}
			return 500, "unexpected"
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath, "GET " + podPath, "PATCH " + ecPath, "PATCH " + ecPath},
		wantAdded:    &Added{Name: "dbg", Form: FormLegacy, Attempts: 2},
		check: func(t *testing.T, seen []request) {
			want := `{"ephemeralContainers":[{"name":"dbg","image":"busybox","resources":{}}]}`
			if seen[3].Body != want {
				t.Errorf("1.16-form patch\n got %s\nwant %s", seen[3].Body, want)
			}
		},
	}, {
		name: "a user who may patch neither gets the patch's Forbidden",
		kind: func(t *testing.T, n int, r request) (int, string) {
			switch {
			case r.Method == "GET" && r.Path == ecPath:
				return 403, forbidden("get")
			case r.Method == "GET" && r.Path == podPath:
				return 200, podJSON("5")
			}
			return 403, forbidden("patch")
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath, "GET " + podPath, "PATCH " + ecPath},
		wantErr:      `User "editor" cannot patch resource "pods/ephemeralcontainers"`,
	}, {
		name: "a server without the subresource (feature gate off) is said to have ephemeral containers disabled",
		kind: func(t *testing.T, n int, r request) (int, string) {
			return 404, status(404, "NotFound", "the server could not find the requested resource", `{}`)
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath},
		wantErr:      `ephemeral containers are disabled for this cluster (error from server: "the server could not find the requested resource")`,
	}, {
		name: "a missing pod is NotFound",
		kind: func(t *testing.T, n int, r request) (int, string) {
			return 404, status(404, "NotFound", `pods "p" not found`, `{"name":"p","kind":"pods"}`)
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath},
		wantErr:      `pods "p" not found`,
	}, {
		name: "an answer of another kind is an error",
		kind: func(t *testing.T, n int, r request) (int, string) {
			return 200, `{"kind":"Deployment","apiVersion":"apps/v1"}`
		},
		ec:           dbg,
		wantRequests: []string{"GET " + ecPath},
		wantErr:      `kind "Deployment", neither Pod nor EphemeralContainers`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			added, err, seen := runAdd(t, tc.kind, tc.ec)
			var got []string
			for _, r := range seen {
				got = append(got, r.Method+" "+r.Path)
			}
			if diff := cmp.Diff(tc.wantRequests, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmp.Diff(tc.wantAdded, added); diff != "" {
				t.Errorf("Added (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, seen)
			}
		})
	}
}

func TestDetectForm(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer string
		want   Form
	}{
		{"kind Pod: upstream 1.22+, ephemeral-apiserver auto and pod modes", podJSON("1"), FormPod},
		{"kind EphemeralContainers: upstream 1.16-1.21, ephemeral-apiserver legacy mode", legacyJSON("1"), FormLegacy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var accept string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				accept = r.Header.Get("Accept")
				_, _ = io.WriteString(w, tc.answer)
			}))
			defer srv.Close()
			clients, err := NewClients(&rest.Config{Host: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			got, err := (&Adder{Clients: *clients}).DetectForm(context.Background(), "ns", "p")
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("form %s, want %s", got, tc.want)
			}
			// Asking for the 1.16 form (legacyform.Accept) would be 406 on
			// upstream 1.22+: the plugin asks for plain JSON and looks.
			if accept != "application/json" {
				t.Errorf("Accept %q, want application/json", accept)
			}
		})
	}
}
