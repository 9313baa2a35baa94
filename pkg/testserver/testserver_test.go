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
	"os"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/features"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/testserver"
)

func newPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.9"}}},
	}
}

func TestStartServesAdminAndOtherUsers(t *testing.T) {
	s := testserver.Start(t)
	ctx := t.Context()

	admin := kubernetes.NewForConfigOrDie(s.Config)
	if _, err := admin.CoreV1().Pods("default").Create(ctx, newPod("p"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("admin create: %v", err)
	}
	alice := kubernetes.NewForConfigOrDie(s.ConfigFor("alice"))
	if _, err := alice.CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("a user bound to nothing listed pods: %v", err)
	}
	review, err := alice.AuthenticationV1().SelfSubjectReviews().Create(ctx, nil, metav1.CreateOptions{})
	if err == nil && review.Status.UserInfo.Username != "alice" {
		t.Errorf("ConfigFor(alice) authenticates as %q", review.Status.UserInfo.Username)
	}
	root := kubernetes.NewForConfigOrDie(s.ConfigFor("root", "system:masters"))
	if _, err := root.CoreV1().Pods("default").Get(ctx, "p", metav1.GetOptions{}); err != nil {
		t.Errorf("a member of system:masters: %v", err)
	}
	if _, err := os.Stat(s.KubeconfigPath()); err != nil {
		t.Errorf("admin kubeconfig: %v", err)
	}
}

func TestParallelServersKeepTheirOwnFeatureGates(t *testing.T) {
	processGate := utilfeature.DefaultFeatureGate.Enabled(features.EphemeralContainers)
	for _, enabled := range []bool{true, false} {
		t.Run(map[bool]string{true: "on", false: "off"}[enabled], func(t *testing.T) {
			t.Parallel()
			gate := "EphemeralContainers=false"
			if enabled {
				gate = "EphemeralContainers=true"
			}
			s := testserver.Start(t, testserver.WithFeatureGates(gate))
			resources, err := kubernetes.NewForConfigOrDie(s.Config).Discovery().ServerResourcesForGroupVersion("v1")
			if err != nil {
				t.Fatal(err)
			}
			served := slices.ContainsFunc(resources.APIResources, func(r metav1.APIResource) bool { return r.Name == "pods/ephemeralcontainers" })
			if served != enabled {
				t.Errorf("pods/ephemeralcontainers served: %t, want %t", served, enabled)
			}
		})
	}
	t.Cleanup(func() {
		if utilfeature.DefaultFeatureGate.Enabled(features.EphemeralContainers) != processGate {
			t.Error("a server changed the process's feature gate")
		}
	})
}

func TestStartRefusesBadFlags(t *testing.T) {
	if _, err := testserver.StartInDir(t.TempDir(), testserver.WithFlags("--no-such-flag")); err == nil {
		t.Error("an unknown flag was accepted")
	}
	if _, err := testserver.StartInDir(t.TempDir(), testserver.WithFeatureGates("NoSuchGate=true")); err == nil {
		t.Error("an unknown feature gate was accepted")
	}
}

func TestSimulatedKubeletRunsDebugContainers(t *testing.T) {
	s := testserver.Start(t, testserver.WithFeatureGates("EphemeralContainers=true"), testserver.WithSimulatedKubelet(),
		testserver.WithFlags("--simulate-kubelet-fail-images=nosuch*"))
	ctx := t.Context()
	pods := kubernetes.NewForConfigOrDie(s.Config).CoreV1().Pods("default")
	if _, err := pods.Create(ctx, newPod("p"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, dbg := range []struct{ name, image string }{{"debugger", "busybox"}, {"broken", "nosuchimage"}} {
		patch := `{"spec":{"ephemeralContainers":[{"name":"` + dbg.name + `","image":"` + dbg.image + `","command":["sh"]}]}}`
		if _, err := pods.Patch(ctx, "p", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "ephemeralcontainers"); err != nil {
			t.Fatal(err)
		}
	}
	var pod *corev1.Pod
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		if pod, err = pods.Get(ctx, "p", metav1.GetOptions{}); err != nil {
			return false, err
		}
		states := map[string]corev1.ContainerState{}
		for _, status := range pod.Status.EphemeralContainerStatuses {
			states[status.Name] = status.State
		}
		return states["debugger"].Running != nil &&
			states["broken"].Waiting != nil && states["broken"].Waiting.Reason == "ImagePullBackOff", nil
	})
	if err != nil {
		t.Fatalf("debug containers not Running and ImagePullBackOff: %v; statuses %+v", err, pod.Status.EphemeralContainerStatuses)
	}
	if pod.Spec.NodeName != "simulated-node" || pod.Status.Phase != corev1.PodRunning {
		t.Errorf("pod on %q in phase %s, want on simulated-node, Running", pod.Spec.NodeName, pod.Status.Phase)
	}
}

// BenchmarkStart measures the time from Start to a ready server, with a
// fresh data dir each time (certificates and etcd made anew).
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		s, err := testserver.StartInDir("")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Stop(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
