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
	"fmt"
	"net/http"
	"time"

	restful "github.com/emicklei/go-restful/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	genericapi "k8s.io/apiserver/pkg/endpoints"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	openapibuilder3 "k8s.io/kube-openapi/pkg/builder3"
	openapicommon "k8s.io/kube-openapi/pkg/common"
	openapiutil "k8s.io/kube-openapi/pkg/util"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"

	podstorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/pod/storage"
)

// ExtraConfig is what this server adds to the generic configuration.
type ExtraConfig struct {
	// AllowPrivileged mirrors --allow-privileged.
	AllowPrivileged bool
	// EphemeralContainersGetForm chooses the form GETs of
	// pods/ephemeralcontainers answer in.
	EphemeralContainersGetForm GetForm
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

// New builds the server and installs the core API group.
func (c CompletedConfig) New() (*Server, error) {
	core, err := c.newCoreStorage()
	if err != nil {
		return nil, err
	}
	maxBodyBytes := c.GenericConfig.MaxRequestBodyBytes
	if maxBodyBytes <= 0 {
		maxBodyBytes = defaultMaxRequestBodyBytes
	}
	// The router sits inside the generic filters (authentication,
	// authorization, audit, limits), which see one subresource whatever the
	// form; it only picks the handlers that decode and encode. Before it,
	// YAML and apply bodies are bounded in what they expand to.
	route := func(apiHandler http.Handler) http.Handler { return apiHandler }
	if c.ephemeralContainersEnabled() {
		legacy, err := c.legacyFormHandlers(core.pods)
		if err != nil {
			return nil, err
		}
		route = func(apiHandler http.Handler) http.Handler {
			return &wireFormRouter{modern: apiHandler, legacy: legacy, getForm: c.ExtraConfig.EphemeralContainersGetForm, maxPeekBytes: maxBodyBytes}
		}
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

// legacyFormHandlers installs, in a container of its own that only the
// router reaches, the API handlers of pods/ephemeralcontainers in its 1.16
// form. They are the library's handlers, so dry-run, field validation,
// every patch type and content negotiation work as in the Pod form.
func (c CompletedConfig) legacyFormHandlers(pods podstorage.PodStorage) (*restful.Container, error) {
	typeConverter, err := newTypeConverter(c.GenericConfig.OpenAPIV3Config, &corev1.Pod{}, &legacyv1.EphemeralContainers{})
	if err != nil {
		return nil, err
	}
	version := &genericapi.APIGroupVersion{
		Root:         genericapiserver.DefaultLegacyAPIPrefix,
		GroupVersion: corev1.SchemeGroupVersion,
		// The installer needs the parent resource; only the subresource is
		// ever routed here.
		Storage: map[string]rest.Storage{
			"pods":                     pods.Pod,
			"pods/ephemeralcontainers": pods.LegacyEphemeralContainers,
		},
		AllServedVersionsByResource: map[string][]string{"pods": {"v1"}, "pods/ephemeralcontainers": {"v1"}},

		Serializer:            withoutProtobuf{Codecs},
		ParameterCodec:        ParameterCodec,
		Typer:                 Scheme,
		Creater:               Scheme,
		Convertor:             Scheme,
		ConvertabilityChecker: Scheme,
		UnsafeConvertor:       runtime.UnsafeObjectConvertor(Scheme),
		Defaulter:             Scheme,
		Namer:                 runtime.Namer(meta.NewAccessor()),
		TypeConverter:         typeConverter,

		EquivalentResourceRegistry: c.GenericConfig.EquivalentResourceRegistry,
		Authorizer:                 c.GenericConfig.Authorization.Authorizer,
		Admit:                      c.GenericConfig.AdmissionControl,
		MinRequestTimeout:          time.Duration(c.GenericConfig.MinRequestTimeout) * time.Second,
		MaxRequestBodyBytes:        c.GenericConfig.MaxRequestBodyBytes,
	}
	container := restful.NewContainer()
	container.Router(restful.CurlyRouter{})
	// As the main container does: go-restful's own refusals (406, 415) are
	// answered with a Status, not its text/plain body.
	container.ServiceErrorHandler(func(serviceErr restful.ServiceError, req *restful.Request, resp *restful.Response) {
		responsewriters.ErrorNegotiated(
			apierrors.NewGenericServerResponse(serviceErr.Code, "", schema.GroupResource{}, "", serviceErr.Message, 0, false),
			Codecs, schema.GroupVersion{}, resp, req.Request)
	})
	if _, _, err := version.InstallREST(container); err != nil {
		return nil, fmt.Errorf("installing the 1.16 form of pods/ephemeralcontainers: %w", err)
	}
	return container, nil
}

// withoutProtobuf offers the media types of a serializer but protobuf:
// EphemeralContainers has no protobuf marshalling, so offering it made a
// protobuf client's GET fail with 406 and its write succeed and then answer
// 406. Without it a client that also accepts JSON (client-go's protobuf
// default) gets JSON, and a protobuf body gets a plain 415.
type withoutProtobuf struct {
	runtime.NegotiatedSerializer
}

func (s withoutProtobuf) SupportedMediaTypes() []runtime.SerializerInfo {
	var infos []runtime.SerializerInfo
	for _, info := range s.NegotiatedSerializer.SupportedMediaTypes() {
		if info.MediaType != runtime.ContentTypeProtobuf {
			infos = append(infos, info)
		}
	}
	return infos
}

// newTypeConverter builds the schemas server-side apply needs for objects.
func newTypeConverter(config *openapicommon.OpenAPIV3Config, objects ...runtime.Object) (managedfields.TypeConverter, error) {
	names := make([]string, 0, len(objects))
	for _, obj := range objects {
		names = append(names, openapiutil.GetCanonicalTypeName(obj))
	}
	definitions, err := openapibuilder3.BuildOpenAPIDefinitionsForResources(config, names...)
	if err != nil {
		return nil, err
	}
	return managedfields.NewTypeConverter(definitions, false)
}
