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

// kubectl-ephemeral, the kubectl plugin built beside the server, run as
// `kubectl ephemeral` by the real kubectl: added in both wire forms, listed
// with who added each container, traced, and refused as kubectl would
// print it.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

// pluginBinary is KUBECTL_EPHEMERAL_BIN, or the kubectl-ephemeral that
// `make build` puts beside the server binary.
func pluginBinary() string {
	GinkgoHelper()
	path := os.Getenv("KUBECTL_EPHEMERAL_BIN")
	if path == "" {
		path = filepath.Join(filepath.Dir(serverBinary), "kubectl-ephemeral")
	}
	path, err := filepath.Abs(path)
	Expect(err).NotTo(HaveOccurred())
	Expect(path).To(BeAnExistingFile(), "kubectl-ephemeral: run make build, or set KUBECTL_EPHEMERAL_BIN")
	return path
}

// withPlugin is k with kubectl-ephemeral on its PATH, in a directory of its
// own, so that `kubectl ephemeral ...` runs it.
func withPlugin(k *Kubectl) *Kubectl {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	Expect(os.Symlink(pluginBinary(), filepath.Join(dir, "kubectl-ephemeral"))).To(Succeed())
	plugged := *k
	plugged.Env = []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH")}
	plugged.Plugin = "ephemeral"
	return &plugged
}

// eventuallyAllowed waits until RBAC lets k do what `kubectl auth can-i`
// is asked.
func eventuallyAllowed(k *Kubectl, args ...string) {
	GinkgoHelper()
	Eventually(func() string { return k.Run(append([]string{"auth", "can-i"}, args...)...).Stdout }).
		WithTimeout(10*time.Second).Should(Equal("yes\n"), "kubectl auth can-i %v", args)
}

// ephemeralContainer is the pod's ephemeral container of that name.
func ephemeralContainer(pod *corev1.Pod, name string) corev1.EphemeralContainer {
	GinkgoHelper()
	for _, ec := range pod.Spec.EphemeralContainers {
		if ec.Name == name {
			return ec
		}
	}
	Fail("no ephemeral container " + name + " in " + strings.Join(harness.EphemeralNames(pod), ","))
	return corev1.EphemeralContainer{}
}

// A row of `kubectl ephemeral list`: NAME IMAGE TARGET STATE AGE ADDED-BY.
func listRow(name, image, target, state, user string) string {
	return `(?m)^` + regexp.QuoteMeta(name) + `\s+` + regexp.QuoteMeta(image) + `\s+` + regexp.QuoteMeta(target) + `\s+` +
		regexp.QuoteMeta(state) + `\s+\d+[smhd]\S*\s+` + regexp.QuoteMeta(user) + `$`
}

// A row of `kubectl ephemeral trail`: TIME POD CONTAINER IMAGE USER.
func trailRow(pod, container, image, user string) string {
	return `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+` + regexp.QuoteMeta(pod) + `\s+` + regexp.QuoteMeta(container) + `\s+` +
		regexp.QuoteMeta(image) + `\s+` + regexp.QuoteMeta(user) + `$`
}

const (
	addedByPatch = " added with a strategic merge patch of kind Pod\n"
	addedByPut   = " added with a PUT of kind EphemeralContainers\n"
)

// editorForbidden is the server's refusal of the edit role's patch.
const editorForbidden = `Error from server (Forbidden): pods "example-pod" is forbidden: User "editor" cannot patch resource ` +
	`"pods/ephemeralcontainers" in API group "" in the namespace "default"` + "\n"

