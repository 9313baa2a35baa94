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

// Package simulatedkubelet plays the kubelet of one node, so that clients
// see what a cluster shows them: pods bound to the node and Running, their
// containers and every debug container added to them reported Waiting then
// Running (or failing to pull their image), graceful deletions completed.
// It runs no container: it writes the statuses a kubelet would, through
// the API as the node's user, authorized like any client.
package simulatedkubelet

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/eventrecorder"
)

// DefaultNodeName is the node the simulated kubelet plays unless told
// otherwise.
const DefaultNodeName = "simulated-node"

// nodeIP is the node's address, every pod's hostIP.
const nodeIP = "10.0.0.10"

// errImagePullTime is how long a failed pull shows ErrImagePull before the
// kubelet backs off (ImagePullBackOff), as a kubelet's next sync would.
const errImagePullTime = 3 * time.Second

// Events are written as a kubelet writes them by default: at most 50 a
// second (bursts of 100), the rest waiting in a queue of 1000 and dropped
// beyond it, so that a flood of pods costs the server a bounded share.
const (
	eventQPS       = 50
	eventBurst     = 100
	eventQueueSize = 1000
)

// Options configure the simulated kubelet.
type Options struct {
	// NodeName is the node it plays; DefaultNodeName when empty.
	NodeName string
	// FailImages are the images whose pull fails.
	FailImages ImagePatterns
	// Workers is how many pods are reported at once; defaultWorkers when
	// zero.
	Workers int
}

// defaultWorkers lets the kubelet write as many statuses at once as 64
// clients add debug containers, so that it keeps up with them: every add
// asks two status writes of it.
const defaultWorkers = 128

// UserName is the user a kubelet of node acts as.
func UserName(node string) string { return "system:node:" + node }

// NodesGroup is the group of every kubelet's user.
const NodesGroup = "system:nodes"

// Kubelet reports the pods bound to its node, and binds those bound to no
// node, as the one node of the cluster.
type Kubelet struct {
	client   kubernetes.Interface
	node     node
	informer cache.SharedIndexInformer
	pods     corelisters.PodLister
	queue    workqueue.TypedRateLimitingInterface[string]
	workers  int
	now      func() metav1.Time
	events   *eventrecorder.Recorder

	// pullFailures holds, per pod UID and container, when the kubelet
	// first saw it in ErrImagePull.
	pullFailures   map[types.UID]map[string]time.Time
	pullFailuresMu sync.Mutex
}

// resync is how often every pod is looked at again, in case an event was
// missed.
const resync = 10 * time.Minute

// New returns a kubelet that acts through client, which must authenticate
// as UserName(opts.NodeName).
func New(client kubernetes.Interface, opts Options) *Kubelet {
	if opts.NodeName == "" {
		opts.NodeName = DefaultNodeName
	}
	if opts.Workers <= 0 {
		opts.Workers = defaultWorkers
	}
	informer := coreinformers.NewPodInformer(client, metav1.NamespaceAll, resync, cache.Indexers{})
	k := &Kubelet{
		client:   client,
		node:     node{name: opts.NodeName, ip: nodeIP, fails: opts.FailImages.Match},
		informer: informer,
		pods:     corelisters.NewPodLister(informer.GetIndexer()),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](5*time.Millisecond, time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "simulated_kubelet"}),
		workers:      opts.Workers,
		now:          metav1.Now,
		events:       eventrecorder.New(rateLimited(eventrecorder.ClientSink(client.CoreV1())), eventrecorder.Options{QueueSize: eventQueueSize}),
		pullFailures: map[types.UID]map[string]time.Time{},
	}
	k.node.backOff = k.backOff
	enqueue := func(obj any) {
		if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
			k.queue.Add(key)
		}
	}
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: func(obj any) {
			if pod, ok := obj.(*corev1.Pod); ok {
				k.pullFailuresMu.Lock()
				delete(k.pullFailures, pod.UID)
				k.pullFailuresMu.Unlock()
			}
		},
	})
	return k
}

// rateLimited writes events to sink at eventQPS.
func rateLimited(sink eventrecorder.Sink) eventrecorder.Sink {
	limiter := flowcontrol.NewTokenBucketRateLimiter(eventQPS, eventBurst)
	return eventrecorder.SinkFunc(func(ctx context.Context, event *corev1.Event) error {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		return sink.CreateEvent(ctx, event)
	})
}

