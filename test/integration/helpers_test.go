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

// The helpers every suite of this package shares: names, pods, errors and
// causes, clients, and raw HTTP requests about pods.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// Media types of request and response bodies, the four patch types
// included.
const (
	ctJSON      = "application/json"
	ctYAML      = "application/yaml"
	ctProtobuf  = "application/vnd.kubernetes.protobuf"
	ctSMP       = "application/strategic-merge-patch+json"
	ctMerge     = "application/merge-patch+json"
	ctJSONPatch = "application/json-patch+json"
	ctApply     = "application/apply-patch+yaml"
)

// uniqueName is prefix with a random suffix, so specs sharing a server
// never use the same pod or namespace name.
func uniqueName(prefix string) string { return prefix + "-" + rand.String(6) }

// newPod is the smallest valid pod: one container "c" running busybox, on
// no node, so a delete removes it at once. Each mutate function edits it
// before it is returned.
func newPod(name string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
	for _, m := range mutate {
		if m != nil {
			m(pod)
		}
	}
	return pod
}

// withFinalizers is a newPod mutation setting the pod's finalizers.
func withFinalizers(finalizers ...string) func(*corev1.Pod) {
	return func(p *corev1.Pod) { p.Finalizers = finalizers }
}

// holdFinalizer is a finalizer no controller removes: a pod carrying it
// stays, and keeps its namespace Terminating, until releaseFinalizers.
const holdFinalizer = "example.com/hold"

// releaseFinalizers removes every finalizer of the pod.
func releaseFinalizers(ctx context.Context, client kubernetes.Interface, namespace, name string) {
	GinkgoHelper()
	Eventually(func() error {
		pod, err := client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		pod.Finalizers = nil
		_, err = client.CoreV1().Pods(namespace).Update(ctx, pod, metav1.UpdateOptions{})
		return err
	}).WithTimeout(10 * time.Second).Should(Succeed())
}

// createNamespace creates the namespace name through client; one that
// already exists is fine. Objects can only be created in an existing
// namespace.
func createNamespace(ctx context.Context, client kubernetes.Interface, name string) {
	GinkgoHelper()
	_, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		Expect(err).NotTo(HaveOccurred())
	}
}

// unthrottledClient is the admin client without client-side rate limiting,
// for specs that write many objects.
func unthrottledClient(s *framework.TestServer) kubernetes.Interface {
	GinkgoHelper()
	cfg := rest.CopyConfig(s.ClientConfig)
	cfg.QPS, cfg.Burst = 1000, 1000
	client, err := kubernetes.NewForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())
	return client
}

// statusOf is the Status the server refused a client-go request with.
func statusOf(err error) metav1.Status {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	var apiStatus apierrors.APIStatus
	Expect(errors.As(err, &apiStatus)).To(BeTrue(), "not a Status from the server: %v", err)
	return apiStatus.Status()
}

// objectNames are the names of the objects of a list's items, in order.
func objectNames[T any, PT interface {
	*T
	GetName() string
}](items []T) []string {
	names := make([]string, 0, len(items))
	for i := range items {
		names = append(names, PT(&items[i]).GetName())
	}
	return names
}

// ephemeralNames are the names of a list of ephemeral containers, in order.
func ephemeralNames(list []corev1.EphemeralContainer) []string {
	names := make([]string, 0, len(list))
	for _, ec := range list {
		names = append(names, ec.Name)
	}
	return names
}

// warningRecorder records the warnings a client-go client receives.
type warningRecorder struct {
	mu   sync.Mutex
	text []string
}

func (w *warningRecorder) HandleWarningHeader(code int, agent string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.text = append(w.text, text)
}

func (w *warningRecorder) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.text...)
}

// cause is the part of a StatusCause a spec pins: its type and field.
type cause struct {
	Type  metav1.CauseType
	Field string
}

// causesOf lists type and field of every cause of st, in order.
func causesOf(st metav1.Status) []cause {
	if st.Details == nil {
		return nil
	}
	out := []cause{}
	for _, c := range st.Details.Causes {
		out = append(out, cause{Type: c.Type, Field: c.Field})
	}
	return out
}

func causeForbidden(field string) cause { return cause{metav1.CauseTypeForbidden, field} }
func causeDuplicate(field string) cause { return cause{metav1.CauseTypeFieldValueDuplicate, field} }
func causeNotFound(field string) cause  { return cause{metav1.CauseTypeFieldValueNotFound, field} }
func causeRequired(field string) cause  { return cause{metav1.CauseTypeFieldValueRequired, field} }
func causeInvalid(field string) cause   { return cause{metav1.CauseTypeFieldValueInvalid, field} }
func causeUnsupported(field string) cause {
	return cause{metav1.CauseTypeFieldValueNotSupported, field}
}

