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

// Package escalation guards writes of roles and bindings so nobody can
// grant, through RBAC objects, permissions they do not hold themselves.
// It follows upstream kube-apiserver's policy-based RBAC storage: a role
// may be written by those allowed to "escalate" it or who hold all its
// rules; a binding by those allowed to "bind" its role or who hold all the
// role's rules. Members of system:masters skip every check.
package escalation

import (
	"context"
	"errors"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
)

// Writer is the part of a store the checks wrap.
type Writer interface {
	rest.Creater
	rest.Updater
}

// Guarded runs a kind's escalation check before handing a create or an
// update to the store it wraps. On update the check runs on the object the
// update produces (after a patch or an apply is applied), inside the
// store's retry loop, so it always sees the current stored object.
type Guarded struct {
	inner Writer
	// exempt reports whether the request needs no look at the object.
	exempt func(ctx context.Context) bool
	// check returns the error refusing obj; old is nil on create.
	check func(ctx context.Context, obj, old runtime.Object) error
}

// Create implements rest.Creater.
func (g *Guarded) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	if !g.exempt(ctx) {
		if err := g.check(ctx, obj, nil); err != nil {
			return nil, err
		}
	}
	return g.inner.Create(ctx, obj, createValidation, options)
}

// Update implements rest.Updater.
func (g *Guarded) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	if !g.exempt(ctx) {
		objInfo = rest.WrapUpdatedObjectInfo(objInfo, func(ctx context.Context, obj, old runtime.Object) (runtime.Object, error) {
			// The garbage collector must be able to finish deleting
			// objects it does not otherwise have rights over.
			if onlyGCFieldsChanged(obj, old) {
				return obj, nil
			}
			if err := g.check(ctx, obj, old); err != nil {
				return nil, err
			}
			return obj, nil
		})
	}
	return g.inner.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
}

// REST is an RBAC resource: its generic store, with creates and updates
// (PUT, PATCH and apply alike) going through the escalation check first.
type REST struct {
	*genericregistry.Store
	guarded *Guarded
}

var (
	_ rest.StandardStorage      = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// Guard puts store behind the check guard builds, e.g. Checker.Roles; the
// checked writes go to writer, the store itself or a wrapper of it.
func Guard(store *genericregistry.Store, writer Writer, guard func(Writer) *Guarded) *REST {
	return &REST{Store: store, guarded: guard(writer)}
}

// Create checks the new object, then stores it.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	return r.guarded.Create(ctx, obj, createValidation, options)
}

// Update checks the updated object, then stores it.
func (r *REST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.guarded.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
}

// Checker holds what the checks consult: the server's authorizer, for the
// escalate and bind verbs, and the RBAC rule resolver, for what the user
// holds and what a role grants.
type Checker struct {
	authz    authorizer.Authorizer
	resolver *rbac.RuleResolver
}

// NewChecker returns a Checker; authz may be nil, and then only held
// rules count.
func NewChecker(authz authorizer.Authorizer, resolver *rbac.RuleResolver) *Checker {
	return &Checker{authz: authz, resolver: resolver}
}

var (
	rolesResource               = rbacv1.Resource("roles")
	clusterRolesResource        = rbacv1.Resource("clusterroles")
	roleBindingsResource        = rbacv1.Resource("rolebindings")
	clusterRoleBindingsResource = rbacv1.Resource("clusterrolebindings")
)

// fullAuthority is what setting an aggregation rule requires: a role that
// aggregates can come to grant anything.
var fullAuthority = []rbacv1.PolicyRule{
	{Verbs: []string{rbacv1.VerbAll}, APIGroups: []string{rbacv1.APIGroupAll}, Resources: []string{rbacv1.ResourceAll}},
	{Verbs: []string{rbacv1.VerbAll}, NonResourceURLs: []string{rbacv1.NonResourceAll}},
}

// Roles guards writes of Roles.
func (c *Checker) Roles(inner Writer) *Guarded {
	return &Guarded{inner: inner, exempt: c.mayEscalate, check: func(ctx context.Context, obj, _ runtime.Object) error {
		role := obj.(*rbacv1.Role)
		if err := c.resolver.ConfirmNoEscalation(ctx, role.Rules); err != nil {
			return apierrors.NewForbidden(rolesResource, role.Name, err)
		}
		return nil
	}}
}

// ClusterRoles guards writes of ClusterRoles. Besides its rules, a cluster
// role with an aggregation rule (or losing one) needs the writer to hold
// every permission.
func (c *Checker) ClusterRoles(inner Writer) *Guarded {
	return &Guarded{inner: inner, exempt: c.mayEscalate, check: func(ctx context.Context, obj, old runtime.Object) error {
		role := obj.(*rbacv1.ClusterRole)
		if err := c.resolver.ConfirmNoEscalation(ctx, role.Rules); err != nil {
			return apierrors.NewForbidden(clusterRolesResource, role.Name, err)
		}
		oldRole, _ := old.(*rbacv1.ClusterRole)
		if aggregates(role) || aggregates(oldRole) {
			if err := c.resolver.ConfirmNoEscalation(ctx, fullAuthority); err != nil {
				return apierrors.NewForbidden(clusterRolesResource, role.Name, errors.New("must have cluster-admin privileges to use the aggregationRule"))
			}
		}
		return nil
	}}
}

