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

package podsecurity

import (
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/pod-security-admission/api"
)

// attributes shows an admission request to the library. The server keeps
// core/v1 types as its internal version, so objects pass as they are. Both
// forms of pods/ephemeralcontainers admit whole pods (the 1.16 form's REST
// hands admission the resulting pod, not its view), so nothing is rebuilt
// or read here.
type attributes struct {
	a admission.Attributes
}

var _ api.Attributes = attributes{}

func (l attributes) GetName() string                          { return l.a.GetName() }
func (l attributes) GetNamespace() string                     { return l.a.GetNamespace() }
func (l attributes) GetResource() schema.GroupVersionResource { return l.a.GetResource() }
func (l attributes) GetKind() schema.GroupVersionKind         { return l.a.GetKind() }
func (l attributes) GetSubresource() string                   { return l.a.GetSubresource() }

// GetOperation maps the apiserver's operation onto the admission/v1 one;
// both spell CREATE and UPDATE alike.
func (l attributes) GetOperation() admissionv1.Operation {
	return admissionv1.Operation(l.a.GetOperation())
}

func (l attributes) GetUserName() string {
	if u := l.a.GetUserInfo(); u != nil {
		return u.GetName()
	}
	return ""
}

func (l attributes) GetObject() (runtime.Object, error)    { return l.a.GetObject(), nil }
func (l attributes) GetOldObject() (runtime.Object, error) { return l.a.GetOldObject(), nil }
