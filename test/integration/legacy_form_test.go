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

// The Kubernetes 1.16 form of pods/ephemeralcontainers (kind
// EphemeralContainers), served beside the Pod form on the same path: what
// a 1.16 client sends and gets back, the GET form in each
// --ephemeral-containers-get-form mode, both forms interleaved on one pod,
// and the typed clients.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"

	versioned "github.com/ephemeral-apiserver/api/client/clientset/versioned"
	"github.com/ephemeral-apiserver/api/client/legacyform"
	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apiserver/wireform"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

const (
	// askLegacyForm is the Accept that asks a GET for the 1.16 form.
	askLegacyForm = "application/json;" + wireform.LegacyFormAcceptParameter + ";v=v1;g="
	// User-Agents of a kubectl that speaks the 1.16 form and of one that
	// does not.
	kubectl120Agent = "kubectl/v1.20.2 (linux/amd64) kubernetes/faecb19"
	kubectl132Agent = "kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd"
)

// serverWithGetForm starts a server with the gate on and the given GET form
// ("" is the default, auto).
func serverWithGetForm(form wireform.GetForm) *framework.TestServer {
	GinkgoHelper()
	return startServer(framework.ServerConfig{
		FeatureGates: map[string]bool{"EphemeralContainers": true},
		Customize: func(o *server.Options) {
			if form != "" {
				o.EphemeralContainersGetForm = form
			}
		},
	})
}

// getLegacy reads the subresource in the 1.16 form, asked for by Accept.
func (a *rawAPI) getLegacy(ctx context.Context, name string) *legacyv1.EphemeralContainers {
	GinkgoHelper()
	r := a.send(ctx, request{Method: http.MethodGet, Path: a.ephemeralPath(name), Accept: askLegacyForm})
	Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
	return r.legacy()
}

// legacy decodes a JSON response of kind EphemeralContainers.
func (r reply) legacy() *legacyv1.EphemeralContainers {
	GinkgoHelper()
	Expect(r.Header.Get("Content-Type")).To(HavePrefix(ctJSON))
	var ec legacyv1.EphemeralContainers
	Expect(json.Unmarshal(r.Body, &ec)).To(Succeed(), "%s", r.Body)
	Expect(ec.Kind).To(Equal("EphemeralContainers"), "%s", r.Body)
	Expect(ec.APIVersion).To(Equal("v1"), "%s", r.Body)
	return &ec
}

// kind is the kind a JSON response declares.
func (r reply) kind() string {
	var tm metav1.TypeMeta
	_ = json.Unmarshal(r.Body, &tm)
	return tm.Kind
}

// legacyBody is a PUT body in the 1.16 form; metadata is a JSON object.
func legacyBody(metadata string, containers ...string) string {
	return fmt.Sprintf(`{"apiVersion":"v1","kind":"EphemeralContainers","metadata":%s,"ephemeralContainers":[%s]}`,
		metadata, strings.Join(containers, ","))
}

// legacySeedBody is the 1.16 docs' ec.json for a pod name.
func legacySeedBody(name string) string {
	return fmt.Sprintf(`{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":%q},"ephemeralContainers":[{"command":["sh"],"image":"busybox","imagePullPolicy":"IfNotPresent","name":"debugger","stdin":true,"tty":true,"terminationMessagePolicy":"File"}]}`, name)
}

// legacySeedEntry is the entry the seed body stores, with the defaults both
// forms apply (terminationMessagePath since 1.20).
var legacySeedEntry = corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
	Name: "debugger", Image: "busybox", Command: []string{"sh"},
	TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	ImagePullPolicy: corev1.PullIfNotPresent, Stdin: true, TTY: true,
}}

