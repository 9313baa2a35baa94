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
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// expectNamespaceGone waits until the namespace no longer exists.
func expectNamespaceGone(ctx context.Context, client kubernetes.Interface, name string, timeout time.Duration) {
	GinkgoHelper()
	Eventually(func() error {
		_, err := client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		return err
	}).WithTimeout(timeout).WithPolling(200 * time.Millisecond).Should(Satisfy(apierrors.IsNotFound))
}

// expectTerminatingNamespaceRefusal checks upstream's 403 for new content in a
// terminating namespace.
func expectTerminatingNamespaceRefusal(err error, resource, ns string) {
	GinkgoHelper()
	st := statusOf(err)
	Expect(st.Code).To(Equal(int32(403)))
	Expect(st.Reason).To(Equal(metav1.StatusReasonForbidden))
	Expect(st.Message).To(HaveSuffix(fmt.Sprintf("is forbidden: unable to create new content in namespace %s because it is being terminated", ns)))
	Expect(st.Message).To(HavePrefix(resource + " "))
	Expect(st.Details).NotTo(BeNil())
	Expect(st.Details.Causes).To(ContainElement(metav1.StatusCause{
		Type:    corev1.NamespaceTerminatingCause,
		Message: fmt.Sprintf("namespace %s is being terminated", ns),
		Field:   "metadata.namespace",
	}))
}

var _ = Describe("Namespaces", Label("namespaces"), Ordered, ContinueOnFailure, func() {
	var (
		s    *framework.TestServer
		fast kubernetes.Interface
	)

	BeforeAll(func() {
		s = startServer(framework.ServerConfig{})
		fast = unthrottledClient(s)
	})

	It("default, kube-system and kube-public exist from the first start", func(ctx context.Context) {
		for _, name := range []string{"default", "kube-system", "kube-public"} {
			ns, err := s.Client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred(), name)
			Expect(ns.Status.Phase).To(Equal(corev1.NamespaceActive))
			Expect(ns.Spec.Finalizers).To(Equal([]corev1.FinalizerName{corev1.FinalizerKubernetes}))
			Expect(ns.Labels).To(HaveKeyWithValue(corev1.LabelMetadataName, name))
		}
	})

	It("refuses objects in a namespace that does not exist with upstream's 404", func(ctx context.Context) {
		missing := uniqueName("missing")
		_, err := s.Client.CoreV1().Pods(missing).Create(ctx, newPod("p"), metav1.CreateOptions{})
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(404)))
		Expect(st.Reason).To(Equal(metav1.StatusReasonNotFound))
		Expect(st.Message).To(Equal(fmt.Sprintf("namespaces %q not found", missing)))
		Expect(st.Details.Kind).To(Equal("namespaces"))
		Expect(st.Details.Name).To(Equal(missing))

		_, err = s.Client.CoreV1().Events(missing).Create(ctx, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: "e"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "p", Namespace: missing},
		}, metav1.CreateOptions{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
		_, err = s.Client.CoreV1().PodTemplates(missing).Create(ctx, &corev1.PodTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: "t"},
			Template:   corev1.PodTemplateSpec{Spec: newPod("x").Spec},
		}, metav1.CreateOptions{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
	})

	It("refuses to delete the initial namespaces", func(ctx context.Context) {
		for _, name := range []string{"default", "kube-system", "kube-public"} {
			err := s.Client.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(403)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonForbidden))
			Expect(st.Message).To(Equal(fmt.Sprintf("namespaces %q is forbidden: this namespace may not be deleted", name)))
			ns, err := s.Client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(ns.DeletionTimestamp).To(BeNil())
			Expect(ns.Status.Phase).To(Equal(corev1.NamespaceActive))
		}
	})

	It("validates the name and keeps the name label equal to the name", func(ctx context.Context) {
		_, err := s.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "Not_A_Label"}}, metav1.CreateOptions{})
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(422)))
		Expect(st.Message).To(HavePrefix(`Namespace "Not_A_Label" is invalid: metadata.name: Invalid value: "Not_A_Label": a lowercase RFC 1123 label must consist of`))

		created, err := s.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			GenerateName: "gen-", Labels: map[string]string{corev1.LabelMetadataName: "lie"},
		}}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(created.Labels).To(HaveKeyWithValue(corev1.LabelMetadataName, created.Name))

		created.Labels[corev1.LabelMetadataName] = "other"
		created.Spec.Finalizers = nil
		updated, err := s.Client.CoreV1().Namespaces().Update(ctx, created, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(updated.Labels).To(HaveKeyWithValue(corev1.LabelMetadataName, created.Name))
		Expect(updated.Spec.Finalizers).To(Equal([]corev1.FinalizerName{corev1.FinalizerKubernetes}), "only finalize changes spec.finalizers")

		Expect(s.Client.CoreV1().Namespaces().Delete(ctx, created.Name, metav1.DeleteOptions{})).To(Succeed())
		expectNamespaceGone(ctx, s.Client, created.Name, time.Minute)
	})

	It("selects namespaces by name and phase", func(ctx context.Context) {
		list, err := s.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=kube-public,status.phase=Active"})
		Expect(err).NotTo(HaveOccurred())
		Expect(list.Items).To(HaveLen(1))
		Expect(list.Items[0].Name).To(Equal("kube-public"))
		_, err = s.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{FieldSelector: "spec.finalizers=kubernetes"})
		Expect(statusOf(err).Message).To(ContainSubstring("field label not supported: spec.finalizers"))
	})

	It("empties a terminating namespace of 1,000 pods, its events and templates, then removes it", func(ctx context.Context) {
		ns := uniqueName("bulk")
		createNamespace(ctx, s.Client, ns)

		By("creating 1,000 pods, an event and a pod template")
		const total = 1000
		work := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				for i := range work {
					_, err := fast.CoreV1().Pods(ns).Create(ctx, newPod(fmt.Sprintf("p-%04d", i)), metav1.CreateOptions{})
					Expect(err).NotTo(HaveOccurred())
				}
			}()
		}
		for i := 0; i < total; i++ {
			work <- i
		}
		close(work)
		wg.Wait()
		_, err := s.Client.CoreV1().Events(ns).Create(ctx, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: "e"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "p-0000", Namespace: ns},
			Reason:         "Test", Type: corev1.EventTypeNormal,
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		_, err = s.Client.CoreV1().PodTemplates(ns).Create(ctx, &corev1.PodTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: "t"},
			Template:   corev1.PodTemplateSpec{Spec: newPod("x").Spec},
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		By("deleting the namespace, which answers it Terminating")
		result := s.Client.CoreV1().RESTClient().Delete().Resource("namespaces").Name(ns).Do(ctx)
		Expect(result.Error()).NotTo(HaveOccurred())
		var code int
		result.StatusCode(&code)
		Expect(code).To(Equal(200))
		obj, err := result.Get()
		Expect(err).NotTo(HaveOccurred())
		terminating := obj.(*corev1.Namespace)
		Expect(terminating.Status.Phase).To(Equal(corev1.NamespaceTerminating))
		Expect(terminating.DeletionTimestamp).NotTo(BeNil())
		Expect(terminating.Spec.Finalizers).To(ContainElement(corev1.FinalizerKubernetes))

		By("refusing new content while it terminates")
		_, err = s.Client.CoreV1().Pods(ns).Create(ctx, newPod("late"), metav1.CreateOptions{})
		expectTerminatingNamespaceRefusal(err, "pods", ns)
		_, err = s.Client.CoreV1().PodTemplates(ns).Create(ctx, &corev1.PodTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: "late"},
			Template:   corev1.PodTemplateSpec{Spec: newPod("x").Spec},
		}, metav1.CreateOptions{})
		expectTerminatingNamespaceRefusal(err, "podtemplates", ns)

		By("removing everything, then the namespace")
		expectNamespaceGone(ctx, s.Client, ns, 3*time.Minute)
		pods, err := s.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(pods.Items).To(BeEmpty())
		events, err := s.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(events.Items).To(BeEmpty())
		templates, err := s.Client.CoreV1().PodTemplates(ns).List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(templates.Items).To(BeEmpty())

		By("a namespace of the same name can be created again")
		createNamespace(ctx, s.Client, ns)
		_, err = s.Client.CoreV1().Pods(ns).Create(ctx, newPod("again"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
	})

	It("stays Terminating while content remains, and goes once it is gone", func(ctx context.Context) {
		ns := uniqueName("held")
		createNamespace(ctx, s.Client, ns)
		_, err := s.Client.CoreV1().Pods(ns).Create(ctx, newPod("held", withFinalizers(holdFinalizer)), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})).To(Succeed())

		Consistently(func(g Gomega) {
			got, err := s.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got.Status.Phase).To(Equal(corev1.NamespaceTerminating))
			g.Expect(got.Spec.Finalizers).To(ContainElement(corev1.FinalizerKubernetes))
		}).WithTimeout(2 * time.Second).Should(Succeed())

		By("a second delete answers the namespace, still Terminating")
		Expect(s.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})).To(Succeed())

		releaseFinalizers(ctx, s.Client, ns, "held")
		expectNamespaceGone(ctx, s.Client, ns, time.Minute)
	})

	It("checks status and finalize writes", func(ctx context.Context) {
		ns := uniqueName("sub")
		createNamespace(ctx, s.Client, ns)
		got, err := s.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())

		bad := got.DeepCopy()
		bad.Status.Phase = corev1.NamespaceTerminating
		_, err = s.Client.CoreV1().Namespaces().UpdateStatus(ctx, bad, metav1.UpdateOptions{})
		Expect(statusOf(err).Message).To(Equal(fmt.Sprintf("Namespace %q is invalid: status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty", ns)))

		bad = got.DeepCopy()
		bad.Spec.Finalizers = []corev1.FinalizerName{"not-qualified"}
		_, err = s.Client.CoreV1().Namespaces().Finalize(ctx, bad, metav1.UpdateOptions{})
		Expect(statusOf(err).Message).To(ContainSubstring("spec.finalizers[0]: Invalid value: \"not-qualified\": name is neither a standard finalizer name nor is it fully qualified"))

		// Finalizing an Active namespace only empties the list.
		done := got.DeepCopy()
		done.Spec.Finalizers = nil
		finalized, err := s.Client.CoreV1().Namespaces().Finalize(ctx, done, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(finalized.Spec.Finalizers).To(BeEmpty())
		Expect(finalized.Status.Phase).To(Equal(corev1.NamespaceActive))

		// With nothing to finalize, a delete removes it at once.
		Expect(s.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})).To(Succeed())
		_, err = s.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
	})
})

var _ = Describe("Namespaces on servers sharing one etcd", Label("namespaces"), func() {
	It("agree across replicas: either may create, use and delete a namespace", func(ctx context.Context) {
		a := startServer(framework.ServerConfig{})
		b := startServer(framework.ServerConfig{EtcdPrefix: a.EtcdPrefix})
		ns := uniqueName("shared")
		createNamespace(ctx, a.Client, ns)

		By("B admits a pod into the namespace A created")
		_, err := b.Client.CoreV1().Pods(ns).Create(ctx, newPod("on-b"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		_, err = b.Client.CoreV1().Pods(ns).Create(ctx, newPod("held", withFinalizers(holdFinalizer)), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		By("a delete through B makes A refuse new content")
		Expect(b.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})).To(Succeed())
		Eventually(func() error {
			_, err := a.Client.CoreV1().Pods(ns).Create(ctx, newPod("late"), metav1.CreateOptions{})
			return err
		}).WithTimeout(10 * time.Second).Should(MatchError(ContainSubstring("because it is being terminated")))

		By("both controllers at work, the namespace goes once released")
		releaseFinalizers(ctx, a.Client, ns, "held")
		expectNamespaceGone(ctx, a.Client, ns, time.Minute)
		expectNamespaceGone(ctx, b.Client, ns, 10*time.Second)
		Eventually(func() bool {
			_, err := b.Client.CoreV1().Pods(ns).Create(ctx, newPod("after"), metav1.CreateOptions{})
			return apierrors.IsNotFound(err)
		}).WithTimeout(10 * time.Second).Should(BeTrue())
	})

	It("finishes a deletion begun before a restart", func(ctx context.Context) {
		first, err := framework.StartServer(framework.ServerConfig{EtcdURL: etcdURL})
		Expect(err).NotTo(HaveOccurred())
		stopFirst := sync.OnceFunc(first.Stop)
		DeferCleanup(stopFirst)

		ns := uniqueName("restart")
		createNamespace(ctx, first.Client, ns)
		held, err := first.Client.CoreV1().Pods(ns).Create(ctx, newPod("held", withFinalizers(holdFinalizer)), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})).To(Succeed())
		stopFirst()

		second := startServer(framework.ServerConfig{EtcdPrefix: first.EtcdPrefix})
		got, err := second.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Status.Phase).To(Equal(corev1.NamespaceTerminating))
		pod, err := second.Client.CoreV1().Pods(ns).Get(ctx, "held", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(pod.UID).To(Equal(types.UID(held.UID)))

		releaseFinalizers(ctx, second.Client, ns, "held")
		expectNamespaceGone(ctx, second.Client, ns, time.Minute)
	})
})
