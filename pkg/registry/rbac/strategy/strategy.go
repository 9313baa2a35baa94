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

// Package strategy holds the strategy the four RBAC resources share: none
// has a status or server-set fields, so they differ only in scope and in
// how they are validated.
package strategy

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
)

// Strategy implements create, update and delete of one RBAC resource whose
// objects are T.
type Strategy[T runtime.Object] struct {
	runtime.ObjectTyper
	names.NameGenerator

	namespaced bool
	// validate checks a new object; validateUpdate one replacing old.
	validate       func(obj T) field.ErrorList
	validateUpdate func(obj, old T) field.ErrorList
}

var (
	_ rest.RESTCreateStrategy = Strategy[runtime.Object]{}
	_ rest.RESTUpdateStrategy = Strategy[runtime.Object]{}
	_ rest.RESTDeleteStrategy = Strategy[runtime.Object]{}
)

// New returns the strategy of a resource; typer is the server's scheme.
func New[T runtime.Object](typer runtime.ObjectTyper, namespaced bool, validate func(T) field.ErrorList, validateUpdate func(obj, old T) field.ErrorList) Strategy[T] {
	return Strategy[T]{
		ObjectTyper:    typer,
		NameGenerator:  names.SimpleNameGenerator,
		namespaced:     namespaced,
		validate:       validate,
		validateUpdate: validateUpdate,
	}
}

func (s Strategy[T]) NamespaceScoped() bool { return s.namespaced }

// PrepareForCreate changes nothing: there is no status and no server-set
// field.
func (Strategy[T]) PrepareForCreate(context.Context, runtime.Object) {}

// PrepareForUpdate changes nothing either.
func (Strategy[T]) PrepareForUpdate(context.Context, runtime.Object, runtime.Object) {}

func (s Strategy[T]) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return s.validate(obj.(T))
}

func (Strategy[T]) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

func (Strategy[T]) Canonicalize(runtime.Object) {}

// AllowCreateOnUpdate is true, as upstream: a PUT of a missing object
// creates it, which `kubectl auth reconcile` and bootstrapping tools rely
// on.
func (Strategy[T]) AllowCreateOnUpdate(context.Context) bool { return true }

func (s Strategy[T]) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return s.validateUpdate(obj.(T), old.(T))
}

func (Strategy[T]) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

func (Strategy[T]) AllowUnconditionalUpdate(context.Context) bool { return true }
