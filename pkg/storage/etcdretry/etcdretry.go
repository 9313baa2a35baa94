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

// Package etcdretry carries requests over etcd's transient failures: a
// leader election, a member that died, a request that timed out.
//
// The generic registry answers any etcd error with 500. This layer, put
// around every resource's storage, instead
//   - retries what etcd did not apply (no leader, too many requests, a
//     connection that could not be used) within the request's deadline;
//   - for a write whose outcome etcd left unknown (the leader changed or
//     the connection dropped after it was sent), finds out by reading back:
//     a create whose object, same UID, is stored succeeded; an update whose
//     result is stored succeeded; a delete whose object is gone succeeded.
//     A write is never applied twice;
//   - answers what it cannot resolve in time with 503 and Retry-After (504
//     when the request's own deadline ran out), and a full store with 507.
package etcdretry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

const (
	// budget bounds how long one request waits for etcd to recover, within
	// its own deadline; an election takes about a second.
	budget = 10 * time.Second
	// firstBackoff and maxBackoff bound the wait between two tries.
	firstBackoff = 20 * time.Millisecond
	maxBackoff   = 400 * time.Millisecond
	// retryAfterSeconds is what a 503 asks the client to wait.
	retryAfterSeconds = 1
)

// RESTOptionsGetter puts the retry layer around the storage of every
// resource getter builds; health learns how etcd answers.
func RESTOptionsGetter(getter generic.RESTOptionsGetter, health *Health) generic.RESTOptionsGetter {
	return restOptionsGetter{RESTOptionsGetter: getter, health: health}
}

type restOptionsGetter struct {
	generic.RESTOptionsGetter
	health *Health
}

func (g restOptionsGetter) GetRESTOptions(resource schema.GroupResource, example runtime.Object) (generic.RESTOptions, error) {
	opts, err := g.RESTOptionsGetter.GetRESTOptions(resource, example)
	if err != nil {
		return opts, err
	}
	decorate := opts.Decorator
	if decorate == nil {
		decorate = generic.UndecoratedStorage
	}
	opts.Decorator = func(config *storagebackend.ConfigForResource, resourcePrefix string, keyFunc func(obj runtime.Object) (string, error),
		newFunc func() runtime.Object, newListFunc func() runtime.Object, getAttrsFunc storage.AttrFunc,
		trigger storage.IndexerFuncs, indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		s, destroy, err := decorate(config, resourcePrefix, keyFunc, newFunc, newListFunc, getAttrsFunc, trigger, indexers)
		if err != nil {
			return nil, nil, err
		}
		return New(s, g.health), destroy, nil
	}
	return opts, nil
}

// New wraps s with the retry layer; health may be nil.
func New(s storage.Interface, health *Health) storage.Interface {
	if health == nil {
		health = &Health{}
	}
	return &store{Interface: s, health: health}
}

type store struct {
	storage.Interface
	health *Health
}

// Health is a readiness check that fails while etcd fails requests, and
// says since when and why.
type Health struct {
	// failing lets the many successful requests skip the lock.
	failing      atomic.Bool
	mu           sync.Mutex
	failingSince time.Time
	lastFailure  time.Time
	lastErr      error
}

// healthMemory is how long a failure counts without a newer one: a
// server with no requests in flight learns nothing new of etcd, and must
// not stay unready for it.
const healthMemory = 3 * time.Second

// Name names the check in /readyz.
func (h *Health) Name() string { return "etcd-requests" }

// Check fails while the last request to etcd failed transiently.
func (h *Health) Check(*http.Request) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failingSince.IsZero() || time.Since(h.lastFailure) > healthMemory {
		return nil
	}
	return fmt.Errorf("etcd has been failing requests for %v (last: %v); requests wait and retry", time.Since(h.failingSince).Round(time.Millisecond), h.lastErr)
}

func (h *Health) observe(err error) {
	if err == nil && !h.failing.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.failingSince, h.lastErr = time.Time{}, nil
		h.failing.Store(false)
		return
	}
	h.failing.Store(true)
	now := time.Now()
	if h.failingSince.IsZero() || now.Sub(h.lastFailure) > healthMemory {
		h.failingSince = now
	}
	h.lastFailure, h.lastErr = now, err
}

// outcome is what an etcd error says about the request that got it.
type outcome int

const (
	// final errors are answers: not found, conflict, compacted, ...
	final outcome = iota
	// notApplied errors come before etcd applied anything; a retry is safe.
	notApplied
	// unknown errors leave it open whether etcd applied the request.
	unknown
)

