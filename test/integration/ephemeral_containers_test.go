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
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// pods/ephemeralcontainers in its modern form (kind Pod) as upstream
// v1.37.2 answers it, and the EphemeralContainers feature gate that serves
// or hides the subresource.

// removedMsg and the Forbidden cause message end in a newline, as upstream's.
func removedMsg(name string) string {
	return fmt.Sprintf("existing ephemeral containers %q may not be removed\n", name)
}

var _ = Describe("pods/ephemeralcontainers", Label("ephemeral"), Ordered, ContinueOnFailure, func() {
	var api *rawAPI
	BeforeAll(func() {
		api = newRawAPI(startServer(framework.ServerConfig{FeatureGates: map[string]bool{"EphemeralContainers": true}}))
	})

	// withOne is a fixture pod with debugContainer("debugger1") added
	// through the subresource.
	withOne := func(ctx context.Context, prefix string) string {
		name := api.createFixture(ctx, prefix).Name
		api.addEphemeral(ctx, name, debugContainer("debugger1"))
		return name
	}
	// withTwo is a fixture pod with debugger1 and debugger2, in that order.
	withTwo := func(ctx context.Context, prefix string) string {
		name := withOne(ctx, prefix)
		Expect(api.appendEphemeral(ctx, name, debugContainer("debugger2")).Code).To(Equal(http.StatusOK))
		Expect(ephemeralNames(api.getPod(ctx, name).Spec.EphemeralContainers)).To(Equal([]string{"debugger1", "debugger2"}))
		return name
	}

	Context("on the pods resource itself", func() {
		It("refuses a new pod that already has ephemeral containers", func(ctx context.Context) {
			name := uniqueName("e01")
			body := strings.Replace(fixturePodJSON(name), `"volumes":`, `"ephemeralContainers":[`+debugContainer("d")+`],"volumes":`, 1)
			res := api.Do(ctx, http.MethodPost, "/api/v1/namespaces/default/pods", ctJSON, []byte(body))
			Expect(res.Code).To(Equal(http.StatusUnprocessableEntity), "%s", res.Body)
			st := res.Status()
			Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
			Expect(causesOf(st)).To(Equal([]cause{causeForbidden("spec.ephemeralContainers")}))
			Expect(st.Message).To(HaveSuffix("spec.ephemeralContainers: Forbidden: cannot be set on create"))

			By("storing nothing")
			Expect(api.Do(ctx, http.MethodGet, api.podPath(name), "", nil).Code).To(Equal(http.StatusNotFound))
		})

		It("refuses adding ephemeral containers with a pod update", func(ctx context.Context) {
			name := api.createFixture(ctx, "e02").Name
			st := api.expectInvalid(ctx, name, func() framework.Reply {
				pod := api.getPod(ctx, name)
				pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "d", Image: "busybox:1.36", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile}}}
				body, _ := json.Marshal(pod)
				return api.Do(ctx, http.MethodPut, api.podPath(name), ctJSON, body)
			}, causeForbidden("spec"))
			Expect(st.Message).To(ContainSubstring("pod updates may not change fields other than"))
		})

		It("refuses changing an ephemeral container with a pod update", func(ctx context.Context) {
			name := withOne(ctx, "e03")
			st := api.expectInvalid(ctx, name, func() framework.Reply {
				pod := api.getPod(ctx, name)
				pod.Spec.EphemeralContainers[0].Image = "busybox:1.37"
				body, _ := json.Marshal(pod)
				return api.Do(ctx, http.MethodPut, api.podPath(name), ctJSON, body)
			}, causeForbidden("spec"))
			Expect(st.Message).To(ContainSubstring("pod updates may not change fields other than"))
		})
	})

	It("refuses ephemeral containers in a pod template", func(ctx context.Context) {
		name := uniqueName("e74")
		res := api.Do(ctx, http.MethodPost, "/api/v1/namespaces/default/podtemplates", ctJSON, []byte(fmt.Sprintf(
			`{"apiVersion":"v1","kind":"PodTemplate","metadata":{"name":%q},"template":{"spec":{"containers":[{"name":"ctr","image":"busybox:1.36"}],"ephemeralContainers":[%s]}}}`,
			name, debugContainer("d"))))
		Expect(res.Code).To(Equal(http.StatusUnprocessableEntity), "%s", res.Body)
		st := res.Status()
		Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
		Expect(causesOf(st)).To(Equal([]cause{causeForbidden("template.spec.ephemeralContainers")}))
		Expect(st.Details.Causes[0].Message).To(Equal("Forbidden: ephemeral containers not allowed in pod template"))
		Expect(api.Do(ctx, http.MethodGet, "/api/v1/namespaces/default/podtemplates/"+name, "", nil).Code).To(Equal(http.StatusNotFound))
	})

	Context("reading the subresource", func() {
		It("returns the whole pod, exactly as GET of the pod does", func(ctx context.Context) {
			name := api.createFixture(ctx, "e04").Name
			res := api.Do(ctx, http.MethodGet, api.ephemeralPath(name), "", nil)
			Expect(res.Code).To(Equal(http.StatusOK))
			Expect(string(res.Body)).To(Equal(string(api.getPodJSON(ctx, name))))
			pod := res.Pod()
			Expect(pod.Status.Phase).To(Equal(corev1.PodPending))
			Expect(res.Object()["spec"]).NotTo(HaveKey("ephemeralContainers"))
		})

		DescribeTable("answers 404 naming the pod when it does not exist",
			func(ctx context.Context, method, contentType, body string) {
				res := api.Do(ctx, method, api.ephemeralPath("nope"), contentType, []byte(body))
				Expect(res.Code).To(Equal(http.StatusNotFound), "%s", res.Body)
				st := res.Status()
				Expect(st.Reason).To(Equal(metav1.StatusReasonNotFound))
				Expect(st.Message).To(Equal(`pods "nope" not found`))
				Expect(st.Details).NotTo(BeNil())
				Expect(st.Details.Name).To(Equal("nope"))
				Expect(st.Details.Kind).To(Equal("pods"))
			},
			Entry("GET", http.MethodGet, "", ""),
			Entry("PUT", http.MethodPut, ctJSON, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nope"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`),
			Entry("PATCH", http.MethodPatch, ctSMP, string(smpBody(debugContainer("d")))),
		)
	})

	Context("adding ephemeral containers", func() {
		It("adds one with a strategic merge patch, defaulted, bumping the generation", func(ctx context.Context) {
			name := api.createFixture(ctx, "e06").Name
			before := api.getPod(ctx, name)
			res := api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctSMP, smpBody(debugContainer("debugger1")))
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			pod := res.Pod()
			Expect(ephemeralNames(pod.Spec.EphemeralContainers)).To(Equal([]string{"debugger1"}))
			Expect(pod.Spec.EphemeralContainers[0].TerminationMessagePath).To(Equal("/dev/termination-log"))
			Expect(res.Object()["spec"]).To(HaveKeyWithValue("ephemeralContainers", ConsistOf(HaveKeyWithValue("resources", BeEmpty()))))
			Expect(pod.Generation).To(Equal(int64(2)))
			Expect(pod.Status).To(Equal(before.Status))
			Expect(pod.ResourceVersion).NotTo(Equal(before.ResourceVersion))
			Expect(api.getPod(ctx, name).Spec.EphemeralContainers).To(Equal(pod.Spec.EphemeralContainers))
		})

		DescribeTable("adds the first one with every request form",
			func(ctx context.Context, send func(ctx context.Context, name string) framework.Reply) {
				name := api.createFixture(ctx, "add").Name
				res := send(ctx, name)
				Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
				Expect(ephemeralNames(res.Pod().Spec.EphemeralContainers)).To(Equal([]string{"debugger1"}))
				Expect(ephemeralNames(api.getPod(ctx, name).Spec.EphemeralContainers)).To(Equal([]string{"debugger1"}))
			},
			Entry("merge patch", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctMerge, smpBody(debugContainer("debugger1")))
			}),
			Entry("JSON patch adding the list", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctJSONPatch,
					[]byte(`[{"op":"add","path":"/spec/ephemeralContainers","value":[`+debugContainer("debugger1")+`]}]`))
			}),
			Entry("PUT of the pod", func(ctx context.Context, name string) framework.Reply {
				return api.putEphemeral(ctx, name, []string{debugContainer("debugger1")}, nil)
			}),
			Entry("apply with a field manager", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name)+"?fieldManager=debugger", ctApply,
					[]byte(fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  ephemeralContainers:\n  - name: debugger1\n    image: busybox:1.36\n", name)))
			}),
		)

		It("cannot append with JSON patch to a list the pod does not have yet", func(ctx context.Context) {
			name := api.createFixture(ctx, "e09").Name
			api.expectRefused(ctx, name, func() framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctJSONPatch,
					[]byte(`[{"op":"add","path":"/spec/ephemeralContainers/-","value":`+debugContainer("d")+`}]`))
			}, http.StatusUnprocessableEntity, metav1.StatusReasonInvalid)
		})

		DescribeTable("adds a second one to a pod that has one",
			func(ctx context.Context, send func(ctx context.Context, name string) framework.Reply, order []string) {
				name := withOne(ctx, "second")
				res := send(ctx, name)
				Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
				pod := res.Pod()
				Expect(ephemeralNames(pod.Spec.EphemeralContainers)).To(Equal(order))
				Expect(pod.Generation).To(Equal(int64(3)))
				Expect(ephemeralNames(api.getPod(ctx, name).Spec.EphemeralContainers)).To(Equal(order))
			},
			// Upstream's strategic merge puts the new entry first (reference case 10).
			Entry("strategic merge patch puts the new one first", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctSMP, smpBody(debugContainer("debugger2")))
			}, []string{"debugger2", "debugger1"}),
			Entry("merge patch with the full list", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctMerge, smpBody(debugContainer("debugger1"), debugContainer("debugger2")))
			}, []string{"debugger1", "debugger2"}),
			Entry("JSON patch appending", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctJSONPatch,
					[]byte(`[{"op":"add","path":"/spec/ephemeralContainers/-","value":`+debugContainer("debugger2")+`}]`))
			}, []string{"debugger1", "debugger2"}),
			Entry("PUT with one more", func(ctx context.Context, name string) framework.Reply {
				return api.putEphemeral(ctx, name, []string{debugContainer("debugger1"), debugContainer("debugger2")}, nil)
			}, []string{"debugger1", "debugger2"}),
		)

		It("lets PUT reorder the list and stores the request's order", func(ctx context.Context) {
			name := withTwo(ctx, "e26")
			res := api.putEphemeral(ctx, name, []string{debugContainer("debugger2"), debugContainer("debugger1")}, nil)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(ephemeralNames(api.getPod(ctx, name).Spec.EphemeralContainers)).To(Equal([]string{"debugger2", "debugger1"}))
		})

		It("lets PUT add one in front while reordering", func(ctx context.Context) {
			name := withTwo(ctx, "e27")
			res := api.putEphemeral(ctx, name, []string{debugContainer("debugger3"), debugContainer("debugger2"), debugContainer("debugger1")}, nil)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(ephemeralNames(res.Pod().Spec.EphemeralContainers)).To(Equal([]string{"debugger3", "debugger2", "debugger1"}))
		})
	})

	Context("generation and no-op writes", func() {
		It("keeps resourceVersion and generation on a PUT that changes nothing", func(ctx context.Context) {
			name := api.createFixture(ctx, "e19").Name
			before := api.getPod(ctx, name)
			res := api.putEphemeral(ctx, name, nil, nil)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(res.Pod().ResourceVersion).To(Equal(before.ResourceVersion))
			Expect(res.Pod().Generation).To(Equal(int64(1)))
		})

		It("keeps the generation on an identical PUT", func(ctx context.Context) {
			name := withOne(ctx, "e20")
			res := api.putEphemeral(ctx, name, []string{debugContainer("debugger1")}, nil)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(res.Pod().Generation).To(Equal(int64(2)))
		})

		It("counts 1 → 2 → 3 over two adds and stays at 3 after a no-op", func(ctx context.Context) {
			name := api.createFixture(ctx, "e67").Name
			Expect(api.addEphemeral(ctx, name, debugContainer("d1")).Generation).To(Equal(int64(2)))
			Expect(api.addEphemeral(ctx, name, debugContainer("d2")).Generation).To(Equal(int64(3)))
			res := api.putEphemeral(ctx, name, []string{debugContainer("d2"), debugContainer("d1")}, nil)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(res.Pod().Generation).To(Equal(int64(3)))
			Expect(api.getPod(ctx, name).Generation).To(Equal(int64(3)))
		})
	})

	Context("existing ephemeral containers", func() {
		DescribeTable("may not be removed",
			func(ctx context.Context, send func(ctx context.Context, name string) framework.Reply) {
				name := withOne(ctx, "rm")
				st := api.expectInvalid(ctx, name, func() framework.Reply { return send(ctx, name) }, causeForbidden("spec.ephemeralContainers"))
				Expect(st.Details.Causes[0].Message).To(Equal("Forbidden: " + removedMsg("debugger1")))
				Expect(st.Message).To(Equal(fmt.Sprintf("Pod %q is invalid: spec.ephemeralContainers: Forbidden: %s", name, removedMsg("debugger1"))))
			},
			Entry("merge patch with only a new one", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctMerge, smpBody(debugContainer("debugger2")))
			}),
			Entry("merge patch with an empty list", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctMerge, []byte(`{"spec":{"ephemeralContainers":[]}}`))
			}),
			Entry("JSON patch removing the entry", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctJSONPatch, []byte(`[{"op":"remove","path":"/spec/ephemeralContainers/0"}]`))
			}),
			Entry("JSON patch removing the list", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctJSONPatch, []byte(`[{"op":"remove","path":"/spec/ephemeralContainers"}]`))
			}),
			Entry("strategic merge patch $patch: delete", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctSMP, smpBody(`{"name":"debugger1","$patch":"delete"}`))
			}),
			Entry("PUT without the field", func(ctx context.Context, name string) framework.Reply {
				return api.putEphemeral(ctx, name, nil, nil)
			}),
			Entry("PUT with an empty list", func(ctx context.Context, name string) framework.Reply {
				return api.putEphemeral(ctx, name, []string{}, nil)
			}),
			Entry("PUT replacing it with another", func(ctx context.Context, name string) framework.Reply {
				return api.putEphemeral(ctx, name, []string{debugContainer("thentheother")}, nil)
			}),
		)

		It("names only the removed one when one of two is left out", func(ctx context.Context) {
			name := withTwo(ctx, "e25")
			st := api.expectInvalid(ctx, name, func() framework.Reply {
				return api.putEphemeral(ctx, name, []string{debugContainer("debugger1")}, nil)
			}, causeForbidden("spec.ephemeralContainers"))
			Expect(st.Details.Causes[0].Message).To(Equal("Forbidden: " + removedMsg("debugger2")))
		})

		DescribeTable("may not be changed",
			func(ctx context.Context, send func(ctx context.Context, name string) framework.Reply) {
				name := withOne(ctx, "chg")
				st := api.expectInvalid(ctx, name, func() framework.Reply { return send(ctx, name) }, causeForbidden("spec.ephemeralContainers"))
				Expect(st.Details.Causes[0].Message).To(HavePrefix("Forbidden: existing ephemeral containers \"debugger1\" may not be changed\n@@ "))
				Expect(st.Details.Causes[0].Message).To(ContainSubstring("- \"Image\": \"busybox:1.36\",\n+ \"Image\": "))
			},
			Entry("strategic merge patch merging a new image in", func(ctx context.Context, name string) framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctSMP, smpBody(`{"name":"debugger1","image":"busybox:1.37"}`))
			}),
			Entry("PUT with another image", func(ctx context.Context, name string) framework.Reply {
				return api.putEphemeral(ctx, name, []string{strings.Replace(debugContainer("debugger1"), "busybox:1.36", "debian", 1)}, nil)
			}),
		)
	})

	Context("validating new ephemeral containers", func() {
		DescribeTable("refuses an invalid container and stores nothing",
			func(ctx context.Context, existing []string, added []string, causes ...cause) {
				name := api.createFixture(ctx, "bad").Name
				if len(existing) > 0 {
					api.addEphemeral(ctx, name, existing...)
				}
				api.expectInvalid(ctx, name, func() framework.Reply { return api.appendEphemeral(ctx, name, added...) }, causes...)
			},
			Entry("the name of a regular container", nil, []string{debugContainer("ctr")}, causeDuplicate("spec.ephemeralContainers[0].name")),
			Entry("the name of an init container", nil, []string{debugContainer("ictr")}, causeDuplicate("spec.ephemeralContainers[0].name")),
			Entry("the same name twice", nil, []string{debugContainer("d1"), debugContainer("d1")}, causeDuplicate("spec.ephemeralContainers[1].name")),
			Entry("an unknown target", nil, []string{debugContainerWith("d", `"targetContainerName":"bogus"`)}, causeNotFound("spec.ephemeralContainers[0].targetContainerName")),
			Entry("a target that is a new ephemeral container", nil,
				[]string{debugContainer("debug"), debugContainerWith("debugception", `"targetContainerName":"debug"`)}, causeNotFound("spec.ephemeralContainers[1].targetContainerName")),
			Entry("a target that is an existing ephemeral container", []string{debugContainer("debugger1")},
				[]string{debugContainerWith("d2", `"targetContainerName":"debugger1"`)}, causeNotFound("spec.ephemeralContainers[1].targetContainerName")),
			Entry("ports", nil, []string{debugContainerWith("d", `"ports":[{"containerPort":80,"protocol":"TCP"}]`)}, causeForbidden("spec.ephemeralContainers[0].ports")),
			Entry("resources", nil, []string{debugContainerWith("d", `"resources":{"limits":{"cpu":"10"}}`)}, causeForbidden("spec.ephemeralContainers[0].resources")),
			Entry("lifecycle", nil, []string{debugContainerWith("d", `"lifecycle":{"preStop":{"exec":{"command":["ls","-l"]}}}`)}, causeForbidden("spec.ephemeralContainers[0].lifecycle")),
			Entry("livenessProbe", nil, []string{debugContainerWith("d", `"livenessProbe":{"tcpSocket":{"port":80},"successThreshold":1}`)}, causeForbidden("spec.ephemeralContainers[0].livenessProbe")),
			Entry("readinessProbe", nil, []string{debugContainerWith("d", `"readinessProbe":{"tcpSocket":{"port":80}}`)}, causeForbidden("spec.ephemeralContainers[0].readinessProbe")),
			Entry("startupProbe", nil, []string{debugContainerWith("d", `"startupProbe":{"tcpSocket":{"port":80},"successThreshold":1}`)}, causeForbidden("spec.ephemeralContainers[0].startupProbe")),
			Entry("resizePolicy", nil, []string{debugContainerWith("d", `"resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}]`)}, causeForbidden("spec.ephemeralContainers[0].resizePolicy")),
			Entry("E45a restartPolicy Always", nil, []string{debugContainerWith("d", `"restartPolicy":"Always"`)}, causeForbidden("spec.ephemeralContainers[0].restartPolicy")),
			Entry("E45b restartPolicy OnFailure", nil, []string{debugContainerWith("d", `"restartPolicy":"OnFailure"`)}, causeForbidden("spec.ephemeralContainers[0].restartPolicy")),
			Entry("E45c restartPolicy Never", nil, []string{debugContainerWith("d", `"restartPolicy":"Never"`)}, causeForbidden("spec.ephemeralContainers[0].restartPolicy")),
			Entry("E45d restartPolicy empty", nil, []string{debugContainerWith("d", `"restartPolicy":""`)}, causeForbidden("spec.ephemeralContainers[0].restartPolicy")),
			Entry("E45e restartPolicy invalid", nil, []string{debugContainerWith("d", `"restartPolicy":"invalid"`)}, causeForbidden("spec.ephemeralContainers[0].restartPolicy")),
			Entry("an invalid lifecycle, with a single Forbidden only", nil, []string{debugContainerWith("d", `"lifecycle":{"preStop":{"exec":{"command":[]}}}`)}, causeForbidden("spec.ephemeralContainers[0].lifecycle")),
			Entry("a subPath mount", nil, []string{debugContainerWith("d", `"volumeMounts":[{"name":"vol","mountPath":"/vol"},{"name":"vol","mountPath":"/volsub","subPath":"foo"}]`)},
				causeForbidden("spec.ephemeralContainers[0].volumeMounts[1].subPath")),
			Entry("a subPathExpr mount", nil, []string{debugContainerWith("d", `"volumeMounts":[{"name":"vol","mountPath":"/vol"},{"name":"vol","mountPath":"/volsub","subPathExpr":"$(POD_NAME)"}]`)},
				causeForbidden("spec.ephemeralContainers[0].volumeMounts[1].subPathExpr")),
			Entry("an empty container", nil, []string{`{}`}, causeRequired("spec.ephemeralContainers[0].name"), causeRequired("spec.ephemeralContainers[0].image")),
			Entry("an empty name", nil, []string{debugContainer("")}, causeRequired("spec.ephemeralContainers[0].name")),
			Entry("an image padded with whitespace", nil, []string{strings.Replace(debugContainer("d"), `"busybox:1.36"`, `" image"`, 1)}, causeInvalid("spec.ephemeralContainers[0].image")),
			Entry("an unknown pull policy", nil, []string{strings.Replace(debugContainer("d"), "IfNotPresent", "PullThreeTimes", 1)}, causeUnsupported("spec.ephemeralContainers[0].imagePullPolicy")),
			Entry("a name that is not a DNS label", nil, []string{debugContainer("a.b.c")}, causeInvalid("spec.ephemeralContainers[0].name")),
			Entry("a name of 64 characters", nil, []string{debugContainer(strings.Repeat("a", 64))}, causeInvalid("spec.ephemeralContainers[0].name")),
			Entry("a mount of an unknown volume", nil, []string{debugContainerWith("d", `"volumeMounts":[{"name":"nope","mountPath":"/x"}]`)}, causeNotFound("spec.ephemeralContainers[0].volumeMounts[0].name")),
			Entry("an empty but present ports list", nil, []string{debugContainerWith("d", `"ports":[]`)}, causeForbidden("spec.ephemeralContainers[0].ports")),
			Entry("a privileged container without --allow-privileged (reference s02)", nil, []string{debugContainerWith("d", `"securityContext":{"privileged":true}`)},
				causeForbidden("spec.ephemeralContainers[0].securityContext.privileged")),
		)

		It("reports every forbidden field in one message", func(ctx context.Context) {
			name := api.createFixture(ctx, "e76").Name
			st := api.expectInvalid(ctx, name, func() framework.Reply {
				return api.appendEphemeral(ctx, name, debugContainerWith("d", `"ports":[{"containerPort":80}],"restartPolicy":"Always"`))
			}, causeForbidden("spec.ephemeralContainers[0].ports"), causeForbidden("spec.ephemeralContainers[0].restartPolicy"))
			Expect(st.Message).To(Equal(fmt.Sprintf(`Pod %q is invalid: [spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container]`, name)))
			Expect(st.Details.Causes[0].Message).To(Equal("Forbidden: cannot be set for an Ephemeral Container"))
		})

		DescribeTable("accepts a valid container",
			func(ctx context.Context, added string, check func(c corev1.EphemeralContainer)) {
				name := api.createFixture(ctx, "ok").Name
				res := api.appendEphemeral(ctx, name, added)
				Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
				stored := api.getPod(ctx, name).Spec.EphemeralContainers
				Expect(stored).To(HaveLen(1))
				check(stored[0])
			},
			Entry("targeting the regular container", debugContainerWith("d", `"targetContainerName":"ctr"`), func(c corev1.EphemeralContainer) {
				Expect(c.TargetContainerName).To(Equal("ctr"))
			}),
			Entry("targeting the init container", debugContainerWith("d", `"targetContainerName":"ictr"`), func(c corev1.EphemeralContainer) {
				Expect(c.TargetContainerName).To(Equal("ictr"))
			}),
			Entry("setting every allowed field", debugContainerWith("d", `"command":["bash"],"args":["bash"],"workingDir":"/",
				"envFrom":[{"configMapRef":{"name":"dummy","optional":true}}],"env":[{"name":"TEST","value":"TRUE"}],
				"volumeMounts":[{"name":"vol","mountPath":"/vol"}],"volumeDevices":[{"name":"blk","devicePath":"/dev/block"}],
				"terminationMessagePath":"/dev/termination-log","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}},
				"stdin":true,"stdinOnce":true,"tty":true`), func(c corev1.EphemeralContainer) {
				Expect(c.Command).To(Equal([]string{"bash"}))
				Expect(c.VolumeDevices).To(Equal([]corev1.VolumeDevice{{Name: "blk", DevicePath: "/dev/block"}}))
				Expect(c.SecurityContext.Capabilities.Add).To(Equal([]corev1.Capability{"SYS_ADMIN"}))
				Expect(c.Stdin && c.StdinOnce && c.TTY).To(BeTrue())
			}),
		)

		It("defaults pull and termination message policies like a regular container's", func(ctx context.Context) {
			name := api.createFixture(ctx, "e56").Name
			res := api.appendEphemeral(ctx, name, `{"name":"d1","image":"busybox"}`, `{"name":"d2","image":"busybox:1.36"}`)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			ecs := api.getPod(ctx, name).Spec.EphemeralContainers
			Expect(ecs).To(HaveLen(2))
			Expect(ecs[0].ImagePullPolicy).To(Equal(corev1.PullAlways))
			Expect(ecs[1].ImagePullPolicy).To(Equal(corev1.PullIfNotPresent))
			for _, c := range ecs {
				Expect(c.TerminationMessagePolicy).To(Equal(corev1.TerminationMessageReadFile))
				Expect(c.TerminationMessagePath).To(Equal("/dev/termination-log"))
			}
		})

		// The server does not validate Windows host-process settings yet.
		PIt("keeps the pod's hostProcess setting for an ephemeral container [pending: hostProcess validation not implemented]", func(ctx context.Context) {
			name := uniqueName("e68")
			api.createPod(ctx, fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q},"spec":{"hostNetwork":true,"restartPolicy":"OnFailure",
				"securityContext":{"windowsOptions":{"hostProcess":true}},
				"containers":[{"name":"cnt","image":"busybox:1.36","securityContext":{"windowsOptions":{"hostProcess":true}}}]}}`, name))
			api.expectInvalid(ctx, name, func() framework.Reply {
				return api.appendEphemeral(ctx, name, debugContainerWith("d1", `"securityContext":{"windowsOptions":{"hostProcess":false}}`))
			}, causeInvalid("spec.ephemeralContainers[0].securityContext.windowsOptions.hostProcess"))
			Expect(api.appendEphemeral(ctx, name, debugContainerWith("d1", `"securityContext":{"windowsOptions":{"hostProcess":true}}`)).Code).To(Equal(http.StatusOK))
		})
	})

	// Upstream reports the error at the empty field path, which apimachinery
	// renders as "[]" (so the message reads "[]: Forbidden: ...", not
	// ": Forbidden: ...").
	It("refuses ephemeral containers in a static pod, with that single reason", func(ctx context.Context) {
		name := uniqueName("e58")
		api.createPod(ctx, fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q,"annotations":{"kubernetes.io/config.mirror":"foo"}},
			"spec":{"nodeName":"n1","containers":[{"name":"ctr","image":"busybox:1.36"}]}}`, name))
		st := api.expectInvalid(ctx, name, func() framework.Reply {
			return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctSMP, smpBody(debugContainer("debugger1")))
		}, causeForbidden("[]"))
		Expect(st.Message).To(Equal(fmt.Sprintf(`Pod %q is invalid: []: Forbidden: static pods do not support ephemeral containers`, name)))
	})

	Context("writing only ephemeral containers", func() {
		It("silently keeps everything else of the stored pod", func(ctx context.Context) {
			name := api.createFixture(ctx, "e59").Name
			before := api.getPod(ctx, name)
			res := api.putEphemeral(ctx, name, []string{debugContainer("d")}, func(obj map[string]interface{}) {
				meta := obj["metadata"].(map[string]interface{})
				meta["labels"] = map[string]interface{}{"app": "changed"}
				meta["annotations"] = map[string]interface{}{"whiz": "bang"}
				meta["finalizers"] = []interface{}{"milo"}
				spec := obj["spec"].(map[string]interface{})
				spec["containers"].([]interface{})[0].(map[string]interface{})["image"] = "busybox:1.37"
				obj["status"].(map[string]interface{})["message"] = "hi."
			})
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			after := api.getPod(ctx, name)
			Expect(ephemeralNames(after.Spec.EphemeralContainers)).To(Equal([]string{"d"}))
			Expect(after.Labels).To(Equal(before.Labels))
			Expect(after.Annotations).To(Equal(before.Annotations))
			Expect(after.Finalizers).To(Equal(before.Finalizers))
			Expect(after.Spec.Containers).To(Equal(before.Spec.Containers))
			Expect(after.Status).To(Equal(before.Status))
		})

		It("keeps the labels kubectl debug's profiles null out", func(ctx context.Context) {
			name := api.createFixture(ctx, "e60").Name
			res := api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctSMP,
				[]byte(`{"metadata":{"labels":null},"spec":{"ephemeralContainers":[`+debugContainer("d")+`]}}`))
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			after := api.getPod(ctx, name)
			Expect(after.Labels).To(Equal(map[string]string{"app": "a"}))
			Expect(ephemeralNames(after.Spec.EphemeralContainers)).To(Equal([]string{"d"}))
		})
	})

	Context("the generic request handling", func() {
		It("refuses a stale resourceVersion with 409", func(ctx context.Context) {
			name := api.createFixture(ctx, "e61").Name
			stale := api.getPod(ctx, name).ResourceVersion
			api.addEphemeral(ctx, name, debugContainer("debugger1"))
			st := api.expectRefused(ctx, name, func() framework.Reply {
				return api.putEphemeral(ctx, name, []string{debugContainer("debugger1"), debugContainer("debugger2")}, func(obj map[string]interface{}) {
					obj["metadata"].(map[string]interface{})["resourceVersion"] = stale
				})
			}, http.StatusConflict, metav1.StatusReasonConflict)
			Expect(st.Message).To(Equal(fmt.Sprintf(`Operation cannot be fulfilled on pods %q: the object has been modified; please apply your changes to the latest version and try again`, name)))
			Expect(st.Details.Name).To(Equal(name))
			Expect(st.Details.Kind).To(Equal("pods"))
		})

		It("updates unconditionally without a resourceVersion", func(ctx context.Context) {
			name := api.createFixture(ctx, "e62").Name
			res := api.putEphemeral(ctx, name, []string{debugContainer("d")}, func(obj map[string]interface{}) {
				delete(obj["metadata"].(map[string]interface{}), "resourceVersion")
			})
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(ephemeralNames(api.getPod(ctx, name).Spec.EphemeralContainers)).To(Equal([]string{"d"}))
		})

		// The handler turns the body's uid into a storage precondition, which
		// fails before validation could call the field immutable (a 422);
		// upstream's generic handler does the same.
		It("refuses another uid as a failed precondition", func(ctx context.Context) {
			name := api.createFixture(ctx, "e63").Name
			uid := api.getPod(ctx, name).UID
			st := api.expectRefused(ctx, name, func() framework.Reply {
				return api.putEphemeral(ctx, name, []string{debugContainer("d")}, func(obj map[string]interface{}) {
					obj["metadata"].(map[string]interface{})["uid"] = "00000000-0000-0000-0000-000000000000"
				})
			}, http.StatusConflict, metav1.StatusReasonConflict)
			Expect(st.Message).To(HavePrefix(fmt.Sprintf("Operation cannot be fulfilled on pods %q: ", name)))
			Expect(st.Message).To(HaveSuffix(fmt.Sprintf("Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: %s", uid)))
		})

		It("refuses a body naming another pod with 400", func(ctx context.Context) {
			name := api.createFixture(ctx, "e64").Name
			st := api.expectRefused(ctx, name, func() framework.Reply {
				return api.putEphemeral(ctx, name, []string{debugContainer("d")}, func(obj map[string]interface{}) {
					obj["metadata"].(map[string]interface{})["name"] = "other"
				})
			}, http.StatusBadRequest, metav1.StatusReasonBadRequest)
			Expect(st.Message).To(Equal(fmt.Sprintf("the name of the object (other) does not match the name on the URL (%s)", name)))
		})

		DescribeTable("does not allow other methods",
			func(ctx context.Context, method string) {
				name := api.createFixture(ctx, "e66").Name
				var body []byte
				if method == http.MethodPost {
					body = []byte(fixturePodJSON(name))
				}
				res := api.expectRefused(ctx, name, func() framework.Reply { return api.Do(ctx, method, api.ephemeralPath(name), ctJSON, body) },
					http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed)
				Expect(res.Message).To(Equal("the server does not allow this method on the requested resource"))
				Expect(res.Details).To(Equal(&metav1.StatusDetails{}))
			},
			Entry("POST", http.MethodPost),
			Entry("DELETE", http.MethodDelete),
		)

		It("refuses an unknown field with fieldValidation=Strict and warns about it by default", func(ctx context.Context) {
			name := api.createFixture(ctx, "e72").Name
			bogus := debugContainerWith("d", `"bogus":1`)
			put := func(query string) framework.Reply {
				obj := framework.Reply{Body: api.getPodJSON(ctx, name)}.Object()
				body, _ := json.Marshal(obj)
				body = []byte(strings.Replace(string(body), `"spec":{`, `"spec":{"ephemeralContainers":[`+bogus+`],`, 1))
				return api.Do(ctx, http.MethodPut, api.ephemeralPath(name)+query, ctJSON, body)
			}
			By("Strict")
			st := api.expectRefused(ctx, name, func() framework.Reply { return put("?fieldValidation=Strict") }, http.StatusBadRequest, metav1.StatusReasonBadRequest)
			Expect(st.Message).To(ContainSubstring(`strict decoding error: unknown field "spec.ephemeralContainers[0].bogus"`))

			By("the default, Warn")
			res := put("")
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(res.Header.Values("Warning")).To(Equal([]string{`299 - "unknown field \"spec.ephemeralContainers[0].bogus\""`}))
			Expect(ephemeralNames(res.Pod().Spec.EphemeralContainers)).To(Equal([]string{"d"}))
		})

		It("shows but does not store a dryRun=All add", func(ctx context.Context) {
			name := api.createFixture(ctx, "e73").Name
			before := api.getPodJSON(ctx, name)
			res := api.Do(ctx, http.MethodPatch, api.ephemeralPath(name)+"?dryRun=All", ctSMP, smpBody(debugContainer("d")))
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(ephemeralNames(res.Pod().Spec.EphemeralContainers)).To(Equal([]string{"d"}))
			Expect(string(api.getPodJSON(ctx, name))).To(Equal(string(before)))
		})
	})

	Context("field ownership", func() {
		managedEntry := func(pod *corev1.Pod, manager string, op metav1.ManagedFieldsOperationType) *metav1.ManagedFieldsEntry {
			for i := range pod.ManagedFields {
				e := &pod.ManagedFields[i]
				if e.Manager == manager && e.Operation == op && e.Subresource == "ephemeralcontainers" {
					return e
				}
			}
			return nil
		}
		fieldsOf := func(e *metav1.ManagedFieldsEntry) map[string]interface{} {
			var f map[string]interface{}
			Expect(json.Unmarshal(e.FieldsV1.Raw, &f)).To(Succeed())
			return f
		}

		It("records an update through the subresource under its user agent, as subresource ephemeralcontainers", func(ctx context.Context) {
			name := api.createFixture(ctx, "mf").Name
			pod := api.addEphemeral(ctx, name, debugContainer("debugger1"))
			e := managedEntry(pod, "curl", metav1.ManagedFieldsOperationUpdate)
			Expect(e).NotTo(BeNil(), "managedFields: %+v", pod.ManagedFields)
			Expect(fieldsOf(e)).To(HaveKeyWithValue("f:spec", HaveKeyWithValue("f:ephemeralContainers", HaveKey(`k:{"name":"debugger1"}`))))
		})

		It("records an apply under its field manager, and requires one", func(ctx context.Context) {
			name := api.createFixture(ctx, "ssa").Name
			apply := []byte(fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  ephemeralContainers:\n  - name: debugger-ssa\n    image: busybox:1.36\n", name))

			By("without fieldManager")
			st := api.expectRefused(ctx, name, func() framework.Reply { return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name), ctApply, apply) },
				http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, causeRequired("fieldManager"))
			Expect(st.Message).To(Equal(`PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`))

			By("with fieldManager")
			res := api.Do(ctx, http.MethodPatch, api.ephemeralPath(name)+"?fieldManager=anchor-ssa", ctApply, apply)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			pod := res.Pod()
			Expect(ephemeralNames(pod.Spec.EphemeralContainers)).To(Equal([]string{"debugger-ssa"}))
			Expect(pod.Generation).To(Equal(int64(2)))
			e := managedEntry(pod, "anchor-ssa", metav1.ManagedFieldsOperationApply)
			Expect(e).NotTo(BeNil(), "managedFields: %+v", pod.ManagedFields)
			Expect(fieldsOf(e)).To(HaveKeyWithValue("f:spec", HaveKeyWithValue("f:ephemeralContainers", HaveKey(`k:{"name":"debugger-ssa"}`))))
		})

		It("conflicts on applying a regular container's field, and with force takes ownership without changing it", func(ctx context.Context) {
			name := api.createFixture(ctx, "conflict").Name
			apply := []byte(fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: ctr\n    image: busybox:1.37\n", name))

			By("without force: 409 naming the owner")
			st := api.expectRefused(ctx, name, func() framework.Reply {
				return api.Do(ctx, http.MethodPatch, api.ephemeralPath(name)+"?fieldManager=anchor-ssa2", ctApply, apply)
			}, http.StatusConflict, metav1.StatusReasonConflict, cause{metav1.CauseTypeFieldManagerConflict, `.spec.containers[name="ctr"].image`})
			Expect(st.Message).To(Equal(`Apply failed with 1 conflict: conflict with "curl" using v1: .spec.containers[name="ctr"].image`))

			By("with force: 200, the image unchanged, the field owned by the applier")
			res := api.Do(ctx, http.MethodPatch, api.ephemeralPath(name)+"?fieldManager=anchor-ssa2&force=true", ctApply, apply)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			pod := res.Pod()
			Expect(pod.Spec.Containers[0].Image).To(Equal("busybox:1.36"))
			Expect(pod.Generation).To(Equal(int64(1)))
			e := managedEntry(pod, "anchor-ssa2", metav1.ManagedFieldsOperationApply)
			Expect(e).NotTo(BeNil(), "managedFields: %+v", pod.ManagedFields)
			Expect(fieldsOf(e)).To(HaveKeyWithValue("f:spec", HaveKeyWithValue("f:containers", HaveKeyWithValue(`k:{"name":"ctr"}`, HaveKey("f:image")))))
			Expect(api.getPod(ctx, name).Spec.Containers[0].Image).To(Equal("busybox:1.36"))
		})
	})

	Context("pods/status", func() {
		statusPut := func(ctx context.Context, name string, statuses string) framework.Reply {
			obj := framework.Reply{Body: api.getPodJSON(ctx, name)}.Object()
			var list []interface{}
			Expect(json.Unmarshal([]byte(statuses), &list)).To(Succeed())
			obj["status"].(map[string]interface{})["ephemeralContainerStatuses"] = list
			body, _ := json.Marshal(obj)
			return api.Do(ctx, http.MethodPut, api.podPath(name, "status"), ctJSON, body)
		}

		It("records ephemeral container statuses and refuses bringing a terminated one back", func(ctx context.Context) {
			name := withOne(ctx, "e69")
			res := statusPut(ctx, name, `[{"name":"debugger1","image":"busybox:1.36","imageID":"","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0}}}]`)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			stored := api.getPod(ctx, name).Status.EphemeralContainerStatuses
			Expect(stored).To(HaveLen(1))
			Expect(stored[0].State.Terminated).NotTo(BeNil())

			api.expectInvalid(ctx, name, func() framework.Reply {
				return statusPut(ctx, name, `[{"name":"debugger1","image":"busybox:1.36","imageID":"","ready":false,"restartCount":0,"state":{"running":{}}}]`)
			}, causeForbidden("status.ephemeralContainerStatuses[0].state"))
		})

		It("does not cross-check status names with the spec", func(ctx context.Context) {
			name := api.createFixture(ctx, "e70").Name
			res := statusPut(ctx, name, `[{"name":"ghost","image":"busybox","imageID":"","ready":false,"restartCount":0,"state":{"running":{}}}]`)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(api.getPod(ctx, name).Status.EphemeralContainerStatuses[0].Name).To(Equal("ghost"))
		})

		It("adds ephemeral containers to a finished pod", func(ctx context.Context) {
			name := api.createFixture(ctx, "e71").Name
			obj := framework.Reply{Body: api.getPodJSON(ctx, name)}.Object()
			obj["status"].(map[string]interface{})["phase"] = "Succeeded"
			body, _ := json.Marshal(obj)
			Expect(api.Do(ctx, http.MethodPut, api.podPath(name, "status"), ctJSON, body).Code).To(Equal(http.StatusOK))
			pod := api.addEphemeral(ctx, name, debugContainer("d"))
			Expect(pod.Status.Phase).To(Equal(corev1.PodSucceeded))
			Expect(ephemeralNames(pod.Spec.EphemeralContainers)).To(Equal([]string{"d"}))
		})
	})

	Context("discovery", func() {
		It("lists the subresource in /api/v1 as upstream does", func(ctx context.Context) {
			res := api.Do(ctx, http.MethodGet, "/api/v1", "", nil)
			Expect(res.Code).To(Equal(http.StatusOK))
			var list struct {
				Resources []json.RawMessage `json:"resources"`
			}
			Expect(json.Unmarshal(res.Body, &list)).To(Succeed())
			var entry json.RawMessage
			for _, r := range list.Resources {
				var named struct {
					Name string `json:"name"`
				}
				Expect(json.Unmarshal(r, &named)).To(Succeed())
				if named.Name == "pods/ephemeralcontainers" {
					entry = r
				}
			}
			Expect(entry).NotTo(BeNil(), "no pods/ephemeralcontainers in %s", res.Body)
			Expect(string(entry)).To(MatchJSON(`{"name":"pods/ephemeralcontainers","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","patch","update"]}`))
			if dir := referenceDir(); dir != "" {
				upstream, err := os.ReadFile(filepath.Join(dir, "g03-api-v1-pods-ephemeralcontainers-entry.json"))
				Expect(err).NotTo(HaveOccurred())
				Expect(string(entry)).To(MatchJSON(upstream))
			}
		})

		It("describes the path's operations in OpenAPI v3 as upstream does (g08)", func(ctx context.Context) {
			res := api.Do(ctx, http.MethodGet, "/openapi/v3/api/v1", "", nil)
			Expect(res.Code).To(Equal(http.StatusOK))
			var doc struct {
				Paths map[string]map[string]json.RawMessage `json:"paths"`
			}
			Expect(json.Unmarshal(res.Body, &doc)).To(Succeed())
			var ephemeralPaths []string
			for p := range doc.Paths {
				if strings.Contains(p, "ephemeral") {
					ephemeralPaths = append(ephemeralPaths, p)
				}
			}
			const path = "/api/v1/namespaces/{namespace}/pods/{name}/ephemeralcontainers"
			Expect(ephemeralPaths).To(Equal([]string{path}))
			Expect(summariseOperations(doc.Paths[path])).To(Equal(map[string]string{
				"get":   "readCoreV1NamespacedPodEphemeralcontainers get Pod; body []; params []",
				"put":   "replaceCoreV1NamespacedPodEphemeralcontainers put Pod; body [*/*]; params [dryRun fieldManager fieldValidation]",
				"patch": "patchCoreV1NamespacedPodEphemeralcontainers patch Pod; body [application/apply-patch+yaml application/json-patch+json application/merge-patch+json application/strategic-merge-patch+json]; params [dryRun fieldManager fieldValidation force]",
			}))
			if dir := referenceDir(); dir != "" {
				data, err := os.ReadFile(filepath.Join(dir, "g08-openapi-v3-ephemeralcontainers-pathitem.json"))
				Expect(err).NotTo(HaveOccurred())
				var upstream map[string]json.RawMessage
				Expect(json.Unmarshal(data, &upstream)).To(Succeed())
				Expect(summariseOperations(doc.Paths[path])).To(Equal(summariseOperations(upstream)))
			}
		})
	})
})

