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
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// runMain runs the plugin as `kubectl ephemeral ARGS` would, against
// server, and returns its exit code and output.
func runMain(t *testing.T, server string, args ...string) (int, string, string) {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Before the arguments: anything after "--" is a command.
	args = append([]string{"--kubeconfig=" + kubeconfig, "--cache-dir=" + t.TempDir(), "--server=" + server}, args...)
	var out, errOut bytes.Buffer
	code := Main(context.Background(), genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, args)
	return code, out.String(), errOut.String()
}

func TestCommandLineErrors(t *testing.T) {
	tests := []struct {
		args       []string
		wantStderr string
	}{
		{[]string{"add"}, "error: POD is required\nSee 'kubectl ephemeral add -h' for help and examples\n"},
		{[]string{"add", "p"}, "error: --image is required\nSee 'kubectl ephemeral add -h' for help and examples\n"},
		{[]string{"add", "p", "q", "--image=x"}, "error: exactly one POD is expected, got 2 arguments: p q\nSee 'kubectl ephemeral add -h' for help and examples\n"},
		{[]string{"add", "p", "--image=x", "--env=NOVALUE"}, "error: --env must be KEY=VALUE, got \"NOVALUE\"\nSee 'kubectl ephemeral add -h' for help and examples\n"},
		{[]string{"add", "p", "--image=x", "--name=Not_A_Name"}, "error: invalid container name \"Not_A_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n"},
		{[]string{"add", "p", "--image=x", "--image-pull-policy=Sometimes"}, "error: --image-pull-policy must be Always, IfNotPresent or Never, got \"Sometimes\"\nSee 'kubectl ephemeral add -h' for help and examples\n"},
		{[]string{"add", "p", "--image=x", "--wait=soon"}, "error: invalid argument \"soon\" for \"--wait\" flag: must be a duration like \"30s\" or \"5m\"\nSee 'kubectl ephemeral add -h' for help and examples\n"},
		{[]string{"add", "p", "--image=x", "--wait=-1s"}, "error: --wait must not be negative\nSee 'kubectl ephemeral add -h' for help and examples\n"},
		{[]string{"list"}, "error: POD is required\nSee 'kubectl ephemeral list -h' for help and examples\n"},
		{[]string{"get", "p", "-o", "wide"}, "error: unable to match a printer suitable for the output format \"wide\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml\n"},
		{[]string{"trail", "-A", "p"}, "error: a POD cannot be named with --all-namespaces\nSee 'kubectl ephemeral trail -h' for help and examples\n"},
		{[]string{"trail", "p", "q"}, "error: exactly one POD is expected, got 2 arguments: p q\nSee 'kubectl ephemeral trail -h' for help and examples\n"},
		{[]string{"nonsense"}, "error: unknown command \"nonsense\" for \"kubectl ephemeral\"\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			// A server that must not be asked anything.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
				w.WriteHeader(500)
			}))
			defer srv.Close()
			code, stdout, stderr := runMain(t, srv.URL, tc.args...)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if tc.wantStderr == "" {
				if !strings.HasPrefix(stderr, "error: ") {
					t.Errorf("stderr %q", stderr)
				}
				return
			}
			if diff := cmp.Diff(tc.wantStderr, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAddAndList runs add, list and trail through the command line
// against a fake server of the Pod form that records events.
func TestAddAndList(t *testing.T) {
	const events = `{"kind":"EventList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[` +
		`{"metadata":{"name":"p.1","namespace":"ns","uid":"e1"},"involvedObject":{"kind":"Pod","namespace":"ns","name":"p","uid":"u1"},` +
		`"reason":"EphemeralContainerAdded","message":"Added ephemeral container \"old\" (image \"busybox\") by user \"dev\"",` +
		`"firstTimestamp":"2026-01-02T03:04:05Z"}]}`
	var patches []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && (r.URL.Path == ecPath || r.URL.Path == podPath):
			_, _ = io.WriteString(w, podJSON("5", "old"))
		case r.Method == "PATCH" && r.URL.Path == ecPath:
			patches = append(patches, string(body))
			_, _ = io.WriteString(w, podJSON("6", "old", "debugger"))
		case r.Method == "GET" && r.URL.Path == "/api/v1/namespaces/ns/events":
			if got := r.URL.Query().Get("fieldSelector"); !strings.Contains(got, "reason=EphemeralContainerAdded") {
				t.Errorf("fieldSelector %q", got)
			}
			_, _ = io.WriteString(w, events)
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()

	code, stdout, stderr := runMain(t, srv.URL, "add", "p", "-n", "ns", "--image=busybox", "--name=debugger", "-it", "--env=A=1", "--", "sh", "-c", "echo hi")
	if code != 0 || stderr != "" {
		t.Fatalf("add: exit %d, stderr %q", code, stderr)
	}
	if want := "pod/p: ephemeral container \"debugger\" added with a strategic merge patch of kind Pod\n"; stdout != want {
		t.Errorf("add printed %q, want %q", stdout, want)
	}
	wantPatch := `{"spec":{"$setElementOrder/ephemeralContainers":[{"name":"old"},{"name":"debugger"}],"ephemeralContainers":[` +
		`{"command":["sh","-c","echo hi"],"env":[{"name":"A","value":"1"}],"image":"busybox","name":"debugger","resources":{},` +
		`"stdin":true,"terminationMessagePolicy":"File","tty":true}]}}`
	if len(patches) != 1 || patches[0] != wantPatch {
		t.Errorf("patches %q\nwant [%s]", patches, wantPatch)
	}

	code, stdout, stderr = runMain(t, srv.URL, "list", "p", "-n", "ns")
	if code != 0 || stderr != "" {
		t.Fatalf("list: exit %d, stderr %q", code, stderr)
	}
	if !regexp.MustCompile(`(?m)^old\s+busybox\s+<none>\s+<none>\s+\S+\s+dev$`).MatchString(stdout) {
		t.Errorf("list printed\n%s", stdout)
	}

	code, stdout, _ = runMain(t, srv.URL, "trail", "-n", "ns")
	if want := "TIME                   POD   CONTAINER   IMAGE     USER\n2026-01-02T03:04:05Z   p     old         busybox   dev\n"; code != 0 || stdout != want {
		t.Errorf("trail: exit %d, printed\n%s\nwant\n%s", code, stdout, want)
	}
}
