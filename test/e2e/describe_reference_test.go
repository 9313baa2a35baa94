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
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// referenceDir is where the captures of upstream kube-apiserver live:
// test/testdata/reference, or EPHEMERAL_REFERENCE_DIR to compare another.
func referenceDir() string {
	if dir := os.Getenv("EPHEMERAL_REFERENCE_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("..", "testdata", "reference")
}

// The reference capture f04 is what kubectl 1.32 printed for `describe pod`
// against upstream, for the pod of f00 after the `kubectl debug` of f01.
var _ = Describe("kubectl describe pod compared with upstream's", Ordered, Label("debug-session", "kubectl", "reference"), func() {
	var (
		kubectl  *Kubectl
		upstream string
		before   corev1.Pod
	)

	BeforeAll(func(ctx context.Context) {
		dir := referenceDir()
		want, err := os.ReadFile(filepath.Join(dir, "f04-kubectl-describe-pod.txt"))
		Expect(err).NotTo(HaveOccurred())
		upstream = string(want)
		podJSON, err := os.ReadFile(filepath.Join(dir, "f00-pod-before-kubectl-debug.json"))
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(podJSON, &before)).To(Succeed())

		server := startServer(gateOn)
		kubectl = server.Kubectl()

		By("creating f00's pod without what upstream's admission and the server set")
		spec := before.Spec.DeepCopy()
		ephemeral := spec.EphemeralContainers
		spec.EphemeralContainers = nil
		// DefaultTolerationSeconds and Priority admission. What the
		// ServiceAccount admission added stays: ephemeral container "envy"
		// mounts its kube-api-access volume, whose token source needs the
		// service account.
		spec.Tolerations = nil
		spec.Priority, spec.PriorityClassName, spec.PreemptionPolicy = nil, "", nil
		pods := server.Client().CoreV1().Pods("default")
		created, err := pods.Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: before.Name, Labels: before.Labels, Annotations: before.Annotations},
			Spec:       *spec,
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		By("adding f00's ephemeral containers, in its order")
		created.Spec.EphemeralContainers = ephemeral
		_, err = pods.UpdateEphemeralContainers(ctx, created.Name, created, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
	})

	It("prints what upstream printed, apart from what legitimately differs", func() {
		r := kubectl.Run("debug", before.Name, "--image=busybox", "-c", "dbg2", "--", "sh")
		Expect(r.ExitCode).To(Equal(0), r.Stderr)
		Expect(r.Stdout).To(BeEmpty())
		Expect(r.Stderr).To(Equal(legacyProfileWarning))

		ours := kubectl.Succeed("describe", "pod", before.Name)
		want, got := normaliseDescribe(upstream), normaliseDescribe(ours)
		Expect(got).To(Equal(want), "normalised, upstream:\n%s\nnormalised, ours:\n%s", want, got)
		Expect(ours).To(ContainSubstring("\nEvents:\n"), "ours records EphemeralContainerAdded events")
	})
})

var (
	// droppedDescribeLines differ between clusters, or come from upstream's
	// admission plugins this server does not run.
	droppedDescribeLines = regexp.MustCompile(`^(Priority|Service Account|Node|Start Time|IP|IPs):|` +
		`^\s+IP:\s|from kube-api-access-\S+ \(r[ow]\)$|node\.kubernetes\.io/(not-ready|unreachable):NoExecute`)
	// kubeAPIAccessVolume starts the description of the ServiceAccount
	// admission's projected volume, which runs to the next line indented
	// no deeper than it.
	kubeAPIAccessVolume = regexp.MustCompile(`^  kube-api-access-\S+:$`)
	// alignment is kubectl's tabwriter padding, which depends on the
	// widest cell of a block, some of which are dropped lines.
	alignment = regexp.MustCompile(`(\S)  +`)
)

// normaliseDescribe removes from kubectl describe pod's output what
// legitimately differs between upstream's cluster and this server: the
// ServiceAccount admission's volume and its mounts, DefaultTolerationSeconds'
// tolerations, Priority, the service account, node, IPs and start time,
// the Events section (upstream had none, we record EphemeralContainerAdded),
// and the column padding that depends on those.
func normaliseDescribe(out string) string {
	var kept []string
	inVolume := false
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(line, "Events:") {
			break
		}
		if inVolume {
			if strings.HasPrefix(line, "   ") {
				continue
			}
			inVolume = false
		}
		if kubeAPIAccessVolume.MatchString(line) {
			inVolume = true
			continue
		}
		// Upstream's are DefaultTolerationSeconds', ours <none>.
		if strings.HasPrefix(line, "Tolerations:") {
			line = "Tolerations:"
		} else if droppedDescribeLines.MatchString(line) {
			continue
		}
		kept = append(kept, strings.TrimRight(alignment.ReplaceAllString(line, "$1 "), " "))
	}
	return strings.Join(kept, "\n") + "\n"
}
