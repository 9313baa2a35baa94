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
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

var _ = Describe("Pod templates", Label("podtemplates"), Ordered, ContinueOnFailure, func() {
	var (
		s  *framework.TestServer
		ns string
	)

	BeforeAll(func(ctx context.Context) {
		s = startServer(framework.ServerConfig{FeatureGates: map[string]bool{"EphemeralContainers": true}})
		ns = uniqueName("templates")
		createNamespace(ctx, s.Client, ns)
	})

	template := func(name string) *corev1.PodTemplate {
		return &corev1.PodTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
			},
		}
	}

	It("creates, reads, updates and deletes a template with pod defaults", func(ctx context.Context) {
		client := s.Client.CoreV1().PodTemplates(ns)
		created, err := client.Create(ctx, template("t"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(created.Generation).To(Equal(int64(1)))
		Expect(created.Template.Spec.RestartPolicy).To(Equal(corev1.RestartPolicyAlways))
		Expect(created.Template.Spec.Containers[0].ImagePullPolicy).To(Equal(corev1.PullAlways))

		created.Template.Spec.Containers[0].Image = "nginx:1.27"
		updated, err := client.Update(ctx, created, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(updated.Generation).To(Equal(int64(2)))

		updated.Labels = map[string]string{"only": "metadata"}
		relabeled, err := client.Update(ctx, updated, metav1.UpdateOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(relabeled.Generation).To(Equal(int64(2)))

		list, err := client.List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(list.Items).To(HaveLen(1))

		By("a delete answers the deleted template, as upstream's does")
		reply := s.Raw().Do(ctx, http.MethodDelete, "/api/v1/namespaces/"+ns+"/podtemplates/t", "", nil, "Accept", "application/json")
		Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)
		var deleted corev1.PodTemplate
		Expect(json.Unmarshal(reply.Body, &deleted)).To(Succeed())
		Expect(deleted.Kind).To(Equal("PodTemplate"))
		Expect(deleted.UID).To(Equal(created.UID))
		Expect(deleted.Template.Spec.Containers[0].Image).To(Equal("nginx:1.27"))
		_, err = client.Get(ctx, "t", metav1.GetOptions{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)
	})

	It("refuses ephemeral containers in a template", func(ctx context.Context) {
		t := template("with-ec")
		t.Template.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "d", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		}}}
		_, err := s.Client.CoreV1().PodTemplates(ns).Create(ctx, t, metav1.CreateOptions{})
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(422)))
		Expect(st.Reason).To(Equal(metav1.StatusReasonInvalid))
		Expect(st.Details.Causes).To(ContainElement(metav1.StatusCause{
			Type:    metav1.CauseTypeForbidden,
			Message: "Forbidden: ephemeral containers not allowed in pod template",
			Field:   "template.spec.ephemeralContainers",
		}))
		Expect(st.Message).To(Equal(`PodTemplate "with-ec" is invalid: template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template`))
	})

	It("validates the template's pod spec", func(ctx context.Context) {
		t := template("bad")
		t.Template.Spec.Containers[0].Name = "Bad_Name"
		_, err := s.Client.CoreV1().PodTemplates(ns).Create(ctx, t, metav1.CreateOptions{})
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(422)))
		Expect(st.Message).To(ContainSubstring(`template.spec.containers[0].name: Invalid value: "Bad_Name"`))
	})
})
