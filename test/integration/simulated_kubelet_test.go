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
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

var _ = Describe("The simulated kubelet", Label("kubelet"), func() {
	const ns = "default"
	var (
		s    *framework.TestServer
		pods func() corev1client.PodInterface
	)
	BeforeEach(func() {
		s = startServer(framework.ServerConfig{
			FeatureGates: map[string]bool{"EphemeralContainers": true},
			Flags:        []string{"--simulate-kubelet", "--simulate-kubelet-fail-images=nosuch*"},
		})
		fast := rest.CopyConfig(s.ClientConfig)
		fast.QPS, fast.Burst = -1, 0
		client := kubernetes.NewForConfigOrDie(fast)
		pods = func() corev1client.PodInterface { return client.CoreV1().Pods(ns) }
	})

	It("reports every debug container added concurrently, and no status ever goes back", func(ctx context.Context) {
		const podCount, writers, addsPerWriter = 8, 16, 6
		for i := range podCount {
			_, err := pods().Create(ctx, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i)},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.9"}}},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
		}

		By("watching every status the kubelet writes")
		w, err := pods().Watch(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		defer w.Stop()
		var mu sync.Mutex
		seen := map[string]map[string][]string{} // pod → container → states in order
		var regressions []string
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			for event := range w.ResultChan() {
				if event.Type != watch.Modified && event.Type != watch.Added {
					continue
				}
				pod := event.Object.(*corev1.Pod)
				mu.Lock()
				if seen[pod.Name] == nil {
					seen[pod.Name] = map[string][]string{}
				}
				for _, cs := range pod.Status.EphemeralContainerStatuses {
					history := seen[pod.Name][cs.Name]
					state := stateOf(cs.State)
					if len(history) > 0 && stateRank[state] < stateRank[history[len(history)-1]] {
						regressions = append(regressions, fmt.Sprintf("%s/%s: %s after %v", pod.Name, cs.Name, state, history))
					}
					if len(history) == 0 || history[len(history)-1] != state {
						seen[pod.Name][cs.Name] = append(history, state)
					}
				}
				// A container once reported is never dropped.
				for name := range seen[pod.Name] {
					found := false
					for _, cs := range pod.Status.EphemeralContainerStatuses {
						found = found || cs.Name == name
					}
					if !found {
						regressions = append(regressions, fmt.Sprintf("%s/%s: its status disappeared", pod.Name, name))
					}
				}
				mu.Unlock()
			}
		}()

		By(fmt.Sprintf("adding %d debug containers from %d writers, some with an image that fails", writers*addsPerWriter, writers))
		var wg sync.WaitGroup
		errs := make(chan error, writers*addsPerWriter)
		for wr := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for a := range addsPerWriter {
					image := "busybox"
					if a == 0 {
						image = "nosuchimage"
					}
					patch := fmt.Sprintf(`{"spec":{"ephemeralContainers":[{"name":"w%d-a%d","image":%q}]}}`, wr, a, image)
					pod := fmt.Sprintf("p%d", (wr+a)%podCount)
					_, err := pods().Patch(ctx, pod, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "ephemeralcontainers")
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			Expect(err).NotTo(HaveOccurred())
		}

		By("waiting until every debug container runs, or backs off pulling its image")
		Eventually(func(g Gomega) {
			list, err := pods().List(ctx, metav1.ListOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			total := 0
			for _, pod := range list.Items {
				g.Expect(pod.Status.EphemeralContainerStatuses).To(HaveLen(len(pod.Spec.EphemeralContainers)), pod.Name)
				for _, cs := range pod.Status.EphemeralContainerStatuses {
					want := "Running"
					if cs.Image == "nosuchimage" {
						want = "ImagePullBackOff"
					}
					g.Expect(stateOf(cs.State)).To(Equal(want), pod.Name+"/"+cs.Name)
					total++
				}
			}
			g.Expect(total).To(Equal(writers * addsPerWriter))
		}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(50 * time.Millisecond).Should(Succeed())

		w.Stop()
		<-watched
		mu.Lock()
		defer mu.Unlock()
		Expect(regressions).To(BeEmpty())
		for pod, containers := range seen {
			for name, history := range containers {
				Expect(history[0]).To(Equal("ContainerCreating"), pod+"/"+name)
			}
		}
	})

	It("acts as its node's user, authorized by RBAC", func(ctx context.Context) {
		_, err := pods().Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "busybox"}}},
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func(g Gomega) {
			pod, err := pods().Get(ctx, "p", metav1.GetOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(pod.Status.Phase).To(Equal(corev1.PodRunning))
			managers := map[string]string{}
			for _, entry := range pod.ManagedFields {
				managers[entry.Manager+"/"+entry.Subresource] = string(entry.Operation)
			}
			g.Expect(managers).To(HaveKeyWithValue("kubelet/status", "Update"))
		}).WithContext(ctx).WithTimeout(10 * time.Second).Should(Succeed())

		binding, err := s.Client.RbacV1().ClusterRoleBindings().Get(ctx, "system:simulated-kubelet:simulated-node", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(binding.Subjects).To(ConsistOf(HaveField("Name", "system:node:simulated-node")))

		By("the node's user may write pod status, and nothing else of the pod")
		node := kubernetes.NewForConfigOrDie(s.ConfigFor("system:node:simulated-node", "system:nodes")).CoreV1().Pods(ns)
		_, err = node.Patch(ctx, "p", types.MergePatchType, []byte(`{"metadata":{"labels":{"a":"b"}}}`), metav1.PatchOptions{})
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)
		_, err = node.Patch(ctx, "p", types.MergePatchType, []byte(`{"status":{"message":"hello"}}`), metav1.PatchOptions{}, "status")
		Expect(err).NotTo(HaveOccurred())
	})

	It("completes a graceful deletion: containers stopped, then the pod removed", func(ctx context.Context) {
		_, err := pods().Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "busybox"}}},
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() (corev1.PodPhase, error) {
			pod, err := pods().Get(ctx, "p", metav1.GetOptions{})
			return pod.Status.Phase, err
		}).WithContext(ctx).WithTimeout(10 * time.Second).Should(Equal(corev1.PodRunning))

		w, err := pods().Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=p"})
		Expect(err).NotTo(HaveOccurred())
		defer w.Stop()
		Expect(pods().Delete(ctx, "p", metav1.DeleteOptions{})).To(Succeed())
		var phases []string
		timeout := time.After(10 * time.Second)
		for deleted := false; !deleted; {
			select {
			case event := <-w.ResultChan():
				pod, ok := event.Object.(*corev1.Pod)
				Expect(ok).To(BeTrue(), "%v", event.Object)
				deleted = event.Type == watch.Deleted
				phase := string(pod.Status.Phase) + ":" + stateOf(pod.Status.ContainerStatuses[0].State)
				if event.Type == watch.Modified && (len(phases) == 0 || phases[len(phases)-1] != phase) {
					phases = append(phases, phase)
				}
			case <-timeout:
				Fail(fmt.Sprintf("the pod was not removed; phases seen %v", phases))
			}
		}
		Expect(phases).To(Equal([]string{"Running:Running", "Succeeded:Completed"}))
	})
})

// stateOf names a container's state: its waiting or terminated reason, or
// Running.
func stateOf(state corev1.ContainerState) string {
	switch {
	case state.Waiting != nil:
		return state.Waiting.Reason
	case state.Running != nil:
		return "Running"
	case state.Terminated != nil:
		return state.Terminated.Reason
	}
	return ""
}

// stateRank orders the states a debug container goes through.
var stateRank = map[string]int{"ContainerCreating": 0, "ErrImagePull": 1, "ImagePullBackOff": 2, "Running": 1}
