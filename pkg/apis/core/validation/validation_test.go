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

package validation

import (
	"fmt"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// basePod is the pod the ephemeral container cases start from, as stored
// (defaulted): a regular container "ctr", an init container "ictr", an
// emptyDir volume "vol" and a claim volume "blk".
func basePod() *v1.Pod {
	ctr := func(name string) v1.Container {
		return v1.Container{Name: name, Image: "busybox:1.36", ImagePullPolicy: v1.PullIfNotPresent,
			TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: v1.TerminationMessageReadFile}
	}
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-1", ResourceVersion: "1", Labels: map[string]string{"app": "a"}},
		Spec: v1.PodSpec{
			Containers:                    []v1.Container{ctr("ctr")},
			InitContainers:                []v1.Container{ctr("ictr")},
			Volumes:                       []v1.Volume{{Name: "vol", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}}, {Name: "blk", VolumeSource: v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: "pvc"}}}},
			RestartPolicy:                 v1.RestartPolicyAlways,
			DNSPolicy:                     v1.DNSClusterFirst,
			TerminationGracePeriodSeconds: ptr.To[int64](30),
		},
	}
}

// ephemeral is a valid ephemeral container named name, as stored
// (defaulted).
func ephemeral(name string) v1.EphemeralContainer {
	return v1.EphemeralContainer{EphemeralContainerCommon: v1.EphemeralContainerCommon{
		Name: name, Image: "busybox:1.36", ImagePullPolicy: v1.PullIfNotPresent,
		TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: v1.TerminationMessageReadFile}}
}

func withEC(p *v1.Pod, ecs ...v1.EphemeralContainer) *v1.Pod {
	p = p.DeepCopy()
	p.Spec.EphemeralContainers = ecs
	return p
}

// wantErr is one expected error; msg, when set, is the exact Error() text.
type wantErr struct {
	typ   field.ErrorType
	field string
	msg   string
}

func checkErrs(t *testing.T, got field.ErrorList, want []wantErr) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("want %d errors, got %d: %v", len(want), len(got), got)
	}
	for i, w := range want {
		if got[i].Type != w.typ || got[i].Field != w.field {
			t.Errorf("error %d: want %s %s, got %s %s (%v)", i, w.typ, w.field, got[i].Type, got[i].Field, got[i])
		}
		if w.msg != "" && got[i].Error() != w.msg {
			t.Errorf("error %d: want message\n%q\ngot\n%q", i, w.msg, got[i].Error())
		}
	}
}

const forbiddenEC = "cannot be set for an Ephemeral Container"

func TestValidateEphemeralContainers(t *testing.T) {
	ecWith := func(name string, mutate func(*v1.EphemeralContainer)) v1.EphemeralContainer {
		ec := ephemeral(name)
		mutate(&ec)
		return ec
	}
	restart := func(p v1.ContainerRestartPolicy) func(*v1.EphemeralContainer) {
		return func(ec *v1.EphemeralContainer) { ec.RestartPolicy = &p }
	}
	ec0 := "spec.ephemeralContainers[0]"
	cases := []struct {
		name string
		ecs  []v1.EphemeralContainer
		opts PodValidationOptions
		want []wantErr
	}{
		{name: "Single Container", ecs: []v1.EphemeralContainer{ephemeral("debugger")}},
		{name: "Multiple Containers", ecs: []v1.EphemeralContainer{ephemeral("debugger1"), ephemeral("debugger2")}},
		{name: "Single Container with Target", ecs: []v1.EphemeralContainer{ecWith("debugger", func(ec *v1.EphemeralContainer) { ec.TargetContainerName = "ctr" })}},
		{name: "Target is an init container", ecs: []v1.EphemeralContainer{ecWith("debugger", func(ec *v1.EphemeralContainer) { ec.TargetContainerName = "ictr" })}},
		{name: "All allowed fields", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.Command, ec.Args, ec.WorkingDir = []string{"bash"}, []string{"bash"}, "/"
			ec.EnvFrom = []v1.EnvFromSource{{ConfigMapRef: &v1.ConfigMapEnvSource{LocalObjectReference: v1.LocalObjectReference{Name: "dummy"}, Optional: ptr.To(true)}}}
			ec.Env = []v1.EnvVar{{Name: "TEST", Value: "TRUE"}}
			ec.VolumeMounts = []v1.VolumeMount{{Name: "vol", MountPath: "/vol"}}
			ec.VolumeDevices = []v1.VolumeDevice{{Name: "blk", DevicePath: "/dev/block"}}
			ec.SecurityContext = &v1.SecurityContext{Capabilities: &v1.Capabilities{Add: []v1.Capability{"SYS_ADMIN"}}}
			ec.Stdin, ec.StdinOnce, ec.TTY = true, true, true
		})}},
		{name: "empty Container", ecs: []v1.EphemeralContainer{{}}, want: []wantErr{
			{field.ErrorTypeRequired, ec0 + ".name", ""},
			{field.ErrorTypeRequired, ec0 + ".image", ""},
			{field.ErrorTypeRequired, ec0 + ".terminationMessagePolicy", ""},
			{field.ErrorTypeRequired, ec0 + ".imagePullPolicy", ""},
		}},
		{name: "empty Container Name", ecs: []v1.EphemeralContainer{ephemeral("")}, want: []wantErr{
			{field.ErrorTypeRequired, ec0 + ".name", "spec.ephemeralContainers[0].name: Required value"}}},
		{name: "whitespace padded image name", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) { ec.Image = " image" })}, want: []wantErr{
			{field.ErrorTypeInvalid, ec0 + ".image", `spec.ephemeralContainers[0].image: Invalid value: " image": must not have leading or trailing whitespace`}}},
		{name: "invalid image pull policy", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) { ec.ImagePullPolicy = "PullThreeTimes" })}, want: []wantErr{
			{field.ErrorTypeNotSupported, ec0 + ".imagePullPolicy", `spec.ephemeralContainers[0].imagePullPolicy: Unsupported value: "PullThreeTimes": supported values: "Always", "IfNotPresent", "Never"`}}},
		{name: "invalid termination message policy", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) { ec.TerminationMessagePolicy = "Log" })}, want: []wantErr{
			{field.ErrorTypeNotSupported, ec0 + ".terminationMessagePolicy", `spec.ephemeralContainers[0].terminationMessagePolicy: Unsupported value: "Log": supported values: "File", "FallbackToLogsOnError"`}}},
		{name: "dotted name is not a DNS label", ecs: []v1.EphemeralContainer{ephemeral("a.b.c")}, want: []wantErr{{field.ErrorTypeInvalid, ec0 + ".name", ""}}},
		{name: "64 character name", ecs: []v1.EphemeralContainer{ephemeral(strings.Repeat("a", 64))}, want: []wantErr{{field.ErrorTypeInvalid, ec0 + ".name", ""}}},
		{name: "Name Collision with Container.Containers", ecs: []v1.EphemeralContainer{ephemeral("ctr")}, want: []wantErr{
			{field.ErrorTypeDuplicate, ec0 + ".name", `spec.ephemeralContainers[0].name: Duplicate value: "ctr"`}}},
		{name: "Name Collision with Container.InitContainers", ecs: []v1.EphemeralContainer{ephemeral("ictr")}, want: []wantErr{
			{field.ErrorTypeDuplicate, ec0 + ".name", ""}}},
		{name: "Name Collision with EphemeralContainers", ecs: []v1.EphemeralContainer{ephemeral("d1"), ephemeral("d1")}, want: []wantErr{
			{field.ErrorTypeDuplicate, "spec.ephemeralContainers[1].name", ""}}},
		{name: "TargetContainerName doesn't exist", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) { ec.TargetContainerName = "bogus" })}, want: []wantErr{
			{field.ErrorTypeNotFound, ec0 + ".targetContainerName", `spec.ephemeralContainers[0].targetContainerName: Not found: "bogus"`}}},
		{name: "Targets an ephemeral container", ecs: []v1.EphemeralContainer{ephemeral("debug"), ecWith("debugception", func(ec *v1.EphemeralContainer) { ec.TargetContainerName = "debug" })}, want: []wantErr{
			{field.ErrorTypeNotFound, "spec.ephemeralContainers[1].targetContainerName", ""}}},
		{name: "Container uses disallowed field: Ports", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.Ports = []v1.ContainerPort{{ContainerPort: 80, Protocol: v1.ProtocolTCP}}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".ports", "spec.ephemeralContainers[0].ports: Forbidden: " + forbiddenEC}}},
		{name: "Container uses disallowed field: empty Ports list", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) { ec.Ports = []v1.ContainerPort{} })}, want: []wantErr{
			{field.ErrorTypeForbidden, ec0 + ".ports", ""}}},
		{name: "Container uses disallowed field: Resources", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.Resources.Limits = v1.ResourceList{v1.ResourceCPU: resource.MustParse("10")}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".resources", ""}}},
		{name: "Container uses disallowed field: ResizePolicy", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.ResizePolicy = []v1.ContainerResizePolicy{{ResourceName: "cpu", RestartPolicy: "NotRequired"}}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".resizePolicy", ""}}},
		{name: "Container uses disallowed field: LivenessProbe", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.LivenessProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{TCPSocket: &v1.TCPSocketAction{}}, SuccessThreshold: 1}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".livenessProbe", ""}}},
		{name: "Container uses disallowed field: ReadinessProbe", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.ReadinessProbe = &v1.Probe{}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".readinessProbe", ""}}},
		{name: "Container uses disallowed field: StartupProbe", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.StartupProbe = &v1.Probe{}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".startupProbe", ""}}},
		{name: "Disallowed field with other errors should only return a single Forbidden", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.Lifecycle = &v1.Lifecycle{PreStop: &v1.LifecycleHandler{Exec: &v1.ExecAction{Command: []string{}}}}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".lifecycle", "spec.ephemeralContainers[0].lifecycle: Forbidden: " + forbiddenEC}}},
		{name: "Forbidden RestartPolicy: Always", ecs: []v1.EphemeralContainer{ecWith("debug", restart("Always"))}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".restartPolicy", ""}}},
		{name: "Forbidden RestartPolicy: OnFailure", ecs: []v1.EphemeralContainer{ecWith("debug", restart("OnFailure"))}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".restartPolicy", ""}}},
		{name: "Forbidden RestartPolicy: Never", ecs: []v1.EphemeralContainer{ecWith("debug", restart("Never"))}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".restartPolicy", ""}}},
		{name: "Forbidden RestartPolicy: invalid", ecs: []v1.EphemeralContainer{ecWith("debug", restart("invalid"))}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".restartPolicy", ""}}},
		{name: "Forbidden RestartPolicy: empty", ecs: []v1.EphemeralContainer{ecWith("debug", restart(""))}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".restartPolicy", ""}}},
		{name: "Container uses disallowed field: VolumeMount.SubPath", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.VolumeMounts = []v1.VolumeMount{{Name: "vol", MountPath: "/vol"}, {Name: "vol", MountPath: "/volsub", SubPath: "foo"}}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".volumeMounts[1].subPath", ""}}},
		{name: "Container uses disallowed field: VolumeMount.SubPathExpr", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.VolumeMounts = []v1.VolumeMount{{Name: "vol", MountPath: "/vol"}, {Name: "vol", MountPath: "/volsub", SubPathExpr: "$(POD_NAME)"}}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".volumeMounts[1].subPathExpr", ""}}},
		{name: "unknown volume", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.VolumeMounts = []v1.VolumeMount{{Name: "nope", MountPath: "/x"}}
		})}, want: []wantErr{{field.ErrorTypeNotFound, ec0 + ".volumeMounts[0].name", `spec.ephemeralContainers[0].volumeMounts[0].name: Not found: "nope"`}}},
		{name: "invalid env var name is content-validated", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.Env = []v1.EnvVar{{Name: "A=B", Value: "x"}}
		})}, want: []wantErr{{field.ErrorTypeInvalid, ec0 + ".env[0].name", ""}}},
		{name: "privileged disallowed by cluster policy", ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.SecurityContext = &v1.SecurityContext{Privileged: ptr.To(true)}
		})}, want: []wantErr{{field.ErrorTypeForbidden, ec0 + ".securityContext.privileged", "spec.ephemeralContainers[0].securityContext.privileged: Forbidden: disallowed by cluster policy"}}},
		{name: "privileged allowed with --allow-privileged", opts: PodValidationOptions{AllowPrivileged: true}, ecs: []v1.EphemeralContainer{ecWith("debug", func(ec *v1.EphemeralContainer) {
			ec.SecurityContext = &v1.SecurityContext{Privileged: ptr.To(true)}
		})}},
		{name: "several errors keep upstream order", ecs: []v1.EphemeralContainer{ecWith("Bad_Name", func(ec *v1.EphemeralContainer) {
			ec.Ports = []v1.ContainerPort{{ContainerPort: 80, Protocol: v1.ProtocolTCP}}
			ec.Resources.Limits = v1.ResourceList{v1.ResourceCPU: resource.MustParse("1")}
			ec.LivenessProbe = &v1.Probe{}
		})}, want: []wantErr{
			{field.ErrorTypeInvalid, ec0 + ".name", ""},
			{field.ErrorTypeForbidden, ec0 + ".ports", ""},
			{field.ErrorTypeForbidden, ec0 + ".resources", ""},
			{field.ErrorTypeForbidden, ec0 + ".livenessProbe", ""},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := basePod()
			errs := ValidatePodEphemeralContainersUpdate(withEC(old, tc.ecs...), old, tc.opts)
			checkErrs(t, errs, tc.want)
		})
	}
}

