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
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"

	nslifecycle "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/admission/namespace/lifecycle"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/validation"
	nscontroller "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/controller/namespace"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/eventrecorder"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/features"
	eventstorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/event/storage"
	namespacestorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/namespace/storage"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/pod"
	podstorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/pod/storage"
	podtemplatestorage "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/podtemplate/storage"
)

// DefaultEventTTL is how long events live unless --event-ttl says otherwise.
const DefaultEventTTL = time.Hour

// componentName is how this server signs the events it writes.
const componentName = "ephemeral-apiserver"

// namespaceWorkers is how many terminating namespaces are emptied at once.
const namespaceWorkers = 5

// coreStorage is the core/v1 group: its stores, and the event recorder
// that leaves the trail of added debug containers.
type coreStorage struct {
	pods      podstorage.PodStorage
	resources map[string]rest.Storage
	recorder  *eventrecorder.Recorder
}

// newCoreStorage builds the stores of pods, namespaces, events and pod
// templates. Events come first: the pod stores are handed the trail they
// report added ephemeral containers to, which writes events.
func (c CompletedConfig) newCoreStorage() (coreStorage, error) {
	optsGetter := c.GenericConfig.RESTOptionsGetter

	ttl := c.ExtraConfig.EventTTL
	if ttl <= 0 {
		ttl = DefaultEventTTL
	}
	events, err := eventstorage.NewREST(Scheme, optsGetter, ttl)
	if err != nil {
		return coreStorage{}, err
	}
	host, _ := os.Hostname()
	recorder := eventrecorder.New(storeSink(events, c.GenericConfig.AdmissionControl), eventrecorder.Options{})

	policy := pod.Policy{
		FeatureGate:     c.GenericConfig.FeatureGate,
		AllowPrivileged: c.ExtraConfig.AllowPrivileged,
	}
	pods, err := podstorage.NewStorage(Scheme, optsGetter, policy, debugContainerTrail(recorder, host))
	if err != nil {
		return coreStorage{}, err
	}
	namespaces, err := namespacestorage.NewStorage(Scheme, optsGetter)
	if err != nil {
		return coreStorage{}, err
	}
	templates, err := podtemplatestorage.NewREST(Scheme, optsGetter, validation.PodValidationOptions{AllowPrivileged: c.ExtraConfig.AllowPrivileged})
	if err != nil {
		return coreStorage{}, err
	}
	resources := map[string]rest.Storage{
		"pods":                pods.Pod,
		"pods/status":         pods.Status,
		"pods/binding":        pods.Binding,
		"pods/attach":         pods.Attach,
		"pods/exec":           pods.Exec,
		"pods/portforward":    pods.PortForward,
		"pods/log":            pods.Log,
		"namespaces":          namespaces.Namespace,
		"namespaces/status":   namespaces.Status,
		"namespaces/finalize": namespaces.Finalize,
		"events":              events,
		"podtemplates":        templates,
	}
	// With the gate off the subresource does not exist at all, so clients
	// get the plain 404 that kubectl reads as "disabled for this cluster".
	if c.ephemeralContainersEnabled() {
		resources["pods/ephemeralcontainers"] = pods.EphemeralContainers
	}
	return coreStorage{pods: pods, resources: resources, recorder: recorder}, nil
}

func (c CompletedConfig) ephemeralContainersEnabled() bool {
	return c.GenericConfig.FeatureGate.Enabled(features.EphemeralContainers)
}

// installCoreGroup serves the core group at /api/v1, and registers the
// post-start hooks that record events, create the initial namespaces and
// run the namespace controller.
func (c CompletedConfig) installCoreGroup(generic *genericapiserver.GenericAPIServer, core coreStorage) error {
	apiGroupInfo := genericapiserver.NewDefaultAPIGroupInfo(corev1.GroupName, Scheme, ParameterCodec, Codecs)
	apiGroupInfo.VersionedResourcesStorageMap[corev1.SchemeGroupVersion.Version] = core.resources
	if err := generic.InstallLegacyAPIGroup(genericapiserver.DefaultLegacyAPIPrefix, &apiGroupInfo); err != nil {
		return err
	}

	client := c.ExtraConfig.Client
	controller := nscontroller.NewController(client, c.ExtraConfig.Informers.Core().V1().Namespaces())
	hooks := map[string]genericapiserver.PostStartHookFunc{
		"start-event-recorder": func(ctx genericapiserver.PostStartHookContext) error {
			go core.recorder.Run(ctx)
			return nil
		},
		"start-namespace-controller": func(ctx genericapiserver.PostStartHookContext) error {
			go controller.Run(ctx, namespaceWorkers)
			return nil
		},
		// Readiness waits for this hook, so a ready server has them all.
		"create-initial-namespaces": func(ctx genericapiserver.PostStartHookContext) error {
			return nscontroller.EnsureNamespaces(ctx, client, nslifecycle.InitialNamespaces)
		},
	}
	for name, hook := range hooks {
		if err := generic.AddPostStartHook(name, hook); err != nil {
			return err
		}
	}
	return nil
}

// storeSink writes events straight into their store, as the server's own
// user, through the validating admission plugins (no event lands in a
// terminating namespace): the event trail of a debug container costs one
// etcd write, not another HTTPS request through every filter.
func storeSink(events rest.Creater, admit admission.Interface) eventrecorder.Sink {
	self := &user.DefaultInfo{Name: user.APIServerUser, Groups: []string{user.SystemPrivilegedGroup, user.AllAuthenticated}}
	kind, resource := corev1.SchemeGroupVersion.WithKind("Event"), corev1.SchemeGroupVersion.WithResource("events")
	objectInterfaces := admission.NewObjectInterfacesFromScheme(Scheme)
	return eventrecorder.SinkFunc(func(ctx context.Context, event *corev1.Event) error {
		ctx = genericapirequest.WithNamespace(genericapirequest.WithUser(ctx, self), event.Namespace)
		options := &metav1.CreateOptions{}
		attrs := admission.NewAttributesRecord(event, nil, kind, event.Namespace, event.Name, resource, "", admission.Create, options, false, self)
		_, err := events.Create(ctx, event, rest.AdmissionToValidateObjectFunc(admit, attrs, objectInterfaces), options)
		return err
	})
}

// debugContainerTrail records an event on the pod for every request that
// added ephemeral containers, naming them, their images and the user who
// asked: one event per request, whatever it added, so that no request can
// flood the event store. Recording is asynchronous and best-effort.
func debugContainerTrail(rec *eventrecorder.Recorder, host string) podstorage.EphemeralContainerTrail {
	return func(ctx context.Context, pod *corev1.Pod, added []corev1.EphemeralContainer) {
		userName := "unknown"
		if u, ok := genericapirequest.UserFrom(ctx); ok {
			userName = u.GetName()
		}
		fieldPath := "spec.ephemeralContainers"
		if len(added) == 1 {
			fieldPath = fmt.Sprintf("spec.ephemeralContainers{%s}", added[0].Name)
		}
		rec.Record(&corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace},
			InvolvedObject: corev1.ObjectReference{
				Kind:            "Pod",
				APIVersion:      corev1.SchemeGroupVersion.Version,
				Namespace:       pod.Namespace,
				Name:            pod.Name,
				UID:             pod.UID,
				ResourceVersion: pod.ResourceVersion,
				FieldPath:       fieldPath,
			},
			Type:                corev1.EventTypeNormal,
			Reason:              "EphemeralContainerAdded",
			Message:             addedMessage(added, userName),
			Source:              corev1.EventSource{Component: componentName, Host: host},
			ReportingController: componentName,
			ReportingInstance:   host,
		})
	}
}

// maxNamedContainers is how many added containers an event names.
const maxNamedContainers = 10

// addedMessage says which containers a user added: `Added ephemeral
// container "a" (image "x") by user "u"`, or for several `Added 12
// ephemeral containers "a" (image "x"), ... and 2 more by user "u"`.
func addedMessage(added []corev1.EphemeralContainer, userName string) string {
	var names []string
	for _, ec := range added[:min(len(added), maxNamedContainers)] {
		names = append(names, fmt.Sprintf("%q (image %q)", ec.Name, ec.Image))
	}
	if len(added) == 1 {
		return fmt.Sprintf("Added ephemeral container %s by user %q", names[0], userName)
	}
	list := strings.Join(names, ", ")
	if more := len(added) - len(names); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return fmt.Sprintf("Added %d ephemeral containers %s by user %q", len(added), list, userName)
}
