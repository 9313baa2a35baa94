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

package lifecycle

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

func namespaceObj(name string, phase corev1.NamespacePhase) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NamespaceStatus{Phase: phase}}
}

func attrs(kind, resource, ns, name string, op admission.Operation) admission.Attributes {
	return admission.NewAttributesRecord(nil, nil,
		corev1.SchemeGroupVersion.WithKind(kind), ns, name, corev1.SchemeGroupVersion.WithResource(resource), "", op, nil, false, nil)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		cached   []*corev1.Namespace // what the lister holds
		stored   []runtime.Object    // what a live lookup finds
		attrs    admission.Attributes
		wantCode int32 // 0: admitted
		wantMsg  string
	}{
		{name: "create in an active namespace", cached: []*corev1.Namespace{namespaceObj("web", corev1.NamespaceActive)},
			attrs: attrs("Pod", "pods", "web", "p", admission.Create)},
		{name: "create in a missing namespace", attrs: attrs("Pod", "pods", "gone", "p", admission.Create),
			wantCode: 404, wantMsg: `namespaces "gone" not found`},
		{name: "cache miss found live", stored: []runtime.Object{namespaceObj("fresh", corev1.NamespaceActive)},
			attrs: attrs("Event", "events", "fresh", "e", admission.Create)},
		{name: "create in a terminating namespace", cached: []*corev1.Namespace{namespaceObj("old", corev1.NamespaceTerminating)},
			attrs: attrs("PodTemplate", "podtemplates", "old", "t", admission.Create), wantCode: 403,
			wantMsg: `podtemplates "t" is forbidden: unable to create new content in namespace old because it is being terminated`},
		{name: "update in a terminating namespace", cached: []*corev1.Namespace{namespaceObj("old", corev1.NamespaceTerminating)},
			attrs: attrs("Pod", "pods", "old", "p", admission.Update)},
		{name: "delete in a missing namespace", attrs: attrs("Pod", "pods", "gone", "p", admission.Delete)},
		{name: "namespaces themselves", attrs: attrs("Namespace", "namespaces", "", "new", admission.Create)},
		{name: "deleting default", attrs: attrs("Namespace", "namespaces", "", "default", admission.Delete), wantCode: 403,
			wantMsg: `namespaces "default" is forbidden: this namespace may not be deleted`},
		{name: "deleting kube-system", attrs: attrs("Namespace", "namespaces", "", "kube-system", admission.Delete), wantCode: 403,
			wantMsg: `namespaces "kube-system" is forbidden: this namespace may not be deleted`},
		{name: "deleting another namespace", attrs: attrs("Namespace", "namespaces", "", "web", admission.Delete)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
			for _, ns := range tc.cached {
				_ = indexer.Add(ns)
			}
			l := New(fake.NewSimpleClientset(tc.stored...), corelisters.NewNamespaceLister(indexer), func() bool { return true }, InitialNamespaces)
			l.sleep = func(time.Duration) {}
			err := l.Validate(context.TODO(), tc.attrs, nil)
			if tc.wantCode == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			status, ok := err.(apierrors.APIStatus)
			if !ok {
				t.Fatalf("want a status error, got %v", err)
			}
			if got := status.Status(); got.Code != tc.wantCode || got.Message != tc.wantMsg {
				t.Errorf("got %d %q, want %d %q", got.Code, got.Message, tc.wantCode, tc.wantMsg)
			}
		})
	}
}

func TestTerminatingCause(t *testing.T) {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	_ = indexer.Add(namespaceObj("old", corev1.NamespaceTerminating))
	l := New(fake.NewSimpleClientset(), corelisters.NewNamespaceLister(indexer), func() bool { return true }, InitialNamespaces)
	err := l.Validate(context.TODO(), attrs("Pod", "pods", "old", "p", admission.Create), nil)
	st := err.(apierrors.APIStatus).Status()
	if st.Reason != metav1.StatusReasonForbidden || st.Details == nil || len(st.Details.Causes) != 1 {
		t.Fatalf("status %+v", st)
	}
	want := metav1.StatusCause{Type: corev1.NamespaceTerminatingCause, Message: "namespace old is being terminated", Field: "metadata.namespace"}
	if st.Details.Causes[0] != want {
		t.Errorf("cause %+v, want %+v", st.Details.Causes[0], want)
	}
}

// After a delete passed through here, a cache still saying Active is not
// trusted for the next creates: storage is asked instead.
func TestLiveLookupAfterDelete(t *testing.T) {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	_ = indexer.Add(namespaceObj("web", corev1.NamespaceActive))
	client := fake.NewSimpleClientset(namespaceObj("web", corev1.NamespaceTerminating))
	clock := &fakeClock{now: time.Now()}
	l := newWithClock(client, corelisters.NewNamespaceLister(indexer), func() bool { return true }, InitialNamespaces, clock)
	create := attrs("Pod", "pods", "web", "p", admission.Create)

	if err := l.Validate(context.TODO(), create, nil); err != nil {
		t.Fatalf("before the delete the cache decides: %v", err)
	}
	if err := l.Validate(context.TODO(), attrs("Namespace", "namespaces", "", "web", admission.Delete), nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Validate(context.TODO(), create, nil); !apierrors.IsForbidden(err) {
		t.Fatalf("after the delete storage decides: %v", err)
	}
	clock.now = clock.now.Add(2 * liveLookupTTL)
	if err := l.Validate(context.TODO(), create, nil); err != nil {
		t.Fatalf("after the TTL the cache decides again: %v", err)
	}
}

func TestNotReady(t *testing.T) {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	l := New(fake.NewSimpleClientset(), corelisters.NewNamespaceLister(indexer), func() bool { return false }, InitialNamespaces)
	// WaitForReady gives up after its own timeout; keep the test short by
	// checking only that the decision is a refusal, not an admission.
	if testing.Short() {
		t.Skip("waits for the admission readiness timeout")
	}
	if err := l.Validate(context.TODO(), attrs("Pod", "pods", "web", "p", admission.Create), nil); !apierrors.IsForbidden(err) {
		t.Fatalf("want forbidden while the cache is not synced, got %v", err)
	}
}

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