var _ = Describe("kubectl ephemeral, the kubectl plugin", Ordered, Label("plugin", "kubectl"), func() {
	var admin, dev, editor *Kubectl
	var generated string

	BeforeAll(func() {
		tokens := writeManifest("tokens.csv", rbacTokens)
		s := startServer(gateOn, "--token-auth-file="+tokens)
		admin = withPlugin(s.Kubectl())
		dev = withPlugin(kubectlAs(s, "dev", "dev-token"))
		editor = withPlugin(kubectlAs(s, "editor", "editor-token"))
		admin.Succeed("run", "example-pod", "--image=nginx")
		admin.Succeed("create", "rolebinding", "editor-edit", "--clusterrole=edit", "--user=editor", "--namespace=default")
		// What kubectl debug needs, and the README grants: get pods, patch
		// pods/ephemeralcontainers; not get on the subresource.
		admin.Succeed("apply", "-f", writeManifest("role.yaml", debuggerRole))
		admin.Succeed("create", "rolebinding", "dev-debugger", "--role=debugger", "--user=dev", "--namespace=default")
		eventuallyAllowed(editor, "get", "pods")
		eventuallyAllowed(dev, "patch", "pods", "--subresource=ephemeralcontainers")
	})

	It("is found by kubectl plugin list", func() {
		r := admin.Run("plugin", "list")
		Expect(r.Stdout).To(ContainSubstring("The following compatible plugins are available:\n\n"))
		Expect(r.Stdout).To(MatchRegexp(`(?m)^/.*/kubectl-ephemeral$`))
		Expect(r.Stderr).NotTo(ContainSubstring("kubectl-ephemeral"), "no warning about the plugin")
	})

	It("has help like kubectl's", func() {
		out := admin.Succeed("ephemeral", "--help")
		Expect(out).To(HavePrefix("Add, list and trace the ephemeral (debug) containers of pods.\n\n"))
		Expect(out).To(ContainSubstring("\nUsage:\n  kubectl ephemeral [command]\n"))
		Expect(out).To(MatchRegexp(`(?m)^  add\s+Add an ephemeral container to a pod$`))
		Expect(out).To(MatchRegexp(`(?m)^  list\s+List the ephemeral containers of a pod$`))
		Expect(out).To(MatchRegexp(`(?m)^  trail\s+Show every debug container added, by whom and when$`))
		Expect(out).To(MatchRegexp(`(?m)^\s+--kubeconfig string\s+Path to the kubeconfig file`))

		out = admin.Succeed("ephemeral", "add", "--help")
		Expect(out).To(ContainSubstring("\nUsage:\n  kubectl ephemeral add POD --image=IMAGE [--name=NAME] "))
		Expect(out).To(ContainSubstring("\nExamples:\n  # Add a busybox container"))

		r := admin.Fail("ephemeral", "add", "example-pod")
		Expect(r.ExitCode).To(Equal(1))
		Expect(r.Stderr).To(Equal("error: --image is required\nSee 'kubectl ephemeral add -h' for help and examples\n"))
	})

	It("adds the 1.16 docs' debugger with kubectl debug's patch on a server that answers kind Pod", func() {
		Expect(admin.Succeed("ephemeral", "add", "example-pod", "--image", "busybox", "--name", "debugger", "-i", "-t", "--", "sh")).
			To(Equal(`pod/example-pod: ephemeral container "debugger"` + addedByPatch))
		pod := podJSON(admin, "example-pod")
		Expect(harness.EphemeralNames(pod)).To(Equal([]string{"debugger"}))
		ec := ephemeralContainer(pod, "debugger")
		Expect(ec.Image).To(Equal("busybox"))
		Expect(ec.Command).To(Equal([]string{"sh"}))
		Expect(ec.Stdin).To(BeTrue())
		Expect(ec.TTY).To(BeTrue())
		Expect(ec.TerminationMessagePolicy).To(Equal(corev1.TerminationMessageReadFile))
	})

	It("names a container as kubectl debug does when not told a name, and sets its target and environment", func() {
		r := admin.Run("ephemeral", "add", "example-pod", "--image=busybox:1.36", "--target=example-pod", "--env=MODE=debug", "--env=EMPTY=")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		m := regexp.MustCompile(`^Defaulting debug container name to (debugger-[a-z0-9]{5})\.\n$`).FindStringSubmatch(r.Stderr)
		Expect(m).NotTo(BeNil(), r.Stderr)
		generated = m[1]
		Expect(r.Stdout).To(Equal(`pod/example-pod: ephemeral container "` + generated + `"` + addedByPatch))
		ec := ephemeralContainer(podJSON(admin, "example-pod"), generated)
		Expect(ec.TargetContainerName).To(Equal("example-pod"))
		Expect(ec.Env).To(Equal([]corev1.EnvVar{{Name: "MODE", Value: "debug"}, {Name: "EMPTY"}}))
	})

	It("lets a user who may get pods and patch pods/ephemeralcontainers (not get them) add one", func() {
		Expect(dev.Succeed("ephemeral", "add", "example-pod", "--image=busybox", "--name=devdbg")).
			To(Equal(`pod/example-pod: ephemeral container "devdbg"` + addedByPatch))
		Expect(harness.EphemeralNames(podJSON(admin, "example-pod"))).To(Equal([]string{"debugger", generated, "devdbg"}))
	})

	It("refuses a user bound to edit with the server's Forbidden, naming the verb and subresource", func() {
		r := editor.Fail("ephemeral", "add", "example-pod", "--image=busybox", "--name=refused")
		Expect(r.ExitCode).To(Equal(1))
		Expect(r.Stderr).To(Equal(editorForbidden))
		Expect(r.Stdout).To(BeEmpty())
	})

	It("refuses the name of a regular container with the server's Invalid, and that of an ephemeral one itself", func() {
		r := admin.Fail("ephemeral", "add", "example-pod", "--image=busybox", "--name=example-pod")
		Expect(r.ExitCode).To(Equal(1))
		Expect(r.Stderr).To(Equal(`The Pod "example-pod" is invalid: spec.ephemeralContainers[3].name: Duplicate value: "example-pod"` + "\n"))

		r = admin.Fail("ephemeral", "add", "example-pod", "--image=busybox:1.36", "--name=debugger")
		Expect(r.ExitCode).To(Equal(1))
		Expect(r.Stderr).To(Equal(`error: pod "example-pod" already has an ephemeral container named "debugger", which can be neither changed nor replaced: choose another --name` + "\n"))
		Expect(harness.EphemeralNames(podJSON(admin, "example-pod"))).To(Equal([]string{"debugger", generated, "devdbg"}))

		r = admin.Fail("ephemeral", "add", "no-such-pod", "--image=busybox")
		Expect(r.Stderr).To(Equal(`Error from server (NotFound): pods "no-such-pod" not found` + "\n"))
	})

	It("lists the containers with who added each", func() {
		out := admin.Succeed("ephemeral", "list", "example-pod")
		rows := lines(out)
		Expect(rows).To(HaveLen(4), out)
		Expect(rows[0]).To(MatchRegexp(`^NAME\s+IMAGE\s+TARGET\s+STATE\s+AGE\s+ADDED-BY$`))
		Expect(rows[1]).To(MatchRegexp(listRow("debugger", "busybox", "<none>", "<none>", "admin")))
		Expect(rows[2]).To(MatchRegexp(listRow(generated, "busybox:1.36", "example-pod", "<none>", "admin")))
		Expect(rows[3]).To(MatchRegexp(listRow("devdbg", "busybox", "<none>", "<none>", "dev")))

		By("get is list; -o name prints the names")
		Expect(dev.Succeed("ephemeral", "get", "example-pod", "-o", "name")).To(Equal("debugger\n" + generated + "\ndevdbg\n"))

		By("-o json is the 1.16 form")
		var list map[string]any
		Expect(json.Unmarshal([]byte(admin.Succeed("ephemeral", "list", "example-pod", "-o", "json")), &list)).To(Succeed())
		Expect(list["kind"]).To(Equal("EphemeralContainers"))
		Expect(list["apiVersion"]).To(Equal("v1"))
		Expect(list["ephemeralContainers"]).To(HaveLen(3))
		Expect(admin.Succeed("ephemeral", "list", "example-pod", "-o", "yaml")).To(ContainSubstring("\nkind: EphemeralContainers\n"))
	})

	It("shows the trail of the namespace and of one pod, oldest first", func() {
		admin.Succeed("run", "other-pod", "--image=nginx")
		admin.Succeed("ephemeral", "add", "other-pod", "--image=alpine", "--name=probe")
		for _, args := range [][]string{{"ephemeral", "trail"}, {"ephemeral", "trail", "example-pod"}} {
			rows := lines(admin.Succeed(args...))
			Expect(rows[0]).To(MatchRegexp(`^TIME\s+POD\s+CONTAINER\s+IMAGE\s+USER$`))
			want := []string{
				trailRow("example-pod", "debugger", "busybox", "admin"),
				trailRow("example-pod", generated, "busybox:1.36", "admin"),
				trailRow("example-pod", "devdbg", "busybox", "dev"),
			}
			if len(args) == 2 {
				want = append(want, trailRow("other-pod", "probe", "alpine", "admin"))
			}
			Expect(rows[1:]).To(HaveLen(len(want)), "%v", rows)
			for i, row := range want {
				Expect(rows[1+i]).To(MatchRegexp(row))
			}
		}
		r := admin.Run("ephemeral", "trail", "nobody-debugged-me")
		Expect(r.ExitCode).To(Equal(0))
		Expect(r.Stdout).To(BeEmpty())
		Expect(r.Stderr).To(HavePrefix("No debug containers were added to pod default/nobody-debugged-me"))
	})

	It("follows the trail with --watch", func() {
		b := admin.Start("ephemeral", "trail", "--watch")
		Eventually(b.Stdout).Should(ContainSubstring("probe"))
		dev.Succeed("ephemeral", "add", "example-pod", "--image=busybox:1.37", "--name=late")
		Eventually(func() []string { return lines(b.Stdout()) }).Should(ContainElement(MatchRegexp(trailRow("example-pod", "late", "busybox:1.37", "dev"))))
		Expect(strings.Count(b.Stdout(), "TIME")).To(Equal(1), "one header")
	})
})

