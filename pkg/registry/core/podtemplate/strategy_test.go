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

package podtemplate

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/validation"
)

func TestGeneration(t *testing.T) {
	s := NewStrategy(runtime.NewScheme(), validation.PodValidationOptions{})
	base := &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "t", Namespace: "web", Generation: 4},
		Template:   corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}},
	}
	tests := []struct {
		name string
		edit func(*corev1.PodTemplate)
		want int64
	}{
		{"metadata only", func(pt *corev1.PodTemplate) { pt.Labels = map[string]string{"a": "b"} }, 4},
		{"template changed", func(pt *corev1.PodTemplate) { pt.Template.Spec.Containers[0].Image = "nginx:2" }, 5},
		{"client-set generation ignored", func(pt *corev1.PodTemplate) { pt.Generation = 99 }, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj := base.DeepCopy()
			tc.edit(obj)
			s.PrepareForUpdate(context.TODO(), obj, base.DeepCopy())
			if obj.Generation != tc.want {
				t.Errorf("generation %d, want %d", obj.Generation, tc.want)
			}
		})
	}
	created := base.DeepCopy()
	s.PrepareForCreate(context.TODO(), created)
	if created.Generation != 1 {
		t.Errorf("create: generation %d", created.Generation)
	}
}