func TestEphemeralErrorsAggregate(t *testing.T) {
	old := basePod()
	ec := ephemeral("d")
	ec.Ports = []v1.ContainerPort{{ContainerPort: 80, Protocol: v1.ProtocolTCP}}
	ec.RestartPolicy = ptr.To(v1.ContainerRestartPolicyAlways)
	got := ValidatePodEphemeralContainersUpdate(withEC(old, ec), old, PodValidationOptions{}).ToAggregate().Error()
	want := "[spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container]"
	if got != want {
		t.Errorf("want %q, got %q", want, got)
	}
}

func TestValidatePodEphemeralContainersUpdate(t *testing.T) {
	f1 := withEC(basePod(), ephemeral("debugger1"))
	f2 := withEC(basePod(), ephemeral("debugger1"), ephemeral("debugger2"))
	changed := ephemeral("debugger1")
	changed.Image = "debian"
	static := withEC(basePod())
	static.Annotations = map[string]string{"kubernetes.io/config.mirror": "foo"}
	static.Spec.NodeName = "n1"
	otherUID := withEC(basePod(), ephemeral("d"))
	otherUID.UID = "uid-2"
	cases := []struct {
		name     string
		new, old *v1.Pod
		want     []wantErr
	}{
		{name: "No change, nil", new: basePod(), old: basePod()},
		{name: "No change, set", new: f1, old: f1},
		{name: "Add to an empty list", new: withEC(basePod(), ephemeral("debugger")), old: basePod()},
		{name: "Add to an existing list", new: f2, old: f1},
		{name: "list order changes", new: withEC(basePod(), ephemeral("debugger2"), ephemeral("debugger1")), old: f2},
		{name: "Add to an existing list, list order changes", new: withEC(basePod(), ephemeral("debugger3"), ephemeral("debugger2"), ephemeral("debugger1")), old: f2},
		{name: "Remove an Ephemeral Container", new: basePod(), old: f1, want: []wantErr{
			{field.ErrorTypeForbidden, "spec.ephemeralContainers", "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger1\" may not be removed\n"}}},
		{name: "Remove all, empty list", new: withEC(basePod(), []v1.EphemeralContainer{}...), old: f2, want: []wantErr{
			{field.ErrorTypeForbidden, "spec.ephemeralContainers", "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger1\" may not be removed\n"},
			{field.ErrorTypeForbidden, "spec.ephemeralContainers", "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger2\" may not be removed\n"}}},
		{name: "Decrease number of containers", new: f1, old: f2, want: []wantErr{
			{field.ErrorTypeForbidden, "spec.ephemeralContainers", "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger2\" may not be removed\n"}}},
		{name: "Replace an Ephemeral Container", new: withEC(basePod(), ephemeral("thentheother")), old: f1, want: []wantErr{
			{field.ErrorTypeForbidden, "spec.ephemeralContainers", ""}}},
		{name: "Change an Ephemeral Containers", new: withEC(basePod(), changed), old: f1, want: []wantErr{
			{field.ErrorTypeForbidden, "spec.ephemeralContainers", "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger1\" may not be changed\n" +
				"@@ -1,6 +1,6 @@\n {\n  \"Name\": \"debugger1\",\n- \"Image\": \"busybox:1.36\",\n+ \"Image\": \"debian\",\n  \"Command\": null,\n  \"Args\": null,\n  \"WorkingDir\": \"\",\n"}}},
		{name: "Add ephemeral container to static pod", new: withEC(static, ephemeral("debugger1")), old: static, want: []wantErr{
			// field.NewPath("") renders as "[]" in this apimachinery
			{field.ErrorTypeForbidden, "[]", "[]: Forbidden: static pods do not support ephemeral containers"}}},
		{name: "uid is immutable", new: otherUID, old: basePod(), want: []wantErr{
			{field.ErrorTypeInvalid, "metadata.uid", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkErrs(t, ValidatePodEphemeralContainersUpdate(tc.new, tc.old, PodValidationOptions{}), tc.want)
		})
	}
}

func TestValidatePodCreate(t *testing.T) {
	mut := func(f func(p *v1.Pod)) *v1.Pod {
		p := basePod()
		f(p)
		return p
	}
	cases := []struct {
		name string
		pod  *v1.Pod
		opts PodValidationOptions
		want []wantErr
	}{
		{name: "valid pod", pod: basePod()},
		{name: "ephemeral containers cannot be set on create", pod: withEC(basePod(), ephemeral("d")), want: []wantErr{
			{field.ErrorTypeForbidden, "spec.ephemeralContainers", "spec.ephemeralContainers: Forbidden: cannot be set on create"}}},
		{name: "no containers", pod: mut(func(p *v1.Pod) { p.Spec.Containers = nil }), want: []wantErr{
			{field.ErrorTypeRequired, "spec.containers", "spec.containers: Required value"}}},
		{name: "bad pod name", pod: mut(func(p *v1.Pod) { p.Name = "Bad_Name" }), want: []wantErr{{field.ErrorTypeInvalid, "metadata.name", ""}}},
		{name: "missing namespace", pod: mut(func(p *v1.Pod) { p.Namespace = "" }), want: []wantErr{{field.ErrorTypeRequired, "metadata.namespace", ""}}},
		{name: "init container name collides with container", pod: mut(func(p *v1.Pod) { p.Spec.InitContainers[0].Name = "ctr" }), want: []wantErr{
			{field.ErrorTypeDuplicate, "spec.initContainers[0].name", `spec.initContainers[0].name: Duplicate value: "ctr"`}}},
		{name: "missing image", pod: mut(func(p *v1.Pod) { p.Spec.Containers[0].Image = "" }), want: []wantErr{{field.ErrorTypeRequired, "spec.containers[0].image", ""}}},
		{name: "padded image", pod: mut(func(p *v1.Pod) { p.Spec.Containers[0].Image = "busybox " }), want: []wantErr{{field.ErrorTypeInvalid, "spec.containers[0].image", ""}}},
		{name: "bad restartPolicy", pod: mut(func(p *v1.Pod) { p.Spec.RestartPolicy = "Sometimes" }), want: []wantErr{
			{field.ErrorTypeNotSupported, "spec.restartPolicy", `spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`}}},
		{name: "bad dnsPolicy", pod: mut(func(p *v1.Pod) { p.Spec.DNSPolicy = "Bogus" }), want: []wantErr{{field.ErrorTypeNotSupported, "spec.dnsPolicy", ""}}},
		{name: "missing terminationGracePeriodSeconds", pod: mut(func(p *v1.Pod) { p.Spec.TerminationGracePeriodSeconds = nil }), want: []wantErr{{field.ErrorTypeRequired, "spec.terminationGracePeriodSeconds", ""}}},
		{name: "activeDeadlineSeconds zero", pod: mut(func(p *v1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](0) }), want: []wantErr{
			{field.ErrorTypeInvalid, "spec.activeDeadlineSeconds", "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"}}},
		{name: "volume without a source", pod: mut(func(p *v1.Pod) { p.Spec.Volumes = append(p.Spec.Volumes, v1.Volume{Name: "none"}) }), want: []wantErr{
			{field.ErrorTypeRequired, "spec.volumes[2]", "spec.volumes[2]: Required value: must specify a volume type"}}},
		{name: "duplicate volume name", pod: mut(func(p *v1.Pod) { p.Spec.Volumes[1] = p.Spec.Volumes[0] }), want: []wantErr{
			{field.ErrorTypeDuplicate, "spec.volumes[1].name", ""}}},
		{name: "two volume sources", pod: mut(func(p *v1.Pod) { p.Spec.Volumes[0].HostPath = &v1.HostPathVolumeSource{Path: "/tmp"} }), want: []wantErr{
			{field.ErrorTypeForbidden, "spec.volumes[0].hostPath", "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"}}},
		{name: "mount of an unknown volume", pod: mut(func(p *v1.Pod) { p.Spec.Containers[0].VolumeMounts = []v1.VolumeMount{{Name: "nope", MountPath: "/x"}} }), want: []wantErr{
			{field.ErrorTypeNotFound, "spec.containers[0].volumeMounts[0].name", ""}}},
		{name: "mount without path", pod: mut(func(p *v1.Pod) { p.Spec.Containers[0].VolumeMounts = []v1.VolumeMount{{Name: "vol"}} }), want: []wantErr{
			{field.ErrorTypeRequired, "spec.containers[0].volumeMounts[0].mountPath", ""}}},
		{name: "privileged container", pod: mut(func(p *v1.Pod) {
			p.Spec.InitContainers[0].SecurityContext = &v1.SecurityContext{Privileged: ptr.To(true)}
		}), want: []wantErr{
			{field.ErrorTypeForbidden, "spec.initContainers[0].securityContext.privileged", "spec.initContainers[0].securityContext.privileged: Forbidden: disallowed by cluster policy"}}},
		{name: "request above limit", pod: mut(func(p *v1.Pod) {
			p.Spec.Containers[0].Resources = v1.ResourceRequirements{Limits: v1.ResourceList{"cpu": resource.MustParse("1")}, Requests: v1.ResourceList{"cpu": resource.MustParse("2")}}
		}), want: []wantErr{{field.ErrorTypeInvalid, "spec.containers[0].resources.requests", `spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`}}},
		{name: "negative quantity", pod: mut(func(p *v1.Pod) {
			p.Spec.Containers[0].Resources = v1.ResourceRequirements{Limits: v1.ResourceList{"memory": resource.MustParse("-1")}}
		}), want: []wantErr{{field.ErrorTypeInvalid, "spec.containers[0].resources.limits[memory]", ""}}},
		{name: "port out of range and bad protocol", pod: mut(func(p *v1.Pod) {
			p.Spec.Containers[0].Ports = []v1.ContainerPort{{ContainerPort: 70000, Protocol: "ICMP"}}
		}), want: []wantErr{
			{field.ErrorTypeInvalid, "spec.containers[0].ports[0].containerPort", ""},
			{field.ErrorTypeNotSupported, "spec.containers[0].ports[0].protocol", `spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"`}}},
		{name: "env valueFrom without a source", pod: mut(func(p *v1.Pod) { p.Spec.Containers[0].Env = []v1.EnvVar{{Name: "A", ValueFrom: &v1.EnvVarSource{}}} }), want: []wantErr{
			{field.ErrorTypeInvalid, "spec.containers[0].env[0].valueFrom", ""}}},
		{name: "bad nodeSelector label", pod: mut(func(p *v1.Pod) { p.Spec.NodeSelector = map[string]string{"a b": "c"} }), want: []wantErr{{field.ErrorTypeInvalid, "spec.nodeSelector", ""}}},
		{name: "bad serviceAccountName", pod: mut(func(p *v1.Pod) { p.Spec.ServiceAccountName = "Bad_SA" }), want: []wantErr{{field.ErrorTypeInvalid, "spec.serviceAccountName", ""}}},
		{name: "bad hostname", pod: mut(func(p *v1.Pod) { p.Spec.Hostname = "a.b" }), want: []wantErr{{field.ErrorTypeInvalid, "spec.hostname", ""}}},
		{name: "toleration without key needs Exists", pod: mut(func(p *v1.Pod) { p.Spec.Tolerations = []v1.Toleration{{Operator: v1.TolerationOpEqual, Value: "x"}} }), want: []wantErr{
			{field.ErrorTypeInvalid, "spec.tolerations[0].operator", ""}}},
		{name: "liveness probe needs successThreshold 1", pod: mut(func(p *v1.Pod) {
			p.Spec.Containers[0].LivenessProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{"true"}}}, SuccessThreshold: 2}
		}), want: []wantErr{{field.ErrorTypeInvalid, "spec.containers[0].livenessProbe.successThreshold", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkErrs(t, ValidatePodCreate(tc.pod, tc.opts), tc.want)
		})
	}
}

const podUpdatePrefix = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"

func TestValidatePodUpdate(t *testing.T) {
	mut := func(p *v1.Pod, f func(p *v1.Pod)) *v1.Pod {
		p = p.DeepCopy()
		f(p)
		return p
	}
	withADS := mut(basePod(), func(p *v1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](100) })
	negTGPS := mut(basePod(), func(p *v1.Pod) { p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](-1) })
	tol := v1.Toleration{Key: "k", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}
	withTol := mut(basePod(), func(p *v1.Pod) { p.Spec.Tolerations = []v1.Toleration{tol} })
	f1 := withEC(basePod(), ephemeral("debugger1"))
	cases := []struct {
		name      string
		new, old  *v1.Pod
		want      []wantErr
		msgPrefix string
	}{
		{name: "no change", new: basePod(), old: basePod()},
		{name: "image change", new: mut(basePod(), func(p *v1.Pod) { p.Spec.Containers[0].Image = "busybox:1.37"; p.Spec.InitContainers[0].Image = "x" }), old: basePod()},
		{name: "labels change", new: mut(basePod(), func(p *v1.Pod) { p.Labels["b"] = "c" }), old: basePod()},
		{name: "activeDeadlineSeconds set", new: withADS, old: basePod()},
		{name: "activeDeadlineSeconds lowered", new: mut(withADS, func(p *v1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](50) }), old: withADS},
		{name: "activeDeadlineSeconds raised", new: mut(withADS, func(p *v1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](200) }), old: withADS, want: []wantErr{
			{field.ErrorTypeInvalid, "spec.activeDeadlineSeconds", "spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"}}},
		{name: "activeDeadlineSeconds unset", new: basePod(), old: withADS, want: []wantErr{
			{field.ErrorTypeInvalid, "spec.activeDeadlineSeconds", "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"}}},
		{name: "toleration added", new: withTol, old: basePod()},
		{name: "tolerationSeconds changed", new: mut(withTol, func(p *v1.Pod) { p.Spec.Tolerations[0].TolerationSeconds = ptr.To[int64](10) }), old: withTol},
		{name: "toleration removed", new: basePod(), old: withTol, want: []wantErr{
			{field.ErrorTypeForbidden, "spec.tolerations", "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"}}},
		{name: "terminationGracePeriodSeconds negative to 1", new: mut(negTGPS, func(p *v1.Pod) { p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](1) }), old: negTGPS},
		{name: "container added", new: mut(basePod(), func(p *v1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, p.Spec.Containers[0])
			p.Spec.Containers[1].Name = "two"
		}), old: basePod(), want: []wantErr{
			{field.ErrorTypeForbidden, "spec.containers", "spec.containers: Forbidden: pod updates may not add or remove containers"}}},
		{name: "ephemeral container added through pod update", new: withEC(basePod(), ephemeral("d")), old: basePod(), want: []wantErr{{field.ErrorTypeForbidden, "spec", ""}}, msgPrefix: podUpdatePrefix},
		{name: "ephemeral container image changed through pod update", new: withEC(basePod(), func() v1.EphemeralContainer { e := ephemeral("debugger1"); e.Image = "debian"; return e }()), old: f1,
			want: []wantErr{{field.ErrorTypeForbidden, "spec", ""}}, msgPrefix: podUpdatePrefix},
		{name: "restartPolicy changed", new: mut(basePod(), func(p *v1.Pod) { p.Spec.RestartPolicy = v1.RestartPolicyNever }), old: basePod(), want: []wantErr{{field.ErrorTypeForbidden, "spec", ""}},
			msgPrefix: podUpdatePrefix + "@@ "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := ValidatePodUpdate(tc.new, tc.old, PodValidationOptions{})
			checkErrs(t, errs, tc.want)
			if tc.msgPrefix != "" && !strings.HasPrefix(errs[0].Detail, tc.msgPrefix) {
				t.Errorf("detail %q does not start with %q", errs[0].Detail, tc.msgPrefix)
			}
		})
	}
}

