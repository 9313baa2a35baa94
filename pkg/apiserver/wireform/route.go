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
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/endpoints/request"
	"sigs.k8s.io/yaml"
)

// router serves pods/ephemeralcontainers in the form each request speaks:
// requests in the 1.16 form go to that form's handlers, everything else to
// the server's API handlers, the Pod form's among them. It sits inside the
// generic filters (authentication, authorization, audit, limits), which
// see one subresource whatever the form; it only picks the handlers that
// decode and encode.
type router struct {
	// api is the server's API handler, which serves the Pod form.
	api http.Handler
	// legacy serves the same paths with the 1.16 form's storage.
	legacy  http.Handler
	getForm GetForm
	// maxPeekBytes bounds how much of a body is read to find its form;
	// larger bodies go on to be refused by the Pod form's handlers.
	maxPeekBytes int64
}

func (r *router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	info, ok := request.RequestInfoFrom(req.Context())
	if !ok || !info.IsResourceRequest || info.APIGroup != "" || info.Resource != "pods" ||
		info.Subresource != "ephemeralcontainers" || info.Name == "" {
		r.api.ServeHTTP(w, req)
		return
	}
	if r.isLegacyForm(req) {
		r.legacy.ServeHTTP(w, req)
		return
	}
	r.api.ServeHTTP(w, req)
}

// isLegacyForm tells which form a request on the subresource speaks. A body
// that cannot be read or parsed is left to the Pod form's handlers, which
// answer it with the usual Status error.
func (r *router) isLegacyForm(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet:
		return r.getWantsLegacyForm(req)
	case http.MethodPut, http.MethodPatch:
		// The body chooses a write's form; a client that asks every request
		// for the 1.16 form (a typed client's AcceptContentTypes) must not
		// get 406 for it.
		if accept, asked := withoutLegacyFormParameter(req.Header.Get("Accept")); asked {
			req.Header.Set("Accept", accept)
		}
		body, ok := PeekBody(req, r.maxPeekBytes)
		if !ok {
			return false
		}
		return bodyIsLegacyForm(req.Method, req.Header.Get("Content-Type"), body)
	default:
		return false
	}
}

func (r *router) getWantsLegacyForm(req *http.Request) bool {
	if r.getForm == GetFormPod {
		// As upstream 1.22+: a client asking for the 1.16 form gets 406.
		return false
	}
	if accept, asked := withoutLegacyFormParameter(req.Header.Get("Accept")); asked {
		// The handlers negotiate on plain media types; the parameter only
		// chose the form. Stripped in legacy mode too, or it would be 406.
		req.Header.Set("Accept", accept)
		return true
	}
	return r.getForm == GetFormLegacy || oldKubectl.MatchString(req.UserAgent())
}

// withoutLegacyFormParameter removes the parameters of a media range that
// asks for the 1.16 form, and reports whether one did. The parameters are
// matched by hand: "g=" (the core group) is not valid for mime.ParseMediaType.
func withoutLegacyFormParameter(accept string) (string, bool) {
	if !strings.Contains(accept, LegacyFormAcceptParameter) {
		return accept, false
	}
	ranges := strings.Split(accept, ",")
	asked := false
	for i, mediaRange := range ranges {
		parts := strings.Split(mediaRange, ";")
		for _, param := range parts[1:] {
			if strings.TrimSpace(param) == LegacyFormAcceptParameter {
				asked = true
				ranges[i] = strings.TrimSpace(parts[0])
				break
			}
		}
	}
	return strings.Join(ranges, ","), asked
}

// peekBody reads up to maxBytes of the body and puts it all back for the
// handler that serves it; a larger or unreadable body is not returned.
func PeekBody(req *http.Request, maxBytes int64) ([]byte, bool) {
	if req.Body == nil {
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBytes+1))
	req.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), req.Body), req.Body}
	if err != nil || int64(len(body)) > maxBytes {
		return nil, false
	}
	return body, true
}

// bodyIsLegacyForm decides by the body: PUT and apply by its kind, a JSON
// patch by its paths, merge and strategic merge patches by their top-level
// keys.
func bodyIsLegacyForm(method, contentType string, body []byte) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = contentType
	}
	switch {
	case method == http.MethodPut:
		return kindOf(mediaType, body) == "EphemeralContainers"
	case mediaType == string(types.ApplyYAMLPatchType):
		return kindOf(runtime.ContentTypeYAML, body) == "EphemeralContainers"
	case mediaType == string(types.JSONPatchType):
		return jsonPatchIsLegacyForm(body)
	case mediaType == string(types.MergePatchType), mediaType == string(types.StrategicMergePatchType):
		return mergePatchIsLegacyForm(body)
	}
	return false
}

// kindOf returns the kind a body declares, or "" when it declares none.
func kindOf(mediaType string, body []byte) string {
	var typeMeta struct {
		Kind string `json:"kind"`
	}
	switch mediaType {
	case runtime.ContentTypeProtobuf:
		return protobufKind(body)
	case runtime.ContentTypeYAML:
		if err := yaml.Unmarshal(body, &typeMeta); err != nil {
			return ""
		}
	default:
		if err := json.Unmarshal(body, &typeMeta); err != nil {
			return ""
		}
	}
	return typeMeta.Kind
}

// protobufKind reads the kind from the envelope of a Kubernetes protobuf
// message: a magic prefix, then a runtime.Unknown carrying the TypeMeta.
func protobufKind(body []byte) string {
	magic := []byte{0x6b, 0x38, 0x73, 0x00}
	if !bytes.HasPrefix(body, magic) {
		return ""
	}
	var unknown runtime.Unknown
	if err := unknown.Unmarshal(body[len(magic):]); err != nil {
		return ""
	}
	return unknown.Kind
}

// jsonPatchIsLegacyForm: a JSON patch in the 1.16 form addresses the list at
// the top level, "/ephemeralContainers/-"; in the Pod form it is under /spec.
func jsonPatchIsLegacyForm(body []byte) bool {
	var ops []struct {
		Path string `json:"path"`
	}
	if err := json.Unmarshal(body, &ops); err != nil {
		return false
	}
	legacy := false
	for _, op := range ops {
		switch topLevelKey(op.Path) {
		case "ephemeralContainers":
			legacy = true
		case "metadata", "kind", "apiVersion":
		default:
			return false
		}
	}
	return legacy
}

func topLevelKey(pointer string) string {
	key := strings.TrimPrefix(pointer, "/")
	if i := strings.IndexByte(key, '/'); i >= 0 {
		key = key[:i]
	}
	return key
}

// mergePatchIsLegacyForm: the 1.16 form has the list at the top level, and
// no spec.
func mergePatchIsLegacyForm(body []byte) bool {
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(body, &patch); err != nil {
		return false
	}
	_, hasList := patch["ephemeralContainers"]
	_, hasSpec := patch["spec"]
	return hasList && !hasSpec
}
