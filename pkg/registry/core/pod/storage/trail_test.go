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

package storage

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestAddedEphemeralContainers(t *testing.T) {
	pod := func(names ...string) *corev1.Pod {
		p := &corev1.Pod{}
		for _, n := range names {
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: n}})
		}
		return p
	}
	tests := []struct {
		name          string
		before, after *corev1.Pod
		want          []string
	}{
		{"first", pod(), pod("a"), []string{"a"}},
		{"one more", pod("a"), pod("a", "b"), []string{"b"}},
		{"nothing new", pod("a"), pod("a"), nil},
		{"several at once, in the list's order", pod("a"), pod("c", "a", "b"), []string{"c", "b"}},
		{"several to an empty pod", pod(), pod("x", "y", "z"), []string{"x", "y", "z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			capture := &capturingUpdate{UpdatedObjectInfo: objInfo{tc.after}}
			if _, err := capture.UpdatedObject(context.TODO(), tc.before); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ec := range addedEphemeralContainers(capture.before, tc.after) {
				got = append(got, ec.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("added %v, want %v", got, tc.want)
			}
		})
	}
}

// objInfo answers a fixed object.
type objInfo struct{ obj runtime.Object }

func (o objInfo) Preconditions() *metav1.Preconditions { return nil }

func (o objInfo) UpdatedObject(context.Context, runtime.Object) (runtime.Object, error) {
	return o.obj, nil
}