// fixturePodJSON is the pod the ephemeral container specs start from: a
// regular container "ctr", an init container "ictr", an emptyDir "vol" and a
// claim volume "blk".
func fixturePodJSON(name string) string {
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

// smpBody is the body of a strategic merge patch of the Pod adding
// containers.
func smpBody(containers ...string) []byte {
	return []byte(`{"spec":{"ephemeralContainers":[` + strings.Join(containers, ",") + `]}}`)
}

// rawAPI sends raw HTTP requests about the pods of one namespace as the
// admin, asking for JSON.
type rawAPI struct {
	*framework.RawClient
	ns string
}

// curlAgent is the User-Agent of newRawAPI: managedFields then name the
// manager "curl", as in the captured upstream run, and JSON answers are
// indented, as upstream answers curl.
const curlAgent = "curl/8"

// plainAgent is the User-Agent of newRawAPIInFreshNamespace: JSON answers
// are compact.
const plainAgent = "integration-test/1.0 (linux/amd64)"

// newRawAPI is a rawAPI on the namespace default, as curl with the admin's
// credentials.
func newRawAPI(s *framework.TestServer) *rawAPI {
	GinkgoHelper()
	return newRawAPIAs(s, s.ClientConfig)
}

// newRawAPIAs is newRawAPI with the credentials of cfg.
func newRawAPIAs(s *framework.TestServer, cfg *rest.Config) *rawAPI {
	GinkgoHelper()
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = curlAgent
	c := s.RawAs(cfg)
	c.Header.Set("Accept", ctJSON)
	return &rawAPI{RawClient: c, ns: metav1.NamespaceDefault}
}

// newRawAPIInFreshNamespace is a rawAPI on a new namespace named after
// prefix, with a plain User-Agent.
func newRawAPIInFreshNamespace(s *framework.TestServer, prefix string) *rawAPI {
	GinkgoHelper()
	c := framework.NewRawClient(s, plainAgent)
	c.Header.Set("Accept", ctJSON)
	a := &rawAPI{RawClient: c, ns: uniqueName(prefix)}
	r := a.Do(context.Background(), http.MethodPost, "/api/v1/namespaces", ctJSON,
		[]byte(fmt.Sprintf(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":%q}}`, a.ns)))
	Expect(r.Code).To(Equal(http.StatusCreated), "%s", r.Body)
	return a
}

// request is one request for rawAPI.send. A body is sent as JSON unless
// ContentType says otherwise; Accept and UserAgent, when set, replace the
// client's.
type request struct {
	Method, Path, ContentType, Accept, UserAgent string
	Body                                         []byte
}

// reply is a response with the checks of a refusal.
type reply struct {
	framework.Reply
}

func (a *rawAPI) send(ctx context.Context, r request) reply {
	GinkgoHelper()
	contentType := r.ContentType
	if r.Body != nil && contentType == "" {
		contentType = ctJSON
	}
	var headers []string
	if r.Accept != "" {
		headers = append(headers, "Accept", r.Accept)
	}
	if r.UserAgent != "" {
		headers = append(headers, "User-Agent", r.UserAgent)
	}
	return reply{a.Do(ctx, r.Method, r.Path, contentType, r.Body, headers...)}
}

// podPath is the path of a pod in the client's namespace, plus optional
// subresources and a query ("?...").
func (a *rawAPI) podPath(name string, rest ...string) string {
	p := "/api/v1/namespaces/" + a.ns + "/pods/" + name
	for _, r := range rest {
		if strings.HasPrefix(r, "?") {
			p += r
		} else {
			p += "/" + r
		}
	}
	return p
}

// ephemeralPath is the path of a pod's ephemeralcontainers subresource.
func (a *rawAPI) ephemeralPath(name string) string { return a.podPath(name, "ephemeralcontainers") }

// put sends a PUT of body to the pod's ephemeralcontainers subresource.
func (a *rawAPI) put(ctx context.Context, name, body string) reply {
	GinkgoHelper()
	return a.send(ctx, request{Method: http.MethodPut, Path: a.ephemeralPath(name), Body: []byte(body)})
}

// patch sends a patch of contentType to the pod's ephemeralcontainers
// subresource.
func (a *rawAPI) patch(ctx context.Context, name, contentType, body string) reply {
	GinkgoHelper()
	return a.send(ctx, request{Method: http.MethodPatch, Path: a.ephemeralPath(name), ContentType: contentType, Body: []byte(body)})
}

// createPod POSTs a pod and returns it as stored.
func (a *rawAPI) createPod(ctx context.Context, body string) *corev1.Pod {
	GinkgoHelper()
	res := a.Do(ctx, http.MethodPost, "/api/v1/namespaces/"+a.ns+"/pods", ctJSON, []byte(body))
	Expect(res.Code).To(Equal(http.StatusCreated), "create: %s", res.Body)
	return res.Pod()
}

// createFixture creates the fixture pod (fixturePodJSON) under a fresh
// name and returns it as stored.
func (a *rawAPI) createFixture(ctx context.Context, prefix string) *corev1.Pod {
	GinkgoHelper()
	pod := a.createPod(ctx, fixturePodJSON(uniqueName(prefix)))
	Expect(pod.Generation).To(Equal(int64(1)))
	return pod
}

// addEphemeral adds containers with a strategic merge patch, as kubectl
// debug does, and returns the updated pod.
func (a *rawAPI) addEphemeral(ctx context.Context, name string, containers ...string) *corev1.Pod {
	GinkgoHelper()
	res := a.Do(ctx, http.MethodPatch, a.ephemeralPath(name), ctSMP, smpBody(containers...))
	Expect(res.Code).To(Equal(http.StatusOK), "add: %s", res.Body)
	return res.Pod()
}

// getPodJSON returns the stored pod's bytes as the server serves them.
func (a *rawAPI) getPodJSON(ctx context.Context, name string) []byte {
	GinkgoHelper()
	res := a.Do(ctx, http.MethodGet, a.podPath(name), "", nil)
	Expect(res.Code).To(Equal(http.StatusOK), "get: %s", res.Body)
	return res.Body
}

// getPod reads the pod through the main resource.
func (a *rawAPI) getPod(ctx context.Context, name string) *corev1.Pod {
	GinkgoHelper()
	return framework.Reply{Code: http.StatusOK, Body: a.getPodJSON(ctx, name)}.Pod()
}

// putEphemeral reads the pod, replaces spec.ephemeralContainers with the raw
// JSON list (nil removes the key) and PUTs the whole pod to the subresource.
// edit may change the body further.
func (a *rawAPI) putEphemeral(ctx context.Context, name string, list []string, edit func(obj map[string]interface{})) framework.Reply {
	GinkgoHelper()
	obj := framework.Reply{Body: a.getPodJSON(ctx, name)}.Object()
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
	return a.Do(ctx, http.MethodPut, a.ephemeralPath(name), ctJSON, body)
}

// appendEphemeral PUTs the pod with containers after the existing ones.
func (a *rawAPI) appendEphemeral(ctx context.Context, name string, containers ...string) framework.Reply {
	GinkgoHelper()
	obj := framework.Reply{Body: a.getPodJSON(ctx, name)}.Object()
	var list []string
	if existing, ok := obj["spec"].(map[string]interface{})["ephemeralContainers"]; ok {
		for _, c := range existing.([]interface{}) {
			b, err := json.Marshal(c)
			Expect(err).NotTo(HaveOccurred())
			list = append(list, string(b))
		}
	}
	return a.putEphemeral(ctx, name, append(list, containers...), nil)
}

// expectUnchanged checks that the stored pod is still before: nothing of
// it, resourceVersion included, changed.
func (a *rawAPI) expectUnchanged(ctx context.Context, before *corev1.Pod) {
	GinkgoHelper()
	Expect(a.getPod(ctx, before.Name)).To(Equal(before), "a refused request changed the stored pod")
}

// expectRefused sends a request that must fail with code and reason, with
// exactly causes (type and field, in order) when any are given, and checks
// that the stored pod is what it was.
func (a *rawAPI) expectRefused(ctx context.Context, name string, send func() framework.Reply, code int, reason metav1.StatusReason, causes ...cause) metav1.Status {
	GinkgoHelper()
	before := a.getPod(ctx, name)
	st := reply{send()}.status(code, reason)
	if causes != nil {
		Expect(causesOf(st)).To(Equal(causes), "message: %s", st.Message)
	}
	a.expectUnchanged(ctx, before)
	return st
}

// expectInvalid is expectRefused for a 422 of the pod (reply.invalid).
func (a *rawAPI) expectInvalid(ctx context.Context, name string, send func() framework.Reply, causes ...cause) metav1.Status {
	GinkgoHelper()
	before := a.getPod(ctx, name)
	st := reply{send()}.invalid(name, causes...)
	a.expectUnchanged(ctx, before)
	return st
}

// status checks a refusal: a v1 Status of status Failure with code and
// reason.
func (r reply) status(code int, reason metav1.StatusReason) metav1.Status {
	GinkgoHelper()
	Expect(r.Code).To(Equal(code), "%s", r.Body)
	st := r.Failure()
	Expect(st.Code).To(Equal(int32(code)))
	Expect(st.Reason).To(Equal(reason), "message: %s", st.Message)
	return st
}

// invalid checks a 422 in upstream's shape for the pod name: details name
// the pod and kind Pod, the message starts `Pod "name" is invalid: `, and
// the causes are exactly causes, in order, when any are given.
func (r reply) invalid(name string, causes ...cause) metav1.Status {
	GinkgoHelper()
	st := r.status(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid)
	expectPodInvalid(st, name, causes...)
	return st
}

// expectPodInvalid checks a Status is upstream's 422 for the pod name:
// reason Invalid, details naming the pod and kind Pod, a message starting
// `Pod "name" is invalid: `, and exactly causes, in order, when any are
// given.
func expectPodInvalid(st metav1.Status, name string, causes ...cause) {
	GinkgoHelper()
	Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)), "message: %s", st.Message)
	Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid), "message: %s", st.Message)
	Expect(st.Details).NotTo(BeNil())
	Expect(st.Details.Name).To(Equal(name))
	Expect(st.Details.Kind).To(Equal("Pod"))
	Expect(st.Message).To(HavePrefix(fmt.Sprintf("Pod %q is invalid: ", name)))
	if causes != nil {
		Expect(causesOf(st)).To(Equal(causes), "message: %s", st.Message)
	}
}