// backOff says whether the container has shown ErrImagePull for
// errImagePullTime, counted from when the kubelet first saw it so.
func (k *Kubelet) backOff(pod *corev1.Pod, container string, now metav1.Time) bool {
	k.pullFailuresMu.Lock()
	defer k.pullFailuresMu.Unlock()
	failures := k.pullFailures[pod.UID]
	if failures == nil {
		failures = map[string]time.Time{}
		k.pullFailures[pod.UID] = failures
	}
	since, seen := failures[container]
	if !seen {
		failures[container] = now.Time
		since = now.Time
	}
	if now.Sub(since) >= errImagePullTime {
		return true
	}
	// Looked at again once the time is up.
	key, _ := cache.MetaNamespaceKeyFunc(pod)
	k.queue.AddAfter(key, errImagePullTime-now.Sub(since))
	return false
}

// Start runs the kubelet until ctx ends, returning once it has seen every
// pod.
func (k *Kubelet) Start(ctx context.Context) error {
	go k.informer.RunWithContext(ctx)
	if !cache.WaitForCacheSync(ctx.Done(), k.informer.HasSynced) {
		return fmt.Errorf("the simulated kubelet could not list pods: %w", context.Cause(ctx))
	}
	for range k.workers {
		go wait.UntilWithContext(ctx, k.work, time.Second)
	}
	go k.events.Run(ctx)
	go func() {
		<-ctx.Done()
		k.queue.ShutDown()
	}()
	klog.InfoS("Simulated kubelet started", "node", k.node.name)
	return nil
}

func (k *Kubelet) work(ctx context.Context) {
	for {
		key, quit := k.queue.Get()
		if quit {
			return
		}
		if err := k.sync(ctx, key); err != nil {
			// A conflict means the cache is behind; the newer pod is on its
			// way and is queued when it arrives.
			if !apierrors.IsConflict(err) && ctx.Err() == nil {
				klog.V(2).InfoS("Simulated kubelet retries a pod", "pod", key, "err", err)
			}
			k.queue.AddRateLimited(key)
		} else {
			k.queue.Forget(key)
		}
		k.queue.Done(key)
	}
}

// sync moves one pod on: binds it, reports it one step further, or
// completes its deletion.
func (k *Kubelet) sync(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := k.pods.Pods(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case pod.Spec.NodeName == "" && pod.DeletionTimestamp == nil:
		return k.bind(ctx, pod)
	case pod.Spec.NodeName != k.node.name:
		return nil
	case pod.DeletionTimestamp != nil:
		return k.terminate(ctx, pod)
	case pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed:
		return nil
	}
	// Each step is a write of its own, as a kubelet reports each; the next
	// step starts from the pod the write answered, not from the cache,
	// which may still lag behind under load.
	for range maxStepsPerSync {
		next, err := k.report(ctx, pod, k.node.nextStatus(pod, k.now()))
		if err != nil || next == nil {
			return err
		}
		pod = next
	}
	return nil
}

// maxStepsPerSync bounds the writes of one sync: a container goes from no
// status to running in two.
const maxStepsPerSync = 2

// bind assigns the pod to the node, as a scheduler of one node would.
func (k *Kubelet) bind(ctx context.Context, pod *corev1.Pod) error {
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: k.node.name},
	}
	err := k.client.CoreV1().Pods(pod.Namespace).Bind(ctx, binding, metav1.CreateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		// Bound or deleted meanwhile: the event that says so is queued.
		return nil
	}
	if err == nil {
		scheduled := event{reason: "Scheduled", message: fmt.Sprintf("Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, k.node.name)}.apiEvent(pod, k.node.name)
		scheduled.Source, scheduled.ReportingController, scheduled.ReportingInstance = corev1.EventSource{Component: "default-scheduler"}, "default-scheduler", k.node.name
		k.events.Record(scheduled)
	}
	return err
}

// terminate stops the containers of a pod being deleted and then removes
// it, as a kubelet does once its containers have exited.
func (k *Kubelet) terminate(ctx context.Context, pod *corev1.Pod) error {
	if pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
		// The pod is deleted once this status is seen.
		_, err := k.report(ctx, pod, terminatedStatus(pod, k.now()))
		return err
	}
	err := k.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr(int64(0)),
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// report writes status unless it is the pod's already, and returns the
// pod written (nil when nothing was). The write carries the resourceVersion
// of the pod it was computed from, so it never replaces a newer status.
func (k *Kubelet) report(ctx context.Context, pod *corev1.Pod, status corev1.PodStatus) (*corev1.Pod, error) {
	if equality.Semantic.DeepEqual(status, pod.Status) {
		return nil, nil
	}
	updated := pod.DeepCopy()
	updated.Status = status
	written, err := k.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Recorded once the status they tell of is stored.
	for _, e := range containerEvents(pod, pod.Status, status) {
		k.events.Record(e.apiEvent(pod, k.node.name))
	}
	return written, nil
}
