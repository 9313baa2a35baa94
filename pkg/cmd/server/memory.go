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

package server

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/klog/v2"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/gctuner"
)

const (
	// defaultMinHeap is the heap the collector lets grow to before it
	// collects while the live heap is small: four times a busy server's live
	// heap of about 60 MiB, which took the collector's marking under writes
	// from about a quarter of the CPU to 10-15%.
	defaultMinHeap = 256 << 20
	// cgroupShare is the part of a cgroup's memory limit the process takes
	// as its soft limit; the rest is for the binary's pages and etcd's mmap,
	// which the runtime does not count.
	cgroupShare = 0.9
	// minHeapShare caps MinHeap at this part of the memory limit, so that a
	// small limit is not spent on garbage.
	minHeapShare = 4
)

// MemoryOptions are the process's memory policy. They are applied by the
// command only: an API server started inside another process (tests,
// pkg/testserver) leaves that process's runtime settings alone.
type MemoryOptions struct {
	// Limit is the runtime's soft memory limit; zero takes GOMEMLIMIT, or
	// a share of the cgroup's limit, or none.
	Limit resource.Quantity
	// MinHeap is gctuner's heap target while the live heap is small; zero
	// leaves the collector to GOGC.
	MinHeap resource.Quantity
}

// NewMemoryOptions returns the defaults.
func NewMemoryOptions() *MemoryOptions {
	return &MemoryOptions{MinHeap: *resource.NewQuantity(defaultMinHeap, resource.BinarySI)}
}

// AddFlags adds the memory flags to fs.
func (o *MemoryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.Var(quantityValue{&o.Limit}, "memory-limit",
		"Soft limit on the process's memory, e.g. 2Gi: the garbage collector works harder as the heap nears it. "+
			"Default: GOMEMLIMIT if set, else 90% of the cgroup's memory limit, else none.")
	fs.Var(quantityValue{&o.MinHeap}, "gc-min-heap",
		"Heap the garbage collector lets grow to before it collects while the live heap is smaller (at most a quarter of --memory-limit); "+
			"above it the collector runs as GOGC=100 does. 0, or GOGC in the environment, leaves the collector to GOGC alone.")
}

// Validate reports invalid memory flags.
func (o *MemoryOptions) Validate() []error {
	var errs []error
	if o.Limit.Sign() < 0 {
		errs = append(errs, errors.New("--memory-limit must not be negative"))
	}
	if o.MinHeap.Sign() < 0 {
		errs = append(errs, errors.New("--gc-min-heap must not be negative"))
	}
	return errs
}

// Apply sets the runtime's memory limit and starts the heap tuner.
func (o *MemoryOptions) Apply() {
	limit := o.limit()
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	cfg, ok := o.tunerConfig(limit, os.Getenv("GOGC"))
	if !ok {
		klog.InfoS("Garbage collector left to GOGC", "GOGC", os.Getenv("GOGC"), "memoryLimit", formatLimit(limit))
		return
	}
	gctuner.Start(cfg)
	klog.InfoS("Garbage collector heap target adapts to the live heap", "minHeap", cfg.MinHeap, "memoryLimit", formatLimit(limit))
}

// limit is the soft memory limit to set; 0 leaves the runtime's (from
// GOMEMLIMIT, or none).
func (o *MemoryOptions) limit() int64 {
	if v := o.Limit.Value(); v > 0 {
		return v
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	cgroup, err := memlimit.FromCgroup()
	if err != nil || cgroup == 0 || cgroup > math.MaxInt64 {
		return 0
	}
	return int64(float64(cgroup) * cgroupShare)
}

// tunerConfig is the tuner's policy, or false when the collector is left
// to GOGC: a GOGC the operator set wins.
func (o *MemoryOptions) tunerConfig(limit int64, gogc string) (gctuner.Config, bool) {
	minHeap := o.MinHeap.Value()
	if gogc != "" || minHeap <= 0 {
		return gctuner.Config{}, false
	}
	if limit <= 0 {
		limit = debug.SetMemoryLimit(-1)
	}
	if capped := limit / minHeapShare; capped < minHeap {
		minHeap = capped
	}
	return gctuner.Config{MinHeap: uint64(minHeap), Percent: 100, Limit: limit}, true
}

func formatLimit(limit int64) string {
	if limit <= 0 {
		limit = debug.SetMemoryLimit(-1)
	}
	if limit == math.MaxInt64 {
		return "none"
	}
	return resource.NewQuantity(limit, resource.BinarySI).String()
}

// quantityValue is a pflag.Value for a resource.Quantity.
type quantityValue struct{ q *resource.Quantity }

func (v quantityValue) String() string { return v.q.String() }
func (v quantityValue) Type() string   { return "quantity" }
func (v quantityValue) Set(s string) error {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return fmt.Errorf("not a quantity such as 512Mi or 2Gi: %w", err)
	}
	*v.q = q
	return nil
}
