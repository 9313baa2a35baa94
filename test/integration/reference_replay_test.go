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
package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// The reference is the upstream kube-apiserver v1.37.2 run described in
// test/testdata/reference/README.md: every AlwaysAllow case of index.tsv, in order,
// against one fresh server. We replay the same requests against ours and
// expect the same status, body and Warning header, after normalising what
// must differ between two servers.

// deliberateDifferences are cases we do not replay, with the reason.
var deliberateDifferences = map[string]string{
	"05-c1-put-legacy-EphemeralContainers":      "a PUT of kind EphemeralContainers is served in the 1.16 form here, where upstream 1.22+ answers 400 (legacy_form_test.go)",
	"06-c2-put-legacy-on-pod-without-ephemeral": "a PUT of kind EphemeralContainers is served in the 1.16 form here, where upstream 1.22+ answers 400 (legacy_form_test.go)",
	"07-c3-patch-smp-legacy-body":               "a strategic merge patch with the list at the top level is the 1.16 form here and answers kind EphemeralContainers, where upstream ignores the key and answers the Pod unchanged (legacy_form_test.go)",
	"09-c5-patch-merge-legacy-body":             "a merge patch with the list at the top level is the 1.16 form here and is applied, where upstream answers 422 (legacy_form_test.go)",
}

// referenceCase is one row of index.tsv with its captured files.
type referenceCase struct {
	Name, Method, Path, ContentType string
	Status                          int
	RequestFile                     string // empty when the request had no body
	ResponseFile                    string
	Warnings                        []string
}

