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

// Package namespace holds the strategies of the namespaces resource and of
// its status and finalize subresources.
package namespace

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/validation"
)

// namespaceStrategy implements create, update and delete of namespaces.
type namespaceStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

// NewStrategy returns the strategy of the namespaces resource.
func NewStrategy(typer runtime.ObjectTyper) namespaceStrategy {
	return namespaceStrategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

var (
	_ rest.RESTCreateStrategy  = namespaceStrategy{}
	_ rest.RESTUpdateStrategy  = namespaceStrategy{}
	_ rest.RESTDeleteStrategy  = namespaceStrategy{}
	_ rest.ResetFieldsStrategy = namespaceStrategy{}
)

func (namespaceStrategy) NamespaceScoped() bool { return false }

// GetResetFields keeps writes to /namespaces from owning status.
func (namespaceStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("status")),
	}
}

// PrepareForCreate starts a namespace Active with the "kubernetes"
// finalizer, which the namespace controller removes once the namespace's
// content is gone.
func (namespaceStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	ns := obj.(*corev1.Namespace)
	ns.Status = corev1.NamespaceStatus{Phase: corev1.NamespaceActive}
	if !hasFinalizer(ns.Spec.Finalizers, corev1.FinalizerKubernetes) {
		ns.Spec.Finalizers = append(ns.Spec.Finalizers, corev1.FinalizerKubernetes)
	}
	setNameLabel(ns)
}

// PrepareForUpdate keeps spec.finalizers and status as stored: only the
// finalize and status subresources change them.
func (namespaceStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	newNs, oldNs := obj.(*corev1.Namespace), old.(*corev1.Namespace)
	newNs.Spec.Finalizers = oldNs.Spec.Finalizers
	newNs.Status = oldNs.Status
	setNameLabel(newNs)
}

func (namespaceStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateNamespace(obj.(*corev1.Namespace))
}

func (namespaceStrategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return nil
}

// Canonicalize sets the name label again: with generateName the final name
// is only known after PrepareForCreate.
func (namespaceStrategy) Canonicalize(obj runtime.Object) {
	setNameLabel(obj.(*corev1.Namespace))
}

func (namespaceStrategy) AllowCreateOnUpdate(ctx context.Context) bool { return false }

func (namespaceStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	newNs := obj.(*corev1.Namespace)
	errs := validation.ValidateNamespace(newNs)
	return append(errs, validation.ValidateNamespaceUpdate(newNs, old.(*corev1.Namespace))...)
}

func (namespaceStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (namespaceStrategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }

// setNameLabel keeps the kubernetes.io/metadata.name label equal to the
// name, so label selectors can pick namespaces by name.
func setNameLabel(ns *corev1.Namespace) {
	if ns.Name == "" {
		return
	}
	if ns.Labels == nil {
		ns.Labels = map[string]string{}
	}
	ns.Labels[corev1.LabelMetadataName] = ns.Name
}

func hasFinalizer(list []corev1.FinalizerName, f corev1.FinalizerName) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}

// namespaceStatusStrategy implements updates through namespaces/status.
type namespaceStatusStrategy struct {
	namespaceStrategy
}

// NewStatusStrategy returns the strategy of namespaces/status.
func NewStatusStrategy(s namespaceStrategy) namespaceStatusStrategy {
	return namespaceStatusStrategy{s}
}

// GetResetFields keeps namespaces/status writers from owning spec.
func (namespaceStatusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec")),
	}
}

func (namespaceStatusStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	newNs, oldNs := obj.(*corev1.Namespace), old.(*corev1.Namespace)
	newNs.Spec = oldNs.Spec
	setNameLabel(newNs)
}

func (namespaceStatusStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateNamespaceStatusUpdate(obj.(*corev1.Namespace), old.(*corev1.Namespace))
}

// namespaceFinalizeStrategy implements updates through namespaces/finalize:
// only spec.finalizers changes.
type namespaceFinalizeStrategy struct {
	namespaceStrategy
}

// NewFinalizeStrategy returns the strategy of namespaces/finalize.
func NewFinalizeStrategy(s namespaceStrategy) namespaceFinalizeStrategy {
	return namespaceFinalizeStrategy{s}
}

// GetResetFields keeps namespaces/finalize writers from owning status.
func (namespaceFinalizeStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("status")),
	}
}

func (namespaceFinalizeStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	newNs, oldNs := obj.(*corev1.Namespace), old.(*corev1.Namespace)
	finalizers := newNs.Spec.Finalizers
	newNs.Spec = oldNs.Spec
	newNs.Spec.Finalizers = finalizers
	newNs.Status = oldNs.Status
	setNameLabel(newNs)
}

func (namespaceFinalizeStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateNamespaceFinalizeUpdate(obj.(*corev1.Namespace), old.(*corev1.Namespace))
}

// GetAttrs returns the labels and selectable fields of a namespace.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	ns, ok := obj.(*corev1.Namespace)
	if !ok {
		return nil, nil, fmt.Errorf("not a namespace: %T", obj)
	}
	return labels.Set(ns.Labels), ToSelectableFields(ns), nil
}

// ToSelectableFields returns the fields a namespace list or watch may select on.
func ToSelectableFields(ns *corev1.Namespace) fields.Set {
	return generic.AddObjectMetaFieldsSet(fields.Set{"status.phase": string(ns.Status.Phase)}, &ns.ObjectMeta, false)
}

// Matcher returns the selection predicate for namespaces.
func Matcher(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
