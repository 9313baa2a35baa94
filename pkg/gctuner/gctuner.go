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
// once the live heap is large.
//
// GOGC is a ratio: a percentage set for a live heap of 40 MiB would let a
// burst that leaves 400 MiB live grow the heap to several GiB before the
// tuner hears of it. So while the live heap is small the tuner also lowers
// the runtime's soft memory limit to twice MinHeap (plus the runtime's own
// overhead), which ends such a burst's cycle there; once the live heap is
// large the process's own limit, if any, applies again.
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
	// Limit is the process's soft memory limit (math.MaxInt64: none); the
	// tuner lowers the runtime's below it only while the live heap is small.
	Limit int64
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

// burstHeap is how far a burst may grow the heap, in MinHeaps, before the
// memory limit ends its cycle. GOGC's target ends the cycles of a steady
// load at MinHeap; a limit as low as that made every collection of a burst
// of large LISTs hit it, and the collector then took half the CPU.
const burstHeap = 2

// LimitFor returns the soft memory limit for a collection that chose
// percent: while percent is above Percent (the live heap is small), twice
// MinHeap plus what the runtime holds besides the heap (overhead);
// otherwise the process's Limit.
func LimitFor(cfg Config, percent int, overhead uint64) int64 {
	if percent <= cfg.Percent {
		return cfg.Limit
	}
	floor := burstHeap*cfg.MinHeap + overhead
	if floor >= uint64(cfg.Limit) {
		return cfg.Limit
	}
	return int64(floor)
}

// Tuner adjusts GOGC after every collection until Stop.
type Tuner struct {
	cfg     Config
	samples []metrics.Sample
	mu      sync.Mutex
	stopped bool
	// lastPercent and lastLimit were set last, so that unchanged ones are
	// not set again.
	lastPercent int
	lastLimit   int64
}

// The runtime metrics the tuner reads after each collection.
const (
	liveHeap = iota
	scannedStacks
	scannedGlobals
	totalMemory
	releasedMemory
	heapObjects
	heapUnused
	heapFree
)

// Start sets GOGC for the current heap and then after every collection.
func Start(cfg Config) *Tuner {
	t := &Tuner{cfg: cfg, lastPercent: -1, lastLimit: -1, samples: []metrics.Sample{
		liveHeap:       {Name: "/gc/heap/live:bytes"},
		scannedStacks:  {Name: "/gc/scan/stack:bytes"},
		scannedGlobals: {Name: "/gc/scan/globals:bytes"},
		totalMemory:    {Name: "/memory/classes/total:bytes"},
		releasedMemory: {Name: "/memory/classes/heap/released:bytes"},
		heapObjects:    {Name: "/memory/classes/heap/objects:bytes"},
		heapUnused:     {Name: "/memory/classes/heap/unused:bytes"},
		heapFree:       {Name: "/memory/classes/heap/free:bytes"},
	}}
	t.tune()
	t.arm()
	return t
}

// Stop ends the tuning and restores GOGC to Percent and the memory limit
// to Limit.
func (t *Tuner) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	debug.SetGCPercent(t.cfg.Percent)
	debug.SetMemoryLimit(t.cfg.Limit)
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

// tune sets GOGC and the memory limit from the last collection's figures;
// it reports false once the tuner is stopped.
func (t *Tuner) tune() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	metrics.Read(t.samples)
	v := func(i int) uint64 { return sampleValue(t.samples[i]) }
	percent := PercentFor(t.cfg, v(liveHeap), v(scannedStacks), v(scannedGlobals))
	// What the memory limit counts besides the heap's objects and free
	// space: stacks, the runtime's metadata, buffers.
	overhead := saturatingSub(v(totalMemory), v(releasedMemory)+v(heapObjects)+v(heapUnused)+v(heapFree))
	limit := LimitFor(t.cfg, percent, overhead)
	// A lower limit first, so that the heap is never left unbounded by a
	// higher GOGC in between.
	if limit != t.lastLimit {
		debug.SetMemoryLimit(limit)
		t.lastLimit = limit
	}
	if percent != t.lastPercent {
		debug.SetGCPercent(percent)
		t.lastPercent = percent
	}
	return true
}

func saturatingSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

func sampleValue(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}
