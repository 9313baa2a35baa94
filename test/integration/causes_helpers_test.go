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

package integration

// The causes of a refusal, as the specs of every suite compare them.

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// cause is the part of a StatusCause a spec pins: its type and field.
type cause struct {
	Type  metav1.CauseType
	Field string
}

// causesOf lists type and field of every cause of st, in order.
func causesOf(st metav1.Status) []cause {
	if st.Details == nil {
		return nil
	}
	out := []cause{}
	for _, c := range st.Details.Causes {
		out = append(out, cause{Type: c.Type, Field: c.Field})
	}
	return out
}

func causeForbidden(field string) cause { return cause{metav1.CauseTypeForbidden, field} }
func causeDuplicate(field string) cause { return cause{metav1.CauseTypeFieldValueDuplicate, field} }
func causeNotFound(field string) cause  { return cause{metav1.CauseTypeFieldValueNotFound, field} }
func causeRequired(field string) cause  { return cause{metav1.CauseTypeFieldValueRequired, field} }
func causeInvalid(field string) cause   { return cause{metav1.CauseTypeFieldValueInvalid, field} }
func causeUnsupported(field string) cause {
	return cause{metav1.CauseTypeFieldValueNotSupported, field}
}
