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
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// newEvent is an old-style (no eventTime) event about a pod in ns.
func newEvent(ns, name, pod, reason, eventType string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		InvolvedObject: corev1.ObjectReference{
			Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: pod, UID: types.UID("uid-" + pod),
			ResourceVersion: "7", FieldPath: "spec.containers{c}",
		},
		Reason: reason, Type: eventType, Message: "m",
		Source: corev1.EventSource{Component: "kubelet", Host: "node-1"},
	}
}

var _ = Describe("Events", Label("events"), Ordered, ContinueOnFailure, func() {
	var (
		s  *framework.TestServer
		ns string
	)

	BeforeAll(func(ctx context.Context) {
		s = startServer(framework.ServerConfig{})
		ns = uniqueName("events")
		createNamespace(ctx, s.Client, ns)
		for _, e := range []*corev1.Event{
			newEvent(ns, "a", "web", "Pulled", corev1.EventTypeNormal),
			newEvent(ns, "b", "web", "BackOff", corev1.EventTypeWarning),
			newEvent(ns, "c", "db", "Pulled", corev1.EventTypeNormal),
		} {
			_, err := s.Client.CoreV1().Events(ns).Create(ctx, e, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
		}
		newer := newEvent(ns, "d", "db", "Scheduled", corev1.EventTypeNormal)
		newer.Source = corev1.EventSource{}
		newer.ReportingController = "example.com/scheduler"
		newer.ReportingInstance = "scheduler-1"
		newer.Action = "Binding"
		newer.EventTime = metav1.NewMicroTime(time.Now())
		newer.InvolvedObject.FieldPath = ""
		_, err := s.Client.CoreV1().Events(ns).Create(ctx, newer, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("selects on upstream's event fields",
		func(ctx context.Context, selector string, want []string) {
			list, err := s.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: selector})
			Expect(err).NotTo(HaveOccurred())
			Expect(objectNames(list.Items)).To(ConsistOf(want))
		},
		Entry(nil, "involvedObject.kind=Pod", []string{"a", "b", "c", "d"}),
		Entry(nil, "involvedObject.name=web", []string{"a", "b"}),
		Entry(nil, "involvedObject.uid=uid-db", []string{"c", "d"}),
		Entry(nil, "involvedObject.apiVersion=v1,involvedObject.resourceVersion=7", []string{"a", "b", "c", "d"}),
		Entry(nil, "involvedObject.fieldPath=spec.containers{c}", []string{"a", "b", "c"}),
		Entry(nil, "reason=Pulled", []string{"a", "c"}),
		Entry(nil, "type=Warning", []string{"b"}),
		Entry(nil, "source=kubelet", []string{"a", "b", "c"}),
		Entry("source falls back to the reporting controller", "source=example.com/scheduler", []string{"d"}),
		Entry(nil, "reportingComponent=example.com/scheduler", []string{"d"}),
		Entry(nil, "metadata.name=b", []string{"b"}),
	)

	It("selects across namespaces on involvedObject.namespace", func(ctx context.Context) {
		list, err := s.Client.CoreV1().Events("").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.namespace=" + ns})
		Expect(err).NotTo(HaveOccurred())
		Expect(objectNames(list.Items)).To(ConsistOf("a", "b", "c", "d"))
	})

	It("refuses a field it cannot select on", func(ctx context.Context) {
		_, err := s.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "message=m"})
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(400)))
		Expect(st.Message).To(ContainSubstring("field label not supported: message"))
	})

	It("validates like upstream's core/v1 events", func(ctx context.Context) {
		By("the involved object's namespace must be the event's")
		bad := newEvent("elsewhere", "mismatch", "web", "Pulled", corev1.EventTypeNormal)
		_, err := s.Client.CoreV1().Events(ns).Create(ctx, bad, metav1.CreateOptions{})
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(422)))
		Expect(st.Message).To(Equal(`Event "mismatch" is invalid: involvedObject.namespace: Invalid value: "elsewhere": does not match event.namespace`))

		By("an event with eventTime must name its reporter, action and reason")
		bad = newEvent(ns, "incomplete", "web", "", "")
		bad.EventTime = metav1.NewMicroTime(time.Now())
		_, err = s.Client.CoreV1().Events(ns).Create(ctx, bad, metav1.CreateOptions{})
		st = statusOf(err)
		Expect(st.Code).To(Equal(int32(422)))
		Expect(st.Message).To(HavePrefix(`Event "incomplete" is invalid: [reportingController: Required value, reportingController: Invalid value: "": name part must be non-empty`))
		Expect(st.Message).To(HaveSuffix(`reportingInstance: Required value, action: Required value, reason: Required value]`))

		By("core/v1 accepts any type, as upstream does")
		odd := newEvent(ns, "odd-type", "web", "Pulled", "Custom")
		_, err = s.Client.CoreV1().Events(ns).Create(ctx, odd, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
	})

	It("answers a delete with a Status naming the event, not the event", func(ctx context.Context) {
		created, err := s.Client.CoreV1().Events(ns).Create(ctx, newEvent(ns, "to-delete", "web", "Pulled", corev1.EventTypeNormal), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		reply := s.Raw().Do(ctx, http.MethodDelete, "/api/v1/namespaces/"+ns+"/events/to-delete", "", nil, "Accept", "application/json")
		Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)
		Expect(reply.Header.Get("Content-Type")).To(Equal("application/json"))
		Expect(string(reply.Body)).To(Equal(fmt.Sprintf(
			`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"to-delete","kind":"events","uid":%q}}`+"\n", created.UID)))

		_, err = s.Client.CoreV1().Events(ns).Get(ctx, "to-delete", metav1.GetOptions{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
	})

	It("creates on update, as event recorders expect", func(ctx context.Context) {
		e := newEvent(ns, "put-created", "web", "Pulled", corev1.EventTypeNormal)
		e.Namespace = ns
		_, err := s.Client.CoreV1().Events(ns).Update(ctx, e, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
	})
})

var _ = Describe("Event TTL", Label("events"), func() {
	It("lets etcd remove an event after --event-ttl", func(ctx context.Context) {
		s := startServer(framework.ServerConfig{Customize: func(o *server.Options) { o.EventTTL = 2 * time.Second }})
		_, err := s.Client.CoreV1().Events("default").Create(ctx, newEvent("default", "short-lived", "web", "Pulled", corev1.EventTypeNormal), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() error {
			_, err := s.Client.CoreV1().Events("default").Get(ctx, "short-lived", metav1.GetOptions{})
			return err
		}).WithTimeout(30 * time.Second).WithPolling(250 * time.Millisecond).Should(Satisfy(apierrors.IsNotFound))
	})
})

var _ = Describe("The debug container trail", Label("events"), Ordered, func() {
	var s *framework.TestServer

	BeforeAll(func() {
		s = startServer(framework.ServerConfig{FeatureGates: map[string]bool{"EphemeralContainers": true}})
	})

	// trailOf is the EphemeralContainerAdded events of the pod.
	trailOf := func(ctx context.Context, ns, pod string) []corev1.Event {
		list, err := s.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
			FieldSelector: "involvedObject.kind=Pod,involvedObject.name=" + pod + ",reason=EphemeralContainerAdded",
		})
		Expect(err).NotTo(HaveOccurred())
		return list.Items
	}

	It("records an event for a container added in either wire form", func(ctx context.Context) {
		ns := uniqueName("trail")
		createNamespace(ctx, s.Client, ns)
		pod, err := s.Client.CoreV1().Pods(ns).Create(ctx, newPod("p"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		By("the Pod form")
		pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debugger", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		}}}
		pod, err = s.Client.CoreV1().Pods(ns).UpdateEphemeralContainers(ctx, "p", pod, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())

		By("the 1.16 form")
		raw := s.Raw()
		body := fmt.Sprintf(`{"kind":"EphemeralContainers","apiVersion":"v1","metadata":{"name":"p","namespace":%q},"ephemeralContainers":[`+
			`{"name":"debugger","image":"busybox","imagePullPolicy":"IfNotPresent","terminationMessagePolicy":"File"},`+
			`{"name":"legacy","image":"alpine:3","imagePullPolicy":"IfNotPresent","terminationMessagePolicy":"File"}]}`, ns)
		reply := raw.Do(ctx, http.MethodPut, "/api/v1/namespaces/"+ns+"/pods/p/ephemeralcontainers", "application/json", []byte(body))
		Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)

		By("a dry run records nothing")
		pod, err = s.Client.CoreV1().Pods(ns).Get(ctx, "p", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		dry := pod.DeepCopy()
		dry.Spec.EphemeralContainers = append(dry.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "dry", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		}})
		_, err = s.Client.CoreV1().Pods(ns).UpdateEphemeralContainers(ctx, "p", dry, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
		Expect(err).NotTo(HaveOccurred())

		var events []corev1.Event
		Eventually(func() []corev1.Event {
			events = trailOf(ctx, ns, "p")
			return events
		}).WithTimeout(15 * time.Second).Should(HaveLen(2))
		Consistently(func() []corev1.Event { return trailOf(ctx, ns, "p") }).WithTimeout(time.Second).Should(HaveLen(2))

		byPath := map[string]corev1.Event{}
		for _, e := range events {
			byPath[e.InvolvedObject.FieldPath] = e
		}
		Expect(byPath).To(HaveKey("spec.ephemeralContainers{debugger}"))
		Expect(byPath).To(HaveKey("spec.ephemeralContainers{legacy}"))
		e := byPath["spec.ephemeralContainers{debugger}"]
		Expect(e.Type).To(Equal(corev1.EventTypeNormal))
		Expect(e.Message).To(Equal(`Added ephemeral container "debugger" (image "busybox") by user "admin"`))
		Expect(e.Source.Component).To(Equal("ephemeral-apiserver"))
		Expect(e.ReportingController).To(Equal("ephemeral-apiserver"))
		Expect(e.InvolvedObject.Kind).To(Equal("Pod"))
		Expect(e.InvolvedObject.APIVersion).To(Equal("v1"))
		Expect(e.InvolvedObject.Namespace).To(Equal(ns))
		Expect(e.InvolvedObject.UID).To(Equal(pod.UID))
		Expect(e.Count).To(Equal(int32(1)))
		Expect(byPath["spec.ephemeralContainers{legacy}"].Message).To(Equal(`Added ephemeral container "legacy" (image "alpine:3") by user "admin"`))
	})

	It("still adds the container when the event cannot be written", func(ctx context.Context) {
		ns := uniqueName("trail-terminating")
		createNamespace(ctx, s.Client, ns)
		pod, err := s.Client.CoreV1().Pods(ns).Create(ctx, newPod("p", withFinalizers(holdFinalizer)), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx context.Context) { releaseFinalizers(ctx, s.Client, ns, "p") })
		Expect(s.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})).To(Succeed())

		// The namespace refuses new events now; the add must not notice.
		pod, err = s.Client.CoreV1().Pods(ns).Get(ctx, "p", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debugger", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		}}}
		start := time.Now()
		updated, err := s.Client.CoreV1().Pods(ns).UpdateEphemeralContainers(ctx, "p", pod, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
		Expect(updated.Spec.EphemeralContainers).To(HaveLen(1))
		Consistently(func() []corev1.Event { return trailOf(ctx, ns, "p") }).WithTimeout(2 * time.Second).Should(BeEmpty())
	})
})
