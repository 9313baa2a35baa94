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

package apiserver

import (
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/tools/cache"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/bootstrap"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/controller/clusterroleaggregation"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authentication/selfsubjectreview"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/localsubjectaccessreview"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/selfsubjectaccessreview"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/selfsubjectrulesreview"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/authorization/subjectaccessreview"
	rbacrest "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/rbac/rest"
)

// aggregationWorkers is how many aggregated cluster roles are updated at once.
const aggregationWorkers = 2

// installAuthGroups serves authentication.k8s.io (who am I),
// authorization.k8s.io (may I) and rbac.authorization.k8s.io, and
// registers the hooks that start the informers, create the default roles
// and keep aggregated cluster roles up to date.
func (c CompletedConfig) installAuthGroups(generic *genericapiserver.GenericAPIServer) error {
	authz := c.GenericConfig.Authorization.Authorizer
	groups := []struct {
		group, version string
		resources      map[string]rest.Storage
	}{
		{authenticationv1.GroupName, authenticationv1.SchemeGroupVersion.Version, map[string]rest.Storage{
			"selfsubjectreviews": selfsubjectreview.NewREST(),
		}},
		{authorizationv1.GroupName, authorizationv1.SchemeGroupVersion.Version, map[string]rest.Storage{
			"subjectaccessreviews":      subjectaccessreview.NewREST(authz),
			"selfsubjectaccessreviews":  selfsubjectaccessreview.NewREST(authz),
			"localsubjectaccessreviews": localsubjectaccessreview.NewREST(authz),
			"selfsubjectrulesreviews":   selfsubjectrulesreview.NewREST(c.GenericConfig.RuleResolver),
		}},
	}
	rbacResources, err := rbacrest.NewStorage(Scheme, c.GenericConfig.RESTOptionsGetter, authz)
	if err != nil {
		return err
	}
	groups = append(groups, struct {
		group, version string
		resources      map[string]rest.Storage
	}{rbacv1.GroupName, rbacv1.SchemeGroupVersion.Version, rbacResources})
	for _, g := range groups {
		info := genericapiserver.NewDefaultAPIGroupInfo(g.group, Scheme, ParameterCodec, Codecs)
		info.VersionedResourcesStorageMap[g.version] = g.resources
		if err := generic.InstallAPIGroup(&info); err != nil {
			return err
		}
	}

	informers := c.ExtraConfig.Informers
	clusterRoles := informers.Rbac().V1().ClusterRoles()
	aggregation := clusterroleaggregation.NewController(clusterRoles, c.ExtraConfig.Client.RbacV1())
	rbacSynced := []cache.InformerSynced{
		clusterRoles.Informer().HasSynced,
		informers.Rbac().V1().ClusterRoleBindings().Informer().HasSynced,
		informers.Rbac().V1().Roles().Informer().HasSynced,
		informers.Rbac().V1().RoleBindings().Informer().HasSynced,
	}
	hooks := map[string]genericapiserver.PostStartHookFunc{
		// Readiness waits for the hooks, so a ready server authorizes from
		// complete RBAC caches.
		"start-informers": func(ctx genericapiserver.PostStartHookContext) error {
			informers.Start(ctx.Done())
			if !cache.WaitForNamedCacheSync("rbac", ctx.Done(), rbacSynced...) {
				return fmt.Errorf("RBAC informers did not sync")
			}
			return nil
		},
		"rbac/bootstrap-roles": func(ctx genericapiserver.PostStartHookContext) error {
			return bootstrap.Reconcile(ctx, c.ExtraConfig.Client)
		},
		"start-cluster-role-aggregator": func(ctx genericapiserver.PostStartHookContext) error {
			go aggregation.Run(ctx, aggregationWorkers)
			return nil
		},
	}
	for name, hook := range hooks {
		if err := generic.AddPostStartHook(name, hook); err != nil {
			return err
		}
	}
	return nil
}
