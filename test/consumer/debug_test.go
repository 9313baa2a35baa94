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

package consumer

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/testserver"
)

// TestDebugContainerRuns adds a debug container as kubectl debug does and
// waits until the simulated kubelet reports it running.
func TestDebugContainerRuns(t *testing.T) {
	s := testserver.Start(t,
		testserver.WithFeatureGates("EphemeralContainers=true"),
		testserver.WithSimulatedKubelet())
	ctx := t.Context()
	pods := kubernetes.NewForConfigOrDie(s.Config).CoreV1().Pods("default")

	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "example-pod"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.9"}}},
	}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	debugger := `{"spec":{"ephemeralContainers":[{"name":"debugger","image":"busybox","command":["sh"],"stdin":true,"tty":true}]}}`
	if _, err := pods.Patch(ctx, "example-pod", types.StrategicMergePatchType, []byte(debugger),
		metav1.PatchOptions{}, "ephemeralcontainers"); err != nil {
		t.Fatal(err)
	}

	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		pod, err := pods.Get(ctx, "example-pod", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		statuses := pod.Status.EphemeralContainerStatuses
		return len(statuses) == 1 && statuses[0].State.Running != nil, nil
	})
	if err != nil {
		t.Fatalf("the debug container did not run: %v", err)
	}

	// Another user, authorized by RBAC: bound to nothing, refused.
	alice := kubernetes.NewForConfigOrDie(s.ConfigFor("alice"))
	if _, err := alice.CoreV1().Pods("default").Get(ctx, "example-pod", metav1.GetOptions{}); err == nil {
		t.Error("alice read a pod without being granted it")
	}
}
