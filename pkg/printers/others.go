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

package printers

import (
	"strings"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/registry/rest"
)

// NamespaceColumns are the columns of `kubectl get namespaces`.
var NamespaceColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: objectMetaDocs["name"]},
	{Name: "Status", Type: "string", Description: "The status of the namespace"},
	{Name: "Age", Type: "string", Description: objectMetaDocs["creationTimestamp"]},
}

// NewNamespaceTableConvertor renders Namespaces and NamespaceLists.
func NewNamespaceTableConvertor() rest.TableConvertor {
	return tableConvertor[*v1.Namespace]{columns: NamespaceColumns, row: func(ns *v1.Namespace) ([]interface{}, []metav1.TableRowCondition) {
		return []interface{}{ns.Name, string(ns.Status.Phase), translateTimestampSince(ns.CreationTimestamp)}, nil
	}}
}

// PodTemplateColumns are the columns of `kubectl get podtemplates`.
var PodTemplateColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: objectMetaDocs["name"]},
	{Name: "Containers", Type: "string", Description: "Names of each container in the template."},
	{Name: "Images", Type: "string", Description: "Images referenced by each container in the template."},
	{Name: "Pod Labels", Type: "string", Description: "The labels for the pod template."},
}

// NewPodTemplateTableConvertor renders PodTemplates and PodTemplateLists.
func NewPodTemplateTableConvertor() rest.TableConvertor {
	return tableConvertor[*v1.PodTemplate]{columns: PodTemplateColumns, row: func(t *v1.PodTemplate) ([]interface{}, []metav1.TableRowCondition) {
		names := make([]string, 0, len(t.Template.Spec.Containers))
		images := make([]string, 0, len(t.Template.Spec.Containers))
		for _, c := range t.Template.Spec.Containers {
			names = append(names, c.Name)
			images = append(images, c.Image)
		}
		return []interface{}{t.Name, strings.Join(names, ","), strings.Join(images, ","), labels.FormatLabels(t.Template.Labels)}, nil
	}}
}

var eventDocs = v1.Event{}.SwaggerDoc()

// EventColumns are the columns of `kubectl get events`.
var EventColumns = []metav1.TableColumnDefinition{
	{Name: "Last Seen", Type: "string", Description: eventDocs["lastTimestamp"]},
	{Name: "Type", Type: "string", Description: eventDocs["type"]},
	{Name: "Reason", Type: "string", Description: eventDocs["reason"]},
	{Name: "Object", Type: "string", Description: eventDocs["involvedObject"]},
	{Name: "Subobject", Type: "string", Priority: 1, Description: v1.ObjectReference{}.SwaggerDoc()["fieldPath"]},
	{Name: "Source", Type: "string", Priority: 1, Description: eventDocs["source"]},
	{Name: "Message", Type: "string", Description: eventDocs["message"]},
	{Name: "First Seen", Type: "string", Priority: 1, Description: eventDocs["firstTimestamp"]},
	{Name: "Count", Type: "string", Priority: 1, Description: eventDocs["count"]},
	{Name: "Name", Type: "string", Priority: 1, Format: "name", Description: objectMetaDocs["name"]},
}

// NewEventTableConvertor renders core/v1 Events and EventLists.
func NewEventTableConvertor() rest.TableConvertor {
	return tableConvertor[*v1.Event]{columns: EventColumns, row: eventRow}
}

func eventRow(e *v1.Event) ([]interface{}, []metav1.TableRowCondition) {
	// Events written through events.k8s.io carry eventTime/series instead
	// of the legacy timestamps and count.
	first := translateTimestampSince(e.FirstTimestamp)
	if e.FirstTimestamp.IsZero() {
		first = translateMicroTimestampSince(e.EventTime)
	}
	last := translateTimestampSince(e.LastTimestamp)
	if e.LastTimestamp.IsZero() {
		last = first
	}
	count := e.Count
	if e.Series != nil {
		last = translateMicroTimestampSince(e.Series.LastObservedTime)
		count = e.Series.Count
	} else if count == 0 {
		count = 1
	}

	target := strings.ToLower(e.InvolvedObject.Kind)
	if e.InvolvedObject.Name != "" {
		target += "/" + e.InvolvedObject.Name
	}
	return []interface{}{
		last,
		e.Type,
		e.Reason,
		target,
		e.InvolvedObject.FieldPath,
		eventSource(e),
		strings.TrimSpace(e.Message),
		first,
		int64(count),
		e.Name,
	}, nil
}

// eventSource is "component, host", falling back to the reporting
// controller and instance that newer clients fill instead.
func eventSource(e *v1.Event) string {
	component := e.Source.Component
	if component == "" {
		component = e.ReportingController
	}
	instance := e.Source.Host
	if instance == "" {
		instance = e.ReportingInstance
	}
	if instance == "" {
		return component
	}
	return component + ", " + instance
}
