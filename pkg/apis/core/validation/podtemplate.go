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
	v1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidatePodTemplate validates a new PodTemplate object.
func ValidatePodTemplate(t *v1.PodTemplate, opts PodValidationOptions) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(&t.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(allErrs, ValidatePodTemplateSpec(&t.Template, field.NewPath("template"), opts)...)
}

// ValidatePodTemplateUpdate validates an update of a PodTemplate object; the
// template may change freely, within the rules of a new one.
func ValidatePodTemplateUpdate(newT, oldT *v1.PodTemplate, opts PodValidationOptions) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newT.ObjectMeta, &oldT.ObjectMeta, field.NewPath("metadata"))
	return append(allErrs, ValidatePodTemplateSpec(&newT.Template, field.NewPath("template"), opts)...)
}