var _ = Describe("kubectl ephemeral against a server in the 1.16 form (--ephemeral-containers-get-form=legacy)", Ordered, Label("plugin", "kubectl"), func() {
	var admin, dev, editor *Kubectl

	BeforeAll(func() {
		tokens := writeManifest("tokens.csv", rbacTokens)
		s := startServer(gateOn, "--ephemeral-containers-get-form=legacy", "--token-auth-file="+tokens)
		admin = withPlugin(s.Kubectl())
		dev = withPlugin(kubectlAs(s, "dev", "dev-token"))
		editor = withPlugin(kubectlAs(s, "editor", "editor-token"))
		admin.Succeed("run", "example-pod", "--image=nginx")
		admin.Succeed("create", "rolebinding", "editor-edit", "--clusterrole=edit", "--user=editor", "--namespace=default")
		// What the 1.16 form's read and PUT need.
		admin.Succeed("create", "role", "legacy-debugger", "--verb=get,update", "--resource=pods/ephemeralcontainers")
		admin.Succeed("create", "rolebinding", "dev-legacy-debugger", "--role=legacy-debugger", "--user=dev", "--namespace=default")
		eventuallyAllowed(editor, "get", "pods")
		eventuallyAllowed(dev, "update", "pods", "--subresource=ephemeralcontainers")
	})

	It("adds the 1.16 docs' debugger with a PUT of kind EphemeralContainers, keeping what kubectl debug added", func() {
		Expect(admin.Succeed("ephemeral", "add", "example-pod", "--image", "busybox", "--name", "debugger", "-i", "-t", "--", "sh")).
			To(Equal(`pod/example-pod: ephemeral container "debugger"` + addedByPut))
		before := ephemeralContainer(podJSON(admin, "example-pod"), "debugger")
		Expect(before.Command).To(Equal([]string{"sh"}))
		Expect(before.Stdin && before.TTY).To(BeTrue())

		r := admin.Run("debug", "example-pod", "--image=busybox:1.36", "-c", "kd", "--attach=false", "--profile=general")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		Expect(admin.Succeed("ephemeral", "add", "example-pod", "--image=busybox:1.36", "--name=second")).
			To(Equal(`pod/example-pod: ephemeral container "second"` + addedByPut))
		pod := podJSON(admin, "example-pod")
		Expect(harness.EphemeralNames(pod)).To(Equal([]string{"debugger", "kd", "second"}))
		Expect(ephemeralContainer(pod, "debugger")).To(Equal(before))
	})

	It("lets a user who may get and update pods/ephemeralcontainers PUT, and names both users", func() {
		Expect(dev.Succeed("ephemeral", "add", "example-pod", "--image=busybox", "--name=devdbg")).
			To(Equal(`pod/example-pod: ephemeral container "devdbg"` + addedByPut))
		rows := lines(admin.Succeed("ephemeral", "list", "example-pod"))
		Expect(rows).To(HaveLen(5))
		Expect(rows[1]).To(MatchRegexp(listRow("debugger", "busybox", "<none>", "<none>", "admin")))
		Expect(rows[2]).To(MatchRegexp(listRow("kd", "busybox:1.36", "<none>", "<none>", "admin")))
		Expect(rows[3]).To(MatchRegexp(listRow("second", "busybox:1.36", "<none>", "<none>", "admin")))
		Expect(rows[4]).To(MatchRegexp(listRow("devdbg", "busybox", "<none>", "<none>", "dev")))

		trail := lines(admin.Succeed("ephemeral", "trail"))
		Expect(trail).To(HaveLen(5))
		Expect(trail[4]).To(MatchRegexp(trailRow("example-pod", "devdbg", "busybox", "dev")))
	})

	It("refuses the name of a regular container with the server's Invalid", func() {
		r := admin.Fail("ephemeral", "add", "example-pod", "--image=busybox", "--name=example-pod")
		Expect(r.ExitCode).To(Equal(1))
		Expect(r.Stderr).To(Equal(`The Pod "example-pod" is invalid: spec.ephemeralContainers[4].name: Duplicate value: "example-pod"` + "\n"))
	})

	It("refuses a user bound to edit with the server's Forbidden", func() {
		r := editor.Fail("ephemeral", "add", "example-pod", "--image=busybox", "--name=refused")
		Expect(r.ExitCode).To(Equal(1))
		Expect(r.Stderr).To(Equal(editorForbidden))
		Expect(harness.EphemeralNames(podJSON(admin, "example-pod"))).To(Equal([]string{"debugger", "kd", "second", "devdbg"}))
	})
})

var _ = Describe("kubectl 1.20 running kubectl ephemeral", Ordered, Label("plugin", "kubectl-legacy"), func() {
	var legacy *Kubectl

	BeforeAll(func() {
		binary := legacyKubectlBinary()
		admin := withPlugin(startServer(gateOn, "--ephemeral-containers-get-form=legacy").Kubectl())
		admin.Succeed("run", "example-pod", "--image=nginx")
		legacy = admin
		legacy.Binary = binary
		legacy.CacheDir += "-1.20"
	})

	It("finds it with plugin list and adds, in the 1.16 form, and lists with it", func() {
		Expect(legacy.Succeed("plugin", "list")).To(MatchRegexp(`(?m)^/.*/kubectl-ephemeral$`))
		Expect(legacy.Succeed("ephemeral", "add", "example-pod", "--image=busybox", "--name=debugger", "-i", "-t", "--", "sh")).
			To(Equal(`pod/example-pod: ephemeral container "debugger"` + addedByPut))
		Expect(legacy.Succeed("ephemeral", "list", "example-pod")).To(MatchRegexp(listRow("debugger", "busybox", "<none>", "<none>", "admin")))
	})
})

// --wait needs a kubelet to report the containers: the server's simulated
// one (--simulate-kubelet).
var _ = Describe("kubectl ephemeral add --wait, with the simulated kubelet", Ordered, Label("plugin", "kubelet"), func() {
	var admin *Kubectl

	BeforeAll(func() {
		s := startServer(gateOn, "--simulate-kubelet", "--simulate-kubelet-fail-images=nosuch*")
		admin = withPlugin(s.Kubectl())
		admin.Succeed("run", "example-pod", "--image=nginx")
	})

	It("waits until the container runs", func() {
		out := admin.Succeed("ephemeral", "add", "example-pod", "--image=busybox", "--name=dbg", "--wait", "--", "sleep", "3600")
		Expect(out).To(Equal(`pod/example-pod: ephemeral container "dbg"` + addedByPatch +
			`pod/example-pod: ephemeral container "dbg" is running` + "\n"))
		Expect(admin.Succeed("ephemeral", "list", "example-pod")).To(MatchRegexp(listRow("dbg", "busybox", "<none>", "Running", "admin")))
	})

	It("fails with the Waiting reason and message of an image that cannot be pulled", func() {
		r := admin.Fail("ephemeral", "add", "example-pod", "--image=nosuchimage:1.0", "--name=broken", "--wait=40s")
		Expect(r.ExitCode).To(Equal(1))
		Expect(r.Stdout).To(Equal(`pod/example-pod: ephemeral container "broken"` + addedByPatch))
		// ImagePullBackOff ends the wait at once: the kubelet has tried.
		Expect(r.Stderr).To(MatchRegexp(`^error: ephemeral container "broken" is not running: Waiting: ImagePullBackOff: .*"nosuchimage:1\.0".*\n$`))
		Expect(admin.Succeed("ephemeral", "list", "example-pod")).To(MatchRegexp(`(?m)^broken\s+nosuchimage:1\.0\s+<none>\s+ImagePullBackOff\s+\S+\s+admin$`))
	})
})