var _ = Describe("pods/ephemeralcontainers in its Kubernetes 1.16 form", Label("legacy"), func() {
	Context("on a server in the default (auto) GET form", Ordered, func() {
		var (
			s   *framework.TestServer
			api *rawAPI
		)
		BeforeAll(func() {
			s = serverWithGetForm("")
			api = newRawAPIInFreshNamespace(s, "legacy")
		})

		// seeded is a fixture pod with the 1.16 docs' debugger added in the
		// 1.16 form.
		seeded := func(ctx context.Context, prefix string) *corev1.Pod {
			GinkgoHelper()
			pod := api.createFixture(ctx, prefix)
			Expect(api.put(ctx, pod.Name, legacySeedBody(pod.Name)).Code).To(Equal(http.StatusOK))
			return api.getPod(ctx, pod.Name)
		}

		Describe("what a 1.16 client sends and gets back", func() {
			It("answers the 1.16 view: identity only, no labels, and a list that is [] not null", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l01")
				r := api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(pod.Name), Accept: askLegacyForm})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				var raw map[string]interface{}
				Expect(json.Unmarshal(r.Body, &raw)).To(Succeed())
				Expect(raw).To(HaveLen(4), "kind, apiVersion, metadata, ephemeralContainers: %s", r.Body)
				Expect(raw).To(HaveKeyWithValue("kind", "EphemeralContainers"))
				Expect(raw).To(HaveKeyWithValue("apiVersion", "v1"))
				Expect(raw).To(HaveKeyWithValue("ephemeralContainers", BeEmpty()))
				Expect(strings.TrimSpace(string(r.Body))).To(HaveSuffix(`"ephemeralContainers":[]}`))
				Expect(raw["metadata"]).To(HaveLen(6))
				Expect(raw["metadata"]).To(And(
					HaveKeyWithValue("name", pod.Name),
					HaveKeyWithValue("namespace", api.ns),
					HaveKeyWithValue("selfLink", api.ephemeralPath(pod.Name)),
					HaveKeyWithValue("uid", string(pod.UID)),
					HaveKeyWithValue("resourceVersion", pod.ResourceVersion),
					HaveKeyWithValue("creationTimestamp", pod.CreationTimestamp.UTC().Format("2006-01-02T15:04:05Z")),
				))
			})

			It("stores the 1.16 docs' body and answers it in the 1.16 form", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l02")
				r := api.put(ctx, pod.Name, legacySeedBody(pod.Name))
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				ec := r.legacy()
				Expect(ec.Name).To(Equal(pod.Name))
				Expect(ec.Namespace).To(Equal(api.ns))
				Expect(ec.UID).To(Equal(pod.UID))
				Expect(ec.CreationTimestamp).To(Equal(pod.CreationTimestamp))
				Expect(ec.ResourceVersion).NotTo(Equal(pod.ResourceVersion), "the write is a new resourceVersion")
				Expect(ec.Labels).To(BeNil())
				Expect(ec.EphemeralContainers).To(Equal([]corev1.EphemeralContainer{legacySeedEntry}))
				Expect(string(r.Body)).To(ContainSubstring(`"resources":{}`))

				By("the main resource shows it")
				got := api.getPod(ctx, pod.Name)
				Expect(ephemeralNames(got.Spec.EphemeralContainers)).To(Equal([]string{"debugger"}))
				Expect(got.Spec.EphemeralContainers[0]).To(Equal(legacySeedEntry))
				Expect(got.ResourceVersion).To(Equal(ec.ResourceVersion))
				Expect(got.Generation).To(Equal(int64(2)))
				Expect(got.Labels).To(Equal(map[string]string{"app": "a"}))
			})

			It("refuses a name that is not the URL's with 400", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l04")
				st := api.put(ctx, pod.Name, legacyBody(`{"name":"other"}`, debugContainer("d"))).status(http.StatusBadRequest, metav1.StatusReasonBadRequest)
				Expect(st.Message).To(Equal(fmt.Sprintf("the name of the object (other) does not match the name on the URL (%s)", pod.Name)))
				api.expectUnchanged(ctx, pod)
			})

			It("refuses a stale resourceVersion with 409", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l05")
				Expect(api.patch(ctx, pod.Name, ctSMP, `{"spec":{"ephemeralContainers":[`+debugContainer("first")+`]}}`).Code).To(Equal(http.StatusOK))
				current := api.getPod(ctx, pod.Name)

				body := legacyBody(fmt.Sprintf(`{"name":%q,"resourceVersion":%q}`, pod.Name, pod.ResourceVersion), debugContainer("first"), debugContainer("d"))
				st := api.put(ctx, pod.Name, body).status(http.StatusConflict, metav1.StatusReasonConflict)
				Expect(st.Message).To(Equal(fmt.Sprintf(`Operation cannot be fulfilled on pods %q: the object has been modified; please apply your changes to the latest version and try again`, pod.Name)))
				Expect(st.Details).To(Equal(&metav1.StatusDetails{Name: pod.Name, Kind: "pods"}))
				api.expectUnchanged(ctx, current)

				By("the current resourceVersion is accepted")
				body = legacyBody(fmt.Sprintf(`{"name":%q,"resourceVersion":%q}`, pod.Name, current.ResourceVersion), debugContainer("first"), debugContainer("d"))
				Expect(ephemeralNames(api.put(ctx, pod.Name, body).legacy().EphemeralContainers)).To(Equal([]string{"first", "d"}))
			})

			It("takes only name, namespace, uid and resourceVersion from the request's metadata", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l06")
				r := api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q,"labels":{"x":"y"},"annotations":{"whiz":"bang"},"finalizers":["milo"]}`, pod.Name), debugContainer("d")))
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.legacy().Labels).To(BeNil())
				got := api.getPod(ctx, pod.Name)
				Expect(got.Labels).To(Equal(map[string]string{"app": "a"}))
				Expect(got.Annotations).To(BeEmpty())
				Expect(got.Finalizers).To(BeEmpty())
				Expect(ephemeralNames(got.Spec.EphemeralContainers)).To(Equal([]string{"d"}))
			})

			It("refuses an empty list once one exists", func(ctx context.Context) {
				pod := seeded(ctx, "l07")
				st := api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name))).invalid(pod.Name, cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers"})
				Expect(st.Details.Causes[0].Message).To(Equal("Forbidden: existing ephemeral containers \"debugger\" may not be removed\n"))
				api.expectUnchanged(ctx, pod)
			})

			It("reads a missing list as nil and refuses it", func(ctx context.Context) {
				pod := seeded(ctx, "l08")
				body := fmt.Sprintf(`{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":%q}}`, pod.Name)
				st := api.put(ctx, pod.Name, body).invalid(pod.Name, cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers"})
				Expect(st.Message).To(ContainSubstring(`existing ephemeral containers "debugger" may not be removed`))
				api.expectUnchanged(ctx, pod)
			})

			It("refuses a change to an existing entry", func(ctx context.Context) {
				pod := seeded(ctx, "l09")
				changed := `{"command":["sh"],"image":"busybox:1.37","imagePullPolicy":"IfNotPresent","name":"debugger","stdin":true,"tty":true,"terminationMessagePolicy":"File"}`
				st := api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), changed)).invalid(pod.Name, cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers"})
				Expect(st.Message).To(ContainSubstring(`existing ephemeral containers "debugger" may not be changed`))
				api.expectUnchanged(ctx, pod)
			})

			It("appends with a JSON patch on /ephemeralContainers/-, even to an empty list", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l10")
				r := api.patch(ctx, pod.Name, ctJSONPatch, `[{"op":"add","path":"/ephemeralContainers/-","value":`+debugContainer("d")+`}]`)
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(ephemeralNames(r.legacy().EphemeralContainers)).To(Equal([]string{"d"}))
				Expect(api.getPod(ctx, pod.Name).Generation).To(Equal(int64(2)))
			})

			// Upstream 1.16-1.21 answered a Pod-shaped patch with a no-op in
			// the 1.16 form, which is what made kubectl 1.22+ fall back. Here
			// the Pod shape is the Pod form, by design: kubectl 1.22+ gets
			// what it asked for and never needs its fallback.
			It("serves a Pod-shaped SMP in the Pod form, not as a 1.16 no-op", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l11")
				r := api.patch(ctx, pod.Name, ctSMP, `{"spec":{"ephemeralContainers":[`+debugContainer("d")+`]}}`)
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				got := r.Pod()
				Expect(ephemeralNames(got.Spec.EphemeralContainers)).To(Equal([]string{"d"}))
				Expect(got.Generation).To(Equal(int64(2)))
			})

			It("merges an SMP of the 1.16 form by name", func(ctx context.Context) {
				pod := seeded(ctx, "l12")
				// Merged by name; with no $setElementOrder the patch's entries
				// come first, as in any strategic merge.
				r := api.patch(ctx, pod.Name, ctSMP, `{"ephemeralContainers":[`+debugContainer("d2")+`]}`)
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(ephemeralNames(r.legacy().EphemeralContainers)).To(Equal([]string{"d2", "debugger"}))

				By("with $setElementOrder the order is the patch's")
				r = api.patch(ctx, pod.Name, ctSMP, `{"$setElementOrder/ephemeralContainers":[{"name":"debugger"},{"name":"d2"},{"name":"d3"}],"ephemeralContainers":[`+debugContainer("d3")+`]}`)
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(ephemeralNames(r.legacy().EphemeralContainers)).To(Equal([]string{"debugger", "d2", "d3"}))
				Expect(r.legacy().EphemeralContainers[0]).To(Equal(legacySeedEntry), "the existing entry is untouched")
			})

			It("refuses a merge patch of the 1.16 form that replaces the list", func(ctx context.Context) {
				pod := seeded(ctx, "l13")
				st := api.patch(ctx, pod.Name, ctMerge, `{"ephemeralContainers":[`+debugContainer("d2")+`]}`).invalid(pod.Name, cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers"})
				Expect(st.Message).To(ContainSubstring(`existing ephemeral containers "debugger" may not be removed`))
				api.expectUnchanged(ctx, pod)
			})

			// 1.16-1.20 forbade securityContext. Both forms here are
			// validated with today's rules (securityContext allowed since
			// 1.21, PR #99023), so a securityContext is accepted, and
			// privileged is refused only by --allow-privileged policy.
			It("accepts a securityContext in the 1.16 form, with today's rules", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l14")
				r := api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), debugContainerWith("d", `"securityContext":{"capabilities":{"add":["SYS_PTRACE"]}}`)))
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.legacy().EphemeralContainers[0].SecurityContext.Capabilities.Add).To(Equal([]corev1.Capability{"SYS_PTRACE"}))

				By("privileged, without --allow-privileged")
				current := api.getPod(ctx, pod.Name)
				st := api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), debugContainerWith("d", `"securityContext":{"capabilities":{"add":["SYS_PTRACE"]}}`), debugContainerWith("p", `"securityContext":{"privileged":true}`))).
					invalid(pod.Name, cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers[1].securityContext.privileged"})
				Expect(st.Details.Causes[0].Message).To(Equal("Forbidden: disallowed by cluster policy"))
				api.expectUnchanged(ctx, current)
			})

			// 1.16-1.19 did not default the policies (Required errors
			// instead), and paths had a double index before 1.25. Both forms
			// here default as 1.20+ and report today's single-index paths.
			It("defaults the policies and reports single-index paths", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l15")
				r := api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), `{"name":"d","image":"busybox"}`))
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				ec := r.legacy().EphemeralContainers[0]
				Expect(ec.ImagePullPolicy).To(Equal(corev1.PullAlways), "an untagged image is latest")
				Expect(ec.TerminationMessagePolicy).To(Equal(corev1.TerminationMessageReadFile))
				Expect(ec.TerminationMessagePath).To(Equal("/dev/termination-log"))

				By("a container with neither name nor image")
				current := api.getPod(ctx, pod.Name)
				api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), `{"name":"d","image":"busybox"}`, `{}`)).invalid(pod.Name,
					cause{metav1.CauseTypeFieldValueRequired, "spec.ephemeralContainers[1].name"},
					cause{metav1.CauseTypeFieldValueRequired, "spec.ephemeralContainers[1].image"})
				api.expectUnchanged(ctx, current)
			})

			// Upstream's 1.16 endpoint failed a Pod body with a plain error
			// (500). Here a Pod body is simply the Pod form.
			It("serves a PUT of kind Pod in the Pod form", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l16")
				pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "d", Image: "busybox:1.36"}}}
				body, err := json.Marshal(pod)
				Expect(err).NotTo(HaveOccurred())
				r := api.put(ctx, pod.Name, string(body))
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(ephemeralNames(r.Pod().Spec.EphemeralContainers)).To(Equal([]string{"d"}))
			})

			// Discovery cannot depend on the request's form; it names the
			// Pod, as upstream 1.22+, in every GET mode (see the mode specs).
			It("lists the subresource in discovery with verbs get, patch, update", func(ctx context.Context) {
				expectDiscovery(ctx, api)
			})

			It("refuses ephemeral containers on create", func(ctx context.Context) {
				r := api.send(ctx, request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/namespaces/%s/pods", api.ns), Body: []byte(
					`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"l18"},"spec":{"containers":[{"name":"ctr","image":"busybox:1.36"}],"ephemeralContainers":[` + debugContainer("d") + `]}}`)})
				st := r.invalid("l18", cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers"})
				Expect(st.Message).To(HaveSuffix("spec.ephemeralContainers: Forbidden: cannot be set on create"))
			})

			It("refuses the name of a regular container as Duplicate", func(ctx context.Context) {
				pod := api.createFixture(ctx, "l19")
				api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), debugContainer("ctr"))).
					invalid(pod.Name, cause{metav1.CauseTypeFieldValueDuplicate, "spec.ephemeralContainers[0].name"})
				api.expectUnchanged(ctx, pod)
			})
		})

		Describe("errors in the 1.16 form", func() {
			It("answers 404 naming the pod for a missing pod, on GET, PUT and patch", func(ctx context.Context) {
				for _, r := range []reply{
					api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath("nope"), Accept: askLegacyForm}),
					api.put(ctx, "nope", legacyBody(`{"name":"nope"}`, debugContainer("d"))),
					api.patch(ctx, "nope", ctJSONPatch, `[{"op":"add","path":"/ephemeralContainers/-","value":`+debugContainer("d")+`}]`),
				} {
					st := r.status(http.StatusNotFound, metav1.StatusReasonNotFound)
					Expect(st.Message).To(Equal(`pods "nope" not found`))
					Expect(st.Details).To(Equal(&metav1.StatusDetails{Name: "nope", Kind: "pods"}))
				}
			})

			It("refuses several invalid entries at once with one cause each", func(ctx context.Context) {
				pod := api.createFixture(ctx, "causes")
				api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name),
					debugContainerWith("d1", `"targetContainerName":"bogus"`),
					debugContainerWith("d2", `"ports":[]`),
					debugContainerWith("d3", `"volumeMounts":[{"name":"vol","mountPath":"/v","subPath":"x"}]`),
					debugContainer("d1"),
				)).invalid(pod.Name,
					cause{metav1.CauseTypeFieldValueNotFound, "spec.ephemeralContainers[0].targetContainerName"},
					cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers[1].ports"},
					cause{metav1.CauseTypeForbidden, "spec.ephemeralContainers[2].volumeMounts[0].subPath"},
					cause{metav1.CauseTypeFieldValueDuplicate, "spec.ephemeralContainers[3].name"},
				)
				api.expectUnchanged(ctx, pod)
			})

			DescribeTable("answers a body that is neither form with 400 and a Status",
				func(ctx context.Context, contentType, body, message string) {
					pod := api.createFixture(ctx, "neither")
					r := api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name), ContentType: contentType, Body: []byte(body)})
					st := r.status(http.StatusBadRequest, metav1.StatusReasonBadRequest)
					Expect(st.Message).To(ContainSubstring(message))
					api.expectUnchanged(ctx, pod)
				},
				Entry("another kind", ctJSON, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}`, `ConfigMap in version "v1" cannot be handled as a Pod`),
				Entry("an unknown kind", ctJSON, `{"apiVersion":"v1","kind":"Bogus","metadata":{"name":"x"}}`, `no kind "Bogus" is registered for version "v1"`),
				Entry("the 1.16 kind in another group", ctJSON, `{"apiVersion":"apps/v1","kind":"EphemeralContainers","metadata":{"name":"x"},"ephemeralContainers":[]}`, `no kind "EphemeralContainers" is registered for version "apps/v1"`),
				Entry("a JSON array", ctJSON, `[{"kind":"EphemeralContainers"}]`, `the object provided is unrecognized`),
				Entry("malformed JSON", ctJSON, `{"kind":"EphemeralContainers",`, `the object provided is unrecognized`),
				Entry("the 1.16 kind with a list that is not a list", ctJSON, `{"apiVersion":"v1","kind":"EphemeralContainers","metadata":{"name":"x"},"ephemeralContainers":{}}`, `cannot be handled as a EphemeralContainers`),
			)

			It("answers a JSON patch that cannot apply to the 1.16 view with a 4xx Status", func(ctx context.Context) {
				pod := api.createFixture(ctx, "badpatch")
				r := api.patch(ctx, pod.Name, ctJSONPatch, `[{"op":"replace","path":"/ephemeralContainers/5","value":`+debugContainer("d")+`}]`)
				Expect(r.Code).To(BeNumerically(">=", 400))
				Expect(r.Code).To(BeNumerically("<", 500), "%s", r.Body)
				Expect(r.kind()).To(Equal("Status"))
				api.expectUnchanged(ctx, pod)
			})
		})

		Describe("dry run and field validation in the 1.16 form", func() {
			It("dryRun=All answers the result and stores nothing", func(ctx context.Context) {
				pod := api.createFixture(ctx, "dryrun")
				r := api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name) + "?dryRun=All", Body: []byte(legacySeedBody(pod.Name))})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.legacy().EphemeralContainers).To(Equal([]corev1.EphemeralContainer{legacySeedEntry}))

				r = api.send(ctx, request{Method: http.MethodPatch, Path: api.ephemeralPath(pod.Name) + "?dryRun=All", ContentType: ctJSONPatch,
					Body: []byte(`[{"op":"add","path":"/ephemeralContainers/-","value":` + debugContainer("d") + `}]`)})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(ephemeralNames(r.legacy().EphemeralContainers)).To(Equal([]string{"d"}))
				api.expectUnchanged(ctx, pod)
			})

			It("fieldValidation=Strict refuses an unknown field, the default warns", func(ctx context.Context) {
				pod := api.createFixture(ctx, "strict")
				body := []byte(legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), debugContainerWith("d", `"bogus":1`)))
				st := api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name) + "?fieldValidation=Strict", Body: body}).
					status(http.StatusBadRequest, metav1.StatusReasonBadRequest)
				Expect(st.Message).To(ContainSubstring(`strict decoding error: unknown field "ephemeralContainers[0].bogus"`))
				api.expectUnchanged(ctx, pod)

				r := api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name), Body: body})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.Header.Values("Warning")).To(ConsistOf(`299 - "unknown field \"ephemeralContainers[0].bogus\""`))
				Expect(ephemeralNames(r.legacy().EphemeralContainers)).To(Equal([]string{"d"}))
			})

			It("fieldValidation=Strict refuses a Pod field in a 1.16 body", func(ctx context.Context) {
				pod := api.createFixture(ctx, "strictspec")
				body := strings.TrimSuffix(legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), debugContainer("d")), "}") + `,"spec":{}}`
				st := api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name) + "?fieldValidation=Strict", Body: []byte(body)}).
					status(http.StatusBadRequest, metav1.StatusReasonBadRequest)
				Expect(st.Message).To(ContainSubstring(`unknown field "spec"`))
				api.expectUnchanged(ctx, pod)
			})
		})

		Describe("other encodings in the 1.16 form", func() {
			It("reads and writes YAML", func(ctx context.Context) {
				pod := api.createFixture(ctx, "yaml")
				body := fmt.Sprintf("apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: %s\nephemeralContainers:\n- name: d\n  image: busybox:1.36\n", pod.Name)
				r := api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name), ContentType: ctYAML, Accept: ctYAML, Body: []byte(body)})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.Header.Get("Content-Type")).To(Equal(ctYAML))
				Expect(string(r.Body)).To(HavePrefix("apiVersion: v1\nephemeralContainers:\n- image: busybox:1.36\n"))
				Expect(string(r.Body)).To(ContainSubstring("\nkind: EphemeralContainers\n"))
			})

			It("applies server-side in the 1.16 form", func(ctx context.Context) {
				pod := api.createFixture(ctx, "apply")
				body := fmt.Sprintf("apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: %s\nephemeralContainers:\n- name: d\n  image: busybox:1.36\n", pod.Name)
				r := api.send(ctx, request{Method: http.MethodPatch, Path: api.ephemeralPath(pod.Name) + "?fieldManager=lf", ContentType: ctApply, Body: []byte(body)})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(ephemeralNames(r.legacy().EphemeralContainers)).To(Equal([]string{"d"}))
				Expect(ephemeralNames(api.getPod(ctx, pod.Name).Spec.EphemeralContainers)).To(Equal([]string{"d"}))
			})

			It("records no managedFields for a write in the 1.16 form, apply included", func(ctx context.Context) {
				pod := api.createFixture(ctx, "managed")
				before := api.getPod(ctx, pod.Name).ManagedFields
				Expect(before).NotTo(BeEmpty(), "the create's entry")

				Expect(api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), debugContainer("put"))).Code).To(Equal(http.StatusOK))
				Expect(api.patch(ctx, pod.Name, ctJSONPatch, `[{"op":"add","path":"/ephemeralContainers/-","value":`+debugContainer("json")+`}]`).Code).To(Equal(http.StatusOK))
				body := fmt.Sprintf("apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: %s\nephemeralContainers:\n- name: applied\n  image: busybox:1.36\n", pod.Name)
				r := api.send(ctx, request{Method: http.MethodPatch, Path: api.ephemeralPath(pod.Name) + "?fieldManager=lf", ContentType: ctApply, Body: []byte(body)})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.legacy().ManagedFields).To(BeEmpty())

				after := api.getPod(ctx, pod.Name)
				Expect(ephemeralNames(after.Spec.EphemeralContainers)).To(Equal([]string{"put", "json", "applied"}))
				Expect(after.ManagedFields).To(Equal(before))
			})

			// EphemeralContainers has no protobuf marshalling here (upstream
			// 1.16-1.21 had a generated one), so the 1.16 form offers JSON
			// and YAML only: a client that also accepts JSON, as client-go's
			// protobuf default does, gets JSON; one that accepts protobuf
			// only is refused before anything is stored.
			It("answers a protobuf client that also accepts JSON in JSON", func(ctx context.Context) {
				pod := api.createFixture(ctx, "proto")
				accept := ctProtobuf + ";" + wireform.LegacyFormAcceptParameter + ";v=v1;g=, application/json"
				r := api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(pod.Name), Accept: accept})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.legacy().UID).To(Equal(pod.UID))

				r = api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name), Accept: ctProtobuf + ", application/json", Body: []byte(legacySeedBody(pod.Name))})
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				Expect(r.legacy().EphemeralContainers).To(Equal([]corev1.EphemeralContainer{legacySeedEntry}))
			})

			It("refuses a protobuf-only Accept with 406 and stores nothing", func(ctx context.Context) {
				pod := api.createFixture(ctx, "proto406")
				for _, r := range []reply{
					api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(pod.Name), Accept: ctProtobuf + ";" + wireform.LegacyFormAcceptParameter}),
					api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name), Accept: ctProtobuf, Body: []byte(legacySeedBody(pod.Name))}),
				} {
					Expect(r.Code).To(Equal(http.StatusNotAcceptable), "%s", r.Body)
					Expect(r.Header.Get("Content-Type")).To(Equal(ctProtobuf), "a Status in the encoding asked for")
					Expect(string(r.Body)).To(HavePrefix("k8s\x00"))
					Expect(string(r.Body)).To(ContainSubstring("NotAcceptable"))
				}
				api.expectUnchanged(ctx, pod)
			})

			It("refuses a protobuf body in the 1.16 form with 415 and a Status", func(ctx context.Context) {
				pod := api.createFixture(ctx, "proto415")
				r := api.send(ctx, request{Method: http.MethodPut, Path: api.ephemeralPath(pod.Name), ContentType: ctProtobuf, Body: legacyProtobufBody(pod.Name)})
				st := r.status(http.StatusUnsupportedMediaType, metav1.StatusReasonUnsupportedMediaType)
				Expect(st.Message).To(Equal("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"))
				api.expectUnchanged(ctx, pod)
			})
		})

		It("sets metadata.selfLink on every answer in the 1.16 form, and on none in the Pod form", func(ctx context.Context) {
			pod := api.createFixture(ctx, "selflink")
			want := fmt.Sprintf("/api/v1/namespaces/%s/pods/%s/ephemeralcontainers", api.ns, pod.Name)
			Expect(api.ephemeralPath(pod.Name)).To(Equal(want))
			selfLinkOf := func(r reply) string {
				GinkgoHelper()
				Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
				var obj struct {
					Kind     string `json:"kind"`
					Metadata map[string]interface{}
				}
				Expect(json.Unmarshal(r.Body, &obj)).To(Succeed(), "%s", r.Body)
				link, _ := obj.Metadata["selfLink"].(string)
				return link
			}
			apply := func(container string) reply {
				body := fmt.Sprintf("apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: %s\nephemeralContainers:\n- name: %s\n  image: busybox:1.36\n", pod.Name, container)
				return api.send(ctx, request{Method: http.MethodPatch, Path: api.ephemeralPath(pod.Name) + "?fieldManager=lf", ContentType: ctApply, Body: []byte(body)})
			}

			By("the 1.16 form: GET, PUT, each patch type, apply and a dry run")
			Expect(selfLinkOf(api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(pod.Name), Accept: askLegacyForm}))).To(Equal(want))
			Expect(selfLinkOf(api.put(ctx, pod.Name, legacyBody(fmt.Sprintf(`{"name":%q}`, pod.Name), debugContainer("put"))))).To(Equal(want))
			Expect(selfLinkOf(api.patch(ctx, pod.Name, ctJSONPatch, `[{"op":"add","path":"/ephemeralContainers/-","value":`+debugContainer("json")+`}]`))).To(Equal(want))
			Expect(selfLinkOf(api.patch(ctx, pod.Name, ctSMP, `{"ephemeralContainers":[`+debugContainer("smp")+`]}`))).To(Equal(want))
			Expect(selfLinkOf(api.patch(ctx, pod.Name, ctMerge, `{"ephemeralContainers":[`+debugContainer("put")+`,`+debugContainer("json")+`,`+debugContainer("smp")+`,`+debugContainer("merge")+`]}`))).To(Equal(want))
			Expect(selfLinkOf(apply("applied"))).To(Equal(want))
			dry := api.send(ctx, request{Method: http.MethodPatch, Path: api.ephemeralPath(pod.Name) + "?dryRun=All", ContentType: ctJSONPatch,
				Body: []byte(`[{"op":"add","path":"/ephemeralContainers/-","value":` + debugContainer("dry") + `}]`)})
			Expect(selfLinkOf(dry)).To(Equal(want))

			By("the Pod form: GET and a patch answer the Pod without one, as upstream since 1.20")
			Expect(selfLinkOf(api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(pod.Name)}))).To(BeEmpty())
			Expect(selfLinkOf(api.patch(ctx, pod.Name, ctSMP, `{"spec":{"ephemeralContainers":[`+debugContainer("modern")+`]}}`))).To(BeEmpty())
			Expect(selfLinkOf(api.send(ctx, request{Method: http.MethodGet, Path: api.podPath(pod.Name)}))).To(BeEmpty())

			By("the stored pod keeps none")
			Expect(api.getPod(ctx, pod.Name).SelfLink).To(BeEmpty())
		})

		It("keeps list, resourceVersion and generation consistent across both forms interleaved on one pod", func(ctx context.Context) {
			pod := api.createFixture(ctx, "interleave")
			name := pod.Name
			generation := int64(1)
			var want []string

			// check compares a write's answer with both GET forms.
			check := func(step string, rv string, names []string) {
				GinkgoHelper()
				By(step + ": both forms agree")
				generation++
				want = append(want, names...)
				got := api.getPod(ctx, name)
				view := api.getLegacy(ctx, name)
				Expect(ephemeralNames(got.Spec.EphemeralContainers)).To(Equal(want))
				Expect(view.EphemeralContainers).To(Equal(got.Spec.EphemeralContainers), "an entry reads the same in both forms")
				Expect(got.ResourceVersion).To(Equal(rv), "the write's answer is the stored resourceVersion")
				Expect(view.ResourceVersion).To(Equal(rv))
				Expect(view.UID).To(Equal(pod.UID))
				Expect(got.Generation).To(Equal(generation), "every add bumps the generation once")
				Expect(got.Labels).To(Equal(map[string]string{"app": "a"}))
				Expect(got.Status.Phase).To(Equal(corev1.PodPending))
			}

			By("1: a 1.16 PUT with the resourceVersion of a 1.16 GET")
			view := api.getLegacy(ctx, name)
			Expect(view.ResourceVersion).To(Equal(pod.ResourceVersion))
			view.EphemeralContainers = append(view.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "d1", Image: "busybox:1.36"}})
			body, err := json.Marshal(view)
			Expect(err).NotTo(HaveOccurred())
			r := api.put(ctx, name, string(body))
			Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
			check("1.16 PUT", r.legacy().ResourceVersion, []string{"d1"})

			By("2: a Pod-form SMP, as kubectl 1.22+ sends")
			r = api.patch(ctx, name, ctSMP, `{"spec":{"$setElementOrder/ephemeralContainers":[{"name":"d1"},{"name":"d2"}],"ephemeralContainers":[`+debugContainer("d2")+`]}}`)
			Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
			check("Pod SMP", r.Pod().ResourceVersion, []string{"d2"})

			By("3: a 1.16 JSON patch appending, as kubectl 1.22+'s fallback sends")
			r = api.patch(ctx, name, ctJSONPatch, `[{"op":"add","path":"/ephemeralContainers/-","value":`+debugContainer("d3")+`}]`)
			Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
			check("1.16 JSON patch", r.legacy().ResourceVersion, []string{"d3"})

			By("4: a Pod-form PUT of the whole pod")
			current := api.getPod(ctx, name)
			current.Spec.EphemeralContainers = append(current.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "d4", Image: "busybox:1.36"}})
			body, err = json.Marshal(current)
			Expect(err).NotTo(HaveOccurred())
			r = api.put(ctx, name, string(body))
			Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
			check("Pod PUT", r.Pod().ResourceVersion, []string{"d4"})

			By("5: a 1.16 merge patch of the whole list as a 1.16 GET read it, plus one")
			view = api.getLegacy(ctx, name)
			list, err := json.Marshal(view.EphemeralContainers)
			Expect(err).NotTo(HaveOccurred())
			r = api.patch(ctx, name, ctMerge, fmt.Sprintf(`{"metadata":{"resourceVersion":%q},"ephemeralContainers":%s}`,
				view.ResourceVersion, strings.TrimSuffix(string(list), "]")+","+debugContainer("d5")+"]"))
			Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
			check("1.16 merge patch", r.legacy().ResourceVersion, []string{"d5"})

			By("6: a stale 1.16 PUT and a stale Pod PUT are both refused")
			Expect(api.put(ctx, name, string(body)).Code).To(Equal(http.StatusConflict))
			stale, err := json.Marshal(view)
			Expect(err).NotTo(HaveOccurred())
			Expect(api.put(ctx, name, string(stale)).Code).To(Equal(http.StatusConflict))
			final := api.getPod(ctx, name)
			Expect(ephemeralNames(final.Spec.EphemeralContainers)).To(Equal([]string{"d1", "d2", "d3", "d4", "d5"}))
			Expect(final.Generation).To(Equal(int64(6)))

			By("7: the Pod form GET of the subresource is the pod")
			r = api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(name)})
			Expect(r.Code).To(Equal(http.StatusOK))
			r.Pod()
			Expect(r.Body).To(MatchJSON(api.getPodJSON(ctx, name)))
		})

		Describe("typed clients on one pod", func() {
			It("our staging client and client-go's UpdateEphemeralContainers work on the same pod", func(ctx context.Context) {
				pod := api.createFixture(ctx, "typed")
				// The generated GetEphemeralContainers sends client-go's
				// default Accept; in auto mode it must ask for the 1.16 form.
				cfg := rest.CopyConfig(s.ClientConfig)
				cfg.AcceptContentTypes = askLegacyForm
				legacyClient, err := versioned.NewForConfig(cfg)
				Expect(err).NotTo(HaveOccurred())
				pods := legacyClient.CoreV1().Pods(api.ns)

				By("staging client: Get")
				view, err := pods.GetEphemeralContainers(ctx, pod.Name, metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(view.UID).To(Equal(pod.UID))
				Expect(view.EphemeralContainers).To(BeEmpty())

				By("staging client: Update")
				view.EphemeralContainers = append(view.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "typed1", Image: "busybox", Stdin: true, TTY: true,
				}})
				updated, err := pods.UpdateEphemeralContainers(ctx, pod.Name, view, metav1.UpdateOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(ephemeralNames(updated.EphemeralContainers)).To(Equal([]string{"typed1"}))
				Expect(updated.EphemeralContainers[0].ImagePullPolicy).To(Equal(corev1.PullAlways))

				By("staging client: Update with the now stale object")
				_, err = pods.UpdateEphemeralContainers(ctx, pod.Name, view, metav1.UpdateOptions{})
				Expect(err).To(MatchError(ContainSubstring("the object has been modified")))

				By("staging client: Patch")
				patched, err := pods.PatchEphemeralContainers(ctx, pod.Name, types.JSONPatchType,
					[]byte(`[{"op":"add","path":"/ephemeralContainers/-","value":`+debugContainer("typed2")+`}]`), metav1.PatchOptions{}, "ephemeralcontainers")
				Expect(err).NotTo(HaveOccurred())
				Expect(ephemeralNames(patched.EphemeralContainers)).To(Equal([]string{"typed1", "typed2"}))

				By("client-go: UpdateEphemeralContainers in the Pod form on the same pod")
				clientGo := s.Client.CoreV1().Pods(api.ns)
				current, err := clientGo.Get(ctx, pod.Name, metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(current.Spec.EphemeralContainers).To(Equal(patched.EphemeralContainers))
				Expect(current.ResourceVersion).To(Equal(patched.ResourceVersion))
				current.Spec.EphemeralContainers = append(current.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "typed3", Image: "busybox:1.36"}})
				modern, err := clientGo.UpdateEphemeralContainers(ctx, pod.Name, current, metav1.UpdateOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(modern.Generation).To(Equal(int64(4)))

				By("staging client: Get sees all three, at the same resourceVersion")
				view, err = pods.GetEphemeralContainers(ctx, pod.Name, metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(view.EphemeralContainers).To(Equal(modern.Spec.EphemeralContainers))
				Expect(view.ResourceVersion).To(Equal(modern.ResourceVersion))

				By("client-go: a Pod-form update dropping an entry added in the 1.16 form is refused")
				modern.Spec.EphemeralContainers = modern.Spec.EphemeralContainers[1:]
				_, err = clientGo.UpdateEphemeralContainers(ctx, pod.Name, modern, metav1.UpdateOptions{})
				Expect(err).To(MatchError(ContainSubstring(`existing ephemeral containers "typed1" may not be removed`)))
			})

			It("our staging client's Update and Patch need no Accept setting", func(ctx context.Context) {
				pod := api.createFixture(ctx, "typeddefault")
				legacyClient, err := versioned.NewForConfig(s.ClientConfig)
				Expect(err).NotTo(HaveOccurred())
				pods := legacyClient.CoreV1().Pods(api.ns)
				updated, err := pods.UpdateEphemeralContainers(ctx, pod.Name, &legacyv1.EphemeralContainers{
					ObjectMeta:          metav1.ObjectMeta{Name: pod.Name},
					EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "d", Image: "busybox:1.36"}}},
				}, metav1.UpdateOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(ephemeralNames(updated.EphemeralContainers)).To(Equal([]string{"d"}))
				patched, err := pods.PatchEphemeralContainers(ctx, pod.Name, types.StrategicMergePatchType,
					[]byte(`{"ephemeralContainers":[`+debugContainer("d2")+`]}`), metav1.PatchOptions{}, "ephemeralcontainers")
				Expect(err).NotTo(HaveOccurred())
				Expect(ephemeralNames(patched.EphemeralContainers)).To(Equal([]string{"d2", "d"}), "patch entries first without $setElementOrder")
			})

			// A GET carries no body to tell its form by: the generated client
			// made by legacyform asks for the 1.16 form in its Accept header.
			It("our staging client made by legacyform reads the 1.16 form from an auto-mode server", func(ctx context.Context) {
				pod := api.createFixture(ctx, "typedget")
				legacyClient, err := legacyform.NewForConfig(s.ClientConfig)
				Expect(err).NotTo(HaveOccurred())
				view, err := legacyClient.CoreV1().Pods(api.ns).GetEphemeralContainers(ctx, pod.Name, metav1.GetOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(view.UID).To(Equal(pod.UID))
			})
		})
	})

	Describe("the form of a GET in each --ephemeral-containers-get-form", func() {
		// Each entry: the User-Agent and Accept of the GET, and whether it
		// is answered in the 1.16 form.
		type getCase struct {
			what, userAgent, accept string
			legacy                  bool
		}
		for _, mode := range []struct {
			form  wireform.GetForm
			cases []getCase
		}{
			{wireform.GetFormAuto, []getCase{
				{"plain client", plainAgent, ctJSON, false},
				{"Accept parameter", plainAgent, askLegacyForm, true},
				{"kubectl 1.20", kubectl120Agent, "application/json, */*", true},
				{"kubectl 1.32", kubectl132Agent, "application/json, */*", false},
				{"kubectl 1.32 asking", kubectl132Agent, askLegacyForm, true},
				{"YAML with the parameter", plainAgent, "application/yaml;as=EphemeralContainers", true},
			}},
			{wireform.GetFormPod, []getCase{
				{"plain client", plainAgent, ctJSON, false},
				{"kubectl 1.20", kubectl120Agent, "application/json, */*", false},
				{"kubectl 1.32", kubectl132Agent, "application/json, */*", false},
			}},
			{wireform.GetFormLegacy, []getCase{
				{"plain client", plainAgent, ctJSON, true},
				{"Accept parameter", plainAgent, askLegacyForm, true},
				{"kubectl 1.20", kubectl120Agent, "application/json, */*", true},
				{"kubectl 1.32", kubectl132Agent, "application/json, */*", true},
			}},
		} {
			Context(string(mode.form), Ordered, func() {
				var (
					api *rawAPI
					pod *corev1.Pod
				)
				BeforeAll(func(ctx context.Context) {
					api = newRawAPIInFreshNamespace(serverWithGetForm(mode.form), "legacy")
					pod = api.createFixture(ctx, "mode")
					Expect(api.put(ctx, pod.Name, legacySeedBody(pod.Name)).Code).To(Equal(http.StatusOK))
					pod = api.getPod(ctx, pod.Name)
				})

				for _, c := range mode.cases {
					It(fmt.Sprintf("answers a GET from a %s in the %s form", c.what, map[bool]string{true: "1.16", false: "Pod"}[c.legacy]), func(ctx context.Context) {
						r := api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(pod.Name), UserAgent: c.userAgent, Accept: c.accept})
						Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
						if strings.HasPrefix(c.accept, ctYAML) {
							Expect(r.Header.Get("Content-Type")).To(Equal(ctYAML))
							Expect(string(r.Body)).To(ContainSubstring("\nkind: EphemeralContainers\n"))
							return
						}
						if !c.legacy {
							r.Pod()
							Expect(r.Body).To(MatchJSON(api.getPodJSON(ctx, pod.Name)), "the Pod form GET is the whole pod")
							return
						}
						view := r.legacy()
						Expect(view.ResourceVersion).To(Equal(pod.ResourceVersion))
						Expect(view.EphemeralContainers).To(Equal([]corev1.EphemeralContainer{legacySeedEntry}))
					})
				}

				if mode.form == wireform.GetFormPod {
					// The parameter is not stripped in pod mode: negotiation
					// refuses the unknown "as", as upstream 1.22+ would.
					It("refuses a GET asking for the 1.16 form with 406, as upstream 1.22+", func(ctx context.Context) {
						r := api.send(ctx, request{Method: http.MethodGet, Path: api.ephemeralPath(pod.Name), Accept: askLegacyForm})
						st := r.status(http.StatusNotAcceptable, metav1.StatusReasonNotAcceptable)
						Expect(st.Message).To(HavePrefix("only the following media types are accepted: "))
					})
				}

				It("serves writes by their body whatever the GET form", func(ctx context.Context) {
					// Without $setElementOrder a strategic merge puts the
					// patch's entries first, as upstream's.
					r := api.patch(ctx, pod.Name, ctSMP, `{"spec":{"ephemeralContainers":[`+debugContainer("modern")+`]}}`)
					Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
					Expect(ephemeralNames(r.Pod().Spec.EphemeralContainers)).To(Equal([]string{"modern", "debugger"}))
					r = api.patch(ctx, pod.Name, ctJSONPatch, `[{"op":"add","path":"/ephemeralContainers/-","value":`+debugContainer("legacy")+`}]`)
					Expect(r.Code).To(Equal(http.StatusOK), "%s", r.Body)
					Expect(ephemeralNames(r.legacy().EphemeralContainers)).To(Equal([]string{"modern", "debugger", "legacy"}))
					pod = api.getPod(ctx, pod.Name)
				})

				It("lists the subresource in discovery as the Pod form", func(ctx context.Context) {
					expectDiscovery(ctx, api)
				})
			})
		}
	})
})

// lfExpectDiscovery checks /api/v1 names pods/ephemeralcontainers as
// upstream 1.22+ does: discovery cannot depend on the request's form.
func expectDiscovery(ctx context.Context, api *rawAPI) {
	GinkgoHelper()
	r := api.send(ctx, request{Method: http.MethodGet, Path: "/api/v1"})
	Expect(r.Code).To(Equal(http.StatusOK))
	var list metav1.APIResourceList
	Expect(json.Unmarshal(r.Body, &list)).To(Succeed())
	Expect(list.APIResources).To(ContainElement(metav1.APIResource{
		Name: "pods/ephemeralcontainers", Namespaced: true, Kind: "Pod", Verbs: metav1.Verbs{"get", "patch", "update"},
	}))
}

// lfProtobufBody is what a 1.16 client sends in protobuf: the Kubernetes
// envelope declaring v1 EphemeralContainers around the message (metadata
// is field 1, the list field 2), built by hand since the staging type has
// no protobuf marshalling.
func legacyProtobufBody(name string) []byte {
	GinkgoHelper()
	meta, err := (&metav1.ObjectMeta{Name: name}).Marshal()
	Expect(err).NotTo(HaveOccurred())
	ec, err := (&corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "d", Image: "busybox:1.36"}}).Marshal()
	Expect(err).NotTo(HaveOccurred())
	var msg []byte
	msg = append(append(append(msg, 0x0a), protobufVarint(len(meta))...), meta...)
	msg = append(append(append(msg, 0x12), protobufVarint(len(ec))...), ec...)
	unknown, err := (&runtime.Unknown{TypeMeta: runtime.TypeMeta{APIVersion: "v1", Kind: "EphemeralContainers"}, Raw: msg}).Marshal()
	Expect(err).NotTo(HaveOccurred())
	return append([]byte("k8s\x00"), unknown...)
}

func protobufVarint(n int) []byte {
	var out []byte
	for n >= 0x80 {
		out = append(out, byte(n)|0x80)
		n >>= 7
	}
	return append(out, byte(n))
}
