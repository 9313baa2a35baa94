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
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/ptr"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

const (
	podsRFC1123Label     = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
	podsRFC1123Subdomain = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
	podsUpdatableFields  = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)

var _ = Describe("Pod validation", Label("pods"), Ordered, ContinueOnFailure, func() {
	var client typedcorev1.PodInterface

	BeforeAll(func() {
		// The gate is on so that ephemeral containers reach validation
		// instead of being dropped.
		s := startServer(framework.ServerConfig{FeatureGates: map[string]bool{"EphemeralContainers": true}})
		ns := uniqueName("pods")
		createNamespace(context.Background(), s.Client, ns)
		client = s.Client.CoreV1().Pods(ns)
	})

	// expectInvalid checks a 422 Invalid of the pod called name: its details,
	// its causes' type and field in order, and the message built from them.
	expectInvalid := func(err error, name string, causes []cause, messages []string) {
		GinkgoHelper()
		st := statusOf(err)
		expectPodInvalid(st, name, causes...)
		Expect(st.Details.Group).To(BeEmpty())
		joined := strings.Join(messages, ", ")
		if len(messages) > 1 {
			joined = "[" + joined + "]"
		}
		Expect(st.Message).To(Equal(fmt.Sprintf("Pod %q is invalid: %s", name, joined)))
	}

	Context("on create", func() {
		DescribeTable("refuses an invalid pod with 422 Invalid and upstream's field paths, storing nothing",
			func(ctx context.Context, name string, mutate func(*corev1.Pod), causes []cause, messages []string) {
				if name == "" {
					name = uniqueName("invalid")
				}
				_, err := client.Create(ctx, newPod(name, mutate), metav1.CreateOptions{})
				expectInvalid(err, name, causes, messages)
				_, err = client.Get(ctx, name, metav1.GetOptions{})
				if err != nil { // a bad name may not even be fetchable
					Expect(statusOf(err).Code).To(BeElementOf(int32(http.StatusNotFound), int32(http.StatusBadRequest)))
				} else {
					Fail("the invalid pod was stored")
				}
			},
			Entry("no containers", "", func(p *corev1.Pod) { p.Spec.Containers = nil },
				[]cause{{metav1.CauseTypeFieldValueRequired, "spec.containers"}},
				[]string{"spec.containers: Required value"}),
			Entry("a container name that is not a DNS label", "", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "Bad_Name" },
				[]cause{{metav1.CauseTypeFieldValueInvalid, "spec.containers[0].name"}},
				[]string{`spec.containers[0].name: Invalid value: "Bad_Name": ` + podsRFC1123Label}),
			Entry("an empty container name", "", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "" },
				[]cause{{metav1.CauseTypeFieldValueRequired, "spec.containers[0].name"}},
				[]string{"spec.containers[0].name: Required value"}),
			Entry("two containers of the same name", "", func(p *corev1.Pod) {
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "c", Image: "nginx"})
			},
				[]cause{{metav1.CauseTypeFieldValueDuplicate, "spec.containers[1].name"}},
				[]string{`spec.containers[1].name: Duplicate value: "c"`}),
			Entry("an init container named like a container", "", func(p *corev1.Pod) {
				p.Spec.InitContainers = []corev1.Container{{Name: "c", Image: "busybox"}}
			},
				[]cause{{metav1.CauseTypeFieldValueDuplicate, "spec.initContainers[0].name"}},
				[]string{`spec.initContainers[0].name: Duplicate value: "c"`}),
			Entry("no image", "", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" },
				[]cause{{metav1.CauseTypeFieldValueRequired, "spec.containers[0].image"}},
				[]string{"spec.containers[0].image: Required value"}),
			Entry("an unknown restartPolicy", "", func(p *corev1.Pod) { p.Spec.RestartPolicy = "Sometimes" },
				[]cause{{metav1.CauseTypeFieldValueNotSupported, "spec.restartPolicy"}},
				[]string{`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`}),
			Entry("an unknown imagePullPolicy", "", func(p *corev1.Pod) { p.Spec.Containers[0].ImagePullPolicy = "Sometimes" },
				[]cause{{metav1.CauseTypeFieldValueNotSupported, "spec.containers[0].imagePullPolicy"}},
				[]string{`spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"`}),
			Entry("a pod name that is not a DNS subdomain", "Bad_Name", nil,
				[]cause{{metav1.CauseTypeFieldValueInvalid, "metadata.name"}},
				[]string{`metadata.name: Invalid value: "Bad_Name": ` + podsRFC1123Subdomain}),
			Entry("ephemeral containers", "", func(p *corev1.Pod) {
				p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debugger", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
				}}}
			},
				[]cause{{metav1.CauseTypeForbidden, "spec.ephemeralContainers"}},
				[]string{"spec.ephemeralContainers: Forbidden: cannot be set on create"}),
			Entry("several errors at once, in upstream's order", "", func(p *corev1.Pod) {
				p.Spec.Containers[0].Name = "Bad_Name"
				p.Spec.Containers[0].Image = ""
				p.Spec.RestartPolicy = "Sometimes"
			},
				[]cause{
					{metav1.CauseTypeFieldValueInvalid, "spec.containers[0].name"},
					{metav1.CauseTypeFieldValueRequired, "spec.containers[0].image"},
					{metav1.CauseTypeFieldValueNotSupported, "spec.restartPolicy"},
				},
				[]string{
					`spec.containers[0].name: Invalid value: "Bad_Name": ` + podsRFC1123Label,
					"spec.containers[0].image: Required value",
					`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`,
				}),
		)
	})

	Context("on update", func() {
		// base has what the update entries change: a deadline and a toleration.
		base := func(ctx context.Context) *corev1.Pod {
			GinkgoHelper()
			created, err := client.Create(ctx, newPod(uniqueName("upd"), func(p *corev1.Pod) {
				p.Spec.ActiveDeadlineSeconds = ptr.To[int64](60)
				p.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
			}), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			return created
		}

		DescribeTable("refuses changes to immutable spec fields with 422 Invalid, leaving the pod as it was",
			func(ctx context.Context, mutate func(*corev1.Pod), causes []cause, messagePrefix string) {
				created := base(ctx)
				changed := created.DeepCopy()
				mutate(changed)
				_, err := client.Update(ctx, changed, metav1.UpdateOptions{})

				st := statusOf(err)
				Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)))
				Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
				Expect(st.Details.Kind).To(Equal("Pod"))
				Expect(st.Details.Name).To(Equal(created.Name))
				Expect(causesOf(st)).To(Equal(causes))
				Expect(st.Message).To(HavePrefix(fmt.Sprintf("Pod %q is invalid: %s", created.Name, messagePrefix)))

				stored, err := client.Get(ctx, created.Name, metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(stored.ResourceVersion).To(Equal(created.ResourceVersion))
				Expect(stored.Spec).To(Equal(created.Spec))
			},
			Entry("restartPolicy", func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyNever },
				[]cause{{metav1.CauseTypeForbidden, "spec"}}, "spec: Forbidden: "+podsUpdatableFields+"\n"),
			Entry("a container's name", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "renamed" },
				[]cause{{metav1.CauseTypeForbidden, "spec"}}, "spec: Forbidden: "+podsUpdatableFields+"\n"),
			Entry("a container's command", func(p *corev1.Pod) { p.Spec.Containers[0].Command = []string{"sleep", "1"} },
				[]cause{{metav1.CauseTypeForbidden, "spec"}}, "spec: Forbidden: "+podsUpdatableFields+"\n"),
			Entry("nodeName (binding is not an update)", func(p *corev1.Pod) { p.Spec.NodeName = "node-1" },
				[]cause{{metav1.CauseTypeForbidden, "spec"}}, "spec: Forbidden: "+podsUpdatableFields+"\n"),
			Entry("an added container", func(p *corev1.Pod) {
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "d", Image: "nginx", ImagePullPolicy: corev1.PullAlways,
					TerminationMessagePath: corev1.TerminationMessagePathDefault, TerminationMessagePolicy: corev1.TerminationMessageReadFile})
			},
				[]cause{{metav1.CauseTypeForbidden, "spec.containers"}}, "spec.containers: Forbidden: pod updates may not add or remove containers"),
			Entry("a removed toleration", func(p *corev1.Pod) { p.Spec.Tolerations = nil },
				[]cause{{metav1.CauseTypeForbidden, "spec.tolerations"}}, "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"),
			Entry("a raised activeDeadlineSeconds", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](120) },
				[]cause{{metav1.CauseTypeFieldValueInvalid, "spec.activeDeadlineSeconds"}}, "spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value"),
			Entry("a removed activeDeadlineSeconds", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = nil },
				[]cause{{metav1.CauseTypeFieldValueInvalid, "spec.activeDeadlineSeconds"}}, "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"),
			// As upstream, the image is checked both as an update and as a pod:
			// two identical causes, one line in the (deduplicated) message.
			Entry("an emptied image", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" },
				[]cause{{metav1.CauseTypeFieldValueRequired, "spec.containers[0].image"}, {metav1.CauseTypeFieldValueRequired, "spec.containers[0].image"}},
				"spec.containers[0].image: Required value"),
			// Labels are checked by the generic registry and by pod validation,
			// each as object metadata and as an update of it.
			Entry("an invalid label", func(p *corev1.Pod) { p.Labels = map[string]string{"app": "not valid"} },
				[]cause{
					{metav1.CauseTypeFieldValueInvalid, "metadata.labels"}, {metav1.CauseTypeFieldValueInvalid, "metadata.labels"},
					{metav1.CauseTypeFieldValueInvalid, "metadata.labels"}, {metav1.CauseTypeFieldValueInvalid, "metadata.labels"},
				},
				`metadata.labels: Invalid value: "not valid": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`),
		)

		DescribeTable("accepts changes to the mutable fields",
			func(ctx context.Context, mutate func(*corev1.Pod), check func(*corev1.Pod)) {
				created := base(ctx)
				changed := created.DeepCopy()
				mutate(changed)
				updated, err := client.Update(ctx, changed, metav1.UpdateOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(updated.ResourceVersion).NotTo(Equal(created.ResourceVersion))
				check(updated)
				stored, err := client.Get(ctx, created.Name, metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(stored.ResourceVersion).To(Equal(updated.ResourceVersion))
				check(stored)
			},
			Entry("a container's image", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "busybox:1.36" },
				func(p *corev1.Pod) { Expect(p.Spec.Containers[0].Image).To(Equal("busybox:1.36")) }),
			Entry("a lowered activeDeadlineSeconds", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](30) },
				func(p *corev1.Pod) { Expect(p.Spec.ActiveDeadlineSeconds).To(Equal(ptr.To[int64](30))) }),
			Entry("an added toleration", func(p *corev1.Pod) {
				p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpEqual, Value: "yes", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](10)})
			}, func(p *corev1.Pod) {
				Expect(p.Spec.Tolerations).To(HaveLen(2))
				Expect(p.Spec.Tolerations[1].Key).To(Equal("gpu"))
			}),
			Entry("labels and annotations", func(p *corev1.Pod) {
				p.Labels = map[string]string{"app": "web"}
				p.Annotations = map[string]string{"note": "hello"}
			}, func(p *corev1.Pod) {
				Expect(p.Labels).To(Equal(map[string]string{"app": "web"}))
				Expect(p.Annotations).To(Equal(map[string]string{"note": "hello"}))
			}),
		)

		It("refuses a body with another uid with 409 Conflict: the uid is a precondition", func(ctx context.Context) {
			created := base(ctx)
			changed := created.DeepCopy()
			changed.UID = "00000000-0000-0000-0000-000000000000"
			changed.Labels = map[string]string{"changed": "yes"}
			_, err := client.Update(ctx, changed, metav1.UpdateOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusConflict)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonConflict))
			// Upstream's wording, storage error and etcd key included.
			Expect(st.Message).To(MatchRegexp(`^Operation cannot be fulfilled on pods %q: StorageError: invalid object, Code: 4, Key: /[^ ]+/pods/%s/%s, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: %s$`,
				created.Name, created.Namespace, created.Name, created.UID))
			stored, err := client.Get(ctx, created.Name, metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.ResourceVersion).To(Equal(created.ResourceVersion))
		})

		It("sets activeDeadlineSeconds on a pod that had none", func(ctx context.Context) {
			created, err := client.Create(ctx, newPod(uniqueName("deadline")), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			created.Spec.ActiveDeadlineSeconds = ptr.To[int64](300)
			updated, err := client.Update(ctx, created, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Spec.ActiveDeadlineSeconds).To(Equal(ptr.To[int64](300)))
			Expect(updated.Generation).To(Equal(int64(2)))
		})

		It("validates patches the same way as updates", func(ctx context.Context) {
			created := base(ctx)
			_, err := client.Patch(ctx, created.Name, "application/merge-patch+json", []byte(`{"spec":{"restartPolicy":"Never"}}`), metav1.PatchOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)))
			Expect(causesOf(st)).To(Equal([]cause{{metav1.CauseTypeForbidden, "spec"}}))
			stored, err := client.Get(ctx, created.Name, metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.ResourceVersion).To(Equal(created.ResourceVersion))
		})
	})
})
