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
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/endpoints/request"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
)

const (
	legacyJSON = `{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":"example-pod"},"ephemeralContainers":[]}`
	podJSON    = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"example-pod"},"spec":{"ephemeralContainers":[]}}`
	legacyYAML = "apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: example-pod\nephemeralContainers: []\n"
	podYAML    = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: example-pod\nspec: {}\n"
)

// codecs serialise core/v1 and the 1.16 types as the server's do.
var codecs = func() serializer.CodecFactory {
	scheme := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(scheme))
	utilruntime.Must(legacyv1.AddToScheme(scheme))
	return serializer.NewCodecFactory(scheme)
}()

// protobufOf encodes obj with the apimachinery protobuf serializer, as a
// client sending application/vnd.kubernetes.protobuf would.
func protobufOf(t *testing.T, obj runtime.Object) []byte {
	t.Helper()
	info, ok := runtime.SerializerInfoForMediaType(codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		t.Fatal("no protobuf serializer")
	}
	var buf bytes.Buffer
	if err := codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion).Encode(obj, &buf); err != nil {
		t.Fatalf("encoding %T: %v", obj, err)
	}
	return buf.Bytes()
}

// protobufEnvelope is a Kubernetes protobuf message (magic prefix and a
// runtime.Unknown) declaring kind, with raw as its payload. It stands for
// a 1.16 client's body: EphemeralContainers has no generated protobuf
// marshalling here, and the router reads only the envelope.
func protobufEnvelope(t *testing.T, kind string, raw []byte) []byte {
	t.Helper()
	unknown := runtime.Unknown{
		TypeMeta:    runtime.TypeMeta{APIVersion: "v1", Kind: kind},
		Raw:         raw,
		ContentType: runtime.ContentTypeProtobuf,
	}
	data, err := unknown.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{0x6b, 0x38, 0x73, 0x00}, data...)
}

func TestKindOf(t *testing.T) {
	podProtobuf := protobufOf(t, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "example-pod"}})
	legacyProtobuf := protobufEnvelope(t, "EphemeralContainers", podProtobuf[4:])

	for _, tc := range []struct {
		name      string
		mediaType string
		body      []byte
		want      string
	}{
		{"JSON, 1.16 form", runtime.ContentTypeJSON, []byte(legacyJSON), "EphemeralContainers"},
		{"JSON, Pod", runtime.ContentTypeJSON, []byte(podJSON), "Pod"},
		{"JSON without kind", runtime.ContentTypeJSON, []byte(`{"metadata":{"name":"p"}}`), ""},
		{"JSON, kind not a string", runtime.ContentTypeJSON, []byte(`{"kind":1}`), ""},
		{"malformed JSON", runtime.ContentTypeJSON, []byte(`{bad`), ""},
		{"a JSON array", runtime.ContentTypeJSON, []byte(`[{"kind":"EphemeralContainers"}]`), ""},
		{"empty body", runtime.ContentTypeJSON, nil, ""},
		{"unknown media type read as JSON", "text/plain", []byte(legacyJSON), "EphemeralContainers"},
		{"YAML, 1.16 form", runtime.ContentTypeYAML, []byte(legacyYAML), "EphemeralContainers"},
		{"YAML, Pod", runtime.ContentTypeYAML, []byte(podYAML), "Pod"},
		{"JSON is YAML too", runtime.ContentTypeYAML, []byte(legacyJSON), "EphemeralContainers"},
		{"malformed YAML", runtime.ContentTypeYAML, []byte("kind: [\n"), ""},
		{"protobuf, Pod", runtime.ContentTypeProtobuf, podProtobuf, "Pod"},
		{"protobuf, 1.16 form", runtime.ContentTypeProtobuf, legacyProtobuf, "EphemeralContainers"},
		{"protobuf without the magic prefix", runtime.ContentTypeProtobuf, podProtobuf[4:], ""},
		{"protobuf, truncated envelope", runtime.ContentTypeProtobuf, podProtobuf[:7], ""},
		{"JSON sent as protobuf", runtime.ContentTypeProtobuf, []byte(legacyJSON), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kindOf(tc.mediaType, tc.body); got != tc.want {
				t.Errorf("kindOf(%q, %q) = %q, want %q", tc.mediaType, tc.body, got, tc.want)
			}
		})
	}
}

// The 1.16 type has no protobuf marshalling (the staging module generates
// none), so the protobuf serializer refuses to encode it: that is
// why the 1.16 form offers JSON and YAML only, and answers a protobuf-only
// Accept with 406 and a protobuf body with 415. A client's protobuf body in
// that form is the envelope TestKindOf builds by hand. If the type gains
// protobuf marshalling this test fails: then kindOf must be checked against
// what the serializer writes, and the 406 and 415 answers revisited.
func TestEphemeralContainersHaveNoProtobufEncoding(t *testing.T) {
	info, ok := runtime.SerializerInfoForMediaType(codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		t.Fatal("no protobuf serializer")
	}
	var buf bytes.Buffer
	err := codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion).Encode(&legacyv1.EphemeralContainers{}, &buf)
	if err == nil {
		t.Fatalf("EphemeralContainers encoded as protobuf (%d bytes, kind %q); the 1.16 form's media types must be revisited", buf.Len(), kindOf(runtime.ContentTypeProtobuf, buf.Bytes()))
	}
	if !strings.Contains(err.Error(), "does not implement the protobuf marshalling interface") {
		t.Errorf("encode error = %v, want the serializer's refusal of a type without protobuf marshalling", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a refused encode wrote %d bytes", buf.Len())
	}
}

func TestJSONPatchIsLegacyForm(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch string
		want  bool
	}{
		{"append, kubectl 1.22+ fallback", `[{"op":"add","path":"/ephemeralContainers/-","value":{"name":"d"}}]`, true},
		{"replace the list", `[{"op":"replace","path":"/ephemeralContainers","value":[]}]`, true},
		{"with a test of the resourceVersion", `[{"op":"test","path":"/metadata/resourceVersion","value":"5"},{"op":"add","path":"/ephemeralContainers/-","value":{}}]`, true},
		{"kind and apiVersion ops do not decide", `[{"op":"test","path":"/kind","value":"EphemeralContainers"},{"op":"test","path":"/apiVersion","value":"v1"},{"op":"add","path":"/ephemeralContainers/0","value":{}}]`, true},
		{"Pod form", `[{"op":"add","path":"/spec/ephemeralContainers/-","value":{}}]`, false},
		{"Pod form, whole list", `[{"op":"add","path":"/spec/ephemeralContainers","value":[]}]`, false},
		{"mixed forms go to the Pod form", `[{"op":"add","path":"/ephemeralContainers/-","value":{}},{"op":"add","path":"/spec/ephemeralContainers/-","value":{}}]`, false},
		{"metadata only", `[{"op":"add","path":"/metadata/labels","value":{}}]`, false},
		{"status", `[{"op":"add","path":"/status/phase","value":"Running"}]`, false},
		{"no ops", `[]`, false},
		{"not a JSON patch", `{"ephemeralContainers":[]}`, false},
		{"malformed", `[{`, false},
		{"key prefix is not the key", `[{"op":"add","path":"/ephemeralContainersX/-","value":{}}]`, false},
		{"path without leading slash", `[{"op":"add","path":"ephemeralContainers/-","value":{}}]`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := jsonPatchIsLegacyForm([]byte(tc.patch)); got != tc.want {
				t.Errorf("jsonPatchIsLegacyForm(%s) = %v, want %v", tc.patch, got, tc.want)
			}
		})
	}
}

func TestMergePatchIsLegacyForm(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch string
		want  bool
	}{
		{"list at the top level", `{"ephemeralContainers":[{"name":"d"}]}`, true},
		{"with metadata", `{"metadata":{"resourceVersion":"5"},"ephemeralContainers":[]}`, true},
		{"null list", `{"ephemeralContainers":null}`, true},
		{"SMP directive beside the list", `{"$setElementOrder/ephemeralContainers":[{"name":"a"}],"ephemeralContainers":[{"name":"b"}]}`, true},
		{"Pod form", `{"spec":{"ephemeralContainers":[{"name":"d"}]}}`, false},
		{"Pod form with label strip, kubectl profiles", `{"metadata":{"labels":null},"spec":{"ephemeralContainers":[]}}`, false},
		{"both: spec decides for the Pod form", `{"ephemeralContainers":[],"spec":{}}`, false},
		{"metadata only", `{"metadata":{"labels":{"a":"b"}}}`, false},
		{"empty", `{}`, false},
		{"a JSON array", `[{"ephemeralContainers":[]}]`, false},
		{"malformed", `{"ephemeralContainers":`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergePatchIsLegacyForm([]byte(tc.patch)); got != tc.want {
				t.Errorf("mergePatchIsLegacyForm(%s) = %v, want %v", tc.patch, got, tc.want)
			}
		})
	}
}

func TestBodyIsLegacyForm(t *testing.T) {
	podProtobuf := protobufOf(t, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}})
	legacyProtobuf := protobufEnvelope(t, "EphemeralContainers", nil)
	const (
		jsonPatch  = string(types.JSONPatchType)
		mergePatch = string(types.MergePatchType)
		smp        = string(types.StrategicMergePatchType)
		apply      = string(types.ApplyYAMLPatchType)
		applyCBOR  = string(types.ApplyCBORPatchType)
	)
	for _, tc := range []struct {
		name, method, contentType, body string
		want                            bool
	}{
		{"PUT JSON, 1.16 form", http.MethodPut, runtime.ContentTypeJSON, legacyJSON, true},
		{"PUT JSON with charset", http.MethodPut, "application/json; charset=utf-8", legacyJSON, true},
		{"PUT JSON, Pod", http.MethodPut, runtime.ContentTypeJSON, podJSON, false},
		{"PUT JSON without kind is the Pod form", http.MethodPut, runtime.ContentTypeJSON, `{"metadata":{"name":"p"},"ephemeralContainers":[]}`, false},
		{"PUT YAML, 1.16 form", http.MethodPut, runtime.ContentTypeYAML, legacyYAML, true},
		{"PUT YAML, Pod", http.MethodPut, runtime.ContentTypeYAML, podYAML, false},
		{"PUT protobuf, 1.16 form", http.MethodPut, runtime.ContentTypeProtobuf, string(legacyProtobuf), true},
		{"PUT protobuf, Pod", http.MethodPut, runtime.ContentTypeProtobuf, string(podProtobuf), false},
		{"PUT without Content-Type is read as JSON", http.MethodPut, "", legacyJSON, true},
		{"PUT with an unparsable Content-Type", http.MethodPut, "application/json;;", legacyJSON, true},
		{"PUT malformed", http.MethodPut, runtime.ContentTypeJSON, `{bad`, false},
		{"PUT of a JSON patch body is read by kind", http.MethodPut, jsonPatch, `[{"op":"add","path":"/ephemeralContainers/-"}]`, false},
		{"apply, 1.16 form", http.MethodPatch, apply, legacyYAML, true},
		{"apply, 1.16 form in JSON", http.MethodPatch, apply, legacyJSON, true},
		{"apply, Pod", http.MethodPatch, apply, podYAML, false},
		{"apply CBOR is left to the Pod form", http.MethodPatch, applyCBOR, legacyJSON, false},
		{"JSON patch, 1.16 form", http.MethodPatch, jsonPatch, `[{"op":"add","path":"/ephemeralContainers/-","value":{}}]`, true},
		{"JSON patch, Pod", http.MethodPatch, jsonPatch, `[{"op":"add","path":"/spec/ephemeralContainers/-","value":{}}]`, false},
		{"merge patch, 1.16 form", http.MethodPatch, mergePatch, `{"ephemeralContainers":[]}`, true},
		{"merge patch, Pod", http.MethodPatch, mergePatch, `{"spec":{"ephemeralContainers":[]}}`, false},
		{"SMP, 1.16 form", http.MethodPatch, smp, `{"ephemeralContainers":[]}`, true},
		{"SMP, Pod (kubectl 1.22+; never the fallback)", http.MethodPatch, smp, `{"spec":{"ephemeralContainers":[]}}`, false},
		{"SMP with charset", http.MethodPatch, smp + "; charset=utf-8", `{"ephemeralContainers":[]}`, true},
		{"PATCH with a 1.16 body and a JSON Content-Type", http.MethodPatch, runtime.ContentTypeJSON, legacyJSON, false},
		{"PATCH without Content-Type", http.MethodPatch, "", `{"ephemeralContainers":[]}`, false},
		{"POST", http.MethodPost, runtime.ContentTypeJSON, legacyJSON, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bodyIsLegacyForm(tc.method, tc.contentType, []byte(tc.body)); got != tc.want {
				t.Errorf("bodyIsLegacyForm(%s, %q, %q) = %v, want %v", tc.method, tc.contentType, tc.body, got, tc.want)
			}
		})
	}
}

func TestWithoutLegacyFormParameter(t *testing.T) {
	for _, tc := range []struct {
		name, accept, want string
		asked              bool
	}{
		{"documented form", "application/json;as=EphemeralContainers;v=v1;g=", "application/json", true},
		{"spaces after semicolons", "application/json; as=EphemeralContainers; v=v1; g=", "application/json", true},
		{"parameter only", "application/json;as=EphemeralContainers", "application/json", true},
		{"protobuf", "application/vnd.kubernetes.protobuf;as=EphemeralContainers;v=v1;g=", "application/vnd.kubernetes.protobuf", true},
		{"with a fallback range", "application/json;as=EphemeralContainers;v=v1;g=, application/json", "application/json, application/json", true},
		{"second range asks", "application/yaml, application/json;as=EphemeralContainers;v=v1;g=", "application/yaml,application/json", true},
		{"Table is not the 1.16 form", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", false},
		{"Table range kept beside a 1.16 range", "application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=EphemeralContainers", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", true},
		{"plain JSON", "application/json", "application/json", false},
		{"empty", "", "", false},
		{"the string in a media type is not the parameter", "application/as=EphemeralContainers", "application/as=EphemeralContainers", false},
		{"other value", "application/json;as=EphemeralContainersList", "application/json;as=EphemeralContainersList", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, asked := withoutLegacyFormParameter(tc.accept)
			if got != tc.want || asked != tc.asked {
				t.Errorf("withoutLegacyFormParameter(%q) = %q, %v; want %q, %v", tc.accept, got, asked, tc.want, tc.asked)
			}
		})
	}
}

func TestGetWantsLegacyForm(t *testing.T) {
	const (
		kubectl120  = "kubectl/v1.20.2 (linux/amd64) kubernetes/faecb19"
		kubectl116  = "kubectl/v1.16.0 (linux/amd64) kubernetes/2bd9643"
		kubectl121  = "kubectl/v1.21.14 (darwin/arm64) kubernetes/0f77da5"
		kubectl122  = "kubectl/v1.22.0 (linux/amd64) kubernetes/c2b5237"
		kubectl115  = "kubectl/v1.15.12 (linux/amd64) kubernetes/e2a822d"
		kubectl132  = "kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd"
		kubectl12   = "kubectl/v1.2.0 (linux/amd64) kubernetes/abc"
		clientGo    = "e2e.test/v0.0.0 (linux/amd64) kubernetes/$Format"
		legacyJSONA = "application/json;as=EphemeralContainers;v=v1;g="
	)
	for _, tc := range []struct {
		name         string
		mode         GetForm
		userAgent    string
		accept       string
		want         bool
		wantAcceptIs string
	}{
		{"auto: plain client gets the Pod", GetFormAuto, clientGo, "application/json", false, "application/json"},
		{"auto: Accept asks for the 1.16 form", GetFormAuto, clientGo, legacyJSONA, true, "application/json"},
		{"auto: kubectl 1.16", GetFormAuto, kubectl116, "application/json", true, "application/json"},
		{"auto: kubectl 1.20", GetFormAuto, kubectl120, "application/json, */*", true, "application/json, */*"},
		{"auto: kubectl 1.21", GetFormAuto, kubectl121, "", true, ""},
		{"auto: kubectl 1.15 predates the subresource", GetFormAuto, kubectl115, "", false, ""},
		{"auto: kubectl 1.22 speaks Pod", GetFormAuto, kubectl122, "", false, ""},
		{"auto: kubectl 1.32 speaks Pod", GetFormAuto, kubectl132, "", false, ""},
		{"auto: kubectl 1.2 is not 1.20", GetFormAuto, kubectl12, "", false, ""},
		{"auto: user agent must start with kubectl", GetFormAuto, "my-tool kubectl/v1.20.2", "", false, ""},
		{"auto: kubectl 1.20 kept as kubectl-1.20", GetFormAuto, "kubectl-1.20/v1.20.2 (linux/amd64) kubernetes/faecb19", "", true, ""},
		{"auto: kubectl 1.21 kept as kubectl1.21", GetFormAuto, "kubectl1.21/v1.21.14 (linux/amd64) kubernetes/0f77da5", "", true, ""},
		{"auto: kubectl 1.19 on Windows", GetFormAuto, "kubectl.exe/v1.19.16 (windows/amd64) kubernetes/e37e4ab", "", true, ""},
		{"auto: kubectl 1.20 build without a version tail", GetFormAuto, "kubectl/v1.20.2", "", false, ""},
		{"auto: a plugin with a kubectl-like version", GetFormAuto, "kubectl-neat/v1.20.0", "", false, ""},
		{"auto: kubectl 1.32 kept as kubectl-1.20", GetFormAuto, "kubectl-1.20/v1.32.4 (linux/amd64) kubernetes/59526cd", "", false, ""},
		{"auto: kubectl 1.32 asking for the 1.16 form", GetFormAuto, kubectl132, legacyJSONA, true, "application/json"},
		{"unset mode behaves as auto", "", kubectl120, "", true, ""},
		{"unset mode, plain client", "", clientGo, "application/json", false, "application/json"},
		{"pod: kubectl 1.20 still gets the Pod", GetFormPod, kubectl120, "application/json", false, "application/json"},
		{"pod: Accept parameter is left alone, so negotiation answers 406", GetFormPod, clientGo, legacyJSONA, false, legacyJSONA},
		{"legacy: plain client gets the 1.16 form", GetFormLegacy, clientGo, "application/json", true, "application/json"},
		{"legacy: kubectl 1.32 gets the 1.16 form", GetFormLegacy, kubectl132, "application/json", true, "application/json"},
		{"legacy: the Accept parameter is stripped as in auto", GetFormLegacy, clientGo, legacyJSONA, true, "application/json"},
		{"pod: a YAML Accept parameter is left alone too", GetFormPod, kubectl120, "application/yaml;as=EphemeralContainers", false, "application/yaml;as=EphemeralContainers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &router{getForm: tc.mode}
			req := httptest.NewRequest(http.MethodGet, "/api/v1/namespaces/default/pods/p/ephemeralcontainers", nil)
			req.Header.Set("User-Agent", tc.userAgent)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			if got := r.getWantsLegacyForm(req); got != tc.want {
				t.Errorf("getWantsLegacyForm = %v, want %v", got, tc.want)
			}
			if got := req.Header.Get("Accept"); got != tc.wantAcceptIs {
				t.Errorf("Accept after routing = %q, want %q", got, tc.wantAcceptIs)
			}
		})
	}
}

func TestPeekBody(t *testing.T) {
	body := []byte(legacyJSON)

	t.Run("restores the body it read", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPut, "/", bytes.NewReader(body))
		got, ok := PeekBody(req, 1<<20)
		if !ok || !bytes.Equal(got, body) {
			t.Fatalf("PeekBody = %q, %v", got, ok)
		}
		rest, err := io.ReadAll(req.Body)
		if err != nil || !bytes.Equal(rest, body) {
			t.Errorf("body after peek = %q, %v; want it whole", rest, err)
		}
		if err := req.Body.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	t.Run("accepts a body of exactly the limit", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPut, "/", bytes.NewReader(body))
		if got, ok := PeekBody(req, int64(len(body))); !ok || !bytes.Equal(got, body) {
			t.Errorf("PeekBody = %q, %v", got, ok)
		}
	})

	t.Run("bails out on an oversized body and still restores it", func(t *testing.T) {
		large := bytes.Repeat([]byte("x"), 100)
		req := httptest.NewRequest(http.MethodPut, "/", bytes.NewReader(large))
		if got, ok := PeekBody(req, 10); ok || got != nil {
			t.Fatalf("PeekBody = %q, %v; want nothing", got, ok)
		}
		rest, err := io.ReadAll(req.Body)
		if err != nil || !bytes.Equal(rest, large) {
			t.Errorf("body after peek = %d bytes, %v; want all %d", len(rest), err, len(large))
		}
	})

	t.Run("reads no more than the limit plus one", func(t *testing.T) {
		counting := &countingReader{r: bytes.NewReader(bytes.Repeat([]byte("x"), 1000))}
		req := httptest.NewRequest(http.MethodPut, "/", counting)
		PeekBody(req, 10)
		if counting.n > 11+512 { // io.ReadAll reads in chunks, LimitReader caps at 11
			t.Errorf("read %d bytes of the body", counting.n)
		}
		if counting.n < 11 {
			t.Errorf("read only %d bytes", counting.n)
		}
	})

	t.Run("no body", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPut, "/", nil)
		req.Body = nil
		if _, ok := PeekBody(req, 10); ok {
			t.Error("PeekBody of a nil body reported a body")
		}
	})

	t.Run("read error", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPut, "/", io.MultiReader(strings.NewReader("{"), errReader{}))
		if _, ok := PeekBody(req, 1<<20); ok {
			t.Error("PeekBody reported a body it could not read")
		}
	})
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// recorder is a handler that notes it was called and what body it saw.
type recorder struct {
	called bool
	body   []byte
	accept string
}

func (h *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	h.called = true
	h.accept = req.Header.Get("Accept")
	if req.Body != nil {
		h.body, _ = io.ReadAll(req.Body)
	}
}

// TestServeHTTP checks the whole decision, request info included: only
// pods/ephemeralcontainers of a named pod in the core group is ever routed
// to the 1.16 handlers.
func TestServeHTTP(t *testing.T) {
	ecInfo := request.RequestInfo{IsResourceRequest: true, APIVersion: "v1", Namespace: "default", Resource: "pods", Subresource: "ephemeralcontainers", Name: "p"}
	withInfo := func(edit func(*request.RequestInfo)) *request.RequestInfo {
		info := ecInfo
		if edit != nil {
			edit(&info)
		}
		return &info
	}
	for _, tc := range []struct {
		name        string
		info        *request.RequestInfo
		method      string
		contentType string
		accept      string
		body        string
		mode        GetForm
		maxPeek     int64
		wantLegacy  bool
	}{
		{name: "PUT 1.16 form", info: withInfo(nil), method: http.MethodPut, contentType: "application/json", body: legacyJSON, wantLegacy: true},
		{name: "PUT Pod", info: withInfo(nil), method: http.MethodPut, contentType: "application/json", body: podJSON},
		{name: "PUT 1.16 form asking for it in Accept", info: withInfo(nil), method: http.MethodPut, contentType: "application/json", accept: "application/json;as=EphemeralContainers;v=v1;g=", body: legacyJSON, wantLegacy: true},
		{name: "PUT Pod asking for the 1.16 form in Accept: the body decides", info: withInfo(nil), method: http.MethodPut, contentType: "application/json", accept: "application/json;as=EphemeralContainers;v=v1;g=", body: podJSON},
		{name: "PATCH JSON patch 1.16 form", info: withInfo(nil), method: http.MethodPatch, contentType: string(types.JSONPatchType), body: `[{"op":"add","path":"/ephemeralContainers/-","value":{}}]`, wantLegacy: true},
		{name: "GET with the Accept parameter", info: withInfo(nil), method: http.MethodGet, accept: "application/json;as=EphemeralContainers;v=v1;g=", wantLegacy: true},
		{name: "GET plain", info: withInfo(nil), method: http.MethodGet, accept: "application/json"},
		{name: "GET in legacy mode", info: withInfo(nil), method: http.MethodGet, mode: GetFormLegacy, wantLegacy: true},
		{name: "DELETE goes to the Pod form's 405", info: withInfo(nil), method: http.MethodDelete, mode: GetFormLegacy},
		{name: "POST goes to the Pod form's 405", info: withInfo(nil), method: http.MethodPost, contentType: "application/json", body: legacyJSON},
		{name: "PUT 1.16 form beyond the peek limit", info: withInfo(nil), method: http.MethodPut, contentType: "application/json", body: legacyJSON, maxPeek: 10},
		{name: "no request info", method: http.MethodPut, contentType: "application/json", body: legacyJSON},
		{name: "not a resource request", info: withInfo(func(i *request.RequestInfo) { i.IsResourceRequest = false }), method: http.MethodPut, body: legacyJSON},
		{name: "pods/status", info: withInfo(func(i *request.RequestInfo) { i.Subresource = "status" }), method: http.MethodPut, body: legacyJSON},
		{name: "the pod itself", info: withInfo(func(i *request.RequestInfo) { i.Subresource = "" }), method: http.MethodPut, body: legacyJSON},
		{name: "no name", info: withInfo(func(i *request.RequestInfo) { i.Name = "" }), method: http.MethodPut, body: legacyJSON},
		{name: "another group", info: withInfo(func(i *request.RequestInfo) { i.APIGroup = "example.com" }), method: http.MethodPut, body: legacyJSON},
		{name: "another resource", info: withInfo(func(i *request.RequestInfo) { i.Resource = "podtemplates" }), method: http.MethodPut, body: legacyJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			modern, legacy := &recorder{}, &recorder{}
			r := &router{api: modern, legacy: legacy, getForm: tc.mode, maxPeekBytes: 1 << 20}
			if tc.maxPeek != 0 {
				r.maxPeekBytes = tc.maxPeek
			}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req := httptest.NewRequest(tc.method, "/api/v1/namespaces/default/pods/p/ephemeralcontainers", body)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			if tc.info != nil {
				req = req.WithContext(request.WithRequestInfo(req.Context(), tc.info))
			}
			r.ServeHTTP(httptest.NewRecorder(), req)

			served := modern
			if tc.wantLegacy {
				served = legacy
			}
			if !served.called || modern.called == legacy.called {
				t.Fatalf("modern called %v, legacy called %v; want legacy=%v", modern.called, legacy.called, tc.wantLegacy)
			}
			if string(served.body) != tc.body {
				t.Errorf("handler saw body %q, want %q", served.body, tc.body)
			}
			if tc.mode != GetFormPod && strings.Contains(served.accept, "as=EphemeralContainers") {
				t.Errorf("handler saw Accept %q with the routing parameter", served.accept)
			}
		})
	}
}
