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

// Package storage wires the podtemplates resource to etcd.
package storage

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/validation"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/printers"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/core/podtemplate"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/registry/guard"
)

// REST is the podtemplates resource.
type REST struct {
	*guard.Store
}

// NewREST returns the pod template store.
func NewREST(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter, opts validation.PodValidationOptions) (*REST, error) {
	strategy := podtemplate.NewStrategy(scheme, opts)
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &corev1.PodTemplate{} },
		NewListFunc:               func() runtime.Object { return &corev1.PodTemplateList{} },
		DefaultQualifiedResource:  corev1.Resource("podtemplates"),
		SingularQualifiedResource: corev1.Resource("podtemplate"),

		CreateStrategy:      strategy,
		UpdateStrategy:      strategy,
		DeleteStrategy:      strategy,
		ReturnDeletedObject: true,

		TableConvertor: printers.NewPodTemplateTableConvertor(),
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter}); err != nil {
		return nil, err
	}
	return &REST{&guard.Store{Store: store, Kind: corev1.SchemeGroupVersion.WithKind("PodTemplate").GroupKind()}}, nil
}
