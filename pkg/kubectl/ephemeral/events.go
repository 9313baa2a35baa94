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
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// AddedReason is the reason of the events ephemeral-apiserver records on a
// pod for each request that added ephemeral containers to it.
const AddedReason = "EphemeralContainerAdded"

// AddedContainer is one container an EphemeralContainerAdded event names.
type AddedContainer struct {
	Name  string
	Image string
}

// Addition is what one EphemeralContainerAdded event says: the containers
// one request added, and by whom. An event names at most ten; More counts
// the others.
type Addition struct {
	Containers []AddedContainer
	More       int
	User       string
}

// ParseAddedMessage reads the message of an EphemeralContainerAdded event:
//
//	Added ephemeral container "dbg" (image "busybox") by user "admin"
//	Added 12 ephemeral containers "a" (image "x"), "b" (image "y"), ... and 2 more by user "u"
//
// Names, images and the user are Go-quoted strings. It reports false for
// any other text.
func ParseAddedMessage(message string) (Addition, bool) {
	s := &messageScanner{rest: message}
	var add Addition
	total := 1
	switch {
	case s.literal("Added ephemeral container "):
		c, ok := s.container()
		if !ok {
			return Addition{}, false
		}
		add.Containers = []AddedContainer{c}
	case s.literal("Added "):
		n, ok := s.number()
		if !ok || n < 2 || !s.literal(" ephemeral containers ") {
			return Addition{}, false
		}
		total = n
		for {
			c, ok := s.container()
			if !ok {
				return Addition{}, false
			}
			add.Containers = append(add.Containers, c)
			if !s.literal(", ") {
				break
			}
		}
		if s.literal(" and ") {
			more, ok := s.number()
			if !ok || more < 1 || !s.literal(" more") {
				return Addition{}, false
			}
			add.More = more
		}
	default:
		return Addition{}, false
	}
	if !s.literal(" by user ") {
		return Addition{}, false
	}
	user, ok := s.quoted()
	if !ok || s.rest != "" || len(add.Containers)+add.More != total {
		return Addition{}, false
	}
	add.User = user
	return add, true
}

// messageScanner consumes an event message from its start.
type messageScanner struct{ rest string }

func (s *messageScanner) literal(prefix string) bool {
	if !strings.HasPrefix(s.rest, prefix) {
		return false
	}
	s.rest = s.rest[len(prefix):]
	return true
}

func (s *messageScanner) number() (int, bool) {
	end := 0
	for end < len(s.rest) && s.rest[end] >= '0' && s.rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s.rest[:end])
	if err != nil {
		return 0, false
	}
	s.rest = s.rest[end:]
	return n, true
}

// quoted consumes a Go double-quoted string literal and returns its value.
func (s *messageScanner) quoted() (string, bool) {
	if !strings.HasPrefix(s.rest, `"`) {
		return "", false
	}
	for i := 1; i < len(s.rest); i++ {
		switch s.rest[i] {
		case '\\':
			i++
		case '"':
			value, err := strconv.Unquote(s.rest[:i+1])
			if err != nil {
				return "", false
			}
			s.rest = s.rest[i+1:]
			return value, true
		}
	}
	return "", false
}

// container consumes `"name" (image "image")`.
func (s *messageScanner) container() (AddedContainer, bool) {
	name, ok := s.quoted()
	if !ok || !s.literal(" (image ") {
		return AddedContainer{}, false
	}
	image, ok := s.quoted()
	if !ok || !s.literal(")") {
		return AddedContainer{}, false
	}
	return AddedContainer{Name: name, Image: image}, true
}

// Record is one EphemeralContainerAdded event, read.
type Record struct {
	Addition
	Time      time.Time
	Namespace string
	Pod       string
	PodUID    types.UID
	// EventName tells apart records of the same time.
	EventName string
}

// RecordOf reads an event; it reports false for events of another reason
// or object, and for messages it cannot read.
func RecordOf(event *corev1.Event) (Record, bool) {
	if event.Reason != AddedReason || event.InvolvedObject.Kind != "Pod" {
		return Record{}, false
	}
	add, ok := ParseAddedMessage(event.Message)
	if !ok {
		return Record{}, false
	}
	namespace := event.InvolvedObject.Namespace
	if namespace == "" {
		namespace = event.Namespace
	}
	return Record{
		Addition:  add,
		Time:      eventTime(event),
		Namespace: namespace,
		Pod:       event.InvolvedObject.Name,
		PodUID:    event.InvolvedObject.UID,
		EventName: event.Name,
	}, true
}

// eventTime is when the event happened: the first of its times that is set.
func eventTime(event *corev1.Event) time.Time {
	switch {
	case !event.EventTime.IsZero():
		return event.EventTime.Time
	case !event.FirstTimestamp.IsZero():
		return event.FirstTimestamp.Time
	case !event.LastTimestamp.IsZero():
		return event.LastTimestamp.Time
	}
	return event.CreationTimestamp.Time
}

// Attribution is who added a container, and when.
type Attribution struct {
	User string
	Time time.Time
}

// Attribute tells who added each ephemeral container of pod, from the
// records of the events on it, by container name. Records of another pod
// of the same name (another UID) are ignored. The containers an event does
// not name ("... and 2 more") are the ones that follow its last named
// container in the pod's list: one request's additions are appended
// together.
func Attribute(pod *corev1.Pod, records []Record) map[string]Attribution {
	sortRecords(records)
	index := map[string]int{}
	for i, ec := range pod.Spec.EphemeralContainers {
		index[ec.Name] = i
	}
	by := map[string]Attribution{}
	for _, r := range records {
		if r.Pod != pod.Name || (r.PodUID != "" && pod.UID != "" && r.PodUID != pod.UID) {
			continue
		}
		who := Attribution{User: r.User, Time: r.Time}
		last := -1
		for _, c := range r.Containers {
			if i, ok := index[c.Name]; ok {
				by[c.Name] = who
				last = max(last, i)
			}
		}
		if r.More == 0 || last < 0 {
			continue
		}
		for i, n := last+1, 0; i < len(pod.Spec.EphemeralContainers) && n < r.More; i, n = i+1, n+1 {
			name := pod.Spec.EphemeralContainers[i].Name
			if _, known := by[name]; !known {
				by[name] = who
			}
		}
	}
	return by
}

// sortRecords orders records oldest first, then by event name.
func sortRecords(records []Record) {
	slices.SortStableFunc(records, func(a, b Record) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.EventName, b.EventName)
	})
}
