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
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"

	corev1defaults "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/v1"
	rbacv1defaults "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/rbac/v1"
)

var (
	// Scheme knows every type this server serves or stores.
	Scheme = runtime.NewScheme()
	// Codecs serialises Scheme's types in JSON, YAML and protobuf.
	Codecs = serializer.NewCodecFactory(Scheme)
	// ParameterCodec decodes query parameters into option types.
	ParameterCodec = runtime.NewParameterCodec(Scheme)
	// StorageCodec writes v1 protobuf to etcd and reads protobuf or JSON.
	StorageCodec = newStorageCodec()

	// internalVersion is where request bodies are decoded to before the
	// registry sees them. We have no internal types of our own: the v1 Go
	// types are registered there too, so "conversion" only swaps the GVK.
	internalVersion = schema.GroupVersion{Group: corev1.GroupName, Version: runtime.APIVersionInternal}
)

func newStorageCodec() runtime.Codec {
	info, ok := runtime.SerializerInfoForMediaType(Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		panic("protobuf serializer is not registered")
	}
	// One codec serves every stored group: objects are written in their
	// group's v1 and read back into its internal version.
	stored := schema.GroupVersions{corev1.SchemeGroupVersion, rbacv1.SchemeGroupVersion}
	internal := schema.GroupVersions{internalVersion, {Group: rbacv1.GroupName, Version: runtime.APIVersionInternal}}
	return Codecs.CodecForVersions(info.Serializer, Codecs.UniversalDeserializer(), stored, internal)
}

func init() {
	utilruntime.Must(AddToScheme(Scheme))
}

// AddToScheme registers core/v1 (served and internal) with defaults and the
// field selectors the core resources support.
func AddToScheme(scheme *runtime.Scheme) error {
	if err := corev1.AddToScheme(scheme); err != nil {
		return err
	}
	scheme.AddKnownTypes(internalVersion,
		&corev1.Pod{}, &corev1.PodList{},
		&corev1.PodTemplate{}, &corev1.PodTemplateList{},
		&corev1.Namespace{}, &corev1.NamespaceList{},
		&corev1.Event{}, &corev1.EventList{},
	)
	// The 1.16 wire form of pods/ephemeralcontainers.
	if err := legacyv1.AddToScheme(scheme); err != nil {
		return err
	}
	scheme.AddKnownTypes(internalVersion, &legacyv1.EphemeralContainers{})
	if err := corev1defaults.RegisterDefaults(scheme); err != nil {
		return err
	}
	scheme.AddTypeDefaultingFunc(&legacyv1.EphemeralContainers{}, func(obj interface{}) {
		corev1defaults.SetDefaultsEphemeralContainers(obj.(*legacyv1.EphemeralContainers).EphemeralContainers)
	})
	if err := corev1defaults.RegisterQueryConversions(scheme); err != nil {
		return err
	}
	if err := addFieldLabelConversions(scheme); err != nil {
		return err
	}
	if err := scheme.SetVersionPriority(corev1.SchemeGroupVersion); err != nil {
		return err
	}
	return addAuthGroupsToScheme(scheme)
}

// addAuthGroupsToScheme registers, served and internal, the v1 of
// authentication.k8s.io (selfsubjectreviews), authorization.k8s.io (access
// reviews) and rbac.authorization.k8s.io.
func addAuthGroupsToScheme(scheme *runtime.Scheme) error {
	groups := []struct {
		version schema.GroupVersion
		install func(*runtime.Scheme) error
		types   []runtime.Object
	}{
		{authenticationv1.SchemeGroupVersion, authenticationv1.AddToScheme, []runtime.Object{&authenticationv1.SelfSubjectReview{}}},
		{authorizationv1.SchemeGroupVersion, authorizationv1.AddToScheme, []runtime.Object{
			&authorizationv1.SubjectAccessReview{}, &authorizationv1.SelfSubjectAccessReview{},
			&authorizationv1.LocalSubjectAccessReview{}, &authorizationv1.SelfSubjectRulesReview{},
		}},
		{rbacv1.SchemeGroupVersion, rbacv1.AddToScheme, []runtime.Object{
			&rbacv1.Role{}, &rbacv1.RoleList{}, &rbacv1.RoleBinding{}, &rbacv1.RoleBindingList{},
			&rbacv1.ClusterRole{}, &rbacv1.ClusterRoleList{}, &rbacv1.ClusterRoleBinding{}, &rbacv1.ClusterRoleBindingList{},
		}},
	}
	rbacv1defaults.RegisterDefaults(scheme)
	for _, g := range groups {
		if err := g.install(scheme); err != nil {
			return err
		}
		scheme.AddKnownTypes(schema.GroupVersion{Group: g.version.Group, Version: runtime.APIVersionInternal}, g.types...)
		if err := scheme.SetVersionPriority(g.version); err != nil {
			return err
		}
	}
	return nil
}

// podFieldLabels are the pod fields that list and watch may select on.
var podFieldLabels = map[string]bool{
	"metadata.name":            true,
	"metadata.namespace":       true,
	"spec.nodeName":            true,
	"spec.restartPolicy":       true,
	"spec.schedulerName":       true,
	"spec.serviceAccountName":  true,
	"spec.hostNetwork":         true,
	"status.phase":             true,
	"status.podIP":             true,
	"status.podIPs":            true,
	"status.nominatedNodeName": true,
}

// namespaceFieldLabels are the namespace fields that list and watch may
// select on.
var namespaceFieldLabels = map[string]bool{
	"metadata.name": true,
	"status.phase":  true,
}

// eventFieldLabels are the event fields that list and watch may select on.
var eventFieldLabels = map[string]bool{
	"metadata.name":                  true,
	"metadata.namespace":             true,
	"involvedObject.kind":            true,
	"involvedObject.namespace":       true,
	"involvedObject.name":            true,
	"involvedObject.uid":             true,
	"involvedObject.apiVersion":      true,
	"involvedObject.resourceVersion": true,
	"involvedObject.fieldPath":       true,
	"reason":                         true,
	"reportingComponent":             true,
	"source":                         true,
	"type":                           true,
}

func addFieldLabelConversions(scheme *runtime.Scheme) error {
	for kind, supported := range map[string]map[string]bool{
		"Pod":       podFieldLabels,
		"Namespace": namespaceFieldLabels,
		"Event":     eventFieldLabels,
	} {
		convert := fieldLabelsIn(supported)
		if kind == "Pod" {
			convert = podFieldLabelAliases(convert)
		}
		if err := scheme.AddFieldLabelConversionFunc(corev1.SchemeGroupVersion.WithKind(kind), convert); err != nil {
			return err
		}
	}
	return nil
}

// podFieldLabelAliases accepts spec.host for spec.nodeName, as upstream does
// for old v1 clients.
func podFieldLabelAliases(convert runtime.FieldLabelConversionFunc) runtime.FieldLabelConversionFunc {
	return func(label, value string) (string, string, error) {
		if label == "spec.host" {
			label = "spec.nodeName"
		}
		return convert(label, value)
	}
}

// fieldLabelsIn accepts the labels in supported unchanged.
func fieldLabelsIn(supported map[string]bool) runtime.FieldLabelConversionFunc {
	return func(label, value string) (string, string, error) {
		if supported[label] {
			return label, value, nil
		}
		return "", "", fmt.Errorf("field label not supported: %s", label)
	}
}