func TestValidatePodStatusUpdate(t *testing.T) {
	withStatus := func(restart v1.RestartPolicy, eph, ctrs []v1.ContainerStatus) *v1.Pod {
		p := withEC(basePod(), ephemeral("debugger1"))
		p.Spec.RestartPolicy = restart
		p.Status.EphemeralContainerStatuses = eph
		p.Status.ContainerStatuses = ctrs
		return p
	}
	terminated := v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 0}}
	failed := v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 1}}
	running := v1.ContainerState{Running: &v1.ContainerStateRunning{}}
	st := func(name string, s v1.ContainerState) []v1.ContainerStatus {
		return []v1.ContainerStatus{{Name: name, State: s}}
	}
	withConditions := func(types ...v1.PodConditionType) *v1.Pod {
		p := basePod()
		for _, t := range types {
			p.Status.Conditions = append(p.Status.Conditions, v1.PodCondition{Type: t, Status: v1.ConditionTrue})
		}
		return p
	}
	const qualifiedNameDetail = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
		"(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	cases := []struct {
		name     string
		new, old *v1.Pod
		want     []wantErr
	}{
		{name: "ephemeral container terminates", new: withStatus(v1.RestartPolicyAlways, st("debugger1", terminated), nil), old: withStatus(v1.RestartPolicyAlways, nil, nil)},
		{name: "ephemeral container may not restart", new: withStatus(v1.RestartPolicyAlways, st("debugger1", running), nil), old: withStatus(v1.RestartPolicyAlways, st("debugger1", terminated), nil), want: []wantErr{
			{field.ErrorTypeForbidden, "status.ephemeralContainerStatuses[0].state", "status.ephemeralContainerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"}}},
		{name: "status names are not matched against the spec", new: withStatus(v1.RestartPolicyAlways, st("not-in-spec", running), nil), old: withStatus(v1.RestartPolicyAlways, nil, nil)},
		{name: "container restarts under Always", new: withStatus(v1.RestartPolicyAlways, nil, st("ctr", running)), old: withStatus(v1.RestartPolicyAlways, nil, st("ctr", terminated))},
		{name: "failed container restarts under OnFailure", new: withStatus(v1.RestartPolicyOnFailure, nil, st("ctr", running)), old: withStatus(v1.RestartPolicyOnFailure, nil, st("ctr", failed))},
		{name: "container may not restart under Never", new: withStatus(v1.RestartPolicyNever, nil, st("ctr", running)), old: withStatus(v1.RestartPolicyNever, nil, st("ctr", terminated)), want: []wantErr{
			{field.ErrorTypeForbidden, "status.containerStatuses[0].state", ""}}},
		{name: "system and qualified custom condition types", new: withConditions("Ready", "PodScheduled", "Initialized", "example.com/Debugged", "Debugged"), old: withConditions()},
		{name: "a condition type that is not a qualified name is named under status", new: withConditions("Ready", "bad type"), old: withConditions(), want: []wantErr{
			{field.ErrorTypeInvalid, "status.conditions[1].Type", `status.conditions[1].Type: Invalid value: "bad type": ` + qualifiedNameDetail}}},
		{name: "each invalid condition type is reported, in order", new: withConditions("-x", "Ready", "a/b/c"), old: withConditions(), want: []wantErr{
			{field.ErrorTypeInvalid, "status.conditions[0].Type", ""},
			{field.ErrorTypeInvalid, "status.conditions[2].Type", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkErrs(t, ValidatePodStatusUpdate(tc.new, tc.old, PodValidationOptions{}), tc.want)
		})
	}
}

