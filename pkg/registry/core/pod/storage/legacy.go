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
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/guard"
)

// legacyKind names the 1.16 form in errors.
var legacyKind = legacyv1.SchemeGroupVersion.WithKind("EphemeralContainers").GroupKind()

// LegacyEphemeralContainersREST is pods/ephemeralcontainers in its
// Kubernetes 1.16 form: it reads and writes kind EphemeralContainers, a view
// on the pod, and stores through the same strategy as the Pod form.
type LegacyEphemeralContainersREST struct {
	store *genericregistry.Store
	trail EphemeralContainerTrail
}

var (
	_ rest.Patcher                   = &LegacyEphemeralContainersREST{}
	_ rest.ResetFieldsFilterStrategy = &LegacyEphemeralContainersREST{}
)

func (r *LegacyEphemeralContainersREST) New() runtime.Object { return &legacyv1.EphemeralContainers{} }

func (r *LegacyEphemeralContainersREST) Destroy() {}

// GetResetFieldsFilter gives the field manager of this form a filter that
// ignores every field of the view but the list. What that field manager
// records never reaches the store: it works on the 1.16 view, and
// legacyUpdate copies only name, namespace, uid, resourceVersion and the list
// from the view to the pod. So a write in this form, apply included, adds or
// changes no managedFields entry and leaves the pod's as they were.
func (r *LegacyEphemeralContainersREST) GetResetFieldsFilter() map[fieldpath.APIVersion]fieldpath.Filter {
	return map[fieldpath.APIVersion]fieldpath.Filter{
		"v1": fieldpath.NewIncludeMatcherFilter(fieldpath.MakePrefixMatcherOrDie("ephemeralContainers")),
	}
}

func (r *LegacyEphemeralContainersREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	obj, err := r.store.Get(ctx, name, options)
	if err != nil {
		return nil, err
	}
	return answerOf(obj.(*corev1.Pod)), nil
}

// Update applies the request to the 1.16 view of the stored pod and writes
// the pod with the resulting list. Nothing else of the request is used but
// the name, namespace, uid and resourceVersion, so a mismatch or a stale
// version is refused as in the Pod form. Admission is handed the resulting
// pod and the stored one, as in the Pod form: Pod Security judges whole pods
// whichever form the client spoke.
func (r *LegacyEphemeralContainersREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	obj, _, err := guard.Update(ctx, legacyKind, name, legacyUpdate{request: objInfo}, func(objInfo rest.UpdatedObjectInfo) (runtime.Object, bool, error) {
		return r.trail.update(ctx, r.store, name, objInfo, nil, updateValidation, options)
	})
	if err != nil {
		return nil, false, err
	}
	return answerOf(obj.(*corev1.Pod)), false, nil
}

// answerOf is the 1.16 view a GET, PUT or patch in that form answers. It
// carries metadata.selfLink, as every server of that era set it on its
// responses; the Pod form has none, as upstream since 1.20.
func answerOf(pod *corev1.Pod) *legacyv1.EphemeralContainers {
	view := EphemeralContainersOf(pod)
	view.SelfLink = "/api/v1/namespaces/" + pod.Namespace + "/pods/" + pod.Name + "/ephemeralcontainers"
	return view
}

// legacyUpdate turns a request on the 1.16 view into the updated pod.
type legacyUpdate struct {
	request rest.UpdatedObjectInfo
}

func (u legacyUpdate) Preconditions() *metav1.Preconditions { return u.request.Preconditions() }

func (u legacyUpdate) UpdatedObject(ctx context.Context, oldObj runtime.Object) (runtime.Object, error) {
	oldPod := oldObj.(*corev1.Pod)
	requested, err := u.request.UpdatedObject(ctx, EphemeralContainersOf(oldPod))
	if err != nil {
		return nil, err
	}
	view, ok := requested.(*legacyv1.EphemeralContainers)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("expected an object of kind EphemeralContainers, got %T", requested))
	}
	newPod := oldPod.DeepCopy()
	newPod.Name = view.Name
	newPod.Namespace = view.Namespace
	newPod.UID = view.UID
	newPod.ResourceVersion = view.ResourceVersion
	newPod.Spec.EphemeralContainers = view.EphemeralContainers
	return newPod, nil
}

// EphemeralContainersOf is the 1.16 view of a pod: its identity and its
// ephemeral containers, the list never null.
func EphemeralContainersOf(pod *corev1.Pod) *legacyv1.EphemeralContainers {
	list := pod.Spec.EphemeralContainers
	if list == nil {
		list = []corev1.EphemeralContainer{}
	}
	return &legacyv1.EphemeralContainers{
		ObjectMeta: metav1.ObjectMeta{
			Name:              pod.Name,
			Namespace:         pod.Namespace,
			UID:               pod.UID,
			ResourceVersion:   pod.ResourceVersion,
			CreationTimestamp: pod.CreationTimestamp,
		},
		EphemeralContainers: list,
	}
}
