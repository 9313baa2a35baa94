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

// Package storage wires the events resource to etcd, each event on a lease
// so that etcd itself removes it after the TTL.
package storage

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/printers"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/event"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/guard"
)

// REST is the events resource.
type REST struct {
	*guard.Store
}

var _ rest.ShortNamesProvider = &REST{}

// ShortNames lets "kubectl get ev" work.
func (r *REST) ShortNames() []string { return []string{"ev"} }

// NewREST returns the event store; every write (re)starts the object's
// time to live of ttl, rounded up to a whole second.
func NewREST(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter, ttl time.Duration) (*REST, error) {
	seconds := uint64((ttl + time.Second - 1) / time.Second)
	if seconds == 0 {
		seconds = 1
	}
	strategy := event.NewStrategy(scheme)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &corev1.Event{} },
		NewListFunc:               func() runtime.Object { return &corev1.EventList{} },
		PredicateFunc:             event.Matcher,
		DefaultQualifiedResource:  corev1.Resource("events"),
		SingularQualifiedResource: corev1.Resource("event"),
		TTLFunc: func(runtime.Object, uint64, bool) (uint64, error) {
			return seconds, nil
		},

		CreateStrategy: strategy,
		UpdateStrategy: strategy,
		DeleteStrategy: strategy,
		// A DELETE answers a Status of success naming the event, as
		// upstream's events do, not the deleted event.
		ReturnDeletedObject: false,

		TableConvertor: printers.NewEventTableConvertor(),
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: event.GetAttrs}); err != nil {
		return nil, err
	}
	return &REST{&guard.Store{Store: store, Kind: corev1.SchemeGroupVersion.WithKind("Event").GroupKind()}}, nil
}
