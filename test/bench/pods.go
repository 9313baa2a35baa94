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

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	namespace = "default"
	// benchLabel marks every pod this benchmark creates.
	benchLabel = "ephemeral-apiserver-bench"
	// smpContentType is the Content-Type of kubectl debug's PATCH.
	smpContentType = types.StrategicMergePatchType
)

// newPod is the pod every scenario creates: one container with the fields
// a small real workload sets, about 1 KiB once defaulted and encoded.
func newPod(name, group string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: namespace,
			Labels:    map[string]string{benchLabel: group, "app": "bench", "tier": "backend"},
			Annotations: map[string]string{
				"example.com/owner": "performance-team",
			},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "app",
				Image: "registry.example.com/team/app:v1.2.3",
				Args:  []string{"--port=8080", "--log-level=info"},
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				Env: []corev1.EnvVar{
					{Name: "MODE", Value: "benchmark"},
					{Name: "REGION", Value: "local"},
				},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{
						corev1.ResourceCPU:    resource.MustParse("100m"),
						corev1.ResourceMemory: resource.MustParse("128Mi"),
					},
					Limits: corev1.ResourceList{
						corev1.ResourceMemory: resource.MustParse("256Mi"),
					},
				},
			}},
			RestartPolicy: corev1.RestartPolicyAlways,
		},
	}
}

// addByPut adds a container with a PUT of the whole Pod to
// pods/ephemeralcontainers; pod must carry its current resourceVersion.
func addByPut(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, name string) (*corev1.Pod, error) {
	p := pod.DeepCopy()
	p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, harness.DebugContainer(name))
	return cs.CoreV1().Pods(namespace).UpdateEphemeralContainers(ctx, p.Name, p, metav1.UpdateOptions{})
}

// debugPatch is the strategic-merge patch kubectl debug sends to add name
// to a pod whose ephemeral containers are existing.
func debugPatch(existing []string, name string) ([]byte, error) {
	type elem struct {
		Name string `json:"name"`
	}
	order := make([]elem, 0, len(existing)+1)
	for _, n := range existing {
		order = append(order, elem{n})
	}
	order = append(order, elem{name})
	type container struct {
		Name                     string   `json:"name"`
		Image                    string   `json:"image"`
		Resources                struct{} `json:"resources"`
		TerminationMessagePolicy string   `json:"terminationMessagePolicy"`
	}
	patch := map[string]any{"spec": map[string]any{
		"$setElementOrder/ephemeralContainers": order,
		"ephemeralContainers": []container{{
			Name: name, Image: "busybox", TerminationMessagePolicy: "File",
		}},
	}}
	return json.Marshal(patch)
}

// addByPatch adds a container with kubectl debug's strategic-merge PATCH.
func addByPatch(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, name string) (*corev1.Pod, error) {
	data, err := debugPatch(harness.EphemeralNames(pod), name)
	if err != nil {
		return nil, err
	}
	return cs.CoreV1().Pods(namespace).Patch(ctx, pod.Name, smpContentType, data, metav1.PatchOptions{}, "ephemeralcontainers")
}

// addByLegacyPut adds a container in the Kubernetes 1.16 form: a PUT of
// kind EphemeralContainers holding every existing container and the new
// one, at pod's resourceVersion. The answer is in the same form; the pod
// returned carries its new resourceVersion and containers.
func addByLegacyPut(ctx context.Context, rc rest.Interface, pod *corev1.Pod, name string) (*corev1.Pod, error) {
	ecs := &legacyv1.EphemeralContainers{
		TypeMeta: metav1.TypeMeta{Kind: "EphemeralContainers", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{
			Name:            pod.Name,
			Namespace:       pod.Namespace,
			ResourceVersion: pod.ResourceVersion,
		},
		EphemeralContainers: append(append([]corev1.EphemeralContainer(nil), pod.Spec.EphemeralContainers...), harness.DebugContainer(name)),
	}
	body, err := json.Marshal(ecs)
	if err != nil {
		return nil, err
	}
	raw, err := rc.Put().Namespace(namespace).Resource("pods").Name(pod.Name).SubResource("ephemeralcontainers").
		SetHeader("Content-Type", "application/json").Body(body).Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var out legacyv1.EphemeralContainers
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decoding the EphemeralContainers answer: %w", err)
	}
	if out.Kind != "EphemeralContainers" {
		return nil, fmt.Errorf("the 1.16-form PUT was answered with kind %q", out.Kind)
	}
	p := pod.DeepCopy()
	p.ResourceVersion = out.ResourceVersion
	p.Spec.EphemeralContainers = out.EphemeralContainers
	return p, nil
}

// deleteAllPods deletes every pod this benchmark created in the namespace
// and waits until none is listed, so the next scenario starts from a known
// state. Pods without the benchmark's label are left alone. A delete
// collection that times out (thousands of pods) is sent again.
func deleteAllPods(ctx context.Context, cs kubernetes.Interface) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	zero := int64(0)
	var lastDelete time.Time
	var lastErr error
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		list, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: benchLabel, Limit: 1})
		if err == nil && len(list.Items) == 0 {
			return true, nil
		}
		if time.Since(lastDelete) > 10*time.Second {
			lastDelete = time.Now()
			err = cs.CoreV1().Pods(namespace).DeleteCollection(ctx,
				metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{LabelSelector: benchLabel})
			if err != nil && !apierrors.IsNotFound(err) {
				lastErr = err
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("deleting the benchmark's pods: %w (last error: %v)", err, lastErr)
	}
	return nil
}
