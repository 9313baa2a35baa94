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
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Users of the token file the RBAC specs start the server with.
const rbacTokens = `dev-token,dev,1001
editor-token,editor,1002
`

// kubectlAs is kubectl with a kubeconfig of its own that authenticates with
// a static token instead of the admin certificate.
func kubectlAs(s *Server, user, token string) *Kubectl {
	GinkgoHelper()
	kubeconfig := filepath.Join(s.Dir, user+".kubeconfig")
	data, err := os.ReadFile(s.Kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(kubeconfig, data, 0o600)).To(Succeed())
	k := &Kubectl{Kubeconfig: kubeconfig, CacheDir: filepath.Join(s.Dir, "kubectl-cache-"+user)}
	k.Succeed("config", "set-credentials", user, "--token="+token)
	k.Succeed("config", "set-context", "--current", "--user="+user)
	return k
}

// debuggerRole grants what kubectl debug needs: get pods and patch
// pods/ephemeralcontainers.
const debuggerRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: debugger
  namespace: default
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods/ephemeralcontainers"]
  verbs: ["patch"]
`

var _ = Describe("kubectl with RBAC", Ordered, Label("rbac", "kubectl"), func() {
	var admin, dev, editor *Kubectl

	BeforeAll(func() {
		tokens := writeManifest("tokens.csv", rbacTokens)
		s := startServer(gateOn, "--token-auth-file="+tokens)
		admin = s.Kubectl()
		dev = kubectlAs(s, "dev", "dev-token")
		editor = kubectlAs(s, "editor", "editor-token")
		admin.Succeed("run", "target", "--image=busybox:1.36", "--restart=Never", "--", "sleep", "3600")
		admin.Succeed("create", "rolebinding", "editor-edit", "--clusterrole=edit", "--user=editor", "--namespace=default")
	})

	// canI runs kubectl auth can-i, which exits 0 for yes and 1 for no.
	canI := func(k *Kubectl, args ...string) string {
		GinkgoHelper()
		r := k.Run(append([]string{"auth", "can-i"}, args...)...)
		Expect(r.ExitCode).To(BeElementOf(0, 1), "stderr: %s", r.Stderr)
		return r.Stdout
	}

	It("tells the editor it may create pods but not add debug containers", func() {
		Eventually(func() string { return canI(editor, "create", "pods") }).WithTimeout(10 * time.Second).Should(Equal("yes\n"))
		Expect(canI(editor, "patch", "pods", "--subresource=ephemeralcontainers")).To(Equal("no\n"))
		Expect(canI(editor, "update", "pods", "--subresource=ephemeralcontainers")).To(Equal("no\n"))
	})

	It("refuses kubectl debug for the editor with upstream's message", func() {
		r := editor.Fail("debug", "target", "--image=busybox:1.36", "--attach=false", "-c", "refused")
		Expect(r.Stderr).To(ContainSubstring(`pods "target" is forbidden: User "editor" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "default"`))
	})

	It("lets a user with get pods and patch pods/ephemeralcontainers run kubectl debug", func() {
		Expect(canI(dev, "patch", "pods", "--subresource=ephemeralcontainers")).To(Equal("no\n"))
		admin.Succeed("apply", "-f", writeManifest("role.yaml", debuggerRole))
		admin.Succeed("create", "rolebinding", "dev-debugger", "--role=debugger", "--user=dev", "--namespace=default")
		Eventually(func() string { return canI(dev, "patch", "pods", "--subresource=ephemeralcontainers") }).WithTimeout(10 * time.Second).Should(Equal("yes\n"))
		Expect(canI(dev, "patch", "pods")).To(Equal("no\n"))

		dev.Succeed("debug", "target", "--image=busybox:1.36", "--attach=false", "-c", "granted")
		Expect(admin.Succeed("get", "pod", "target", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).To(Equal("granted"))
	})

	It("lists the user's rules with kubectl auth can-i --list", func() {
		out := dev.Succeed("auth", "can-i", "--list", "--namespace=default")
		Expect(out).To(MatchRegexp(`(?m)^pods/ephemeralcontainers\s+\[\]\s+\[\]\s+\[patch\]$`))
		Expect(out).To(MatchRegexp(`(?m)^pods\s+\[\]\s+\[\]\s+\[get\]$`))
		Expect(out).To(MatchRegexp(`(?m)^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$`))
	})

	It("names the token user in kubectl auth whoami", func() {
		Expect(dev.Succeed("auth", "whoami")).To(MatchRegexp(`(?m)^Username\s+dev$`))
	})

	It("does not let a namespace admin bind cluster-admin", func() {
		admin.Succeed("create", "rolebinding", "editor-admin", "--clusterrole=admin", "--user=editor", "--namespace=default")
		Eventually(func() string { return canI(editor, "create", "rolebindings") }).WithTimeout(10 * time.Second).Should(Equal("yes\n"))
		r := editor.Fail("create", "rolebinding", "grab", "--clusterrole=cluster-admin", "--user=editor", "--namespace=default")
		Expect(r.Stderr).To(ContainSubstring(`rolebindings.rbac.authorization.k8s.io "grab" is forbidden: user "editor" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held`))
	})
})

// restrictedPod complies with the restricted Pod Security level.
const restrictedPod = `apiVersion: v1
kind: Pod
metadata:
  name: hardened
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
`

var _ = Describe("kubectl debug under Pod Security", Ordered, Label("podsecurity", "kubectl"), func() {
	var admin *Kubectl

	BeforeAll(func() {
		// Privileged containers pass validation, so Pod Security decides.
		admin = startServer(gateOn, "--allow-privileged").Kubectl()
		admin.Succeed("create", "namespace", "locked")
		admin.Succeed("label", "namespace", "locked", "pod-security.kubernetes.io/enforce=restricted")
		admin.Succeed("apply", "--namespace=locked", "-f", writeManifest("pod.yaml", restrictedPod))
	})

	It("accepts kubectl debug --profile=restricted in a restricted namespace", func() {
		admin.Succeed("debug", "--namespace=locked", "hardened", "--image=busybox:1.36", "--attach=false", "-c", "careful", "--profile=restricted")
		Expect(admin.Succeed("get", "--namespace=locked", "pod", "hardened", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).To(Equal("careful"))
	})

	It("refuses kubectl debug --profile=sysadmin there with upstream's message", func() {
		r := admin.Fail("debug", "--namespace=locked", "hardened", "--image=busybox:1.36", "--attach=false", "-c", "root", "--profile=sysadmin")
		Expect(r.Stderr).To(ContainSubstring(`pods "hardened" is forbidden: violates PodSecurity "restricted:latest": privileged (container "root" must not set securityContext.privileged=true)`))
	})
})
