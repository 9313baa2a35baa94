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

package ephemeral

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestWaitForRunning(t *testing.T) {
	waiting := func(reason, message string) *corev1.ContainerState {
		return &corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
	}
	running := &corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	tests := []struct {
		name string
		// states are what successive reads of the pod say; nil: no status.
		states  []*corev1.ContainerState
		timeout time.Duration
		wantErr string
		// wantReads is how many times the pod is read; 0: any.
		wantReads int
	}{{
		name:      "ContainerCreating, then Running",
		states:    []*corev1.ContainerState{nil, waiting("ContainerCreating", ""), running},
		timeout:   time.Minute,
		wantReads: 3,
	}, {
		name:      "ImagePullBackOff ends the wait at once",
		states:    []*corev1.ContainerState{waiting("ContainerCreating", ""), waiting("ImagePullBackOff", `Back-off pulling image "nope"`)},
		timeout:   time.Minute,
		wantErr:   `ephemeral container "dbg" is not running: Waiting: ImagePullBackOff: Back-off pulling image "nope"`,
		wantReads: 2,
	}, {
		name:    "ErrImagePull may pass: the wait goes on to its end, and says what the container waits for",
		states:  []*corev1.ContainerState{waiting("ErrImagePull", `pull access denied for "nope"`)},
		timeout: 50 * time.Millisecond,
		wantErr: `ephemeral container "dbg" is not running after 50ms: Waiting: ErrImagePull: pull access denied for "nope"`,
	}, {
		name:    "no status before the end",
		states:  []*corev1.ContainerState{nil},
		timeout: 50 * time.Millisecond,
		wantErr: `ephemeral container "dbg" is not running after 50ms: it has no status (no kubelet has reported on it)`,
	}, {
		name: "a container that terminated",
		states: []*corev1.ContainerState{{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 127, Reason: "Error", Message: "sh: nope: not found"}}},
		timeout:   time.Minute,
		wantErr:   `ephemeral container "dbg" is not running: Terminated with exit code 127: Error: sh: nope: not found`,
		wantReads: 1,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewClientset()
			reads := 0
			client.PrependReactor("get", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
				state := tc.states[min(reads, len(tc.states)-1)]
				reads++
				pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}}
				if state != nil {
					pod.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: *state}}
				}
				return true, pod, nil
			})
			err := WaitForRunning(context.Background(), client.CoreV1().Pods("ns"), "p", "dbg", tc.timeout, 5*time.Millisecond)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("error %v\nwant %s", err, tc.wantErr)
			}
			if tc.wantReads > 0 && reads != tc.wantReads {
				t.Errorf("%d reads, want %d", reads, tc.wantReads)
			}
		})
	}
}
