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
	"encoding/json"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FuzzValidatePod: any pod a client can send is validated without a panic,
// on create and as an update of the ephemeral containers of a stored pod.
func FuzzValidatePod(f *testing.F) {
	for _, seed := range []string{
		`{"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`,
		`{"metadata":{"name":"p","namespace":"default","resourceVersion":"1"},"spec":{"containers":[{"name":"c","image":"busybox"}],` +
			`"ephemeralContainers":[{"name":"d","image":"busybox","targetContainerName":"c","ports":[{"containerPort":80}]}]}}`,
		`{"spec":{"ephemeralContainers":[{"name":"","volumeMounts":[{"name":"v","mountPath":"/x","subPath":"../y"}],"resources":{"limits":{"cpu":"1"}}}]}}`,
		`{"spec":{"ephemeralContainers":[{"name":"d","securityContext":{"runAsUser":-1,"capabilities":{"add":["ALL"]}}}]}}`,
		`{"spec":{"volumes":[{"name":"v","projected":{"sources":[{}]}}],"containers":[{"name":"c","env":[{"name":"A","valueFrom":{}}]}]}}`,
	} {
		f.Add([]byte(seed))
	}
	old := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", ResourceVersion: "1"},
		Spec:       v1.PodSpec{Containers: []v1.Container{{Name: "c", Image: "busybox", TerminationMessagePolicy: v1.TerminationMessageReadFile, ImagePullPolicy: v1.PullAlways}}},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var pod v1.Pod
		if err := json.Unmarshal(body, &pod); err != nil {
			return
		}
		_ = ValidatePodCreate(&pod, PodValidationOptions{})
		updated := old.DeepCopy()
		updated.Spec.EphemeralContainers = pod.Spec.EphemeralContainers
		_ = ValidatePodEphemeralContainersUpdate(updated, old, PodValidationOptions{})
		_ = ValidatePodUpdate(&pod, old, PodValidationOptions{})
	})
}
