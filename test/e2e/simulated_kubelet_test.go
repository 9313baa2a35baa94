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

// What kubectl shows of debug containers when the built binary plays the
// node too (--simulate-kubelet): the 1.16 documentation's describe block,
// kubectl wait on their status, a failing image, and attach/exec/logs that
// end with the error a cluster gives instead of hanging.

import (
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// describedDebugger is the Ephemeral Containers block of the 1.16
// documentation's kubectl describe, line for line, with the container and
// image IDs and the start time as patterns.
var describedDebugger = []string{
	`Ephemeral Containers:`,
	`  debugger:`,
	`    Container ID:  containerd://[0-9a-f]{64}`,
	`    Image:         busybox`,
	`    Image ID:      docker\.io/library/busybox@sha256:[0-9a-f]{64}`,
	`    Port:          <none>`,
	`    Host Port:     <none>`,
	`    Command:`,
	`      sh`,
	`    State:          Running`,
	`      Started:      \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000`,
	`    Ready:          False`,
	`    Restart Count:  0`,
	`    Environment:    <none>`,
	`    Mounts:         <none>`,
}

var _ = Describe("kubectl with the simulated kubelet", Label("kubectl", "kubelet"), Ordered, func() {
	var kubectl *Kubectl

	BeforeAll(func() {
		kubectl = startServer(gateOn, "--simulate-kubelet", "--simulate-kubelet-fail-images=nosuch*").Kubectl()
	})

	It("shows the 1.16 documentation's describe block for a debug container added with replace --raw", func() {
		kubectl.Succeed("run", "example-pod", "--image=registry.k8s.io/pause:3.9", "--restart=Never")
		kubectl.Succeed("wait", "--for=condition=Ready", "pod/example-pod", "--timeout=30s")
		ec := writeManifest("ec.json", seedEC)
		kubectl.Succeed("replace", "--raw", podPath("default", "example-pod", "ephemeralcontainers"), "-f", ec)
		kubectl.Succeed("wait", "--for=jsonpath={.status.ephemeralContainerStatuses[0].state.running}", "pod/example-pod", "--timeout=30s")

		describe := kubectl.Succeed("describe", "pod", "example-pod")
		Expect(describe).To(MatchRegexp(`(?m)^Node:\s+simulated-node/10\.0\.0\.10$`))
		Expect(describe).To(MatchRegexp(`(?m)^Status:\s+Running$`))
		lines := strings.Split(describe, "\n")
		start := -1
		for i, line := range lines {
			if line == "Ephemeral Containers:" {
				start = i
			}
		}
		Expect(start).NotTo(Equal(-1), describe)
		Expect(len(lines)).To(BeNumerically(">=", start+len(describedDebugger)))
		for i, pattern := range describedDebugger {
			Expect(lines[start+i]).To(MatchRegexp("^"+pattern+"$"), "line %d of the block", i+1)
		}
		// The kubelet's events follow the server's own.
		Expect(describe).To(MatchRegexp(`Normal\s+EphemeralContainerAdded\s+\S+\s+ephemeral-apiserver\s+Added ephemeral container "debugger" \(image "busybox"\) by user "admin"`))
		Expect(describe).To(MatchRegexp(`Normal\s+Started\s+\S+\s+kubelet\s+Started container debugger`))
	})

	It("lets kubectl wait for a debug container added by kubectl debug", func() {
		r := kubectl.Run("debug", "example-pod", "--image=busybox", "-c", "debugger2", "--attach=false", "--profile=general")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		kubectl.Succeed("wait", "--for=jsonpath={.status.ephemeralContainerStatuses[?(@.name==\"debugger2\")].state.running}",
			"pod/example-pod", "--timeout=30s")
		out := kubectl.Succeed("get", "pod", "example-pod", "-o",
			`jsonpath={range .status.ephemeralContainerStatuses[*]}{.name}={.ready},{.restartCount};{end}`)
		Expect(out).To(Equal("debugger=false,0;debugger2=false,0;"))
	})

	It("shows a failing image as ErrImagePull, then ImagePullBackOff, in get -o wide and describe", func() {
		kubectl.Succeed("run", "broken", "--image=nosuchimage", "--restart=Never")
		Eventually(func() string {
			return kubectl.Succeed("get", "pod", "broken", "-o", "wide")
		}).WithTimeout(20 * time.Second).WithPolling(200 * time.Millisecond).Should(
			MatchRegexp(`(?m)^broken\s+0/1\s+ErrImagePull\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+simulated-node\s`))
		Eventually(func() string {
			return kubectl.Succeed("get", "pod", "broken", "-o", "wide")
		}).WithTimeout(20 * time.Second).WithPolling(200 * time.Millisecond).Should(
			MatchRegexp(`(?m)^broken\s+0/1\s+ImagePullBackOff\s+0\s`))
		describe := kubectl.Succeed("describe", "pod", "broken")
		Expect(describe).To(MatchRegexp(`(?m)^    State:          Waiting\n      Reason:       ImagePullBackOff$`))
		Expect(describe).To(MatchRegexp(`Warning\s+Failed\s+\S+\s+kubelet\s+Error: ErrImagePull`))
		Expect(describe).To(ContainSubstring(`Failed to pull image "nosuchimage": rpc error: code = NotFound`))

		By("a debug container with a failing image, in its status")
		r := kubectl.Run("debug", "example-pod", "--image=nosuchimage", "-c", "broken", "--attach=false", "--profile=general")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		Eventually(func() string {
			return kubectl.Succeed("get", "pod", "example-pod", "-o", `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="broken")].state.waiting.reason}`)
		}).WithTimeout(20 * time.Second).Should(Equal("ImagePullBackOff"))
	})

	It("ends kubectl attach, exec and logs with the error a cluster gives, instead of hanging", func() {
		unreachable := `pod example-pod is on node "simulated-node", whose kubelet this server cannot reach: it runs no containers`
		for _, args := range [][]string{
			{"attach", "-it", "example-pod", "-c", "debugger"},
			{"exec", "example-pod", "-c", "example-pod", "--", "ls"},
			{"logs", "example-pod", "-c", "debugger"},
		} {
			r := kubectl.Fail(args...)
			Expect(r.Stderr).To(ContainSubstring("Error from server (BadRequest): "+unreachable), "kubectl %v", args)
		}
		// port-forward reports a refused upgrade in words of its own.
		r := kubectl.Fail("port-forward", "pod/example-pod", "18080:80")
		Expect(r.Stderr).To(ContainSubstring("error upgrading connection: " + unreachable))
		r = kubectl.Fail("exec", "example-pod", "-c", "nosuch", "--", "ls")
		Expect(r.Stderr).To(ContainSubstring("container nosuch is not valid for pod example-pod"))
	})

	It("completes kubectl delete of a running pod as a kubelet does", func() {
		start := time.Now()
		Expect(kubectl.Succeed("delete", "pod", "example-pod")).To(Equal("pod \"example-pod\" deleted\n"))
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
		kubectl.Fail("get", "pod", "example-pod")
	})

	It("lists the pod subresources in discovery as a cluster does", func() {
		var list struct {
			Resources []struct {
				Name  string   `json:"name"`
				Kind  string   `json:"kind"`
				Verbs []string `json:"verbs"`
			} `json:"resources"`
		}
		Expect(json.Unmarshal([]byte(kubectl.Succeed("get", "--raw", "/api/v1")), &list)).To(Succeed())
		found := map[string]string{}
		for _, r := range list.Resources {
			found[r.Name] = r.Kind + " " + strings.Join(r.Verbs, ",")
		}
		Expect(found).To(HaveKeyWithValue("pods/attach", "PodAttachOptions create,get"))
		Expect(found).To(HaveKeyWithValue("pods/exec", "PodExecOptions create,get"))
		Expect(found).To(HaveKeyWithValue("pods/portforward", "PodPortForwardOptions create,get"))
		Expect(found).To(HaveKeyWithValue("pods/log", "Pod get"))
		Expect(found).To(HaveKeyWithValue("pods/binding", "Binding create"))
	})
})
