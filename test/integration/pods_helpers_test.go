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

// Helpers of the pods suites (pods_test.go, pods_validation_test.go,
// pods_errors_test.go). Package-level names start with "pods" so they do
// not collide with the helpers of other suites in this package.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// podsNamespace is a namespace name no other spec uses; specs create it
// (createNamespace) before putting objects in it.
func podsNamespace() string { return "pods-" + rand.String(6) }

// podsNewPod is the smallest valid pod: one container "c" running busybox.
// Each mutate function edits it before it is returned.
func podsNewPod(name string, mutate ...func(*corev1.Pod)) *corev1.Pod {
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

// podsStatusOf is the Status the server refused a client-go request with.
func podsStatusOf(err error) metav1.Status {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	var apiStatus apierrors.APIStatus
	Expect(errors.As(err, &apiStatus)).To(BeTrue(), "not a Status from the server: %v", err)
	return apiStatus.Status()
}

// podsCause is the part of a StatusCause the specs compare.
type podsCause struct {
	Type  metav1.CauseType
	Field string
}

// podsCausesOf lists type and field of every cause of st, in order.
func podsCausesOf(st metav1.Status) []podsCause {
	if st.Details == nil {
		return nil
	}
	causes := []podsCause{}
	for _, c := range st.Details.Causes {
		causes = append(causes, podsCause{Type: c.Type, Field: c.Field})
	}
	return causes
}

// podsRawClient talks plain HTTP to a test server as its admin, so specs
// can send bodies client-go would refuse to build.
type podsRawClient struct {
	base   string
	client *http.Client
}

func newPodsRawClient(s *framework.TestServer) *podsRawClient {
	GinkgoHelper()
	rt, err := rest.TransportFor(s.ClientConfig)
	Expect(err).NotTo(HaveOccurred())
	return &podsRawClient{base: s.URL, client: &http.Client{Transport: rt}}
}

// podsReply is a raw HTTP response.
type podsReply struct {
	Code   int
	Header http.Header
	Body   []byte
}

// do sends one request; header is a list of name, value pairs.
func (c *podsRawClient) do(ctx context.Context, method, path, contentType string, body []byte, header ...string) podsReply {
	GinkgoHelper()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	Expect(err).NotTo(HaveOccurred())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if len(header)%2 != 0 {
		Fail("do: header must be name, value pairs")
	}
	for i := 0; i < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return podsReply{Code: resp.StatusCode, Header: resp.Header, Body: data}
}

// status decodes the body as a JSON metav1.Status.
func (r podsReply) status() metav1.Status {
	GinkgoHelper()
	var st metav1.Status
	Expect(json.Unmarshal(r.Body, &st)).To(Succeed(), "body is not JSON: %s", r.Body)
	Expect(st.Kind).To(Equal("Status"), "body is not a Status: %s", r.Body)
	Expect(st.APIVersion).To(Equal("v1"))
	Expect(st.Status).To(Equal(metav1.StatusFailure))
	return st
}

// pod decodes the body as a JSON Pod.
func (r podsReply) pod() *corev1.Pod {
	GinkgoHelper()
	pod := &corev1.Pod{}
	Expect(json.Unmarshal(r.Body, pod)).To(Succeed(), "body is not JSON: %s", r.Body)
	Expect(pod.Kind).To(Equal("Pod"), "body is not a Pod: %s", r.Body)
	return pod
}

// podsWarnings records the warnings a client receives.
type podsWarnings struct {
	mu   sync.Mutex
	text []string
}

func (w *podsWarnings) HandleWarningHeader(code int, agent string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.text = append(w.text, text)
}

func (w *podsWarnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.text...)
}

// podsNames are the names of the pods in a list, in list order.
func podsNames(list *corev1.PodList) []string {
	names := []string{}
	for _, p := range list.Items {
		names = append(names, p.Name)
	}
	return names
}
