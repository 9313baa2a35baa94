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
package pod

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/utils/ptr"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/features"
)

func gate(t *testing.T, enabled bool) Policy {
	t.Helper()
	g := utilfeature.DefaultMutableFeatureGate.DeepCopy()
	if err := g.SetFromMap(map[string]bool{string(features.EphemeralContainers): enabled}); err != nil {
		t.Fatal(err)
	}
	return Policy{FeatureGate: g}
}

func ephemeral(names ...string) []corev1.EphemeralContainer {
	out := make([]corev1.EphemeralContainer, 0, len(names))
	for _, n := range names {
		out = append(out, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: n, Image: "busybox"}})
	}
	return out
}

func basePod(rv string, ecs ...string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "p", Namespace: "ns", UID: "uid-1", ResourceVersion: rv, Generation: 1,
			Labels: map[string]string{"app": "a"}, Annotations: map[string]string{"a": "b"},
		},
		Spec: corev1.PodSpec{
			Containers:          []corev1.Container{{Name: "c", Image: "nginx"}},
			EphemeralContainers: ephemeral(ecs...),
		},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Message: "old"},
	}
}

// The cases follow upstream's TestDropNonEphemeralContainerUpdates.
func TestEphemeralContainersPrepareForUpdate(t *testing.T) {
	tests := []struct {
		name   string
		old    *corev1.Pod
		update func(*corev1.Pod)
		want   func(*corev1.Pod)
	}{
		{
			name:   "simple ephemeral container append",
			old:    basePod("1", "one"),
			update: func(p *corev1.Pod) { p.Spec.EphemeralContainers = ephemeral("one", "two") },
			want: func(p *corev1.Pod) {
				p.Spec.EphemeralContainers = ephemeral("one", "two")
				p.Generation = 2
			},
		},
		{
			name: "whoops wrong pod",
			old:  basePod("1"),
			update: func(p *corev1.Pod) {
				p.Name, p.Namespace, p.UID = "other", "other-ns", "uid-2"
				p.Spec.EphemeralContainers = ephemeral("one")
			},
			want: func(p *corev1.Pod) {
				// Identity stays as requested: later layers refuse the mismatch.
				p.Name, p.Namespace, p.UID = "other", "other-ns", "uid-2"
				p.Spec.EphemeralContainers = ephemeral("one")
				p.Generation = 2
			},
		},
		{
			name: "resource conflict during update",
			old:  basePod("2"),
			update: func(p *corev1.Pod) {
				p.ResourceVersion = "1"
				p.Spec.EphemeralContainers = ephemeral("one")
			},
			want: func(p *corev1.Pod) {
				p.ResourceVersion = "1"
				p.Spec.EphemeralContainers = ephemeral("one")
				p.Generation = 2
			},
		},
		{
			name: "drop non-ephemeral container changes",
			old:  basePod("1"),
			update: func(p *corev1.Pod) {
				p.Annotations = map[string]string{"whiz": "bang"}
				p.Finalizers = []string{"milo"}
				p.Spec.Containers[0].Image = "nginx:2"
				p.Status.Message = "new"
				p.Spec.EphemeralContainers = ephemeral("one", "two")
			},
			want: func(p *corev1.Pod) {
				p.Spec.EphemeralContainers = ephemeral("one", "two")
				p.Generation = 2
			},
		},
		{
			name:   "no change keeps the generation",
			old:    basePod("1", "one"),
			update: func(p *corev1.Pod) {},
			want:   func(p *corev1.Pod) {},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewEphemeralContainersStrategy(NewStrategy(runtime.NewScheme(), gate(t, true)))
			newPod := tc.old.DeepCopy()
			tc.update(newPod)
			want := tc.old.DeepCopy()
			tc.want(want)

			s.PrepareForUpdate(context.Background(), newPod, tc.old)
			if !apiequality.Semantic.DeepEqual(newPod, want) {
				t.Errorf("got\n%#v\nwant\n%#v", newPod, want)
			}
		})
	}
}

