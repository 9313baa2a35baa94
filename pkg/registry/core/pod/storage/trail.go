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

package storage

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
)

// EphemeralContainerTrail is told, after a successful write that is not a
// dry run, of the ephemeral containers it added to pod. Both wire forms of
// pods/ephemeralcontainers report here, as the 1.16 form writes through the
// Pod form's REST. It must not block.
type EphemeralContainerTrail func(ctx context.Context, pod *corev1.Pod, added []corev1.EphemeralContainer)

// update runs store.Update and reports the ephemeral containers the write
// added to trail; a nil trail is told nothing.
func (trail EphemeralContainerTrail) update(ctx context.Context, store *genericregistry.Store, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	if trail == nil {
		return store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
	}
	capture := &capturingUpdate{UpdatedObjectInfo: objInfo}
	obj, created, err := store.Update(ctx, name, capture, createValidation, updateValidation, false, options)
	if err != nil || (options != nil && len(options.DryRun) > 0) || capture.before == nil {
		return obj, created, err
	}
	if pod, ok := obj.(*corev1.Pod); ok {
		if added := addedEphemeralContainers(capture.before, pod); len(added) > 0 {
			trail(ctx, pod, added)
		}
	}
	return obj, created, err
}

// capturingUpdate remembers the names of the ephemeral containers of the
// stored pod the update was last applied to (a conflict retries it).
type capturingUpdate struct {
	rest.UpdatedObjectInfo
	before sets.Set[string]
}

func (c *capturingUpdate) UpdatedObject(ctx context.Context, oldObj runtime.Object) (runtime.Object, error) {
	if pod, ok := oldObj.(*corev1.Pod); ok {
		c.before = sets.New[string]()
		for _, ec := range pod.Spec.EphemeralContainers {
			c.before.Insert(ec.Name)
		}
	}
	return c.UpdatedObjectInfo.UpdatedObject(ctx, oldObj)
}

// addedEphemeralContainers are the containers of pod not named in before.
func addedEphemeralContainers(before sets.Set[string], pod *corev1.Pod) []corev1.EphemeralContainer {
	var added []corev1.EphemeralContainer
	for _, ec := range pod.Spec.EphemeralContainers {
		if !before.Has(ec.Name) {
			added = append(added, ec)
		}
	}
	return added
}
