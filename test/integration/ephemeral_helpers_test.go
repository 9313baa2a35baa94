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
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/storage/names"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// Content types of the four patch flavours and of plain JSON.
const (
	ctJSON      = "application/json"
	ctSMP       = "application/strategic-merge-patch+json"
	ctMerge     = "application/merge-patch+json"
	ctJSONPatch = "application/json-patch+json"
	ctApply     = "application/apply-patch+yaml"
)

// rawAPI sends raw HTTP requests as the admin, asking for JSON. Its user
// agent is curl's, so managedFields name the manager "curl", as in the
// captured upstream run.
type rawAPI struct {
	*framework.RawClient
}

func newRawAPI(s *framework.TestServer) *rawAPI {
	GinkgoHelper()
	c := framework.NewRawClient(s, "curl/8")
	c.Header.Set("Accept", "application/json")
	return &rawAPI{c}
}

// ecPodPath is the path of a pod in the default namespace, plus an optional
// subresource and query.
func ecPodPath(name string, rest ...string) string {
	p := "/api/v1/namespaces/default/pods/" + name
	for _, r := range rest {
		if strings.HasPrefix(r, "?") {
			p += r
		} else {
			p += "/" + r
		}
	}
	return p
}

func ecPath(name string) string { return ecPodPath(name, "ephemeralcontainers") }

// ecUniqueName gives each spec its own pod on a shared server.
func ecUniqueName(prefix string) string { return names.SimpleNameGenerator.GenerateName(prefix + "-") }