// RoleBindings guards writes of RoleBindings. The binding's namespace is
// the request's: the object's may still be empty on create.
func (c *Checker) RoleBindings(inner Writer) *Guarded {
	return &Guarded{inner: inner, exempt: rbac.EscalationAllowed, check: func(ctx context.Context, obj, _ runtime.Object) error {
		namespace, ok := genericapirequest.NamespaceFrom(ctx)
		if !ok {
			return apierrors.NewBadRequest("namespace is required")
		}
		binding := obj.(*rbacv1.RoleBinding)
		return c.checkBinding(ctx, roleBindingsResource, binding.Name, binding.RoleRef, namespace)
	}}
}

// ClusterRoleBindings guards writes of ClusterRoleBindings.
func (c *Checker) ClusterRoleBindings(inner Writer) *Guarded {
	return &Guarded{inner: inner, exempt: rbac.EscalationAllowed, check: func(ctx context.Context, obj, _ runtime.Object) error {
		binding := obj.(*rbacv1.ClusterRoleBinding)
		return c.checkBinding(ctx, clusterRoleBindingsResource, binding.Name, binding.RoleRef, metav1.NamespaceNone)
	}}
}

// checkBinding allows a binding to ref in namespace when the user may bind
// that role there, or already holds every rule of it.
func (c *Checker) checkBinding(ctx context.Context, resource schema.GroupResource, name string, ref rbacv1.RoleRef, namespace string) error {
	if c.mayBind(ctx, ref, namespace) {
		return nil
	}
	rules, err := c.resolver.RoleRefRules(ref, namespace)
	if err != nil {
		return err
	}
	if err := c.resolver.ConfirmNoEscalation(ctx, rules); err != nil {
		return apierrors.NewForbidden(resource, name, err)
	}
	return nil
}

// mayEscalate reports whether the request's user is a superuser or may
// "escalate" the role the request is about, judged from the request info
// (on create the name is empty, as upstream).
func (c *Checker) mayEscalate(ctx context.Context) bool {
	if rbac.EscalationAllowed(ctx) {
		return true
	}
	info, ok := genericapirequest.RequestInfoFrom(ctx)
	if !ok || !info.IsResourceRequest || info.APIGroup != rbacv1.GroupName {
		return false
	}
	if info.Resource != rolesResource.Resource && info.Resource != clusterRolesResource.Resource {
		return false
	}
	return c.allowed(ctx, "escalate", info.APIGroup, info.Resource, info.Name, info.Namespace)
}

// mayBind reports whether the request's user may "bind" the role ref names
// in namespace ("" for a cluster role binding).
func (c *Checker) mayBind(ctx context.Context, ref rbacv1.RoleRef, namespace string) bool {
	switch ref.Kind {
	case "Role":
		return c.allowed(ctx, "bind", ref.APIGroup, rolesResource.Resource, ref.Name, namespace)
	case "ClusterRole":
		return c.allowed(ctx, "bind", ref.APIGroup, clusterRolesResource.Resource, ref.Name, namespace)
	default:
		return false
	}
}

// allowed asks the authorizer whether the request's user may verb the
// named RBAC object; an authorizer error counts as no.
func (c *Checker) allowed(ctx context.Context, verb, group, resource, name, namespace string) bool {
	if c.authz == nil {
		return false
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return false
	}
	decision, _, err := c.authz.Authorize(ctx, authorizer.AttributesRecord{
		User:            u,
		Verb:            verb,
		APIGroup:        group,
		APIVersion:      "*",
		Resource:        resource,
		Name:            name,
		Namespace:       namespace,
		ResourceRequest: true,
	})
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("authorizing %q to %s %s %q in namespace %q: %w", u.GetName(), verb, resource, name, namespace, err))
	}
	return decision == authorizer.DecisionAllow
}

func aggregates(role *rbacv1.ClusterRole) bool {
	return role != nil && role.AggregationRule != nil && len(role.AggregationRule.ClusterRoleSelectors) > 0
}

// onlyGCFieldsChanged reports whether obj differs from old in nothing but
// the fields the garbage collector writes: owner references, finalizers
// (and the obsolete self link).
func onlyGCFieldsChanged(obj, old runtime.Object) bool {
	if old == nil || obj == nil {
		return false
	}
	oldMeta, err := meta.Accessor(old)
	if err != nil {
		return false
	}
	copied := obj.DeepCopyObject()
	copiedMeta, err := meta.Accessor(copied)
	if err != nil {
		return false
	}
	copiedMeta.SetOwnerReferences(oldMeta.GetOwnerReferences())
	copiedMeta.SetFinalizers(oldMeta.GetFinalizers())
	copiedMeta.SetSelfLink(oldMeta.GetSelfLink())
	return apiequality.Semantic.DeepEqual(copied, old)
}
