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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

var _ = Describe("A server on a real etcd", Label("smoke"), func() {
	It("creates and reads back a pod with upstream's defaults", func(ctx context.Context) {
		s := startServer(framework.ServerConfig{})
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "smoke"},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
		}
		created, err := s.Client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(created.Status.Phase).To(Equal(corev1.PodPending))
		Expect(created.Spec.Containers[0].ImagePullPolicy).To(Equal(corev1.PullAlways))

		got, err := s.Client.CoreV1().Pods("default").Get(ctx, "smoke", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.UID).To(Equal(created.UID))
	})
})
