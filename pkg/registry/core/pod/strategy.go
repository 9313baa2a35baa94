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
package pod

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/component-base/featuregate"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	corev1defaults "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/v1"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/validation"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/features"
)

// Policy is the server configuration that changes how pods are admitted.
type Policy struct {
	// FeatureGate decides whether ephemeral containers are enabled.
	FeatureGate featuregate.FeatureGate
	// AllowPrivileged mirrors --allow-privileged.
	AllowPrivileged bool
}

func (p Policy) ephemeralContainersEnabled() bool {
	return p.FeatureGate.Enabled(features.EphemeralContainers)
}

func (p Policy) validationOptions() validation.PodValidationOptions {
	return validation.PodValidationOptions{AllowPrivileged: p.AllowPrivileged}
}

// podStrategy implements create, update and delete behaviour for pods.
type podStrategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	policy Policy
}

// NewStrategy returns the strategy of the pods resource.
func NewStrategy(typer runtime.ObjectTyper, policy Policy) podStrategy {
	return podStrategy{ObjectTyper: typer, NameGenerator: names.SimpleNameGenerator, policy: policy}
}

var (
	_ rest.RESTCreateStrategy         = podStrategy{}
	_ rest.RESTUpdateStrategy         = podStrategy{}
	_ rest.RESTDeleteStrategy         = podStrategy{}
	_ rest.RESTGracefulDeleteStrategy = podStrategy{}
	_ rest.ResetFieldsStrategy        = podStrategy{}
)

func (podStrategy) NamespaceScoped() bool { return true }

// GetResetFields keeps writes to /pods from owning status in managedFields.
func (podStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("status")),
	}
}

func (s podStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	pod := obj.(*corev1.Pod)
	pod.Generation = 1
	pod.Status = corev1.PodStatus{
		Phase:    corev1.PodPending,
		QOSClass: corev1defaults.ComputePodQOS(pod),
	}
	s.dropDisabledFields(pod, nil)
}

func (s podStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	newPod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	newPod.Status = oldPod.Status
	s.dropDisabledFields(newPod, oldPod)
	updatePodGeneration(newPod, oldPod)
}

func (s podStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidatePodCreate(obj.(*corev1.Pod), s.policy.validationOptions())
}

func (podStrategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string { return nil }

func (podStrategy) Canonicalize(obj runtime.Object) {}

func (podStrategy) AllowCreateOnUpdate(ctx context.Context) bool { return false }

func (s podStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidatePodUpdate(obj.(*corev1.Pod), old.(*corev1.Pod), s.policy.validationOptions())
}

func (podStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (podStrategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }

// CheckGracefulDelete deletes at once what no kubelet would have to stop: a
// pod never scheduled to a node, or one that has already finished.
func (podStrategy) CheckGracefulDelete(ctx context.Context, obj runtime.Object, options *metav1.DeleteOptions) bool {
	if options == nil {
		return false
	}
	pod := obj.(*corev1.Pod)
	period := int64(0)
	switch {
	case options.GracePeriodSeconds != nil:
		period = *options.GracePeriodSeconds
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		period = *pod.Spec.TerminationGracePeriodSeconds
	}
	if pod.Spec.NodeName == "" || pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded {
		period = 0
	}
	// A negative period means "the default" to older clients; treat as 1s.
	if period < 0 {
		period = 1
	}
	options.GracePeriodSeconds = &period
	return true
}

// dropDisabledFields clears ephemeral containers while the gate is off,
// unless the stored pod already has them (turning the gate off must not
// destroy what was added while it was on).
func (s podStrategy) dropDisabledFields(newPod, oldPod *corev1.Pod) {
	if s.policy.ephemeralContainersEnabled() {
		return
	}
	if oldPod != nil && len(oldPod.Spec.EphemeralContainers) > 0 {
		return
	}
	newPod.Spec.EphemeralContainers = nil
}

// updatePodGeneration bumps metadata.generation when the spec changed.
func updatePodGeneration(newPod, oldPod *corev1.Pod) {
	if !apiequality.Semantic.DeepEqual(newPod.Spec, oldPod.Spec) {
		newPod.Generation = oldPod.Generation + 1
	}
}

// podStatusStrategy implements updates through pods/status.
type podStatusStrategy struct {
	podStrategy
}

// NewStatusStrategy returns the strategy of pods/status.
func NewStatusStrategy(s podStrategy) podStatusStrategy { return podStatusStrategy{s} }

// GetResetFields keeps pods/status writers from owning spec and the metadata
// the status subresource may not change.
func (podStatusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		"v1": fieldpath.NewSet(
			fieldpath.MakePathOrDie("spec"),
			fieldpath.MakePathOrDie("metadata", "deletionTimestamp"),
			fieldpath.MakePathOrDie("metadata", "ownerReferences"),
		),
	}
}

func (podStatusStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	newPod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	newPod.Spec = oldPod.Spec
	newPod.DeletionTimestamp = nil
	newPod.OwnerReferences = oldPod.OwnerReferences
	// Older clients may send a status without the class the server computed.
	if newPod.Status.QOSClass == "" {
		newPod.Status.QOSClass = oldPod.Status.QOSClass
	}
	syncStatusIPs(&newPod.Status)
}

// syncStatusIPs keeps podIP/hostIP and their plural lists in step, as
// upstream's v1 conversion does: a singular field that is set wins (older
// kubelets send only it), and is otherwise filled from the list.
func syncStatusIPs(st *corev1.PodStatus) {
	if st.PodIP != "" && (len(st.PodIPs) == 0 || st.PodIPs[0].IP != st.PodIP) {
		st.PodIPs = []corev1.PodIP{{IP: st.PodIP}}
	}
	if len(st.PodIPs) > 0 {
		st.PodIP = st.PodIPs[0].IP
	}
	if st.HostIP != "" && (len(st.HostIPs) == 0 || st.HostIPs[0].IP != st.HostIP) {
		st.HostIPs = []corev1.HostIP{{IP: st.HostIP}}
	}
	if len(st.HostIPs) > 0 {
		st.HostIP = st.HostIPs[0].IP
	}
}

func (s podStatusStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidatePodStatusUpdate(obj.(*corev1.Pod), old.(*corev1.Pod), s.policy.validationOptions())
}

func (podStatusStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

// podEphemeralContainersStrategy implements updates through
// pods/ephemeralcontainers: only spec.ephemeralContainers may change.
type podEphemeralContainersStrategy struct {
	podStrategy
}

// NewEphemeralContainersStrategy returns the strategy of pods/ephemeralcontainers.
func NewEphemeralContainersStrategy(s podStrategy) podEphemeralContainersStrategy {
	return podEphemeralContainersStrategy{s}
}

func (s podEphemeralContainersStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	newPod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	keepOnlyEphemeralContainerChanges(newPod, oldPod)
	s.dropDisabledFields(newPod, oldPod)
	updatePodGeneration(newPod, oldPod)
}

// keepOnlyEphemeralContainerChanges takes everything but the ephemeral
// containers from the stored pod. Name, namespace, uid and resourceVersion
// stay as requested, so a mismatch or a stale version is still refused by
// the layers after this one.
func keepOnlyEphemeralContainerChanges(newPod, oldPod *corev1.Pod) {
	requested := newPod.Spec.EphemeralContainers
	newPod.Spec = oldPod.Spec
	newPod.Spec.EphemeralContainers = requested
	newPod.Status = oldPod.Status
	metav1.ResetObjectMetaForStatus(newPod, oldPod)
}

func (s podEphemeralContainersStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidatePodEphemeralContainersUpdate(obj.(*corev1.Pod), old.(*corev1.Pod), s.policy.validationOptions())
}

func (podEphemeralContainersStrategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

// GetAttrs returns the labels and selectable fields of a pod.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return nil, nil, fmt.Errorf("not a pod: %T", obj)
	}
	return labels.Set(pod.Labels), ToSelectableFields(pod), nil
}

// ToSelectableFields returns the fields a pod list or watch may select on.
func ToSelectableFields(pod *corev1.Pod) fields.Set {
	podIP := ""
	if len(pod.Status.PodIPs) > 0 {
		podIP = pod.Status.PodIPs[0].IP
	}
	set := fields.Set{
		"spec.nodeName":            pod.Spec.NodeName,
		"spec.restartPolicy":       string(pod.Spec.RestartPolicy),
		"spec.schedulerName":       pod.Spec.SchedulerName,
		"spec.serviceAccountName":  pod.Spec.ServiceAccountName,
		"spec.hostNetwork":         fmt.Sprint(pod.Spec.HostNetwork),
		"status.phase":             string(pod.Status.Phase),
		"status.podIP":             podIP,
		"status.nominatedNodeName": pod.Status.NominatedNodeName,
	}
	return generic.AddObjectMetaFieldsSet(set, &pod.ObjectMeta, true)
}

// MatchPod returns the selection predicate for pods.
func MatchPod(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
