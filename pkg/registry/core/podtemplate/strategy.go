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

// Package podtemplate holds the strategy of the podtemplates resource.
package podtemplate

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/validation"
)

// podTemplateStrategy implements create, update and delete of pod templates.
type podTemplateStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	opts validation.PodValidationOptions
}

// NewStrategy returns the strategy of the podtemplates resource; opts are
// the pod validation options the server runs with.
func NewStrategy(typer runtime.ObjectTyper, opts validation.PodValidationOptions) podTemplateStrategy {
	return podTemplateStrategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator, opts: opts}
}

var (
	_ rest.RESTCreateStrategy = podTemplateStrategy{}
	_ rest.RESTUpdateStrategy = podTemplateStrategy{}
	_ rest.RESTDeleteStrategy = podTemplateStrategy{}
)

func (podTemplateStrategy) NamespaceScoped() bool { return true }

func (podTemplateStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	obj.(*corev1.PodTemplate).Generation = 1
}

// PrepareForUpdate bumps metadata.generation when the template changed.
func (podTemplateStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	newT, oldT := obj.(*corev1.PodTemplate), old.(*corev1.PodTemplate)
	newT.Generation = oldT.Generation
	if !apiequality.Semantic.DeepEqual(newT.Template, oldT.Template) {
		newT.Generation = oldT.Generation + 1
	}
}

func (s podTemplateStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidatePodTemplate(obj.(*corev1.PodTemplate), s.opts)
}

func (podTemplateStrategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return nil
}

func (podTemplateStrategy) Canonicalize(obj runtime.Object) {}

func (podTemplateStrategy) AllowCreateOnUpdate(ctx context.Context) bool { return false }

func (s podTemplateStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidatePodTemplateUpdate(obj.(*corev1.PodTemplate), old.(*corev1.PodTemplate), s.opts)
}

func (podTemplateStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (podTemplateStrategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }
