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

package eventrecorder

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

func podEvent(name string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: "web"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "web", Name: name},
		Reason:         "EphemeralContainerAdded",
	}
}

func TestRecordWrites(t *testing.T) {
	client := fake.NewSimpleClientset()
	r := New(ClientSink(client.CoreV1()), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)

	r.Record(podEvent("p"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		list, err := client.CoreV1().Events("web").List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) == 1 {
			e := list.Items[0]
			if e.Count != 1 || e.FirstTimestamp.IsZero() || e.LastTimestamp.IsZero() || e.Name == "" {
				t.Errorf("defaults not filled: %+v", e)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("event never written")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A client that fails or hangs costs events, never the caller's time.
func TestRecordNeverBlocks(t *testing.T) {
	tests := []struct {
		name    string
		reactor clienttesting.ReactionFunc
	}{
		{"failing client", func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, errors.New("etcd unavailable")
		}},
		{"hanging client", func(clienttesting.Action) (bool, runtime.Object, error) {
			time.Sleep(time.Hour)
			return true, nil, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewSimpleClientset()
			var calls atomic.Int32
			client.PrependReactor("create", "events", func(a clienttesting.Action) (bool, runtime.Object, error) {
				calls.Add(1)
				return tc.reactor(a)
			})
			r := New(ClientSink(client.CoreV1()), Options{QueueSize: 3, WriteTimeout: 50 * time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go r.Run(ctx)

			start := time.Now()
			for i := 0; i < 100; i++ {
				r.Record(podEvent("p"))
			}
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Fatalf("Record blocked for %v", elapsed)
			}
			deadline := time.Now().Add(5 * time.Second)
			for calls.Load() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("no write attempted")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

func TestUniqueNames(t *testing.T) {
	r := New(ClientSink(fake.NewSimpleClientset().CoreV1()), Options{QueueSize: 10})
	fixed := time.Unix(1000, 0)
	r.now = func() time.Time { return fixed }
	a, b := podEvent("p"), podEvent("p")
	r.Record(a)
	r.Record(b)
	if a.Name == b.Name {
		t.Errorf("two events recorded at one instant share the name %q", a.Name)
	}
}
