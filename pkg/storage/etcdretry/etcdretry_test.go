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

package etcdretry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/storage"
)

// failure is what the fake store does on one call: fail with err, after
// applying the write when landed.
type failure struct {
	err    error
	landed bool
}

// fakeStore keeps one pod and fails calls as its script says.
type fakeStore struct {
	storage.Interface
	stored *corev1.Pod
	script []failure
	calls  int
}

func (f *fakeStore) next() (failure, bool) {
	f.calls++
	if len(f.script) == 0 {
		return failure{}, false
	}
	step := f.script[0]
	f.script = f.script[1:]
	return step, true
}

func (f *fakeStore) Create(_ context.Context, key string, obj, out runtime.Object, _ uint64) error {
	step, scripted := f.next()
	if scripted && !step.landed {
		return step.err
	}
	if f.stored != nil {
		return storage.NewKeyExistsError(key, 0)
	}
	f.stored = obj.(*corev1.Pod).DeepCopy()
	f.stored.ResourceVersion = "1"
	*out.(*corev1.Pod) = *f.stored.DeepCopy()
	return step.err
}

func (f *fakeStore) Get(_ context.Context, key string, _ storage.GetOptions, out runtime.Object) error {
	if f.stored == nil {
		return storage.NewKeyNotFoundError(key, 0)
	}
	*out.(*corev1.Pod) = *f.stored.DeepCopy()
	return nil
}

func (f *fakeStore) GuaranteedUpdate(_ context.Context, key string, dest runtime.Object, _ bool, _ *storage.Preconditions, tryUpdate storage.UpdateFunc, _ runtime.Object) error {
	step, scripted := f.next()
	current := f.stored.DeepCopy()
	out, _, err := tryUpdate(current, storage.ResponseMeta{})
	if err != nil {
		return err
	}
	if scripted && !step.landed {
		// As etcd: the update was computed and sent, and never applied.
		return step.err
	}
	if !apiequality.Semantic.DeepEqual(out, f.stored) {
		f.stored = out.(*corev1.Pod).DeepCopy()
		f.stored.ResourceVersion = "2"
	}
	*dest.(*corev1.Pod) = *f.stored.DeepCopy()
	return step.err
}

func (f *fakeStore) Delete(ctx context.Context, key string, out runtime.Object, _ *storage.Preconditions, validate storage.ValidateObjectFunc, _ runtime.Object, _ storage.DeleteOptions) error {
	step, scripted := f.next()
	if scripted && !step.landed {
		return step.err
	}
	if f.stored == nil {
		return storage.NewKeyNotFoundError(key, 0)
	}
	if err := validate(ctx, f.stored); err != nil {
		return err
	}
	*out.(*corev1.Pod) = *f.stored
	f.stored = nil
	return step.err
}

func (f *fakeStore) Watch(context.Context, string, storage.ListOptions) (watch.Interface, error) {
	step, _ := f.next()
	return nil, step.err
}

func TestWatchOfAnInvalidResourceVersion(t *testing.T) {
	invalid := storage.NewInvalidError(field.ErrorList{field.Invalid(field.NewPath("resourceVersion"), "abc", "not a number")})
	_, err := New(&fakeStore{script: []failure{{err: invalid}}}, nil).Watch(context.Background(), "/p", storage.ListOptions{})
	if !apierrors.IsBadRequest(err) {
		t.Errorf("got %v, want 400", err)
	}
}

func pod() *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "uid-1"}}
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name      string
		stored    *corev1.Pod
		script    []failure
		wantErr   func(error) bool
		wantCalls int
	}{
		{name: "no leader, then success", script: []failure{{err: rpctypes.ErrNoLeader}}, wantCalls: 2},
		{name: "leader changed after it landed: read back, same UID", script: []failure{{err: rpctypes.ErrLeaderChanged, landed: true}}, wantCalls: 2},
		{name: "a timeout before it landed", script: []failure{{err: rpctypes.ErrTimeout}}, wantCalls: 2},
		{name: "another object of the name exists", stored: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "other"}},
			script: []failure{{err: rpctypes.ErrLeaderChanged}}, wantErr: storage.IsExist, wantCalls: 2},
		{name: "an existing object without a previous unknown outcome", stored: pod(), wantErr: storage.IsExist, wantCalls: 1},
		{name: "a full store is 507", script: []failure{{err: rpctypes.ErrNoSpace}}, wantCalls: 1,
			wantErr: func(err error) bool {
				return apierrors.ReasonForError(err) == "InsufficientStorage" && statusCode(err) == http.StatusInsufficientStorage
			}},
		{name: "the write that filled the store landed", script: []failure{{err: rpctypes.ErrNoSpace, landed: true}}, wantCalls: 1},
		{name: "an invalid resourceVersion is 400", script: []failure{{err: storage.NewInvalidError(field.ErrorList{field.Invalid(field.NewPath("resourceVersion"), "1.0", "not a number")})}},
			wantCalls: 1, wantErr: apierrors.IsBadRequest},
		{name: "a final etcd error passes", script: []failure{{err: rpctypes.ErrCompacted}}, wantCalls: 1,
			wantErr: func(err error) bool { return errors.Is(err, rpctypes.ErrCompacted) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeStore{stored: tc.stored, script: tc.script}
			out := &corev1.Pod{}
			err := New(fake, nil).Create(context.Background(), "/p", pod(), out, 0)
			if tc.wantErr == nil && (err != nil || out.UID != "uid-1") {
				t.Fatalf("got %v, %v", out, err)
			}
			if tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("unexpected error %v", err)
			}
			if fake.calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", fake.calls, tc.wantCalls)
			}
		})
	}
}

