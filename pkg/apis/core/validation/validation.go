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

package validation

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodValidationOptions carries server policy that changes validation.
type PodValidationOptions struct {
	AllowPrivileged bool // --allow-privileged; false by default like upstream
}

// specContext is what the spec walkers need besides the options: whether
// the spec belongs to a Pod (stricter) or to a template.
type specContext struct {
	opts          PodValidationOptions
	resourceIsPod bool
}

// mirrorPodAnnotationKey marks pods the kubelet mirrors from static manifests.
const mirrorPodAnnotationKey = "kubernetes.io/config.mirror"

// updatablePodSpecFields is quoted verbatim in the pod update error, so
// clients see the same text as from upstream.
var updatablePodSpecFields = []string{
	"`spec.containers[*].image`",
	"`spec.initContainers[*].image`",
	"`spec.activeDeadlineSeconds`",
	"`spec.tolerations` (only additions to existing tolerations)",
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
}

// ValidatePodCreate validates a new pod. Ephemeral containers may only be
// added later through the ephemeralcontainers subresource.
func ValidatePodCreate(pod *v1.Pod, opts PodValidationOptions) field.ErrorList {
	allErrs := validatePodMetadataAndSpec(pod, opts)
	specPath := field.NewPath("spec")
	if len(pod.Spec.EphemeralContainers) > 0 {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("ephemeralContainers"), "cannot be set on create"))
	}
	if pod.Spec.NodeName != "" && len(pod.Spec.SchedulingGates) != 0 {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
	}
	return allErrs
}

// ValidatePodUpdate validates an update of the main pods resource. Apart from
// metadata, only a handful of spec fields are mutable; everything else,
// ephemeral containers included, is reported as one Forbidden on "spec".
func ValidatePodUpdate(newPod, oldPod *v1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)
	allErrs = append(allErrs, validatePodMetadataAndSpec(newPod, opts)...)
	specPath := field.NewPath("spec")

	errs, stop := validateContainerImageUpdates(newPod.Spec.Containers, oldPod.Spec.Containers, specPath.Child("containers"))
	allErrs = append(allErrs, errs...)
	if stop {
		return allErrs
	}
	errs, stop = validateContainerImageUpdates(newPod.Spec.InitContainers, oldPod.Spec.InitContainers, specPath.Child("initContainers"))
	allErrs = append(allErrs, errs...)
	if stop {
		return allErrs
	}

	// activeDeadlineSeconds may be set from nil, or lowered; never raised or
	// removed.
	adsPath := specPath.Child("activeDeadlineSeconds")
	if newPod.Spec.ActiveDeadlineSeconds != nil {
		newADS := *newPod.Spec.ActiveDeadlineSeconds
		if newADS < 0 || newADS > math.MaxInt32 {
			return append(allErrs, field.Invalid(adsPath, newADS, validation.InclusiveRangeError(0, math.MaxInt32)))
		}
		if oldPod.Spec.ActiveDeadlineSeconds != nil && *oldPod.Spec.ActiveDeadlineSeconds < newADS {
			return append(allErrs, field.Invalid(adsPath, newADS, "must be less than or equal to previous value"))
		}
	} else if oldPod.Spec.ActiveDeadlineSeconds != nil {
		allErrs = append(allErrs, field.Invalid(adsPath, newPod.Spec.ActiveDeadlineSeconds, "must not update from a positive integer to nil value"))
	}

	allErrs = append(allErrs, validateOnlyAddedTolerations(newPod.Spec.Tolerations, oldPod.Spec.Tolerations, specPath.Child("tolerations"))...)
	allErrs = append(allErrs, validateOnlyDeletedSchedulingGates(newPod.Spec.SchedulingGates, oldPod.Spec.SchedulingGates, specPath.Child("schedulingGates"))...)

	if apiequality.Semantic.DeepEqual(newPod.Spec, oldPod.Spec) {
		return allErrs
	}

	// Put the old values back into the fields that may change; whatever
	// still differs afterwards is an illegal change.
	munged := *newPod.Spec.DeepCopy()
	for i := range munged.Containers {
		munged.Containers[i].Image = oldPod.Spec.Containers[i].Image
	}
	for i := range munged.InitContainers {
		munged.InitContainers[i].Image = oldPod.Spec.InitContainers[i].Image
	}
	munged.ActiveDeadlineSeconds = nil
	if oldPod.Spec.ActiveDeadlineSeconds != nil {
		ads := *oldPod.Spec.ActiveDeadlineSeconds
		munged.ActiveDeadlineSeconds = &ads
	}
	munged.SchedulingGates = oldPod.Spec.SchedulingGates
	munged.Tolerations = oldPod.Spec.Tolerations
	if oldPod.Spec.TerminationGracePeriodSeconds != nil && *oldPod.Spec.TerminationGracePeriodSeconds < 0 &&
		munged.TerminationGracePeriodSeconds != nil && *munged.TerminationGracePeriodSeconds == 1 {
		munged.TerminationGracePeriodSeconds = oldPod.Spec.TerminationGracePeriodSeconds
	}
	if len(oldPod.Spec.SchedulingGates) > 0 {
		// Gated pods may gain node selector entries (scheduling directives
		// are still open); other selector changes stay forbidden below.
		if onlyAddedNodeSelector(munged.NodeSelector, oldPod.Spec.NodeSelector) {
			munged.NodeSelector = oldPod.Spec.NodeSelector
		}
	}

	if !apiequality.Semantic.DeepEqual(munged, oldPod.Spec) {
		specDiff := objectDiff(oldPod.Spec, munged)
		allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("pod updates may not change fields other than %s\n%v", strings.Join(updatablePodSpecFields, ","), specDiff)))
	}
	return allErrs
}

func onlyAddedNodeSelector(newSel, oldSel map[string]string) bool {
	for k, v := range oldSel {
		if nv, ok := newSel[k]; !ok || nv != v {
			return false
		}
	}
	return true
}

