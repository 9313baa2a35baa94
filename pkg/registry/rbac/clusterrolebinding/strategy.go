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

// Package clusterrolebinding holds the strategy of the clusterrolebindings resource.
package clusterrolebinding

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/rbac/validation"
)

// clusterRoleBindingStrategy implements create, update and delete of cluster role bindings.
type clusterRoleBindingStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

// NewStrategy returns the strategy of the clusterrolebindings resource; typer is the
// server's scheme.
func NewStrategy(typer runtime.ObjectTyper) clusterRoleBindingStrategy {
	return clusterRoleBindingStrategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

var (
	_ rest.RESTCreateStrategy = clusterRoleBindingStrategy{}
	_ rest.RESTUpdateStrategy = clusterRoleBindingStrategy{}
	_ rest.RESTDeleteStrategy = clusterRoleBindingStrategy{}
)

func (clusterRoleBindingStrategy) NamespaceScoped() bool { return false }

// PrepareForCreate changes nothing: cluster role bindings have no status and no
// server-set fields.
func (clusterRoleBindingStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {}

// PrepareForUpdate changes nothing either.
func (clusterRoleBindingStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {}

func (clusterRoleBindingStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateClusterRoleBinding(obj.(*rbacv1.ClusterRoleBinding))
}

func (clusterRoleBindingStrategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return nil
}

func (clusterRoleBindingStrategy) Canonicalize(obj runtime.Object) {}

// AllowCreateOnUpdate is true, as upstream: a PUT of a missing object
// creates it, which is what `kubectl auth reconcile` and bootstrapping
// tools rely on.
func (clusterRoleBindingStrategy) AllowCreateOnUpdate(ctx context.Context) bool { return true }

// ValidateUpdate runs, as upstream, the new object's own checks and then
// the update checks, which include them again; the status message shows
// each error once.
func (clusterRoleBindingStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	newObj, oldObj := obj.(*rbacv1.ClusterRoleBinding), old.(*rbacv1.ClusterRoleBinding)
	allErrs := validation.ValidateClusterRoleBinding(newObj)
	return append(allErrs, validation.ValidateClusterRoleBindingUpdate(newObj, oldObj)...)
}

func (clusterRoleBindingStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (clusterRoleBindingStrategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }
