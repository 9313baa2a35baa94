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

package simulatedkubelet

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var testNode = node{name: "n1", ip: "10.0.0.10", fails: ImagePatterns{"nosuch*"}.Match,
	backOff: func(*corev1.Pod, string, metav1.Time) bool { return true }}

func newPod(containers []string, init []string, ephemeral []string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "uid-1"}, Spec: corev1.PodSpec{NodeName: "n1"}}
	for _, spec := range containers {
		name, image, _ := strings.Cut(spec, "=")
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: name, Image: image})
	}
	for _, spec := range init {
		name, image, _ := strings.Cut(spec, "=")
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, corev1.Container{Name: name, Image: image})
	}
	for _, spec := range ephemeral {
		name, image, _ := strings.Cut(spec, "=")
		pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, corev1.EphemeralContainer{
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: image}})
	}
	return pod
}

// states is each container's state after a report, as "name:state" where
// state is a waiting reason, Running or a terminated reason.
func states(statuses []corev1.ContainerStatus) []string {
	var out []string
	for _, cs := range statuses {
		switch {
		case cs.State.Waiting != nil:
			out = append(out, cs.Name+":"+cs.State.Waiting.Reason)
		case cs.State.Running != nil:
			out = append(out, cs.Name+":Running")
		case cs.State.Terminated != nil:
			out = append(out, cs.Name+":"+cs.State.Terminated.Reason)
		}
	}
	return out
}

// report applies n reports to pod, one second apart, and returns the
// status after each.
func report(pod *corev1.Pod, n int) []corev1.PodStatus {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var out []corev1.PodStatus
	for i := range n {
		pod.Status = testNode.nextStatus(pod, metav1.NewTime(start.Add(time.Duration(i)*time.Second)))
		out = append(out, *pod.Status.DeepCopy())
	}
	return out
}

func TestNextStatusSteps(t *testing.T) {
	tests := []struct {
		name                        string
		containers, init, ephemeral []string
		// want is, per report, the phase then every container's state:
		// init, regular, ephemeral.
		want [][]string
	}{{
		name:       "one container is created, then runs",
		containers: []string{"app=busybox"},
		want: [][]string{
			{"Pending", "app:ContainerCreating"},
			{"Running", "app:Running"},
			{"Running", "app:Running"},
		},
	}, {
		name:       "init containers run one after another, before the regular ones",
		containers: []string{"app=busybox"},
		init:       []string{"i1=busybox", "i2=busybox"},
		want: [][]string{
			{"Pending", "i1:ContainerCreating", "i2:PodInitializing", "app:PodInitializing"},
			{"Pending", "i1:Completed", "i2:PodInitializing", "app:PodInitializing"},
			{"Pending", "i1:Completed", "i2:ContainerCreating", "app:PodInitializing"},
			{"Pending", "i1:Completed", "i2:Completed", "app:PodInitializing"},
			{"Pending", "i1:Completed", "i2:Completed", "app:ContainerCreating"},
			{"Running", "i1:Completed", "i2:Completed", "app:Running"},
		},
	}, {
		name:       "a debug container is created, then runs, in a running pod",
		containers: []string{"app=busybox"},
		ephemeral:  []string{"debugger=busybox"},
		want: [][]string{
			{"Pending", "app:ContainerCreating", "debugger:ContainerCreating"},
			{"Running", "app:Running", "debugger:Running"},
		},
	}, {
		name:       "an image that fails is pulled in vain, then backs off, and stays so",
		containers: []string{"app=busybox"},
		ephemeral:  []string{"broken=nosuchimage:1"},
		want: [][]string{
			{"Pending", "app:ContainerCreating", "broken:ContainerCreating"},
			{"Running", "app:Running", "broken:ErrImagePull"},
			{"Running", "app:Running", "broken:ImagePullBackOff"},
			{"Running", "app:Running", "broken:ImagePullBackOff"},
		},
	}, {
		name:       "a regular container whose image fails keeps the pod pending",
		containers: []string{"app=busybox", "bad=nosuch"},
		want: [][]string{
			{"Pending", "app:ContainerCreating", "bad:ContainerCreating"},
			{"Pending", "app:Running", "bad:ErrImagePull"},
			{"Pending", "app:Running", "bad:ImagePullBackOff"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := newPod(tt.containers, tt.init, tt.ephemeral)
			for i, status := range report(pod, len(tt.want)) {
				got := append([]string{string(status.Phase)}, states(status.InitContainerStatuses)...)
				got = append(got, states(status.ContainerStatuses)...)
				got = append(got, states(status.EphemeralContainerStatuses)...)
				if !reflect.DeepEqual(got, tt.want[i]) {
					t.Errorf("report %d: got %v, want %v", i+1, got, tt.want[i])
				}
			}
		})
	}
}

func TestNextStatusRunningDebugContainer(t *testing.T) {
	pod := newPod([]string{"app=registry.k8s.io/pause:3.9"}, nil, []string{"debugger=busybox"})
	statuses := report(pod, 2)
	want := corev1.ContainerStatus{
		Name:         "debugger",
		Image:        "docker.io/library/busybox:latest",
		ImageID:      "docker.io/library/busybox@sha256:" + hexDigest("docker.io/library/busybox:latest"),
		ContainerID:  "containerd://" + hexDigest("uid-1/debugger"),
		Ready:        false,
		RestartCount: 0,
		State:        corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(statuses[0].StartTime.Add(time.Second))}},
	}
	if got := statuses[1].EphemeralContainerStatuses[0]; !equality.Semantic.DeepEqual(got, want) {
		t.Errorf("debug container status:\n got %+v\nwant %+v", got, want)
	}
	if got := statuses[0].EphemeralContainerStatuses[0].State.Waiting; got == nil || got.Reason != "ContainerCreating" {
		t.Errorf("first report: want Waiting ContainerCreating, got %+v", statuses[0].EphemeralContainerStatuses[0].State)
	}
	app := statuses[1].ContainerStatuses[0]
	if !app.Ready || app.Started == nil || !*app.Started || app.Image != "registry.k8s.io/pause:3.9" ||
		app.ImageID != "registry.k8s.io/pause@sha256:"+hexDigest("registry.k8s.io/pause:3.9") {
		t.Errorf("regular container: %+v", app)
	}
	if s := statuses[1]; s.HostIP != "10.0.0.10" || s.PodIP == "" || s.PodIP != statuses[0].PodIP || len(s.PodIPs) != 1 || !s.StartTime.Equal(statuses[0].StartTime) {
		t.Errorf("addresses and start time not reported once and kept: %+v", s)
	}
}

func TestNextStatusConditions(t *testing.T) {
	pod := newPod([]string{"app=busybox"}, nil, nil)
	statuses := report(pod, 3)
	conditions := func(s corev1.PodStatus) string {
		var out []string
		for _, c := range s.Conditions {
			out = append(out, fmt.Sprintf("%s=%s@%d", c.Type, c.Status, c.LastTransitionTime.Second()))
		}
		return strings.Join(out, " ")
	}
	want := []string{
		"PodReadyToStartContainers=True@0 Initialized=True@0 Ready=False@0 ContainersReady=False@0 PodScheduled=True@0",
		"PodReadyToStartContainers=True@0 Initialized=True@0 Ready=True@1 ContainersReady=True@1 PodScheduled=True@0",
		"PodReadyToStartContainers=True@0 Initialized=True@0 Ready=True@1 ContainersReady=True@1 PodScheduled=True@0",
	}
	for i, s := range statuses {
		if got := conditions(s); got != want[i] {
			t.Errorf("report %d:\n got %s\nwant %s", i+1, got, want[i])
		}
	}
	if c := statuses[0].Conditions[2]; c.Reason != "ContainersNotReady" || c.Message != "containers with unready status: [app]" {
		t.Errorf("Ready condition while creating: %+v", c)
	}
	if !equality.Semantic.DeepEqual(statuses[1], statuses[2]) {
		t.Errorf("a pod that runs is reported unchanged, got\n%+v\nthen\n%+v", statuses[1], statuses[2])
	}
}

func TestTerminatedStatus(t *testing.T) {
	pod := newPod([]string{"app=busybox"}, nil, []string{"debugger=busybox", "broken=nosuch"})
	statuses := report(pod, 2)
	pod.Status = statuses[1]
	done := terminatedStatus(pod, metav1.NewTime(time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)))
	if done.Phase != corev1.PodSucceeded {
		t.Errorf("phase %s, want Succeeded", done.Phase)
	}
	got := append(states(done.ContainerStatuses), states(done.EphemeralContainerStatuses)...)
	if want := []string{"app:Completed", "debugger:Completed", "broken:ContainerStatusUnknown"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if started := done.ContainerStatuses[0].State.Terminated.StartedAt; !started.Equal(&statuses[1].ContainerStatuses[0].State.Running.StartedAt) {
		t.Errorf("the terminated container forgot when it started: %v", started)
	}
	for _, c := range done.Conditions {
		if (c.Type == corev1.PodReady || c.Type == corev1.ContainersReady) && c.Status != corev1.ConditionFalse {
			t.Errorf("%s still %s", c.Type, c.Status)
		}
	}
}

func TestNormalizeImage(t *testing.T) {
	tests := map[string]string{
		"busybox":                        "docker.io/library/busybox:latest",
		"busybox:1.36":                   "docker.io/library/busybox:1.36",
		"library/busybox":                "docker.io/library/busybox:latest",
		"someone/tool:v1":                "docker.io/someone/tool:v1",
		"registry.k8s.io/pause:3.9":      "registry.k8s.io/pause:3.9",
		"localhost/img":                  "localhost/img:latest",
		"localhost:5000/a/b":             "localhost:5000/a/b:latest",
		"busybox@sha256:0123":            "docker.io/library/busybox@sha256:0123",
		"quay.io/org/img:tag@sha256:abc": "quay.io/org/img:tag@sha256:abc",
	}
	for in, want := range tests {
		if got := normalizeImage(in); got != want {
			t.Errorf("normalizeImage(%q) = %q, want %q", in, got, want)
		}
	}
	if got := imageID("docker.io/library/busybox@sha256:0123"); got != "docker.io/library/busybox@sha256:0123" {
		t.Errorf("imageID of a digest reference: %s", got)
	}
}

func TestImagePatterns(t *testing.T) {
	patterns := ImagePatterns{"nosuch*", "*:broken", "docker.io/library/busybox:1.0"}
	tests := map[string]bool{
		"nosuch":          true,
		"nosuchimage:1":   true,
		"tool:broken":     true,
		"busybox:1.0":     true, // by its full reference
		"busybox":         false,
		"org/nosuch":      false, // * does not cross a /
		"quay.io/x:other": false,
	}
	for image, want := range tests {
		if got := patterns.Match(image); got != want {
			t.Errorf("Match(%q) = %t, want %t", image, got, want)
		}
	}
	if err := (ImagePatterns{"[bad"}).Validate(); err == nil {
		t.Error("a malformed pattern was accepted")
	}
}

func TestPodIPStable(t *testing.T) {
	a, b := podIP("uid-a"), podIP("uid-b")
	if a != podIP("uid-a") || a == b || !strings.HasPrefix(a, "10.244.") {
		t.Errorf("podIP: %s %s", a, b)
	}
}

func TestContainerEvents(t *testing.T) {
	pod := newPod([]string{"app=busybox"}, nil, []string{"debugger=busybox", "broken=nosuch"})
	statuses := report(pod, 3)
	terminated := terminatedStatus(&corev1.Pod{Spec: pod.Spec, Status: statuses[2]}, metav1.Now())
	steps := []struct{ old, new corev1.PodStatus }{
		{corev1.PodStatus{}, statuses[0]}, {statuses[0], statuses[1]}, {statuses[1], statuses[2]}, {statuses[2], statuses[2]}, {statuses[2], terminated},
	}
	want := [][]string{{
		"spec.containers{app} Normal Pulling: Pulling image \"busybox\"",
		"spec.ephemeralContainers{debugger} Normal Pulling: Pulling image \"busybox\"",
		"spec.ephemeralContainers{broken} Normal Pulling: Pulling image \"nosuch\"",
	}, {
		"spec.containers{app} Normal Pulled: Successfully pulled image \"busybox\" in 0s (0s including waiting). Image size: 0 bytes.",
		"spec.containers{app} Normal Created: Created container: app",
		"spec.containers{app} Normal Started: Started container app",
		"spec.ephemeralContainers{debugger} Normal Pulled: Successfully pulled image \"busybox\" in 0s (0s including waiting). Image size: 0 bytes.",
		"spec.ephemeralContainers{debugger} Normal Created: Created container: debugger",
		"spec.ephemeralContainers{debugger} Normal Started: Started container debugger",
		"spec.ephemeralContainers{broken} Warning Failed: Failed to pull image \"nosuch\": " + pullError("nosuch"),
		"spec.ephemeralContainers{broken} Warning Failed: Error: ErrImagePull",
	}, {
		"spec.ephemeralContainers{broken} Normal BackOff: Back-off pulling image \"nosuch\"",
		"spec.ephemeralContainers{broken} Warning Failed: Error: ImagePullBackOff",
	}, nil, {
		"spec.containers{app} Normal Killing: Stopping container app",
		"spec.ephemeralContainers{debugger} Normal Killing: Stopping container debugger",
	}}
	for i, step := range steps {
		var got []string
		for _, e := range containerEvents(pod, step.old, step.new) {
			api := e.apiEvent(pod, "n1")
			got = append(got, fmt.Sprintf("%s %s %s: %s", api.InvolvedObject.FieldPath, api.Type, api.Reason, api.Message))
			if api.Source.Component != "kubelet" || api.Source.Host != "n1" || api.InvolvedObject.UID != pod.UID {
				t.Errorf("event source or object: %+v", api)
			}
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("step %d:\n got %q\nwant %q", i+1, got, want[i])
		}
	}
}
