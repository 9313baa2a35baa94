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

package simulatedkubelet

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// event is one event a kubelet records about a container of a pod.
type event struct {
	fieldPath string
	warning   bool
	reason    string
	message   string
}

// containerEvents are the events a kubelet records as the pod's containers
// move from the old status to the new one, so that kubectl describe shows
// what it shows on a cluster: pulling, pulled, created, started; failed to
// pull, backing off; stopping.
func containerEvents(pod *corev1.Pod, old, new corev1.PodStatus) []event {
	var events []event
	add := func(kind string, spec []corev1.Container, oldStatuses, newStatuses []corev1.ContainerStatus) {
		for _, c := range spec {
			before, after := stateName(find(oldStatuses, c.Name)), stateName(find(newStatuses, c.Name))
			if before == after {
				continue
			}
			path := fmt.Sprintf("spec.%s{%s}", kind, c.Name)
			normal := func(reason, message string) { events = append(events, event{path, false, reason, message}) }
			warning := func(reason, message string) { events = append(events, event{path, true, reason, message}) }
			switch after {
			case reasonContainerCreating:
				normal("Pulling", fmt.Sprintf("Pulling image %q", c.Image))
			case "Running", reasonCompleted:
				if before == reasonContainerCreating {
					normal("Pulled", fmt.Sprintf("Successfully pulled image %q in 0s (0s including waiting). Image size: 0 bytes.", c.Image))
					normal("Created", "Created container: "+c.Name)
					normal("Started", "Started container "+c.Name)
				} else if before == "Running" {
					normal("Killing", "Stopping container "+c.Name)
				}
			case reasonErrImagePull:
				warning("Failed", fmt.Sprintf("Failed to pull image %q: %s", c.Image, pullError(c.Image)))
				warning("Failed", "Error: "+reasonErrImagePull)
			case reasonImagePullBackOff:
				normal("BackOff", fmt.Sprintf("Back-off pulling image %q", c.Image))
				warning("Failed", "Error: "+reasonImagePullBackOff)
			}
		}
	}
	add("initContainers", pod.Spec.InitContainers, old.InitContainerStatuses, new.InitContainerStatuses)
	add("containers", pod.Spec.Containers, old.ContainerStatuses, new.ContainerStatuses)
	ephemeral := make([]corev1.Container, len(pod.Spec.EphemeralContainers))
	for i, ec := range pod.Spec.EphemeralContainers {
		ephemeral[i] = corev1.Container(ec.EphemeralContainerCommon)
	}
	add("ephemeralContainers", ephemeral, old.EphemeralContainerStatuses, new.EphemeralContainerStatuses)
	return events
}

func find(statuses []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	for i := range statuses {
		if statuses[i].Name == name {
			return &statuses[i]
		}
	}
	return nil
}

// stateName is a container's waiting reason, "Running", or its terminated
// reason; "" without a status.
func stateName(cs *corev1.ContainerStatus) string {
	switch {
	case cs == nil:
		return ""
	case cs.State.Waiting != nil:
		return cs.State.Waiting.Reason
	case cs.State.Running != nil:
		return "Running"
	case cs.State.Terminated != nil:
		return cs.State.Terminated.Reason
	}
	return ""
}

// apiEvent is e as the kubelet of node records it about pod.
func (e event) apiEvent(pod *corev1.Pod, node string) *corev1.Event {
	eventType := corev1.EventTypeNormal
	if e.warning {
		eventType = corev1.EventTypeWarning
	}
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace},
		InvolvedObject: corev1.ObjectReference{
			Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
			ResourceVersion: pod.ResourceVersion, FieldPath: e.fieldPath,
		},
		Type:                eventType,
		Reason:              e.reason,
		Message:             e.message,
		Source:              corev1.EventSource{Component: "kubelet", Host: node},
		ReportingController: "kubelet",
		ReportingInstance:   node,
	}
}
