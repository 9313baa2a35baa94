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

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

// namespace is where every spec writes; the server creates it.
const namespace = "default"

// Recorder counts every HTTP response a client receives, by status code,
// and keeps the message of the first few of each 5xx code. Responses that
// client-go retries on its own are counted too: it is what the server said.
type Recorder struct {
	mu sync.Mutex
	// Codes counts responses by HTTP status code.
	Codes map[int]int
	// NoResponse counts requests that got no HTTP response at all, other
	// than those canceled by the spec.
	NoResponse int
	// Messages holds up to 3 distinct Status messages per 5xx code.
	Messages map[int][]string
}

func newRecorder() *Recorder {
	return &Recorder{Codes: map[int]int{}, Messages: map[int][]string{}}
}

func (r *Recorder) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			if req.Context().Err() == nil {
				r.mu.Lock()
				r.NoResponse++
				r.mu.Unlock()
			}
			return resp, err
		}
		var message string
		if resp.StatusCode >= 500 {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(body))
			message = statusMessage(body)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.Codes[resp.StatusCode]++
		if message != "" && len(r.Messages[resp.StatusCode]) < 3 && !slices.Contains(r.Messages[resp.StatusCode], message) {
			r.Messages[resp.StatusCode] = append(r.Messages[resp.StatusCode], message)
		}
		return resp, nil
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// statusMessage is the message of a metav1.Status body, JSON or
// protobuf, or the body.
func statusMessage(body []byte) string {
	if obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, nil); err == nil {
		if status, ok := obj.(*metav1.Status); ok && status.Message != "" {
			return status.Message
		}
	}
	var status metav1.Status
	if err := json.Unmarshal(body, &status); err == nil && status.Message != "" {
		return status.Message
	}
	const max = 300
	if len(body) > max {
		body = body[:max]
	}
	return string(body)
}

// Count is how many responses had code.
func (r *Recorder) Count(code int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Codes[code]
}

// ServerErrors counts the 5xx responses by code.
func (r *Recorder) ServerErrors() map[int]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs := map[int]int{}
	for code, n := range r.Codes {
		if code >= 500 {
			errs[code] = n
		}
	}
	return errs
}

// String is every code with its count, then the 5xx messages.
func (r *Recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	total := 0
	for _, code := range slices.Sorted(maps.Keys(r.Codes)) {
		fmt.Fprintf(&b, "%d: %d, ", code, r.Codes[code])
		total += r.Codes[code]
	}
	fmt.Fprintf(&b, "no response: %d (%d responses)", r.NoResponse, total)
	for _, code := range slices.Sorted(maps.Keys(r.Messages)) {
		for _, m := range r.Messages[code] {
			fmt.Fprintf(&b, "\n  %d %q", code, m)
		}
	}
	return b.String()
}

// Ledger is every acknowledged (2xx) write: the pods created and the
// ephemeral containers added to each.
type Ledger struct {
	mu         sync.Mutex
	pods       map[string][]string
	containers int
}

func newLedger() *Ledger { return &Ledger{pods: map[string][]string{}} }

func (l *Ledger) ackPod(pod string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.pods[pod]; !ok {
		l.pods[pod] = nil
	}
}

func (l *Ledger) ackContainer(pod, container string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pods[pod] = append(l.pods[pod], container)
	l.containers++
}

// Counts is how many pods and ephemeral containers were acknowledged.
// AckedPods are the names of the acknowledged pods, sorted.
func (l *Ledger) AckedPods() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Sorted(maps.Keys(l.pods))
}

func (l *Ledger) Counts() (pods, containers int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pods), l.containers
}

// Audit is what a list of pods says about a ledger.
type Audit struct {
	AckedPods, AckedContainers int
	LostPods, LostContainers   int
	// Duplicated counts ephemeral container names found more than once in
	// one pod, in any listed pod.
	Duplicated int
	// Examples names a few lost or duplicated writes.
	Examples []string
}

func (a Audit) String() string {
	s := fmt.Sprintf("acknowledged: %d pods, %d ephemeral containers; lost: %d pods, %d ephemeral containers; duplicated ephemeral container names: %d",
		a.AckedPods, a.AckedContainers, a.LostPods, a.LostContainers, a.Duplicated)
	if len(a.Examples) > 0 {
		s += "; e.g. " + strings.Join(a.Examples, ", ")
	}
	return s
}

func (a *Audit) example(format string, args ...any) {
	if len(a.Examples) < 5 {
		a.Examples = append(a.Examples, fmt.Sprintf(format, args...))
	}
}

// audit checks every acknowledged write against pods.
func (l *Ledger) audit(pods []corev1.Pod) Audit {
	l.mu.Lock()
	defer l.mu.Unlock()
	found := map[string]map[string]int{}
	var a Audit
	for _, pod := range pods {
		names := map[string]int{}
		for _, ec := range pod.Spec.EphemeralContainers {
			names[ec.Name]++
			if names[ec.Name] == 2 {
				a.Duplicated++
				a.example("%s/%s twice", pod.Name, ec.Name)
			}
		}
		found[pod.Name] = names
	}
	for _, pod := range slices.Sorted(maps.Keys(l.pods)) {
		a.AckedPods++
		a.AckedContainers += len(l.pods[pod])
		names, ok := found[pod]
		if !ok {
			a.LostPods++
			a.LostContainers += len(l.pods[pod])
			a.example("pod %s", pod)
			continue
		}
		for _, c := range l.pods[pod] {
			if names[c] == 0 {
				a.LostContainers++
				a.example("%s/%s", pod, c)
			}
		}
	}
	return a
}

// listPods lists the namespace through client, retrying for a while: the
// audit needs one complete list.
func listPods(client kubernetes.Interface) []corev1.Pod {
	GinkgoHelper()
	var pods []corev1.Pod
	Eventually(func(g Gomega) {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		var err error
		pods, err = harness.ListPods(ctx, client, namespace)
		g.Expect(err).NotTo(HaveOccurred())
	}).Should(Succeed())
	return pods
}

// ephemeralContainer is the container addEphemeralContainer's patch adds,
// for a PUT of pods/ephemeralcontainers.
func ephemeralContainer(name string) corev1.EphemeralContainer {
	c := harness.DebugContainer(name)
	c.ImagePullPolicy = corev1.PullIfNotPresent
	return c
}

// addEphemeralContainer adds one ephemeral container with a strategic
// merge patch of pods/ephemeralcontainers, as kubectl debug does.
func addEphemeralContainer(ctx context.Context, client kubernetes.Interface, pod, container string) error {
	patch := fmt.Sprintf(`{"spec":{"ephemeralContainers":[{"name":%q,"image":"busybox","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}]}}`, container)
	_, err := client.CoreV1().Pods(namespace).Patch(ctx, pod, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "ephemeralcontainers")
	return err
}

// runWriters starts n writers that, until stop is done, create pods named
// prefix-wW-I and add containersPerPod ephemeral containers d0, d1, ... to
// each, recording every acknowledged write in ledger. stop only keeps them
// from sending more: a request in flight gets the server's answer (within
// requestTimeout), so that every answer is counted. The returned func
// waits for them.
func runWriters(stop context.Context, client kubernetes.Interface, n int, prefix string, containersPerPod int, ledger *Ledger) (wait func()) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			defer GinkgoRecover()
			for i := 0; stop.Err() == nil; i++ {
				name := fmt.Sprintf("%s-w%d-%d", prefix, w, i)
				if _, err := client.CoreV1().Pods(namespace).Create(ctx, harness.Pod(namespace, name), metav1.CreateOptions{}); err != nil {
					pause(stop, 20*time.Millisecond)
					continue
				}
				ledger.ackPod(name)
				for k := 0; k < containersPerPod && stop.Err() == nil; k++ {
					container := fmt.Sprintf("d%d", k)
					if err := addEphemeralContainer(ctx, client, name, container); err != nil {
						pause(stop, 20*time.Millisecond)
						continue
					}
					ledger.ackContainer(name, container)
				}
			}
		})
	}
	return wg.Wait
}

// pause sleeps for d or until ctx is done.
func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// probe is one create of the prober.
type probe struct {
	start, end time.Time
	ok         bool
	// failure is the HTTP code of a failed create, or what kept it from
	// having one.
	failure string
}

// probeSummary counts the acknowledged probes and the failures by kind.
func probeSummary(probes []probe) string {
	ok, failures := 0, map[string]int{}
	var latencies []time.Duration
	for _, p := range probes {
		latencies = append(latencies, p.end.Sub(p.start))
		if p.ok {
			ok++
		} else {
			failures[p.failure]++
		}
	}
	return fmt.Sprintf("%d of %d creates acknowledged, failures %v, latency p50 %s max %s",
		ok, len(probes), failures, ms(median(latencies)), ms(maxOf(latencies)))
}

func failureOf(err error) string {
	if code := codeOf(err); code != 0 {
		return fmt.Sprint(code)
	}
	return err.Error()
}

// runProber creates a fresh pod every interval until stop is done, each in
// its own goroutine so that a slow create does not delay the next, and
// records acknowledged creates in ledger. The returned func waits for the
// creates in flight (each bounded by requestTimeout) and returns every
// probe.
func runProber(stop context.Context, client kubernetes.Interface, interval time.Duration, prefix string, ledger *Ledger) (wait func() []probe) {
	var (
		mu     sync.Mutex
		probes []probe
		wg     sync.WaitGroup
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop.Done():
				return
			case <-ticker.C:
			}
			name := fmt.Sprintf("%s-%d", prefix, i)
			wg.Go(func() {
				p := probe{start: time.Now()}
				_, err := client.CoreV1().Pods(namespace).Create(context.Background(), harness.Pod(namespace, name), metav1.CreateOptions{})
				p.end, p.ok = time.Now(), err == nil
				if p.ok {
					ledger.ackPod(name)
				} else {
					p.failure = failureOf(err)
				}
				mu.Lock()
				probes = append(probes, p)
				mu.Unlock()
			})
		}
	}()
	return func() []probe {
		<-done
		wg.Wait()
		return probes
	}
}

// longestGap is the longest time within [from, to] during which no probe
// succeeded: a success is the moment its response arrived.
func longestGap(probes []probe, from, to time.Time) time.Duration {
	var successes []time.Time
	for _, p := range probes {
		if p.ok && p.end.After(from) && !p.end.After(to) {
			successes = append(successes, p.end)
		}
	}
	sort.Slice(successes, func(i, j int) bool { return successes[i].Before(successes[j]) })
	longest, prev := time.Duration(0), from
	for _, s := range append(successes, to) {
		longest = max(longest, s.Sub(prev))
		prev = s
	}
	return longest
}

// median is the middle of ds (the mean of the two middle ones for an even
// count); maxOf is the largest.
func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func maxOf(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return slices.Max(ds)
}

// codeOf is the HTTP status code of a client-go error, 0 without one.
func codeOf(err error) int {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return int(status.Status().Code)
	}
	return 0
}

func ms(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }
