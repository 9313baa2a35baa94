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
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"
)

// idleSettle is how long a server sits idle before its RSS is read.
const idleSettle = 3 * time.Second

// measureStartup starts the server on an empty data dir startupRuns times
// and records the time from process start to the first "ok" from
// /readyz, embedded etcd included, and the idle RSS after it.
func (b *bench) measureStartup(ctx context.Context) error {
	for i := 0; i < b.opts.startupRuns; i++ {
		srv, err := startServer(b.opts.binary)
		if err != nil {
			return err
		}
		ready, err := srv.waitReady(ctx)
		if err == nil {
			select {
			case <-time.After(idleSettle):
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		var rss int64
		if err == nil {
			rss, err = srv.RSS()
		}
		if stopErr := srv.stop(); err == nil && stopErr != nil {
			err = stopErr
		}
		if err != nil {
			return fmt.Errorf("start-up run %d: %w", i+1, err)
		}
		b.report.StartupSeconds = append(b.report.StartupSeconds, ready.Seconds())
		b.report.RSSIdleMiB = append(b.report.RSSIdleMiB, mib(rss))
		b.logf("start-up run %d: /readyz ok after %v, idle RSS %.1f MiB", i+1, ready.Round(time.Millisecond), mib(rss))
	}
	return nil
}

// measureBigRSS starts a fresh server, stores bigPods pods in it at the
// highest concurrency and reads its RSS once it has settled: what a server
// holding that many pods needs, without the high-water mark the earlier
// scenarios left in the measured server (logged beside it).
func (b *bench) measureBigRSS(ctx context.Context) error {
	if b.opts.bigPods == 0 || b.srv == nil {
		return nil
	}
	if rss, err := b.srv.RSS(); err == nil {
		b.logf("RSS of the measured server after every scenario: %.1f MiB", mib(rss))
	}
	// The creates are measured against the fresh server.
	srv, done, err := b.useFreshServer(ctx, "the RSS server")
	if err != nil {
		return err
	}
	defer done()

	conc := 1
	for _, c := range b.opts.concurrency {
		conc = max(conc, c)
	}
	cs, err := b.clientset(conc, false)
	if err != nil {
		return err
	}
	rss, err := storeAndMeasure(ctx, b, cs, conc, b.opts.bigPods, "big", srv)
	if err != nil {
		return err
	}
	b.report.RSSWithPodsMiB = rss
	b.report.BigPods = b.opts.bigPods
	b.logf("RSS with %d pods stored in a fresh server: %.1f MiB", b.opts.bigPods, rss)
	return nil
}

// storeAndMeasure creates n pods of group at concurrency c and returns
// rss once the server has settled, in MiB.
func storeAndMeasure(ctx context.Context, b *bench, cs kubernetes.Interface, c, n int, group string, rss rssMeter) (float64, error) {
	if r := b.createMany(ctx, cs, c, n, group); r.Errors > 0 {
		return 0, fmt.Errorf("creating %d pods: %d errors, first: %s", n, r.Errors, r.FirstError)
	}
	select {
	case <-time.After(idleSettle):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	bytes, err := rss.RSS()
	if err != nil {
		return 0, err
	}
	return mib(bytes), nil
}

// fetchProfile takes a 10 s CPU profile of the server and writes it to
// the -pprof file.
func (b *bench) fetchProfile(ctx context.Context, cs kubernetes.Interface) error {
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	data, err := cs.CoreV1().RESTClient().Get().AbsPath("/debug/pprof/profile").Param("seconds", "10").DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("fetching the CPU profile: %w", err)
	}
	if dir := filepath.Dir(b.opts.pprofFile); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(b.opts.pprofFile, data, 0o644)
}

func (b *bench) reportProfile(err error) {
	if err != nil {
		b.logf("CPU profile: %v", err)
		return
	}
	b.logf("CPU profile written to %s (go tool pprof -top %s %s)", b.opts.pprofFile, b.opts.binary, b.opts.pprofFile)
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }
