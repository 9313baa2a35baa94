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
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

// rbacGate turns the subresource on for the RBAC specs.
var rbacGate = map[string]bool{"EphemeralContainers": true}

// forbiddenMessage is the 403 message of the authorization filter.
func forbiddenMessage(pod, user, verb, resource, namespace string) string {
	return fmt.Sprintf(`pods %q is forbidden: User %q cannot %s resource %q in API group "" in the namespace %q`, pod, user, verb, resource, namespace)
}

var _ = Describe("Replaying upstream kube-apiserver's captured RBAC responses", Label("rbac", "reference"), Ordered, ContinueOnFailure, func() {
	dir := referenceDir()
	cases, err := loadReferenceCases(filepath.Join(dir, "rbac"), func(b byte) bool { return b == 'r' })
	if err != nil {
		It("reads rbac/index.tsv", func() { Fail(err.Error()) })
		return
	}

	var (
		s         *framework.TestServer
		uids, rvs map[string]string
	)
	BeforeAll(func() {
		s = startServer(framework.ServerConfig{FeatureGates: rbacGate})
		uids, rvs = map[string]string{}, map[string]string{}
	})

	// The case name says who sends the request.
	clientFor := func(name string) *rawAPI {
		var cfg *rest.Config
		switch {
		case strings.Contains(name, "-admin-"):
			cfg = rest.CopyConfig(s.ClientConfig)
		case strings.Contains(name, "-dev-"):
			cfg = s.UserConfig("dev")
		case strings.Contains(name, "-anonymous-"):
			cfg = s.AnonymousConfig()
		case strings.Contains(name, "-badtoken-"):
			cfg = s.TokenConfig("not-a-valid-token")
		default:
			Fail("no user in case name " + name)
		}
		return newRawAPIAs(s, cfg)
	}

	for _, c := range cases {
		It(fmt.Sprintf("%s: %s %s answers %d", c.Name, c.Method, c.Path, c.Status), func(ctx context.Context) {
			replayReferenceCase(ctx, clientFor(c.Name), c, uids, rvs)
		})
	}
})

// rbacFixture is a namespace with a pod "p" in it, on a shared server.
type rbacFixture struct {
	s         *framework.TestServer
	admin     kubernetes.Interface
	namespace string
}

func newRBACFixture(ctx context.Context, s *framework.TestServer) *rbacFixture {
	GinkgoHelper()
	f := &rbacFixture{s: s, admin: s.Client, namespace: uniqueName("rbac")}
	createNamespace(ctx, f.admin, f.namespace)
	_, err := f.admin.CoreV1().Pods(f.namespace).Create(ctx, newPod("p"), metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
	return f
}

// bind gives user the cluster role (kind ClusterRole) or role in the
// fixture's namespace.
func (f *rbacFixture) bind(ctx context.Context, user, kind, role string) {
	GinkgoHelper()
	_, err := f.admin.RbacV1().RoleBindings(f.namespace).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-" + strings.ToLower(kind) + "-" + role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: role},
	}, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
}

// role creates a Role in the fixture's namespace.
func (f *rbacFixture) role(ctx context.Context, name string, rules ...rbacv1.PolicyRule) {
	GinkgoHelper()
	_, err := f.admin.RbacV1().Roles(f.namespace).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
}

// eventually retries until the RBAC caches of the server have seen a
// change made just before.
func eventually(ctx context.Context, check func(g Gomega)) {
	GinkgoHelper()
	Eventually(ctx, check).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(Succeed())
}

// addDebugContainer sends the strategic merge patch kubectl debug sends.
func addDebugContainer(ctx context.Context, client kubernetes.Interface, namespace, pod, name string) (*corev1.Pod, error) {
	return client.CoreV1().Pods(namespace).Patch(ctx, pod, types.StrategicMergePatchType, smpBody(debugContainer(name)), metav1.PatchOptions{}, "ephemeralcontainers")
}

// putDebugContainer adds one with a PUT of the pod, as client-go's
// UpdateEphemeralContainers does.
func putDebugContainer(ctx context.Context, client, reader kubernetes.Interface, namespace, pod, name string) error {
	current, err := reader.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	current.Spec.EphemeralContainers = append(current.Spec.EphemeralContainers, corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: "busybox:1.36", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile},
	})
	_, err = client.CoreV1().Pods(namespace).UpdateEphemeralContainers(ctx, pod, current, metav1.UpdateOptions{})
	return err
}

func expectForbidden(err error, message string) {
	GinkgoHelper()
	st := statusOf(err)
	Expect(st.Code).To(Equal(int32(http.StatusForbidden)))
	Expect(st.Reason).To(Equal(metav1.StatusReasonForbidden))
	Expect(st.Message).To(Equal(message))
}

var _ = Describe("RBAC", Label("rbac"), Ordered, func() {
	var s *framework.TestServer
	BeforeAll(func() {
		s = startServer(framework.ServerConfig{FeatureGates: rbacGate})
	})

	DescribeTable("the default edit and admin roles do not grant pods/ephemeralcontainers",
		func(ctx context.Context, clusterRole string) {
			f := newRBACFixture(ctx, s)
			user := clusterRole + "-user"
			f.bind(ctx, user, "ClusterRole", clusterRole)
			client := s.UserClient(user)
			eventually(ctx, func(g Gomega) {
				_, err := client.CoreV1().Pods(f.namespace).Get(ctx, "p", metav1.GetOptions{})
				g.Expect(err).NotTo(HaveOccurred())
			})
			By("creating pods, which the role grants")
			_, err := client.CoreV1().Pods(f.namespace).Create(ctx, newPod("own"), metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			By("patching, updating and reading the subresource")
			_, err = addDebugContainer(ctx, client, f.namespace, "p", "debugger")
			expectForbidden(err, forbiddenMessage("p", user, "patch", "pods/ephemeralcontainers", f.namespace))
			err = putDebugContainer(ctx, client, f.admin, f.namespace, "p", "debugger")
			expectForbidden(err, forbiddenMessage("p", user, "update", "pods/ephemeralcontainers", f.namespace))
			_, err = client.CoreV1().RESTClient().Get().Namespace(f.namespace).Resource("pods").Name("p").SubResource("ephemeralcontainers").Do(ctx).Get()
			expectForbidden(err, forbiddenMessage("p", user, "get", "pods/ephemeralcontainers", f.namespace))

			pod, err := f.admin.CoreV1().Pods(f.namespace).Get(ctx, "p", metav1.GetOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(pod.Spec.EphemeralContainers).To(BeEmpty())
		},
		Entry("edit", "edit"),
		Entry("admin", "admin"),
	)

	It("refuses a missing pod with 403 before looking it up", func(ctx context.Context) {
		f := newRBACFixture(ctx, s)
		f.bind(ctx, "viewer", "ClusterRole", "view")
		client := s.UserClient("viewer")
		eventually(ctx, func(g Gomega) {
			_, err := client.CoreV1().Pods(f.namespace).Get(ctx, "p", metav1.GetOptions{})
			g.Expect(err).NotTo(HaveOccurred())
		})
		_, err := addDebugContainer(ctx, client, f.namespace, "nope", "debugger")
		expectForbidden(err, forbiddenMessage("nope", "viewer", "patch", "pods/ephemeralcontainers", f.namespace))
		_, err = client.CoreV1().Pods(f.namespace).Create(ctx, newPod("own"), metav1.CreateOptions{})
		Expect(statusOf(err).Message).To(Equal(fmt.Sprintf(`pods is forbidden: User "viewer" cannot create resource "pods" in API group "" in the namespace %q`, f.namespace)))
	})

	It("answers a delete of a role with a Status naming it, as upstream's RBAC resources do", func(ctx context.Context) {
		f := newRBACFixture(ctx, s)
		f.role(ctx, "short-lived", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}})
		role, err := f.admin.RbacV1().Roles(f.namespace).Get(ctx, "short-lived", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		reply := s.Raw().Do(ctx, http.MethodDelete, "/apis/rbac.authorization.k8s.io/v1/namespaces/"+f.namespace+"/roles/short-lived", "", nil, "Accept", "application/json")
		Expect(reply.Code).To(Equal(http.StatusOK), "%s", reply.Body)
		Expect(string(reply.Body)).To(Equal(fmt.Sprintf(
			`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"short-lived","group":"rbac.authorization.k8s.io","kind":"roles","uid":%q}}`+"\n", role.UID)))
	})

	It("lets get pods plus patch pods/ephemeralcontainers add a debug container", func(ctx context.Context) {
		f := newRBACFixture(ctx, s)
		f.role(ctx, "debugger",
			rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}},
			rbacv1.PolicyRule{Verbs: []string{"patch"}, APIGroups: []string{""}, Resources: []string{"pods/ephemeralcontainers"}})
		f.bind(ctx, "debug-user", "Role", "debugger")
		client := s.UserClient("debug-user")
		eventually(ctx, func(g Gomega) {
			_, err := addDebugContainer(ctx, client, f.namespace, "p", "debugger")
			g.Expect(err).NotTo(HaveOccurred())
		})
		pod, err := f.admin.CoreV1().Pods(f.namespace).Get(ctx, "p", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(pod.Spec.EphemeralContainers).To(HaveLen(1))
	})

	It("does not let update alone through a PATCH, only a PUT", func(ctx context.Context) {
		f := newRBACFixture(ctx, s)
		f.role(ctx, "updater", rbacv1.PolicyRule{Verbs: []string{"update"}, APIGroups: []string{""}, Resources: []string{"pods/ephemeralcontainers"}})
		f.bind(ctx, "updater", "Role", "updater")
		client := s.UserClient("updater")
		eventually(ctx, func(g Gomega) {
			g.Expect(putDebugContainer(ctx, client, f.admin, f.namespace, "p", "by-put")).To(Succeed())
		})
		_, err := addDebugContainer(ctx, client, f.namespace, "p", "by-patch")
		expectForbidden(err, forbiddenMessage("p", "updater", "patch", "pods/ephemeralcontainers", f.namespace))
	})

	It("lets cluster-admin add a debug container", func(ctx context.Context) {
		f := newRBACFixture(ctx, s)
		name := "cluster-admin-" + f.namespace
		_, err := f.admin.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		client := s.UserClient(name)
		eventually(ctx, func(g Gomega) {
			_, err := addDebugContainer(ctx, client, f.namespace, "p", "debugger")
			g.Expect(err).NotTo(HaveOccurred())
		})
	})

	It("extends edit through a cluster role labelled aggregate-to-edit", func(ctx context.Context) {
		f := newRBACFixture(ctx, s)
		f.bind(ctx, "aggregated", "ClusterRole", "edit")
		name := "debug-containers-" + f.namespace
		_, err := f.admin.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"rbac.authorization.k8s.io/aggregate-to-edit": "true"}},
			Rules:      []rbacv1.PolicyRule{{Verbs: []string{"patch"}, APIGroups: []string{""}, Resources: []string{"pods/ephemeralcontainers"}}},
		}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx context.Context) {
			Expect(f.admin.RbacV1().ClusterRoles().Delete(ctx, name, metav1.DeleteOptions{})).To(Succeed())
		})
		client := s.UserClient("aggregated")
		eventually(ctx, func(g Gomega) {
			_, err := addDebugContainer(ctx, client, f.namespace, "p", "debugger")
			g.Expect(err).NotTo(HaveOccurred())
		})
		edit, err := f.admin.RbacV1().ClusterRoles().Get(ctx, "edit", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(edit.Rules).To(ContainElement(rbacv1.PolicyRule{Verbs: []string{"patch"}, APIGroups: []string{""}, Resources: []string{"pods/ephemeralcontainers"}}))
	})

	Describe("escalation", func() {
		clusterAdminRules := "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}"

		It("does not let a user bind cluster-admin without holding it", func(ctx context.Context) {
			f := newRBACFixture(ctx, s)
			_, err := f.admin.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: "binder-" + f.namespace},
				Rules:      []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterrolebindings"}}},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			user := "binder-" + f.namespace
			_, err = f.admin.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: user},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())

			client := s.UserClient(user)
			grab := &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "grab-" + f.namespace},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			}
			var lastErr error
			eventually(ctx, func(g Gomega) {
				_, lastErr = client.RbacV1().ClusterRoleBindings().Create(ctx, grab, metav1.CreateOptions{})
				// Once the user may create bindings at all, the refusal is the
				// escalation check's.
				g.Expect(lastErr).To(HaveOccurred())
				g.Expect(statusOf(lastErr).Message).To(ContainSubstring("attempting to grant"))
			})
			expectForbidden(lastErr, fmt.Sprintf("clusterrolebindings.rbac.authorization.k8s.io %q is forbidden: user %q (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n%s",
				grab.Name, user, clusterAdminRules))
			_, err = f.admin.RbacV1().ClusterRoleBindings().Get(ctx, grab.Name, metav1.GetOptions{})
			Expect(apierrors.IsNotFound(err)).To(BeTrue(), "the refused binding was stored")

			By("granting bind on cluster-admin, which lets the same request through")
			_, err = f.admin.RbacV1().ClusterRoles().Update(ctx, &rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: user},
				Rules: []rbacv1.PolicyRule{
					{Verbs: []string{"create"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterrolebindings"}},
					{Verbs: []string{"bind"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}, ResourceNames: []string{"cluster-admin"}},
				},
			}, metav1.UpdateOptions{})
			Expect(err).NotTo(HaveOccurred())
			eventually(ctx, func(g Gomega) {
				_, err := client.RbacV1().ClusterRoleBindings().Create(ctx, grab, metav1.CreateOptions{})
				g.Expect(err).NotTo(HaveOccurred())
			})
		})

		It("does not let a namespace admin grant pods/ephemeralcontainers in a Role", func(ctx context.Context) {
			f := newRBACFixture(ctx, s)
			f.bind(ctx, "ns-admin", "ClusterRole", "admin")
			client := s.UserClient("ns-admin")
			role := &rbacv1.Role{
				ObjectMeta: metav1.ObjectMeta{Name: "sneaky"},
				Rules:      []rbacv1.PolicyRule{{Verbs: []string{"patch"}, APIGroups: []string{""}, Resources: []string{"pods/ephemeralcontainers"}}},
			}
			var lastErr error
			eventually(ctx, func(g Gomega) {
				_, lastErr = client.RbacV1().Roles(f.namespace).Create(ctx, role, metav1.CreateOptions{})
				g.Expect(lastErr).To(HaveOccurred())
				g.Expect(statusOf(lastErr).Message).To(ContainSubstring("attempting to grant"))
			})
			expectForbidden(lastErr, fmt.Sprintf("roles.rbac.authorization.k8s.io \"sneaky\" is forbidden: user \"ns-admin\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n%s",
				`{APIGroups:[""], Resources:["pods/ephemeralcontainers"], Verbs:["patch"]}`))

			By("granting what it holds, which it may, and binding the new role at once")
			role.Rules = []rbacv1.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}}
			_, err := client.RbacV1().Roles(f.namespace).Create(ctx, role, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			// The check reads the role from storage, not from a cache that may
			// not have seen it yet.
			_, err = client.RbacV1().RoleBindings(f.namespace).Create(ctx, &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "sneaky-readers"},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "readers"}},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "sneaky"},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
		})
	})

	Describe("access reviews", func() {
		It("answers kubectl auth can-i as the authorizer decides", func(ctx context.Context) {
			f := newRBACFixture(ctx, s)
			f.bind(ctx, "reviewer", "ClusterRole", "edit")
			client := s.UserClient("reviewer")
			canI := func(verb, resource, subresource string) bool {
				GinkgoHelper()
				review, err := client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
					Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
						Namespace: f.namespace, Verb: verb, Resource: resource, Subresource: subresource,
					}},
				}, metav1.CreateOptions{})
				Expect(err).NotTo(HaveOccurred())
				return review.Status.Allowed
			}
			eventually(ctx, func(g Gomega) { g.Expect(canI("create", "pods", "")).To(BeTrue()) })
			Expect(canI("patch", "pods", "ephemeralcontainers")).To(BeFalse())
			Expect(canI("update", "pods", "ephemeralcontainers")).To(BeFalse())
			_, err := addDebugContainer(ctx, client, f.namespace, "p", "debugger")
			Expect(apierrors.IsForbidden(err)).To(BeTrue())

			By("asking about another user, as an admin")
			sar, err := f.admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{User: "reviewer", Groups: []string{"system:authenticated"},
					ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: f.namespace, Verb: "get", Resource: "pods"}},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(sar.Status.Allowed).To(BeTrue())
			lsar, err := f.admin.AuthorizationV1().LocalSubjectAccessReviews(f.namespace).Create(ctx, &authorizationv1.LocalSubjectAccessReview{
				ObjectMeta: metav1.ObjectMeta{Namespace: f.namespace},
				Spec: authorizationv1.SubjectAccessReviewSpec{User: "reviewer",
					ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: f.namespace, Verb: "patch", Resource: "pods", Subresource: "ephemeralcontainers"}},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(lsar.Status.Allowed).To(BeFalse())

			By("listing the user's rules")
			rules, err := client.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx, &authorizationv1.SelfSubjectRulesReview{
				Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: f.namespace},
			}, metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			var resources []string
			for _, r := range rules.Status.ResourceRules {
				resources = append(resources, r.Resources...)
			}
			Expect(resources).To(ContainElements("pods", "selfsubjectaccessreviews"))
			Expect(resources).NotTo(ContainElement("pods/ephemeralcontainers"))
		})
	})

	Describe("authentication", func() {
		DescribeTable("refuses bad credentials with 401 and stores nothing",
			func(ctx context.Context, cfgFor func(*framework.TestServer) *rest.Config) {
				name := uniqueName("unauthorized")
				res := s.RawAs(cfgFor(s)).Do(ctx, http.MethodPost, "/api/v1/namespaces/default/pods", ctJSON,
					[]byte(fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`, name)))
				Expect(res.Code).To(Equal(http.StatusUnauthorized), "body: %s", res.Body)
				st := res.Failure()
				Expect(st.Reason).To(Equal(metav1.StatusReasonUnauthorized))
				Expect(st.Message).To(Equal("Unauthorized"))
				_, err := s.Client.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{})
				Expect(apierrors.IsNotFound(err)).To(BeTrue())
			},
			Entry("an expired client certificate", func(s *framework.TestServer) *rest.Config {
				return s.CertConfig(framework.ClientCert{User: "late", Groups: []string{"system:masters"}, NotAfter: time.Now().Add(-time.Minute)})
			}),
			Entry("a certificate from an unknown CA", func(s *framework.TestServer) *rest.Config {
				return s.CertConfig(framework.ClientCert{User: "stranger", Groups: []string{"system:masters"}, SelfSigned: true})
			}),
			Entry("an unknown bearer token", func(s *framework.TestServer) *rest.Config { return s.TokenConfig("not-a-valid-token") }),
		)

		It("lets anonymous requests read health and version only", func(ctx context.Context) {
			anonymous := s.RawAs(s.AnonymousConfig())
			for _, path := range []string{"/healthz", "/livez", "/readyz", "/version"} {
				Expect(anonymous.Do(ctx, http.MethodGet, path, "", nil).Code).To(Equal(http.StatusOK), path)
			}
			res := anonymous.Do(ctx, http.MethodGet, "/api/v1/namespaces/default/pods", "", nil)
			Expect(res.Code).To(Equal(http.StatusForbidden))
			Expect(res.Failure().Message).To(Equal(`pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"`))
		})
	})
})

