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

package ephemeral

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// serverMessage builds a message the way ephemeral-apiserver's
// pkg/apiserver addedMessage does, to test the parser against its format.
func serverMessage(added []AddedContainer, user string) string {
	var names []string
	for _, c := range added[:min(len(added), 10)] {
		names = append(names, fmt.Sprintf("%q (image %q)", c.Name, c.Image))
	}
	if len(added) == 1 {
		return fmt.Sprintf("Added ephemeral container %s by user %q", names[0], user)
	}
	list := strings.Join(names, ", ")
	if more := len(added) - len(names); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return fmt.Sprintf("Added %d ephemeral containers %s by user %q", len(added), list, user)
}

func containersNamed(n int) []AddedContainer {
	var cs []AddedContainer
	for i := range n {
		cs = append(cs, AddedContainer{Name: fmt.Sprintf("c%d", i), Image: "busybox"})
	}
	return cs
}

func TestParseAddedMessage(t *testing.T) {
	tests := []struct {
		name    string
		message string
		want    Addition
		ok      bool
	}{{
		name:    "one container",
		message: `Added ephemeral container "dbg" (image "busybox") by user "admin"`,
		want:    Addition{Containers: []AddedContainer{{"dbg", "busybox"}}, User: "admin"},
		ok:      true,
	}, {
		name:    "two containers",
		message: `Added 2 ephemeral containers "a" (image "x"), "b" (image "registry.example:5000/y@sha256:00") by user "system:serviceaccount:ns:sa"`,
		want: Addition{Containers: []AddedContainer{{"a", "x"}, {"b", "registry.example:5000/y@sha256:00"}},
			User: "system:serviceaccount:ns:sa"},
		ok: true,
	}, {
		name:    "twelve containers, ten named",
		message: serverMessage(containersNamed(12), "u"),
		want:    Addition{Containers: containersNamed(10), More: 2, User: "u"},
		ok:      true,
	}, {
		name:    "quotes, commas and parentheses inside the quoted values",
		message: serverMessage([]AddedContainer{{"a", `we"ird, (image "x")`}}, `o"brien by user "x"`),
		want:    Addition{Containers: []AddedContainer{{"a", `we"ird, (image "x")`}}, User: `o"brien by user "x"`},
		ok:      true,
	}, {
		name:    "a user that is not UTF-8 clean is quoted with escapes",
		message: serverMessage([]AddedContainer{{"a", "x"}}, "caf\xe9"),
		want:    Addition{Containers: []AddedContainer{{"a", "x"}}, User: "caf\xe9"},
		ok:      true,
	}, {
		name:    "the user \"unknown\" the server writes without one",
		message: `Added ephemeral container "dbg" (image "busybox") by user "unknown"`,
		want:    Addition{Containers: []AddedContainer{{"dbg", "busybox"}}, User: "unknown"},
		ok:      true,
	}, {
		name:    "a count that does not add up",
		message: `Added 3 ephemeral containers "a" (image "x"), "b" (image "y") by user "u"`,
	}, {
		name:    "the plural form for one container",
		message: `Added 1 ephemeral containers "a" (image "x") by user "u"`,
	}, {
		name:    "no user",
		message: `Added ephemeral container "dbg" (image "busybox")`,
	}, {
		name:    "trailing text",
		message: `Added ephemeral container "dbg" (image "busybox") by user "admin" again`,
	}, {
		name:    "an unterminated quote",
		message: `Added ephemeral container "dbg (image "busybox") by user "admin`,
	}, {
		name:    "another message",
		message: `Successfully assigned default/p to node-1`,
	}, {
		name: "empty",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseAddedMessage(tc.message)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (got %+v)", ok, tc.ok, got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func addedEvent(name string, pod string, uid string, at time.Time, message string) corev1.Event {
	return corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("e-" + name)},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "ns", Name: pod, UID: types.UID(uid)},
		Reason:         AddedReason,
		Message:        message,
		FirstTimestamp: metav1.NewTime(at),
	}
}

func podWith(uid string, names ...string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: types.UID(uid)}}
	for _, n := range names {
		pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers,
			corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: n, Image: "busybox"}})
	}
	return pod
}

func TestAttribute(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	one := func(name, user string) string { return serverMessage([]AddedContainer{{name, "busybox"}}, user) }
	tests := []struct {
		name   string
		pod    *corev1.Pod
		events []corev1.Event
		want   map[string]Attribution
	}{{
		name: "one event per container, two users",
		pod:  podWith("u1", "a", "b"),
		events: []corev1.Event{
			addedEvent("e2", "p", "u1", t0.Add(time.Minute), one("b", "dev")),
			addedEvent("e1", "p", "u1", t0, one("a", "admin")),
		},
		want: map[string]Attribution{"a": {"admin", t0}, "b": {"dev", t0.Add(time.Minute)}},
	}, {
		name:   "a container without an event is not attributed",
		pod:    podWith("u1", "a", "b"),
		events: []corev1.Event{addedEvent("e1", "p", "u1", t0, one("a", "admin"))},
		want:   map[string]Attribution{"a": {"admin", t0}},
	}, {
		name: "events of an earlier pod of the same name (another UID) are ignored",
		pod:  podWith("u1", "a"),
		events: []corev1.Event{
			addedEvent("e0", "p", "old-uid", t0, one("a", "mallory")),
			addedEvent("e1", "p", "u1", t0.Add(time.Hour), one("a", "admin")),
		},
		want: map[string]Attribution{"a": {"admin", t0.Add(time.Hour)}},
	}, {
		name: "events of other pods are ignored",
		pod:  podWith("u1", "a"),
		events: []corev1.Event{
			addedEvent("e0", "q", "u2", t0, one("a", "mallory")),
		},
		want: map[string]Attribution{},
	}, {
		name: "the containers an event only counts are those after its last named one",
		pod:  podWith("u1", append([]string{"first"}, append(names(containersNamed(12)), "later")...)...),
		events: []corev1.Event{
			addedEvent("e1", "p", "u1", t0, one("first", "admin")),
			addedEvent("e2", "p", "u1", t0.Add(time.Second), serverMessage(containersNamed(12), "bulk")),
			addedEvent("e3", "p", "u1", t0.Add(2*time.Second), one("later", "dev")),
		},
		want: func() map[string]Attribution {
			m := map[string]Attribution{"first": {"admin", t0}, "later": {"dev", t0.Add(2 * time.Second)}}
			for _, n := range names(containersNamed(12)) {
				m[n] = Attribution{"bulk", t0.Add(time.Second)}
			}
			return m
		}(),
	}, {
		name:   "messages that cannot be read are ignored",
		pod:    podWith("u1", "a"),
		events: []corev1.Event{addedEvent("e1", "p", "u1", t0, "Added something")},
		want:   map[string]Attribution{},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Attribute(tc.pod, recordsOf(tc.events))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func names(cs []AddedContainer) []string {
	var ns []string
	for _, c := range cs {
		ns = append(ns, c.Name)
	}
	return ns
}

func TestRecordsOfOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	msg := `Added ephemeral container "a" (image "x") by user "u"`
	events := []corev1.Event{
		addedEvent("c", "p", "u1", t0.Add(time.Second), msg),
		addedEvent("b", "p", "u1", t0, msg),
		addedEvent("a", "p", "u1", t0, msg),
		{ObjectMeta: metav1.ObjectMeta{Name: "other"}, Reason: "Scheduled", InvolvedObject: corev1.ObjectReference{Kind: "Pod"}},
	}
	events[0].FirstTimestamp = metav1.Time{}
	events[0].EventTime = metav1.NewMicroTime(t0.Add(time.Second))
	var got []string
	for _, r := range recordsOf(events) {
		got = append(got, r.EventName)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
