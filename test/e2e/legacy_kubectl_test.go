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

// The Kubernetes 1.16 form of pods/ephemeralcontainers with real kubectl
// binaries: the 1.16 docs' `kubectl replace --raw` flow and kubectl debug
// with the current kubectl, and kubectl 1.20's debug, which GETs and PUTs
// kind EphemeralContainers (and how it fails against a server started with
// --ephemeral-containers-get-form=pod). kubectl 1.20 comes
// from hack/install-kubectl.sh (or KUBECTL_LEGACY); without it those specs
// fail.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

// seedEC is ec.json of the Kubernetes 1.16 docs, verbatim.
const seedEC = `{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":"example-pod"},"ephemeralContainers":[{"command":["sh"],"image":"busybox","imagePullPolicy":"IfNotPresent","name":"debugger","stdin":true,"tty":true,"terminationMessagePolicy":"File"}]}`

// legacyKubectlBinary is KUBECTL_LEGACY, or the kubectl 1.20 that
// hack/install-kubectl.sh puts in _output/bin. Without it the spec fails:
// make test-e2e provides it, and a run without it would test less.
func legacyKubectlBinary() string {
	GinkgoHelper()
	if path := os.Getenv("KUBECTL_LEGACY"); path != "" {
		return path
	}
	path, err := filepath.Abs(filepath.Join("..", "..", "_output", "bin", "kubectl-1.20"))
	Expect(err).NotTo(HaveOccurred())
	_, err = os.Stat(path)
	Expect(err).NotTo(HaveOccurred(), "kubectl 1.20 not found: run hack/install-kubectl.sh (puts it in _output/bin/kubectl-1.20) or set KUBECTL_LEGACY")
	return path
}

// runBinary runs a kubectl binary other than the suite's against k's
// server, bounded by kubectlTimeout.
func runBinary(binary string, k *Kubectl, args ...string) Result {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), kubectlTimeout)
	defer cancel()
	full := append([]string{"--kubeconfig", k.Kubeconfig, "--cache-dir", k.CacheDir + "-" + filepath.Base(binary),
		"--request-timeout", kubectlRequestTimeout}, args...)
	GinkgoWriter.Printf("$ %s %s\n", filepath.Base(binary), strings.Join(args, " "))
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, binary, full...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	Expect(ctx.Err()).NotTo(HaveOccurred(), "%s %v did not finish in %v", binary, args, kubectlTimeout)
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.ExitCode = exitErr.ExitCode()
	} else {
		Expect(err).NotTo(HaveOccurred())
	}
	GinkgoWriter.Printf("exit %d\n%s%s", r.ExitCode, r.Stdout, r.Stderr)
	return r
}

// podJSON reads a pod with the current kubectl.
func podJSON(kubectl *Kubectl, name string) *corev1.Pod {
	GinkgoHelper()
	var pod corev1.Pod
	Expect(json.Unmarshal([]byte(kubectl.Succeed("get", "pod", name, "-o", "json")), &pod)).To(Succeed())
	return &pod
}

