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

package apiserver

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestAddedMessage(t *testing.T) {
	containers := func(n int) []corev1.EphemeralContainer {
		var list []corev1.EphemeralContainer
		for i := range n {
			list = append(list, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: fmt.Sprintf("d%d", i), Image: "busybox"}})
		}
		return list
	}
	tests := []struct {
		name  string
		added []corev1.EphemeralContainer
		want  string
	}{
		{name: "one", added: containers(1), want: `Added ephemeral container "d0" (image "busybox") by user "u"`},
		{name: "two", added: containers(2), want: `Added 2 ephemeral containers "d0" (image "busybox"), "d1" (image "busybox") by user "u"`},
		{
			name:  "more than are named",
			added: containers(12),
			want: `Added 12 ephemeral containers "d0" (image "busybox"), "d1" (image "busybox"), "d2" (image "busybox"), "d3" (image "busybox"), ` +
				`"d4" (image "busybox"), "d5" (image "busybox"), "d6" (image "busybox"), "d7" (image "busybox"), "d8" (image "busybox"), ` +
				`"d9" (image "busybox") and 2 more by user "u"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := addedMessage(tc.added, "u"); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
