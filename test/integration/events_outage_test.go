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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// These specs pause the suite's shared etcd, so they run alone.
var _ = Describe("Debug container events while etcd is unavailable", Label("events", "outage"), Serial, func() {
	It("lets each add succeed or fail on its own merits, and never hangs", func(ctx context.Context) {
		if etcd == nil {
			Skip("needs the etcd process this suite started")
		}
		s := startServer(framework.ServerConfig{FeatureGates: map[string]bool{"EphemeralContainers": true}})
		const ns = "outage"
		createNamespace(ctx, s.Client, ns)
		pods := s.Client.CoreV1().Pods(ns)
		_, err := pods.Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		addDebugger := func(ctx context.Context, name string) error {
			patch := fmt.Sprintf(`{"spec":{"ephemeralContainers":[{"name":%q,"image":"busybox"}]}}`, name)
			_, err := pods.Patch(ctx, "p", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "ephemeralcontainers")
			return err
		}

		By("adding a debug container while etcd serves")
		Expect(addDebugger(ctx, "before")).To(Succeed())

		By("pausing etcd right after, while the event may still be on its way, and adding another")
		Expect(etcd.Pause()).To(Succeed())
		resumed := false
		resume := func() {
			if !resumed {
				resumed = true
				Expect(etcd.Resume()).To(Succeed())
			}
		}
		DeferCleanup(resume)
		start := time.Now()
		short, cancel := context.WithTimeout(ctx, 3*time.Second)
		err = addDebugger(short, "during")
		cancel()
		Expect(err).To(HaveOccurred(), "the add cannot be stored while etcd is paused")
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second), "the request returned")

		By("resuming etcd: the server serves again and later adds succeed")
		resume()
		Eventually(func(ctx context.Context) error { return addDebugger(ctx, "after") }).
			WithContext(ctx).WithTimeout(60 * time.Second).WithPolling(500 * time.Millisecond).Should(Succeed())
		pod, err := pods.Get(ctx, "p", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, ec := range pod.Spec.EphemeralContainers {
			names = append(names, ec.Name)
		}
		// The paused add was refused to its client; whether etcd applied it
		// once resumed is etcd's to decide, never a duplicate.
		Expect(names).To(ContainElements("before", "after"))
		Expect(len(names)).To(BeNumerically("<=", 3))

		By("the events of the acknowledged adds are recorded: the pause was shorter than a write's timeout")
		Eventually(func(ctx context.Context) ([]string, error) {
			list, err := s.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=EphemeralContainerAdded"})
			if err != nil {
				return nil, err
			}
			var messages []string
			for _, ev := range list.Items {
				messages = append(messages, ev.Message)
			}
			return messages, nil
		}).WithContext(ctx).WithTimeout(60 * time.Second).Should(ContainElements(
			ContainSubstring(`"after"`),
		))
	})
})