func classify(err error) outcome {
	var etcdErr rpctypes.EtcdError
	if errors.As(err, &etcdErr) {
		switch etcdErr {
		case rpctypes.ErrNoLeader, rpctypes.ErrNotLeader, rpctypes.ErrTooManyRequests, rpctypes.ErrUnhealthy,
			rpctypes.ErrNotCapable, rpctypes.ErrTimeoutWaitAppliedIndex:
			return notApplied
		case rpctypes.ErrLeaderChanged, rpctypes.ErrTimeout, rpctypes.ErrTimeoutDueToLeaderFail,
			rpctypes.ErrTimeoutDueToConnectionLost, rpctypes.ErrStopped:
			return unknown
		}
		return final
	}
	if s, ok := grpcstatus.FromError(err); ok && (s.Code() == codes.Unavailable || s.Code() == codes.DeadlineExceeded) {
		// The connection broke, could not be made or timed out; the request
		// may have been sent before it did.
		return unknown
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return unknown
	}
	return final
}

// attempt runs op until it succeeds, fails for good, or the time to
// retry is up. landed says whether an earlier attempt of unknown outcome,
// or one etcd applied before it refused it for space, succeeded after all.
func (s *store) attempt(ctx context.Context, op string, key string, run func() error, landed func() bool) error {
	deadline := time.Now().Add(budget)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	backoff := firstBackoff
	uncertain := false
	for tries := 1; ; tries++ {
		err := run()
		if err == nil {
			s.health.observe(nil)
			return nil
		}
		kind := classify(err)
		if ctx.Err() != nil {
			// The request's own deadline or cancellation, not etcd's
			// health.
			return unavailable(ctx, err, uncertain || kind != final)
		}
		if kind == final {
			s.health.observe(nil)
			// etcd applies the write that crosses its quota and answers
			// it "no space": the outcome of that one is unknown too.
			if (uncertain || errors.Is(err, rpctypes.ErrNoSpace)) && landed != nil && landed() {
				klog.FromContext(ctx).V(2).Info("A write of unknown outcome had succeeded", "op", op, "key", key, "tries", tries)
				return nil
			}
			return finalError(err)
		}
		s.health.observe(err)
		uncertain = uncertain || kind == unknown
		wait := backoff/2 + rand.N(backoff/2+1)
		if ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			klog.FromContext(ctx).V(1).Info("etcd did not recover in time", "op", op, "key", key, "tries", tries, "err", err)
			return unavailable(ctx, err, uncertain)
		}
		klog.FromContext(ctx).V(3).Info("Retrying an etcd request", "op", op, "key", key, "try", tries, "err", err)
		select {
		case <-ctx.Done():
			return unavailable(ctx, err, uncertain)
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// finalError is etcd's answer as a client should see it: a request the
// storage found invalid (a resourceVersion that is not a number) is 400, a
// full store is 507; the rest is for the registry to interpret.
func finalError(err error) error {
	if storage.IsInvalidError(err) {
		return apierrors.NewBadRequest(err.Error())
	}
	if errors.Is(err, rpctypes.ErrNoSpace) {
		return &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure,
			Code:   http.StatusInsufficientStorage,
			Reason: metav1.StatusReason("InsufficientStorage"),
			Message: "the store is full (etcd: database space exceeded): reads still work, writes do not (deleting a pod through the API first records its deletion, " +
				"a write too); raise etcd's --quota-backend-bytes, or delete keys with etcdctl, then compact and defragment etcd and disarm its NOSPACE alarm",
		}}
	}
	return err
}

// unavailable is 504 when the request's own time ran out, else 503 with
// Retry-After.
func unavailable(ctx context.Context, err error, uncertain bool) error {
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err()
	}
	applied := "it was not applied"
	if uncertain {
		applied = "it may or may not have been applied: read the object before you repeat it"
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return apierrors.NewTimeoutError(fmt.Sprintf("the store did not answer within the request's time (etcd: %v); %s", err, applied), retryAfterSeconds)
	}
	status := apierrors.NewServiceUnavailable(fmt.Sprintf("the store is unavailable (etcd: %v); %s", err, applied))
	status.ErrStatus.Details = &metav1.StatusDetails{RetryAfterSeconds: retryAfterSeconds}
	return status
}

func (s *store) Create(ctx context.Context, key string, obj, out runtime.Object, ttl uint64) error {
	return s.attempt(ctx, "create", key,
		func() error { return s.Interface.Create(ctx, key, obj, out, ttl) },
		// Ours if the stored object has our UID.
		func() bool {
			return s.Interface.Get(ctx, key, storage.GetOptions{}, out) == nil && sameUID(obj, out)
		})
}

func (s *store) GuaranteedUpdate(ctx context.Context, key string, destination runtime.Object, ignoreNotFound bool,
	preconditions *storage.Preconditions, tryUpdate storage.UpdateFunc, cachedExistingObject runtime.Object) error {
	// written is what the last try wrote; sent is set when its outcome was
	// unknown, and a later try that reads it back stored knows it landed.
	var written, sent runtime.Object
	update := func(input runtime.Object, res storage.ResponseMeta) (runtime.Object, *uint64, error) {
		if sent != nil && sameButResourceVersion(input, sent) {
			// Returning the input unchanged makes the store write nothing
			// and answer the stored object.
			return input, nil, nil
		}
		output, ttl, err := tryUpdate(input, res)
		if err == nil {
			// Copied only if its outcome turns out unknown.
			written = output
		}
		return output, ttl, err
	}
	cached := cachedExistingObject
	return s.attempt(ctx, "update", key,
		func() error {
			err := s.Interface.GuaranteedUpdate(ctx, key, destination, ignoreNotFound, preconditions, update, cached)
			if classify(err) == unknown && written != nil {
				sent = written.DeepCopyObject()
			}
			// A retry reads the stored object, never a cached one.
			cached = nil
			return err
		},
		// Ours if what is stored is what the last try wrote.
		func() bool {
			if written == nil {
				return false
			}
			stored := reflect.New(reflect.TypeOf(destination).Elem()).Interface().(runtime.Object)
			if s.Interface.Get(ctx, key, storage.GetOptions{}, stored) != nil || !sameButResourceVersion(stored, written) {
				return false
			}
			return setInto(destination, stored)
		})
}

func (s *store) Delete(ctx context.Context, key string, out runtime.Object, preconditions *storage.Preconditions,
	validateDeletion storage.ValidateObjectFunc, cachedExistingObject runtime.Object, opts storage.DeleteOptions) error {
	// deleted is the object the last try was about to delete.
	var deleted runtime.Object
	validate := func(ctx context.Context, obj runtime.Object) error {
		// Copied only if the delete's outcome turns out unknown.
		deleted = obj
		if validateDeletion == nil {
			return nil
		}
		return validateDeletion(ctx, obj)
	}
	cached := cachedExistingObject
	return s.attempt(ctx, "delete", key,
		func() error {
			err := s.Interface.Delete(ctx, key, out, preconditions, validate, cached, opts)
			cached = nil
			return err
		},
		// Ours if the object is gone.
		func() bool {
			if deleted == nil {
				return false
			}
			current := reflect.New(reflect.TypeOf(out).Elem()).Interface().(runtime.Object)
			return storage.IsNotFound(s.Interface.Get(ctx, key, storage.GetOptions{}, current)) && setInto(out, deleted.DeepCopyObject())
		})
}

// Watch turns a watch the storage refuses as invalid into 400; a watch
// is not retried: its client resumes it.
func (s *store) Watch(ctx context.Context, key string, opts storage.ListOptions) (watch.Interface, error) {
	w, err := s.Interface.Watch(ctx, key, opts)
	if err != nil {
		return nil, finalError(err)
	}
	return w, nil
}

func (s *store) Get(ctx context.Context, key string, opts storage.GetOptions, objPtr runtime.Object) error {
	return s.attempt(ctx, "get", key, func() error { return s.Interface.Get(ctx, key, opts, objPtr) }, nil)
}

func (s *store) GetList(ctx context.Context, key string, opts storage.ListOptions, listObj runtime.Object) error {
	return s.attempt(ctx, "list", key, func() error { return s.Interface.GetList(ctx, key, opts, listObj) }, nil)
}

func sameUID(a, b runtime.Object) bool {
	am, err := meta.Accessor(a)
	if err != nil {
		return false
	}
	bm, err := meta.Accessor(b)
	if err != nil {
		return false
	}
	return am.GetUID() != "" && am.GetUID() == bm.GetUID()
}

// sameButResourceVersion compares a stored object with one written.
func sameButResourceVersion(stored, written runtime.Object) bool {
	a, b := stored.DeepCopyObject(), written.DeepCopyObject()
	for _, obj := range []runtime.Object{a, b} {
		m, err := meta.Accessor(obj)
		if err != nil {
			return false
		}
		m.SetResourceVersion("")
	}
	return apiequality.Semantic.DeepEqual(a, b)
}

// setInto copies src into the object dst points to, when of one type.
func setInto(dst, src runtime.Object) bool {
	dv, sv := reflect.ValueOf(dst), reflect.ValueOf(src)
	if dv.Kind() != reflect.Pointer || dv.Type() != sv.Type() {
		return false
	}
	dv.Elem().Set(sv.Elem())
	return true
}
