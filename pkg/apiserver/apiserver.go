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
	"net/http"
	"time"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apiserver/wireform"
)

// ExtraConfig is what this server adds to the generic configuration.
type ExtraConfig struct {
	// AllowPrivileged mirrors --allow-privileged.
	AllowPrivileged bool
	// EphemeralContainersGetForm chooses the form GETs of
	// pods/ephemeralcontainers answer in.
	EphemeralContainersGetForm wireform.GetForm
	// EventTTL is how long events are kept; DefaultEventTTL when zero.
	EventTTL time.Duration

	// Client is a loopback client of this server.
	Client kubernetes.Interface
	// Informers watch this server through Client; the server starts them
	// once it serves, and is ready when the RBAC caches have synced.
	Informers informers.SharedInformerFactory
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

// New builds the stores and the 1.16 form's handlers first, then the
// generic server with that form routed in its handler chain, and installs
// the API groups. The chain is completed here, not in Options.Config,
// because the form's handlers serve the stores built here.
func (c CompletedConfig) New() (*Server, error) {
	core, err := c.newCoreStorage()
	if err != nil {
		return nil, err
	}
	maxBodyBytes := c.GenericConfig.MaxRequestBodyBytes
	if maxBodyBytes <= 0 {
		maxBodyBytes = defaultMaxRequestBodyBytes
	}
	// The 1.16 form's requests are routed to its handlers inside the
	// generic filters; before the router, YAML and apply bodies are bounded
	// in what they expand to.
	route := func(apiHandler http.Handler) http.Handler { return apiHandler }
	if c.ephemeralContainersEnabled() {
		form, err := wireform.New(wireform.Config{
			GetForm:             c.ExtraConfig.EphemeralContainersGetForm,
			Pods:                core.pods.Pod,
			EphemeralContainers: core.pods.EphemeralContainers,
			Scheme:              Scheme,
			Codecs:              Codecs,
			ParameterCodec:      ParameterCodec,
			Generic:             c.GenericConfig.Config,
			MaxBodyBytes:        maxBodyBytes,
		})
		if err != nil {
			return nil, err
		}
		route = form.Route
	}
	buildChain := c.GenericConfig.BuildHandlerChainFunc
	c.GenericConfig.BuildHandlerChainFunc = func(apiHandler http.Handler, gc *genericapiserver.Config) http.Handler {
		return buildChain(boundedBodies{next: route(apiHandler), maxBodyBytes: maxBodyBytes}, gc)
	}
	generic, err := c.GenericConfig.New("ephemeral-apiserver", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, err
	}
	if err := c.installCoreGroup(generic, core); err != nil {
		return nil, err
	}
	if err := c.installAuthGroups(generic); err != nil {
		return nil, err
	}
	return &Server{GenericAPIServer: generic}, nil
}

// defaultMaxRequestBodyBytes is upstream's request body limit, 3 MiB.
const defaultMaxRequestBodyBytes = 3 * 1024 * 1024
