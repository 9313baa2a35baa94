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

// Package gctuner sets the Go garbage collector's heap target after every
// collection, from the heap that collection found live.
//
// With GOGC alone the target is twice the live heap. This server's live heap
// is small (tens of MiB: the watch cache and the embedded etcd's state), so
// under write load it collected every few hundred milliseconds, and marking
// was a quarter of its CPU. The tuner lets the heap grow to MinHeap before a
// collection while the live heap is small, and leaves GOGC's target alone
// once the live heap is large; the runtime's soft memory limit, when one is
// set, bounds both.
package gctuner

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Config is the heap target policy.
type Config struct {
	// MinHeap is the heap target while the live heap is small, in bytes.
	MinHeap uint64
	// Percent is the GOGC applied above MinHeap (Go's default is 100).
	Percent int
}

// maxPercent bounds the GOGC the tuner sets: at a live heap of a few MiB
// (just after start) MinHeap alone would ask for a huge percentage, which
// the runtime takes but which says nothing useful in /metrics.
const maxPercent = 5000

// PercentFor returns the GOGC that puts the next heap target at
// max(MinHeap, what Percent gives), given the heap found live and the
// stacks and globals the collector also scans. The runtime's target is
// live + (live + stacks + globals) * GOGC/100.
func PercentFor(cfg Config, live, stacks, globals uint64) int {
	scanned := live + stacks + globals
	if scanned == 0 || live >= cfg.MinHeap {
		return cfg.Percent
	}
	percent := float64(cfg.MinHeap-live) * 100 / float64(scanned)
	switch {
	case percent <= float64(cfg.Percent):
		return cfg.Percent
	case percent >= maxPercent:
		return maxPercent
	}
	return int(math.Floor(percent))
}

// Tuner adjusts GOGC after every collection until Stop.
type Tuner struct {
	cfg     Config
	samples []metrics.Sample
	mu      sync.Mutex
	stopped bool
	// last is the GOGC last set, so that an unchanged one is not set again.
	last int
}

// Start sets GOGC for the current heap and then after every collection.
func Start(cfg Config) *Tuner {
	t := &Tuner{cfg: cfg, last: -1, samples: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/stack:bytes"},
		{Name: "/gc/scan/globals:bytes"},
	}}
	t.tune()
	t.arm()
	return t
}

// Stop ends the tuning and restores GOGC to Percent.
func (t *Tuner) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	debug.SetGCPercent(t.cfg.Percent)
}

// arm registers a cleanup on a fresh object that nothing references: the
// next collection finds it unreachable and the runtime then calls back.
func (t *Tuner) arm() {
	runtime.AddCleanup(new(byte), func(t *Tuner) { t.afterCollection() }, t)
}

func (t *Tuner) afterCollection() {
	if t.tune() {
		t.arm()
	}
}

// tune sets GOGC from the last collection's figures; it reports false once
// the tuner is stopped.
func (t *Tuner) tune() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	metrics.Read(t.samples)
	percent := PercentFor(t.cfg, sampleValue(t.samples[0]), sampleValue(t.samples[1]), sampleValue(t.samples[2]))
	if percent != t.last {
		debug.SetGCPercent(percent)
		t.last = percent
	}
	return true
}

func sampleValue(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}
