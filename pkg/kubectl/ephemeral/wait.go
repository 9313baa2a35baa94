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
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// DefaultWaitTimeout is how long --wait waits when given no duration.
const DefaultWaitTimeout = time.Minute

// hopelessReasons are Waiting reasons a kubelet gives a container it will
// not start without a change to the pod: waiting on is pointless.
var hopelessReasons = map[string]bool{
	"ImagePullBackOff":           true,
	"ErrImageNeverPull":          true,
	"InvalidImageName":           true,
	"CreateContainerConfigError": true,
}

// NotRunningError says why an ephemeral container is not running.
type NotRunningError struct {
	Container string
	// Waited is set when the wait timed out.
	Waited time.Duration
	// State is the container's last state; nil when the pod had no status
	// for it.
	State *corev1.ContainerState
}

func (e *NotRunningError) Error() string {
	var why string
	switch s := e.State; {
	case s == nil:
		why = "it has no status (no kubelet has reported on it)"
	case s.Waiting != nil:
		why = "Waiting: " + withDetail(orDefault(s.Waiting.Reason, "unknown reason"), s.Waiting.Message)
	case s.Terminated != nil:
		why = fmt.Sprintf("Terminated with exit code %d: %s", s.Terminated.ExitCode,
			withDetail(orDefault(s.Terminated.Reason, "unknown reason"), s.Terminated.Message))
	default:
		why = "its state is empty"
	}
	if e.Waited > 0 {
		return fmt.Sprintf("ephemeral container %q is not running after %v: %s", e.Container, e.Waited, why)
	}
	return fmt.Sprintf("ephemeral container %q is not running: %s", e.Container, why)
}

func withDetail(reason, message string) string {
	if message == "" {
		return reason
	}
	return reason + ": " + message
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// WaitForRunning polls the pod until the status of its ephemeral
// container says Running, for at most timeout. It gives up at once on a
// terminated container and on a Waiting reason that will not change by
// itself (ImagePullBackOff, ...); a *NotRunningError tells the last state.
func WaitForRunning(ctx context.Context, pods corev1client.PodInterface, podName, container string, timeout, interval time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var state *corev1.ContainerState
	for {
		pod, err := pods.Get(ctx, podName, metav1.GetOptions{})
		switch {
		case err == nil:
			state = ephemeralState(pod, container)
			if state != nil && state.Running != nil {
				return nil
			}
			if state != nil && (state.Terminated != nil || (state.Waiting != nil && hopelessReasons[state.Waiting.Reason])) {
				return &NotRunningError{Container: container, State: state}
			}
		case ctx.Err() == nil:
			return err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return &NotRunningError{Container: container, Waited: timeout, State: state}
			}
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// ephemeralState is the state the pod's status gives the container, or nil.
func ephemeralState(pod *corev1.Pod, container string) *corev1.ContainerState {
	for i := range pod.Status.EphemeralContainerStatuses {
		if s := &pod.Status.EphemeralContainerStatuses[i]; s.Name == container {
			return &s.State
		}
	}
	return nil
}