func TestValidatePodTemplateSpec(t *testing.T) {
	tmpl := &v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}}, Spec: basePod().Spec}
	checkErrs(t, ValidatePodTemplateSpec(tmpl, field.NewPath("template"), PodValidationOptions{}), nil)
	tmpl.Spec.EphemeralContainers = []v1.EphemeralContainer{ephemeral("d")}
	checkErrs(t, ValidatePodTemplateSpec(tmpl, field.NewPath("template"), PodValidationOptions{}), []wantErr{
		{field.ErrorTypeForbidden, "template.spec.ephemeralContainers", "template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template"}})
}

// TestUnifiedDiff pins the hunk layout against output of the reference
// difflib implementation for the same inputs.
func TestUnifiedDiff(t *testing.T) {
	var a []string
	for i := 0; i < 30; i++ {
		a = append(a, fmt.Sprintf("%d\n", i))
	}
	b := append([]string(nil), a...)
	b[2], b[20] = "two\n", "twenty\n"
	b = append(b[:25], b[26:]...)
	b = append(b[:10], append([]string{"new\n"}, b[10:]...)...)
	want := "@@ -1,6 +1,6 @@\n 0\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -8,6 +8,7 @@\n 7\n 8\n 9\n+new\n 10\n 11\n 12\n@@ -18,12 +19,11 @@\n 17\n 18\n 19\n-20\n+twenty\n 21\n 22\n 23\n 24\n-25\n 26\n 27\n 28\n"
	if got := unifiedDiff(a, b, 3); got != want {
		t.Errorf("want\n%q\ngot\n%q", want, got)
	}
	if got := unifiedDiff(a, a, 3); got != "" {
		t.Errorf("equal input gave %q", got)
	}
}