func TestGuaranteedUpdateNeverAppliesTwice(t *testing.T) {
	for _, landed := range []bool{true, false} {
		fake := &fakeStore{stored: pod(), script: []failure{{err: rpctypes.ErrLeaderChanged, landed: landed}}}
		applied := 0
		addLabel := func(input runtime.Object, _ storage.ResponseMeta) (runtime.Object, *uint64, error) {
			p := input.(*corev1.Pod).DeepCopy()
			if p.Labels["n"] != "" {
				// Applied a second time, it would move on.
				p.Labels["n"] += "+"
			} else {
				p.Labels = map[string]string{"n": "1"}
			}
			applied++
			return p, nil, nil
		}
		dest := &corev1.Pod{}
		if err := New(fake, nil).GuaranteedUpdate(context.Background(), "/p", dest, false, nil, addLabel, nil); err != nil {
			t.Fatal(err)
		}
		if dest.Labels["n"] != "1" || fake.stored.Labels["n"] != "1" {
			t.Errorf("landed=%v: stored %v, answered %v", landed, fake.stored.Labels, dest.Labels)
		}
		if wantApplied := map[bool]int{true: 1, false: 2}[landed]; applied != wantApplied {
			t.Errorf("landed=%v: the update ran %d times, want %d", landed, applied, wantApplied)
		}
	}
}

func TestDeleteOfUnknownOutcome(t *testing.T) {
	fake := &fakeStore{stored: pod(), script: []failure{{err: rpctypes.ErrTimeoutDueToConnectionLost, landed: true}}}
	out := &corev1.Pod{}
	if err := New(fake, nil).Delete(context.Background(), "/p", out, nil, nil, nil, storage.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if out.UID != "uid-1" || fake.stored != nil {
		t.Errorf("answered %v, stored %v", out, fake.stored)
	}
}

func TestUnavailable(t *testing.T) {
	always := make([]failure, 1000)
	for i := range always {
		always[i] = failure{err: rpctypes.ErrNoLeader}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	health := &Health{}
	err := New(&fakeStore{script: always}, health).Create(ctx, "/p", pod(), &corev1.Pod{}, 0)
	if !apierrors.IsTimeout(err) && !apierrors.IsServiceUnavailable(err) {
		t.Fatalf("got %v, want 504 or 503", err)
	}
	if status, ok := err.(apierrors.APIStatus); !ok || status.Status().Details == nil || status.Status().Details.RetryAfterSeconds != retryAfterSeconds {
		t.Errorf("no Retry-After in %#v", err)
	}
	if err := health.Check(nil); err == nil || !strings.Contains(err.Error(), "etcdserver: no leader") {
		t.Errorf("readiness while etcd has no leader: %v", err)
	}
	fake := &fakeStore{}
	if err := New(fake, health).Create(context.Background(), "/p", pod(), &corev1.Pod{}, 0); err != nil {
		t.Fatal(err)
	}
	if err := health.Check(nil); err != nil {
		t.Errorf("readiness once etcd answers: %v", err)
	}

	// A request that ran out of its own time says nothing of etcd.
	expired, cancelExpired := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancelExpired()
	<-expired.Done()
	if err := New(&fakeStore{script: always}, health).Create(expired, "/p", pod(), &corev1.Pod{}, 0); !apierrors.IsTimeout(err) {
		t.Errorf("an expired request: %v, want 504", err)
	}
	if err := health.Check(nil); err != nil {
		t.Errorf("readiness after a request's own timeout: %v", err)
	}
}

func statusCode(err error) int32 {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return status.Status().Code
	}
	return 0
}
