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
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// legacyEphemeralContainersBody is the body of the 1.16-era debugging flow:
// kind EphemeralContainers, PUT to pods/<name>/ephemeralcontainers.
const legacyEphemeralContainersBody = `{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":"example-pod"},` +
	`"ephemeralContainers":[{"command":["sh"],"image":"busybox","imagePullPolicy":"IfNotPresent","name":"debugger",` +
	`"stdin":true,"tty":true,"terminationMessagePolicy":"File"}]}`

// A whole debugging session, with this spec acting as the kubelet: what
// the user sees through kubectl must look like a real cluster's.
var _ = Describe("A debugging session", Ordered, Label("debug-session", "kubectl"), func() {
	var (
		server  *Server
		kubectl *Kubectl
		client  kubernetes.Interface
	)

	BeforeAll(func() {
		server = startServer(gateOn)
		kubectl = server.Kubectl()
		client = server.Client()
	})

	// kubelet writes a status the way the node agent would, through
	// pods/example-pod/status.
	kubelet := func(ctx context.Context, mutate func(status *corev1.PodStatus)) *corev1.Pod {
		GinkgoHelper()
		pods := client.CoreV1().Pods("debug")
		pod, err := pods.Get(ctx, "example-pod", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		mutate(&pod.Status)
		updated, err := pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		return updated
	}

	It("creates the namespace and the pod", func() {
		Expect(kubectl.Succeed("create", "namespace", "debug")).To(Equal("namespace/debug created\n"))
		manifest := writeManifest("pod.yaml", `apiVersion: v1
kind: Pod
metadata:
  name: example-pod
  namespace: debug
spec:
  containers:
  - name: nginx
    image: nginx
`)
		Expect(kubectl.Succeed("create", "-f", manifest)).To(Equal("pod/example-pod created\n"))
		Expect(kubectl.Succeed("get", "pods", "-n", "debug")).To(MatchRegexp(`(?m)^example-pod\s+0/1\s+Pending\s+0\s+\S+$`))
	})

	It("adds a debug container in the 1.16 form with kubectl replace --raw", func() {
		file := writeManifest("ec.json", legacyEphemeralContainersBody)
		out := kubectl.Succeed("replace", "--raw", podPath("debug", "example-pod", "ephemeralcontainers"), "-f", file)
		Expect(out).To(ContainSubstring(`"kind":"EphemeralContainers"`))
		Expect(kubectl.Succeed("get", "pod", "example-pod", "-n", "debug", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).
			To(Equal("debugger"))
	})

	It("adds a second one with kubectl debug", func() {
		r := kubectl.Run("debug", "example-pod", "-n", "debug", "--image=busybox", "-c", "debugger2", "--attach=false")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		Expect(r.Stdout).To(BeEmpty())
		Expect(r.Stderr).To(Equal(legacyProfileWarning))
		Expect(kubectl.Succeed("get", "pod", "example-pod", "-n", "debug", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).
			To(Equal("debugger debugger2"))
	})

	It("shows the pod Running once the kubelet reports it, to kubectl wait and get -w", func(ctx context.Context) {
		watch := kubectl.Start("get", "pods", "-n", "debug", "-w")
		Eventually(watch.Stdout).Should(MatchRegexp(`(?m)^example-pod\s+0/1\s+Pending\s+0\s+\S+$`))

		start := metav1.Now()
		kubelet(ctx, func(status *corev1.PodStatus) {
			status.Phase = corev1.PodRunning
			status.Conditions = nil
			for _, t := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
				status.Conditions = append(status.Conditions, corev1.PodCondition{
					Type: t, Status: corev1.ConditionTrue, LastTransitionTime: start,
				})
			}
			status.HostIP, status.HostIPs = "10.0.0.10", []corev1.HostIP{{IP: "10.0.0.10"}}
			status.PodIP, status.PodIPs = "10.244.0.5", []corev1.PodIP{{IP: "10.244.0.5"}}
			status.StartTime = &start
			status.QOSClass = corev1.PodQOSBestEffort
			status.ContainerStatuses = []corev1.ContainerStatus{{
				Name: "nginx", Image: "docker.io/library/nginx:latest", ImageID: "docker.io/library/nginx@sha256:0000",
				ContainerID: "containerd://nginx0", Ready: true, Started: ptrTo(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}},
			}}
			status.EphemeralContainerStatuses = []corev1.ContainerStatus{
				{
					Name: "debugger", Image: "busybox",
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
				},
				{
					Name: "debugger2", Image: "busybox",
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
				},
			}
		})

		Eventually(watch.Stdout).Should(MatchRegexp(`(?m)^example-pod\s+1/1\s+Running\s+0\s+\S+$`))
		Expect(kubectl.Succeed("wait", "-n", "debug", "--for=condition=Ready", "pod/example-pod", "--timeout=10s")).
			To(Equal("pod/example-pod condition met\n"))
		Expect(kubectl.Succeed("get", "pod", "example-pod", "-n", "debug", "-o",
			"jsonpath={.status.ephemeralContainerStatuses[0].state.waiting.reason}")).To(Equal("ContainerCreating"))
		Expect(kubectl.Succeed("get", "pods", "-n", "debug")).To(MatchRegexp(`(?m)^example-pod\s+1/1\s+Running\s+0\s+\S+$`))
	})

	It("lets kubectl wait for the debug containers to run", func(ctx context.Context) {
		// The waits start before the kubelet reports, as a user's would.
		waits := []*Background{
			kubectl.Start("wait", "-n", "debug", "pod/example-pod", "--timeout=30s",
				"--for=jsonpath={.status.ephemeralContainerStatuses[0].state.running.startedAt}"),
			kubectl.Start("wait", "-n", "debug", "pod/example-pod", "--timeout=30s",
				"--for=jsonpath={.status.ephemeralContainerStatuses[1].state.running.startedAt}"),
		}
		started := metav1.Now()
		kubelet(ctx, func(status *corev1.PodStatus) {
			for i := range status.EphemeralContainerStatuses {
				cs := &status.EphemeralContainerStatuses[i]
				cs.ContainerID = "containerd://" + cs.Name
				cs.ImageID = "docker.io/library/busybox@sha256:0000"
				cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}}
			}
		})
		for _, w := range waits {
			Eventually(w.done).Should(BeClosed())
			Expect(w.Stdout()).To(Equal("pod/example-pod condition met\n"))
		}
		Expect(kubectl.Succeed("get", "pod", "example-pod", "-n", "debug", "-o",
			`jsonpath={range .status.ephemeralContainerStatuses[*]}{.name}={.state.running.startedAt}{"\n"}{end}`)).
			To(MatchRegexp(`^debugger=\S+\ndebugger2=\S+\n$`))
	})

	It("describes the pod with its ephemeral containers and their events", func() {
		out := kubectl.Succeed("describe", "pod", "example-pod", "-n", "debug")
		GinkgoWriter.Println(out)
		Expect(out).To(MatchRegexp(`(?m)^Status:\s+Running$`))
		Expect(out).To(MatchRegexp(`(?m)^IP:\s+10\.244\.0\.5$`))
		started := regexp.MustCompile(`(?m)^( +Started: +).*$`)
		Expect(started.ReplaceAllString(section(out, "Ephemeral Containers:"), "${1}<time>")).To(Equal(`Ephemeral Containers:
  debugger:
    Container ID:  containerd://debugger
    Image:         busybox
    Image ID:      docker.io/library/busybox@sha256:0000
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
    State:          Running
      Started:      <time>
    Ready:          False
    Restart Count:  0
    Environment:    <none>
    Mounts:         <none>
  debugger2:
    Container ID:   containerd://debugger2
    Image:          busybox
    Image ID:       docker.io/library/busybox@sha256:0000
    Port:           <none>
    Host Port:      <none>
    State:          Running
      Started:      <time>
    Ready:          False
    Restart Count:  0
    Environment:    <none>
    Mounts:         <none>
`))

		age := regexp.MustCompile(`(?m)^(  Normal  EphemeralContainerAdded  )\S+( +)`)
		Expect(age.ReplaceAllString(section(out, "Events:"), "${1}<age>  ")).To(Equal(`Events:
  Type    Reason                   Age   From                 Message
  ----    ------                   ----  ----                 -------
  Normal  EphemeralContainerAdded  <age>  ephemeral-apiserver  Added ephemeral container "debugger" (image "busybox") by user "admin"
  Normal  EphemeralContainerAdded  <age>  ephemeral-apiserver  Added ephemeral container "debugger2" (image "busybox") by user "admin"
`))
	})

	It("lists both additions with kubectl get events", func() {
		out := kubectl.Succeed("get", "events", "-n", "debug", "--field-selector", "involvedObject.name=example-pod")
		Expect(lines(out)[0]).To(MatchRegexp(`^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$`))
		Expect(out).To(MatchRegexp(`(?m)^\S+\s+Normal\s+EphemeralContainerAdded\s+pod/example-pod\s+Added ephemeral container "debugger" `))
		Expect(out).To(MatchRegexp(`(?m)^\S+\s+Normal\s+EphemeralContainerAdded\s+pod/example-pod\s+Added ephemeral container "debugger2" `))
		Expect(lines(out)).To(HaveLen(3))
	})

	It("lists the pod in kubectl get all", func() {
		// Pods are the only served resource in the "all" category, so
		// kubectl prints one kind and leaves the kind prefix out unless
		// asked for it; a cluster that also serves services, deployments
		// and so on would list them as further kinds.
		out := kubectl.Succeed("get", "all", "-n", "debug")
		Expect(lines(out)).To(HaveLen(2))
		Expect(out).To(MatchRegexp(`(?m)^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nexample-pod\s+1/1\s+Running\s+0\s+\S+$`))
		out = kubectl.Succeed("get", "all", "-n", "debug", "--show-kind")
		Expect(out).To(MatchRegexp(`(?m)^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod/example-pod\s+1/1\s+Running\s+0\s+\S+$`))
	})

	It("lists the served resources in kubectl api-resources", func() {
		out := kubectl.Succeed("api-resources")
		Expect(out).To(MatchRegexp(`(?m)^pods\s+po\s+v1\s+true\s+Pod$`))
		Expect(out).To(MatchRegexp(`(?m)^namespaces\s+ns\s+v1\s+false\s+Namespace$`))
		Expect(out).To(MatchRegexp(`(?m)^events\s+ev\s+v1\s+true\s+Event$`))
		Expect(out).To(MatchRegexp(`(?m)^podtemplates\s+v1\s+true\s+PodTemplate$`))
	})
})

// section is the part of kubectl describe's output from the line that is
// exactly heading up to the next line that starts in column 0.
func section(out, heading string) string {
	GinkgoHelper()
	start := strings.Index(out, "\n"+heading+"\n")
	Expect(start).NotTo(Equal(-1), "no %q in:\n%s", heading, out)
	rest := out[start+1:]
	var b strings.Builder
	for i, line := range strings.SplitAfter(rest, "\n") {
		if i > 0 && line != "" && line[0] != ' ' {
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

func ptrTo[T any](v T) *T { return &v }
