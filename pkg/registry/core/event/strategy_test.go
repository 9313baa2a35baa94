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

package event

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestToSelectableFields(t *testing.T) {
	tests := []struct {
		name  string
		event corev1.Event
		want  map[string]string
	}{
		{
			name: "old style",
			event: corev1.Event{
				ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "web"},
				InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "web", Name: "p", UID: "u", APIVersion: "v1",
					ResourceVersion: "3", FieldPath: "spec.ephemeralContainers{d}"},
				Reason: "EphemeralContainerAdded", Type: "Normal", Source: corev1.EventSource{Component: "ephemeral-apiserver"},
			},
			want: map[string]string{
				"metadata.name": "e", "metadata.namespace": "web",
				"involvedObject.kind": "Pod", "involvedObject.namespace": "web", "involvedObject.name": "p", "involvedObject.uid": "u",
				"involvedObject.apiVersion": "v1", "involvedObject.resourceVersion": "3", "involvedObject.fieldPath": "spec.ephemeralContainers{d}",
				"reason": "EphemeralContainerAdded", "type": "Normal", "source": "ephemeral-apiserver", "reportingComponent": "",
			},
		},
		{
			name:  "source falls back to the reporting controller",
			event: corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "web"}, ReportingController: "example.com/c"},
			want:  map[string]string{"source": "example.com/c", "reportingComponent": "example.com/c"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ToSelectableFields(&tc.event)
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
