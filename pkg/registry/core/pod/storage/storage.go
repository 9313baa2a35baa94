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
// Package storage wires the pods resource and its subresources to etcd.
package storage

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/printers"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/pod"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/guard"
)

// PodStorage is the pods resource and its subresources.
type PodStorage struct {
	Pod    *REST
	Status *StatusREST
	// EphemeralContainers is pods/ephemeralcontainers in the Pod form; the
	// 1.16 form (package apiserver/wireform) reads and writes through it.
	EphemeralContainers *EphemeralContainersREST
	// Binding assigns a pod to a node.
	Binding *BindingREST
	// Attach, Exec, PortForward and Log reach into a pod's containers,
	// which this server cannot: see streaming.go.
	Attach      *StreamREST
	Exec        *StreamREST
	PortForward *StreamREST
	Log         *LogREST
}

// NewStorage returns the pod stores, all on one etcd prefix. Writes of
// pods/ephemeralcontainers report the containers they add to trail (nil:
// to nobody).
func NewStorage(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter, policy pod.Policy, trail EphemeralContainerTrail) (PodStorage, error) {
	strategy := pod.NewStrategy(scheme, policy)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &corev1.Pod{} },
		NewListFunc:               func() runtime.Object { return &corev1.PodList{} },
		PredicateFunc:             pod.MatchPod,
		DefaultQualifiedResource:  corev1.Resource("pods"),
		SingularQualifiedResource: corev1.Resource("pod"),

		CreateStrategy:      strategy,
		UpdateStrategy:      strategy,
		DeleteStrategy:      strategy,
		ResetFieldsStrategy: strategy,
		ReturnDeletedObject: true,

		TableConvertor: printers.NewPodTableConvertor(),
	}
	options := &generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: pod.GetAttrs}
	if err := store.CompleteWithOptions(options); err != nil {
		return PodStorage{}, err
	}

	// Each subresource is a shallow copy of the one store that swaps only the
	// update strategy, so they share the etcd client and watch cache.
	statusStore := *store
	statusStrategy := pod.NewStatusStrategy(strategy)
	statusStore.UpdateStrategy = statusStrategy
	statusStore.ResetFieldsStrategy = statusStrategy

	ephemeralStore := *store
	ephemeralStrategy := pod.NewEphemeralContainersStrategy(strategy)
	ephemeralStore.UpdateStrategy = ephemeralStrategy

	return PodStorage{
		Pod:                 &REST{&guard.Store{Store: store, Kind: podKind}},
		Status:              &StatusREST{store: &statusStore},
		EphemeralContainers: &EphemeralContainersREST{store: &ephemeralStore, trail: trail},
		Binding:             &BindingREST{store: store},
		Attach:              newStreamREST(store, func() runtime.Object { return &corev1.PodAttachOptions{} }),
		Exec:                newStreamREST(store, func() runtime.Object { return &corev1.PodExecOptions{} }),
		PortForward:         newStreamREST(store, func() runtime.Object { return &corev1.PodPortForwardOptions{} }),
		Log:                 &LogREST{store: store},
	}, nil
}

// podKind names pods in errors.
var podKind = corev1.SchemeGroupVersion.WithKind("Pod").GroupKind()

// REST is the pods resource.
type REST struct {
	*guard.Store
}

var (
	_ rest.ShortNamesProvider = &REST{}
	_ rest.CategoriesProvider = &REST{}
)

// ShortNames lets "kubectl get po" work.
func (r *REST) ShortNames() []string { return []string{"po"} }

// Categories puts pods in "kubectl get all".
func (r *REST) Categories() []string { return []string{"all"} }

// StatusREST is pods/status.
type StatusREST struct {
	store *genericregistry.Store
}

var _ rest.Patcher = &StatusREST{}

func (r *StatusREST) New() runtime.Object { return &corev1.Pod{} }

func (r *StatusREST) Destroy() {} // the main store owns the storage

func (r *StatusREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

func (r *StatusREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	// Status never creates a pod.
	return guard.Update(ctx, podKind, name, objInfo, func(objInfo rest.UpdatedObjectInfo) (runtime.Object, bool, error) {
		return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
	})
}

func (r *StatusREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}

func (r *StatusREST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, object, tableOptions)
}

// EphemeralContainersREST is pods/ephemeralcontainers: it reads the whole pod
// and writes only its ephemeral containers.
//
// It declares no reset fields (neither GetResetFields nor
// GetResetFieldsFilter), so the field manager is told of none: managedFields
// of this subresource record whatever the request sent, even what the
// strategy then drops, and server-side apply of a regular container's field
// conflicts with that field's owner (with force, it takes ownership and
// changes nothing). Upstream answers the same: its ephemeral containers
// strategy does declare a filter keeping only spec.ephemeralContainers, but
// its REST for the subresource exposes neither method, so the API installer
// never hands that filter to the field manager. The captured upstream
// answers in test/testdata/reference show it (16-d7: the 409 conflict on
// .spec.containers[name="nginx"].image; 18-d8: manager anchor-ssa2 owning
// that field through this subresource), and the server-side apply specs of
// test/integration/ephemeral_containers_test.go hold ours to them.
// Declaring the filter here would change those managedFields and drop the
// conflict.
type EphemeralContainersREST struct {
	store *genericregistry.Store
	trail EphemeralContainerTrail
}

var _ rest.Patcher = &EphemeralContainersREST{}

func (r *EphemeralContainersREST) New() runtime.Object { return &corev1.Pod{} }

func (r *EphemeralContainersREST) Destroy() {}

func (r *EphemeralContainersREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

func (r *EphemeralContainersREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	// Adding a debug container never creates a pod.
	return guard.Update(ctx, podKind, name, objInfo, func(objInfo rest.UpdatedObjectInfo) (runtime.Object, bool, error) {
		return r.trail.update(ctx, r.store, name, objInfo, createValidation, updateValidation, options)
	})
}
