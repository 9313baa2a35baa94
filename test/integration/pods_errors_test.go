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
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

var _ = Describe("Bad requests to the pods API", Label("pods"), Ordered, ContinueOnFailure, func() {
	var (
		s   *framework.TestServer
		raw *framework.RawClient
		ns  string
		// existing is a pod every spec tries to damage; it must stay as it is.
		existing *corev1.Pod
	)

	BeforeAll(func(ctx context.Context) {
		s = startServer(framework.ServerConfig{})
		raw = s.Raw()
		ns = uniqueName("pods")
		createNamespace(ctx, s.Client, ns)
		var err error
		existing, err = s.Client.CoreV1().Pods(ns).Create(ctx, newPod("existing"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
	})

	// nothingChanged checks that the namespace still holds only the
	// existing pod, at its resourceVersion.
	nothingChanged := func(ctx context.Context) {
		GinkgoHelper()
		list, err := s.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(objectNames(list.Items)).To(Equal([]string{"existing"}))
		Expect(list.Items[0].ResourceVersion).To(Equal(existing.ResourceVersion))
	}

	podJSON := func(name, namespace, image string) []byte {
		meta := `"name":"` + name + `"`
		if namespace != "" {
			meta += `,"namespace":"` + namespace + `"`
		}
		return []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{` + meta + `},"spec":{"containers":[{"name":"c","image":"` + image + `"}]}}`)
	}

	DescribeTable("answers with a Status and changes nothing",
		func(ctx context.Context, method, path, contentType string, body func() []byte, code int, reason metav1.StatusReason, message types.GomegaMatcher) {
			reply := raw.Do(ctx, method, strings.ReplaceAll(path, "NS", ns), contentType, body())
			Expect(reply.Code).To(Equal(code), "%s", reply.Body)
			Expect(reply.Header.Get("Content-Type")).To(Equal("application/json"))
			st := reply.Failure()
			Expect(st.Code).To(Equal(int32(code)))
			Expect(st.Reason).To(Equal(reason))
			Expect(st.Message).To(message)
			nothingChanged(ctx)
		},
		Entry("malformed JSON on create", http.MethodPost, "/api/v1/namespaces/NS/pods", "application/json",
			func() []byte { return []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"broken"`) },
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			Equal(`the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":"v1","kind":"Pod ...)`)),
		Entry("malformed JSON on update", http.MethodPut, "/api/v1/namespaces/NS/pods/existing", "application/json",
			func() []byte { return []byte(`{"apiVersion":"v1","kind":"Pod",`) },
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			Equal(`the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":"v1","kind":"Pod ...)`)),
		Entry("malformed JSON patch", http.MethodPatch, "/api/v1/namespaces/NS/pods/existing", "application/merge-patch+json",
			func() []byte { return []byte(`{"metadata":`) },
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			Equal(`invalid JSON patch`)),
		Entry("a body of another kind", http.MethodPost, "/api/v1/namespaces/NS/pods", "application/json",
			func() []byte {
				return []byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc"},"spec":{"ports":[{"port":80}]}}`)
			},
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			// upstream converts through its internal types: "(v1.Service) to (core.Pod)"
			MatchRegexp(`^Service in version "v1" cannot be handled as a Pod: converting \(v1\.Service\) to \((v1|core)\.Pod\): unknown conversion$`)),
		Entry("a body of another API version", http.MethodPost, "/api/v1/namespaces/NS/pods", "application/json",
			func() []byte {
				return []byte(`{"apiVersion":"apps/v1","kind":"Pod","metadata":{"name":"apps"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`)
			},
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			// the scheme's name is where it was constructed, upstream's or ours
			MatchRegexp(`^Pod in version "v1" cannot be handled as a Pod: no kind "Pod" is registered for version "apps/v1" in scheme "[^"]+"$`)),
		Entry("a namespace in the body other than the URL's on create", http.MethodPost, "/api/v1/namespaces/NS/pods", "application/json",
			func() []byte { return podJSON("elsewhere", "other-namespace", "busybox") },
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			Equal(`the namespace of the provided object does not match the namespace sent on the request`)),
		Entry("a namespace in the body other than the URL's on update", http.MethodPut, "/api/v1/namespaces/NS/pods/existing", "application/json",
			func() []byte { return podJSON("existing", "other-namespace", "nginx") },
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			Equal(`the namespace of the provided object does not match the namespace sent on the request`)),
		Entry("a name in the body other than the URL's on update", http.MethodPut, "/api/v1/namespaces/NS/pods/existing", "application/json",
			func() []byte { return podJSON("other-name", "", "nginx") },
			http.StatusBadRequest, metav1.StatusReasonBadRequest,
			Equal(`the name of the object (other-name) does not match the name on the URL (existing)`)),
		Entry("a body over 3 MiB", http.MethodPost, "/api/v1/namespaces/NS/pods", "application/json",
			func() []byte {
				return []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"huge","annotations":{"a":"` + strings.Repeat("x", 3*1024*1024) + `"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`)
			},
			http.StatusRequestEntityTooLarge, metav1.StatusReasonRequestEntityTooLarge,
			Equal(`Request entity too large: limit is 3145728`)),
		Entry("an unsupported content type", http.MethodPost, "/api/v1/namespaces/NS/pods", "text/plain",
			func() []byte { return podJSON("plain", "", "busybox") },
			http.StatusUnsupportedMediaType, metav1.StatusReasonUnsupportedMediaType,
			Equal(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`)),
		Entry("an unknown patch type", http.MethodPatch, "/api/v1/namespaces/NS/pods/existing", "application/x-bogus-patch",
			func() []byte { return []byte(`{}`) },
			http.StatusUnsupportedMediaType, metav1.StatusReasonUnsupportedMediaType,
			// go-restful refuses it before the patch handler runs
			Equal(`415: Unsupported Media Type`)),
		Entry("a verb the resource lacks", http.MethodPost, "/api/v1/namespaces/NS/pods/existing", "application/json",
			func() []byte { return podJSON("existing", "", "busybox") },
			http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed,
			Equal(`the server does not allow this method on the requested resource`)),
	)

	It("answers 404 NotFound with a Status for a resource the server does not serve", func(ctx context.Context) {
		for _, path := range []string{"/api/v1/foos", "/api/v1/namespaces/" + ns + "/foos", "/api/v1/namespaces/" + ns + "/pods/existing/foos", "/api/v2/pods"} {
			reply := raw.Do(ctx, http.MethodGet, path, "", nil)
			Expect(reply.Code).To(Equal(http.StatusNotFound), path)
			st := reply.Failure()
			Expect(st.Reason).To(Equal(metav1.StatusReasonNotFound), path)
			Expect(st.Code).To(Equal(int32(http.StatusNotFound)), path)
			Expect(st.Message).To(Equal("the server could not find the requested resource"), path)
		}
		reply := raw.Do(ctx, http.MethodPost, "/api/v1/namespaces/"+ns+"/foos", "application/json", podJSON("foo", "", "busybox"))
		Expect(reply.Code).To(Equal(http.StatusNotFound))
		Expect(reply.Failure().Reason).To(Equal(metav1.StatusReasonNotFound))
		// Outside /api a server without delegates lists its paths with the 404.
		reply = raw.Do(ctx, http.MethodGet, "/apis/apps/v1/deployments", "", nil)
		Expect(reply.Code).To(Equal(http.StatusNotFound))
		nothingChanged(ctx)
	})

	It("decodes a Status from every refusal, so clients see its reason", func(ctx context.Context) {
		// The same refusal through client-go: the Status survives decoding.
		bad := newPod("existing")
		bad.Name = "other-name"
		_, err := s.Client.CoreV1().RESTClient().Put().Namespace(ns).Resource("pods").Name("existing").Body(bad).Do(ctx).Get()
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(http.StatusBadRequest)))
		Expect(st.Reason).To(Equal(metav1.StatusReasonBadRequest))
		Expect(st.Message).To(Equal(`the name of the object (other-name) does not match the name on the URL (existing)`))
		nothingChanged(ctx)
	})

	It("keeps the stored pod readable as JSON after all of this", func(ctx context.Context) {
		reply := raw.Do(ctx, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods/existing", "", nil)
		Expect(reply.Code).To(Equal(http.StatusOK))
		var pod corev1.Pod
		Expect(json.Unmarshal(reply.Body, &pod)).To(Succeed())
		Expect(pod.ResourceVersion).To(Equal(existing.ResourceVersion))
		Expect(pod.Spec.Containers[0].Image).To(Equal("busybox"))
	})
})
