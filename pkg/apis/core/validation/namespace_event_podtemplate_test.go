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
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// errStrings renders errors as "type field" for comparison.
func errStrings(errs field.ErrorList) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, string(e.Type)+" "+e.Field)
	}
	return out
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "|") == strings.Join(b, "|")
}

func TestValidateNamespace(t *testing.T) {
	ns := func(name string, finalizers ...v1.FinalizerName) *v1.Namespace {
		return &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.NamespaceSpec{Finalizers: finalizers}}
	}
	tests := []struct {
		name string
		ns   *v1.Namespace
		want []string
	}{
		{"valid", ns("web", v1.FinalizerKubernetes), []string{}},
		{"qualified finalizer", ns("web", "example.com/hold"), []string{}},
		{"not a DNS label", ns("Web_1"), []string{"FieldValueInvalid metadata.name"}},
		{"dots are not allowed", ns("a.b"), []string{"FieldValueInvalid metadata.name"}},
		{"missing name", ns(""), []string{"FieldValueRequired metadata.name"}},
		{"unqualified finalizer", ns("web", "hold"), []string{"FieldValueInvalid spec.finalizers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errStrings(ValidateNamespace(tc.ns)); !equalStrings(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidateNamespaceStatusAndFinalize(t *testing.T) {
	now := metav1.Now()
	base := v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "web", ResourceVersion: "1"}}
	withPhase := func(p v1.NamespacePhase, deleting bool) *v1.Namespace {
		ns := base.DeepCopy()
		ns.Status.Phase = p
		if deleting {
			ns.DeletionTimestamp = &now
		}
		return ns
	}
	tests := []struct {
		name     string
		new, old *v1.Namespace
		want     []string
	}{
		{"active without deletion", withPhase(v1.NamespaceActive, false), withPhase(v1.NamespaceActive, false), []string{}},
		{"terminating without deletion", withPhase(v1.NamespaceTerminating, false), withPhase(v1.NamespaceActive, false), []string{"FieldValueInvalid status.Phase"}},
		{"active while deleting", withPhase(v1.NamespaceActive, true), withPhase(v1.NamespaceActive, true), []string{"FieldValueInvalid status.Phase"}},
		{"terminating while deleting", withPhase(v1.NamespaceTerminating, true), withPhase(v1.NamespaceTerminating, true), []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errStrings(ValidateNamespaceStatusUpdate(tc.new, tc.old)); !equalStrings(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	fin := base.DeepCopy()
	fin.Spec.Finalizers = []v1.FinalizerName{"ok.example.com/x", "bad"}
	if got, want := errStrings(ValidateNamespaceFinalizeUpdate(fin, base.DeepCopy())), []string{"FieldValueInvalid spec.finalizers[1]"}; !equalStrings(got, want) {
		t.Errorf("finalize: got %v, want %v", got, want)
	}
}

func TestValidateEventCreate(t *testing.T) {
	event := func(ns, involvedNs string, mutate ...func(*v1.Event)) *v1.Event {
		e := &v1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: "e", Namespace: ns},
			InvolvedObject: v1.ObjectReference{Kind: "Pod", Name: "p", Namespace: involvedNs},
			Reason:         "Pulled",
		}
		for _, m := range mutate {
			m(e)
		}
		return e
	}
	withTime := func(e *v1.Event) { e.EventTime = metav1.NewMicroTime(time.Now()) }
	complete := func(e *v1.Event) {
		e.ReportingController, e.ReportingInstance, e.Action = "example.com/ctl", "i-1", "Do"
	}
	tests := []struct {
		name  string
		event *v1.Event
		want  []string
	}{
		{"same namespace", event("web", "web"), []string{}},
		{"other namespace", event("web", "db"), []string{"FieldValueInvalid involvedObject.namespace"}},
		{"cluster object in default", event("default", ""), []string{}},
		{"cluster object elsewhere", event("web", ""), []string{"FieldValueInvalid involvedObject.namespace"}},
		{"any type on core/v1", event("web", "web", func(e *v1.Event) { e.Type = "Custom" }), []string{}},
		{"new style complete", event("web", "web", withTime, complete), []string{}},
		{"new style cluster object in kube-system", event("kube-system", "", withTime, complete), []string{}},
		{"new style incomplete", event("web", "web", withTime, func(e *v1.Event) { e.Reason = "" }), []string{
			"FieldValueRequired reportingController", "FieldValueInvalid reportingController", "FieldValueInvalid reportingController",
			"FieldValueRequired reportingInstance", "FieldValueRequired action", "FieldValueRequired reason",
		}},
		{"new style reason too long", event("web", "web", withTime, complete, func(e *v1.Event) { e.Reason = strings.Repeat("r", 129) }), []string{"FieldValueInvalid reason"}},
		{"new style note too long", event("web", "web", withTime, complete, func(e *v1.Event) { e.Message = strings.Repeat("m", 1025) }), []string{"FieldValueInvalid message"}},
		{"bad namespace", event("Web", "Web"), []string{"FieldValueInvalid namespace"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errStrings(ValidateEventCreate(tc.event)); !equalStrings(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidatePodTemplate(t *testing.T) {
	template := func(mutate func(*v1.PodTemplate)) *v1.PodTemplate {
		pt := &v1.PodTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: "t", Namespace: "web"},
			Template:   v1.PodTemplateSpec{Spec: basePod().Spec},
		}
		if mutate != nil {
			mutate(pt)
		}
		return pt
	}
	tests := []struct {
		name string
		pt   *v1.PodTemplate
		want []string
	}{
		{"valid", template(nil), []string{}},
		{"bad name", template(func(pt *v1.PodTemplate) { pt.Name = "T_" }), []string{"FieldValueInvalid metadata.name"}},
		{"ephemeral containers", template(func(pt *v1.PodTemplate) {
			pt.Template.Spec.EphemeralContainers = []v1.EphemeralContainer{ephemeral("d")}
		}), []string{"FieldValueForbidden template.spec.ephemeralContainers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errStrings(ValidatePodTemplate(tc.pt, PodValidationOptions{})); !equalStrings(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
