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

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
)

var _ = Describe("A restarted server", Label("restart", "kubectl"), func() {
	It("keeps every pod, uid, resourceVersion and ephemeral container in its embedded etcd", func() {
		first := startServer(gateOn)
		kubectl := first.Kubectl()

		By("creating pods and adding an ephemeral container")
		// gamma's namespace must exist before gamma.
		manifest := writeManifest("pods.yaml", `apiVersion: v1
kind: Namespace
metadata:
  name: other
---
apiVersion: v1
kind: Pod
metadata:
  name: alpha
  labels: {app: persisted}
spec:
  containers: [{name: app, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata:
  name: beta
  labels: {app: persisted}
spec:
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata:
  name: gamma
  namespace: other
spec:
  containers: [{name: app, image: busybox}]
`)
		Expect(kubectl.Succeed("create", "-f", manifest)).To(Equal("namespace/other created\npod/alpha created\npod/beta created\npod/gamma created\n"))
		Expect(kubectl.Run("debug", "alpha", "--image=busybox", "-c", "debugger", "--attach=false").ExitCode).To(Equal(0))
		before := kubectlGetPods(kubectl)
		Expect(before).To(HaveLen(3))
		Expect(before["default/alpha"].Spec.EphemeralContainers).To(HaveLen(1))

		By("stopping it with SIGTERM")
		first.Stop()

		By("starting it again on the same data dir and a new port")
		second := restartServer(first)
		Expect(second.Port).NotTo(Equal(first.Port))
		kubeconfig, err := os.ReadFile(second.Kubeconfig)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(kubeconfig)).To(ContainSubstring(fmt.Sprintf("server: https://127.0.0.1:%d\n", second.Port)),
			"admin.kubeconfig is rewritten for the new port")
		kubectl = second.Kubectl()

		after := kubectlGetPods(kubectl)
		Expect(after).To(HaveLen(len(before)))
		for key, was := range before {
			Expect(after).To(HaveKey(key))
			is := after[key]
			Expect(is.UID).To(Equal(was.UID), key)
			Expect(is.ResourceVersion).To(Equal(was.ResourceVersion), key)
			Expect(is.Generation).To(Equal(was.Generation), key)
			Expect(is.CreationTimestamp).To(Equal(was.CreationTimestamp), key)
			Expect(is.Spec).To(Equal(was.Spec), key)
		}
		Expect(kubectl.Succeed("get", "pod", "alpha", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).To(Equal("debugger"))

		By("writing on after the restart")
		Expect(kubectl.Run("debug", "alpha", "--image=busybox", "-c", "debugger2", "--attach=false").ExitCode).To(Equal(0))
		alpha := kubectlGetPods(kubectl)["default/alpha"]
		Expect(alpha.Spec.EphemeralContainers).To(HaveLen(2))
		Expect(resourceVersion(alpha)).To(BeNumerically(">", resourceVersion(before["default/alpha"])),
			"etcd's revision survives the restart")
	})
})

// listPods is every pod the server has, by namespace/name.
func kubectlGetPods(kubectl *Kubectl) map[string]corev1.Pod {
	GinkgoHelper()
	var list corev1.PodList
	Expect(json.Unmarshal([]byte(kubectl.Succeed("get", "pods", "--all-namespaces", "-o", "json")), &list)).To(Succeed())
	pods := map[string]corev1.Pod{}
	for _, pod := range list.Items {
		pods[pod.Namespace+"/"+pod.Name] = pod
	}
	return pods
}

func resourceVersion(pod corev1.Pod) uint64 {
	GinkgoHelper()
	rv, err := strconv.ParseUint(pod.ResourceVersion, 10, 64)
	Expect(err).NotTo(HaveOccurred())
	return rv
}
