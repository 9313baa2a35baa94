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
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

// Result is one measured phase: a scenario at one concurrency in one round.
type Result struct {
	Scenario    string  `json:"scenario"`
	Concurrency int     `json:"concurrency"`
	Round       int     `json:"round"`
	Ops         int     `json:"ops"`
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	OpsPerSec   float64 `json:"opsPerSec"`
	Latency     Latency `json:"latency"`
	// ServerCPUMsPerOp is the server process's user+system CPU over the
	// phase divided by the successful operations; -1 when unknown.
	ServerCPUMsPerOp float64 `json:"serverCpuMsPerOp"`
	// BenchCPUMsPerOp is this load tool's own user+system CPU over the
	// phase divided by the successful operations (it shares the machine's
	// cores with the server); -1 when unknown.
	BenchCPUMsPerOp float64 `json:"benchCpuMsPerOp"`
	// Retries counts the 409 Conflict retries of the contended scenario.
	Retries int `json:"retries,omitempty"`
	// FirstError is kept to explain Errors.
	FirstError string `json:"firstError,omitempty"`
}

// op is one operation of a phase; i is its index in [0, n).
type op func(ctx context.Context, i int) error

// cpuMeter reads the server's CPU time; nil when the server is not ours.
type cpuMeter interface {
	CPUTime() (time.Duration, error)
}

// runPhase runs n operations with conc workers, each bounded by the
// phase's context, and measures throughput, latency and the server CPU.
// The phase stops early (the remaining operations counted as errors) when
// ctx is done.
func runPhase(ctx context.Context, name string, conc, n int, cpu cpuMeter, fn op) Result {
	requested := conc
	if conc > n {
		conc = n
	}
	if conc < 1 {
		conc = 1
	}
	lat := make([]time.Duration, n)
	ok := make([]bool, n)
	var next atomic.Int64
	var errCount atomic.Int64
	var firstErr atomic.Value

	cpu0 := readCPU(cpu)
	self0 := readCPU(self)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if ctx.Err() != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, ctx.Err().Error())
					continue
				}
				t0 := time.Now()
				err := fn(ctx, i)
				lat[i] = time.Since(t0)
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				ok[i] = true
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	self1 := readCPU(self)
	cpu1 := settledCPU(ctx, cpu)

	good := make([]time.Duration, 0, n)
	for i := range lat {
		if ok[i] {
			good = append(good, lat[i])
		}
	}
	r := Result{
		Scenario:         name,
		Concurrency:      requested,
		Ops:              len(good),
		Errors:           int(errCount.Load()),
		Seconds:          elapsed.Seconds(),
		Latency:          summarize(good),
		ServerCPUMsPerOp: -1,
		BenchCPUMsPerOp:  -1,
	}
	if elapsed > 0 {
		r.OpsPerSec = float64(len(good)) / elapsed.Seconds()
	}
	if cpu0 >= 0 && cpu1 >= 0 && len(good) > 0 {
		r.ServerCPUMsPerOp = ms(cpu1-cpu0) / float64(len(good))
	}
	if self0 >= 0 && self1 >= 0 && len(good) > 0 {
		r.BenchCPUMsPerOp = ms(self1-self0) / float64(len(good))
	}
	if e, _ := firstErr.Load().(string); e != "" {
		r.FirstError = e
	}
	return r
}

// selfMeter reads this process's own CPU time.
type selfMeter struct{}

func (selfMeter) CPUTime() (time.Duration, error) { return harness.CPUTime(os.Getpid()) }

// self is the load tool's own CPU meter.
var self cpuMeter = selfMeter{}

// Work a server defers past its answers (events it writes in the
// background, its store's commits, the collector) belongs to the phase that
// caused it, not to the next one: the server's CPU is read once it has been
// quiet for settleWindow (at most one 10 ms clock tick used in it), or after
// maxSettle.
const (
	settleWindow = 200 * time.Millisecond
	quietCPU     = 10 * time.Millisecond
	maxSettle    = 5 * time.Second
)

// settledCPU reads the server's CPU time once it has settled.
func settledCPU(ctx context.Context, cpu cpuMeter) time.Duration {
	last := readCPU(cpu)
	if last < 0 {
		return last
	}
	deadline := time.Now().Add(maxSettle)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(settleWindow)
		now := readCPU(cpu)
		if now < 0 {
			return now
		}
		if now-last <= quietCPU {
			return now
		}
		last = now
	}
	return last
}

// readCPU is the meter's reading, or -1 without one.
func readCPU(cpu cpuMeter) time.Duration {
	if cpu == nil {
		return -1
	}
	d, err := cpu.CPUTime()
	if err != nil {
		return -1
	}
	return d
}

func (r Result) String() string {
	cpu := "-"
	if r.ServerCPUMsPerOp >= 0 {
		cpu = fmt.Sprintf("%.2f", r.ServerCPUMsPerOp)
	}
	s := fmt.Sprintf("%-22s c=%-3d round=%d ops=%-5d err=%-3d %8.1f ops/s p50=%.2fms p90=%.2fms p99=%.2fms cpu=%sms/op",
		r.Scenario, r.Concurrency, r.Round, r.Ops, r.Errors, r.OpsPerSec, r.Latency.P50, r.Latency.P90, r.Latency.P99, cpu)
	if r.FirstError != "" {
		s += " first error: " + r.FirstError
	}
	return s
}
