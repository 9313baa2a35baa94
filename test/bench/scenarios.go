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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	// phaseTimeout bounds every measured phase.
	phaseTimeout = 10 * time.Minute
	// The names the three add scenarios give their containers.
	putName    = "dbg-put"
	patchName  = "dbg-patch"
	legacyName = "dbg-legacy"
	// profileNamePrefix names the containers the profiling passes add.
	profileNamePrefix = "prof-"
	// maxConflictRetries bounds the retries of one contended add.
	maxConflictRetries = 500
)

// podSet is the state of the pods of one concurrency's scenarios: the
// latest object the server answered for each pod, and which adds it
// acknowledged.
type podSet struct {
	pods  []*corev1.Pod
	acked map[string][]bool
}

func newPodSet(n int) *podSet {
	return &podSet{
		pods: make([]*corev1.Pod, n),
		acked: map[string][]bool{
			putName: make([]bool, n), patchName: make([]bool, n), legacyName: make([]bool, n),
		},
	}
}

func podName(i int) string { return fmt.Sprintf("bench-%05d", i) }

// mainSelector selects the pods of the per-concurrency scenarios.
var mainSelector = benchLabel + "=main"

// runCreate creates n pods.
func (b *bench) runCreate(ctx context.Context, cs kubernetes.Interface, c int, set *podSet) Result {
	return b.phase(ctx, "create", c, len(set.pods), func(ctx context.Context, i int) error {
		p, err := cs.CoreV1().Pods(namespace).Create(ctx, newPod(podName(i), "main"), metav1.CreateOptions{})
		if err != nil {
			return err
		}
		set.pods[i] = p
		return nil
	})
}

// addFunc adds one named ephemeral container to pod in one wire form.
type addFunc func(ctx context.Context, pod *corev1.Pod, name string) (*corev1.Pod, error)

// runAdd adds the container name to every pod with add.
func (b *bench) runAdd(ctx context.Context, scenario string, c int, set *podSet, name string, add addFunc) Result {
	acked := set.acked[name]
	return b.phase(ctx, scenario, c, len(set.pods), func(ctx context.Context, i int) error {
		if set.pods[i] == nil {
			return fmt.Errorf("pod %s was not created", podName(i))
		}
		p, err := add(ctx, set.pods[i], name)
		if err != nil {
			return err
		}
		set.pods[i] = p
		acked[i] = true
		return nil
	})
}

// runDelete deletes the set's pods one by one, with the options kubectl
// delete sends (none: a pod bound to no node goes at once).
func (b *bench) runDelete(ctx context.Context, cs kubernetes.Interface, c int, set *podSet) Result {
	return b.phase(ctx, "delete", c, len(set.pods), func(ctx context.Context, i int) error {
		if set.pods[i] == nil {
			return fmt.Errorf("pod %s was not created", podName(i))
		}
		return cs.CoreV1().Pods(namespace).Delete(ctx, podName(i), metav1.DeleteOptions{})
	})
}

// verifyAdds lists the pods and checks that every acknowledged add is
// present exactly once and no pod has a container twice.
func (b *bench) verifyAdds(ctx context.Context, cs kubernetes.Interface, c int, set *podSet) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	list, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: mainSelector})
	if err != nil {
		b.fail("c=%d: listing the pods to verify them: %v", c, err)
		return
	}
	byName := make(map[string]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		byName[list.Items[i].Name] = &list.Items[i]
	}
	var lost, dup, missingPods int
	for i := range set.pods {
		name := podName(i)
		pod := byName[name]
		if pod == nil {
			if set.pods[i] != nil {
				missingPods++
				b.fail("c=%d: pod %s was created but is not listed", c, name)
			}
			continue
		}
		counts := map[string]int{}
		for _, n := range harness.EphemeralNames(pod) {
			counts[n]++
		}
		for n, k := range counts {
			if k > 1 {
				dup++
				b.fail("c=%d: pod %s has ephemeral container %s %d times", c, name, n, k)
			}
		}
		for _, n := range []string{putName, patchName, legacyName} {
			if set.acked[n][i] && counts[n] != 1 {
				lost++
				b.fail("c=%d: pod %s lost the acknowledged ephemeral container %s", c, name, n)
			}
		}
	}
	b.logf("verify c=%d: %d pods, %d lost adds, %d duplicated, %d missing pods", c, len(list.Items), lost, dup, missingPods)
}

// runList lists the n pods ops times in the clientset's wire form.
func (b *bench) runList(ctx context.Context, scenario string, cs kubernetes.Interface, c, want int) Result {
	// Enough LISTs that the server's CPU, read in 10 ms ticks and with
	// whatever background work lands in the phase, is mostly theirs.
	ops := max(40, 2*c)
	return b.phase(ctx, scenario, c, ops, func(ctx context.Context, _ int) error {
		list, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: mainSelector})
		if err != nil {
			return err
		}
		if len(list.Items) != want {
			return fmt.Errorf("listed %d pods, want %d", len(list.Items), want)
		}
		return nil
	})
}

// runProfiledPatches keeps adding containers by PATCH at concurrency c
// while the server's CPU profile is taken, a pass over every pod at a time,
// bounded in passes and time.
func (b *bench) runProfiledPatches(ctx context.Context, cs kubernetes.Interface, c int, set *podSet) {
	const maxPasses = 40
	done := make(chan error, 1)
	go func() { done <- b.fetchProfile(ctx, cs) }()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for pass := 0; pass < maxPasses; pass++ {
		select {
		case err := <-done:
			b.reportProfile(err)
			return
		default:
		}
		name := fmt.Sprintf("%s%d", profileNamePrefix, pass)
		r := runPhase(ctx, "patch-profiled", c, len(set.pods), nil, func(ctx context.Context, i int) error {
			if set.pods[i] == nil {
				return nil
			}
			p, err := addByPatch(ctx, cs, set.pods[i], name)
			if err == nil {
				set.pods[i] = p
			}
			return err
		})
		if r.Errors > 0 {
			b.logf("profiled PATCH pass %d: %d errors: %s", pass, r.Errors, r.FirstError)
		}
	}
	b.reportProfile(<-done)
}

// contendedAdd adds name to the one pod in the form chosen by form,
// re-reading the pod and retrying on 409 Conflict.
func (b *bench) contendedAdd(ctx context.Context, cs kubernetes.Interface, podName, name string, form int, retries *atomic.Int64) error {
	for attempt := 0; attempt < maxConflictRetries; attempt++ {
		pod, err := cs.CoreV1().Pods(namespace).Get(ctx, podName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		switch form % 3 {
		case 0:
			_, err = addByPut(ctx, cs, pod, name)
		case 1:
			_, err = addByPatch(ctx, cs, pod, name)
		default:
			_, err = addByLegacyPut(ctx, cs.CoreV1().RESTClient(), pod, name)
		}
		if err == nil {
			return nil
		}
		if !apierrors.IsConflict(err) {
			return err
		}
		retries.Add(1)
	}
	return fmt.Errorf("no success in %d attempts: conflicts", maxConflictRetries)
}

// runContention has writers add distinct containers to one pod, each in
// one of the three wire forms, and verifies that every acknowledged add is
// there once.
func (b *bench) runContention(ctx context.Context, cs kubernetes.Interface, writers, adds int) Result {
	const pod = "bench-contended"
	if _, err := cs.CoreV1().Pods(namespace).Create(ctx, newPod(pod, "contended"), metav1.CreateOptions{}); err != nil {
		b.fail("contention: creating pod %s: %v", pod, err)
		return Result{Scenario: "contended-one-pod", Concurrency: writers}
	}
	n := writers * adds
	acked := make([]bool, n)
	var retries atomic.Int64
	r := b.phase(ctx, "contended-one-pod", writers, n, func(ctx context.Context, i int) error {
		if err := b.contendedAdd(ctx, cs, pod, fmt.Sprintf("c%04d", i), i, &retries); err != nil {
			return err
		}
		acked[i] = true
		return nil
	})
	r.Retries = int(retries.Load())

	got, err := cs.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		b.fail("contention: reading pod %s back: %v", pod, err)
		return r
	}
	counts := map[string]int{}
	for _, name := range harness.EphemeralNames(got) {
		counts[name]++
	}
	var lost, dup int
	for i := range acked {
		if acked[i] && counts[fmt.Sprintf("c%04d", i)] != 1 {
			lost++
		}
	}
	for name, k := range counts {
		if k > 1 {
			dup++
			b.fail("contention: %s is in pod %s %d times", name, pod, k)
		}
	}
	if lost > 0 {
		b.fail("contention: %d acknowledged adds are not in pod %s", lost, pod)
	}
	b.logf("contention: %d writers, %d acknowledged of %d adds, %d containers in the pod, %d conflict retries, %d lost, %d duplicated",
		writers, r.Ops, n, len(counts), r.Retries, lost, dup)
	return r
}

// runWatchFanout opens watchers watches on the namespace's pods, creates
// creates pods one at a time, and measures the delay from sending each
// create to each watcher receiving its ADDED event.
func (b *bench) runWatchFanout(ctx context.Context, cs kubernetes.Interface, watchers, creates int) Result {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	sel := metav1.ListOptions{LabelSelector: benchLabel + "=watch"}
	list, err := cs.CoreV1().Pods(namespace).List(ctx, sel)
	if err != nil {
		b.fail("watch: listing: %v", err)
		return Result{Scenario: "watch-fanout", Concurrency: watchers}
	}
	sent := make([]atomic.Int64, creates)
	var mu sync.Mutex
	var delays []time.Duration
	missing := 0

	var wg sync.WaitGroup
	for w := 0; w < watchers; w++ {
		opts := sel
		opts.ResourceVersion = list.ResourceVersion
		wi, err := cs.CoreV1().Pods(namespace).Watch(ctx, opts)
		if err != nil {
			b.fail("watch: opening watch %d: %v", w, err)
			cancel()
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wi.Stop()
			d, got := collectAdds(ctx, wi, sent)
			mu.Lock()
			delays = append(delays, d...)
			missing += creates - got
			mu.Unlock()
		}()
	}

	start := time.Now()
	createErrs := 0
	for i := 0; i < creates && ctx.Err() == nil; i++ {
		pod := newPod(fmt.Sprintf("watch-%04d", i), "watch")
		sent[i].Store(time.Now().UnixNano())
		if _, err := cs.CoreV1().Pods(namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			createErrs++
			b.logf("watch: create %d: %v", i, err)
		}
	}
	elapsed := time.Since(start)
	wg.Wait()

	r := Result{
		Scenario:         "watch-fanout",
		Concurrency:      watchers,
		Ops:              len(delays),
		Errors:           missing,
		Seconds:          elapsed.Seconds(),
		OpsPerSec:        float64(len(delays)) / elapsed.Seconds(),
		Latency:          summarize(delays),
		ServerCPUMsPerOp: -1,
		BenchCPUMsPerOp:  -1,
	}
	if missing > 0 {
		r.FirstError = fmt.Sprintf("%d events not delivered (%d creates failed)", missing, createErrs)
	}
	return r
}

// collectAdds reads ADDED events of the watch-NNNN pods until it has one
// for each or ctx is done, and returns the delays since each create was
// sent.
func collectAdds(ctx context.Context, wi watch.Interface, sent []atomic.Int64) ([]time.Duration, int) {
	seen := make([]bool, len(sent))
	var delays []time.Duration
	for len(delays) < len(sent) {
		select {
		case <-ctx.Done():
			return delays, len(delays)
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return delays, len(delays)
			}
			now := time.Now()
			pod, isPod := ev.Object.(*corev1.Pod)
			if ev.Type != watch.Added || !isPod {
				continue
			}
			var i int
			if _, err := fmt.Sscanf(strings.TrimPrefix(pod.Name, "watch-"), "%d", &i); err != nil || i < 0 || i >= len(sent) || seen[i] {
				continue
			}
			seen[i] = true
			delays = append(delays, now.Sub(time.Unix(0, sent[i].Load())))
		}
	}
	return delays, len(delays)
}

// createMany creates n pods of the group at concurrency c, for the RSS
// measurement, and fails the run if any create fails.
func (b *bench) createMany(ctx context.Context, cs kubernetes.Interface, c, n int, group string) Result {
	r := b.phase(ctx, "create-"+group, c, n, func(ctx context.Context, i int) error {
		_, err := cs.CoreV1().Pods(namespace).Create(ctx, newPod(fmt.Sprintf("%s-%05d", group, i), group), metav1.CreateOptions{})
		return err
	})
	if r.Errors > 0 {
		b.fail("creating %d %s pods: %d errors, first: %s", n, group, r.Errors, r.FirstError)
	}
	return r
}
