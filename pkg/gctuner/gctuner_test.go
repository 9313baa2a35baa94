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

package gctuner

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

const mib = 1 << 20

func TestPercentFor(t *testing.T) {
	cfg := Config{MinHeap: 256 * mib, Percent: 100}
	for _, tc := range []struct {
		name                  string
		live, stacks, globals uint64
		want                  int
	}{
		{name: "small live heap grows to MinHeap", live: 64 * mib, want: 300},
		{name: "stacks and globals count as scanned", live: 60 * mib, stacks: 2 * mib, globals: 2 * mib, want: 306},
		{name: "live heap at half MinHeap is GOGC's", live: 128 * mib, want: 100},
		{name: "live heap above half MinHeap keeps GOGC", live: 200 * mib, want: 100},
		{name: "live heap above MinHeap keeps GOGC", live: 1024 * mib, want: 100},
		{name: "a nearly empty heap is capped", live: 1 * mib, want: maxPercent},
		{name: "no figures yet keeps GOGC", want: 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := PercentFor(cfg, tc.live, tc.stacks, tc.globals); got != tc.want {
				t.Errorf("PercentFor(live=%d MiB) = %d, want %d", tc.live/mib, got, tc.want)
			}
		})
	}
}

func TestLimitFor(t *testing.T) {
	cfg := Config{MinHeap: 256 * mib, Percent: 100, Limit: 4096 * mib}
	for _, tc := range []struct {
		name     string
		cfg      Config
		percent  int
		overhead uint64
		want     int64
	}{
		{name: "small live heap is capped at the floor", cfg: cfg, percent: 300, overhead: 16 * mib, want: (512 + 16) * mib},
		{name: "large live heap gets the process's limit", cfg: cfg, percent: 100, overhead: 16 * mib, want: 4096 * mib},
		{name: "no process limit above the floor", cfg: Config{MinHeap: 256 * mib, Percent: 100, Limit: math.MaxInt64}, percent: 100, want: math.MaxInt64},
		{name: "the process's limit wins when lower", cfg: Config{MinHeap: 256 * mib, Percent: 100, Limit: 500 * mib}, percent: 300, want: 500 * mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := LimitFor(tc.cfg, tc.percent, tc.overhead); got != tc.want {
				t.Errorf("LimitFor(percent=%d) = %d MiB, want %d MiB", tc.percent, got/mib, tc.want/mib)
			}
		})
	}
}

// TestTunerFollowsEveryCollection checks that the runtime's GOGC is the
// tuner's after collections, and Percent again after Stop.
func TestTunerFollowsEveryCollection(t *testing.T) {
	previous := debug.SetGCPercent(100)
	defer debug.SetGCPercent(previous)
	previousLimit := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(previousLimit)

	// A MinHeap far above this test's live heap asks for more than GOGC=100.
	tuner := Start(Config{MinHeap: 64 * mib, Percent: 100, Limit: math.MaxInt64})
	for i := 0; i < 3; i++ {
		runtime.GC()
		want := expectedPercent(t, tuner.cfg)
		waitForGOGC(t, want)
	}
	if got := currentGOGC(); got <= 100 {
		t.Fatalf("GOGC = %d with a live heap far below MinHeap, want above 100", got)
	}
	// Meanwhile a burst could not outgrow the floor by much.
	if got := debug.SetMemoryLimit(-1); got < 128*mib || got > 192*mib {
		t.Fatalf("memory limit = %d MiB with a live heap far below MinHeap, want twice MinHeap and a little more", got/mib)
	}
	tuner.Stop()
	if got := currentGOGC(); got != 100 {
		t.Fatalf("GOGC = %d after Stop, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("memory limit = %d after Stop, want none", got)
	}
	// Stopped, it no longer follows collections.
	debug.SetGCPercent(150)
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if got := currentGOGC(); got != 150 {
		t.Fatalf("GOGC = %d after a collection once stopped, want the 150 set since", got)
	}
}

func expectedPercent(t *testing.T, cfg Config) int {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(s)
	return PercentFor(cfg, s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64())
}

// waitForGOGC waits for the cleanup that runs after a collection.
func waitForGOGC(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for currentGOGC() != want {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC = %d after a collection, want %d", currentGOGC(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func currentGOGC() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}