// ecFixturePod is the pod the ephemeral container specs start from: a
// regular container "ctr", an init container "ictr", an emptyDir "vol" and a
// claim volume "blk".
func ecFixturePod(name string) string {
	return fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q,"labels":{"app":"a"}},
 "spec":{"containers":[{"name":"ctr","image":"busybox:1.36","command":["sleep","3600"]}],
         "initContainers":[{"name":"ictr","image":"busybox:1.36"}],
         "volumes":[{"name":"vol","emptyDir":{}},{"name":"blk","persistentVolumeClaim":{"claimName":"pvc"}}]}}`, name)
}

// debugContainer is a valid ephemeral container named name, as JSON.
func debugContainer(name string) string {
	return fmt.Sprintf(`{"name":%q,"image":"busybox:1.36","imagePullPolicy":"IfNotPresent","terminationMessagePolicy":"File"}`, name)
}

// debugContainerWith is debugContainer with extra JSON members, e.g.
// `"ports":[]`.
func debugContainerWith(name, extra string) string {
	return strings.TrimSuffix(debugContainer(name), "}") + "," + extra + "}"
}

// smpBody is the body of a strategic merge patch adding containers.
func smpBody(containers ...string) []byte {
	return []byte(`{"spec":{"ephemeralContainers":[` + strings.Join(containers, ",") + `]}}`)
}

// createPod POSTs a pod and returns it as stored.
func (r *rawAPI) createPod(ctx context.Context, body string) *corev1.Pod {
	GinkgoHelper()
	res := r.Do(ctx, http.MethodPost, "/api/v1/namespaces/default/pods", ctJSON, []byte(body))
	Expect(res.Code).To(Equal(http.StatusCreated), "create: %s", res.Body)
	return res.Pod()
}

// createFixture creates the fixture pod under a fresh name and returns the
// name.
func (r *rawAPI) createFixture(ctx context.Context, prefix string) string {
	GinkgoHelper()
	name := ecUniqueName(prefix)
	pod := r.createPod(ctx, ecFixturePod(name))
	Expect(pod.Generation).To(Equal(int64(1)))
	return name
}

// addEphemeral adds containers with a strategic merge patch, as kubectl
// debug does, and returns the updated pod.
func (r *rawAPI) addEphemeral(ctx context.Context, name string, containers ...string) *corev1.Pod {
	GinkgoHelper()
	res := r.Do(ctx, http.MethodPatch, ecPath(name), ctSMP, smpBody(containers...))
	Expect(res.Code).To(Equal(http.StatusOK), "add: %s", res.Body)
	return res.Pod()
}

// getRaw returns the stored pod's bytes as the server serves them.
func (r *rawAPI) getRaw(ctx context.Context, name string) []byte {
	GinkgoHelper()
	res := r.Do(ctx, http.MethodGet, ecPodPath(name), "", nil)
	Expect(res.Code).To(Equal(http.StatusOK), "get: %s", res.Body)
	return res.Body
}

func (r *rawAPI) getPod(ctx context.Context, name string) *corev1.Pod {
	GinkgoHelper()
	return framework.Reply{Code: http.StatusOK, Body: r.getRaw(ctx, name)}.Pod()
}

// putEphemeral reads the pod, replaces
// spec.ephemeralContainers with the raw JSON list (nil removes the key) and
// PUTs the whole pod to the subresource. edit may change the body further.
func (r *rawAPI) putEphemeral(ctx context.Context, name string, list []string, edit func(obj map[string]interface{})) framework.Reply {
	GinkgoHelper()
	obj := framework.Reply{Body: r.getRaw(ctx, name)}.Object()
	spec := obj["spec"].(map[string]interface{})
	if list == nil {
		delete(spec, "ephemeralContainers")
	} else {
		var items []interface{}
		Expect(json.Unmarshal([]byte("["+strings.Join(list, ",")+"]"), &items)).To(Succeed())
		if items == nil {
			items = []interface{}{}
		}
		spec["ephemeralContainers"] = items
	}
	if edit != nil {
		edit(obj)
	}
	body, err := json.Marshal(obj)
	Expect(err).NotTo(HaveOccurred())
	return r.Do(ctx, http.MethodPut, ecPath(name), ctJSON, body)
}

// appendEphemeral PUTs the pod with containers after the existing ones.
func (r *rawAPI) appendEphemeral(ctx context.Context, name string, containers ...string) framework.Reply {
	GinkgoHelper()
	obj := framework.Reply{Body: r.getRaw(ctx, name)}.Object()
	var list []string
	if existing, ok := obj["spec"].(map[string]interface{})["ephemeralContainers"]; ok {
		for _, c := range existing.([]interface{}) {
			b, err := json.Marshal(c)
			Expect(err).NotTo(HaveOccurred())
			list = append(list, string(b))
		}
	}
	return r.putEphemeral(ctx, name, append(list, containers...), nil)
}

// expectRefused sends a request that must fail and checks the status code,
// the reason, the causes (type and field, in order) and that the stored pod
// is byte-for-byte what it was, resourceVersion included.
func (r *rawAPI) expectRefused(ctx context.Context, name string, send func() framework.Reply, code int32, reason metav1.StatusReason, causes ...cause) metav1.Status {
	GinkgoHelper()
	before := r.getRaw(ctx, name)
	res := send()
	Expect(res.Code).To(BeEquivalentTo(code), "response: %s", res.Body)
	st := res.Status()
	Expect(st.Status).To(Equal(metav1.StatusFailure))
	Expect(st.Code).To(Equal(code))
	Expect(st.Reason).To(Equal(reason), "message: %s", st.Message)
	if causes != nil {
		Expect(causesOf(st)).To(Equal(causes), "message: %s", st.Message)
	}
	Expect(string(r.getRaw(ctx, name))).To(Equal(string(before)), "a refused request changed the stored pod")
	return st
}

// expectInvalid is expectRefused for a 422 of the pod: details name the
// pod and the kind Pod.
func (r *rawAPI) expectInvalid(ctx context.Context, name string, send func() framework.Reply, causes ...cause) metav1.Status {
	GinkgoHelper()
	st := r.expectRefused(ctx, name, send, http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, causes...)
	Expect(st.Details).NotTo(BeNil())
	Expect(st.Details.Name).To(Equal(name))
	Expect(st.Details.Kind).To(Equal("Pod"))
	Expect(st.Message).To(HavePrefix(fmt.Sprintf("Pod %q is invalid: ", name)))
	return st
}

func ecNamesOf(pod *corev1.Pod) []string {
	var out []string
	for _, c := range pod.Spec.EphemeralContainers {
		out = append(out, c.Name)
	}
	return out
}
