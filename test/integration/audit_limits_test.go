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
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// auditEvents reads the JSON lines of an audit log.
func auditEvents(path string) []auditv1.Event {
	GinkgoHelper()
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var events []auditv1.Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e auditv1.Event
		Expect(json.Unmarshal(sc.Bytes(), &e)).To(Succeed())
		events = append(events, e)
	}
	return events
}

var _ = Describe("Auditing with the shipped example policy", Label("audit"), func() {
	It("records who added which debug container, with the request and response", func(ctx context.Context) {
		logPath := filepath.Join(GinkgoT().TempDir(), "audit.log")
		s := startServer(framework.ServerConfig{
			FeatureGates: rbacGate,
			Customize: func(o *server.Options) {
				o.Audit.PolicyFile = filepath.Join("..", "..", "docs", "audit-policy.yaml")
				o.Audit.LogOptions.Path = logPath
			},
		})
		f := newRBACFixture(ctx, s)
		f.role(ctx, "debugger",
			rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}},
			rbacv1.PolicyRule{Verbs: []string{"patch"}, APIGroups: []string{""}, Resources: []string{"pods/ephemeralcontainers"}})
		f.bind(ctx, "auditee", "Role", "debugger")
		client := s.UserClient("auditee")
		eventually(ctx, func(g Gomega) {
			_, err := addDebugContainer(ctx, client, f.namespace, "p", "audited")
			g.Expect(err).NotTo(HaveOccurred())
		})

		var found *auditv1.Event
		Eventually(func(g Gomega) {
			for _, e := range auditEvents(logPath) {
				if e.User.Username == "auditee" && e.Verb == "patch" && e.Stage == auditv1.StageResponseComplete &&
					e.ObjectRef != nil && e.ObjectRef.Subresource == "ephemeralcontainers" && e.ResponseStatus != nil && e.ResponseStatus.Code == http.StatusOK {
					found = e.DeepCopy()
				}
			}
			g.Expect(found).NotTo(BeNil())
		}).WithTimeout(10 * time.Second).Should(Succeed())

		Expect(found.Level).To(Equal(auditv1.LevelRequestResponse))
		Expect(found.ObjectRef.Resource).To(Equal("pods"))
		Expect(found.ObjectRef.Namespace).To(Equal(f.namespace))
		Expect(found.ObjectRef.Name).To(Equal("p"))
		Expect(found.RequestObject).NotTo(BeNil())
		Expect(string(found.RequestObject.Raw)).To(ContainSubstring(`"audited"`))
		Expect(found.ResponseObject).NotTo(BeNil())
		Expect(string(found.ResponseObject.Raw)).To(ContainSubstring(`"busybox:1.36"`))

		By("not recording health checks")
		for _, e := range auditEvents(logPath) {
			Expect(e.RequestURI).NotTo(HavePrefix("/readyz"))
		}
	})
})

var _ = Describe("Request limits", Label("limits"), func() {
	It("refuses a body over 3 MiB with 413 and stores nothing", func(ctx context.Context) {
		s := startServer(framework.ServerConfig{})
		big := strings.Repeat("x", 3*1024*1024)
		body := []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"huge","annotations":{"a":"` + big + `"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`)
		res := s.Raw().Do(ctx, http.MethodPost, "/api/v1/namespaces/default/pods", ctJSON, body)
		Expect(res.Code).To(Equal(http.StatusRequestEntityTooLarge), "body: %.300s", res.Body)
		st := res.Failure()
		Expect(st.Reason).To(Equal(metav1.StatusReasonRequestEntityTooLarge))
		Expect(st.Message).To(Equal("Request entity too large: limit is 3145728"))
		_, err := s.Client.CoreV1().Pods("default").Get(ctx, "huge", metav1.GetOptions{})
		Expect(err).To(HaveOccurred())
	})

	It("answers 429 to reads beyond --max-requests-inflight while etcd is slow", Serial, Label("outage"), func(ctx context.Context) {
		s := startServer(framework.ServerConfig{Customize: func(o *server.Options) { o.ServerRun.MaxRequestsInFlight = 1 }})
		_, err := s.Client.CoreV1().Pods("default").Create(ctx, newPod("held"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		path := "/api/v1/namespaces/default/pods/held"

		By("holding the one read slot with a GET that waits for a paused etcd")
		Expect(etcd.Pause()).To(Succeed())
		resumed := false
		DeferCleanup(func() {
			if !resumed {
				Expect(etcd.Resume()).To(Succeed())
			}
		})
		held := make(chan int, 1)
		go func() {
			defer GinkgoRecover()
			held <- s.Raw().Do(ctx, http.MethodGet, path, "", nil).Code
		}()

		By("refusing the next reader, who is not in system:masters (those are never refused)")
		rt, err := rest.TransportFor(s.UserConfig("reader"))
		Expect(err).NotTo(HaveOccurred())
		reader := &http.Client{Transport: rt}
		// A probe that finds the slot free holds it until it gives up.
		probe := func() (code int, retryAfter, body string) {
			probeCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			req, err := http.NewRequestWithContext(probeCtx, http.MethodGet, s.URL+path, nil)
			Expect(err).NotTo(HaveOccurred())
			resp, err := reader.Do(req)
			if err != nil {
				return 0, "", ""
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("Retry-After"), string(data)
		}
		var retryAfter, body string
		Eventually(func() int {
			var code int
			code, retryAfter, body = probe()
			return code
		}).WithTimeout(15 * time.Second).Should(Equal(http.StatusTooManyRequests))
		Expect(retryAfter).To(Equal("1"))
		Expect(body).To(ContainSubstring("Too many requests, please try again later."))

		By("serving the held read once etcd is back")
		Expect(etcd.Resume()).To(Succeed())
		resumed = true
		Eventually(held).WithTimeout(30 * time.Second).Should(Receive(Equal(http.StatusOK)))
	})
})
