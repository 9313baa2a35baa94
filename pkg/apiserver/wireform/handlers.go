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

package wireform

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
	openapibuilder3 "k8s.io/kube-openapi/pkg/builder3"
	openapicommon "k8s.io/kube-openapi/pkg/common"
	openapiutil "k8s.io/kube-openapi/pkg/util"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
)

// Config is what the 1.16 form takes from the server.
type Config struct {
	// GetForm chooses the form GETs answer in.
	GetForm GetForm
	// Pods is the pods resource: the installer needs a subresource's parent.
	Pods rest.Storage
	// EphemeralContainers is the Pod form's REST of the subresource.
	EphemeralContainers PodForm

	// Scheme, Codecs and ParameterCodec are the server's, which know the
	// 1.16 types.
	Scheme         *runtime.Scheme
	Codecs         runtime.NegotiatedSerializer
	ParameterCodec runtime.ParameterCodec
	// Generic is the generic server's configuration, admission and
	// authorizer set: the 1.16 handlers authorize, admit, time out and
	// limit bodies as the server's do.
	Generic *genericapiserver.Config
	// MaxBodyBytes bounds how much of a body is read to tell its form.
	MaxBodyBytes int64
}

// Form is the 1.16 form, built: its handlers, ready to be routed to.
type Form struct {
	handlers     http.Handler
	getForm      GetForm
	maxPeekBytes int64
}

// New builds the 1.16 form's storage and handlers. It needs nothing of the
// generic server, so it runs before that server is built, and Route puts
// it in the handler chain.
func New(config Config) (*Form, error) {
	handlers, err := newHandlers(config, NewREST(config.EphemeralContainers))
	if err != nil {
		return nil, err
	}
	return &Form{handlers: handlers, getForm: config.GetForm, maxPeekBytes: config.MaxBodyBytes}, nil
}

// Route returns api, the server's API handler, with the requests in the
// 1.16 form sent to that form's handlers.
func (f *Form) Route(api http.Handler) http.Handler {
	return &router{api: api, legacy: f.handlers, getForm: f.getForm, maxPeekBytes: f.maxPeekBytes}
}

// newHandlers installs, in a container of its own that only the router
// reaches, the API handlers of pods/ephemeralcontainers on storage. They
// are the library's handlers, so dry-run, field validation, every patch
// type and content negotiation work as in the Pod form.
func newHandlers(config Config, storage *REST) (*restful.Container, error) {
	generic := config.Generic
	typeConverter, err := newTypeConverter(generic.OpenAPIV3Config, &corev1.Pod{}, &legacyv1.EphemeralContainers{})
	if err != nil {
		return nil, err
	}
	version := &genericapi.APIGroupVersion{
		Root:         genericapiserver.DefaultLegacyAPIPrefix,
		GroupVersion: corev1.SchemeGroupVersion,
		// The installer needs the parent resource; only the subresource is
		// ever routed here.
		Storage: map[string]rest.Storage{
			"pods":                     config.Pods,
			"pods/ephemeralcontainers": storage,
		},
		AllServedVersionsByResource: map[string][]string{"pods": {"v1"}, "pods/ephemeralcontainers": {"v1"}},

		Serializer:            withoutProtobuf{config.Codecs},
		ParameterCodec:        config.ParameterCodec,
		Typer:                 config.Scheme,
		Creater:               config.Scheme,
		Convertor:             config.Scheme,
		ConvertabilityChecker: config.Scheme,
		UnsafeConvertor:       runtime.UnsafeObjectConvertor(config.Scheme),
		Defaulter:             config.Scheme,
		Namer:                 runtime.Namer(meta.NewAccessor()),
		TypeConverter:         typeConverter,

		EquivalentResourceRegistry: generic.EquivalentResourceRegistry,
		Authorizer:                 generic.Authorization.Authorizer,
		Admit:                      generic.AdmissionControl,
		MinRequestTimeout:          time.Duration(generic.MinRequestTimeout) * time.Second,
		MaxRequestBodyBytes:        generic.MaxRequestBodyBytes,
	}
	container := restful.NewContainer()
	container.Router(restful.CurlyRouter{})
	// As the main container does: go-restful's own refusals (406, 415) are
	// answered with a Status, not its text/plain body.
	container.ServiceErrorHandler(func(serviceErr restful.ServiceError, req *restful.Request, resp *restful.Response) {
		responsewriters.ErrorNegotiated(
			apierrors.NewGenericServerResponse(serviceErr.Code, "", schema.GroupResource{}, "", serviceErr.Message, 0, false),
			config.Codecs, schema.GroupVersion{}, resp, req.Request)
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
