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
	"context"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// legacyProfileWarning is what kubectl 1.32 prints on stderr for every
// `kubectl debug` without --profile.
const legacyProfileWarning = `--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".` + "\n"

var _ = Describe("Ephemeral containers", Ordered, Label("ephemeral-containers"), func() {
	var (
		server  *Server
		kubectl *Kubectl
	)

	BeforeAll(func() {
		server = startServer(gateOn)
		kubectl = server.Kubectl()
		Expect(kubectl.Succeed("run", "example-pod", "--image=nginx")).To(Equal("pod/example-pod created\n"))
	})

	getPod := func(name string) *corev1.Pod {
		GinkgoHelper()
		var pod corev1.Pod
		Expect(json.Unmarshal([]byte(kubectl.Succeed("get", "pod", name, "-o", "json")), &pod)).To(Succeed())
		return &pod
	}

	Context("added with kubectl debug", Label("kubectl"), func() {
		debug := []string{"debug", "example-pod", "--image=busybox", "-c", "debugger", "--attach=false"}

		It("adds the container to the pod", func() {
			r := kubectl.Run(debug...)
			Expect(r.ExitCode).To(Equal(0), r.Stderr)
			Expect(r.Stdout).To(BeEmpty())
			Expect(r.Stderr).To(Equal(legacyProfileWarning))

			Expect(kubectl.Succeed("get", "pod", "example-pod", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).To(Equal("debugger"))
			pod := getPod("example-pod")
			Expect(pod.Generation).To(Equal(int64(2)))
			Expect(pod.Spec.EphemeralContainers).To(HaveLen(1))
			ec := pod.Spec.EphemeralContainers[0]
			Expect(ec.Image).To(Equal("busybox"))
			Expect(ec.ImagePullPolicy).To(Equal(corev1.PullAlways))
			Expect(ec.TerminationMessagePath).To(Equal("/dev/termination-log"))
			Expect(ec.TerminationMessagePolicy).To(Equal(corev1.TerminationMessageReadFile))
			Expect(pod.Status.Phase).To(Equal(corev1.PodPending), "nothing runs the pod")
			Expect(pod.Status.EphemeralContainerStatuses).To(BeEmpty())
		})

		It("shows an Ephemeral Containers section in kubectl describe", func() {
			out := kubectl.Succeed("describe", "pod", "example-pod")
			Expect(out).To(ContainSubstring("\nContainers:\n  example-pod:\n"))
			Expect(out).To(ContainSubstring("\nEphemeral Containers:\n  debugger:\n    Image:        busybox\n"))
		})

		// Upstream kube-apiserver v1.37.2 answers kubectl's patch with 200
		// and leaves the pod alone: the strategic merge joins the "new"
		// container into the existing one by name and nothing changes
		// (reference capture f02-kubectl-debug-again-same-name: exit 0,
		// only the profile warning printed).
		It("leaves the pod unchanged when the same debug runs again with the same name", func() {
			before := getPod("example-pod")
			r := kubectl.Run(debug...)
			Expect(r.ExitCode).To(Equal(0), r.Stderr)
			Expect(r.Stdout + r.Stderr).To(Equal(legacyProfileWarning))

			after := getPod("example-pod")
			Expect(after.Spec.EphemeralContainers).To(Equal(before.Spec.EphemeralContainers))
			Expect(after.ResourceVersion).To(Equal(before.ResourceVersion), "a no-op patch writes nothing")
			Expect(after.Generation).To(Equal(before.Generation))
		})

		It("refuses the name of a regular container", func() {
			r := kubectl.Fail("debug", "example-pod", "--image=busybox", "-c", "example-pod", "--attach=false")
			Expect(r.Stderr).To(Equal(legacyProfileWarning +
				"The Pod \"example-pod\" is invalid: spec.ephemeralContainers[1].name: Duplicate value: \"example-pod\"\n"))
			Expect(kubectl.Succeed("get", "pod", "example-pod", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).To(Equal("debugger"))
		})
	})

	Context("added with kubectl replace --raw and a full Pod body", Label("kubectl", "raw"), func() {
		It("appends the container and answers with the Pod", func() {
			pod := getPod("example-pod")
			pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, corev1.EphemeralContainer{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "raw-debugger", Image: "busybox:1.36", Command: []string{"sh"},
				},
				TargetContainerName: "example-pod",
			})
			body, err := json.Marshal(pod)
			Expect(err).NotTo(HaveOccurred())
			file := writeManifest("pod.json", string(body))

			var replaced corev1.Pod
			out := kubectl.Succeed("replace", "--raw", podPath("default", "example-pod", "ephemeralcontainers"), "-f", file)
			Expect(json.Unmarshal([]byte(out), &replaced)).To(Succeed())
			Expect(replaced.Kind).To(Equal("Pod"))
			Expect(replaced.UID).To(Equal(pod.UID))
			Expect(replaced.Generation).To(Equal(pod.Generation + 1))
			Expect(replaced.Spec.EphemeralContainers).To(HaveLen(2))
			Expect(replaced.Spec.EphemeralContainers[0].Name).To(Equal("debugger"))
			added := replaced.Spec.EphemeralContainers[1]
			Expect(added.Name).To(Equal("raw-debugger"))
			Expect(added.TargetContainerName).To(Equal("example-pod"))
			Expect(added.ImagePullPolicy).To(Equal(corev1.PullIfNotPresent))

			Expect(kubectl.Succeed("get", "pod", "example-pod", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).
				To(Equal("debugger raw-debugger"))

			By("sending the same body again, now with a stale resourceVersion")
			r := kubectl.Fail("replace", "--raw", podPath("default", "example-pod", "ephemeralcontainers"), "-f", file)
			Expect(r.Stderr).To(Equal("Error from server (Conflict): Operation cannot be fulfilled on pods \"example-pod\": " +
				"the object has been modified; please apply your changes to the latest version and try again\n"))
		})
	})

	Context("added with client-go", Label("client-go"), func() {
		It("creates a pod and adds a container with UpdateEphemeralContainers", func(ctx context.Context) {
			_, err := server.Client().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "client-go"}}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			pods := server.Client().CoreV1().Pods("client-go")
			created, err := pods.Create(ctx, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: "target"},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(created.Namespace).To(Equal("client-go"))
			Expect(created.Generation).To(Equal(int64(1)))

			created.Spec.EphemeralContainers = []corev1.EphemeralContainer{{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debugger", Image: "busybox", Stdin: true, TTY: true,
				},
			}}
			updated, err := pods.UpdateEphemeralContainers(ctx, "target", created, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Generation).To(Equal(int64(2)))
			Expect(updated.Spec.EphemeralContainers).To(HaveLen(1))
			Expect(updated.Spec.EphemeralContainers[0].Name).To(Equal("debugger"))
			Expect(updated.Spec.EphemeralContainers[0].ImagePullPolicy).To(Equal(corev1.PullAlways))
			Expect(updated.ManagedFields).To(ContainElement(And(
				HaveField("Subresource", "ephemeralcontainers"),
				HaveField("Operation", metav1.ManagedFieldsOperationUpdate),
			)))

			got, err := pods.Get(ctx, "target", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Spec.EphemeralContainers).To(Equal(updated.Spec.EphemeralContainers))
			Expect(got.ResourceVersion).To(Equal(updated.ResourceVersion))

			By("removing it again, which is forbidden")
			got.Spec.EphemeralContainers = nil
			_, err = pods.UpdateEphemeralContainers(ctx, "target", got, metav1.UpdateOptions{})
			Expect(err).To(MatchError(ContainSubstring(`spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be removed`)))
		})
	})
})

