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

	"k8s.io/client-go/tools/clientcmd"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/storage/embeddedetcd"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	// serverStartTimeout bounds the wait for /readyz.
	serverStartTimeout = 90 * time.Second
	// serverStopTimeout bounds a graceful exit after SIGTERM.
	serverStopTimeout = 30 * time.Second
	// logTailBytes is how much of a log an error message shows.
	logTailBytes = 4096
)

// server is an API server process this benchmark started: ours with its
// embedded etcd on a temporary data dir, or upstream kube-apiserver.
type server struct {
	harness.APIServer
	// dir is removed once the server stopped cleanly; empty for none.
	dir     string
	dataDir string
	// etcd is the store this benchmark started for the server with
	// --etcd-servers (-ours-etcd=external), or nil for the embedded one.
	// Its CPU and RSS count as the server's; it stops after the server.
	etcd *benchEtcd
}

// startServer starts binary on a new temporary data dir and a free loopback
// port. It returns once the process runs; call waitReady next. The caller
// must call stop, also on error paths.
func startServer(binary string, extraArgs ...string) (*server, error) {
	dir, err := os.MkdirTemp("", "ephemeral-apiserver-bench-")
	if err != nil {
		return nil, err
	}
	ports, err := harness.FreePorts(1)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	args := append(harness.ServerFlags(dataDir, ports[0]), "--feature-gates=EphemeralContainers=true")
	proc, err := startProcess("ephemeral-apiserver", binary, append(args, extraArgs...), filepath.Join(dir, "server.log"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &server{
		APIServer: harness.APIServer{Process: proc, Port: ports[0], Kubeconfig: harness.AdminKubeconfig(dataDir)},
		dir:       dir,
		dataDir:   dataDir,
	}, nil
}

// useFreshServer starts a server of its own for one scenario and waits
// until it is ready; the scenario's clients and CPU figures are that
// server's until done, which also stops it (what names it in messages).
func (b *bench) useFreshServer(ctx context.Context, what string, extraArgs ...string) (srv *server, done func(), err error) {
	srv, err = startServer(b.opts.binary, extraArgs...)
	if err != nil {
		return nil, nil, err
	}
	stop := func() {
		if err := srv.stop(); err != nil {
			b.logf("stopping %s: %v", what, err)
		}
	}
	if _, err := srv.waitReady(ctx); err != nil {
		stop()
		return nil, nil, err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", srv.Kubeconfig)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("loading %s: %w", srv.Kubeconfig, err)
	}
	base, cpu := b.base, b.cpu
	b.base, b.cpu = cfg, srv
	return srv, func() {
		b.base, b.cpu = base, cpu
		stop()
	}, nil
}

// startProcess starts binary with its output to logPath. Should this
// process die without stopping it, the kernel sends it SIGTERM.
func startProcess(name, binary string, args []string, logPath string) (*harness.Process, error) {
	return harness.Start(name, binary, args, logPath, syscall.SIGTERM)
}

// waitReady polls /readyz until it answers "ok", and returns the time
// from process start to the first "ok".
func (s *server) waitReady(ctx context.Context) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, serverStartTimeout)
	defer cancel()
	ready, err := s.WaitReady(ctx, 5*time.Millisecond)
	if err != nil {
		return 0, fmt.Errorf("%w; %s", err, s.LogTail(logTailBytes))
	}
	return ready, nil
}

// etcdClientURL is the embedded etcd's socket in the server's data dir.
func (s *server) etcdClientURL() string {
	return embeddedetcd.Layout{DataDir: s.dataDir}.ClientURL()
}

// stop sends SIGTERM, waits for the exit (killing the process if it does
// not exit in time) and removes the data dir. It is safe to call twice.
func (s *server) stop() error {
	if s == nil || s.Process == nil {
		return nil
	}
	wasRunning := s.Alive()
	err := s.Stop(syscall.SIGTERM, serverStopTimeout)
	if err == nil && wasRunning {
		if code := s.State().ExitCode(); code != 0 {
			err = fmt.Errorf("the server exited with code %d after SIGTERM; log %s", code, s.LogPath)
		}
	}
	if err == nil && s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
	s.etcd.stop()
	return err
}

// pids are the server's process and, when it has one, its etcd's.
func (s *server) pids() pidsMeter {
	if s.etcd != nil {
		return pidsMeter{s.PID(), s.etcd.PID()}
	}
	return pidsMeter{s.PID()}
}

// CPUTime is the user+system CPU time so far of the server (and its etcd
// when the benchmark started one), from /proc.
func (s *server) CPUTime() (time.Duration, error) { return s.pids().CPUTime() }

// RSS is the resident set size in bytes (VmRSS) of the server (and its
// etcd when the benchmark started one).
func (s *server) RSS() (int64, error) { return s.pids().RSS() }