// summariseOperations reduces an OpenAPI v3 path item to what a client
// relies on: per operation its id, action, kind, body media types and
// query parameters.
func summariseOperations(item map[string]json.RawMessage) map[string]string {
	GinkgoHelper()
	out := map[string]string{}
	for method, raw := range item {
		if method == "parameters" {
			continue
		}
		var op struct {
			OperationID string `json:"operationId"`
			Action      string `json:"x-kubernetes-action"`
			GVK         struct {
				Kind string `json:"kind"`
			} `json:"x-kubernetes-group-version-kind"`
			RequestBody struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"requestBody"`
			Parameters []struct {
				Name string `json:"name"`
			} `json:"parameters"`
		}
		Expect(json.Unmarshal(raw, &op)).To(Succeed())
		var media, params []string
		for m := range op.RequestBody.Content {
			media = append(media, m)
		}
		for _, p := range op.Parameters {
			params = append(params, p.Name)
		}
		sortStrings(media)
		sortStrings(params)
		out[method] = fmt.Sprintf("%s %s %s; body %v; params %v", op.OperationID, op.Action, op.GVK.Kind, media, params)
	}
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

var _ = Describe("The EphemeralContainers feature gate", Label("ephemeral", "featuregate"), Ordered, ContinueOnFailure, func() {
	var (
		on, off, onAgain *rawAPI
		prefix           string
		inUse            string // has an ephemeral container added while the gate was on
		inUseEC          corev1.EphemeralContainer
	)
	BeforeAll(func(ctx context.Context) {
		first := startServer(framework.ServerConfig{FeatureGates: map[string]bool{"EphemeralContainers": true}})
		prefix = first.EtcdPrefix
		on = newRawAPI(first)
		inUse = on.createFixture(ctx, "in-use").Name
		inUseEC = on.addEphemeral(ctx, inUse, debugContainer("d1")).Spec.EphemeralContainers[0]
		off = newRawAPI(startServer(framework.ServerConfig{EtcdPrefix: prefix, FeatureGates: map[string]bool{"EphemeralContainers": false}}))
	})

	Context("off", func() {
		DescribeTable("serves no subresource: the unknown-path 404 without a name (G01)",
			func(ctx context.Context, method, contentType string, body []byte) {
				name := off.createFixture(ctx, "g01").Name
				res := off.expectRefused(ctx, name, func() framework.Reply { return off.Do(ctx, method, off.ephemeralPath(name), contentType, body) },
					http.StatusNotFound, metav1.StatusReasonNotFound)
				Expect(res.Message).To(Equal("the server could not find the requested resource"))
				Expect(res.Details).To(Equal(&metav1.StatusDetails{}))
			},
			Entry("GET", http.MethodGet, "", nil),
			Entry("PUT", http.MethodPut, ctJSON, []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}`)),
			Entry("PATCH", http.MethodPatch, ctSMP, smpBody(debugContainer("d"))),
		)

		It("lists no subresource in discovery (G02)", func(ctx context.Context) {
			res := off.Do(ctx, http.MethodGet, "/api/v1", "", nil)
			Expect(res.Code).To(Equal(http.StatusOK))
			var list metav1.APIResourceList
			Expect(json.Unmarshal(res.Body, &list)).To(Succeed())
			var names []string
			for _, r := range list.APIResources {
				names = append(names, r.Name)
			}
			Expect(names).To(ContainElements("pods", "pods/status"))
			Expect(names).NotTo(ContainElement("pods/ephemeralcontainers"))
		})

		It("silently drops ephemeral containers from a new pod (G03)", func(ctx context.Context) {
			name := uniqueName("g03")
			body := strings.Replace(fixturePodJSON(name), `"volumes":`, `"ephemeralContainers":[`+debugContainer("d")+`],"volumes":`, 1)
			created := off.createPod(ctx, body)
			Expect(created.Spec.EphemeralContainers).To(BeEmpty())
			Expect(off.getPod(ctx, name).Spec.EphemeralContainers).To(BeEmpty())
		})

		It("keeps the ephemeral containers a pod already has through an update (G04)", func(ctx context.Context) {
			pod := off.getPod(ctx, inUse)
			pod.Labels["changed"] = "yes"
			body, _ := json.Marshal(pod)
			res := off.Do(ctx, http.MethodPut, off.podPath(inUse), ctJSON, body)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			after := off.getPod(ctx, inUse)
			Expect(after.Labels).To(HaveKeyWithValue("changed", "yes"))
			Expect(after.Spec.EphemeralContainers).To(Equal([]corev1.EphemeralContainer{inUseEC}))
		})

		It("silently drops ephemeral containers added by a pod update (G05)", func(ctx context.Context) {
			name := off.createFixture(ctx, "g05").Name
			before := off.getPod(ctx, name)
			pod := before.DeepCopy()
			pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "d", Image: "busybox:1.36", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile}}}
			body, _ := json.Marshal(pod)
			res := off.Do(ctx, http.MethodPut, off.podPath(name), ctJSON, body)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			after := off.getPod(ctx, name)
			Expect(after.Spec).To(Equal(before.Spec))
			Expect(after.Generation).To(Equal(int64(1)))
		})
	})

	Context("on again, on the same etcd prefix", func() {
		BeforeAll(func() {
			onAgain = newRawAPI(startServer(framework.ServerConfig{EtcdPrefix: prefix, FeatureGates: map[string]bool{"EphemeralContainers": true}}))
		})

		It("works again and has lost nothing (G06)", func(ctx context.Context) {
			pod := onAgain.getPod(ctx, inUse)
			Expect(pod.Labels).To(HaveKeyWithValue("changed", "yes"))
			Expect(pod.Spec.EphemeralContainers).To(Equal([]corev1.EphemeralContainer{inUseEC}))

			added := onAgain.addEphemeral(ctx, inUse, debugContainer("d2"))
			Expect(ephemeralNames(added.Spec.EphemeralContainers)).To(Equal([]string{"d2", "d1"}))
			Expect(added.Spec.EphemeralContainers[1]).To(Equal(inUseEC))
		})

		It("serves the subresource for pods created while the gate was off", func(ctx context.Context) {
			name := off.createFixture(ctx, "made-off").Name
			res := onAgain.Do(ctx, http.MethodGet, onAgain.ephemeralPath(name), "", nil)
			Expect(res.Code).To(Equal(http.StatusOK), "%s", res.Body)
			Expect(res.Pod().Name).To(Equal(name))
			Expect(ephemeralNames(onAgain.addEphemeral(ctx, name, debugContainer("d")).Spec.EphemeralContainers)).To(Equal([]string{"d"}))
		})
	})
})