// validateContainerImageUpdates checks the container list of an update: its
// length may not change, and new images must be usable. stop reports that
// later comparisons would index out of range.
func validateContainerImageUpdates(newContainers, oldContainers []v1.Container, fldPath *field.Path) (field.ErrorList, bool) {
	allErrs := field.ErrorList{}
	if len(newContainers) != len(oldContainers) {
		return append(allErrs, field.Forbidden(fldPath, "pod updates may not add or remove containers")), true
	}
	for i, c := range newContainers {
		if len(c.Image) == 0 {
			allErrs = append(allErrs, field.Required(fldPath.Index(i).Child("image"), ""))
		}
		if len(strings.TrimSpace(c.Image)) != len(c.Image) {
			allErrs = append(allErrs, field.Invalid(fldPath.Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
	}
	return allErrs, false
}

func validateOnlyAddedTolerations(newTols, oldTols []v1.Toleration, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for _, old := range oldTols {
		found := false
		for _, nt := range newTols {
			// tolerationSeconds may change, nothing else
			o := *old.DeepCopy()
			o.TolerationSeconds = nt.TolerationSeconds
			if apiequality.Semantic.DeepEqual(o, nt) {
				found = true
				break
			}
		}
		if !found {
			return append(allErrs, field.Forbidden(fldPath, "existing toleration can not be modified except its tolerationSeconds"))
		}
	}
	return append(allErrs, validateTolerations(newTols, fldPath)...)
}

func validateOnlyDeletedSchedulingGates(newGates, oldGates []v1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	old := sets.New[string]()
	for _, g := range oldGates {
		old.Insert(g.Name)
	}
	for i, g := range newGates {
		if !old.Has(g.Name) {
			allErrs = append(allErrs, field.Forbidden(fldPath.Index(i).Child("name"), fmt.Sprintf("only deletion is allowed, but found new scheduling gate '%s'", g.Name)))
		}
	}
	return allErrs
}

// ValidatePodStatusUpdate validates a write to pods/status. Status entries
// are deliberately not matched against spec container names (upstream
// tolerates that, and the kubelet never sends it).
func ValidatePodStatusUpdate(newPod, oldPod *v1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)

	statusPath := field.NewPath("status")
	allErrs = append(allErrs, validatePodConditions(newPod.Status.Conditions, statusPath.Child("conditions"))...)
	if newPod.Spec.NodeName != oldPod.Spec.NodeName {
		allErrs = append(allErrs, field.Forbidden(statusPath.Child("nodeName"), "may not be changed directly"))
	}
	if newPod.Status.NominatedNodeName != oldPod.Status.NominatedNodeName && len(newPod.Status.NominatedNodeName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(newPod.Status.NominatedNodeName, false) {
			allErrs = append(allErrs, field.Invalid(statusPath.Child("nominatedNodeName"), newPod.Status.NominatedNodeName, msg))
		}
	}
	allErrs = append(allErrs, apimachineryvalidation.ValidateImmutableField(newPod.Status.QOSClass, oldPod.Status.QOSClass, statusPath.Child("qosClass"))...)

	allErrs = append(allErrs, validateContainerStateTransition(newPod.Status.ContainerStatuses, oldPod.Status.ContainerStatuses, statusPath.Child("containerStatuses"), oldPod.Spec.RestartPolicy, nil)...)
	allErrs = append(allErrs, validateContainerStateTransition(newPod.Status.InitContainerStatuses, oldPod.Status.InitContainerStatuses, statusPath.Child("initContainerStatuses"), oldPod.Spec.RestartPolicy, restartableInitContainers(&oldPod.Spec))...)
	// The kubelet never restarts an ephemeral container: implicit Never.
	allErrs = append(allErrs, validateContainerStateTransition(newPod.Status.EphemeralContainerStatuses, oldPod.Status.EphemeralContainerStatuses, statusPath.Child("ephemeralContainerStatuses"), v1.RestartPolicyNever, nil)...)

	allErrs = append(allErrs, validatePodIPs(newPod)...)
	allErrs = append(allErrs, validateHostIPs(newPod)...)

	allErrs = append(allErrs, validateContainerStatusUsers(newPod.Status.ContainerStatuses, statusPath.Child("containerStatuses"))...)
	allErrs = append(allErrs, validateContainerStatusUsers(newPod.Status.InitContainerStatuses, statusPath.Child("initContainerStatuses"))...)
	allErrs = append(allErrs, validateContainerStatusUsers(newPod.Status.EphemeralContainerStatuses, statusPath.Child("ephemeralContainerStatuses"))...)
	// ephemeral containers get no resources, so none can be reported
	for i, s := range newPod.Status.EphemeralContainerStatuses {
		if len(s.AllocatedResourcesStatus) > 0 {
			allErrs = append(allErrs, field.Forbidden(statusPath.Child("ephemeralContainerStatuses").Index(i).Child("allocatedResourcesStatus"), "cannot be set for a container status"))
		}
	}
	return allErrs
}

func restartableInitContainers(spec *v1.PodSpec) sets.Set[string] {
	names := sets.New[string]()
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == v1.ContainerRestartPolicyAlways {
			names.Insert(c.Name)
		}
	}
	return names
}

// validateContainerStateTransition forbids bringing a terminated container
// back unless the restart policy would restart it. Like upstream, the path
// index is the position in the old status list.
func validateContainerStateTransition(newStatuses, oldStatuses []v1.ContainerStatus, fldPath *field.Path, restartPolicy v1.RestartPolicy, restartable sets.Set[string]) field.ErrorList {
	allErrs := field.ErrorList{}
	if restartPolicy == v1.RestartPolicyAlways {
		return allErrs
	}
	for i, old := range oldStatuses {
		if old.State.Terminated == nil {
			continue
		}
		if old.State.Terminated.ExitCode != 0 && restartPolicy == v1.RestartPolicyOnFailure {
			continue
		}
		if restartable.Has(old.Name) {
			continue
		}
		for _, s := range newStatuses {
			if s.Name == old.Name && s.State.Terminated == nil {
				allErrs = append(allErrs, field.Forbidden(fldPath.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
		}
	}
	return allErrs
}

func validateContainerStatusUsers(statuses []v1.ContainerStatus, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for i, s := range statuses {
		if s.User == nil || s.User.Linux == nil {
			continue
		}
		p := fldPath.Index(i).Child("user", "linux")
		u := s.User.Linux
		for _, msg := range validation.IsValidUserID(u.UID) {
			allErrs = append(allErrs, field.Invalid(p.Child("uid"), u.UID, msg))
		}
		for _, msg := range validation.IsValidGroupID(u.GID) {
			allErrs = append(allErrs, field.Invalid(p.Child("gid"), u.GID, msg))
		}
		for j, g := range u.SupplementalGroups {
			for _, msg := range validation.IsValidGroupID(g) {
				allErrs = append(allErrs, field.Invalid(p.Child("supplementalGroups").Index(j), g, msg))
			}
		}
	}
	return allErrs
}

func validatePodConditions(conditions []v1.PodCondition, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	system := sets.New(v1.PodScheduled, v1.PodReady, v1.PodInitialized)
	for i, c := range conditions {
		if system.Has(c.Type) {
			continue
		}
		// upstream spells this path element with a capital T
		allErrs = append(allErrs, validateQualifiedName(string(c.Type), fldPath.Index(i).Child("Type"))...)
	}
	return allErrs
}

func validatePodIPs(pod *v1.Pod) field.ErrorList {
	allErrs := field.ErrorList{}
	p := field.NewPath("status", "podIPs")
	seen := sets.New[string]()
	for i, ip := range pod.Status.PodIPs {
		allErrs = append(allErrs, validation.IsValidIP(p.Index(i), ip.IP)...)
		if seen.Has(ip.IP) {
			allErrs = append(allErrs, field.Duplicate(p.Index(i), ip))
		}
		seen.Insert(ip.IP)
	}
	return allErrs
}

func validateHostIPs(pod *v1.Pod) field.ErrorList {
	allErrs := field.ErrorList{}
	if len(pod.Status.HostIPs) == 0 {
		return allErrs
	}
	p := field.NewPath("status", "hostIPs")
	if pod.Status.HostIP != pod.Status.HostIPs[0].IP {
		allErrs = append(allErrs, field.Invalid(p.Index(0).Child("ip"), pod.Status.HostIPs[0].IP, "must be equal to `hostIP`"))
	}
	seen := sets.New[string]()
	for i, ip := range pod.Status.HostIPs {
		allErrs = append(allErrs, validation.IsValidIP(p.Index(i), ip.IP)...)
		if seen.Has(ip.IP) {
			allErrs = append(allErrs, field.Duplicate(p.Index(i), ip))
		}
		seen.Insert(ip.IP)
	}
	return allErrs
}

// ValidatePodTemplateSpec validates a pod template embedded in another
// object. Templates can never carry ephemeral containers.
func ValidatePodTemplateSpec(spec *v1.PodTemplateSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	allErrs := field.ErrorList{}
	allErrs = append(allErrs, validateLabels(spec.Labels, fldPath.Child("labels"))...)
	allErrs = append(allErrs, apimachineryvalidation.ValidateAnnotations(spec.Annotations, fldPath.Child("annotations"))...)
	allErrs = append(allErrs, validatePodSpec(&spec.Spec, fldPath.Child("spec"), specContext{opts: opts})...)
	if len(spec.Spec.EphemeralContainers) > 0 {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return allErrs
}

// validatePodMetadataAndSpec is the whole-object check shared by create,
// update and the ephemeral containers update.
func validatePodMetadataAndSpec(pod *v1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	specPath := field.NewPath("spec")
	allErrs := apimachineryvalidation.ValidateObjectMeta(&pod.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, metaPath)
	allErrs = append(allErrs, validatePodSpec(&pod.Spec, specPath, specContext{opts: opts, resourceIsPod: true})...)

	// A token can only be projected for a known service account.
	if pod.Spec.ServiceAccountName == "" {
		for vi, vol := range pod.Spec.Volumes {
			if vol.Projected == nil {
				continue
			}
			for si, src := range vol.Projected.Sources {
				if src.ServiceAccountToken != nil {
					allErrs = append(allErrs, field.Forbidden(specPath.Child("volumes").Index(vi).Child("projected", "sources").Index(si).Child("serviceAccountToken"), "must not be specified when serviceAccountName is not set"))
				}
			}
		}
	}

	// Pods (unlike templates) may not carry padded images; ephemeral
	// containers get the same check in validateEphemeralContainers.
	for i := range pod.Spec.Containers {
		allErrs = append(allErrs, validateImageWhitespace(pod.Spec.Containers[i].Image, specPath.Child("containers").Index(i))...)
	}
	for i := range pod.Spec.InitContainers {
		allErrs = append(allErrs, validateImageWhitespace(pod.Spec.InitContainers[i].Image, specPath.Child("initContainers").Index(i))...)
	}
	return allErrs
}

func validateImageWhitespace(image string, ctrPath *field.Path) field.ErrorList {
	if len(image) != len(strings.TrimSpace(image)) {
		return field.ErrorList{field.Invalid(ctrPath.Child("image"), image, "must not have leading or trailing whitespace")}
	}
	return nil
}

// validatePodSpec checks a PodSpec in upstream's order so that multi-error
// responses list causes the same way.
func validatePodSpec(spec *v1.PodSpec, fldPath *field.Path, ctx specContext) field.ErrorList {
	allErrs := field.ErrorList{}
	if spec.TerminationGracePeriodSeconds == nil {
		allErrs = append(allErrs, field.Required(fldPath.Child("terminationGracePeriodSeconds"), ""))
	}
	gracePeriod := spec.TerminationGracePeriodSeconds

	vols, vErrs := validateVolumes(spec.Volumes, fldPath.Child("volumes"))
	allErrs = append(allErrs, vErrs...)
	claimNames := sets.New[string]()
	for _, c := range spec.ResourceClaims {
		if c.Name != "" {
			claimNames.Insert(c.Name)
		}
	}
	allErrs = append(allErrs, validateContainers(spec.Containers, vols, claimNames, gracePeriod, fldPath.Child("containers"), ctx, spec.RestartPolicy)...)
	allErrs = append(allErrs, validateInitContainers(spec.InitContainers, spec.Containers, vols, claimNames, gracePeriod, fldPath.Child("initContainers"), ctx, spec.RestartPolicy)...)
	allErrs = append(allErrs, validateEphemeralContainers(spec.EphemeralContainers, spec.Containers, spec.InitContainers, vols, claimNames, fldPath.Child("ephemeralContainers"), ctx, spec.RestartPolicy)...)

	allErrs = append(allErrs, validateHostNetworkPorts(spec, fldPath, ctx)...)
	allErrs = append(allErrs, validateRestartPolicy(spec.RestartPolicy, fldPath.Child("restartPolicy"))...)
	allErrs = append(allErrs, validateDNSPolicy(spec.DNSPolicy, fldPath.Child("dnsPolicy"))...)
	allErrs = append(allErrs, validateLabels(spec.NodeSelector, fldPath.Child("nodeSelector"))...)
	allErrs = append(allErrs, validatePodSecurityContext(spec.SecurityContext, fldPath.Child("securityContext"))...)
	allErrs = append(allErrs, validateImagePullSecrets(spec.ImagePullSecrets, fldPath.Child("imagePullSecrets"))...)
	allErrs = append(allErrs, validateSchedulingGates(spec.SchedulingGates, fldPath.Child("schedulingGates"))...)

	if len(spec.ServiceAccountName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.ServiceAccountName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("serviceAccountName"), spec.ServiceAccountName, msg))
		}
	}
	if len(spec.NodeName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.NodeName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("nodeName"), spec.NodeName, msg))
		}
	}
	if spec.ActiveDeadlineSeconds != nil {
		if v := *spec.ActiveDeadlineSeconds; v < 1 || v > math.MaxInt32 {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("activeDeadlineSeconds"), v, validation.InclusiveRangeError(1, math.MaxInt32)))
		}
	}
	if len(spec.Hostname) > 0 {
		allErrs = append(allErrs, validateDNS1123Label(spec.Hostname, fldPath.Child("hostname"))...)
	}
	if len(spec.Subdomain) > 0 {
		allErrs = append(allErrs, validateDNS1123Label(spec.Subdomain, fldPath.Child("subdomain"))...)
	}
	if len(spec.Tolerations) > 0 {
		allErrs = append(allErrs, validateTolerations(spec.Tolerations, fldPath.Child("tolerations"))...)
	}
	for i, ha := range spec.HostAliases {
		allErrs = append(allErrs, validation.IsValidIP(fldPath.Child("hostAliases").Index(i).Child("ip"), ha.IP)...)
		for j, h := range ha.Hostnames {
			allErrs = append(allErrs, validateDNS1123Subdomain(h, fldPath.Child("hostAliases").Index(i).Child("hostnames").Index(j))...)
		}
	}
	if len(spec.PriorityClassName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(spec.PriorityClassName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("priorityClassName"), spec.PriorityClassName, msg))
		}
	}
	if spec.PreemptionPolicy != nil {
		allErrs = append(allErrs, validateRequiredEnum(*spec.PreemptionPolicy,
			[]v1.PreemptionPolicy{v1.PreemptLowerPriority, v1.PreemptNever}, fldPath.Child("preemptionPolicy"))...)
	}
	return allErrs
}

// validateContainers validates regular containers: common rules, unique
// names among themselves, probe and lifecycle contents.
func validateContainers(containers []v1.Container, vols map[string]v1.VolumeSource, claimNames sets.Set[string], gracePeriod *int64, fldPath *field.Path, ctx specContext, podRestart v1.RestartPolicy) field.ErrorList {
	allErrs := field.ErrorList{}
	if len(containers) == 0 {
		return append(allErrs, field.Required(fldPath, ""))
	}
	names := sets.New[string]()
	for i := range containers {
		c := &containers[i]
		p := fldPath.Index(i)
		allErrs = append(allErrs, validateContainerCommon(c, vols, claimNames, p, ctx, podRestart)...)
		if names.Has(c.Name) {
			allErrs = append(allErrs, field.Duplicate(p.Child("name"), c.Name))
		} else {
			names.Insert(c.Name)
		}
		if c.Lifecycle != nil {
			allErrs = append(allErrs, validateLifecycle(c.Lifecycle, gracePeriod, p.Child("lifecycle"))...)
		}
		allErrs = append(allErrs, validateProbe(c.LivenessProbe, gracePeriod, p.Child("livenessProbe"), probeLiveness)...)
		allErrs = append(allErrs, validateProbe(c.ReadinessProbe, gracePeriod, p.Child("readinessProbe"), probeReadiness)...)
		allErrs = append(allErrs, validateProbe(c.StartupProbe, gracePeriod, p.Child("startupProbe"), probeStartup)...)
		if c.RestartPolicy != nil {
			allErrs = append(allErrs, field.Forbidden(p.Child("restartPolicy"), "may not be set for non-init containers"))
		}
	}
	allErrs = append(allErrs, checkHostPortConflicts(containers, fldPath)...)
	return allErrs
}

func validateInitContainers(containers, regular []v1.Container, vols map[string]v1.VolumeSource, claimNames sets.Set[string], gracePeriod *int64, fldPath *field.Path, ctx specContext, podRestart v1.RestartPolicy) field.ErrorList {
	allErrs := field.ErrorList{}
	names := sets.New[string]()
	for _, c := range regular {
		names.Insert(c.Name)
	}
	for i := range containers {
		c := &containers[i]
		p := fldPath.Index(i)
		allErrs = append(allErrs, validateContainerCommon(c, vols, claimNames, p, ctx, podRestart)...)
		sidecar := false
		if c.RestartPolicy != nil {
			if *c.RestartPolicy == v1.ContainerRestartPolicyAlways {
				sidecar = true
			} else {
				allErrs = append(allErrs, field.NotSupported(p.Child("restartPolicy"), *c.RestartPolicy, []v1.ContainerRestartPolicy{v1.ContainerRestartPolicyAlways}))
			}
		}
		if names.Has(c.Name) {
			allErrs = append(allErrs, field.Duplicate(p.Child("name"), c.Name))
		} else if len(c.Name) > 0 {
			names.Insert(c.Name)
		}
		// init containers run one at a time, so ports only clash within one
		allErrs = append(allErrs, checkHostPortConflicts([]v1.Container{*c}, fldPath)...)
		if sidecar {
			if c.Lifecycle != nil {
				allErrs = append(allErrs, validateLifecycle(c.Lifecycle, gracePeriod, p.Child("lifecycle"))...)
			}
			allErrs = append(allErrs, validateProbe(c.LivenessProbe, gracePeriod, p.Child("livenessProbe"), probeLiveness)...)
			allErrs = append(allErrs, validateProbe(c.ReadinessProbe, gracePeriod, p.Child("readinessProbe"), probeReadiness)...)
			allErrs = append(allErrs, validateProbe(c.StartupProbe, gracePeriod, p.Child("startupProbe"), probeStartup)...)
			continue
		}
		const msg = "may not be set for init containers without restartPolicy=Always"
		if c.Lifecycle != nil {
			allErrs = append(allErrs, field.Forbidden(p.Child("lifecycle"), msg))
		}
		if c.LivenessProbe != nil {
			allErrs = append(allErrs, field.Forbidden(p.Child("livenessProbe"), msg))
		}
		if c.ReadinessProbe != nil {
			allErrs = append(allErrs, field.Forbidden(p.Child("readinessProbe"), msg))
		}
		if c.StartupProbe != nil {
			allErrs = append(allErrs, field.Forbidden(p.Child("startupProbe"), msg))
		}
	}
	return allErrs
}

