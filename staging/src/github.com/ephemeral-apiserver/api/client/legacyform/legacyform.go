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
// Package legacyform sets up clients of ephemeral-apiserver's
// pods/ephemeralcontainers in its Kubernetes 1.16 form.
//
// The server takes a write's form from its body, but a GET has none: unless
// it is told otherwise it answers the Pod, as Kubernetes 1.22 and later do.
// Clients of the 1.16 form ask for it with a parameter of the Accept header.
package legacyform

import (
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/api/client/clientset/versioned"
)

// Accept is the Accept header that asks for the 1.16 form.
const Accept = "application/json;as=EphemeralContainers;v=v1;g="

// Config returns a copy of config whose requests ask for the 1.16 form.
func Config(config *rest.Config) *rest.Config {
	config = rest.CopyConfig(config)
	config.AcceptContentTypes = Accept
	config.ContentType = "application/json"
	return config
}

// NewForConfig returns the typed client of the 1.16 form, reading it too.
func NewForConfig(config *rest.Config) (*versioned.Clientset, error) {
	return versioned.NewForConfig(Config(config))
}
