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
	"reflect"
	"unicode"
	"unicode/utf8"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// allowedEphemeralContainerFields lists the EphemeralContainerCommon fields
// a debug container may set. It is an allow-list on purpose: a field added
// to Container later is refused until someone decides it is safe here.
var allowedEphemeralContainerFields = map[string]bool{
	"Name":                     true,
	"Image":                    true,
	"Command":                  true,
	"Args":                     true,
	"WorkingDir":               true,
	"EnvFrom":                  true,
	"Env":                      true,
	"VolumeMounts":             true,
	"VolumeDevices":            true,
	"TerminationMessagePath":   true,
	"TerminationMessagePolicy": true,
	"ImagePullPolicy":          true,
	"SecurityContext":          true,
	"Stdin":                    true,
	"StdinOnce":                true,
	"TTY":                      true,
}

const ephemeralForbiddenMsg = "cannot be set for an Ephemeral Container"

// validateEphemeralContainers checks each ephemeral container: the common
// container rules (probes and lifecycle excluded, they only get the
// allow-list Forbidden), a name unique across every container kind, a
// target that is a regular or init container, and the allow-list.
func validateEphemeralContainers(ecs []v1.EphemeralContainer, containers, initContainers []v1.Container, vols map[string]v1.VolumeSource, claimNames sets.Set[string], fldPath *field.Path, ctx specContext, podRestart v1.RestartPolicy) field.ErrorList {
	var allErrs field.ErrorList
	if len(ecs) == 0 {
		return allErrs
	}
	targets, used := sets.New[string](), sets.New[string]()
	for _, c := range containers {
		targets.Insert(c.Name)
		used.Insert(c.Name)
	}
	for _, c := range initContainers {
		targets.Insert(c.Name)
		used.Insert(c.Name)
	}
	for i := range ecs {
		ec := &ecs[i]
		p := fldPath.Index(i)
		asContainer := v1.Container(ec.EphemeralContainerCommon)
		allErrs = append(allErrs, validateContainerCommon(&asContainer, vols, claimNames, p, ctx, podRestart)...)
		// debug containers only ever live in pods, so the pod-only image
		// check always applies
		allErrs = append(allErrs, validateImageWhitespace(ec.Image, p)...)

		if used.Has(ec.Name) {
			allErrs = append(allErrs, field.Duplicate(p.Child("name"), ec.Name))
		} else {
			used.Insert(ec.Name)
		}
		// Sharing a process namespace with another debug container is not
		// supported, hence targets are regular and init containers only.
		if ec.TargetContainerName != "" && !targets.Has(ec.TargetContainerName) {
			allErrs = append(allErrs, field.NotFound(p.Child("targetContainerName"), ec.TargetContainerName))
		}
		allErrs = append(allErrs, validateFieldAllowList(ec.EphemeralContainerCommon, allowedEphemeralContainerFields, ephemeralForbiddenMsg, p)...)
		// Sub-path bind mounts outlive the container until the pod exits.
		for j, m := range ec.VolumeMounts {
			if m.SubPath != "" {
				allErrs = append(allErrs, field.Forbidden(p.Child("volumeMounts").Index(j).Child("subPath"), ephemeralForbiddenMsg))
			}
			if m.SubPathExpr != "" {
				allErrs = append(allErrs, field.Forbidden(p.Child("volumeMounts").Index(j).Child("subPathExpr"), ephemeralForbiddenMsg))
			}
		}
	}
	return allErrs
}

// validateFieldAllowList reports every field of the struct value that is
// not allowed and differs from its zero value. A non-nil empty slice or map
// counts as set, exactly like upstream.
func validateFieldAllowList(value interface{}, allowed map[string]bool, msg string, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	rt, rv := reflect.TypeOf(value), reflect.ValueOf(value)
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if allowed[f.Name] {
			continue
		}
		if !reflect.DeepEqual(rv.Field(i).Interface(), reflect.Zero(f.Type).Interface()) {
			r, n := utf8.DecodeRuneInString(f.Name)
			allErrs = append(allErrs, field.Forbidden(fldPath.Child(string(unicode.ToLower(r))+f.Name[n:]), msg))
		}
	}
	return allErrs
}

// ValidatePodEphemeralContainersUpdate validates a write to
// pods/ephemeralcontainers: the whole new pod must be valid, and existing
// ephemeral containers may be neither removed nor changed (the list is an
// append-only audit trail of debugging sessions).
func ValidatePodEphemeralContainersUpdate(newPod, oldPod *v1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)
	allErrs = append(allErrs, validatePodMetadataAndSpec(newPod, opts)...)

	// The kubelet would never run them in a static pod; say so alone.
	if _, ok := oldPod.Annotations[mirrorPodAnnotationKey]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods do not support ephemeral containers")}
	}

	// Patches may reorder the list, so match old entries by name. With
	// duplicate names the last one wins, as upstream.
	byName := map[string]*v1.EphemeralContainer{}
	for i := range newPod.Spec.EphemeralContainers {
		byName[newPod.Spec.EphemeralContainers[i].Name] = &newPod.Spec.EphemeralContainers[i]
	}
	specPath := field.NewPath("spec", "ephemeralContainers")
	for _, old := range oldPod.Spec.EphemeralContainers {
		cur, ok := byName[old.Name]
		if !ok {
			allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be removed\n", old.Name)))
		} else if !apiequality.Semantic.DeepEqual(old, *cur) {
			allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be changed\n%v", old.Name, objectDiff(old, *cur))))
		}
	}
	return allErrs
}
