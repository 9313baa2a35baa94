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

package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// RawClient sends plain HTTP requests to a TestServer as its admin, so
// specs can send bodies, content types and headers client-go would not.
// Its methods fail the running spec on transport errors.
type RawClient struct {
	base   string
	client *http.Client
	// Header is sent with every request; the headers given to Do replace
	// the same names.
	Header http.Header
}

// NewRawClient is a RawClient for s sending userAgent; with "" the
// ClientConfig's (none, so Go's default) applies. A User-Agent passed to Do
// takes precedence either way.
func NewRawClient(s *TestServer, userAgent string) *RawClient {
	GinkgoHelper()
	cfg := rest.CopyConfig(s.ClientConfig)
	if userAgent != "" {
		cfg.UserAgent = userAgent
	}
	return s.RawAs(cfg)
}

// Raw is NewRawClient(s, "").
func (s *TestServer) Raw() *RawClient {
	GinkgoHelper()
	return NewRawClient(s, "")
}

// Reply is one response, read in full.
type Reply struct {
	Code   int
	Header http.Header
	Body   []byte
}

// Do sends one request and reads the response. The body is sent when it is
// not nil, contentType when it is not empty; headers are name, value pairs.
func (c *RawClient) Do(ctx context.Context, method, path, contentType string, body []byte, headers ...string) Reply {
	GinkgoHelper()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	Expect(err).NotTo(HaveOccurred())
	for name, values := range c.Header {
		req.Header[name] = append([]string(nil), values...)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if len(headers)%2 != 0 {
		Fail("Do: headers must be name, value pairs")
	}
	for i := 0; i < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return Reply{Code: resp.StatusCode, Header: resp.Header, Body: data}
}

// Status decodes the body as a JSON metav1.Status.
func (r Reply) Status() metav1.Status {
	GinkgoHelper()
	var st metav1.Status
	Expect(json.Unmarshal(r.Body, &st)).To(Succeed(), "not a Status: %s", r.Body)
	Expect(st.Kind).To(Equal("Status"), "not a Status: %s", r.Body)
	return st
}

// Failure is Status for a refusal: a v1 Status of status Failure.
func (r Reply) Failure() metav1.Status {
	GinkgoHelper()
	st := r.Status()
	Expect(st.APIVersion).To(Equal("v1"))
	Expect(st.Status).To(Equal(metav1.StatusFailure))
	return st
}

// Pod decodes the body as a JSON v1 Pod.
func (r Reply) Pod() *corev1.Pod {
	GinkgoHelper()
	var pod corev1.Pod
	Expect(json.Unmarshal(r.Body, &pod)).To(Succeed(), "not a Pod: %s", r.Body)
	Expect(pod.Kind).To(Equal("Pod"), "response: %s", r.Body)
	Expect(pod.APIVersion).To(Equal("v1"), "response: %s", r.Body)
	return &pod
}

// Object decodes any JSON object body generically.
func (r Reply) Object() map[string]any {
	GinkgoHelper()
	var obj map[string]any
	Expect(json.Unmarshal(r.Body, &obj)).To(Succeed(), "not a JSON object: %s", r.Body)
	return obj
}
