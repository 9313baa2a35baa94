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

// Package clusterroleaggregation is the controller that fills in
// aggregated cluster roles: a ClusterRole with an aggregationRule gets, as
// its rules, the rules of every other ClusterRole one of its selectors
// matches. This is how admin, edit and view pick up the rules of the
// system:aggregate-to-* roles and of any role labelled
// rbac.authorization.k8s.io/aggregate-to-{admin,edit,view}: "true".
//
// It is level-driven: every change to any cluster role makes it recompute
// every aggregated role from the informer's cache, and it writes only when
// the result differs from what is stored. Several replicas may run it at
// once; they compute the same rules, and an update carries the
// resourceVersion it was computed from, so the loser of a race reads the
// role again and finds nothing left to do.
package clusterroleaggregation

import (
	"context"
	"fmt"
	"sort"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	rbacinformers "k8s.io/client-go/informers/rbac/v1"
	rbacclient "k8s.io/client-go/kubernetes/typed/rbac/v1"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// maxUpdateAttempts bounds how often one sync rereads a role after its
// update met a conflict, before leaving it to the queue's backoff.
const maxUpdateAttempts = 5

// Controller keeps aggregated cluster roles' rules up to date.
type Controller struct {
	client rbacclient.ClusterRolesGetter
	lister rbaclisters.ClusterRoleLister
	synced cache.InformerSynced
	queue  workqueue.TypedRateLimitingInterface[string]
}

// NewController returns a controller fed by informer that writes through
// client. The informer's factory must be started by the caller.
func NewController(informer rbacinformers.ClusterRoleInformer, client rbacclient.ClusterRolesGetter) *Controller {
	c := &Controller{
		client: client,
		lister: informer.Lister(),
		synced: informer.Informer().HasSynced,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "clusterrole-aggregation"}),
	}
	// Any role may be matched by any selector, and a role's labels may
	// change, so every change looks at every aggregated role again. Cluster
	// roles are few; the queue folds repeated keys into one.
	_, _ = informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(interface{}) { c.enqueueAggregated() },
		UpdateFunc: func(_, _ interface{}) { c.enqueueAggregated() },
		DeleteFunc: func(interface{}) { c.enqueueAggregated() },
	})
	return c
}

// enqueueAggregated queues every cluster role that has an aggregationRule.
func (c *Controller) enqueueAggregated() {
	roles, err := c.lister.List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("listing cluster roles: %w", err))
		return
	}
	for _, r := range roles {
		if r.AggregationRule != nil {
			c.queue.Add(r.Name)
		}
	}
}

// Run aggregates with workers goroutines until ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()
	logger := klog.FromContext(ctx)
	logger.Info("Starting cluster role aggregation controller")
	defer logger.Info("Shutting down cluster role aggregation controller")
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
	if err := c.sync(ctx, name); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Aggregating cluster role failed; retrying", "clusterrole", name)
		c.queue.AddRateLimited(name)
		return true
	}
	c.queue.Forget(name)
	return true
}

// Sync brings the rules of one cluster role in line with its
// aggregationRule. A role without one, or gone, is left alone.
func (c *Controller) Sync(ctx context.Context, name string) error {
	return c.sync(ctx, name)
}

func (c *Controller) sync(ctx context.Context, name string) error {
	cached, err := c.lister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if cached.AggregationRule == nil {
		return nil
	}
	rules, err := c.aggregate(cached)
	if err != nil {
		return err
	}

	// The cache may lag what is stored, so a write that meets a conflict
	// rereads the role from the server and tries again with the same rules
	// (they come from the cache, and a later change to a source role queues
	// this role again).
	role := cached
	for attempt := 1; ; attempt++ {
		if role.AggregationRule == nil || equality.Semantic.DeepEqual(role.Rules, rules) {
			return nil
		}
		updated := role.DeepCopy()
		updated.Rules = rules
		_, err = c.client.ClusterRoles().Update(ctx, updated, metav1.UpdateOptions{FieldManager: "clusterrole-aggregation-controller"})
		if err == nil {
			klog.FromContext(ctx).V(2).Info("Aggregated cluster role", "clusterrole", name, "rules", len(rules))
			return nil
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		if !apierrors.IsConflict(err) || attempt >= maxUpdateAttempts {
			return err
		}
		role, err = c.client.ClusterRoles().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if role.AggregationRule == nil || !equality.Semantic.DeepEqual(role.AggregationRule, cached.AggregationRule) {
			// The selectors changed too: the event that brings the new
			// role into the cache queues it again.
			return nil
		}
	}
}

// aggregate returns the rules role's selectors select: for each selector
// in turn, the rules of the roles it matches other than role itself, in
// the order of the roles' names, each distinct rule once, at its first
// place. The result thus depends only on the roles, not on the order the
// cache lists them in.
func (c *Controller) aggregate(role *rbacv1.ClusterRole) ([]rbacv1.PolicyRule, error) {
	rules := []rbacv1.PolicyRule{}
	for i := range role.AggregationRule.ClusterRoleSelectors {
		selector, err := metav1.LabelSelectorAsSelector(&role.AggregationRule.ClusterRoleSelectors[i])
		if err != nil {
			return nil, fmt.Errorf("clusterrole %s: aggregationRule selector %d: %w", role.Name, i, err)
		}
		// As upstream, an empty selector matches every cluster role; that
		// is why setting an aggregationRule calls for full authority.
		matched, err := c.lister.List(selector)
		if err != nil {
			return nil, err
		}
		sort.Slice(matched, func(a, b int) bool { return matched[a].Name < matched[b].Name })
		for _, m := range matched {
			if m.Name == role.Name {
				continue
			}
			for j := range m.Rules {
				if !containsRule(rules, m.Rules[j]) {
					rules = append(rules, *m.Rules[j].DeepCopy())
				}
			}
		}
	}
	return rules, nil
}

func containsRule(rules []rbacv1.PolicyRule, rule rbacv1.PolicyRule) bool {
	for i := range rules {
		if equality.Semantic.DeepEqual(rules[i], rule) {
			return true
		}
	}
	return false
}
