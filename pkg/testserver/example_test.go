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

package testserver_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/testserver"
)

// A test that adds a debug container the way kubectl debug does and waits
// until the simulated kubelet reports it running. In a real test t is the
// test's *testing.T.
func ExampleStart() {
	t := newExampleT()
	defer t.finish()

	s := testserver.Start(t, testserver.WithFeatureGates("EphemeralContainers=true"), testserver.WithSimulatedKubelet())
	ctx := context.Background()
	pods := kubernetes.NewForConfigOrDie(s.Config).CoreV1().Pods("default")

	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "example-pod"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.9"}}},
	}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	debugger := `{"spec":{"ephemeralContainers":[{"name":"debugger","image":"busybox","command":["sh"],"stdin":true,"tty":true}]}}`
	if _, err := pods.Patch(ctx, "example-pod", types.StrategicMergePatchType, []byte(debugger), metav1.PatchOptions{}, "ephemeralcontainers"); err != nil {
		t.Fatal(err)
	}

	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		pod, err := pods.Get(ctx, "example-pod", metav1.GetOptions{})
		if err != nil || len(pod.Status.EphemeralContainerStatuses) == 0 {
			return false, err
		}
		status := pod.Status.EphemeralContainerStatuses[0]
		return status.State.Running != nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("debugger is running")
	// Output: debugger is running
}

// exampleT stands in for the *testing.T an example does not have: enough
// of testing.TB for Start.
type exampleT struct {
	testing.TB
	dirs     []string
	cleanups []func()
}

func newExampleT() *exampleT { return &exampleT{} }

func (t *exampleT) Helper() {}

func (t *exampleT) TempDir() string {
	dir, err := os.MkdirTemp("", "example-")
	if err != nil {
		panic(err)
	}
	t.dirs = append(t.dirs, dir)
	return dir
}

func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

func (t *exampleT) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (t *exampleT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func (t *exampleT) finish() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	for _, dir := range t.dirs {
		_ = os.RemoveAll(dir)
	}
}
