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
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// restrictedContext is what kubectl debug --profile=restricted sets.
func restrictedContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

var _ = Describe("Pod Security admission", Label("podsecurity"), Ordered, func() {
	var (
		s     *framework.TestServer
		admin kubernetes.Interface
	)
	BeforeAll(func() {
		// Privileged containers pass validation, so Pod Security decides.
		s = startServer(framework.ServerConfig{FeatureGates: rbacGate, Customize: func(o *server.Options) { o.AllowPrivileged = true }})
		admin = s.Client
	})

	// namespaceWith creates a namespace with the given Pod Security labels.
	namespaceWith := func(ctx context.Context, labels map[string]string) string {
		GinkgoHelper()
		name := uniqueName("psa")
		_, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		return name
	}
	addEphemeral := func(ctx context.Context, client kubernetes.Interface, namespace string, ec corev1.EphemeralContainer) (*corev1.Pod, error) {
		pod, err := admin.CoreV1().Pods(namespace).Get(ctx, "p", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, ec)
		return client.CoreV1().Pods(namespace).UpdateEphemeralContainers(ctx, "p", pod, metav1.UpdateOptions{})
	}
	debugger := func(name string, sc *corev1.SecurityContext) corev1.EphemeralContainer {
		return corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: name, Image: "busybox:1.36", TerminationMessagePolicy: corev1.TerminationMessageReadFile, ImagePullPolicy: corev1.PullIfNotPresent,
			SecurityContext: sc,
		}}
	}

	It("refuses a privileged debug container in a baseline namespace with upstream's message", func(ctx context.Context) {
		ns := namespaceWith(ctx, map[string]string{"pod-security.kubernetes.io/enforce": "baseline"})
		_, err := admin.CoreV1().Pods(ns).Create(ctx, newPod("p"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		_, err = addEphemeral(ctx, admin, ns, debugger("sysadmin", &corev1.SecurityContext{Privileged: ptr.To(true)}))
		expectForbidden(err, `pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "sysadmin" must not set securityContext.privileged=true)`)

		By("refusing the same container sent as kubectl debug's strategic merge patch")
		patch := smpBody(debugContainerWith("sysadmin", `"securityContext":{"privileged":true}`))
		_, err = admin.CoreV1().Pods(ns).Patch(ctx, "p", types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "ephemeralcontainers")
		expectForbidden(err, `pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "sysadmin" must not set securityContext.privileged=true)`)

		pod, err := admin.CoreV1().Pods(ns).Get(ctx, "p", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(pod.Spec.EphemeralContainers).To(BeEmpty())

		By("accepting an unprivileged one")
		_, err = addEphemeral(ctx, admin, ns, debugger("general", nil))
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses the privileged container in the 1.16 form too", func(ctx context.Context) {
		ns := namespaceWith(ctx, map[string]string{"pod-security.kubernetes.io/enforce": "baseline"})
		_, err := admin.CoreV1().Pods(ns).Create(ctx, newPod("p"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		body := `{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":"p","namespace":"` + ns + `"},"ephemeralContainers":[` +
			debugContainerWith("sysadmin", `"securityContext":{"privileged":true}`) + `]}`
		res := s.Raw().Do(ctx, http.MethodPut, "/api/v1/namespaces/"+ns+"/pods/p/ephemeralcontainers", ctJSON, []byte(body))
		Expect(res.Code).To(Equal(http.StatusForbidden), "body: %s", res.Body)
		Expect(res.Failure().Message).To(Equal(`pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "sysadmin" must not set securityContext.privileged=true)`))
	})

	It("accepts kubectl debug's restricted profile in a restricted namespace, and refuses the default one", func(ctx context.Context) {
		ns := namespaceWith(ctx, map[string]string{"pod-security.kubernetes.io/enforce": "restricted"})
		_, err := admin.CoreV1().Pods(ns).Create(ctx, newPod("p", func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = restrictedContext()
		}), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		_, err = addEphemeral(ctx, admin, ns, debugger("restricted", restrictedContext()))
		Expect(err).NotTo(HaveOccurred())

		_, err = addEphemeral(ctx, admin, ns, debugger("general", nil))
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(http.StatusForbidden)))
		Expect(st.Message).To(HavePrefix(`pods "p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "general" must set securityContext.allowPrivilegeEscalation=false)`))
	})

	It("warns, and admits, in a namespace that only warns", func(ctx context.Context) {
		ns := namespaceWith(ctx, map[string]string{"pod-security.kubernetes.io/warn": "baseline"})
		_, err := admin.CoreV1().Pods(ns).Create(ctx, newPod("p"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		warnings := &warningRecorder{}
		cfg := rest.CopyConfig(s.ClientConfig)
		cfg.WarningHandler = warnings
		client := kubernetes.NewForConfigOrDie(cfg)
		_, err = addEphemeral(ctx, client, ns, debugger("sysadmin", &corev1.SecurityContext{Privileged: ptr.To(true)}))
		Expect(err).NotTo(HaveOccurred())
		Expect(warnings.all()).To(ContainElement(`would violate PodSecurity "baseline:latest": privileged (container "sysadmin" must not set securityContext.privileged=true)`))
	})

	It("keeps --allow-privileged=false's refusal, which comes first", func(ctx context.Context) {
		strict := startServer(framework.ServerConfig{FeatureGates: rbacGate})
		_, err := strict.Client.CoreV1().Pods("default").Create(ctx, newPod("p"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		pod, err := strict.Client.CoreV1().Pods("default").Get(ctx, "p", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, debugger("sysadmin", &corev1.SecurityContext{Privileged: ptr.To(true)}))
		_, err = strict.Client.CoreV1().Pods("default").UpdateEphemeralContainers(ctx, "p", pod, metav1.UpdateOptions{})
		st := statusOf(err)
		Expect(st.Code).To(Equal(int32(http.StatusUnprocessableEntity)))
		Expect(st.Message).To(Equal(`Pod "p" is invalid: spec.ephemeralContainers[0].securityContext.privileged: Forbidden: disallowed by cluster policy`))
	})
})