func TestDropDisabledEphemeralContainers(t *testing.T) {
	tests := []struct {
		name    string
		enabled bool
		old     *corev1.Pod
		want    []string
	}{
		{name: "gate on keeps new ones", enabled: true, want: []string{"new"}},
		{name: "gate off drops them on create", enabled: false, want: nil},
		{name: "gate off drops them when the pod had none", enabled: false, old: basePod("1"), want: nil},
		{name: "gate off keeps them when the pod had some", enabled: false, old: basePod("1", "old"), want: []string{"new"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStrategy(runtime.NewScheme(), gate(t, tc.enabled))
			pod := basePod("1", "new")
			s.dropDisabledFields(pod, tc.old)
			var got []string
			for _, ec := range pod.Spec.EphemeralContainers {
				got = append(got, ec.Name)
			}
			if !apiequality.Semantic.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrepareForCreate(t *testing.T) {
	s := NewStrategy(runtime.NewScheme(), gate(t, true))
	pod := basePod("")
	pod.Generation = 7
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, Message: "from the client"}
	s.PrepareForCreate(context.Background(), pod)
	if pod.Generation != 1 {
		t.Errorf("generation = %d, want 1", pod.Generation)
	}
	want := corev1.PodStatus{Phase: corev1.PodPending, QOSClass: corev1.PodQOSBestEffort}
	if !apiequality.Semantic.DeepEqual(pod.Status, want) {
		t.Errorf("status = %#v, want %#v", pod.Status, want)
	}
}

func TestCheckGracefulDelete(t *testing.T) {
	tests := []struct {
		name     string
		nodeName string
		phase    corev1.PodPhase
		grace    *int64
		want     int64
	}{
		{name: "unscheduled pod goes at once", want: 0},
		{name: "scheduled pod waits its termination grace period", nodeName: "n1", phase: corev1.PodRunning, want: 30},
		{name: "the request's grace period wins", nodeName: "n1", phase: corev1.PodRunning, grace: ptr.To[int64](5), want: 5},
		{name: "finished pod goes at once", nodeName: "n1", phase: corev1.PodSucceeded, want: 0},
		{name: "failed pod goes at once", nodeName: "n1", phase: corev1.PodFailed, want: 0},
		{name: "negative grace period means one second", nodeName: "n1", phase: corev1.PodRunning, grace: ptr.To[int64](-1), want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := basePod("1")
			pod.Spec.NodeName = tc.nodeName
			pod.Spec.TerminationGracePeriodSeconds = ptr.To[int64](30)
			pod.Status.Phase = tc.phase
			options := &metav1.DeleteOptions{GracePeriodSeconds: tc.grace}
			if !NewStrategy(runtime.NewScheme(), gate(t, true)).CheckGracefulDelete(context.Background(), pod, options) {
				t.Fatal("CheckGracefulDelete returned false")
			}
			if *options.GracePeriodSeconds != tc.want {
				t.Errorf("grace period = %d, want %d", *options.GracePeriodSeconds, tc.want)
			}
		})
	}
}

func TestSelectableFields(t *testing.T) {
	pod := basePod("1")
	pod.Spec.NodeName = "node-1"
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	pod.Spec.SchedulerName = "default-scheduler"
	pod.Spec.ServiceAccountName = "sa"
	pod.Status.PodIPs = []corev1.PodIP{{IP: "10.0.0.1"}, {IP: "fd00::1"}}
	pod.Status.NominatedNodeName = "node-2"

	got := ToSelectableFields(pod)
	want := fields.Set{
		"metadata.name":            "p",
		"metadata.namespace":       "ns",
		"spec.nodeName":            "node-1",
		"spec.restartPolicy":       "Never",
		"spec.schedulerName":       "default-scheduler",
		"spec.serviceAccountName":  "sa",
		"spec.hostNetwork":         "false",
		"status.phase":             "Pending",
		"status.podIP":             "10.0.0.1",
		"status.nominatedNodeName": "node-2",
	}
	if !apiequality.Semantic.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}
