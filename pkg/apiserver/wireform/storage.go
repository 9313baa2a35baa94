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

package wireform

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/guard"
)

// PodForm is the Pod form's REST of pods/ephemeralcontainers, which the 1.16
// form reads and writes through: one strategy, one store and one trail of
// added debug containers serve both.
type PodForm interface {
	rest.Getter
	rest.Updater
}

// REST is pods/ephemeralcontainers in its 1.16 form: it reads and writes
// kind EphemeralContainers, a view on the pod the Pod form's REST stores.
type REST struct {
	pod PodForm
}

// NewREST returns the 1.16 form's REST on top of the Pod form's.
func NewREST(pod PodForm) *REST { return &REST{pod: pod} }

var (
	_ rest.Patcher                   = &REST{}
	_ rest.ResetFieldsFilterStrategy = &REST{}
)

func (r *REST) New() runtime.Object { return &legacyv1.EphemeralContainers{} }

func (r *REST) Destroy() {}

// GetResetFieldsFilter gives the field manager of this form a filter that
// ignores every field of the view but the list. What that field manager
// records never reaches the store: it works on the 1.16 view, and
// legacyUpdate copies only name, namespace, uid, resourceVersion and the list
// from the view to the pod. So a write in this form, apply included, adds or
// changes no managedFields entry and leaves the pod's as they were.
func (r *REST) GetResetFieldsFilter() map[fieldpath.APIVersion]fieldpath.Filter {
	return map[fieldpath.APIVersion]fieldpath.Filter{
		"v1": fieldpath.NewIncludeMatcherFilter(fieldpath.MakePrefixMatcherOrDie("ephemeralContainers")),
	}
}

func (r *REST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	obj, err := r.pod.Get(ctx, name, options)
	if err != nil {
		return nil, err
	}
	return answerOf(obj.(*corev1.Pod)), nil
}

// Update applies the request to the 1.16 view of the stored pod and writes
// the pod with the resulting list through the Pod form. Nothing else of the
// request is used but the name, namespace, uid and resourceVersion, so a
// mismatch or a stale version is refused as in the Pod form. The guard
// here names the kind the client sent, EphemeralContainers, in errors of
// the request's own making (a resourceVersion that is not a number, an
// applied configuration that does not fit the schema).
//
// What admission sees: the validating plugins are handed the resulting pod
// and the stored one, not views, exactly as in the Pod form, so Pod
// Security judges whole pods whichever form the client spoke; only the
// attributes' kind says EphemeralContainers. (The handlers would show
// mutating plugins the view, but the server has none.)
func (r *REST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	obj, _, err := guard.Update(ctx, legacyKind, name, legacyUpdate{request: objInfo}, func(objInfo rest.UpdatedObjectInfo) (runtime.Object, bool, error) {
		// Adding a debug container never creates a pod.
		return r.pod.Update(ctx, name, objInfo, nil, updateValidation, false, options)
	})
	if err != nil {
		return nil, false, err
	}
	return answerOf(obj.(*corev1.Pod)), false, nil
}

// legacyUpdate turns a request on the 1.16 view into the updated pod.
type legacyUpdate struct {
	request rest.UpdatedObjectInfo
}

func (u legacyUpdate) Preconditions() *metav1.Preconditions { return u.request.Preconditions() }

func (u legacyUpdate) UpdatedObject(ctx context.Context, oldObj runtime.Object) (runtime.Object, error) {
	oldPod := oldObj.(*corev1.Pod)
	requested, err := u.request.UpdatedObject(ctx, ViewOf(oldPod))
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
