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
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

var _ = Describe("The pods API", Label("pods"), Ordered, ContinueOnFailure, func() {
	var (
		s   *framework.TestServer
		raw *framework.RawClient
	)

	BeforeAll(func() {
		s = startServer(framework.ServerConfig{})
		raw = s.Raw()
	})

	// pods is the typed client of a fresh namespace.
	pods := func() (typedcorev1.PodInterface, string) {
		ns := uniqueName("pods")
		createNamespace(context.Background(), s.Client, ns)
		return s.Client.CoreV1().Pods(ns), ns
	}

	Context("creating a pod", func() {
		It("stores upstream's defaults and answers 201 with the stored object", func(ctx context.Context) {
			ns := uniqueName("pods")
			createNamespace(ctx, s.Client, ns)
			// The seed request of test/testdata/reference/01-create-example-pod.
			body := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"example-pod","namespace":"` + ns + `"},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}`
			reply := raw.Do(ctx, http.MethodPost, "/api/v1/namespaces/"+ns+"/pods?fieldManager=curl", "application/json", []byte(body))
			Expect(reply.Code).To(Equal(http.StatusCreated), "%s", reply.Body)

			var got map[string]interface{}
			Expect(json.Unmarshal(reply.Body, &got)).To(Succeed())
			By("defaulting the spec as upstream does, minus what upstream's admission plugins add")
			Expect(json.Marshal(got["spec"])).To(MatchJSON(`{
				"containers": [{
					"name": "nginx",
					"image": "nginx",
					"resources": {},
					"terminationMessagePath": "/dev/termination-log",
					"terminationMessagePolicy": "File",
					"imagePullPolicy": "Always"
				}],
				"restartPolicy": "Always",
				"terminationGracePeriodSeconds": 30,
				"dnsPolicy": "ClusterFirst",
				"securityContext": {},
				"schedulerName": "default-scheduler",
				"enableServiceLinks": true
			}`))
			By("starting the pod Pending with its QoS class")
			Expect(json.Marshal(got["status"])).To(MatchJSON(`{"phase": "Pending", "qosClass": "BestEffort"}`))

			By("filling in the metadata the server owns")
			pod := reply.Pod()
			Expect(pod.APIVersion).To(Equal("v1"))
			Expect(pod.Namespace).To(Equal(ns))
			Expect(pod.UID).NotTo(BeEmpty())
			Expect(pod.ResourceVersion).NotTo(BeEmpty())
			Expect(pod.Generation).To(Equal(int64(1)))
			Expect(pod.CreationTimestamp.IsZero()).To(BeFalse())
			By("recording the same managed fields as upstream for the field manager")
			Expect(pod.ManagedFields).To(HaveLen(1))
			Expect(pod.ManagedFields[0].Manager).To(Equal("curl"))
			Expect(pod.ManagedFields[0].Operation).To(Equal(metav1.ManagedFieldsOperationUpdate))
			Expect(pod.ManagedFields[0].APIVersion).To(Equal("v1"))
			Expect(pod.ManagedFields[0].FieldsV1.Raw).To(MatchJSON(`{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}`))
			Expect(reply.Header.Get("Content-Type")).To(Equal("application/json"))

			By("returning the same object on GET")
			read, err := s.Client.CoreV1().Pods(ns).Get(ctx, "example-pod", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(read.ResourceVersion).To(Equal(pod.ResourceVersion))
			Expect(read.UID).To(Equal(pod.UID))
			Expect(read.Spec).To(Equal(pod.Spec))
		})

		DescribeTable("defaults imagePullPolicy from the image tag",
			func(ctx context.Context, image string, policy corev1.PullPolicy, want corev1.PullPolicy) {
				client, _ := pods()
				created, err := client.Create(ctx, newPod("pull", func(p *corev1.Pod) {
					p.Spec.Containers[0].Image = image
					p.Spec.Containers[0].ImagePullPolicy = policy
				}), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(created.Spec.Containers[0].ImagePullPolicy).To(Equal(want))
			},
			Entry("no tag: Always", "nginx", corev1.PullPolicy(""), corev1.PullAlways),
			Entry(":latest: Always", "nginx:latest", corev1.PullPolicy(""), corev1.PullAlways),
			Entry("a tag: IfNotPresent", "nginx:1.27", corev1.PullPolicy(""), corev1.PullIfNotPresent),
			Entry("a registry port and a tag: IfNotPresent", "registry.local:5000/nginx:1.27", corev1.PullPolicy(""), corev1.PullIfNotPresent),
			Entry("a registry port without tag: Always", "registry.local:5000/nginx", corev1.PullPolicy(""), corev1.PullAlways),
			Entry("a digest: IfNotPresent", "nginx@sha256:"+strings.Repeat("a", 64), corev1.PullPolicy(""), corev1.PullIfNotPresent),
			Entry("an explicit policy is kept", "nginx", corev1.PullNever, corev1.PullNever),
		)

		DescribeTable("computes status.qosClass from the resources",
			func(ctx context.Context, res corev1.ResourceRequirements, want corev1.PodQOSClass) {
				client, _ := pods()
				created, err := client.Create(ctx, newPod("qos", func(p *corev1.Pod) {
					p.Spec.Containers[0].Resources = res
				}), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(created.Status.QOSClass).To(Equal(want))
			},
			Entry("nothing: BestEffort", corev1.ResourceRequirements{}, corev1.PodQOSBestEffort),
			Entry("requests only: Burstable", corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
			}, corev1.PodQOSBurstable),
			Entry("limits only (requests default to them): Guaranteed", corev1.ResourceRequirements{
				Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
			}, corev1.PodQOSGuaranteed),
		)

		It("copies limits to missing requests", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("limits", func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}
			}), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(created.Spec.Containers[0].Resources.Requests).To(HaveKeyWithValue(corev1.ResourceMemory, resource.MustParse("64Mi")))
		})

		It("generates a name from generateName", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("", func(p *corev1.Pod) { p.GenerateName = "web-" }), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(created.Name).To(MatchRegexp(`^web-[a-z0-9]{5}$`))
		})

		It("refuses a second pod of the same name with 409 AlreadyExists", func(ctx context.Context) {
			client, _ := pods()
			first, err := client.Create(ctx, newPod("twice"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			_, err = client.Create(ctx, newPod("twice", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx" }), metav1.CreateOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusConflict)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonAlreadyExists))
			Expect(st.Message).To(Equal(`pods "twice" already exists`))
			Expect(st.Details.Name).To(Equal("twice"))
			Expect(st.Details.Kind).To(Equal("pods"))

			stored, err := client.Get(ctx, "twice", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.ResourceVersion).To(Equal(first.ResourceVersion))
			Expect(stored.Spec.Containers[0].Image).To(Equal("busybox"))
		})

		It("answers 404 NotFound for a pod that does not exist", func(ctx context.Context) {
			client, _ := pods()
			_, err := client.Get(ctx, "does-not-exist", metav1.GetOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusNotFound)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonNotFound))
			Expect(st.Message).To(Equal(`pods "does-not-exist" not found`))
			Expect(st.Details.Name).To(Equal("does-not-exist"))
			Expect(st.Details.Kind).To(Equal("pods"))
		})
	})

	Context("listing and watching", func() {
		It("lists the pods of one namespace only", func(ctx context.Context) {
			client, ns := pods()
			other := s.Client.CoreV1().Pods(ns + "-other")
			createNamespace(ctx, s.Client, ns+"-other")
			for _, name := range []string{"b", "a", "c"} {
				_, err := client.Create(ctx, newPod(name), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
			}
			_, err := other.Create(ctx, newPod("elsewhere"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			list, err := client.List(ctx, metav1.ListOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(objectNames(list.Items)).To(Equal([]string{"a", "b", "c"}), "sorted by key, as etcd returns them")
			Expect(list.ResourceVersion).NotTo(BeEmpty())
			for _, p := range list.Items {
				Expect(p.Namespace).To(Equal(ns))
			}

			all, err := s.Client.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
			Expect(err).NotTo(HaveOccurred())
			inBoth := []string{}
			for _, p := range all.Items {
				if p.Namespace == ns || p.Namespace == ns+"-other" {
					inBoth = append(inBoth, p.Namespace+"/"+p.Name)
				}
			}
			Expect(inBoth).To(ConsistOf(ns+"/a", ns+"/b", ns+"/c", ns+"-other/elsewhere"), "listing across namespaces")
		})

		It("streams ADDED, MODIFIED and DELETED in the order of the writes", func(ctx context.Context) {
			// As upstream, deleting even an unscheduled pod first records the
			// deletionTimestamp (MODIFIED), then removes it (DELETED).
			client, _ := pods()
			list, err := client.List(ctx, metav1.ListOptions{})
			Expect(err).NotTo(HaveOccurred())
			w, err := client.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(w.Stop)

			created, err := client.Create(ctx, newPod("watched"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			created.Labels = map[string]string{"step": "two"}
			updated, err := client.Update(ctx, created, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(client.Delete(ctx, "watched", metav1.DeleteOptions{})).To(Succeed())

			next := func() (watch.EventType, *corev1.Pod) {
				GinkgoHelper()
				var ev watch.Event
				Eventually(w.ResultChan()).WithTimeout(10 * time.Second).Should(Receive(&ev))
				pod, ok := ev.Object.(*corev1.Pod)
				Expect(ok).To(BeTrue(), "event object is %T", ev.Object)
				return ev.Type, pod
			}
			typ, pod := next()
			Expect(typ).To(Equal(watch.Added))
			Expect(pod.ResourceVersion).To(Equal(created.ResourceVersion))
			typ, pod = next()
			Expect(typ).To(Equal(watch.Modified))
			Expect(pod.ResourceVersion).To(Equal(updated.ResourceVersion))
			Expect(pod.Labels).To(Equal(map[string]string{"step": "two"}))
			typ, pod = next()
			Expect(typ).To(Equal(watch.Modified))
			Expect(pod.DeletionTimestamp).NotTo(BeNil())
			Expect(pod.DeletionGracePeriodSeconds).To(Equal(ptr.To[int64](0)))
			typ, pod = next()
			Expect(typ).To(Equal(watch.Deleted))
			Expect(pod.Name).To(Equal("watched"))
			Expect(pod.DeletionTimestamp).NotTo(BeNil())
			Consistently(w.ResultChan()).WithTimeout(300 * time.Millisecond).ShouldNot(Receive())
		})

		It("filters watch events with a label selector", func(ctx context.Context) {
			client, _ := pods()
			w, err := client.Watch(ctx, metav1.ListOptions{LabelSelector: "app=web"})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(w.Stop)
			_, err = client.Create(ctx, newPod("db", func(p *corev1.Pod) { p.Labels = map[string]string{"app": "db"} }), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			_, err = client.Create(ctx, newPod("web", func(p *corev1.Pod) { p.Labels = map[string]string{"app": "web"} }), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			var ev watch.Event
			Eventually(w.ResultChan()).WithTimeout(10 * time.Second).Should(Receive(&ev))
			Expect(ev.Type).To(Equal(watch.Added))
			Expect(ev.Object.(*corev1.Pod).Name).To(Equal("web"))
		})

		It("sends a BOOKMARK with a newer resourceVersion to a watch that allows them", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("marked"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			// The watch cache sends a bookmark 2s before the watch times out,
			// if the cache has moved past what the watch has seen.
			w, err := client.Watch(ctx, metav1.ListOptions{
				ResourceVersion:     created.ResourceVersion,
				AllowWatchBookmarks: true,
				TimeoutSeconds:      ptr.To[int64](4),
			})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(w.Stop)
			elsewhereNs := uniqueName("pods")
			createNamespace(ctx, s.Client, elsewhereNs)
			elsewhere, err := s.Client.CoreV1().Pods(elsewhereNs).Create(ctx, newPod("unwatched"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			var ev watch.Event
			Eventually(w.ResultChan()).WithTimeout(10 * time.Second).Should(Receive(&ev))
			Expect(ev.Type).To(Equal(watch.Bookmark), "no event of another namespace, only the bookmark")
			mark, ok := ev.Object.(*corev1.Pod)
			Expect(ok).To(BeTrue(), "bookmark object is %T", ev.Object)
			Expect(mark.Name).To(BeEmpty(), "a bookmark carries only a resourceVersion")
			Expect(mark.ResourceVersion).To(Equal(elsewhere.ResourceVersion))
		})
	})

	Context("updating and patching", func() {
		It("updates labels and image, bumping generation only for spec changes", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("upd"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			created.Labels = map[string]string{"tier": "web"}
			relabelled, err := client.Update(ctx, created, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(relabelled.Labels).To(Equal(map[string]string{"tier": "web"}))
			Expect(relabelled.ResourceVersion).NotTo(Equal(created.ResourceVersion))
			Expect(relabelled.Generation).To(Equal(int64(1)))

			relabelled.Spec.Containers[0].Image = "busybox:1.36"
			reimaged, err := client.Update(ctx, relabelled, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(reimaged.Spec.Containers[0].Image).To(Equal("busybox:1.36"))
			Expect(reimaged.Generation).To(Equal(int64(2)))
		})

		It("refuses an update with a stale resourceVersion with 409 Conflict", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("stale"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			fresh := created.DeepCopy()
			fresh.Labels = map[string]string{"v": "1"}
			current, err := client.Update(ctx, fresh, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())

			created.Labels = map[string]string{"v": "stale"}
			_, err = client.Update(ctx, created, metav1.UpdateOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusConflict)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonConflict))
			Expect(st.Message).To(Equal(`Operation cannot be fulfilled on pods "stale": the object has been modified; please apply your changes to the latest version and try again`))
			Expect(st.Details.Name).To(Equal("stale"))
			Expect(st.Details.Kind).To(Equal("pods"))

			stored, err := client.Get(ctx, "stale", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.ResourceVersion).To(Equal(current.ResourceVersion))
			Expect(stored.Labels).To(Equal(map[string]string{"v": "1"}))
		})

		It("updates unconditionally when the body has no resourceVersion", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("uncond"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			created.ResourceVersion = ""
			created.Labels = map[string]string{"forced": "yes"}
			updated, err := client.Update(ctx, created, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Labels).To(Equal(map[string]string{"forced": "yes"}))
		})

		It("answers 404 to an update of a pod that does not exist (no create on update)", func(ctx context.Context) {
			client, _ := pods()
			_, err := client.Update(ctx, newPod("ghost"), metav1.UpdateOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusNotFound)))
			Expect(st.Message).To(Equal(`pods "ghost" not found`))
			_, err = client.Get(ctx, "ghost", metav1.GetOptions{})
			Expect(statusOf(err).Reason).To(Equal(metav1.StatusReasonNotFound))
		})

		DescribeTable("patches with every patch type",
			func(ctx context.Context, pt types.PatchType, patch string) {
				client, _ := pods()
				// Tagged images: a merge patch replaces the containers whole and
				// their pull policy is defaulted again from the new tag.
				_, err := client.Create(ctx, newPod("patched", func(p *corev1.Pod) {
					p.Labels = map[string]string{"keep": "me"}
					p.Spec.Containers[0].Image = "busybox:1.35"
					p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "d", Image: "nginx:1.27"})
				}), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())

				patched, err := client.Patch(ctx, "patched", pt, []byte(patch), metav1.PatchOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(patched.Labels).To(Equal(map[string]string{"keep": "me", "added": "yes"}))
				Expect(patched.Spec.Containers).To(HaveLen(2))
				Expect(patched.Spec.Containers[0].Name).To(Equal("c"))
				Expect(patched.Spec.Containers[0].Image).To(Equal("busybox:1.36"))
				Expect(patched.Spec.Containers[1].Image).To(Equal("nginx:1.27"))
				Expect(patched.Generation).To(Equal(int64(2)))
			},
			Entry("JSON patch", types.JSONPatchType,
				`[{"op":"add","path":"/metadata/labels/added","value":"yes"},{"op":"replace","path":"/spec/containers/0/image","value":"busybox:1.36"}]`),
			Entry("merge patch (lists are replaced whole)", types.MergePatchType,
				`{"metadata":{"labels":{"added":"yes"}},"spec":{"containers":[{"name":"c","image":"busybox:1.36"},{"name":"d","image":"nginx:1.27"}]}}`),
			Entry("strategic merge patch (containers merge by name)", types.StrategicMergePatchType,
				`{"metadata":{"labels":{"added":"yes"}},"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}`),
		)

		It("refuses a JSON patch whose test operation fails, leaving the pod unchanged", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("tested"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			_, err = client.Patch(ctx, "tested", types.JSONPatchType,
				[]byte(`[{"op":"test","path":"/spec/containers/0/image","value":"nginx"},{"op":"replace","path":"/spec/containers/0/image","value":"alpine"}]`), metav1.PatchOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
			stored, err := client.Get(ctx, "tested", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.ResourceVersion).To(Equal(created.ResourceVersion))
		})

		It("answers 404 to a patch of a pod that does not exist", func(ctx context.Context) {
			client, _ := pods()
			_, err := client.Patch(ctx, "ghost", types.StrategicMergePatchType, []byte(`{"metadata":{"labels":{"a":"b"}}}`), metav1.PatchOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusNotFound)))
			Expect(st.Message).To(Equal(`pods "ghost" not found`))
		})
	})

	Context("server-side apply", func() {
		applied := func(name, ns, image string) *applycorev1.PodApplyConfiguration {
			return applycorev1.Pod(name, ns).WithSpec(applycorev1.PodSpec().
				WithContainers(applycorev1.Container().WithName("c").WithImage(image)))
		}

		It("creates a pod, tracks its field manager and resolves conflicts with force", func(ctx context.Context) {
			client, ns := pods()

			By("creating the pod through apply")
			created, err := client.Apply(ctx, applied("ssa", ns, "busybox"), metav1.ApplyOptions{FieldManager: "alice"})
			Expect(err).NotTo(HaveOccurred())
			Expect(created.Spec.Containers[0].Image).To(Equal("busybox"))
			Expect(created.Spec.RestartPolicy).To(Equal(corev1.RestartPolicyAlways), "applied pods are defaulted too")
			managers := map[string]metav1.ManagedFieldsOperationType{}
			for _, m := range created.ManagedFields {
				managers[m.Manager] = m.Operation
			}
			Expect(managers).To(Equal(map[string]metav1.ManagedFieldsOperationType{"alice": metav1.ManagedFieldsOperationApply}))

			By("refusing a second manager's different image with 409 Conflict")
			_, err = client.Apply(ctx, applied("ssa", ns, "nginx"), metav1.ApplyOptions{FieldManager: "bob"})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusConflict)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonConflict))
			Expect(st.Message).To(Equal(`Apply failed with 1 conflict: conflict with "alice": .spec.containers[name="c"].image`))
			Expect(causesOf(st)).To(Equal([]cause{{Type: metav1.CauseTypeFieldManagerConflict, Field: `.spec.containers[name="c"].image`}}))
			stored, err := client.Get(ctx, "ssa", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.ResourceVersion).To(Equal(created.ResourceVersion))

			By("taking the field over with force")
			forced, err := client.Apply(ctx, applied("ssa", ns, "nginx"), metav1.ApplyOptions{FieldManager: "bob", Force: true})
			Expect(err).NotTo(HaveOccurred())
			Expect(forced.Spec.Containers[0].Image).To(Equal("nginx"))
			Expect(forced.Generation).To(Equal(int64(2)))
			managers = map[string]metav1.ManagedFieldsOperationType{}
			for _, m := range forced.ManagedFields {
				managers[m.Manager] = m.Operation
			}
			Expect(managers).To(HaveKeyWithValue("bob", metav1.ManagedFieldsOperationApply))
		})

		It("reports a conflict with an Update manager with its API version", func(ctx context.Context) {
			client, ns := pods()
			_, err := s.Client.CoreV1().RESTClient().Post().Namespace(ns).Resource("pods").Param("fieldManager", "curl").
				Body([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"upd-ssa"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`)).
				SetHeader("Content-Type", "application/json").DoRaw(ctx)
			Expect(err).NotTo(HaveOccurred())
			_, err = client.Apply(ctx, applied("upd-ssa", ns, "nginx"), metav1.ApplyOptions{FieldManager: "alice"})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusConflict)))
			Expect(st.Message).To(Equal(`Apply failed with 1 conflict: conflict with "curl" using v1: .spec.containers[name="c"].image`))
		})

		It("requires a fieldManager for apply patches (422)", func(ctx context.Context) {
			_, ns := pods()
			reply := raw.Do(ctx, http.MethodPatch, "/api/v1/namespaces/"+ns+"/pods/nameless", "application/apply-patch+yaml",
				[]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: nameless\nspec:\n  containers:\n  - name: c\n    image: busybox\n"))
			Expect(reply.Code).To(Equal(http.StatusUnprocessableEntity))
			st := reply.Failure()
			Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
			Expect(st.Message).To(Equal(`PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`))
			Expect(causesOf(st)).To(Equal([]cause{{Type: metav1.CauseTypeFieldValueRequired, Field: "fieldManager"}}))
		})
	})

	Context("deleting", func() {
		It("deletes a pod that is not on a node immediately and returns it", func(ctx context.Context) {
			client, ns := pods()
			created, err := client.Create(ctx, newPod("unscheduled"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			reply := raw.Do(ctx, http.MethodDelete, "/api/v1/namespaces/"+ns+"/pods/unscheduled", "", nil)
			Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)
			deleted := reply.Pod()
			Expect(deleted.UID).To(Equal(created.UID))

			_, err = client.Get(ctx, "unscheduled", metav1.GetOptions{})
			Expect(statusOf(err).Reason).To(Equal(metav1.StatusReasonNotFound))
		})

		It("deletes a pod bound to a node gracefully: it stays, marked, until deleted with gracePeriodSeconds=0", func(ctx context.Context) {
			client, ns := pods()
			created, err := client.Create(ctx, newPod("bound", func(p *corev1.Pod) { p.Spec.NodeName = "node-1" }), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			By("marking it for deletion with the pod's grace period")
			reply := raw.Do(ctx, http.MethodDelete, "/api/v1/namespaces/"+ns+"/pods/bound", "", nil)
			Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)
			marked := reply.Pod()
			Expect(marked.DeletionTimestamp).NotTo(BeNil())
			Expect(marked.DeletionGracePeriodSeconds).To(Equal(ptr.To[int64](30)))
			Expect(marked.ResourceVersion).NotTo(Equal(created.ResourceVersion))

			stored, err := client.Get(ctx, "bound", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.DeletionTimestamp).NotTo(BeNil())
			Consistently(func() error {
				_, err := client.Get(ctx, "bound", metav1.GetOptions{})
				return err
			}).WithTimeout(500 * time.Millisecond).Should(Succeed())

			By("removing it when the kubelet's final delete with gracePeriodSeconds=0 comes")
			Expect(client.Delete(ctx, "bound", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})).To(Succeed())
			_, err = client.Get(ctx, "bound", metav1.GetOptions{})
			Expect(statusOf(err).Reason).To(Equal(metav1.StatusReasonNotFound))
		})

		It("honours a UID precondition", func(ctx context.Context) {
			// Pods delete gracefully, so upstream's early check in
			// rest.BeforeDelete words this error (with the kind, not the resource).
			client, _ := pods()
			created, err := client.Create(ctx, newPod("precond"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			err = client.Delete(ctx, "precond", metav1.DeleteOptions{Preconditions: metav1.NewUIDPreconditions("not-the-uid")})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusConflict)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonConflict))
			Expect(st.Message).To(Equal(fmt.Sprintf(`Operation cannot be fulfilled on Pod "precond": the UID in the precondition (not-the-uid) does not match the UID in record (%s). The object might have been deleted and then recreated`, created.UID)))
			stored, err := client.Get(ctx, "precond", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.ResourceVersion).To(Equal(created.ResourceVersion))
		})

		It("answers 404 when deleting a pod that does not exist", func(ctx context.Context) {
			client, _ := pods()
			st := statusOf(client.Delete(ctx, "ghost", metav1.DeleteOptions{}))
			Expect(st.Code).To(Equal(int32(http.StatusNotFound)))
			Expect(st.Message).To(Equal(`pods "ghost" not found`))
		})

		It("deletes a collection selected by labels and keeps the rest", func(ctx context.Context) {
			client, ns := pods()
			for i := 0; i < 3; i++ {
				_, err := client.Create(ctx, newPod(fmt.Sprintf("doomed-%d", i), func(p *corev1.Pod) { p.Labels = map[string]string{"batch": "old"} }), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
			}
			_, err := client.Create(ctx, newPod("kept", func(p *corev1.Pod) { p.Labels = map[string]string{"batch": "new"} }), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			reply := raw.Do(ctx, http.MethodDelete, "/api/v1/namespaces/"+ns+"/pods?labelSelector=batch%3Dold", "", nil)
			Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)
			var deleted corev1.PodList
			Expect(json.Unmarshal(reply.Body, &deleted)).To(Succeed())
			Expect(deleted.Kind).To(Equal("PodList"))
			Expect(objectNames(deleted.Items)).To(ConsistOf("doomed-0", "doomed-1", "doomed-2"))

			left, err := client.List(ctx, metav1.ListOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(objectNames(left.Items)).To(Equal([]string{"kept"}))
		})
	})

	Context("the status subresource", func() {
		It("updates status through pods/status and ignores spec changes sent there", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("st", func(p *corev1.Pod) { p.Spec.NodeName = "node-1" }), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			toSend := created.DeepCopy()
			toSend.Status.Phase = corev1.PodRunning
			toSend.Status.PodIP = "10.0.0.7"
			toSend.Status.PodIPs = []corev1.PodIP{{IP: "10.0.0.7"}}
			toSend.Spec.Containers[0].Image = "through-status"
			toSend.Spec.ActiveDeadlineSeconds = ptr.To[int64](60)
			updated, err := client.UpdateStatus(ctx, toSend, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Status.Phase).To(Equal(corev1.PodRunning))
			Expect(updated.Status.PodIP).To(Equal("10.0.0.7"))
			Expect(updated.Status.QOSClass).To(Equal(corev1.PodQOSBestEffort))
			Expect(updated.Spec).To(Equal(created.Spec), "spec sent to pods/status is ignored")
			Expect(updated.Generation).To(Equal(int64(1)))

			stored, err := client.Get(ctx, "st", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.Status.Phase).To(Equal(corev1.PodRunning))
			Expect(stored.Spec.Containers[0].Image).To(Equal("busybox"))
			Expect(stored.Spec.ActiveDeadlineSeconds).To(BeNil())
		})

		It("ignores status changes sent to the pod itself", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("main", func(p *corev1.Pod) {
				p.Status.Phase = corev1.PodSucceeded // ignored on create as well
			}), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(created.Status.Phase).To(Equal(corev1.PodPending))

			created.Status.Phase = corev1.PodFailed
			created.Status.Message = "through the main resource"
			created.Labels = map[string]string{"changed": "yes"}
			updated, err := client.Update(ctx, created, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Labels).To(Equal(map[string]string{"changed": "yes"}))
			Expect(updated.Status.Phase).To(Equal(corev1.PodPending))
			Expect(updated.Status.Message).To(BeEmpty())
		})

		It("keeps status.podIP and status.podIPs in step, as upstream's conversion does", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("ips"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			By("filling podIPs from the podIP an older kubelet sends")
			created.Status.PodIP = "10.0.0.8"
			updated, err := client.UpdateStatus(ctx, created, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Status.PodIPs).To(Equal([]corev1.PodIP{{IP: "10.0.0.8"}}))

			By("filling podIP from podIPs")
			updated.Status.PodIP = ""
			updated.Status.PodIPs = []corev1.PodIP{{IP: "10.0.0.9"}, {IP: "fd00::9"}}
			updated, err = client.UpdateStatus(ctx, updated, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Status.PodIP).To(Equal("10.0.0.9"))

			By("letting podIP win when both are sent and differ")
			updated.Status.PodIP = "10.0.0.10"
			updated, err = client.UpdateStatus(ctx, updated, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(updated.Status.PodIPs).To(Equal([]corev1.PodIP{{IP: "10.0.0.10"}}))
		})

		It("names an invalid condition type under status, as upstream does", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("cond"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			created.Status.Conditions = []corev1.PodCondition{
				{Type: corev1.PodReady, Status: corev1.ConditionFalse},
				{Type: "not a type", Status: corev1.ConditionTrue},
			}
			_, err = client.UpdateStatus(ctx, created, metav1.UpdateOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
			detail := "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
				"(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
			Expect(st.Details.Causes).To(Equal([]metav1.StatusCause{{
				Type:    metav1.CauseTypeFieldValueInvalid,
				Message: `Invalid value: "not a type": ` + detail,
				Field:   "status.conditions[1].Type",
			}}))
			Expect(st.Message).To(Equal(`Pod "cond" is invalid: status.conditions[1].Type: Invalid value: "not a type": ` + detail))

			stored, err := client.Get(ctx, "cond", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.Status.Conditions).To(BeEmpty())
		})

		It("answers 404 for the status of a pod that does not exist", func(ctx context.Context) {
			client, _ := pods()
			_, err := client.UpdateStatus(ctx, newPod("ghost"), metav1.UpdateOptions{})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusNotFound)))
			Expect(st.Message).To(Equal(`pods "ghost" not found`))
		})
	})

	Context("label and field selectors", func() {
		var client typedcorev1.PodInterface

		BeforeAll(func(ctx context.Context) {
			client, _ = pods()
			create := func(name string, mutate func(*corev1.Pod), status func(*corev1.PodStatus)) {
				GinkgoHelper()
				created, err := client.Create(ctx, newPod(name, mutate), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
				if status != nil {
					status(&created.Status)
					_, err = client.UpdateStatus(ctx, created, metav1.UpdateOptions{})
					Expect(err).NotTo(HaveOccurred())
				}
			}
			create("web-1", func(p *corev1.Pod) {
				p.Labels = map[string]string{"app": "web", "tier": "front"}
				p.Spec.NodeName = "node-a"
			}, func(st *corev1.PodStatus) {
				st.Phase = corev1.PodRunning
				st.PodIP = "10.1.0.1"
				st.PodIPs = []corev1.PodIP{{IP: "10.1.0.1"}}
			})
			create("web-2", func(p *corev1.Pod) {
				p.Labels = map[string]string{"app": "web"}
				p.Spec.NodeName = "node-b"
				p.Spec.ServiceAccountName = "builder"
			}, func(st *corev1.PodStatus) {
				st.Phase = corev1.PodRunning
				st.PodIP = "10.1.0.2"
				st.PodIPs = []corev1.PodIP{{IP: "10.1.0.2"}}
			})
			create("job", func(p *corev1.Pod) {
				p.Labels = map[string]string{"app": "batch"}
				p.Spec.RestartPolicy = corev1.RestartPolicyNever
				p.Spec.SchedulerName = "custom-scheduler"
			}, func(st *corev1.PodStatus) {
				st.NominatedNodeName = "node-c"
			})
			create("plain", nil, nil)
		})

		DescribeTable("select exactly the matching pods",
			func(ctx context.Context, opts metav1.ListOptions, want []string) {
				list, err := client.List(ctx, opts)
				Expect(err).NotTo(HaveOccurred())
				Expect(objectNames(list.Items)).To(ConsistOf(want))

				By("and a watch from the list selects the same pods")
				w, err := client.Watch(ctx, metav1.ListOptions{LabelSelector: opts.LabelSelector, FieldSelector: opts.FieldSelector, ResourceVersion: "0"})
				Expect(err).NotTo(HaveOccurred())
				defer w.Stop()
				seen := []string{}
				for range want {
					var ev watch.Event
					Eventually(w.ResultChan()).WithTimeout(10 * time.Second).Should(Receive(&ev))
					Expect(ev.Type).To(Equal(watch.Added))
					seen = append(seen, ev.Object.(*corev1.Pod).Name)
				}
				Expect(seen).To(ConsistOf(want))
				Consistently(w.ResultChan()).WithTimeout(200 * time.Millisecond).ShouldNot(Receive())
			},
			Entry("label equality", metav1.ListOptions{LabelSelector: "app=web"}, []string{"web-1", "web-2"}),
			Entry("label inequality", metav1.ListOptions{LabelSelector: "app!=web"}, []string{"job", "plain"}),
			Entry("label set", metav1.ListOptions{LabelSelector: "app in (batch,web),tier"}, []string{"web-1"}),
			Entry("label absence", metav1.ListOptions{LabelSelector: "!app"}, []string{"plain"}),
			Entry("metadata.name", metav1.ListOptions{FieldSelector: "metadata.name=job"}, []string{"job"}),
			Entry("metadata.namespace", metav1.ListOptions{FieldSelector: "metadata.namespace!=elsewhere"}, []string{"web-1", "web-2", "job", "plain"}),
			Entry("spec.nodeName", metav1.ListOptions{FieldSelector: "spec.nodeName=node-a"}, []string{"web-1"}),
			Entry("spec.nodeName empty (unscheduled)", metav1.ListOptions{FieldSelector: "spec.nodeName="}, []string{"job", "plain"}),
			Entry("spec.host, the old name of spec.nodeName", metav1.ListOptions{FieldSelector: "spec.host=node-b"}, []string{"web-2"}),
			Entry("spec.restartPolicy", metav1.ListOptions{FieldSelector: "spec.restartPolicy=Never"}, []string{"job"}),
			Entry("spec.schedulerName", metav1.ListOptions{FieldSelector: "spec.schedulerName=default-scheduler"}, []string{"web-1", "web-2", "plain"}),
			Entry("spec.serviceAccountName", metav1.ListOptions{FieldSelector: "spec.serviceAccountName=builder"}, []string{"web-2"}),
			Entry("status.phase", metav1.ListOptions{FieldSelector: "status.phase=Running"}, []string{"web-1", "web-2"}),
			Entry("status.phase inequality", metav1.ListOptions{FieldSelector: "status.phase!=Running"}, []string{"job", "plain"}),
			Entry("status.podIP", metav1.ListOptions{FieldSelector: "status.podIP=10.1.0.2"}, []string{"web-2"}),
			Entry("status.nominatedNodeName", metav1.ListOptions{FieldSelector: "status.nominatedNodeName=node-c"}, []string{"job"}),
			Entry("labels and fields together", metav1.ListOptions{LabelSelector: "app=web", FieldSelector: "spec.nodeName!=node-a,status.phase=Running"}, []string{"web-2"}),
		)

		It("refuses an unsupported field label with 400 BadRequest", func(ctx context.Context) {
			for _, verb := range []string{"list", "watch"} {
				_, err := client.List(ctx, metav1.ListOptions{FieldSelector: "x=y", Watch: verb == "watch"})
				st := statusOf(err)
				Expect(st.Code).To(Equal(int32(http.StatusBadRequest)), verb)
				Expect(st.Reason).To(Equal(metav1.StatusReasonBadRequest), verb)
				Expect(st.Message).To(Equal("field label not supported: x"), verb)
			}
		})

		It("refuses a malformed label selector with 400 BadRequest", func(ctx context.Context) {
			_, err := client.List(ctx, metav1.ListOptions{LabelSelector: "app in (web"})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusBadRequest)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonBadRequest))
			Expect(st.Message).To(HavePrefix("unable to parse requirement: "))
		})
	})

	Context("pagination and resourceVersion", func() {
		const total = 25
		var (
			client  typedcorev1.PodInterface
			ns      string
			created = map[string]string{} // name -> resourceVersion
			lastRV  string
		)

		BeforeAll(func(ctx context.Context) {
			client, ns = pods()
			for i := 0; i < total; i++ {
				p, err := client.Create(ctx, newPod(fmt.Sprintf("page-%02d", i)), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
				created[p.Name] = p.ResourceVersion
				lastRV = p.ResourceVersion
			}
		})

		It("pages with limit and continue, each pod once, counting what remains", func(ctx context.Context) {
			seen := []string{}
			var remaining []*int64
			opts := metav1.ListOptions{Limit: 10}
			for {
				page, err := client.List(ctx, opts)
				Expect(err).NotTo(HaveOccurred())
				Expect(len(page.Items)).To(BeNumerically("<=", 10))
				seen = append(seen, objectNames(page.Items)...)
				remaining = append(remaining, page.RemainingItemCount)
				if page.Continue == "" {
					break
				}
				opts.Continue = page.Continue
			}
			Expect(seen).To(HaveLen(total))
			Expect(sets.New(seen...).Len()).To(Equal(total), "no pod twice")
			Expect(remaining).To(Equal([]*int64{ptr.To[int64](15), ptr.To[int64](5), nil}))
		})

		It("serves every page from the snapshot of the first one", func(ctx context.Context) {
			first, err := client.List(ctx, metav1.ListOptions{Limit: 10})
			Expect(err).NotTo(HaveOccurred())
			_, err = client.Create(ctx, newPod("page-99-late"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(func(ctx context.Context) { _ = client.Delete(ctx, "page-99-late", metav1.DeleteOptions{}) })

			rest, err := client.List(ctx, metav1.ListOptions{Limit: 100, Continue: first.Continue})
			Expect(err).NotTo(HaveOccurred())
			Expect(rest.Items).To(HaveLen(total - 10))
			Expect(objectNames(rest.Items)).NotTo(ContainElement("page-99-late"))
			Expect(rest.ResourceVersion).To(Equal(first.ResourceVersion))
		})

		It("refuses a garbled continue token with 400 BadRequest", func(ctx context.Context) {
			_, err := client.List(ctx, metav1.ListOptions{Limit: 10, Continue: "not-a-token"})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusBadRequest)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonBadRequest))
		})

		It("lists from the cache with resourceVersion=0", func(ctx context.Context) {
			Eventually(func(g Gomega) {
				list, err := client.List(ctx, metav1.ListOptions{ResourceVersion: "0"})
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(list.Items).To(HaveLen(total))
				g.Expect(list.Continue).To(BeEmpty(), "resourceVersion=0 ignores limit")
			}).Should(Succeed())
			list, err := client.List(ctx, metav1.ListOptions{ResourceVersion: "0", Limit: 5})
			Expect(err).NotTo(HaveOccurred())
			Expect(list.Items).To(HaveLen(total), "the watch cache serves resourceVersion=0 whole")
		})

		It("lists at least as new as resourceVersionMatch=NotOlderThan asks", func(ctx context.Context) {
			list, err := client.List(ctx, metav1.ListOptions{ResourceVersion: lastRV, ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan})
			Expect(err).NotTo(HaveOccurred())
			Expect(list.Items).To(HaveLen(total))
			Expect(list.ResourceVersion).NotTo(BeEmpty())
		})

		It("lists exactly at an older resourceVersion with resourceVersionMatch=Exact", func(ctx context.Context) {
			list, err := client.List(ctx, metav1.ListOptions{ResourceVersion: created["page-04"], ResourceVersionMatch: metav1.ResourceVersionMatchExact})
			Expect(err).NotTo(HaveOccurred())
			Expect(objectNames(list.Items)).To(Equal([]string{"page-00", "page-01", "page-02", "page-03", "page-04"}))
			Expect(list.ResourceVersion).To(Equal(created["page-04"]))
		})

		It("refuses resourceVersionMatch without a resourceVersion with 422", func(ctx context.Context) {
			_, err := client.List(ctx, metav1.ListOptions{ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
			Expect(causesOf(st)).To(Equal([]cause{{Type: metav1.CauseTypeForbidden, Field: "resourceVersionMatch"}}))
		})

		It("gets a pod at a resourceVersion it has reached", func(ctx context.Context) {
			got, err := client.Get(ctx, "page-00", metav1.GetOptions{ResourceVersion: lastRV})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.ResourceVersion).To(Equal(created["page-00"]))
		})

		It("times out a get at a resourceVersion from the future with 504 ResourceVersionTooLarge", func(ctx context.Context) {
			// Raw HTTP: client-go would honour Retry-After and ask again ten times.
			future := "99999999999"
			reply := raw.Do(ctx, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods/page-00?resourceVersion="+future, "", nil)
			Expect(reply.Code).To(Equal(http.StatusGatewayTimeout))
			Expect(reply.Header.Get("Retry-After")).To(Equal("1"))
			st := reply.Failure()
			Expect(st.Reason).To(Equal(metav1.StatusReasonTimeout))
			Expect(st.Message).To(MatchRegexp(`^Timeout: Too large resource version: ` + future + `, current: \d+$`))
			Expect(st.Details).NotTo(BeNil())
			Expect(st.Details.RetryAfterSeconds).To(Equal(int32(1)))
			Expect(causesOf(st)).To(Equal([]cause{{Type: metav1.CauseTypeResourceVersionTooLarge}}))
		})
	})

	Context("dryRun=All", func() {
		dry := []string{metav1.DryRunAll}

		It("answers a create with the object it would store, and stores nothing", func(ctx context.Context) {
			client, _ := pods()
			would, err := client.Create(ctx, newPod("dry"), metav1.CreateOptions{DryRun: dry})
			Expect(err).NotTo(HaveOccurred())
			Expect(would.Name).To(Equal("dry"))
			Expect(would.Spec.RestartPolicy).To(Equal(corev1.RestartPolicyAlways))
			Expect(would.Status.Phase).To(Equal(corev1.PodPending))
			_, err = client.Get(ctx, "dry", metav1.GetOptions{})
			Expect(statusOf(err).Reason).To(Equal(metav1.StatusReasonNotFound))
		})

		It("answers an update, a patch and a delete without touching the stored pod", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("dry-existing"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			unchanged := func() {
				GinkgoHelper()
				stored, err := client.Get(ctx, "dry-existing", metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(stored.ResourceVersion).To(Equal(created.ResourceVersion))
				Expect(stored.Labels).To(BeEmpty())
				Expect(stored.Spec.Containers[0].Image).To(Equal("busybox"))
				Expect(stored.DeletionTimestamp).To(BeNil())
			}

			By("update")
			toUpdate := created.DeepCopy()
			toUpdate.Labels = map[string]string{"dry": "update"}
			would, err := client.Update(ctx, toUpdate, metav1.UpdateOptions{DryRun: dry})
			Expect(err).NotTo(HaveOccurred())
			Expect(would.Labels).To(Equal(map[string]string{"dry": "update"}))
			unchanged()

			By("patch")
			would, err = client.Patch(ctx, "dry-existing", types.StrategicMergePatchType,
				[]byte(`{"spec":{"containers":[{"name":"c","image":"alpine"}]}}`), metav1.PatchOptions{DryRun: dry})
			Expect(err).NotTo(HaveOccurred())
			Expect(would.Spec.Containers[0].Image).To(Equal("alpine"))
			unchanged()

			By("apply")
			would, err = client.Apply(ctx, applycorev1.Pod("dry-existing", created.Namespace).WithLabels(map[string]string{"dry": "apply"}),
				metav1.ApplyOptions{FieldManager: "dry", DryRun: dry})
			Expect(err).NotTo(HaveOccurred())
			Expect(would.Labels).To(Equal(map[string]string{"dry": "apply"}))
			unchanged()

			By("delete")
			Expect(client.Delete(ctx, "dry-existing", metav1.DeleteOptions{DryRun: dry})).To(Succeed())
			unchanged()

			By("deletecollection")
			Expect(client.DeleteCollection(ctx, metav1.DeleteOptions{DryRun: dry}, metav1.ListOptions{})).To(Succeed())
			unchanged()
		})

		It("refuses an unknown dryRun value with 422 Invalid", func(ctx context.Context) {
			client, _ := pods()
			_, err := client.Create(ctx, newPod("dry-bogus"), metav1.CreateOptions{DryRun: []string{"Bogus"}})
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
			Expect(st.Message).To(Equal(`CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Bogus"]: supported values: "All"`))
			Expect(causesOf(st)).To(Equal([]cause{{Type: metav1.CauseTypeFieldValueNotSupported, Field: "dryRun"}}))
			_, err = client.Get(ctx, "dry-bogus", metav1.GetOptions{})
			Expect(statusOf(err).Reason).To(Equal(metav1.StatusReasonNotFound))
		})
	})

	Context("fieldValidation", func() {
		const unknownField = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"bogus":true,"containers":[{"name":"c","image":"busybox"}]}}`

		// post creates a pod from a raw body through a client that records warnings.
		post := func(ctx context.Context, ns, body, validation string) (*warningRecorder, []byte, error) {
			warnings := &warningRecorder{}
			cfg := rest.CopyConfig(s.ClientConfig)
			cfg.WarningHandler = warnings
			client, err := kubernetes.NewForConfig(cfg)
			Expect(err).NotTo(HaveOccurred())
			req := client.CoreV1().RESTClient().Post().Namespace(ns).Resource("pods").
				SetHeader("Content-Type", "application/json").Body([]byte(body))
			if validation != "" {
				req = req.Param("fieldValidation", validation)
			}
			// Error, unlike Raw, decodes the Status of a refusal.
			result := req.Do(ctx)
			out, _ := result.Raw()
			return warnings, out, result.Error()
		}

		// Upstream 1.37 words strict decoding errors through the generic
		// decode error: "Pod in version "v1" cannot be handled as a Pod: ...".
		It("refuses an unknown field with 400 BadRequest under Strict", func(ctx context.Context) {
			client, ns := pods()
			_, _, err := post(ctx, ns, fmt.Sprintf(unknownField, "strict"), "Strict")
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusBadRequest)))
			Expect(st.Reason).To(Equal(metav1.StatusReasonBadRequest))
			Expect(st.Message).To(Equal(`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.bogus"`))
			_, err = client.Get(ctx, "strict", metav1.GetOptions{})
			Expect(statusOf(err).Reason).To(Equal(metav1.StatusReasonNotFound))
		})

		It("refuses a duplicate field with 400 BadRequest under Strict", func(ctx context.Context) {
			_, ns := pods()
			body := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"dup","name":"dup"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`
			_, _, err := post(ctx, ns, body, "Strict")
			st := statusOf(err)
			Expect(st.Code).To(Equal(int32(http.StatusBadRequest)))
			Expect(st.Message).To(Equal(`Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "metadata.name"`))
		})

		It("creates the pod and warns about an unknown field by default (Warn)", func(ctx context.Context) {
			_, ns := pods()
			warnings, out, err := post(ctx, ns, fmt.Sprintf(unknownField, "warned"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(warnings.all()).To(Equal([]string{`unknown field "spec.bogus"`}))
			var pod corev1.Pod
			Expect(json.Unmarshal(out, &pod)).To(Succeed())
			Expect(pod.Name).To(Equal("warned"))
			Expect(pod.UID).NotTo(BeEmpty())
		})

		It("creates the pod silently under Ignore", func(ctx context.Context) {
			_, ns := pods()
			warnings, _, err := post(ctx, ns, fmt.Sprintf(unknownField, "ignored"), "Ignore")
			Expect(err).NotTo(HaveOccurred())
			Expect(warnings.all()).To(BeEmpty())
		})

		It("answers 201 with the Warning header on the wire", func(ctx context.Context) {
			_, ns := pods()
			reply := raw.Do(ctx, http.MethodPost, "/api/v1/namespaces/"+ns+"/pods?fieldValidation=Warn", "application/json", []byte(fmt.Sprintf(unknownField, "wire")))
			Expect(reply.Code).To(Equal(http.StatusCreated))
			Expect(reply.Header.Values("Warning")).To(Equal([]string{`299 - "unknown field \"spec.bogus\""`}))
		})
	})

	Context("content types", func() {
		It("accepts and answers YAML", func(ctx context.Context) {
			_, ns := pods()
			body := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: yaml-pod\n  labels:\n    format: yaml\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
			reply := raw.Do(ctx, http.MethodPost, "/api/v1/namespaces/"+ns+"/pods", "application/yaml", []byte(body), "Accept", "application/yaml")
			Expect(reply.Code).To(Equal(http.StatusCreated), "%s", reply.Body)
			Expect(reply.Header.Get("Content-Type")).To(Equal("application/yaml"))
			Expect(string(reply.Body)).To(HavePrefix("apiVersion: v1\nkind: Pod\n"))
			var pod corev1.Pod
			Expect(yaml.UnmarshalStrict(reply.Body, &pod)).To(Succeed())
			Expect(pod.Name).To(Equal("yaml-pod"))
			Expect(pod.Labels).To(Equal(map[string]string{"format": "yaml"}))
			Expect(pod.Spec.DNSPolicy).To(Equal(corev1.DNSClusterFirst))

			get := raw.Do(ctx, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods/yaml-pod", "", nil, "Accept", "application/yaml")
			Expect(get.Code).To(Equal(http.StatusOK))
			Expect(get.Header.Get("Content-Type")).To(Equal("application/yaml"))
			var again corev1.Pod
			Expect(yaml.UnmarshalStrict(get.Body, &again)).To(Succeed())
			Expect(again.UID).To(Equal(pod.UID))
		})

		It("speaks protobuf to a client configured for it", func(ctx context.Context) {
			cfg := rest.CopyConfig(s.ClientConfig)
			cfg.ContentType = "application/vnd.kubernetes.protobuf"
			cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf"
			client, err := kubernetes.NewForConfig(cfg)
			Expect(err).NotTo(HaveOccurred())
			ns := uniqueName("pods")
			createNamespace(ctx, client, ns)
			created, err := client.CoreV1().Pods(ns).Create(ctx, newPod("proto", func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}
			}), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(created.Status.QOSClass).To(Equal(corev1.PodQOSBurstable))
			list, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(objectNames(list.Items)).To(Equal([]string{"proto"}))

			By("answering with the protobuf envelope on the wire")
			reply := raw.Do(ctx, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods/proto", "", nil, "Accept", "application/vnd.kubernetes.protobuf")
			Expect(reply.Code).To(Equal(http.StatusOK))
			Expect(reply.Header.Get("Content-Type")).To(Equal("application/vnd.kubernetes.protobuf"))
			Expect(string(reply.Body[:4])).To(Equal("k8s\x00"))
		})

		It("renders a server-side Table with kubectl's pod columns", func(ctx context.Context) {
			client, ns := pods()
			_, err := client.Create(ctx, newPod("tabled", func(p *corev1.Pod) {
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "d", Image: "nginx"})
			}), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			reply := raw.Do(ctx, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods", "", nil, "Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
			Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)
			var table metav1.Table
			Expect(json.Unmarshal(reply.Body, &table)).To(Succeed())
			Expect(table.Kind).To(Equal("Table"))
			Expect(table.APIVersion).To(Equal("meta.k8s.io/v1"))
			columns := []string{}
			for _, c := range table.ColumnDefinitions {
				columns = append(columns, strings.ToUpper(c.Name))
			}
			Expect(columns).To(Equal([]string{"NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"}))
			Expect(table.Rows).To(HaveLen(1))
			cells := table.Rows[0].Cells
			Expect(cells).To(HaveLen(9))
			Expect(cells[:4]).To(Equal([]interface{}{"tabled", "0/2", "Pending", "0"}))
			Expect(cells[4]).To(MatchRegexp(`^\d+s$`))
			Expect(cells[5:]).To(Equal([]interface{}{"<none>", "<none>", "<none>", "<none>"}))
			var object metav1.PartialObjectMetadata
			Expect(json.Unmarshal(table.Rows[0].Object.Raw, &object)).To(Succeed())
			Expect(object.Kind).To(Equal("PartialObjectMetadata"))
			Expect(object.Name).To(Equal("tabled"))
		})

		It("refuses a media type it cannot produce with 406 NotAcceptable", func(ctx context.Context) {
			_, ns := pods()
			reply := raw.Do(ctx, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods", "", nil, "Accept", "text/html")
			Expect(reply.Code).To(Equal(http.StatusNotAcceptable))
			st := reply.Failure()
			Expect(st.Reason).To(Equal(metav1.StatusReasonNotAcceptable))
		})
	})

	Context("with the EphemeralContainers gate off (the default)", func() {
		It("silently drops spec.ephemeralContainers from a new pod, as Kubernetes 1.16 did", func(ctx context.Context) {
			client, _ := pods()
			created, err := client.Create(ctx, newPod("no-debug", func(p *corev1.Pod) {
				p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox"}}}
			}), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(created.Spec.EphemeralContainers).To(BeEmpty())
			stored, err := client.Get(ctx, "no-debug", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(stored.Spec.EphemeralContainers).To(BeEmpty())
		})
	})

	Context("who may call", func() {
		It("refuses anonymous API requests with 403 and serves health and version to them", func(ctx context.Context) {
			anonymous := rest.AnonymousClientConfig(s.ClientConfig)
			rt, err := rest.TransportFor(anonymous)
			Expect(err).NotTo(HaveOccurred())
			client := &http.Client{Transport: rt}
			get := func(path string) (int, []byte) {
				GinkgoHelper()
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
				Expect(err).NotTo(HaveOccurred())
				resp, err := client.Do(req)
				Expect(err).NotTo(HaveOccurred())
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				Expect(err).NotTo(HaveOccurred())
				return resp.StatusCode, body
			}

			// As upstream: anonymous requests are system:anonymous, whom the
			// default RBAC policy lets read health and version only.
			for path, message := range map[string]string{
				"/api/v1/namespaces/default/pods": `pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"`,
				"/api/v1/pods":                    `pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope`,
				"/api":                            `forbidden: User "system:anonymous" cannot get path "/api"`,
				"/metrics":                        `forbidden: User "system:anonymous" cannot get path "/metrics"`,
			} {
				code, body := get(path)
				Expect(code).To(Equal(http.StatusForbidden), path)
				reply := framework.Reply{Code: code, Body: body}
				st := reply.Failure()
				Expect(st.Reason).To(Equal(metav1.StatusReasonForbidden), path)
				Expect(st.Message).To(Equal(message), path)
			}
			for _, path := range []string{"/healthz", "/readyz", "/livez"} {
				code, body := get(path)
				Expect(code).To(Equal(http.StatusOK), path)
				Expect(string(body)).To(Equal("ok"), path)
			}
			code, body := get("/version")
			Expect(code).To(Equal(http.StatusOK))
			var version map[string]interface{}
			Expect(json.Unmarshal(body, &version)).To(Succeed())
			Expect(version).To(HaveKey("gitVersion"))
		})

		It("serves apiserver metrics to the admin", func(ctx context.Context) {
			client, _ := pods()
			_, err := client.List(ctx, metav1.ListOptions{})
			Expect(err).NotTo(HaveOccurred())
			reply := raw.Do(ctx, http.MethodGet, "/metrics", "", nil)
			Expect(reply.Code).To(Equal(http.StatusOK))
			Expect(string(reply.Body)).To(ContainSubstring("# TYPE apiserver_request_total counter"))
			Expect(string(reply.Body)).To(MatchRegexp(`apiserver_request_total\{[^}]*resource="pods"[^}]*verb="LIST"`))
		})
	})
})

var _ = Describe("Pod API servers sharing one etcd", Label("pods"), func() {
	It("see each other's writes, in lists and in watches", func(ctx context.Context) {
		a := startServer(framework.ServerConfig{})
		b := startServer(framework.ServerConfig{EtcdPrefix: a.EtcdPrefix})
		ns := uniqueName("pods")
		createNamespace(ctx, a.Client, ns)
		viaA, viaB := a.Client.CoreV1().Pods(ns), b.Client.CoreV1().Pods(ns)

		start, err := viaB.List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(start.Items).To(BeEmpty())
		w, err := viaB.Watch(ctx, metav1.ListOptions{ResourceVersion: start.ResourceVersion})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(w.Stop)

		created, err := viaA.Create(ctx, newPod("shared"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		By("B gets and lists the pod A created")
		got, err := viaB.Get(ctx, "shared", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.UID).To(Equal(created.UID))
		Expect(got.ResourceVersion).To(Equal(created.ResourceVersion))
		list, err := viaB.List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(objectNames(list.Items)).To(Equal([]string{"shared"}))

		By("B's watch sees A's create")
		var ev watch.Event
		Eventually(w.ResultChan()).WithTimeout(10 * time.Second).Should(Receive(&ev))
		Expect(ev.Type).To(Equal(watch.Added))
		Expect(ev.Object.(*corev1.Pod).UID).To(Equal(created.UID))

		By("an update through B with A's resourceVersion succeeds, and A sees it")
		got.Labels = map[string]string{"by": "b"}
		updated, err := viaB.Update(ctx, got, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func(g Gomega) {
			seen, err := viaA.Get(ctx, "shared", metav1.GetOptions{ResourceVersion: "0"})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(seen.ResourceVersion).To(Equal(updated.ResourceVersion))
		}).Should(Succeed())

		By("a stale write through A is refused")
		created.Labels = map[string]string{"by": "a"}
		_, err = viaA.Update(ctx, created, metav1.UpdateOptions{})
		Expect(statusOf(err).Reason).To(Equal(metav1.StatusReasonConflict))
	})

	It("keeps every acknowledged pod across a restart on the same prefix", func(ctx context.Context) {
		first, err := framework.StartServer(framework.ServerConfig{EtcdURL: etcdURL})
		Expect(err).NotTo(HaveOccurred())
		stopFirst := sync.OnceFunc(first.Stop)
		DeferCleanup(stopFirst)

		ns := uniqueName("pods")
		createNamespace(ctx, first.Client, ns)
		acknowledged := map[string]types.UID{}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func(i int) {
				defer GinkgoRecover()
				defer wg.Done()
				p, err := first.Client.CoreV1().Pods(ns).Create(ctx, newPod(fmt.Sprintf("durable-%d", i)), metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
				mu.Lock()
				acknowledged[p.Name] = p.UID
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		stopFirst()

		second := startServer(framework.ServerConfig{EtcdPrefix: first.EtcdPrefix})
		list, err := second.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		found := map[string]types.UID{}
		for _, p := range list.Items {
			found[p.Name] = p.UID
		}
		Expect(found).To(Equal(acknowledged))
	})
})
