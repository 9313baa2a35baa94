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
// Package apiserver assembles the ephemeral-apiserver: the generic API
// server of k8s.io/apiserver with the core/v1 resources we serve.
package apiserver

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/features"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/pod"
	podstorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/pod/storage"
)

// ExtraConfig is what this server adds to the generic configuration.
type ExtraConfig struct {
	// AllowPrivileged mirrors --allow-privileged.
	AllowPrivileged bool
}

// Config is the whole configuration of the server.
type Config struct {
	GenericConfig *genericapiserver.Config
	ExtraConfig   ExtraConfig
}

type completedConfig struct {
	GenericConfig genericapiserver.CompletedConfig
	ExtraConfig   *ExtraConfig
}

// CompletedConfig is a Config with every derived field filled in.
type CompletedConfig struct {
	*completedConfig
}

// Server is a running-ready ephemeral-apiserver.
type Server struct {
	GenericAPIServer *genericapiserver.GenericAPIServer
}

// Complete fills in the fields derived from others.
func (c *Config) Complete() CompletedConfig {
	return CompletedConfig{&completedConfig{
		GenericConfig: c.GenericConfig.Complete(nil),
		ExtraConfig:   &c.ExtraConfig,
	}}
}

// New builds the server and installs the core API group.
func (c CompletedConfig) New() (*Server, error) {
	generic, err := c.GenericConfig.New("ephemeral-apiserver", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, err
	}

	apiGroupInfo := genericapiserver.NewDefaultAPIGroupInfo(corev1.GroupName, Scheme, ParameterCodec, Codecs)
	optsGetter := c.GenericConfig.RESTOptionsGetter

	policy := pod.Policy{
		FeatureGate:     c.GenericConfig.FeatureGate,
		AllowPrivileged: c.ExtraConfig.AllowPrivileged,
	}
	pods, err := podstorage.NewStorage(Scheme, optsGetter, policy)
	if err != nil {
		return nil, err
	}
	resources := map[string]rest.Storage{
		"pods":        pods.Pod,
		"pods/status": pods.Status,
	}
	// With the gate off the subresource does not exist at all, so clients
	// get the plain 404 that kubectl reads as "disabled for this cluster".
	if policy.FeatureGate.Enabled(features.EphemeralContainers) {
		resources["pods/ephemeralcontainers"] = pods.EphemeralContainers
	}
	apiGroupInfo.VersionedResourcesStorageMap[corev1.SchemeGroupVersion.Version] = resources

	if err := generic.InstallLegacyAPIGroup(genericapiserver.DefaultLegacyAPIPrefix, &apiGroupInfo); err != nil {
		return nil, err
	}
	return &Server{GenericAPIServer: generic}, nil
}
