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

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Length limits of the fields events written with eventTime must respect.
const (
	EventReportingInstanceLengthLimit = 128
	EventActionLengthLimit            = 128
	EventReasonLengthLimit            = 128
	EventNoteLengthLimit              = 1024
)

// ValidateEventCreate validates a core/v1 event. Like upstream for this API
// version it applies only the compatibility checks; the stricter rules of
// events.k8s.io (type Normal|Warning, eventTime required, ...) are not
// applied to core/v1 writes.
func ValidateEventCreate(event *v1.Event) field.ErrorList {
	return validateEventCompat(event)
}

// ValidateEventUpdate validates a core/v1 event update: the new event must
// pass the same checks as on create.
func ValidateEventUpdate(newEvent, oldEvent *v1.Event) field.ErrorList {
	return validateEventCompat(newEvent)
}

// validateEventCompat is the check every event passes. Old-style events
// (no eventTime) need only a consistent namespace; new-style ones must also
// name their reporter, action and reason within the length limits.
func validateEventCompat(event *v1.Event) field.ErrorList {
	allErrs := field.ErrorList{}
	involvedNs := field.NewPath("involvedObject", "namespace")
	if event.EventTime.IsZero() {
		if event.InvolvedObject.Namespace == "" {
			// Old clients put events about cluster-scoped objects in "default".
			if event.Namespace != metav1.NamespaceNone && event.Namespace != metav1.NamespaceDefault {
				allErrs = append(allErrs, field.Invalid(involvedNs, event.InvolvedObject.Namespace, "does not match event.namespace"))
			}
		} else if event.Namespace != event.InvolvedObject.Namespace {
			allErrs = append(allErrs, field.Invalid(involvedNs, event.InvolvedObject.Namespace, "does not match event.namespace"))
		}
	} else {
		if event.InvolvedObject.Namespace == "" && event.Namespace != metav1.NamespaceDefault && event.Namespace != metav1.NamespaceSystem {
			allErrs = append(allErrs, field.Invalid(involvedNs, event.InvolvedObject.Namespace, "does not match event.namespace"))
		}
		reporter := field.NewPath("reportingController")
		if event.ReportingController == "" {
			allErrs = append(allErrs, field.Required(reporter, ""))
		}
		for _, msg := range validation.IsQualifiedName(event.ReportingController) {
			allErrs = append(allErrs, field.Invalid(reporter, event.ReportingController, msg))
		}
		allErrs = append(allErrs, requiredWithLimit(event.ReportingInstance, EventReportingInstanceLengthLimit, field.NewPath("reportingInstance"))...)
		allErrs = append(allErrs, requiredWithLimit(event.Action, EventActionLengthLimit, field.NewPath("action"))...)
		allErrs = append(allErrs, requiredWithLimit(event.Reason, EventReasonLengthLimit, field.NewPath("reason"))...)
		if len(event.Message) > EventNoteLengthLimit {
			allErrs = append(allErrs, field.Invalid(field.NewPath("message"), "", fmt.Sprintf("can have at most %v characters", EventNoteLengthLimit)))
		}
	}
	for _, msg := range validation.IsDNS1123Subdomain(event.Namespace) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("namespace"), event.Namespace, msg))
	}
	return allErrs
}

func requiredWithLimit(value string, limit int, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if value == "" {
		allErrs = append(allErrs, field.Required(fldPath, ""))
	}
	if len(value) > limit {
		allErrs = append(allErrs, field.Invalid(fldPath, "", fmt.Sprintf("can have at most %v characters", limit)))
	}
	return allErrs
}
