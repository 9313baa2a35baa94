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

// Package clusterrole holds the strategy of the clusterroles resource.
package clusterrole

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/rbac/validation"
)

// clusterRoleStrategy implements create, update and delete of cluster roles.
type clusterRoleStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

// NewStrategy returns the strategy of the clusterroles resource; typer is the
// server's scheme.
func NewStrategy(typer runtime.ObjectTyper) clusterRoleStrategy {
	return clusterRoleStrategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator}
}

var (
	_ rest.RESTCreateStrategy = clusterRoleStrategy{}
	_ rest.RESTUpdateStrategy = clusterRoleStrategy{}
	_ rest.RESTDeleteStrategy = clusterRoleStrategy{}
)

func (clusterRoleStrategy) NamespaceScoped() bool { return false }

// PrepareForCreate changes nothing: cluster roles have no status and no
// server-set fields.
func (clusterRoleStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {}

// PrepareForUpdate changes nothing either.
func (clusterRoleStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {}

func (clusterRoleStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateClusterRole(obj.(*rbacv1.ClusterRole), validation.ClusterRoleValidationOptions{})
}

func (clusterRoleStrategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return nil
}

func (clusterRoleStrategy) Canonicalize(obj runtime.Object) {}

// AllowCreateOnUpdate is true, as upstream: a PUT of a missing object
// creates it, which is what `kubectl auth reconcile` and bootstrapping
// tools rely on.
func (clusterRoleStrategy) AllowCreateOnUpdate(ctx context.Context) bool { return true }

// ValidateUpdate keeps accepting selector label values that are no longer
// valid when the stored role already had such a selector. As upstream, the
// new object's own checks run twice (directly and within the update
// checks); the status message shows each error once.
func (clusterRoleStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	newRole, oldRole := obj.(*rbacv1.ClusterRole), old.(*rbacv1.ClusterRole)
	opts := validation.ClusterRoleValidationOptions{
		AllowInvalidLabelValueInSelector: validation.HasInvalidLabelValueInAggregationRule(oldRole),
	}
	allErrs := validation.ValidateClusterRole(newRole, opts)
	return append(allErrs, validation.ValidateClusterRoleUpdate(newRole, oldRole, opts)...)
}

func (clusterRoleStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (clusterRoleStrategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }
