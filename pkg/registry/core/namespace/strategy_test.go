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

package namespace

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestStrategies(t *testing.T) {
	s := NewStrategy(runtime.NewScheme())
	old := &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: "web", ResourceVersion: "1", Labels: map[string]string{corev1.LabelMetadataName: "web"}},
		Spec:       corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
		Status:     corev1.NamespaceStatus{Phase: corev1.NamespaceActive},
	}
	tests := []struct {
		name           string
		prepare        func(obj, old runtime.Object)
		edit           func(*corev1.Namespace)
		wantFinalizers []corev1.FinalizerName
		wantPhase      corev1.NamespacePhase
		wantLabel      string
	}{
		{
			name:    "update keeps finalizers and status, restores the name label",
			prepare: func(obj, old runtime.Object) { s.PrepareForUpdate(context.TODO(), obj, old) },
			edit: func(ns *corev1.Namespace) {
				ns.Spec.Finalizers = nil
				ns.Status.Phase = corev1.NamespaceTerminating
				ns.Labels[corev1.LabelMetadataName] = "lie"
			},
			wantFinalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}, wantPhase: corev1.NamespaceActive, wantLabel: "web",
		},
		{
			name:    "status changes only status",
			prepare: func(obj, old runtime.Object) { NewStatusStrategy(s).PrepareForUpdate(context.TODO(), obj, old) },
			edit: func(ns *corev1.Namespace) {
				ns.Spec.Finalizers = nil
				ns.Status.Phase = corev1.NamespaceTerminating
			},
			wantFinalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}, wantPhase: corev1.NamespaceTerminating, wantLabel: "web",
		},
		{
			name:    "finalize changes only spec.finalizers",
			prepare: func(obj, old runtime.Object) { NewFinalizeStrategy(s).PrepareForUpdate(context.TODO(), obj, old) },
			edit: func(ns *corev1.Namespace) {
				ns.Spec.Finalizers = []corev1.FinalizerName{"example.com/x"}
				ns.Status.Phase = corev1.NamespaceTerminating
			},
			wantFinalizers: []corev1.FinalizerName{"example.com/x"}, wantPhase: corev1.NamespaceActive, wantLabel: "web",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj := old.DeepCopy()
			tc.edit(obj)
			tc.prepare(obj, old.DeepCopy())
			if len(obj.Spec.Finalizers) != len(tc.wantFinalizers) || (len(obj.Spec.Finalizers) > 0 && obj.Spec.Finalizers[0] != tc.wantFinalizers[0]) {
				t.Errorf("finalizers %v, want %v", obj.Spec.Finalizers, tc.wantFinalizers)
			}
			if obj.Status.Phase != tc.wantPhase {
				t.Errorf("phase %q, want %q", obj.Status.Phase, tc.wantPhase)
			}
			if got := obj.Labels[corev1.LabelMetadataName]; got != tc.wantLabel {
				t.Errorf("name label %q, want %q", got, tc.wantLabel)
			}
		})
	}
}

func TestPrepareForCreate(t *testing.T) {
	tests := []struct {
		name           string
		finalizers     []corev1.FinalizerName
		wantFinalizers int
	}{
		{"adds the kubernetes finalizer", nil, 1},
		{"does not duplicate it", []corev1.FinalizerName{corev1.FinalizerKubernetes}, 1},
		{"keeps others", []corev1.FinalizerName{"example.com/x"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.NamespaceSpec{Finalizers: tc.finalizers},
				Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
			s := NewStrategy(runtime.NewScheme())
			s.PrepareForCreate(context.TODO(), ns)
			if len(ns.Spec.Finalizers) != tc.wantFinalizers {
				t.Errorf("finalizers %v", ns.Spec.Finalizers)
			}
			if ns.Status.Phase != corev1.NamespaceActive {
				t.Errorf("phase %q", ns.Status.Phase)
			}
			if ns.Labels[corev1.LabelMetadataName] != "web" {
				t.Errorf("labels %v", ns.Labels)
			}
			if errs := s.Validate(context.TODO(), ns); len(errs) != 0 {
				t.Errorf("unexpected errors: %v", errs)
			}
		})
	}
}

func TestSelectableFields(t *testing.T) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
	got := ToSelectableFields(ns)
	if got["metadata.name"] != "web" || got["status.phase"] != "Terminating" {
		t.Errorf("fields %v", got)
	}
	if _, ok := got["metadata.namespace"]; ok {
		t.Errorf("a namespace has no metadata.namespace field: %v", got)
	}
}
