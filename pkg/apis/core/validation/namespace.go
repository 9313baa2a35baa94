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
	"strings"

	v1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// standardFinalizers are the finalizer names that need no domain prefix.
var standardFinalizers = map[string]bool{
	string(v1.FinalizerKubernetes): true,
	"orphan":                       true,
	"foregroundDeletion":           true,
}

// ValidateNamespace validates a new namespace: its name is a DNS-1123
// label, and every spec finalizer is either standard or domain-qualified.
func ValidateNamespace(ns *v1.Namespace) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(&ns.ObjectMeta, false, apimachineryvalidation.ValidateNamespaceName, field.NewPath("metadata"))
	for i := range ns.Spec.Finalizers {
		allErrs = append(allErrs, validateSpecFinalizerName(string(ns.Spec.Finalizers[i]), field.NewPath("spec", "finalizers"))...)
	}
	return allErrs
}

// ValidateNamespaceUpdate validates an update of the namespace itself; the
// strategy has already kept spec.finalizers and status as stored.
func ValidateNamespaceUpdate(newNs, oldNs *v1.Namespace) field.ErrorList {
	return apimachineryvalidation.ValidateObjectMetaUpdate(&newNs.ObjectMeta, &oldNs.ObjectMeta, field.NewPath("metadata"))
}

// ValidateNamespaceStatusUpdate validates a write to namespaces/status: the
// phase must agree with whether deletion has begun.
func ValidateNamespaceStatusUpdate(newNs, oldNs *v1.Namespace) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newNs.ObjectMeta, &oldNs.ObjectMeta, field.NewPath("metadata"))
	phasePath := field.NewPath("status", "Phase")
	if newNs.DeletionTimestamp.IsZero() {
		if newNs.Status.Phase != v1.NamespaceActive {
			allErrs = append(allErrs, field.Invalid(phasePath, newNs.Status.Phase, "may only be 'Active' if `deletionTimestamp` is empty"))
		}
	} else if newNs.Status.Phase != v1.NamespaceTerminating {
		allErrs = append(allErrs, field.Invalid(phasePath, newNs.Status.Phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"))
	}
	return allErrs
}

// ValidateNamespaceFinalizeUpdate validates a write to namespaces/finalize.
func ValidateNamespaceFinalizeUpdate(newNs, oldNs *v1.Namespace) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newNs.ObjectMeta, &oldNs.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("spec", "finalizers")
	for i := range newNs.Spec.Finalizers {
		allErrs = append(allErrs, validateSpecFinalizerName(string(newNs.Spec.Finalizers[i]), fldPath.Index(i))...)
	}
	return allErrs
}

// validateSpecFinalizerName accepts a qualified name that is either one of
// the standard names or carries a "/".
func validateSpecFinalizerName(name string, fldPath *field.Path) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateFinalizerName(name, fldPath)
	if !strings.Contains(name, "/") && !standardFinalizers[name] {
		allErrs = append(allErrs, field.Invalid(fldPath, name, "name is neither a standard finalizer name nor is it fully qualified"))
	}
	return allErrs
}
