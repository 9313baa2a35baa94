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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

var _ = Describe("Pods through kubectl", Ordered, Label("kubectl"), func() {
	var kubectl *Kubectl

	BeforeAll(func() {
		kubectl = startServer(gateOn).Kubectl()
	})

	Context("discovery", func() {
		It("reports server version v1.37.2", func() {
			out := kubectl.Succeed("version")
			Expect(out).To(MatchRegexp(`(?m)^Server Version: v1\.37\.2$`))

			var version struct {
				ServerVersion struct {
					Major, Minor, GitVersion string
				}
			}
			Expect(json.Unmarshal([]byte(kubectl.Succeed("version", "-o", "json")), &version)).To(Succeed())
			Expect(version.ServerVersion.Major).To(Equal("1"))
			Expect(version.ServerVersion.Minor).To(Equal("37"))
			Expect(version.ServerVersion.GitVersion).To(Equal("v1.37.2"))
		})

		It("lists pods with the short name po in api-resources", func() {
			out := lines(kubectl.Succeed("api-resources"))
			Expect(out[0]).To(MatchRegexp(`^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$`))
			Expect(out).To(ContainElement(MatchRegexp(`^pods\s+po\s+v1\s+true\s+Pod$`)))
		})

		It("explains pods.spec.ephemeralContainers from the server's OpenAPI", func() {
			out := kubectl.Succeed("explain", "pods.spec.ephemeralContainers")
			Expect(out).To(HavePrefix("KIND:       Pod\nVERSION:    v1\n\nFIELD: ephemeralContainers <[]EphemeralContainer>\n"))
			Expect(out).To(ContainSubstring("List of ephemeral containers run in this pod."))
		})
	})

	Context("creating and reading pods", func() {
		It("creates example-pod with kubectl run", func() {
			Expect(kubectl.Succeed("run", "example-pod", "--image=nginx")).To(Equal("pod/example-pod created\n"))
		})

		It("prints the pod table", func() {
			for _, args := range [][]string{{"get", "pods"}, {"get", "po", "example-pod"}} {
				By("kubectl " + args[0] + " " + args[1])
				out := lines(kubectl.Succeed(args...))
				Expect(out).To(HaveLen(2))
				Expect(out[0]).To(Equal("NAME          READY   STATUS    RESTARTS   AGE"))
				Expect(out[1]).To(MatchRegexp(`^example-pod   0/1     Pending   0          \S+$`))
			}
		})

		It("adds IP, NODE, NOMINATED NODE and READINESS GATES with -o wide", func() {
			out := lines(kubectl.Succeed("get", "pods", "-o", "wide"))
			Expect(out).To(HaveLen(2))
			Expect(out[0]).To(Equal("NAME          READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE   READINESS GATES"))
			Expect(out[1]).To(MatchRegexp(`^example-pod   0/1     Pending   0          \S+\s+<none>   <none>   <none>           <none>$`))
		})

		It("returns the defaulted pod with -o json", func() {
			var pod corev1.Pod
			Expect(json.Unmarshal([]byte(kubectl.Succeed("get", "pod", "example-pod", "-o", "json")), &pod)).To(Succeed())
			Expect(pod.Kind).To(Equal("Pod"))
			Expect(pod.APIVersion).To(Equal("v1"))
			Expect(pod.Namespace).To(Equal("default"))
			Expect(pod.UID).NotTo(BeEmpty())
			Expect(pod.ResourceVersion).NotTo(BeEmpty())
			Expect(pod.Generation).To(Equal(int64(1)))
			Expect(pod.Labels).To(Equal(map[string]string{"run": "example-pod"}))

			Expect(pod.Spec.Containers).To(HaveLen(1))
			c := pod.Spec.Containers[0]
			Expect(c.Name).To(Equal("example-pod"))
			Expect(c.Image).To(Equal("nginx"))
			Expect(c.ImagePullPolicy).To(Equal(corev1.PullAlways), "an image without a tag is pulled always")
			Expect(c.TerminationMessagePath).To(Equal("/dev/termination-log"))
			Expect(c.TerminationMessagePolicy).To(Equal(corev1.TerminationMessageReadFile))
			Expect(pod.Spec.RestartPolicy).To(Equal(corev1.RestartPolicyAlways))
			Expect(pod.Spec.DNSPolicy).To(Equal(corev1.DNSClusterFirst))
			Expect(pod.Spec.SchedulerName).To(Equal("default-scheduler"))
			Expect(pod.Spec.TerminationGracePeriodSeconds).To(Equal(ptr.To[int64](30)))
			Expect(pod.Spec.EnableServiceLinks).To(Equal(ptr.To(true)))
			Expect(pod.Spec.SecurityContext).To(Equal(&corev1.PodSecurityContext{}))
			Expect(pod.Spec.EphemeralContainers).To(BeEmpty())

			Expect(pod.Status.Phase).To(Equal(corev1.PodPending))
			Expect(pod.Status.QOSClass).To(Equal(corev1.PodQOSBestEffort))
		})

		It("creates a pod from a manifest file", func() {
			manifest := writeManifest("web.yaml", `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
`)
			Expect(kubectl.Succeed("create", "-f", manifest)).To(Equal("pod/web created\n"))
			Expect(kubectl.Succeed("get", "pod", "web", "-o", "jsonpath={.spec.containers[0].imagePullPolicy}")).
				To(Equal("IfNotPresent"), "a tagged image is pulled if not present")
		})

		It("selects pods by label and by field", func() {
			Expect(kubectl.Succeed("get", "pods", "-l", "app=web", "-o", "name")).To(Equal("pod/web\n"))
			Expect(kubectl.Succeed("get", "pods", "-l", "run=example-pod", "-o", "name")).To(Equal("pod/example-pod\n"))
			Expect(kubectl.Succeed("get", "pods", "-l", "app!=web", "-o", "name")).To(Equal("pod/example-pod\n"))
			Expect(kubectl.Succeed("get", "pods", "--field-selector", "status.phase=Pending", "-o", "name")).
				To(Equal("pod/example-pod\npod/web\n"))
			Expect(kubectl.Succeed("get", "pods", "--field-selector", "metadata.name=web", "-o", "name")).To(Equal("pod/web\n"))

			r := kubectl.Run("get", "pods", "--field-selector", "status.phase=Running")
			Expect(r.ExitCode).To(Equal(0))
			Expect(r.Stdout).To(BeEmpty())
			Expect(r.Stderr).To(Equal("No resources found in default namespace.\n"))
		})

		It("describes example-pod", func() {
			out := kubectl.Succeed("describe", "pod", "example-pod")
			Expect(out).To(MatchRegexp(`(?m)^Name:\s+example-pod$`))
			Expect(out).To(MatchRegexp(`(?m)^Namespace:\s+default$`))
			Expect(out).To(MatchRegexp(`(?m)^Labels:\s+run=example-pod$`))
			Expect(out).To(MatchRegexp(`(?m)^Status:\s+Pending$`))
			Expect(out).To(ContainSubstring("\nContainers:\n  example-pod:\n    Image:        nginx\n"))
			Expect(out).NotTo(ContainSubstring("Ephemeral Containers:"))
			Expect(out).To(MatchRegexp(`(?m)^QoS Class:\s+BestEffort$`))
		})
	})

	Context("server-side apply", func() {
		It("creates and then updates a pod with kubectl apply --server-side", func() {
			manifest := func(tier string) string {
				return writeManifest("applied.yaml", `apiVersion: v1
kind: Pod
metadata:
  name: applied
  labels:
    tier: `+tier+`
spec:
  containers:
  - name: nginx
    image: nginx:1.27
`)
			}
			Expect(kubectl.Succeed("apply", "--server-side", "-f", manifest("frontend"))).To(Equal("pod/applied serverside-applied\n"))
			Expect(kubectl.Succeed("get", "pod", "applied", "-o",
				`jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}{"\n"}{end}`)).To(Equal("kubectl/Apply\n"))

			Expect(kubectl.Succeed("apply", "--server-side", "-f", manifest("backend"))).To(Equal("pod/applied serverside-applied\n"))
			Expect(kubectl.Succeed("get", "pods", "-l", "tier=backend", "-o", "name")).To(Equal("pod/applied\n"))
			Expect(kubectl.Succeed("delete", "pod", "applied")).To(Equal("pod \"applied\" deleted\n"))
		})
	})

	Context("watching", func() {
		It("streams ADDED and DELETED events with get -w --output-watch-events", func() {
			watch := kubectl.Start("get", "pods", "-w", "--output-watch-events")
			By("seeing the existing pods, so the watch is established")
			Eventually(watch.Stdout).Should(MatchRegexp(`(?m)^ADDED\s+example-pod\s+0/1\s+Pending\s+0\s+\S+$`))

			Expect(kubectl.Succeed("run", "watched", "--image=busybox")).To(Equal("pod/watched created\n"))
			Eventually(watch.Stdout).Should(MatchRegexp(`(?m)^ADDED\s+watched\s+0/1\s+Pending\s+0\s+\S+$`))

			Expect(kubectl.Succeed("delete", "pod", "watched")).To(Equal("pod \"watched\" deleted\n"))
			Eventually(watch.Stdout).Should(MatchRegexp(`(?m)^DELETED\s+watched\s+`))
			Expect(lines(watch.Stdout())[0]).To(MatchRegexp(`^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$`))
		})
	})

	Context("bad input through --raw", Label("raw"), func() {
		var malformed string

		BeforeAll(func() {
			malformed = writeManifest("malformed.json", "{bad\n")
		})

		It("answers BadRequest to malformed JSON on create", func() {
			r := kubectl.Fail("create", "--raw", "/api/v1/namespaces/default/pods", "-f", malformed)
			Expect(r.Stderr).To(Equal("Error from server (BadRequest): the object provided is unrecognized (must be of type Pod): " +
				"couldn't get version/kind; json parse error: invalid character 'b' looking for beginning of object key string ({bad\n)\n"))
		})

		It("answers BadRequest to malformed JSON on the ephemeralcontainers subresource", func() {
			r := kubectl.Fail("replace", "--raw", podPath("default", "example-pod", "ephemeralcontainers"), "-f", malformed)
			Expect(r.Stderr).To(HavePrefix("Error from server (BadRequest): the object provided is unrecognized (must be of type Pod)"))
		})

		It("answers Invalid to a pod without containers", func() {
			invalid := writeManifest("invalid.json", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"invalid"},"spec":{"containers":[]}}`)
			r := kubectl.Fail("create", "--raw", "/api/v1/namespaces/default/pods", "-f", invalid)
			Expect(r.Stderr).To(Equal("The Pod \"invalid\" is invalid: spec.containers: Required value\n"))
		})

		It("answers NotFound to unknown paths and missing pods", func() {
			for _, path := range []string{"/api/v1/nosuchresource", "/apis/nosuch.example.com/v1", "/nosuchpath"} {
				r := kubectl.Fail("get", "--raw", path)
				Expect(r.Stderr).To(Equal("Error from server (NotFound): the server could not find the requested resource\n"), path)
			}
			for _, path := range []string{podPath("default", "nope"), podPath("default", "nope", "ephemeralcontainers")} {
				r := kubectl.Fail("get", "--raw", path)
				Expect(r.Stderr).To(Equal("Error from server (NotFound): pods \"nope\" not found\n"), path)
			}
		})
	})

	Context("deleting", func() {
		It("deletes example-pod with kubectl delete", func() {
			Expect(kubectl.Succeed("delete", "pod", "example-pod")).To(Equal("pod \"example-pod\" deleted\n"))
			r := kubectl.Fail("get", "pod", "example-pod")
			Expect(r.Stderr).To(Equal("Error from server (NotFound): pods \"example-pod\" not found\n"))
			Expect(kubectl.Succeed("get", "pods", "-o", "name")).To(Equal("pod/web\n"))
		})
	})
})