// keysOf is the sorted-insensitive key set of a JSON object.
func keysOf(obj interface{}) []string {
	m, ok := obj.(map[string]interface{})
	Expect(ok).To(BeTrue(), "not a JSON object: %v", obj)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

var _ = Describe("The Kubernetes 1.16 form of ephemeral containers with the current kubectl", Ordered, Label("kubectl-legacy"), func() {
	var kubectl *Kubectl

	BeforeAll(func() {
		kubectl = startServer(gateOn).Kubectl()
		Expect(kubectl.Succeed("run", "example-pod", "--image=nginx")).To(Equal("pod/example-pod created\n"))
	})

	It("replaces the list with the 1.16 docs' ec.json and answers kind EphemeralContainers", func() {
		before := podJSON(kubectl, "example-pod")
		file := writeManifest("ec.json", seedEC)

		out := kubectl.Succeed("replace", "--raw", "/api/v1/namespaces/default/pods/example-pod/ephemeralcontainers", "-f", file)
		var resp map[string]interface{}
		Expect(json.Unmarshal([]byte(out), &resp)).To(Succeed(), out)

		By("the top level: kind, apiVersion, metadata, ephemeralContainers only")
		Expect(keysOf(resp)).To(ConsistOf("kind", "apiVersion", "metadata", "ephemeralContainers"))
		Expect(resp["kind"]).To(Equal("EphemeralContainers"))
		Expect(resp["apiVersion"]).To(Equal("v1"))

		By("metadata: the pod's identity only, and the selfLink of the 1.16 docs' example response")
		meta := resp["metadata"].(map[string]interface{})
		Expect(keysOf(meta)).To(ConsistOf("name", "namespace", "selfLink", "uid", "resourceVersion", "creationTimestamp"))
		Expect(meta["name"]).To(Equal("example-pod"))
		Expect(meta["namespace"]).To(Equal("default"))
		Expect(meta["selfLink"]).To(Equal("/api/v1/namespaces/default/pods/example-pod/ephemeralcontainers"))
		Expect(meta["uid"]).To(Equal(string(before.UID)))
		Expect(meta["resourceVersion"]).NotTo(Equal(before.ResourceVersion))
		Expect(meta["creationTimestamp"]).To(Equal(before.CreationTimestamp.UTC().Format(time.RFC3339)))

		By("ephemeralContainers: the docs' entry with resources {} and the 1.20+ terminationMessagePath default")
		list := resp["ephemeralContainers"].([]interface{})
		Expect(list).To(HaveLen(1))
		ec := list[0].(map[string]interface{})
		Expect(keysOf(ec)).To(ConsistOf("name", "image", "command", "resources", "terminationMessagePath",
			"terminationMessagePolicy", "imagePullPolicy", "stdin", "tty"))
		Expect(ec["name"]).To(Equal("debugger"))
		Expect(ec["image"]).To(Equal("busybox"))
		Expect(ec["command"]).To(Equal([]interface{}{"sh"}))
		Expect(ec["resources"]).To(Equal(map[string]interface{}{}))
		Expect(ec["terminationMessagePath"]).To(Equal("/dev/termination-log"))
		Expect(ec["terminationMessagePolicy"]).To(Equal("File"))
		Expect(ec["imagePullPolicy"]).To(Equal("IfNotPresent"))
		Expect(ec["stdin"]).To(BeTrue())
		Expect(ec["tty"]).To(BeTrue())
		Expect(out).To(ContainSubstring(`"ephemeralContainers":[{"name":"debugger","image":"busybox","command":["sh"],"resources":{},` +
			`"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","stdin":true,"tty":true}]`))

		By("the pod: one more generation, the same resourceVersion as the answer")
		after := podJSON(kubectl, "example-pod")
		Expect(harness.EphemeralNames(after)).To(Equal([]string{"debugger"}))
		Expect(after.ResourceVersion).To(Equal(meta["resourceVersion"]))
		Expect(after.Generation).To(Equal(before.Generation + 1))
	})

	It("shows the container in kubectl describe", func() {
		out := kubectl.Succeed("describe", "pod", "example-pod")
		Expect(out).To(ContainSubstring("\nContainers:\n  example-pod:\n"))
		Expect(out).To(MatchRegexp(`\nEphemeral Containers:\n  debugger:\n    Image:\s+busybox\n(.*\n)*    Command:\n      sh\n`))
		Expect(strings.Index(out, "\nEphemeral Containers:\n")).To(BeNumerically(">", strings.Index(out, "\nContainers:\n")))
	})

	It("refuses the same ec.json again: the entry exists, so nothing changes (200, no-op)", func() {
		before := podJSON(kubectl, "example-pod")
		file := writeManifest("ec.json", seedEC)
		kubectl.Succeed("replace", "--raw", podPath("default", "example-pod", "ephemeralcontainers"), "-f", file)
		after := podJSON(kubectl, "example-pod")
		Expect(after.ResourceVersion).To(Equal(before.ResourceVersion), "an identical list writes nothing")
	})

	It("refuses an ec.json that drops the entry, with upstream's 422", func() {
		file := writeManifest("empty.json", `{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":"example-pod"},"ephemeralContainers":[]}`)
		r := kubectl.Fail("replace", "--raw", podPath("default", "example-pod", "ephemeralcontainers"), "-f", file)
		Expect(r.Stderr).To(Equal("The Pod \"example-pod\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be removed\n\n"))
	})

	It("adds a second container with kubectl debug next to the 1.16 one", func() {
		r := kubectl.Run("debug", "example-pod", "--image=busybox:1.36", "-c", "dbg", "--attach=false", "--profile=general")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		pod := podJSON(kubectl, "example-pod")
		Expect(harness.EphemeralNames(pod)).To(Equal([]string{"debugger", "dbg"}))
		Expect(pod.Spec.EphemeralContainers[0].Command).To(Equal([]string{"sh"}), "the 1.16 entry is kept as it was")
		dbg := pod.Spec.EphemeralContainers[1]
		Expect(dbg.Image).To(Equal("busybox:1.36"))
		Expect(dbg.SecurityContext.Capabilities.Add).To(Equal([]corev1.Capability{"SYS_PTRACE"}), "the general profile")
	})

	It("refuses the name of a regular container", func() {
		r := kubectl.Fail("debug", "example-pod", "--image=busybox:1.36", "-c", "example-pod", "--attach=false", "--profile=general")
		Expect(r.Stderr).To(Equal("The Pod \"example-pod\" is invalid: spec.ephemeralContainers[2].name: Duplicate value: \"example-pod\"\n"))
		Expect(harness.EphemeralNames(podJSON(kubectl, "example-pod"))).To(Equal([]string{"debugger", "dbg"}))
	})

	It("adds a container to a pod without any", func() {
		kubectl.Succeed("run", "fresh", "--image=nginx")
		r := kubectl.Run("debug", "fresh", "--image=busybox:1.36", "-c", "dbg", "--attach=false", "--profile=general")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		pod := podJSON(kubectl, "fresh")
		Expect(harness.EphemeralNames(pod)).To(Equal([]string{"dbg"}))
		Expect(pod.Generation).To(Equal(int64(2)))
		Expect(pod.Spec.EphemeralContainers[0].TerminationMessagePolicy).To(Equal(corev1.TerminationMessageReadFile))
	})

	It("answers kubectl get --raw of the subresource with the Pod (auto mode)", func() {
		out := kubectl.Succeed("get", "--raw", podPath("default", "example-pod", "ephemeralcontainers"))
		Expect(out).To(HavePrefix(`{"kind":"Pod","apiVersion":"v1",`))
	})
})

// A 1.16-1.21 server answered kubectl 1.22+'s Pod-shaped patch with kind
// EphemeralContainers, which sent kubectl to its JSON patch fallback. Here that patch is served in the Pod form in every mode,
// so kubectl never falls back: the debug simply succeeds.
var _ = Describe("kubectl debug against --ephemeral-containers-get-form=legacy", Ordered, Label("kubectl-legacy"), func() {
	It("succeeds with the current kubectl, without its fallback", func() {
		kubectl := startServer(gateOn, "--ephemeral-containers-get-form=legacy").Kubectl()
		kubectl.Succeed("run", "example-pod", "--image=nginx")
		r := kubectl.Run("debug", "example-pod", "--image=busybox:1.36", "-c", "dbg", "--attach=false", "--profile=general")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		Expect(r.Stderr).To(BeEmpty())
		Expect(harness.EphemeralNames(podJSON(kubectl, "example-pod"))).To(Equal([]string{"dbg"}))

		By("a GET of the subresource is the 1.16 form in this mode")
		out := kubectl.Succeed("get", "--raw", podPath("default", "example-pod", "ephemeralcontainers"))
		Expect(out).To(HavePrefix(`{"kind":"EphemeralContainers","apiVersion":"v1",`))
	})
})

var _ = Describe("kubectl 1.20 debug, which speaks the 1.16 form", Label("kubectl-legacy"), func() {
	var legacy string

	BeforeEach(func() {
		legacy = legacyKubectlBinary()
		out, err := exec.Command(legacy, "version", "--client").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "%s", out)
		Expect(string(out)).To(ContainSubstring(`GitVersion:"v1.20.`), "%s is not kubectl 1.20", legacy)
	})

	// setUp starts a server with extra flags and a pod that already has an
	// ephemeral container added in the Pod form by the current kubectl.
	setUp := func(flags ...string) *Kubectl {
		GinkgoHelper()
		kubectl := startServer(append([]string{gateOn}, flags...)...).Kubectl()
		kubectl.Succeed("run", "example-pod", "--image=nginx")
		r := kubectl.Run("debug", "example-pod", "--image=busybox:1.36", "-c", "existing", "--attach=false", "--profile=general")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		return kubectl
	}

	It("adds a container with `debug` and `alpha debug` on an auto-mode server, keeping the existing ones", func() {
		kubectl := setUp()
		before := podJSON(kubectl, "example-pod")

		// kubectl 1.20 has --attach; without -i it does not attach, so it
		// ends after the PUT with no TTY.
		r := runBinary(legacy, kubectl, "debug", "example-pod", "--image=busybox", "-c", "dbg", "--attach=false")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		pod := podJSON(kubectl, "example-pod")
		Expect(harness.EphemeralNames(pod)).To(Equal([]string{"existing", "dbg"}))
		Expect(pod.Spec.EphemeralContainers[0]).To(Equal(before.Spec.EphemeralContainers[0]), "the existing entry is untouched")
		dbg := pod.Spec.EphemeralContainers[1]
		Expect(dbg.Image).To(Equal("busybox"))
		Expect(dbg.ImagePullPolicy).To(Equal(corev1.PullAlways), "defaulted by the server")
		Expect(dbg.TerminationMessagePolicy).To(Equal(corev1.TerminationMessageReadFile))
		Expect(pod.Generation).To(Equal(before.Generation + 1))
		Expect(pod.Labels).To(Equal(before.Labels))

		r = runBinary(legacy, kubectl, "alpha", "debug", "example-pod", "--image=busybox:1.36", "-c", "dbg2", "--attach=false")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		Expect(harness.EphemeralNames(podJSON(kubectl, "example-pod"))).To(Equal([]string{"existing", "dbg", "dbg2"}))

		By("kubectl 1.20 refuses a duplicate name with upstream's error")
		r = runBinary(legacy, kubectl, "debug", "example-pod", "--image=busybox", "-c", "example-pod", "--attach=false")
		Expect(r.ExitCode).NotTo(Equal(0))
		Expect(r.Stderr).To(Equal("error: error updating ephemeral containers: Pod \"example-pod\" is invalid: spec.ephemeralContainers[3].name: Duplicate value: \"example-pod\"\n"))

		By("kubectl 1.20 describes the pod")
		out := runBinary(legacy, kubectl, "describe", "pod", "example-pod")
		Expect(out.ExitCode).To(Equal(0), out.Stderr)
		Expect(out.Stdout).To(ContainSubstring("\nEphemeral Containers:\n  existing:\n"))
	})

	It("adds a container with `debug` on a legacy-mode server too", func() {
		kubectl := setUp("--ephemeral-containers-get-form=legacy")
		r := runBinary(legacy, kubectl, "debug", "example-pod", "--image=busybox", "-c", "dbg", "--attach=false")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		Expect(harness.EphemeralNames(podJSON(kubectl, "example-pod"))).To(Equal([]string{"existing", "dbg"}))
	})

	// Upstream 1.22+ refuses kubectl 1.20's PUT with a 400 ("EphemeralContainers
	// in version "v1" cannot be handled as a Pod"). Our PUT is served by its body, so that
	// message never appears; what remains with
	// --ephemeral-containers-get-form=pod is the GET: kubectl 1.20 decodes
	// the Pod it gets into an empty EphemeralContainers, without even a
	// name, so its PUT is refused with a 400 before anything is stored.
	It("with --ephemeral-containers-get-form=pod: kubectl 1.20 reads an empty object and its PUT is refused with 400, the pod unchanged", func() {
		kubectl := setUp("--ephemeral-containers-get-form=pod")
		before := podJSON(kubectl, "example-pod")
		r := runBinary(legacy, kubectl, "debug", "example-pod", "--image=busybox", "-c", "dbg", "--attach=false")
		Expect(r.ExitCode).NotTo(Equal(0), r.Stdout)
		Expect(r.Stderr).To(Equal("error: error updating ephemeral containers: the name of the object (example-pod based on URL) was undeterminable: name must be provided\n"))
		after := podJSON(kubectl, "example-pod")
		Expect(after.ResourceVersion).To(Equal(before.ResourceVersion))
		Expect(harness.EphemeralNames(after)).To(Equal([]string{"existing"}))
	})
})