// fakeWebhookAuthorizer is a remote authorizer over HTTPS that allows
// user "webhook-user" to list pods and nothing else, and counts the
// SubjectAccessReviews it was sent.
func fakeWebhookAuthorizer() (kubeconfig string, reviews *int) {
	GinkgoHelper()
	reviews = new(int)
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review authorizationv1.SubjectAccessReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		*reviews++
		attrs := review.Spec.ResourceAttributes
		review.Status.Allowed = review.Spec.User == "webhook-user" && attrs != nil && attrs.Resource == "pods" && attrs.Verb == "list"
		if !review.Status.Allowed {
			review.Status.Reason = "the fake webhook only lets webhook-user list pods"
		}
		_ = json.NewEncoder(w).Encode(review)
	}))
	DeferCleanup(ts.Close)
	config := clientcmdapi.NewConfig()
	config.Clusters["webhook"] = &clientcmdapi.Cluster{
		Server:                   ts.URL,
		CertificateAuthorityData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}),
	}
	config.AuthInfos["apiserver"] = &clientcmdapi.AuthInfo{}
	config.Contexts["webhook"] = &clientcmdapi.Context{Cluster: "webhook", AuthInfo: "apiserver"}
	config.CurrentContext = "webhook"
	kubeconfig = filepath.Join(GinkgoT().TempDir(), "webhook.kubeconfig")
	Expect(clientcmd.WriteToFile(*config, kubeconfig)).To(Succeed())
	return kubeconfig, reviews
}

var _ = Describe("Authorization modes", Label("rbac"), func() {
	It("asks a remote authorizer after RBAC with --authorization-mode=RBAC,Webhook", func(ctx context.Context) {
		kubeconfig, reviews := fakeWebhookAuthorizer()
		s := startServer(framework.ServerConfig{Customize: func(o *server.Options) {
			o.Authorization.Modes = []string{server.ModeRBAC, server.ModeWebhook}
			o.Authorization.WebhookConfigFile = kubeconfig
			o.Authorization.WebhookVersion = "v1"
		}})
		_, err := s.UserClient("webhook-user").CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(*reviews).To(BeNumerically(">", 0))

		_, err = s.UserClient("webhook-user").CoreV1().Pods("default").Create(ctx, newPod("p"), metav1.CreateOptions{})
		expectForbidden(err, `pods is forbidden: User "webhook-user" cannot create resource "pods" in API group "" in the namespace "default": webhook: the fake webhook only lets webhook-user list pods`)

		By("not asking it about what RBAC allows")
		before := *reviews
		_, err = s.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(*reviews).To(Equal(before))
	})

	It("lets every authenticated user do anything with AlwaysAllow, and anonymous only reach health and version", func(ctx context.Context) {
		s := startServer(framework.ServerConfig{Customize: func(o *server.Options) {
			o.Authorization.Modes = []string{server.ModeAlwaysAllow}
		}})
		_, err := s.UserClient("anyone").CoreV1().Pods("default").Create(ctx, newPod("p"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		anonymous := s.RawAs(s.AnonymousConfig())
		Expect(anonymous.Do(ctx, http.MethodGet, "/healthz", "", nil).Code).To(Equal(http.StatusOK))
		res := anonymous.Do(ctx, http.MethodGet, "/api/v1/namespaces/default/pods", "", nil)
		Expect(res.Code).To(Equal(http.StatusUnauthorized))
	})

	It("refuses every anonymous request with --anonymous-auth=false", func(ctx context.Context) {
		s := startServer(framework.ServerConfig{Customize: func(o *server.Options) { o.AnonymousAuth = false }})
		anonymous := s.RawAs(s.AnonymousConfig())
		for _, path := range []string{"/healthz", "/version", "/api/v1/namespaces/default/pods"} {
			Expect(anonymous.Do(ctx, http.MethodGet, path, "", nil).Code).To(Equal(http.StatusUnauthorized), path)
		}
	})

	It("rejects unknown and repeated modes", func() {
		for modes, message := range map[string]string{
			"ABAC":      `authorization-mode "ABAC" is not a valid mode, use one of RBAC,AlwaysAllow,Webhook`,
			"RBAC,RBAC": `authorization-mode "RBAC" has mode specified more than once`,
			"Webhook":   `authorization-mode Webhook's authorization config file not passed`,
		} {
			o := server.NewOptions()
			o.Authorization.Modes = strings.Split(modes, ",")
			Expect(o.Validate()).To(MatchError(ContainSubstring(message)), modes)
		}
	})
})