// validateContainerCommon holds the rules every container kind shares
// (probes and lifecycle are left to the callers, which differ).
func validateContainerCommon(c *v1.Container, vols map[string]v1.VolumeSource, claimNames sets.Set[string], p *field.Path, ctx specContext, podRestart v1.RestartPolicy) field.ErrorList {
	allErrs := field.ErrorList{}
	if len(c.Name) == 0 {
		allErrs = append(allErrs, field.Required(p.Child("name"), ""))
	} else {
		allErrs = append(allErrs, validateDNS1123Label(c.Name, p.Child("name"))...)
	}
	if len(c.Image) == 0 {
		allErrs = append(allErrs, field.Required(p.Child("image"), ""))
	}
	allErrs = append(allErrs, validateRequiredEnum(c.TerminationMessagePolicy,
		[]v1.TerminationMessagePolicy{v1.TerminationMessageReadFile, v1.TerminationMessageFallbackToLogsOnError}, p.Child("terminationMessagePolicy"))...)
	devices := map[string]string{}
	for _, d := range c.VolumeDevices {
		devices[d.Name] = d.DevicePath
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	allErrs = append(allErrs, validateContainerPorts(c.Ports, p.Child("ports"))...)
	allErrs = append(allErrs, validateEnv(c.Env, p.Child("env"))...)
	allErrs = append(allErrs, validateEnvFrom(c.EnvFrom, p.Child("envFrom"))...)
	allErrs = append(allErrs, validateVolumeMounts(c.VolumeMounts, devices, vols, c, p.Child("volumeMounts"))...)
	allErrs = append(allErrs, validateVolumeDevices(c.VolumeDevices, mounts, vols, p.Child("volumeDevices"))...)
	allErrs = append(allErrs, validatePullPolicy(c.ImagePullPolicy, p.Child("imagePullPolicy"))...)
	allErrs = append(allErrs, validateResourceRequirements(&c.Resources, claimNames, p.Child("resources"))...)
	allErrs = append(allErrs, validateResizePolicy(c.ResizePolicy, p.Child("resizePolicy"), podRestart)...)
	allErrs = append(allErrs, validateSecurityContext(c.SecurityContext, p.Child("securityContext"), ctx)...)
	return allErrs
}

// validateRequiredEnum refuses an empty value as Required and one outside
// supported (listed in the message in that order) as NotSupported.
func validateRequiredEnum[T ~string](value T, supported []T, fldPath *field.Path) field.ErrorList {
	switch {
	case value == "":
		return field.ErrorList{field.Required(fldPath, "")}
	case slices.Contains(supported, value):
		return nil
	default:
		return field.ErrorList{field.NotSupported(fldPath, value, supported)}
	}
}

func validatePullPolicy(policy v1.PullPolicy, fldPath *field.Path) field.ErrorList {
	return validateRequiredEnum(policy, []v1.PullPolicy{v1.PullAlways, v1.PullIfNotPresent, v1.PullNever}, fldPath)
}

func validateRestartPolicy(policy v1.RestartPolicy, fldPath *field.Path) field.ErrorList {
	return validateRequiredEnum(policy, []v1.RestartPolicy{v1.RestartPolicyAlways, v1.RestartPolicyOnFailure, v1.RestartPolicyNever}, fldPath)
}

func validateDNSPolicy(policy v1.DNSPolicy, fldPath *field.Path) field.ErrorList {
	return validateRequiredEnum(policy, []v1.DNSPolicy{v1.DNSClusterFirstWithHostNet, v1.DNSClusterFirst, v1.DNSDefault, v1.DNSNone}, fldPath)
}

var supportedPortProtocols = []string{string(v1.ProtocolSCTP), string(v1.ProtocolTCP), string(v1.ProtocolUDP)}

func validateContainerPorts(ports []v1.ContainerPort, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	names := sets.New[string]()
	for i, port := range ports {
		p := fldPath.Index(i)
		if len(port.Name) > 0 {
			if msgs := validation.IsValidPortName(port.Name); len(msgs) != 0 {
				for _, msg := range msgs {
					allErrs = append(allErrs, field.Invalid(p.Child("name"), port.Name, msg))
				}
			} else if names.Has(port.Name) {
				allErrs = append(allErrs, field.Duplicate(p.Child("name"), port.Name))
			} else {
				names.Insert(port.Name)
			}
		}
		if port.ContainerPort == 0 {
			allErrs = append(allErrs, field.Required(p.Child("containerPort"), ""))
		} else {
			for _, msg := range validation.IsValidPortNum(int(port.ContainerPort)) {
				allErrs = append(allErrs, field.Invalid(p.Child("containerPort"), port.ContainerPort, msg))
			}
		}
		if port.HostPort != 0 {
			for _, msg := range validation.IsValidPortNum(int(port.HostPort)) {
				allErrs = append(allErrs, field.Invalid(p.Child("hostPort"), port.HostPort, msg))
			}
		}
		if len(port.Protocol) == 0 {
			allErrs = append(allErrs, field.Required(p.Child("protocol"), ""))
		} else if !sets.New(supportedPortProtocols...).Has(string(port.Protocol)) {
			allErrs = append(allErrs, field.NotSupported(p.Child("protocol"), port.Protocol, supportedPortProtocols))
		}
	}
	return allErrs
}

// checkHostPortConflicts reports a host port used twice across containers.
func checkHostPortConflicts(containers []v1.Container, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	seen := sets.New[string]()
	for ci, c := range containers {
		for pi, port := range c.Ports {
			if port.HostPort == 0 {
				continue
			}
			key := fmt.Sprintf("%s/%s/%d", port.Protocol, port.HostIP, port.HostPort)
			if seen.Has(key) {
				allErrs = append(allErrs, field.Duplicate(fldPath.Index(ci).Child("ports").Index(pi).Child("hostPort"), key))
			} else {
				seen.Insert(key)
			}
		}
	}
	return allErrs
}

// validateHostNetworkPorts: with host networking a pod's hostPort must
// equal its containerPort (templates may leave it 0 to be defaulted).
func validateHostNetworkPorts(spec *v1.PodSpec, fldPath *field.Path, ctx specContext) field.ErrorList {
	allErrs := field.ErrorList{}
	if !spec.HostNetwork {
		return allErrs
	}
	for i, c := range spec.Containers {
		for j, port := range c.Ports {
			if (ctx.resourceIsPod || port.HostPort != 0) && port.HostPort != port.ContainerPort {
				allErrs = append(allErrs, field.Invalid(fldPath.Child("containers").Index(i).Child("ports").Index(j).Child("hostPort"), port.HostPort, "must match `containerPort` when `hostNetwork` is true"))
			}
		}
	}
	return allErrs
}

func validateEnv(vars []v1.EnvVar, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for i, ev := range vars {
		p := fldPath.Index(i)
		if len(ev.Name) == 0 {
			allErrs = append(allErrs, field.Required(p.Child("name"), ""))
		}
		// Relaxed names are the only rule since the gate went GA.
		for _, msg := range validation.IsRelaxedEnvVarName(ev.Name) {
			allErrs = append(allErrs, field.Invalid(p.Child("name"), ev.Name, msg))
		}
		allErrs = append(allErrs, validateEnvVarValueFrom(ev, p.Child("valueFrom"))...)
	}
	return allErrs
}

var validEnvFieldPaths = sets.New(
	"metadata.name", "metadata.namespace", "metadata.uid",
	"spec.nodeName", "spec.serviceAccountName",
	"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")

var validVolumeFieldPaths = sets.New("metadata.name", "metadata.namespace", "metadata.uid")

func validateEnvVarValueFrom(ev v1.EnvVar, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if ev.ValueFrom == nil {
		return allErrs
	}
	n := 0
	if ev.ValueFrom.FieldRef != nil {
		n++
		allErrs = append(allErrs, validateObjectFieldSelector(ev.ValueFrom.FieldRef, validEnvFieldPaths, fldPath.Child("fieldRef"))...)
	}
	if ev.ValueFrom.ResourceFieldRef != nil {
		n++
		allErrs = append(allErrs, validateResourceFieldSelector(ev.ValueFrom.ResourceFieldRef, fldPath.Child("resourceFieldRef"), false)...)
	}
	if ev.ValueFrom.ConfigMapKeyRef != nil {
		n++
		allErrs = append(allErrs, validateKeySelector(ev.ValueFrom.ConfigMapKeyRef.Name, ev.ValueFrom.ConfigMapKeyRef.Key, fldPath.Child("configMapKeyRef"))...)
	}
	if ev.ValueFrom.SecretKeyRef != nil {
		n++
		allErrs = append(allErrs, validateKeySelector(ev.ValueFrom.SecretKeyRef.Name, ev.ValueFrom.SecretKeyRef.Key, fldPath.Child("secretKeyRef"))...)
	}
	if ev.ValueFrom.FileKeyRef != nil {
		n++
		fk := ev.ValueFrom.FileKeyRef
		fp := fldPath.Child("fileKeyRef")
		if fk.VolumeName == "" {
			allErrs = append(allErrs, field.Required(fp.Child("volumeName"), ""))
		}
		if fk.Path == "" {
			allErrs = append(allErrs, field.Required(fp.Child("path"), ""))
		}
		if fk.Key == "" {
			allErrs = append(allErrs, field.Required(fp.Child("key"), ""))
		}
	}
	switch {
	case n == 0:
		allErrs = append(allErrs, field.Invalid(fldPath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
	case len(ev.Value) != 0:
		allErrs = append(allErrs, field.Invalid(fldPath, "", "may not be specified when `value` is not empty"))
	case n > 1:
		allErrs = append(allErrs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
	}
	return allErrs
}

func validateKeySelector(name, key string, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(name, false) {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("name"), name, msg))
	}
	if len(key) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("key"), ""))
	} else {
		for _, msg := range validation.IsConfigMapKey(key) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("key"), key, msg))
		}
	}
	return allErrs
}

func validateObjectFieldSelector(fs *v1.ObjectFieldSelector, valid sets.Set[string], fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if len(fs.APIVersion) == 0 {
		return append(allErrs, field.Required(fldPath.Child("apiVersion"), ""))
	}
	if len(fs.FieldPath) == 0 {
		return append(allErrs, field.Required(fldPath.Child("fieldPath"), ""))
	}
	if fs.APIVersion != "v1" {
		return append(allErrs, field.Invalid(fldPath.Child("fieldPath"), fs.FieldPath, fmt.Sprintf("error converting fieldPath: unsupported pod version: %s", fs.APIVersion)))
	}
	// metadata.labels['key'] and metadata.annotations['key'] pick one entry
	if i := strings.Index(fs.FieldPath, "["); i > 0 && strings.HasSuffix(fs.FieldPath, "']") && fs.FieldPath[i+1] == '\'' {
		path, sub := fs.FieldPath[:i], fs.FieldPath[i+2:len(fs.FieldPath)-2]
		switch path {
		case "metadata.annotations":
			return append(allErrs, validateQualifiedName(strings.ToLower(sub), fldPath)...)
		case "metadata.labels":
			return append(allErrs, validateQualifiedName(sub, fldPath)...)
		default:
			return append(allErrs, field.NotSupported[string](fldPath, path, nil))
		}
	}
	if fs.FieldPath == "metadata.labels" || fs.FieldPath == "metadata.annotations" {
		if valid.Has("spec.nodeName") { // env vars need a single key
			return append(allErrs, field.NotSupported(fldPath.Child("fieldPath"), fs.FieldPath, sets.List(valid)))
		}
		return allErrs
	}
	if !valid.Has(fs.FieldPath) {
		allowed := valid.Clone()
		allowed.Insert("metadata.annotations", "metadata.labels")
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("fieldPath"), fs.FieldPath, sets.List(allowed)))
	}
	return allErrs
}

var validResourceFieldRefs = sets.New("limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage")

func validateResourceFieldSelector(fs *v1.ResourceFieldSelector, fldPath *field.Path, volume bool) field.ErrorList {
	allErrs := field.ErrorList{}
	if volume && len(fs.ContainerName) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("containerName"), ""))
	}
	if len(fs.Resource) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("resource"), ""))
	} else if !validResourceFieldRefs.Has(fs.Resource) && !strings.HasPrefix(fs.Resource, "limits.hugepages-") && !strings.HasPrefix(fs.Resource, "requests.hugepages-") {
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("resource"), fs.Resource, sets.List(validResourceFieldRefs)))
	}
	if fs.Divisor.Sign() < 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("divisor"), fs.Divisor.String(), "must be greater than or equal to 0"))
	}
	return allErrs
}

func validateEnvFrom(sources []v1.EnvFromSource, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for i, src := range sources {
		p := fldPath.Index(i)
		if len(src.Prefix) > 0 {
			for _, msg := range validation.IsRelaxedEnvVarName(src.Prefix) {
				allErrs = append(allErrs, field.Invalid(p.Child("prefix"), src.Prefix, msg))
			}
		}
		n := 0
		if src.ConfigMapRef != nil {
			n++
			allErrs = append(allErrs, validateEnvSourceName(src.ConfigMapRef.Name, p.Child("configMapRef"))...)
		}
		if src.SecretRef != nil {
			n++
			allErrs = append(allErrs, validateEnvSourceName(src.SecretRef.Name, p.Child("secretRef"))...)
		}
		// upstream reports these two on the list path, not the item
		if n == 0 {
			allErrs = append(allErrs, field.Invalid(fldPath, "", "must specify one of: `configMapRef` or `secretRef`"))
		} else if n > 1 {
			allErrs = append(allErrs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
		}
	}
	return allErrs
}

func validateEnvSourceName(name string, fldPath *field.Path) field.ErrorList {
	if len(name) == 0 {
		return field.ErrorList{field.Required(fldPath.Child("name"), "")}
	}
	allErrs := field.ErrorList{}
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(name, true) {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("name"), name, msg))
	}
	return allErrs
}

func validateVolumeMounts(mounts []v1.VolumeMount, devices map[string]string, vols map[string]v1.VolumeSource, c *v1.Container, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	paths := sets.New[string]()
	devicePaths := sets.New[string]()
	for _, p := range devices {
		devicePaths.Insert(p)
	}
	for i, m := range mounts {
		p := fldPath.Index(i)
		if len(m.Name) == 0 {
			allErrs = append(allErrs, field.Required(p.Child("name"), ""))
		}
		if _, ok := vols[m.Name]; !ok {
			allErrs = append(allErrs, field.NotFound(p.Child("name"), m.Name))
		}
		if len(m.MountPath) == 0 {
			allErrs = append(allErrs, field.Required(p.Child("mountPath"), ""))
		}
		if paths.Has(m.MountPath) {
			allErrs = append(allErrs, field.Invalid(p.Child("mountPath"), m.MountPath, "must be unique"))
		}
		paths.Insert(m.MountPath)
		if _, ok := devices[m.Name]; ok {
			allErrs = append(allErrs, field.Invalid(p.Child("name"), m.Name, "must not already exist in volumeDevices"))
		}
		if devicePaths.Has(m.MountPath) {
			allErrs = append(allErrs, field.Invalid(p.Child("mountPath"), m.MountPath, "must not already exist as a path in volumeDevices"))
		}
		// upstream anchors these two at the list path (no index)
		if len(m.SubPath) > 0 {
			allErrs = append(allErrs, validateLocalDescendingPath(m.SubPath, fldPath.Child("subPath"))...)
		}
		if len(m.SubPathExpr) > 0 {
			if len(m.SubPath) > 0 {
				allErrs = append(allErrs, field.Invalid(p.Child("subPathExpr"), m.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
			}
			allErrs = append(allErrs, validateLocalDescendingPath(m.SubPathExpr, fldPath.Child("subPathExpr"))...)
		}
		if m.MountPropagation != nil {
			allErrs = append(allErrs, validateMountPropagation(*m.MountPropagation, c, fldPath.Child("mountPropagation"))...)
		}
		if m.RecursiveReadOnly != nil {
			allErrs = append(allErrs, validateRecursiveReadOnly(m, fldPath.Child("recursiveReadOnly"))...)
		}
	}
	return allErrs
}

func validateMountPropagation(mode v1.MountPropagationMode, c *v1.Container, fldPath *field.Path) field.ErrorList {
	supported := []v1.MountPropagationMode{v1.MountPropagationBidirectional, v1.MountPropagationHostToContainer, v1.MountPropagationNone}
	if !sets.New(supported...).Has(mode) {
		return field.ErrorList{field.NotSupported(fldPath, mode, supported)}
	}
	if mode == v1.MountPropagationBidirectional {
		privileged := c != nil && c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
		if !privileged {
			return field.ErrorList{field.Forbidden(fldPath, "Bidirectional mount propagation is available only to privileged containers")}
		}
	}
	return nil
}

func validateRecursiveReadOnly(m v1.VolumeMount, fldPath *field.Path) field.ErrorList {
	mode := *m.RecursiveReadOnly
	switch mode {
	case v1.RecursiveReadOnlyDisabled:
		return nil
	case v1.RecursiveReadOnlyEnabled, v1.RecursiveReadOnlyIfPossible:
		if !m.ReadOnly {
			return field.ErrorList{field.Forbidden(fldPath, "may only be specified when readOnly is true")}
		}
		if m.MountPropagation != nil && *m.MountPropagation != v1.MountPropagationNone {
			return field.ErrorList{field.Forbidden(fldPath, "may only be specified when mountPropagation is None or not specified")}
		}
		return nil
	default:
		return field.ErrorList{field.NotSupported(fldPath, mode, []v1.RecursiveReadOnlyMode{v1.RecursiveReadOnlyDisabled, v1.RecursiveReadOnlyIfPossible, v1.RecursiveReadOnlyEnabled})}
	}
}

func validateVolumeDevices(devices []v1.VolumeDevice, mounts map[string]string, vols map[string]v1.VolumeSource, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	names := sets.New[string]()
	paths := sets.New[string]()
	mountPaths := sets.New[string]()
	for _, p := range mounts {
		mountPaths.Insert(p)
	}
	for i, d := range devices {
		p := fldPath.Index(i)
		src, found := vols[d.Name]
		isPVC := found && (src.PersistentVolumeClaim != nil || src.Ephemeral != nil)
		if len(d.Name) == 0 {
			allErrs = append(allErrs, field.Required(p.Child("name"), ""))
		}
		if names.Has(d.Name) {
			allErrs = append(allErrs, field.Invalid(p.Child("name"), d.Name, "must be unique"))
		}
		if found && !isPVC {
			allErrs = append(allErrs, field.Invalid(p.Child("name"), d.Name, "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"))
		}
		if !found {
			allErrs = append(allErrs, field.NotFound(p.Child("name"), d.Name))
		}
		if len(d.DevicePath) == 0 {
			allErrs = append(allErrs, field.Required(p.Child("devicePath"), ""))
		}
		if paths.Has(d.DevicePath) {
			allErrs = append(allErrs, field.Invalid(p.Child("devicePath"), d.DevicePath, "must be unique"))
		}
		if len(d.DevicePath) > 0 && hasBacksteps(d.DevicePath) {
			allErrs = append(allErrs, field.Invalid(p.Child("devicePath"), d.DevicePath, "can not contain backsteps ('..')"))
		} else {
			paths.Insert(d.DevicePath)
		}
		if _, ok := mounts[d.Name]; ok {
			allErrs = append(allErrs, field.Invalid(p.Child("name"), d.Name, "must not already exist in volumeMounts"))
		}
		if mountPaths.Has(d.DevicePath) {
			allErrs = append(allErrs, field.Invalid(p.Child("devicePath"), d.DevicePath, "must not already exist as a path in volumeMounts"))
		}
		if len(d.Name) > 0 {
			names.Insert(d.Name)
		}
	}
	return allErrs
}

func validateResizePolicy(policies []v1.ContainerResizePolicy, fldPath *field.Path, podRestart v1.RestartPolicy) field.ErrorList {
	allErrs := field.ErrorList{}
	resources := []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory}
	restarts := []v1.ResourceResizeRestartPolicy{v1.NotRequired, v1.RestartContainer}
	seen := sets.New[v1.ResourceName]()
	for i, pol := range policies {
		if seen.Has(pol.ResourceName) {
			allErrs = append(allErrs, field.Duplicate(fldPath.Index(i), pol.ResourceName))
		}
		seen.Insert(pol.ResourceName)
		switch pol.ResourceName {
		case v1.ResourceCPU, v1.ResourceMemory:
		case "":
			allErrs = append(allErrs, field.Required(fldPath, ""))
		default:
			allErrs = append(allErrs, field.NotSupported(fldPath, pol.ResourceName, resources))
		}
		switch pol.RestartPolicy {
		case v1.NotRequired, v1.RestartContainer:
		case "":
			allErrs = append(allErrs, field.Required(fldPath, ""))
		default:
			allErrs = append(allErrs, field.NotSupported(fldPath, pol.RestartPolicy, restarts))
		}
		if podRestart == v1.RestartPolicyNever && pol.RestartPolicy != v1.NotRequired {
			allErrs = append(allErrs, field.Invalid(fldPath, pol.RestartPolicy, "must be 'NotRequired' when `restartPolicy` is 'Never'"))
		}
	}
	return allErrs
}

func validateSecurityContext(sc *v1.SecurityContext, fldPath *field.Path, ctx specContext) field.ErrorList {
	allErrs := field.ErrorList{}
	if sc == nil {
		return allErrs
	}
	if sc.Privileged != nil && *sc.Privileged && !ctx.opts.AllowPrivileged {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("privileged"), "disallowed by cluster policy"))
	}
	if sc.RunAsUser != nil {
		for _, msg := range validation.IsValidUserID(*sc.RunAsUser) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("runAsUser"), *sc.RunAsUser, msg))
		}
	}
	if sc.RunAsGroup != nil {
		for _, msg := range validation.IsValidGroupID(*sc.RunAsGroup) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("runAsGroup"), *sc.RunAsGroup, msg))
		}
	}
	if sc.ProcMount != nil {
		switch *sc.ProcMount {
		case v1.DefaultProcMount, v1.UnmaskedProcMount:
		default:
			allErrs = append(allErrs, field.NotSupported(fldPath.Child("procMount"), *sc.ProcMount, []v1.ProcMountType{v1.DefaultProcMount, v1.UnmaskedProcMount}))
		}
	}
	allErrs = append(allErrs, validateSeccompProfile(sc.SeccompProfile, fldPath.Child("seccompProfile"))...)
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		if sc.Privileged != nil && *sc.Privileged {
			allErrs = append(allErrs, field.Invalid(fldPath, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
		}
		if sc.Capabilities != nil {
			for _, c := range sc.Capabilities.Add {
				if string(c) == "CAP_SYS_ADMIN" {
					allErrs = append(allErrs, field.Invalid(fldPath, sc, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
				}
			}
		}
	}
	return allErrs
}

func validateSeccompProfile(sp *v1.SeccompProfile, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if sp == nil {
		return allErrs
	}
	switch sp.Type {
	case v1.SeccompProfileTypeLocalhost:
		if sp.LocalhostProfile == nil {
			allErrs = append(allErrs, field.Required(fldPath.Child("localhostProfile"), "must be set when seccomp type is Localhost"))
		}
	case v1.SeccompProfileTypeRuntimeDefault, v1.SeccompProfileTypeUnconfined:
		if sp.LocalhostProfile != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("localhostProfile"), sp, "can only be set when seccomp type is Localhost"))
		}
	case "":
		allErrs = append(allErrs, field.Required(fldPath.Child("type"), ""))
	default:
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("type"), sp.Type, []v1.SeccompProfileType{v1.SeccompProfileTypeLocalhost, v1.SeccompProfileTypeRuntimeDefault, v1.SeccompProfileTypeUnconfined}))
	}
	return allErrs
}

func validatePodSecurityContext(sc *v1.PodSecurityContext, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if sc == nil {
		return allErrs
	}
	if sc.FSGroup != nil {
		for _, msg := range validation.IsValidGroupID(*sc.FSGroup) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("fsGroup"), *sc.FSGroup, msg))
		}
	}
	if sc.RunAsUser != nil {
		for _, msg := range validation.IsValidUserID(*sc.RunAsUser) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("runAsUser"), *sc.RunAsUser, msg))
		}
	}
	if sc.RunAsGroup != nil {
		for _, msg := range validation.IsValidGroupID(*sc.RunAsGroup) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("runAsGroup"), *sc.RunAsGroup, msg))
		}
	}
	for i, g := range sc.SupplementalGroups {
		for _, msg := range validation.IsValidGroupID(g) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("supplementalGroups").Index(i), g, msg))
		}
	}
	allErrs = append(allErrs, validateSeccompProfile(sc.SeccompProfile, fldPath.Child("seccompProfile"))...)
	return allErrs
}

func validateImagePullSecrets(secrets []v1.LocalObjectReference, fldPath *field.Path) field.ErrorList {
	// LocalObjectReference has only a name, so nothing beyond the decoder's
	// own checks applies.
	return nil
}

func validateSchedulingGates(gates []v1.PodSchedulingGate, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	seen := sets.New[string]()
	for i, g := range gates {
		allErrs = append(allErrs, validateQualifiedName(g.Name, fldPath.Index(i))...)
		if seen.Has(g.Name) {
			allErrs = append(allErrs, field.Duplicate(fldPath.Index(i), g.Name))
		}
		seen.Insert(g.Name)
	}
	return allErrs
}

var supportedTaintEffects = []v1.TaintEffect{v1.TaintEffectNoSchedule, v1.TaintEffectPreferNoSchedule, v1.TaintEffectNoExecute}

func validateTolerations(tolerations []v1.Toleration, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for i, t := range tolerations {
		p := fldPath.Index(i)
		if len(t.Key) > 0 {
			allErrs = append(allErrs, metav1validation.ValidateLabelName(t.Key, p.Child("key"))...)
		}
		// an empty key with Exists matches every taint; any other operator
		// needs a key
		if len(t.Key) == 0 && t.Operator != v1.TolerationOpExists {
			allErrs = append(allErrs, field.Invalid(p.Child("operator"), t.Operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != v1.TaintEffectNoExecute {
			allErrs = append(allErrs, field.Invalid(p.Child("effect"), t.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case v1.TolerationOpEqual, "":
			if errs := validation.IsValidLabelValue(t.Value); len(errs) != 0 {
				allErrs = append(allErrs, field.Invalid(p.Child("operator"), t.Value, strings.Join(errs, ";")))
			}
		case v1.TolerationOpExists:
			if len(t.Value) > 0 {
				allErrs = append(allErrs, field.Invalid(p.Child("operator"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		default:
			allErrs = append(allErrs, field.NotSupported(p.Child("operator"), t.Operator, []v1.TolerationOperator{v1.TolerationOpEqual, v1.TolerationOpExists}))
		}
		if len(t.Effect) > 0 && !sets.New(supportedTaintEffects...).Has(t.Effect) {
			allErrs = append(allErrs, field.NotSupported(p.Child("effect"), t.Effect, supportedTaintEffects))
		}
	}
	return allErrs
}

// validateLabels checks keys and values in sorted key order so that the
// error list is deterministic.
func validateLabels(labels map[string]string, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		allErrs = append(allErrs, metav1validation.ValidateLabels(map[string]string{k: labels[k]}, fldPath)...)
	}
	return allErrs
}

func validateQualifiedName(value string, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for _, msg := range validation.IsQualifiedName(value) {
		allErrs = append(allErrs, field.Invalid(fldPath, value, msg))
	}
	return allErrs
}

func validateDNS1123Label(value string, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for _, msg := range validation.IsDNS1123Label(value) {
		allErrs = append(allErrs, field.Invalid(fldPath, value, msg).WithOrigin("format=dns-label"))
	}
	return allErrs
}

func validateDNS1123Subdomain(value string, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	for _, msg := range validation.IsDNS1123Subdomain(value) {
		allErrs = append(allErrs, field.Invalid(fldPath, value, msg).WithOrigin("format=dns-subdomain"))
	}
	return allErrs
}
