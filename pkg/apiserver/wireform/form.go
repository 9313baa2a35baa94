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
	"regexp"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
)

// The 1.16 form reads and writes kind EphemeralContainers of core/v1: a
// pod's identity and its list of ephemeral containers, nothing else. A PUT
// replaces the whole list; the Pod form (kind Pod, Kubernetes 1.22 and
// later) reads the whole pod and writes only its list.

// legacyKind names the 1.16 form in errors.
var legacyKind = legacyv1.SchemeGroupVersion.WithKind("EphemeralContainers").GroupKind()

// ViewOf is the 1.16 view of a pod: its identity and its ephemeral
// containers, the list never null.
func ViewOf(pod *corev1.Pod) *legacyv1.EphemeralContainers {
	list := pod.Spec.EphemeralContainers
	if list == nil {
		list = []corev1.EphemeralContainer{}
	}
	return &legacyv1.EphemeralContainers{
		ObjectMeta: metav1.ObjectMeta{
			Name:              pod.Name,
			Namespace:         pod.Namespace,
			UID:               pod.UID,
			ResourceVersion:   pod.ResourceVersion,
			CreationTimestamp: pod.CreationTimestamp,
		},
		EphemeralContainers: list,
	}
}

// answerOf is the 1.16 view a GET, PUT or patch in that form answers. It
// carries metadata.selfLink, as every server of that era set it on its
// responses; the Pod form has none, as upstream since 1.20.
func answerOf(pod *corev1.Pod) *legacyv1.EphemeralContainers {
	view := ViewOf(pod)
	view.SelfLink = "/api/v1/namespaces/" + pod.Namespace + "/pods/" + pod.Name + "/ephemeralcontainers"
	return view
}

// A write carries its form in its body. A GET carries none, so the server
// chooses, by GetForm.

// GetForm chooses the form a GET of pods/ephemeralcontainers answers in.
type GetForm string

const (
	// GetFormAuto answers the Pod unless the client asks for the 1.16 form
	// in Accept or is a kubectl older than 1.22.
	GetFormAuto GetForm = "auto"
	// GetFormPod always answers the Pod, as upstream 1.22 and later.
	GetFormPod GetForm = "pod"
	// GetFormLegacy always answers kind EphemeralContainers, as 1.16-1.21.
	GetFormLegacy GetForm = "legacy"
)

// LegacyFormAcceptParameter is the Accept parameter that asks a GET for the
// 1.16 form: "application/json;as=EphemeralContainers;v=v1;g=".
const LegacyFormAcceptParameter = "as=EphemeralContainers"

// oldKubectl matches the User-Agent of kubectl 1.16 to 1.21, which GETs the
// subresource expecting kind EphemeralContainers and would otherwise decode
// a Pod into an empty object and PUT it back, nameless and without the
// existing entries (refused with 400; test/e2e/legacy_kubectl_test.go).
// client-go names the agent after the binary's file, so a kubectl kept as
// kubectl-1.20 or kubectl1.21 says so; the version and the
// "(os/arch) kubernetes/commit" tail are what identify it.
var oldKubectl = regexp.MustCompile(`^kubectl[-._0-9A-Za-z]*/v1\.(1[6-9]|2[01])\.\S* \([^)]*\) kubernetes/`)

// String makes GetForm a pflag.Value (--ephemeral-containers-get-form).
func (f *GetForm) String() string { return string(*f) }

// Set makes GetForm a pflag.Value.
func (f *GetForm) Set(value string) error {
	switch GetForm(value) {
	case GetFormAuto, GetFormPod, GetFormLegacy:
		*f = GetForm(value)
		return nil
	}
	return fmt.Errorf("must be one of %q, %q or %q", GetFormAuto, GetFormPod, GetFormLegacy)
}

// Type makes GetForm a pflag.Value.
func (f *GetForm) Type() string { return "string" }
