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

// Package role holds the strategy of the roles resource.
package role

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/rbac/validation"
)

// roleStrategy implements create, update and delete of roles.
type roleStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

// NewStrategy returns the strategy of the roles resource; typer is the
// server's scheme.
func NewStrategy(typer runtime.ObjectTyper) roleStrategy {
	return roleStrategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

var (
	_ rest.RESTCreateStrategy = roleStrategy{}
	_ rest.RESTUpdateStrategy = roleStrategy{}
	_ rest.RESTDeleteStrategy = roleStrategy{}
)

func (roleStrategy) NamespaceScoped() bool { return true }

// PrepareForCreate changes nothing: roles have no status and no
// server-set fields.
func (roleStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {}

// PrepareForUpdate changes nothing either.
func (roleStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {}

func (roleStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateRole(obj.(*rbacv1.Role))
}

func (roleStrategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return nil
}

func (roleStrategy) Canonicalize(obj runtime.Object) {}

// AllowCreateOnUpdate is true, as upstream: a PUT of a missing object
// creates it, which is what `kubectl auth reconcile` and bootstrapping
// tools rely on.
func (roleStrategy) AllowCreateOnUpdate(ctx context.Context) bool { return true }

// ValidateUpdate runs, as upstream, the new object's own checks and then
// the update checks, which include them again; the status message shows
// each error once.
func (roleStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	newObj, oldObj := obj.(*rbacv1.Role), old.(*rbacv1.Role)
	allErrs := validation.ValidateRole(newObj)
	return append(allErrs, validation.ValidateRoleUpdate(newObj, oldObj)...)
}

func (roleStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (roleStrategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }
