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

// Package event holds the strategy of the core/v1 events resource.
package event

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

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/validation"
)

// eventStrategy implements create, update and delete of events.
type eventStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

// NewStrategy returns the strategy of the events resource.
func NewStrategy(typer runtime.ObjectTyper) eventStrategy {
	return eventStrategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

var (
	_ rest.RESTCreateStrategy = eventStrategy{}
	_ rest.RESTUpdateStrategy = eventStrategy{}
	_ rest.RESTDeleteStrategy = eventStrategy{}
)

func (eventStrategy) NamespaceScoped() bool { return true }

func (eventStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {}

func (eventStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {}

func (eventStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateEventCreate(obj.(*corev1.Event))
}

func (eventStrategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string { return nil }

func (eventStrategy) Canonicalize(obj runtime.Object) {}

// AllowCreateOnUpdate is true: recorders PUT an event to count repeats
// and may find it gone (expired) meanwhile.
func (eventStrategy) AllowCreateOnUpdate(ctx context.Context) bool { return true }

func (eventStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateEventUpdate(obj.(*corev1.Event), old.(*corev1.Event))
}

func (eventStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (eventStrategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }

// GetAttrs returns the labels and selectable fields of an event.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	event, ok := obj.(*corev1.Event)
	if !ok {
		return nil, nil, fmt.Errorf("not an event: %T", obj)
	}
	return labels.Set(event.Labels), ToSelectableFields(event), nil
}

// ToSelectableFields returns the fields an event list or watch may select
// on. "source" falls back to the reporting controller that newer clients
// fill instead, and "reportingComponent" is that controller under its
// core/v1 name.
func ToSelectableFields(event *corev1.Event) fields.Set {
	source := event.Source.Component
	if source == "" {
		source = event.ReportingController
	}
	set := fields.Set{
		"involvedObject.kind":            event.InvolvedObject.Kind,
		"involvedObject.namespace":       event.InvolvedObject.Namespace,
		"involvedObject.name":            event.InvolvedObject.Name,
		"involvedObject.uid":             string(event.InvolvedObject.UID),
		"involvedObject.apiVersion":      event.InvolvedObject.APIVersion,
		"involvedObject.resourceVersion": event.InvolvedObject.ResourceVersion,
		"involvedObject.fieldPath":       event.InvolvedObject.FieldPath,
		"reason":                         event.Reason,
		"reportingComponent":             event.ReportingController,
		"source":                         source,
		"type":                           event.Type,
	}
	return generic.AddObjectMetaFieldsSet(set, &event.ObjectMeta, true)
}

// Matcher returns the selection predicate for events.
func Matcher(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