// referenceDir is the captured run of upstream kube-apiserver committed in
// test/testdata/reference, or $EPHEMERAL_REFERENCE_DIR to replay another.
func referenceDir() string {
	if dir := os.Getenv("EPHEMERAL_REFERENCE_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("..", "testdata", "reference")
}

// loadReferenceCases reads dir's index.tsv: the rows whose case name starts
// with prefix, a digit for the AlwaysAllow run, "r" for the RBAC run in rbac/.
func loadReferenceCases(dir string, prefix func(byte) bool) ([]referenceCase, error) {
	f, err := os.Open(filepath.Join(dir, "index.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []referenceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || cols[0] == "case" || cols[0] == "" || !prefix(cols[0][0]) {
			continue
		}
		status, err := strconv.Atoi(cols[4])
		if err != nil {
			return nil, fmt.Errorf("%s: status %q: %v", cols[0], cols[4], err)
		}
		c := referenceCase{Name: cols[0], Method: cols[1], Path: cols[2], ContentType: cols[3], Status: status,
			ResponseFile: filepath.Join(dir, cols[0]+".resp.json")}
		for _, ext := range []string{".req.json", ".req.yaml"} {
			if _, err := os.Stat(filepath.Join(dir, c.Name+ext)); err == nil {
				c.RequestFile = filepath.Join(dir, c.Name+ext)
			}
		}
		if c.Warnings, err = capturedWarnings(filepath.Join(dir, c.Name+".resp.headers")); err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// capturedWarnings returns the values of the Warning headers curl saw.
func capturedWarnings(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if ok && strings.EqualFold(name, "warning") {
			out = append(out, strings.TrimSpace(value))
		}
	}
	return out, nil
}

var _ = Describe("Replaying upstream kube-apiserver's captured responses", Label("ephemeral", "reference"), Ordered, ContinueOnFailure, func() {
	dir := referenceDir()
	cases, err := loadReferenceCases(dir, func(b byte) bool { return b >= '0' && b <= '9' })
	if err != nil {
		It("reads index.tsv", func() { Fail(err.Error()) })
		return
	}

	var (
		api *rawAPI
		// Upstream's uids and resourceVersions in request bodies are
		// translated to ours, learnt from the responses as we go.
		uids, rvs map[string]string
	)
	BeforeAll(func() {
		api = newRawAPI(startServer(framework.ServerConfig{FeatureGates: map[string]bool{"EphemeralContainers": true}}))
		uids, rvs = map[string]string{}, map[string]string{}
	})

	for _, c := range cases {
		It(fmt.Sprintf("%s: %s %s answers %d", c.Name, c.Method, c.Path, c.Status), func(ctx context.Context) {
			if reason, ok := deliberateDifferences[c.Name]; ok {
				Skip("deliberate difference from upstream: " + reason)
			}
			replayReferenceCase(ctx, api, c, uids, rvs)
		})
	}
})

// replayReferenceCase sends c's request with api and compares our response
// with upstream's, normalised.
// authorizationPropagation bounds how long a replayed request refused with
// 403 is asked again when upstream did not refuse it.
const authorizationPropagation = 5 * time.Second

func replayReferenceCase(ctx context.Context, api *rawAPI, c referenceCase, uids, rvs map[string]string) {
	GinkgoHelper()
	var body []byte
	if c.RequestFile != "" {
		var err error
		body, err = os.ReadFile(c.RequestFile)
		Expect(err).NotTo(HaveOccurred())
		body = translateIdentity(body, uids, rvs)
	}
	upstreamBody, err := os.ReadFile(c.ResponseFile)
	Expect(err).NotTo(HaveOccurred())
	var upstream, ours interface{}
	Expect(json.Unmarshal(upstreamBody, &upstream)).To(Succeed())
	if c.Method == http.MethodPost && c.Status == http.StatusCreated {
		body = emulateServiceAccountAdmission(body, upstream)
	}

	By(fmt.Sprintf("sending %s %s", c.Method, c.Path))
	res := api.Do(ctx, c.Method, c.Path, c.ContentType, body)
	// A grant made by the case before reaches the authorizer through its
	// informers a moment later, on any server: a refusal where upstream
	// answered otherwise is asked again, briefly. Nothing was written by a
	// refused request, so sending it again is safe.
	for deadline := time.Now().Add(authorizationPropagation); res.Code == http.StatusForbidden && c.Status != http.StatusForbidden && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		res = api.Do(ctx, c.Method, c.Path, c.ContentType, body)
	}

	Expect(json.Unmarshal(res.Body, &ours)).To(Succeed(), "our body is not JSON: %s", res.Body)
	learnIdentity(upstream, ours, uids, rvs)

	By("comparing the status code")
	Expect(res.Code).To(Equal(c.Status), "our body: %s", res.Body)

	By("comparing the normalised bodies")
	want, got := normaliseReference(upstream), normaliseReference(ours)
	if diff := cmp.Diff(want, got); diff != "" {
		Fail(fmt.Sprintf("body differs from upstream (-upstream +ours):\n%s\nupstream, normalised:\n%s\nours, normalised:\n%s",
			diff, indentJSON(want), indentJSON(got)))
	}

	if len(c.Warnings) > 0 {
		By("comparing the Warning header")
		Expect(res.Header.Values("Warning")).To(Equal(c.Warnings))
	}
}

// translateIdentity rewrites metadata.uid and metadata.resourceVersion of a
// JSON request body from upstream's values to ours. Other bodies (patches,
// YAML) carry neither and are sent as they are.
func translateIdentity(body []byte, uids, rvs map[string]string) []byte {
	GinkgoHelper()
	var obj map[string]interface{}
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	meta, ok := obj["metadata"].(map[string]interface{})
	if !ok {
		return body
	}
	for key, known := range map[string]map[string]string{"uid": uids, "resourceVersion": rvs} {
		if v, ok := meta[key].(string); ok {
			ours, ok := known[v]
			Expect(ok).To(BeTrue(), "request %s %q was never seen in an upstream response", key, v)
			meta[key] = ours
		}
	}
	out, err := json.Marshal(obj)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// emulateServiceAccountAdmission adds to a created pod the service account,
// kube-api-access volume and mounts upstream's ServiceAccount admission
// added, under upstream's names: later requests mount that volume into
// ephemeral containers. Normalisation removes them again from every response.
func emulateServiceAccountAdmission(body []byte, upstream interface{}) []byte {
	GinkgoHelper()
	var req map[string]interface{}
	Expect(json.Unmarshal(body, &req)).To(Succeed())
	created, _ := upstream.(map[string]interface{})["spec"].(map[string]interface{})
	spec, _ := req["spec"].(map[string]interface{})
	if created == nil || spec == nil {
		return body
	}
	for _, key := range []string{"serviceAccountName", "serviceAccount"} {
		if v, ok := created[key]; ok {
			spec[key] = v
		}
	}
	for _, v := range listOf(created, "volumes") {
		if isAPIAccess(v.(map[string]interface{})["name"]) {
			spec["volumes"] = append(listOf(spec, "volumes"), v)
		}
	}
	for _, kind := range []string{"containers", "initContainers"} {
		createdContainers, containers := listOf(created, kind), listOf(spec, kind)
		for i := range containers {
			if i >= len(createdContainers) {
				break
			}
			c, cc := containers[i].(map[string]interface{}), createdContainers[i].(map[string]interface{})
			for _, m := range listOf(cc, "volumeMounts") {
				if isAPIAccess(m.(map[string]interface{})["name"]) {
					c["volumeMounts"] = append(listOf(c, "volumeMounts"), m)
				}
			}
		}
	}
	out, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	return out
}

func listOf(obj map[string]interface{}, key string) []interface{} {
	list, _ := obj[key].([]interface{})
	return list
}

// learnIdentity records which of our uids and resourceVersions stand for
// upstream's, from two responses for the same object.
func learnIdentity(upstream, ours interface{}, uids, rvs map[string]string) {
	um, om := metadataOf(upstream), metadataOf(ours)
	if um == nil || om == nil || um["name"] != om["name"] {
		return
	}
	for key, known := range map[string]map[string]string{"uid": uids, "resourceVersion": rvs} {
		if u, ok := um[key].(string); ok {
			if o, ok := om[key].(string); ok {
				known[u] = o
			}
		}
	}
}

func metadataOf(obj interface{}) map[string]interface{} {
	m, ok := obj.(map[string]interface{})
	if !ok {
		return nil
	}
	meta, _ := m["metadata"].(map[string]interface{})
	return meta
}

var schemeLocation = regexp.MustCompile(`in scheme "[^"]*"`)

// Added by upstream's admission plugins (ServiceAccount, DefaultTolerationSeconds,
// Priority), which this server does not run.
var admissionSpecFields = []string{"priority", "preemptionPolicy", "serviceAccountName", "serviceAccount"}

// normaliseReference returns a copy of a response body without what must
// differ between the two servers: uids, resourceVersions, timestamps,
// upstream's admission additions, and the location of the scheme.
func normaliseReference(v interface{}) interface{} {
	v = deepCopyJSON(v)
	walkStrings(v, func(s string) string { return schemeLocation.ReplaceAllString(s, `in scheme "<scheme>"`) })
	obj, ok := v.(map[string]interface{})
	if !ok || obj["kind"] == "Status" {
		return v
	}
	if meta, ok := obj["metadata"].(map[string]interface{}); ok {
		for _, key := range []string{"uid", "resourceVersion", "creationTimestamp"} {
			if _, ok := meta[key]; ok {
				meta[key] = "<" + key + ">"
			}
		}
		if mf, ok := meta["managedFields"].([]interface{}); ok {
			for _, e := range mf {
				entry := e.(map[string]interface{})
				entry["time"] = "<time>"
				if fields, ok := entry["fieldsV1"].(map[string]interface{}); ok {
					dropAdmissionFields(fields)
				}
			}
			sort.SliceStable(mf, func(i, j int) bool { return managedFieldsKey(mf[i]) < managedFieldsKey(mf[j]) })
		}
	}
	if spec, ok := obj["spec"].(map[string]interface{}); ok {
		for _, key := range admissionSpecFields {
			delete(spec, key)
		}
		filterList(spec, "volumes", func(item map[string]interface{}) bool { return isAPIAccess(item["name"]) })
		filterList(spec, "tolerations", func(item map[string]interface{}) bool {
			key, _ := item["key"].(string)
			return key == "node.kubernetes.io/not-ready" || key == "node.kubernetes.io/unreachable"
		})
		// Ephemeral containers are not admitted upstream: their mounts of
		// the kube-api-access volume were asked for and stay.
		for _, kind := range []string{"containers", "initContainers"} {
			list, _ := spec[kind].([]interface{})
			for _, c := range list {
				filterList(c.(map[string]interface{}), "volumeMounts", func(item map[string]interface{}) bool { return isAPIAccess(item["name"]) })
			}
		}
	}
	return obj
}

func isAPIAccess(name interface{}) bool {
	s, _ := name.(string)
	return strings.HasPrefix(s, "kube-api-access-")
}

// filterList drops the items of obj[key] that match, and the key when
// nothing is left.
func filterList(obj map[string]interface{}, key string, drop func(map[string]interface{}) bool) {
	list, ok := obj[key].([]interface{})
	if !ok {
		return
	}
	kept := []interface{}{}
	for _, item := range list {
		if m, ok := item.(map[string]interface{}); ok && drop(m) {
			continue
		}
		kept = append(kept, item)
	}
	if len(kept) == 0 {
		delete(obj, key)
	} else {
		obj[key] = kept
	}
}

// dropAdmissionFields removes from a managedFields entry what admission
// added upstream: the pod-level fields, the kube-api-access volume and the
// service account token mount (which we send with the create, so ours own
// them), and the default tolerations. A list left with only its "." marker
// goes as well.
func dropAdmissionFields(fields map[string]interface{}) {
	spec, ok := fields["f:spec"].(map[string]interface{})
	if !ok {
		return
	}
	for _, key := range admissionSpecFields {
		delete(spec, "f:"+key)
	}
	// Tolerations are an atomic list: a PUT carrying upstream's admitted
	// tolerations, which our pod never had, owns the whole list.
	delete(spec, "f:tolerations")
	var strip func(m map[string]interface{}) bool
	strip = func(m map[string]interface{}) bool {
		removed := false
		for k, v := range m {
			if strings.Contains(k, `"kube-api-access-`) || strings.Contains(k, `"/var/run/secrets/kubernetes.io/serviceaccount"`) ||
				strings.Contains(k, `"node.kubernetes.io/not-ready"`) || strings.Contains(k, `"node.kubernetes.io/unreachable"`) {
				delete(m, k)
				removed = true
				continue
			}
			if child, ok := v.(map[string]interface{}); ok && strip(child) {
				if _, marker := child["."]; marker && len(child) == 1 {
					delete(m, k)
					removed = true
				}
			}
		}
		return removed
	}
	strip(spec)
}

func managedFieldsKey(e interface{}) string {
	m := e.(map[string]interface{})
	return fmt.Sprint(m["operation"], "\x00", m["manager"], "\x00", m["subresource"])
}

func walkStrings(v interface{}, f func(string) string) {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, child := range t {
			if s, ok := child.(string); ok {
				t[k] = f(s)
			} else {
				walkStrings(child, f)
			}
		}
	case []interface{}:
		for i, child := range t {
			if s, ok := child.(string); ok {
				t[i] = f(s)
			} else {
				walkStrings(child, f)
			}
		}
	}
}

func deepCopyJSON(v interface{}) interface{} {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out interface{}
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}

func indentJSON(v interface{}) string {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}
