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
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

func TestSync(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	deleting := metav1.NewTime(now.Add(-time.Minute))
	ns := func(deleted bool, finalizers ...corev1.FinalizerName) *corev1.Namespace {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "web", ResourceVersion: "5"}, Spec: corev1.NamespaceSpec{Finalizers: finalizers}}
		if deleted {
			n.DeletionTimestamp = &deleting
			n.Status.Phase = corev1.NamespaceTerminating
		}
		return n
	}
	pod := func(name string, deleteAt *time.Time, finalizers ...string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "web", UID: "uid-" + "name", Finalizers: finalizers}}
		if deleteAt != nil {
			t := metav1.NewTime(*deleteAt)
			p.DeletionTimestamp = &t
		}
		return p
	}
	later, earlier := now.Add(5*time.Second), now.Add(-time.Second)

	tests := []struct {
		name           string
		objects        []runtime.Object
		wantFinalize   []corev1.FinalizerName // nil: no finalize call
		wantRecheck    time.Duration
		wantForceNames []string
	}{
		{name: "not being deleted", objects: []runtime.Object{ns(false, corev1.FinalizerKubernetes)}},
		{name: "already finalized", objects: []runtime.Object{ns(true)}},
		{name: "empty: finalize, keeping other finalizers",
			objects:      []runtime.Object{ns(true, corev1.FinalizerKubernetes, "example.com/x")},
			wantFinalize: []corev1.FinalizerName{"example.com/x"}},
		{name: "empty: finalize to nothing",
			objects:      []runtime.Object{ns(true, corev1.FinalizerKubernetes)},
			wantFinalize: []corev1.FinalizerName{}},
		{name: "a pod within its grace period: wait for it",
			objects:     []runtime.Object{ns(true, corev1.FinalizerKubernetes), pod("graceful", &later)},
			wantRecheck: 5 * time.Second},
		{name: "a pod past its grace period: force it",
			objects:        []runtime.Object{ns(true, corev1.FinalizerKubernetes), pod("stuck", &earlier)},
			wantRecheck:    time.Second,
			wantForceNames: []string{"stuck"}},
		{name: "a pod held by a finalizer: wait",
			objects:     []runtime.Object{ns(true, corev1.FinalizerKubernetes), pod("held", &earlier, "example.com/hold")},
			wantRecheck: maxRecheck},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewSimpleClientset(tc.objects...)
			client.PrependReactor("delete-collection", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
				return true, nil, nil
			})
			var finalized *corev1.Namespace
			client.PrependReactor("create", "namespaces", func(a clienttesting.Action) (bool, runtime.Object, error) {
				if a.GetSubresource() != "finalize" {
					return false, nil, nil
				}
				finalized = a.(clienttesting.CreateAction).GetObject().(*corev1.Namespace)
				return true, finalized, nil
			})
			var forced []string
			client.PrependReactor("delete", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
				d := a.(clienttesting.DeleteAction)
				if gp := d.GetDeleteOptions().GracePeriodSeconds; gp == nil || *gp != 0 {
					t.Errorf("pods must be forced with a zero grace period, got %v", gp)
				}
				forced = append(forced, d.GetName())
				return true, nil, nil
			})

			c := NewController(client, informers.NewSharedInformerFactory(client, 0).Core().V1().Namespaces())
			c.now = func() time.Time { return now }
			recheck, err := c.Sync(context.TODO(), "web")
			if err != nil {
				t.Fatal(err)
			}
			if recheck != tc.wantRecheck {
				t.Errorf("recheck %v, want %v", recheck, tc.wantRecheck)
			}
			switch {
			case tc.wantFinalize == nil && finalized != nil:
				t.Errorf("finalized unexpectedly: %v", finalized.Spec.Finalizers)
			case tc.wantFinalize != nil && finalized == nil:
				t.Errorf("not finalized")
			case tc.wantFinalize != nil:
				if len(finalized.Spec.Finalizers) != len(tc.wantFinalize) || (len(tc.wantFinalize) > 0 && finalized.Spec.Finalizers[0] != tc.wantFinalize[0]) {
					t.Errorf("finalizers %v, want %v", finalized.Spec.Finalizers, tc.wantFinalize)
				}
				if finalized.ResourceVersion != "5" {
					t.Errorf("the finalize write must carry the resourceVersion read, got %q", finalized.ResourceVersion)
				}
			}
			if len(forced) != len(tc.wantForceNames) || (len(forced) > 0 && forced[0] != tc.wantForceNames[0]) {
				t.Errorf("forced %v, want %v", forced, tc.wantForceNames)
			}
		})
	}
}
