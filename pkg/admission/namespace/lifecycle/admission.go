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

// Package lifecycle is the admission plugin that ties namespaced objects to
// the life of their namespace: nothing is created in a namespace that does
// not exist or is being terminated, and the initial namespaces may not be
// deleted.
package lifecycle

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilcache "k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// PluginName is the name upstream gives the same plugin.
const PluginName = "NamespaceLifecycle"

const (
	// liveLookupTTL is how long, after a namespace delete request passed
	// here, creates into it are checked against storage rather than the
	// cache, which may not have seen the Terminating phase yet.
	liveLookupTTL = 30 * time.Second
	// missingNamespaceWait gives the cache a moment to see a namespace
	// created just before an object in it.
	missingNamespaceWait = 50 * time.Millisecond
)

// InitialNamespaces are created at start and can never be deleted.
var InitialNamespaces = sets.New(metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic)

var namespaceKind = corev1.SchemeGroupVersion.WithKind("Namespace").GroupKind()

// Lifecycle is the admission plugin.
type Lifecycle struct {
	*admission.Handler
	client     kubernetes.Interface
	lister     corelisters.NamespaceLister
	immortal   sets.Set[string]
	liveLookup *utilcache.LRUExpireCache
	sleep      func(time.Duration)
}

var _ admission.ValidationInterface = &Lifecycle{}

// New returns the plugin. lister is fed by an informer whose HasSynced is
// hasSynced; client answers the live lookups when the lister misses.
func New(client kubernetes.Interface, lister corelisters.NamespaceLister, hasSynced func() bool, immortal sets.Set[string]) *Lifecycle {
	return newWithClock(client, lister, hasSynced, immortal, clock.RealClock{})
}

func newWithClock(client kubernetes.Interface, lister corelisters.NamespaceLister, hasSynced func() bool, immortal sets.Set[string], c utilcache.Clock) *Lifecycle {
	l := &Lifecycle{
		Handler:    admission.NewHandler(admission.Create, admission.Update, admission.Delete),
		client:     client,
		lister:     lister,
		immortal:   immortal,
		liveLookup: utilcache.NewLRUExpireCacheWithClock(100, c),
		sleep:      time.Sleep,
	}
	l.SetReadyFunc(hasSynced)
	return l
}

// Validate decides one request.
func (l *Lifecycle) Validate(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	if a.GetKind().GroupKind() == namespaceKind {
		if a.GetOperation() == admission.Delete {
			if l.immortal.Has(a.GetName()) {
				return apierrors.NewForbidden(a.GetResource().GroupResource(), a.GetName(), fmt.Errorf("this namespace may not be deleted"))
			}
			// Our cache may keep saying Active for a moment.
			l.liveLookup.Add(a.GetName(), true, liveLookupTTL)
		}
		// Namespaces themselves are never refused here.
		return nil
	}
	// Cluster-scoped objects have no namespace to check.
	if a.GetNamespace() == "" {
		return nil
	}
	// Deletes and updates of existing objects are always allowed; only new
	// content is refused.
	if a.GetOperation() != admission.Create {
		return nil
	}

	if !l.WaitForReady() {
		return admission.NewForbidden(a, fmt.Errorf("not yet ready to handle request"))
	}

	name := a.GetNamespace()
	ns, err := l.cached(name)
	if err != nil {
		return err
	}
	if ns == nil {
		// A namespace created a moment ago may not have reached the cache.
		l.sleep(missingNamespaceWait)
		if ns, err = l.cached(name); err != nil {
			return err
		}
	}
	live := ns == nil
	if _, suspect := l.liveLookup.Get(name); suspect && ns != nil && ns.Status.Phase == corev1.NamespaceActive {
		live = true
	}
	if live {
		ns, err = l.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			return err
		case err != nil:
			return apierrors.NewInternalError(err)
		}
		klog.V(4).InfoS("Found namespace through a live lookup", "namespace", klog.KRef("", name))
	}

	if ns.Status.Phase != corev1.NamespaceTerminating {
		return nil
	}
	return terminatingError(a)
}

func (l *Lifecycle) cached(name string) (*corev1.Namespace, error) {
	ns, err := l.lister.Get(name)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, apierrors.NewInternalError(err)
	}
	return ns, nil
}

// terminatingError is upstream's 403 with the NamespaceTerminating cause
// clients look for.
func terminatingError(a admission.Attributes) error {
	err := admission.NewForbidden(a, fmt.Errorf("unable to create new content in namespace %s because it is being terminated", a.GetNamespace()))
	if status, ok := err.(*apierrors.StatusError); ok && status.ErrStatus.Details != nil {
		status.ErrStatus.Details.Causes = append(status.ErrStatus.Details.Causes, metav1.StatusCause{
			Type:    corev1.NamespaceTerminatingCause,
			Message: fmt.Sprintf("namespace %s is being terminated", a.GetNamespace()),
			Field:   "metadata.namespace",
		})
	}
	return err
}