var _ = Describe("Ephemeral containers with the feature gate off", Ordered, Label("ephemeral-containers", "feature-gate", "kubectl"), func() {
	var kubectl *Kubectl

	BeforeAll(func() {
		kubectl = startServer( /* no --feature-gates */ ).Kubectl()
		Expect(kubectl.Succeed("run", "example-pod", "--image=nginx")).To(Equal("pod/example-pod created\n"))
	})

	It("makes kubectl debug report that they are disabled", func() {
		r := kubectl.Fail("debug", "example-pod", "--image=busybox", "-c", "debugger", "--attach=false")
		Expect(r.Stderr).To(Equal(legacyProfileWarning +
			"error: ephemeral containers are disabled for this cluster (error from server: \"the server could not find the requested resource\")\n"))
		Expect(kubectl.Succeed("get", "pod", "example-pod", "-o", "jsonpath={.spec.ephemeralContainers}")).To(BeEmpty())
	})

	It("does not serve pods/ephemeralcontainers", func() {
		Expect(kubectl.Succeed("get", "--raw", "/api/v1")).NotTo(ContainSubstring("pods/ephemeralcontainers"))
		r := kubectl.Fail("get", "--raw", podPath("default", "example-pod", "ephemeralcontainers"))
		Expect(r.Stderr).To(Equal("Error from server (NotFound): the server could not find the requested resource\n"))
	})
})
