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

package v1

import (
	"encoding/json"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestDefaultPullPolicy(t *testing.T) {
	const digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	cases := []struct {
		image string
		want  v1.PullPolicy
	}{
		{"busybox", v1.PullAlways},
		{"busybox:latest", v1.PullAlways},
		{"busybox:1.36", v1.PullIfNotPresent},
		{"registry:5000/busybox", v1.PullAlways},
		{"registry:5000/busybox:latest", v1.PullAlways},
		{"registry:5000/busybox:1.2", v1.PullIfNotPresent},
		{"localhost/busybox", v1.PullAlways},
		{"docker.io/library/busybox", v1.PullAlways},
		{"busybox@" + digest, v1.PullIfNotPresent},
		{"busybox:latest@" + digest, v1.PullAlways},
		{"busybox:1.36@" + digest, v1.PullIfNotPresent},
		{"busybox@sha256:abc", v1.PullIfNotPresent},   // malformed digest
		{"Busybox", v1.PullIfNotPresent},              // upper-case repository
		{"", v1.PullIfNotPresent},                     // missing image
		{"[::1]:5000/busybox", v1.PullAlways},         // IPv6 registry
		{"gcr.io/a/b/c:v1-rc.2", v1.PullIfNotPresent}, // nested path
		{"nginx:LATEST", v1.PullIfNotPresent},         // tags are case sensitive
		{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", v1.PullIfNotPresent},
	}
	for _, tc := range cases {
		if got := DefaultPullPolicy(tc.image); got != tc.want {
			t.Errorf("DefaultPullPolicy(%q) = %q, want %q", tc.image, got, tc.want)
		}
	}
}

// The reference server turned {"containers":[{"name":"nginx","image":"nginx"}]}
// into exactly these defaulted fields (01-create-example-pod).
func TestPodDefaultsMatchReference(t *testing.T) {
	pod := &v1.Pod{Spec: v1.PodSpec{Containers: []v1.Container{{Name: "nginx", Image: "nginx"}}}}
	SetObjectDefaultsPod(pod)
	got, err := json.Marshal(pod.Spec)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"containers":[{"name":"nginx","image":"nginx","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler","enableServiceLinks":true}`
	if string(got) != want {
		t.Errorf("spec:\n got %s\nwant %s", got, want)
	}
	if pod.Status.Phase != "" || pod.Status.QOSClass != "" {
		t.Errorf("status must not be defaulted by the scheme: %+v", pod.Status)
	}
}

func TestPodSpecDefaultsKeepUserValues(t *testing.T) {
	grace := int64(5)
	links := false
	spec := v1.PodSpec{
		RestartPolicy:                 v1.RestartPolicyNever,
		DNSPolicy:                     v1.DNSDefault,
		SchedulerName:                 "mine",
		TerminationGracePeriodSeconds: &grace,
		SecurityContext:               &v1.PodSecurityContext{RunAsNonRoot: new(bool)},
		EnableServiceLinks:            &links,
	}
	pod := &v1.Pod{Spec: *spec.DeepCopy()}
	SetObjectDefaultsPod(pod)
	if !equality.Semantic.DeepEqual(pod.Spec, spec) {
		t.Errorf("user values changed:\n got %+v\nwant %+v", pod.Spec, spec)
	}
}

func TestContainerDefaults(t *testing.T) {
	probe := func() *v1.Probe {
		return &v1.Probe{ProbeHandler: v1.ProbeHandler{HTTPGet: &v1.HTTPGetAction{}}}
	}
	c := v1.Container{
		Name:           "c",
		Image:          "busybox:1.36",
		Ports:          []v1.ContainerPort{{ContainerPort: 80}, {ContainerPort: 53, Protocol: v1.ProtocolUDP}},
		Env:            []v1.EnvVar{{Name: "N", ValueFrom: &v1.EnvVarSource{FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
		LivenessProbe:  probe(),
		ReadinessProbe: &v1.Probe{ProbeHandler: v1.ProbeHandler{GRPC: &v1.GRPCAction{Port: 9}}, PeriodSeconds: 7},
		StartupProbe:   probe(),
		Lifecycle:      &v1.Lifecycle{PreStop: &v1.LifecycleHandler{HTTPGet: &v1.HTTPGetAction{Path: "/stop"}}},
	}
	pod := &v1.Pod{Spec: v1.PodSpec{
		Containers:          []v1.Container{c},
		InitContainers:      []v1.Container{c},
		EphemeralContainers: []v1.EphemeralContainer{{EphemeralContainerCommon: v1.EphemeralContainerCommon(*c.DeepCopy())}},
	}}
	SetObjectDefaultsPod(pod)

	check := func(where string, got *v1.Container) {
		t.Helper()
		if got.ImagePullPolicy != v1.PullIfNotPresent || got.TerminationMessagePath != "/dev/termination-log" || got.TerminationMessagePolicy != v1.TerminationMessageReadFile {
			t.Errorf("%s: scalar defaults wrong: %q %q %q", where, got.ImagePullPolicy, got.TerminationMessagePath, got.TerminationMessagePolicy)
		}
		if got.Ports[0].Protocol != v1.ProtocolTCP || got.Ports[1].Protocol != v1.ProtocolUDP {
			t.Errorf("%s: port protocols %q %q", where, got.Ports[0].Protocol, got.Ports[1].Protocol)
		}
		if got.Env[0].ValueFrom.FieldRef.APIVersion != "v1" {
			t.Errorf("%s: fieldRef apiVersion %q", where, got.Env[0].ValueFrom.FieldRef.APIVersion)
		}
		wantProbe := v1.Probe{ProbeHandler: v1.ProbeHandler{HTTPGet: &v1.HTTPGetAction{Path: "/", Scheme: v1.URISchemeHTTP}}, TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3}
		if !equality.Semantic.DeepEqual(*got.LivenessProbe, wantProbe) || !equality.Semantic.DeepEqual(*got.StartupProbe, wantProbe) {
			t.Errorf("%s: probe %+v", where, *got.LivenessProbe)
		}
		rp := got.ReadinessProbe
		if rp.PeriodSeconds != 7 || rp.TimeoutSeconds != 1 || rp.GRPC.Service == nil || *rp.GRPC.Service != "" {
			t.Errorf("%s: readiness probe %+v", where, rp)
		}
		if h := got.Lifecycle.PreStop.HTTPGet; h.Path != "/stop" || h.Scheme != v1.URISchemeHTTP {
			t.Errorf("%s: preStop %+v", where, h)
		}
	}
	check("container", &pod.Spec.Containers[0])
	check("init", &pod.Spec.InitContainers[0])
	check("ephemeral", (*v1.Container)(&pod.Spec.EphemeralContainers[0].EphemeralContainerCommon))
}

// Ephemeral containers added through the subresource get the same defaults
// as regular containers (04-b-put-pod-add-debugger).
func TestEphemeralContainerDefaults(t *testing.T) {
	pod := &v1.Pod{Spec: v1.PodSpec{EphemeralContainers: []v1.EphemeralContainer{
		{EphemeralContainerCommon: v1.EphemeralContainerCommon{Name: "debugger", Image: "busybox", Command: []string{"sh"}, Stdin: true, TTY: true}},
	}}}
	SetObjectDefaultsPod(pod)
	got, _ := json.Marshal(pod.Spec.EphemeralContainers)
	want := `[{"name":"debugger","image":"busybox","command":["sh"],"resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always","stdin":true,"tty":true}]`
	if string(got) != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestResourceDefaults(t *testing.T) {
	q := resource.MustParse
	pod := &v1.Pod{Spec: v1.PodSpec{
		Containers: []v1.Container{
			{Name: "a", Image: "x", Resources: v1.ResourceRequirements{
				Limits:   v1.ResourceList{v1.ResourceCPU: q("1"), v1.ResourceMemory: q("1Gi")},
				Requests: v1.ResourceList{v1.ResourceCPU: q("500m")},
			}},
			{Name: "b", Image: "x", Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: q("0.0001")}}},
		},
		InitContainers: []v1.Container{{Name: "i", Image: "x", Resources: v1.ResourceRequirements{Limits: v1.ResourceList{v1.ResourceMemory: q("64Mi")}}}},
	}}
	tmpl := &v1.PodTemplate{Template: v1.PodTemplateSpec{Spec: *pod.Spec.DeepCopy()}}
	SetObjectDefaultsPod(pod)
	SetObjectDefaultsPodTemplate(tmpl)

	a := pod.Spec.Containers[0].Resources.Requests
	if a.Cpu().String() != "500m" || a.Memory().String() != "1Gi" {
		t.Errorf("container a requests = %v", a)
	}
	if got := pod.Spec.Containers[1].Resources.Requests.Cpu().String(); got != "1m" {
		t.Errorf("rounding: got %s, want 1m", got)
	}
	if got := pod.Spec.InitContainers[0].Resources.Requests.Memory().String(); got != "64Mi" {
		t.Errorf("init requests = %s", got)
	}
	if _, ok := tmpl.Template.Spec.Containers[0].Resources.Requests[v1.ResourceMemory]; ok {
		t.Errorf("pod templates must not get requests from limits")
	}
	if tmpl.Template.Spec.EnableServiceLinks != nil {
		t.Errorf("enableServiceLinks is a pod-only default")
	}
	if tmpl.Template.Spec.RestartPolicy != v1.RestartPolicyAlways || tmpl.Template.Spec.Containers[0].ImagePullPolicy != v1.PullAlways {
		t.Errorf("template spec not defaulted: %+v", tmpl.Template.Spec)
	}
}

func TestPodLevelResourceDefaults(t *testing.T) {
	q := resource.MustParse
	pod := &v1.Pod{Spec: v1.PodSpec{
		Resources: &v1.ResourceRequirements{Limits: v1.ResourceList{v1.ResourceCPU: q("2"), v1.ResourceMemory: q("1Gi")}},
		Containers: []v1.Container{
			{Name: "a", Image: "x", Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: q("300m")}}},
			{Name: "b", Image: "x", Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: q("200m")}}},
		},
	}}
	SetObjectDefaultsPod(pod)
	r := pod.Spec.Resources.Requests
	if r.Cpu().String() != "500m" || r.Memory().String() != "1Gi" {
		t.Errorf("pod-level requests = %v", r)
	}

	pod = &v1.Pod{Spec: v1.PodSpec{
		Resources: &v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: q("1")}},
		Containers: []v1.Container{
			{Name: "a", Image: "x", Resources: v1.ResourceRequirements{Limits: v1.ResourceList{v1.ResourceMemory: q("100Mi")}}},
			{Name: "b", Image: "x", Resources: v1.ResourceRequirements{Limits: v1.ResourceList{v1.ResourceMemory: q("200Mi"), v1.ResourceCPU: q("1")}}},
		},
	}}
	SetObjectDefaultsPod(pod)
	l := pod.Spec.Resources.Limits
	if l.Memory().String() != "300Mi" {
		t.Errorf("pod-level memory limit = %v", l)
	}
	if _, ok := l[v1.ResourceCPU]; ok {
		t.Errorf("cpu limit must not be derived when a container has none: %v", l)
	}
}

func TestHostNetworkPorts(t *testing.T) {
	pod := &v1.Pod{Spec: v1.PodSpec{HostNetwork: true, Containers: []v1.Container{{Name: "a", Image: "x", Ports: []v1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 1, HostPort: 2}}}}}}
	SetObjectDefaultsPod(pod)
	if p := pod.Spec.Containers[0].Ports; p[0].HostPort != 8080 || p[1].HostPort != 2 {
		t.Errorf("host ports = %+v", p)
	}
}

func TestVolumeDefaults(t *testing.T) {
	mode := int32(0400)
	pod := &v1.Pod{Spec: v1.PodSpec{Volumes: []v1.Volume{
		{Name: "none"},
		{Name: "secret", VolumeSource: v1.VolumeSource{Secret: &v1.SecretVolumeSource{SecretName: "s"}}},
		{Name: "cm", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{}}},
		{Name: "cm-mode", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{DefaultMode: &mode}}},
		{Name: "host", VolumeSource: v1.VolumeSource{HostPath: &v1.HostPathVolumeSource{Path: "/"}}},
		{Name: "dapi", VolumeSource: v1.VolumeSource{DownwardAPI: &v1.DownwardAPIVolumeSource{Items: []v1.DownwardAPIVolumeFile{{Path: "n", FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}}},
		{Name: "proj", VolumeSource: v1.VolumeSource{Projected: &v1.ProjectedVolumeSource{Sources: []v1.VolumeProjection{
			{ServiceAccountToken: &v1.ServiceAccountTokenProjection{Path: "token"}},
			{DownwardAPI: &v1.DownwardAPIProjection{Items: []v1.DownwardAPIVolumeFile{{Path: "ns", FieldRef: &v1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}}},
		}}}},
		{Name: "img", VolumeSource: v1.VolumeSource{Image: &v1.ImageVolumeSource{Reference: "busybox:1"}}},
		{Name: "eph", VolumeSource: v1.VolumeSource{Ephemeral: &v1.EphemeralVolumeSource{VolumeClaimTemplate: &v1.PersistentVolumeClaimTemplate{}}}},
	}}}
	SetObjectDefaultsPod(pod)
	got, _ := json.Marshal(pod.Spec.Volumes)
	want := `[{"name":"none","emptyDir":{}},` +
		`{"name":"secret","secret":{"secretName":"s","defaultMode":420}},` +
		`{"name":"cm","configMap":{"defaultMode":420}},` +
		`{"name":"cm-mode","configMap":{"defaultMode":256}},` +
		`{"name":"host","hostPath":{"path":"/","type":""}},` +
		`{"name":"dapi","downwardAPI":{"items":[{"path":"n","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}],"defaultMode":420}},` +
		`{"name":"proj","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3600,"path":"token"}},{"downwardAPI":{"items":[{"path":"ns","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}},` +
		`{"name":"img","image":{"reference":"busybox:1","pullPolicy":"IfNotPresent"}},` +
		`{"name":"eph","ephemeral":{"volumeClaimTemplate":{"metadata":{},"spec":{"resources":{},"volumeMode":"Filesystem"}}}}]`
	if string(got) != want {
		t.Errorf("volumes:\n got %s\nwant %s", got, want)
	}
}

func TestNamespaceDefaults(t *testing.T) {
	cases := []struct {
		name   string
		in     v1.Namespace
		labels map[string]string
		phase  v1.NamespacePhase
	}{
		{"named", v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "dev"}}, map[string]string{"kubernetes.io/metadata.name": "dev"}, v1.NamespaceActive},
		{"label overwritten", v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "dev", Labels: map[string]string{"kubernetes.io/metadata.name": "x", "a": "b"}}}, map[string]string{"kubernetes.io/metadata.name": "dev", "a": "b"}, v1.NamespaceActive},
		{"generateName", v1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "dev-"}}, nil, v1.NamespaceActive},
		{"terminating kept", v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "t"}, Status: v1.NamespaceStatus{Phase: v1.NamespaceTerminating}}, map[string]string{"kubernetes.io/metadata.name": "t"}, v1.NamespaceTerminating},
	}
	for _, tc := range cases {
		ns := tc.in.DeepCopy()
		SetObjectDefaultsNamespace(ns)
		if !equality.Semantic.DeepEqual(ns.Labels, tc.labels) || ns.Status.Phase != tc.phase {
			t.Errorf("%s: labels %v phase %q", tc.name, ns.Labels, ns.Status.Phase)
		}
	}
}

func TestRegisterDefaults(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := v1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := RegisterDefaults(scheme); err != nil {
		t.Fatal(err)
	}
	list := &v1.PodList{Items: []v1.Pod{{Spec: v1.PodSpec{Containers: []v1.Container{{Name: "a", Image: "a:1"}}}}}}
	scheme.Default(list)
	if c := list.Items[0].Spec.Containers[0]; c.ImagePullPolicy != v1.PullIfNotPresent || list.Items[0].Spec.DNSPolicy != v1.DNSClusterFirst {
		t.Errorf("pod list not defaulted: %+v", list.Items[0].Spec)
	}
	tl := &v1.PodTemplateList{Items: []v1.PodTemplate{{}}}
	scheme.Default(tl)
	if tl.Items[0].Template.Spec.SchedulerName != v1.DefaultSchedulerName {
		t.Errorf("template list not defaulted")
	}
	nsl := &v1.NamespaceList{Items: []v1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "n"}}}}
	scheme.Default(nsl)
	if nsl.Items[0].Status.Phase != v1.NamespaceActive {
		t.Errorf("namespace list not defaulted")
	}
	ev := &v1.Event{}
	scheme.Default(ev)
	if !equality.Semantic.DeepEqual(ev, &v1.Event{}) {
		t.Errorf("events have no defaults upstream, got %+v", ev)
	}
}
