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
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Waiting reasons a kubelet reports, and the one terminated reason.
const (
	reasonPodInitializing   = "PodInitializing"
	reasonContainerCreating = "ContainerCreating"
	reasonErrImagePull      = "ErrImagePull"
	reasonImagePullBackOff  = "ImagePullBackOff"
	reasonCompleted         = "Completed"
)

// node is what the simulated kubelet reports about the node it plays.
type node struct {
	name string
	ip   string
	// fails says whether pulling an image fails.
	fails func(image string) bool
	// backOff says whether a container whose pull failed has shown
	// ErrImagePull long enough to be backing off.
	backOff func(pod *corev1.Pod, container string, now metav1.Time) bool
}

// nextStatus is the status a kubelet would report next for a pod bound to
// n: every container moves one step (created, then running or failing to
// pull its image, then backing off), init containers one after another and
// before the regular ones, ephemeral containers whenever they are added.
// What already happened, and when, is kept, so a status never goes back.
func (n node) nextStatus(pod *corev1.Pod, now metav1.Time) corev1.PodStatus {
	status := *pod.Status.DeepCopy()
	status.HostIP = n.ip
	status.HostIPs = []corev1.HostIP{{IP: n.ip}}
	if status.PodIP == "" {
		ip := podIP(pod.UID)
		status.PodIP, status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	}
	if status.StartTime == nil {
		status.StartTime = &now
	}

	// Each init container starts once the one before it has completed (a
	// sidecar, restartPolicy Always, once it runs), and the regular ones
	// once all have: judged on the status as stored, so that every report
	// moves each container one step.
	previousDone := true
	status.InitContainerStatuses = n.containerStatuses(pod, pod.Spec.InitContainers, status.InitContainerStatuses, now,
		func(c corev1.Container, current *corev1.ContainerStatus) corev1.ContainerStatus {
			if !previousDone {
				return waiting(c, current, reasonPodInitializing, "")
			}
			previousDone = current != nil && initDone(*current)
			next := n.step(pod, c, current, now, true)
			if next.State.Running != nil && !isSidecar(c) {
				// A regular init container runs to completion at once.
				next.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					Reason: reasonCompleted, StartedAt: next.State.Running.StartedAt, FinishedAt: now, ContainerID: next.ContainerID,
				}}
				next.Started = ptr(false)
			}
			return next
		})
	initialized := allInitialized(pod.Spec.InitContainers, pod.Status.InitContainerStatuses)

	status.ContainerStatuses = n.containerStatuses(pod, pod.Spec.Containers, status.ContainerStatuses, now,
		func(c corev1.Container, current *corev1.ContainerStatus) corev1.ContainerStatus {
			if !initialized {
				return waiting(c, current, reasonPodInitializing, "")
			}
			return n.step(pod, c, current, now, true)
		})

	ephemeral := make([]corev1.Container, len(pod.Spec.EphemeralContainers))
	for i, ec := range pod.Spec.EphemeralContainers {
		ephemeral[i] = corev1.Container(ec.EphemeralContainerCommon)
	}
	status.EphemeralContainerStatuses = n.containerStatuses(pod, ephemeral, status.EphemeralContainerStatuses, now,
		func(c corev1.Container, current *corev1.ContainerStatus) corev1.ContainerStatus {
			next := n.step(pod, c, current, now, false)
			// Debug containers are never ready and have no startup state.
			next.Ready, next.Started = false, nil
			return next
		})

	running := len(status.ContainerStatuses) > 0
	var notReady []string
	for _, cs := range status.ContainerStatuses {
		if cs.State.Running == nil {
			running = false
			notReady = append(notReady, cs.Name)
		}
	}
	if running {
		status.Phase = corev1.PodRunning
	} else {
		status.Phase = corev1.PodPending
	}
	var notInitialized []string
	for _, cs := range status.InitContainerStatuses {
		if !initDone(cs) {
			notInitialized = append(notInitialized, cs.Name)
		}
	}
	status.Conditions = podConditions(status.Conditions, now, len(notInitialized) == 0, notInitialized, notReady)
	return status
}

// containerStatuses is one status per container, in the spec's order,
// made by next from the current one (nil when there is none yet).
func (n node) containerStatuses(pod *corev1.Pod, containers []corev1.Container, current []corev1.ContainerStatus, now metav1.Time,
	next func(corev1.Container, *corev1.ContainerStatus) corev1.ContainerStatus) []corev1.ContainerStatus {
	if len(containers) == 0 {
		return nil
	}
	statuses := make([]corev1.ContainerStatus, 0, len(containers))
	for _, c := range containers {
		var cur *corev1.ContainerStatus
		if i := slices.IndexFunc(current, func(cs corev1.ContainerStatus) bool { return cs.Name == c.Name }); i >= 0 {
			cur = &current[i]
		}
		statuses = append(statuses, next(c, cur))
	}
	return statuses
}

// step moves one container a step on: no status → being created → running,
// or, for an image that fails, → ErrImagePull → ImagePullBackOff, where it
// stays. A running or terminated container stays as it is.
func (n node) step(pod *corev1.Pod, c corev1.Container, current *corev1.ContainerStatus, now metav1.Time, ready bool) corev1.ContainerStatus {
	switch {
	case current == nil || current.State.Waiting != nil && current.State.Waiting.Reason == reasonPodInitializing:
		return waiting(c, current, reasonContainerCreating, "")
	case current.State.Running != nil || current.State.Terminated != nil:
		return *current
	case n.fails(c.Image):
		if reason := current.State.Waiting.Reason; reason == reasonContainerCreating || reason == reasonErrImagePull && !n.backOff(pod, c.Name, now) {
			return waiting(c, current, reasonErrImagePull, pullError(c.Image))
		}
		return waiting(c, current, reasonImagePullBackOff,
			fmt.Sprintf("Back-off pulling image %q: %s: %s", c.Image, reasonErrImagePull, pullError(c.Image)))
	}
	image := normalizeImage(c.Image)
	return corev1.ContainerStatus{
		Name:         c.Name,
		Image:        image,
		ImageID:      imageID(image),
		ContainerID:  containerID(pod.UID, c.Name),
		Ready:        ready,
		Started:      ptr(true),
		RestartCount: 0,
		State:        corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
	}
}

// waiting is a container waiting for reason.
func waiting(c corev1.Container, current *corev1.ContainerStatus, reason, message string) corev1.ContainerStatus {
	if current != nil && current.State.Waiting != nil && current.State.Waiting.Reason == reason && current.State.Waiting.Message == message {
		return *current
	}
	return corev1.ContainerStatus{
		Name:    c.Name,
		Image:   c.Image,
		Started: ptr(false),
		State:   corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}},
	}
}

// pullError is the message a kubelet on containerd gives for an image that
// does not exist.
func pullError(image string) string {
	ref := normalizeImage(image)
	return fmt.Sprintf("rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found", ref, ref, ref)
}

// allInitialized says whether every init container is done in statuses.
func allInitialized(spec []corev1.Container, statuses []corev1.ContainerStatus) bool {
	for _, c := range spec {
		i := slices.IndexFunc(statuses, func(cs corev1.ContainerStatus) bool { return cs.Name == c.Name })
		if i < 0 || !initDone(statuses[i]) {
			return false
		}
	}
	return true
}

// initDone says whether an init container lets the next one start: it
// completed, or it is a sidecar that runs.
func initDone(cs corev1.ContainerStatus) bool {
	return cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0 || cs.State.Running != nil
}

func isSidecar(c corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// podConditions are a kubelet's conditions in its order, with PodScheduled
// (the binding's) kept; a condition's transition time changes only when its
// status does.
func podConditions(current []corev1.PodCondition, now metav1.Time, initialized bool, notInitialized, notReady []string) []corev1.PodCondition {
	condition := func(t corev1.PodConditionType, ok bool, reason, message string) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now}
		if !ok {
			c.Status, c.Reason, c.Message = corev1.ConditionFalse, reason, message
		}
		if i := slices.IndexFunc(current, func(cur corev1.PodCondition) bool { return cur.Type == t }); i >= 0 && current[i].Status == c.Status {
			c.LastTransitionTime, c.LastProbeTime = current[i].LastTransitionTime, current[i].LastProbeTime
		}
		return c
	}
	ready := initialized && len(notReady) == 0
	conditions := []corev1.PodCondition{
		condition(corev1.PodReadyToStartContainers, true, "", ""),
		condition(corev1.PodInitialized, initialized, "ContainersNotInitialized", listed("containers with incomplete status", notInitialized)),
		condition(corev1.PodReady, ready, "ContainersNotReady", listed("containers with unready status", notReady)),
		condition(corev1.ContainersReady, ready, "ContainersNotReady", listed("containers with unready status", notReady)),
		condition(corev1.PodScheduled, true, "", ""),
	}
	// Conditions others set (readiness gates, disruption) stay.
	for _, c := range current {
		if !slices.ContainsFunc(conditions, func(mine corev1.PodCondition) bool { return mine.Type == c.Type }) {
			conditions = append(conditions, c)
		}
	}
	return conditions
}

func listed(what string, names []string) string {
	return fmt.Sprintf("%s: [%s]", what, strings.Join(names, " "))
}

// terminatedStatus is the status once the kubelet has stopped every
// container of a pod being deleted: they exit 0, the pod succeeds.
func terminatedStatus(pod *corev1.Pod, now metav1.Time) corev1.PodStatus {
	status := *pod.Status.DeepCopy()
	stop := func(statuses []corev1.ContainerStatus) {
		for i := range statuses {
			cs := &statuses[i]
			if cs.State.Terminated != nil {
				continue
			}
			started := now
			if cs.State.Running != nil {
				started = cs.State.Running.StartedAt
			}
			cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				Reason: reasonCompleted, StartedAt: started, FinishedAt: now, ContainerID: cs.ContainerID,
			}}
			cs.Ready, cs.Started = false, ptr(false)
			if cs.ContainerID == "" {
				// Never started: the kubelet reports the image as asked.
				cs.State.Terminated.Reason, cs.State.Terminated.ExitCode = "ContainerStatusUnknown", 137
			}
		}
	}
	stop(status.ContainerStatuses)
	stop(status.EphemeralContainerStatuses)
	status.Phase = corev1.PodSucceeded
	for i := range status.Conditions {
		c := &status.Conditions[i]
		if (c.Type == corev1.PodReady || c.Type == corev1.ContainersReady || c.Type == corev1.PodReadyToStartContainers) && c.Status != corev1.ConditionFalse {
			c.Status, c.LastTransitionTime = corev1.ConditionFalse, now
			if c.Type != corev1.PodReadyToStartContainers {
				c.Reason = "PodCompleted"
			}
		}
	}
	return status
}

func ptr[T any](v T) *T { return &v }
