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

// Package namespace is the controller that empties terminating namespaces
// and then finalizes them. It is driven only by what etcd holds (through an
// informer on the loopback client), so a restart picks up where it left
// off, and it is safe to run in several replicas at once: deletes are
// idempotent and the finalize write carries the resourceVersion it read.
package namespace

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// maxRecheck bounds how long a namespace whose content is still going
// waits before it is looked at again.
const maxRecheck = 15 * time.Second

// Controller deletes the content of terminating namespaces.
type Controller struct {
	client  kubernetes.Interface
	synced  cache.InformerSynced
	queue   workqueue.TypedRateLimitingInterface[string]
	content []contentDeleter
	now     func() time.Time
}

// contentDeleter removes one resource's objects from a namespace and
// reports how many remain and when to look again.
type contentDeleter struct {
	resource string
	delete   func(ctx context.Context, ns string) (remaining int, recheck time.Duration, err error)
}

// NewController returns a controller fed by informer. The informer's
// factory must be started by the caller.
func NewController(client kubernetes.Interface, informer coreinformers.NamespaceInformer) *Controller {
	c := &Controller{
		client: client,
		synced: informer.Informer().HasSynced,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "namespace"}),
		now: time.Now,
	}
	c.content = []contentDeleter{
		{resource: "pods", delete: c.deletePods},
		{resource: "events", delete: c.deleteEvents},
		{resource: "podtemplates", delete: c.deletePodTemplates},
	}
	_, _ = informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, obj interface{}) { c.enqueue(obj) },
	})
	return c
}

func (c *Controller) enqueue(obj interface{}) {
	ns, ok := obj.(*corev1.Namespace)
	if !ok || ns.DeletionTimestamp == nil {
		return
	}
	c.queue.Add(ns.Name)
}

// Run processes terminating namespaces with workers goroutines until ctx
// is done.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()
	logger := klog.FromContext(ctx)
	logger.Info("Starting namespace controller")
	defer logger.Info("Shutting down namespace controller")
	if !cache.WaitForCacheSync(ctx.Done(), c.synced) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, c.worker, time.Second)
	}
	<-ctx.Done()
}

func (c *Controller) worker(ctx context.Context) {
	for c.processNext(ctx) {
	}
}

func (c *Controller) processNext(ctx context.Context) bool {
	name, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(name)
	recheck, err := c.sync(ctx, name)
	switch {
	case err != nil:
		utilruntime.HandleErrorWithContext(ctx, err, "Deleting namespace content failed; retrying", "namespace", name)
		c.queue.AddRateLimited(name)
	case recheck > 0:
		c.queue.Forget(name)
		c.queue.AddAfter(name, recheck)
	default:
		c.queue.Forget(name)
	}
	return true
}

// Sync brings one namespace a step further: it reads the namespace from
// storage (not the cache, which may lag), deletes its content and, once
// nothing is left, removes the "kubernetes" finalizer. It returns a
// positive duration when content remains that is on its way out.
func (c *Controller) Sync(ctx context.Context, name string) (time.Duration, error) {
	return c.sync(ctx, name)
}

func (c *Controller) sync(ctx context.Context, name string) (time.Duration, error) {
	ns, err := c.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if ns.DeletionTimestamp == nil || !hasKubernetesFinalizer(ns) {
		return 0, nil
	}

	remaining, recheck := 0, time.Duration(0)
	for _, d := range c.content {
		n, after, err := d.delete(ctx, name)
		if err != nil {
			return 0, fmt.Errorf("deleting %s in namespace %q: %w", d.resource, name, err)
		}
		remaining += n
		if n > 0 && (recheck == 0 || after < recheck) {
			recheck = after
		}
	}
	if remaining > 0 {
		klog.FromContext(ctx).V(2).Info("Namespace content remains", "namespace", name, "objects", remaining, "recheckAfter", recheck)
		return recheck, nil
	}

	finalized := ns.DeepCopy()
	finalized.Spec.Finalizers = nil
	for _, f := range ns.Spec.Finalizers {
		if f != corev1.FinalizerKubernetes {
			finalized.Spec.Finalizers = append(finalized.Spec.Finalizers, f)
		}
	}
	// The resourceVersion read above makes this write lose to any other
	// replica's or client's change since; the namespace is then read again.
	_, err = c.client.CoreV1().Namespaces().Finalize(ctx, finalized, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return 0, nil
	}
	return 0, err
}

func hasKubernetesFinalizer(ns *corev1.Namespace) bool {
	for _, f := range ns.Spec.Finalizers {
		if f == corev1.FinalizerKubernetes {
			return true
		}
	}
	return false
}

// deletePods deletes the namespace's pods. A pod bound to a node is
// deleted gracefully; with no kubelet to confirm it stopped, it is removed
// for good once its grace period is over, as the pod garbage collector does
// for pods of vanished nodes.
func (c *Controller) deletePods(ctx context.Context, ns string) (int, time.Duration, error) {
	pods := c.client.CoreV1().Pods(ns)
	if err := pods.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return 0, 0, err
	}
	list, err := pods.List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, 0, err
	}
	now := c.now()
	recheck := maxRecheck
	for i := range list.Items {
		pod := &list.Items[i]
		if pod.DeletionTimestamp == nil {
			// Created after the collection delete listed; next round.
			recheck = time.Second
			continue
		}
		if left := pod.DeletionTimestamp.Sub(now); left > 0 {
			if left < recheck {
				recheck = left
			}
			continue
		}
		if len(pod.Finalizers) > 0 {
			// Someone else's finalizer holds it; nothing to force.
			continue
		}
		zero := int64(0)
		err := pods.Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return 0, 0, err
		}
		recheck = time.Second
	}
	if recheck < time.Second {
		recheck = time.Second
	}
	return len(list.Items), recheck, nil
}

func (c *Controller) deleteEvents(ctx context.Context, ns string) (int, time.Duration, error) {
	events := c.client.CoreV1().Events(ns)
	if err := events.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return 0, 0, err
	}
	list, err := events.List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return 0, 0, err
	}
	return remainingCount(len(list.Items), list.RemainingItemCount), maxRecheck, nil
}

func (c *Controller) deletePodTemplates(ctx context.Context, ns string) (int, time.Duration, error) {
	templates := c.client.CoreV1().PodTemplates(ns)
	if err := templates.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return 0, 0, err
	}
	list, err := templates.List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return 0, 0, err
	}
	return remainingCount(len(list.Items), list.RemainingItemCount), maxRecheck, nil
}

func remainingCount(n int, more *int64) int {
	if more != nil {
		n += int(*more)
	}
	return n
}
