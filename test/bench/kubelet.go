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

package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// kubeletTarget is how soon after its add every debug container is to be
// reported Running by the simulated kubelet.
const kubeletTarget = time.Second

// measureSimulatedKubelet starts a server that plays the node
// (--simulate-kubelet), stores kubeletPods pods and waits until the kubelet
// reports them all Running, then has kubeletWriters writers add
// kubeletAdds debug containers (kubectl debug's patch) to distinct pods,
// and measures for each the time from the add's acknowledgement to the
// watch event that shows it Running.
func (b *bench) measureSimulatedKubelet(ctx context.Context) error {
	if b.opts.kubeletPods == 0 || b.opts.kubeconfig != "" {
		return nil
	}
	_, done, err := b.useFreshServer(ctx, "the simulated kubelet's server", "--simulate-kubelet")
	if err != nil {
		return err
	}
	defer done()
	cs, err := b.clientset(b.opts.kubeletWriters, false)
	if err != nil {
		return err
	}

	pods, writers, adds := b.opts.kubeletPods, b.opts.kubeletWriters, min(b.opts.kubeletAdds, b.opts.kubeletPods)
	b.createMany(ctx, cs, writers, pods, "kubelet")
	start := time.Now()
	if err := waitAllRunning(ctx, cs); err != nil {
		return err
	}
	b.logf("simulated kubelet: %d pods Running %.1f s after the last create", pods, time.Since(start).Seconds())

	list, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: benchLabel + "=kubelet", Limit: 1})
	if err != nil {
		return err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	running := newRunningTimes()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		running.follow(watchCtx, cs, list.ResourceVersion)
	}()

	var mu sync.Mutex
	acked := map[string]time.Time{}
	r := b.phase(ctx, "kubelet-add", writers, adds, func(ctx context.Context, i int) error {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("kubelet-%05d", i)}}
		if _, err := addByPatch(ctx, cs, pod, "dbg"); err != nil {
			return err
		}
		mu.Lock()
		acked[pod.Name] = time.Now()
		mu.Unlock()
		return nil
	})
	if r.Errors > 0 {
		b.fail("simulated kubelet: %d adds failed, first: %s", r.Errors, r.FirstError)
	}

	// Every acknowledged container is reported Running, within a bound
	// far beyond the target so that a slow one is measured, not lost.
	_ = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return running.count() >= len(acked), nil
	})
	stopWatch()
	<-watched

	var delays []time.Duration
	missing, late := 0, 0
	for name, ack := range acked {
		at, ok := running.at(name)
		if !ok {
			missing++
			continue
		}
		d := max(at.Sub(ack), 0)
		if d > kubeletTarget {
			late++
		}
		delays = append(delays, d)
	}
	result := Result{
		Scenario:         "kubelet-running",
		Concurrency:      writers,
		Round:            b.round,
		Ops:              len(delays),
		Errors:           missing,
		Seconds:          r.Seconds,
		OpsPerSec:        float64(len(delays)) / r.Seconds,
		Latency:          summarize(delays),
		ServerCPUMsPerOp: -1,
	}
	if missing > 0 {
		result.FirstError = fmt.Sprintf("%d debug containers never reported Running", missing)
		b.fail("simulated kubelet: %s", result.FirstError)
	}
	b.record(result)
	b.logf("simulated kubelet: %d of %d debug containers Running more than %v after their add", late, len(delays), kubeletTarget)
	return deleteAllPods(ctx, cs)
}

// waitAllRunning waits until no benchmark pod is other than Running.
func waitAllRunning(ctx context.Context, cs kubernetes.Interface) error {
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 10*time.Minute, true, func(ctx context.Context) (bool, error) {
		list, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{
			LabelSelector: benchLabel, FieldSelector: "status.phase!=Running", Limit: 1,
		})
		return err == nil && len(list.Items) == 0, nil
	})
}

// runningTimes records when a watch first showed each pod's debug
// container "dbg" Running.
type runningTimes struct {
	mu    sync.Mutex
	times map[string]time.Time
}

func newRunningTimes() *runningTimes { return &runningTimes{times: map[string]time.Time{}} }

// follow watches the benchmark's pods from resourceVersion until ctx is
// done, watching again from the last event when the server ends a watch.
func (r *runningTimes) follow(ctx context.Context, cs kubernetes.Interface, resourceVersion string) {
	for ctx.Err() == nil {
		w, err := cs.CoreV1().Pods(namespace).Watch(ctx, metav1.ListOptions{
			LabelSelector: benchLabel + "=kubelet", ResourceVersion: resourceVersion, AllowWatchBookmarks: true,
		})
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		resourceVersion = r.collect(w, resourceVersion)
	}
}

// collect records from w until it ends, and returns the resourceVersion of
// the last event.
func (r *runningTimes) collect(w watch.Interface, resourceVersion string) string {
	defer w.Stop()
	for event := range w.ResultChan() {
		now := time.Now()
		pod, ok := event.Object.(*corev1.Pod)
		if !ok {
			continue
		}
		resourceVersion = pod.ResourceVersion
		if event.Type != watch.Modified {
			continue
		}
		for _, cs := range pod.Status.EphemeralContainerStatuses {
			if cs.Name == "dbg" && cs.State.Running != nil {
				r.mu.Lock()
				if _, seen := r.times[pod.Name]; !seen {
					r.times[pod.Name] = now
				}
				r.mu.Unlock()
			}
		}
	}
	return resourceVersion
}

func (r *runningTimes) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.times)
}

func (r *runningTimes) at(pod string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.times[pod]
	return t, ok
}
