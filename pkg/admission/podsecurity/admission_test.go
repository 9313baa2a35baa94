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

package podsecurity

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	podsecurityadmissionapi "k8s.io/pod-security-admission/admission/api"
	"k8s.io/utils/ptr"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
)

// --- objects ---

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func enforce(level string) map[string]string {
	return map[string]string{"pod-security.kubernetes.io/enforce": level}
}

// restrictedPod satisfies restricted:latest through its container's
// settings alone, so an ephemeral container added to it must bring its own.
func restrictedPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, ResourceVersion: "1"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "app",
				Image: "registry.k8s.io/pause:3.10",
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: ptr.To(false),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
					RunAsNonRoot:             ptr.To(true),
					SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				},
			}},
		},
	}
}

// plainPod is baseline but not restricted.
func plainPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, ResourceVersion: "1"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
}

func privilegedPod(ns, name string) *corev1.Pod {
	pod := plainPod(ns, name)
	pod.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true)}
	return pod
}

func debugger(sc *corev1.SecurityContext) corev1.EphemeralContainer {
	return corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name:            "debugger",
			Image:           "busybox",
			Stdin:           true,
			TTY:             true,
			SecurityContext: sc,
		},
		TargetContainerName: "app",
	}
}

var (
	privilegedDebugger = debugger(&corev1.SecurityContext{Privileged: ptr.To(true)})
	// restrictedDebugger is what kubectl debug --profile=restricted sets.
	restrictedDebugger = debugger(&corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		RunAsNonRoot:             ptr.To(true),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	})
	plainDebugger = debugger(nil)
)

func withEphemeral(pod *corev1.Pod, ec corev1.EphemeralContainer) *corev1.Pod {
	out := pod.DeepCopy()
	out.Spec.EphemeralContainers = append(out.Spec.EphemeralContainers, ec)
	return out
}

func podTemplate(ns, name string, spec corev1.PodSpec) *corev1.PodTemplate {
	return &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Template:   corev1.PodTemplateSpec{Spec: spec},
	}
}

// --- requests ---

type request struct {
	op       admission.Operation
	resource string
	sub      string
	obj, old runtime.Object
	user     string
}

var kinds = map[string]string{"pods": "Pod", "namespaces": "Namespace", "podtemplates": "PodTemplate", "events": "Event"}

// record builds the attributes the handlers would: for namespaces the
// request's namespace is the namespace itself, as for /api/v1/namespaces/x.
func (r request) record() admission.Attributes {
	obj := r.obj
	if obj == nil {
		obj = r.old
	}
	meta, err := metaOf(obj)
	if err != nil {
		panic(err)
	}
	ns := meta.GetNamespace()
	if r.resource == "namespaces" {
		ns = meta.GetName()
	}
	kind := corev1.SchemeGroupVersion.WithKind(kinds[r.resource])
	if _, ok := obj.(*legacyv1.EphemeralContainers); ok {
		kind = corev1.SchemeGroupVersion.WithKind("EphemeralContainers")
	}
	userName := r.user
	if userName == "" {
		userName = "alice"
	}
	return admission.NewAttributesRecord(r.obj, r.old, kind, ns, meta.GetName(),
		corev1.SchemeGroupVersion.WithResource(r.resource), r.sub, r.op, nil, false,
		&user.DefaultInfo{Name: userName})
}

func metaOf(obj runtime.Object) (metav1.Object, error) {
	return obj.(metav1.ObjectMetaAccessor).GetObjectMeta(), nil
}

func create(resource string, obj runtime.Object) request {
	return request{op: admission.Create, resource: resource, obj: obj}
}

func update(resource, sub string, obj, old runtime.Object) request {
	return request{op: admission.Update, resource: resource, sub: sub, obj: obj, old: old}
}

func as(userName string, r request) request {
	r.user = userName
	return r
}

// annotatingAttributes keeps the audit annotations the plugin adds.
type annotatingAttributes struct {
	admission.Attributes
	annotations map[string]string
}

func (a *annotatingAttributes) AddAnnotation(key, value string) error {
	a.annotations[key] = value
	return a.Attributes.AddAnnotation(key, value)
}

type warnings []string

func (w *warnings) AddWarning(agent, text string) { *w = append(*w, text) }

// --- plugin ---

func newTestPlugin(t *testing.T, cfg *podsecurityadmissionapi.PodSecurityConfiguration, namespaces []*corev1.Namespace, pods []*corev1.Pod, stored ...runtime.Object) *Plugin {
	t.Helper()
	nsIndexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for _, ns := range namespaces {
		if err := nsIndexer.Add(ns); err != nil {
			t.Fatal(err)
		}
	}
	podIndexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, pod := range pods {
		if err := podIndexer.Add(pod); err != nil {
			t.Fatal(err)
		}
	}
	p, err := New(cfg, corelisters.NewNamespaceLister(nsIndexer), func() bool { return true },
		corelisters.NewPodLister(podIndexer), fake.NewClientset(stored...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	baselinePrivilegedDenied   = `pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "debugger" must not set securityContext.privileged=true)`
	baselinePrivilegedWarning  = `would violate PodSecurity "baseline:latest": privileged (container "debugger" must not set securityContext.privileged=true)`
	restrictedDebuggerDenied   = `pods "p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "debugger" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "debugger" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "debugger" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "debugger" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`
	templatePrivilegedWarning  = `would violate PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)`
	enforcePolicy              = "pod-security.kubernetes.io/enforce-policy"
	exemptAnnotation           = "pod-security.kubernetes.io/exempt"
	auditViolations            = "pod-security.kubernetes.io/audit-violations"
	restrictedNamespaceWarning = `existing pods in namespace "ns" violate the new PodSecurity enforce level "restricted:latest"`
)

func TestValidate(t *testing.T) {
	restrictedDefaults := &podsecurityadmissionapi.PodSecurityConfiguration{
		Defaults: podsecurityadmissionapi.PodSecurityDefaults{Enforce: "restricted"},
		Exemptions: podsecurityadmissionapi.PodSecurityExemptions{
			Usernames:  []string{"system:serviceaccount:kube-system:debugger"},
			Namespaces: []string{"tools"},
		},
	}
	legacyView := func(pod *corev1.Pod) *legacyv1.EphemeralContainers {
		list := pod.Spec.EphemeralContainers
		if list == nil {
			list = []corev1.EphemeralContainer{}
		}
		return &legacyv1.EphemeralContainers{
			ObjectMeta:          metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name, ResourceVersion: pod.ResourceVersion},
			EphemeralContainers: list,
		}
	}

	tests := []struct {
		name       string
		cfg        *podsecurityadmissionapi.PodSecurityConfiguration
		namespaces []*corev1.Namespace // in the informer
		pods       []*corev1.Pod       // in the informer
		stored     []runtime.Object    // only in storage, read through the client
		req        request

		wantErr         string // the whole message; "" for allowed
		wantCode        int32
		wantWarnings    []string
		wantAnnotations map[string]string
	}{
		{
			name:            "baseline refuses a privileged ephemeral container",
			namespaces:      []*corev1.Namespace{namespace("ns", enforce("baseline"))},
			req:             update("pods", "ephemeralcontainers", withEphemeral(plainPod("ns", "p"), privilegedDebugger), plainPod("ns", "p")),
			wantErr:         baselinePrivilegedDenied,
			wantCode:        403,
			wantAnnotations: map[string]string{enforcePolicy: "baseline:latest"},
		},
		{
			name:            "baseline accepts an ephemeral container without settings",
			namespaces:      []*corev1.Namespace{namespace("ns", enforce("baseline"))},
			req:             update("pods", "ephemeralcontainers", withEphemeral(plainPod("ns", "p"), plainDebugger), plainPod("ns", "p")),
			wantAnnotations: map[string]string{enforcePolicy: "baseline:latest"},
		},
		{
			name:            "restricted accepts kubectl debug's restricted profile",
			namespaces:      []*corev1.Namespace{namespace("ns", enforce("restricted"))},
			req:             update("pods", "ephemeralcontainers", withEphemeral(restrictedPod("ns", "p"), restrictedDebugger), restrictedPod("ns", "p")),
			wantAnnotations: map[string]string{enforcePolicy: "restricted:latest"},
		},
		{
			name:            "restricted refuses kubectl debug's default profile",
			namespaces:      []*corev1.Namespace{namespace("ns", enforce("restricted"))},
			req:             update("pods", "ephemeralcontainers", withEphemeral(restrictedPod("ns", "p"), plainDebugger), restrictedPod("ns", "p")),
			wantErr:         restrictedDebuggerDenied,
			wantCode:        403,
			wantAnnotations: map[string]string{enforcePolicy: "restricted:latest"},
		},
		{
			name: "warn-only namespace allows with a warning",
			namespaces: []*corev1.Namespace{namespace("ns", map[string]string{
				"pod-security.kubernetes.io/warn": "baseline",
			})},
			req:             update("pods", "ephemeralcontainers", withEphemeral(plainPod("ns", "p"), privilegedDebugger), plainPod("ns", "p")),
			wantWarnings:    []string{baselinePrivilegedWarning},
			wantAnnotations: map[string]string{enforcePolicy: "privileged:latest"},
		},
		{
			name: "audit-only namespace allows and annotates",
			namespaces: []*corev1.Namespace{namespace("ns", map[string]string{
				"pod-security.kubernetes.io/audit": "baseline",
			})},
			req: update("pods", "ephemeralcontainers", withEphemeral(plainPod("ns", "p"), privilegedDebugger), plainPod("ns", "p")),
			wantAnnotations: map[string]string{
				enforcePolicy:   "privileged:latest",
				auditViolations: baselinePrivilegedWarning,
			},
		},
		{
			name:            "unlabelled namespace allows anything",
			namespaces:      []*corev1.Namespace{namespace("ns", nil)},
			req:             update("pods", "ephemeralcontainers", withEphemeral(privilegedPod("ns", "p"), privilegedDebugger), privilegedPod("ns", "p")),
			wantAnnotations: map[string]string{enforcePolicy: "privileged:latest"},
		},
		{
			name:            "unlabelled namespace allows a privileged pod",
			namespaces:      []*corev1.Namespace{namespace("ns", nil)},
			req:             create("pods", privilegedPod("ns", "p")),
			wantAnnotations: map[string]string{enforcePolicy: "privileged:latest"},
		},
		{
			name:            "baseline refuses a privileged pod",
			namespaces:      []*corev1.Namespace{namespace("ns", enforce("baseline"))},
			req:             create("pods", privilegedPod("ns", "p")),
			wantErr:         `pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)`,
			wantCode:        403,
			wantAnnotations: map[string]string{enforcePolicy: "baseline:latest"},
		},
		{
			name:            "configured default applies to unlabelled namespaces",
			cfg:             restrictedDefaults,
			namespaces:      []*corev1.Namespace{namespace("ns", nil)},
			req:             update("pods", "ephemeralcontainers", withEphemeral(restrictedPod("ns", "p"), plainDebugger), restrictedPod("ns", "p")),
			wantErr:         restrictedDebuggerDenied,
			wantCode:        403,
			wantAnnotations: map[string]string{enforcePolicy: "restricted:latest"},
		},
		{
			name:            "exempt namespace",
			cfg:             restrictedDefaults,
			namespaces:      []*corev1.Namespace{namespace("tools", enforce("restricted"))},
			req:             update("pods", "ephemeralcontainers", withEphemeral(privilegedPod("tools", "p"), privilegedDebugger), privilegedPod("tools", "p")),
			wantAnnotations: map[string]string{exemptAnnotation: "namespace"},
		},
		{
			name:            "exempt user",
			cfg:             restrictedDefaults,
			namespaces:      []*corev1.Namespace{namespace("ns", enforce("restricted"))},
			req:             as("system:serviceaccount:kube-system:debugger", update("pods", "ephemeralcontainers", withEphemeral(privilegedPod("ns", "p"), privilegedDebugger), privilegedPod("ns", "p"))),
			wantAnnotations: map[string]string{exemptAnnotation: "user"},
		},
		{
			name:       "a user not exempt",
			cfg:        restrictedDefaults,
			namespaces: []*corev1.Namespace{namespace("ns", enforce("baseline"))},
			req:        as("system:serviceaccount:kube-system:other", update("pods", "ephemeralcontainers", withEphemeral(plainPod("ns", "p"), privilegedDebugger), plainPod("ns", "p"))),
			wantErr:    baselinePrivilegedDenied,
			wantCode:   403,
			wantAnnotations: map[string]string{
				enforcePolicy: "baseline:latest",
			},
		},
		{
			name:       "pod status updates are ignored",
			namespaces: []*corev1.Namespace{namespace("ns", enforce("restricted"))},
			req:        update("pods", "status", privilegedPod("ns", "p"), privilegedPod("ns", "p")),
		},
		{
			name:       "pod deletes are ignored",
			namespaces: []*corev1.Namespace{namespace("ns", enforce("restricted"))},
			req:        request{op: admission.Delete, resource: "pods", old: privilegedPod("ns", "p")},
		},
		{
			name:       "a pod update that changes no image is not evaluated",
			namespaces: []*corev1.Namespace{namespace("ns", enforce("restricted"))},
			req: update("pods", "", func() *corev1.Pod {
				pod := privilegedPod("ns", "p")
				pod.Labels = map[string]string{"debug": "true"}
				return pod
			}(), privilegedPod("ns", "p")),
		},
		{
			name:     "a namespace only in storage is read through the client",
			stored:   []runtime.Object{namespace("ns", enforce("baseline"))},
			req:      update("pods", "ephemeralcontainers", withEphemeral(plainPod("ns", "p"), privilegedDebugger), plainPod("ns", "p")),
			wantErr:  baselinePrivilegedDenied,
			wantCode: 403,
			wantAnnotations: map[string]string{
				enforcePolicy: "baseline:latest",
			},
		},
		{
			// The 1.16 form's REST hands admission the resulting pod; were a
			// view to reach the plugin, it would refuse it, not let it by.
			name:       "an ephemeralcontainers object that is not a pod fails closed",
			namespaces: []*corev1.Namespace{namespace("ns", enforce("baseline"))},
			req: update("pods", "ephemeralcontainers",
				legacyView(withEphemeral(plainPod("ns", "p"), plainDebugger)), legacyView(plainPod("ns", "p"))),
			wantErr:         `failed to decode pod`,
			wantCode:        400,
			wantAnnotations: map[string]string{"pod-security.kubernetes.io/error": `failed to decode pod`},
		},
		{
			name: "pod templates are warned about, never refused",
			namespaces: []*corev1.Namespace{namespace("ns", map[string]string{
				"pod-security.kubernetes.io/enforce": "restricted",
				"pod-security.kubernetes.io/warn":    "baseline",
			})},
			req:             create("podtemplates", podTemplate("ns", "t", privilegedPod("ns", "t").Spec)),
			wantWarnings:    []string{templatePrivilegedWarning},
			wantAnnotations: map[string]string{},
		},
		{
			name:       "namespace label update to enforce=restricted warns about existing pods",
			namespaces: []*corev1.Namespace{namespace("ns", enforce("baseline"))},
			pods: []*corev1.Pod{
				restrictedPod("ns", "fine"),
				privilegedPod("ns", "web-2"),
				privilegedPod("ns", "web-1"),
				withEphemeral(restrictedPod("ns", "debugged"), plainDebugger),
			},
			req: update("namespaces", "", namespace("ns", enforce("restricted")), namespace("ns", enforce("baseline"))),
			wantWarnings: []string{
				restrictedNamespaceWarning,
				`debugged: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile`,
				`web-1 (and 1 other pod): privileged, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile`,
			},
		},
		{
			name:       "namespace label update that relaxes the level checks no pods",
			namespaces: []*corev1.Namespace{namespace("ns", enforce("restricted"))},
			pods:       []*corev1.Pod{privilegedPod("ns", "web-1")},
			req:        update("namespaces", "", namespace("ns", enforce("baseline")), namespace("ns", enforce("restricted"))),
		},
		{
			name:     "namespace labels must be valid",
			req:      create("namespaces", namespace("ns", enforce("strict"))),
			wantErr:  `Namespace "ns" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`,
			wantCode: 422,
		},
		{
			name: "an exempt namespace setting labels gets a warning",
			cfg:  restrictedDefaults,
			req:  create("namespaces", namespace("tools", enforce("baseline"))),
			wantWarnings: []string{
				`namespace "tools" is exempt from Pod Security, and the policy (enforce=baseline:latest) will be ignored`,
			},
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPlugin(t, tc.cfg, tc.namespaces, tc.pods, tc.stored...)
			var got warnings
			ctx := warning.WithWarningRecorder(context.Background(), &got)
			attrs := &annotatingAttributes{Attributes: tc.req.record(), annotations: map[string]string{}}

			err := p.Validate(ctx, attrs, nil)

			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else {
				if err == nil {
					t.Fatalf("allowed, want %q", tc.wantErr)
				}
				if err.Error() != tc.wantErr {
					t.Errorf("error\n got: %s\nwant: %s", err.Error(), tc.wantErr)
				}
				status, ok := err.(apierrors.APIStatus)
				if !ok {
					t.Fatalf("error %T is not an API status", err)
				}
				if code := status.Status().Code; code != tc.wantCode {
					t.Errorf("code %d, want %d", code, tc.wantCode)
				}
			}
			if !reflect.DeepEqual([]string(got), tc.wantWarnings) {
				t.Errorf("warnings\n got: %q\nwant: %q", got, tc.wantWarnings)
			}
			if tc.wantAnnotations != nil && !reflect.DeepEqual(attrs.annotations, tc.wantAnnotations) {
				t.Errorf("audit annotations\n got: %q\nwant: %q", attrs.annotations, tc.wantAnnotations)
			}
			if tc.wantAnnotations == nil && len(attrs.annotations) > 0 {
				t.Errorf("unexpected audit annotations %q", attrs.annotations)
			}
		})
	}
}

func TestForbiddenIsForbidden(t *testing.T) {
	p := newTestPlugin(t, nil, []*corev1.Namespace{namespace("ns", enforce("baseline"))}, nil)
	req := update("pods", "ephemeralcontainers", withEphemeral(plainPod("ns", "p"), privilegedDebugger), plainPod("ns", "p"))
	err := p.Validate(context.Background(), req.record(), nil)
	if !apierrors.IsForbidden(err) {
		t.Fatalf("got %v, want a Forbidden error", err)
	}
	details := err.(apierrors.APIStatus).Status().Details
	if details == nil || details.Name != "p" || details.Kind != "pods" {
		t.Errorf("details %+v, want name p and kind pods", details)
	}
}

// TestSkippedRequestsDoNotWait: requests the plugin never looks at pass at
// once even while the caches have not synced.
func TestSkippedRequestsDoNotWait(t *testing.T) {
	nsIndexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	podIndexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	p, err := New(nil, corelisters.NewNamespaceLister(nsIndexer), func() bool { return false },
		corelisters.NewPodLister(podIndexer), fake.NewClientset())
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []request{
		update("pods", "status", plainPod("ns", "p"), plainPod("ns", "p")),
		update("namespaces", "status", namespace("ns", nil), namespace("ns", nil)),
		update("podtemplates", "status", podTemplate("ns", "t", corev1.PodSpec{}), podTemplate("ns", "t", corev1.PodSpec{})),
		create("events", &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "e"}}),
	} {
		start := time.Now()
		if err := p.Validate(context.Background(), req.record(), nil); err != nil {
			t.Errorf("%s %s/%s: %v", req.op, req.resource, req.sub, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s %s/%s waited %v", req.op, req.resource, req.sub, d)
		}
	}
}

func TestNew(t *testing.T) {
	nsLister := corelisters.NewNamespaceLister(cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}))
	podLister := corelisters.NewPodLister(cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}))
	client := fake.NewClientset()

	// Twice in one process: the metrics are registered once.
	for i := 0; i < 2; i++ {
		if _, err := New(nil, nsLister, nil, podLister, client); err != nil {
			t.Fatalf("New #%d: %v", i, err)
		}
	}

	cfg := &podsecurityadmissionapi.PodSecurityConfiguration{
		Defaults: podsecurityadmissionapi.PodSecurityDefaults{Enforce: "baseline", AuditVersion: "v1.30"},
	}
	p, err := New(cfg, nsLister, nil, podLister, client)
	if err != nil {
		t.Fatalf("partial configuration: %v", err)
	}
	if cfg.Defaults.Warn != "" {
		t.Errorf("New changed the caller's configuration")
	}
	if got := p.delegate.Configuration.Defaults; got.Warn != "privileged" || got.WarnVersion != "latest" || got.AuditVersion != "v1.30" {
		t.Errorf("completed defaults %+v", got)
	}

	bad := &podsecurityadmissionapi.PodSecurityConfiguration{
		Defaults: podsecurityadmissionapi.PodSecurityDefaults{Enforce: "strict"},
	}
	if _, err := New(bad, nsLister, nil, podLister, client); err == nil {
		t.Errorf("New accepted enforce level %q", bad.Defaults.Enforce)
	}
	if _, err := New(nil, nil, nil, podLister, client); err == nil {
		t.Errorf("New accepted a nil namespace lister")
	}
}

func TestLoadConfiguration(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "podsecurity.yaml")
	data := `apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: baseline
  warn: restricted
exemptions:
  usernames: ["admin"]
  namespaces: ["kube-system"]
`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfiguration(path)
	if err != nil {
		t.Fatal(err)
	}
	want := podsecurityadmissionapi.PodSecurityDefaults{
		Enforce: "baseline", EnforceVersion: "latest",
		Audit: "privileged", AuditVersion: "latest",
		Warn: "restricted", WarnVersion: "latest",
	}
	if cfg.Defaults != want {
		t.Errorf("defaults %+v, want %+v", cfg.Defaults, want)
	}
	if !reflect.DeepEqual(cfg.Exemptions.Usernames, []string{"admin"}) || !reflect.DeepEqual(cfg.Exemptions.Namespaces, []string{"kube-system"}) {
		t.Errorf("exemptions %+v", cfg.Exemptions)
	}

	if cfg, err := LoadConfiguration(""); err != nil || cfg.Defaults.Enforce != "privileged" {
		t.Errorf("empty path: %+v, %v", cfg, err)
	}
	if _, err := LoadConfiguration(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Errorf("a missing file loaded")
	}
	if err := os.WriteFile(path, []byte("kind: Policy\napiVersion: audit.k8s.io/v1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfiguration(path); err == nil {
		t.Errorf("a file of another kind loaded")
	}
}
