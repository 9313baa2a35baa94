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
	"syscall"
	"time"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

// benchEtcd is a one-member etcd this benchmark started as a process of its
// own: upstream's, or ours' with -ours-etcd=external.
type benchEtcd struct {
	*harness.Process
	dir string
	url string
}

// startBenchEtcd starts binary on a new temporary data dir and free
// loopback ports and waits until it is healthy. The caller must call stop,
// also on error paths.
func startBenchEtcd(ctx context.Context, name, binary string) (*benchEtcd, error) {
	dir, err := os.MkdirTemp("", "ephemeral-apiserver-bench-etcd-")
	if err != nil {
		return nil, err
	}
	e := &benchEtcd{dir: dir}
	ports, err := harness.FreePorts(2)
	if err != nil {
		return e, err
	}
	e.url = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	// etcd's defaults otherwise, as a cluster runs it: fsync on, 100 ms
	// ticks, snapshots every 100,000 writes.
	args := harness.EtcdFlags(name, filepath.Join(dir, "data"), e.url, peerURL, name+"="+peerURL)
	if e.Process, err = startProcess("etcd", binary, args, filepath.Join(dir, "etcd.log")); err != nil {
		return e, err
	}
	ctx, cancel := context.WithTimeout(ctx, serverStartTimeout)
	defer cancel()
	if err := harness.WaitEtcdHealthy(ctx, e.Process, e.url, 50*time.Millisecond); err != nil {
		return e, fmt.Errorf("etcd at %s not healthy: %w; %s", e.url, err, e.LogTail(logTailBytes))
	}
	return e, nil
}

// stop stops etcd and removes its data dir. It is safe on nil and twice.
func (e *benchEtcd) stop() {
	if e == nil {
		return
	}
	if e.Process != nil {
		// etcd re-raises SIGTERM after its clean shutdown, so its exit
		// status is the signal's, not 0.
		_ = e.Stop(syscall.SIGTERM, serverStopTimeout)
	}
	_ = os.RemoveAll(e.dir)
}
