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
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/storage/embeddedetcd"
)

const (
	// serverStartTimeout bounds the wait for /readyz.
	serverStartTimeout = 90 * time.Second
	// serverStopTimeout bounds a graceful exit after SIGTERM.
	serverStopTimeout = 30 * time.Second
	// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat;
	// 100 on every Linux architecture Go supports.
	clockTicks = 100
)

// server is an ephemeral-apiserver process this benchmark started, with its
// embedded etcd, on a temporary data dir.
type server struct {
	dir        string
	dataDir    string
	port       int
	kubeconfig string
	logPath    string
	cmd        *exec.Cmd
	exited     chan struct{}
	// started is when the process was started.
	started time.Time
}

// startServer starts binary on a new temporary data dir and a free loopback
// port. It returns once the process runs; call waitReady next. The caller
// must call stop, also on error paths.
func startServer(binary string, extraArgs ...string) (*server, error) {
	dir, err := os.MkdirTemp("", "ephemeral-apiserver-bench-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s := &server{
		dir:     dir,
		dataDir: filepath.Join(dir, "data"),
		port:    port,
		logPath: filepath.Join(dir, "server.log"),
	}
	s.kubeconfig = filepath.Join(s.dataDir, "admin.kubeconfig")
	args := append([]string{
		"--data-dir=" + s.dataDir,
		fmt.Sprintf("--secure-port=%d", port),
		"--feature-gates=EphemeralContainers=true",
	}, extraArgs...)
	if err := s.start(binary, args...); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// start runs binary with args, its output to s.logPath, and closes
// s.exited when it exits.
func (s *server) start(binary string, args ...string) error {
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return err
	}
	s.exited = make(chan struct{})
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// Should this process die without stopping the server, the kernel
	// sends it SIGTERM.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	s.started = time.Now()
	if err := s.cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("starting %s: %w", binary, err)
	}
	go func() {
		_ = s.cmd.Wait()
		_ = logFile.Close()
		close(s.exited)
	}()
	return nil
}

// waitReady polls /readyz until it answers "ok" and admin.kubeconfig is
// written, and returns the time from process start to the first "ok".
func (s *server) waitReady(ctx context.Context) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, serverStartTimeout)
	defer cancel()
	client := &http.Client{
		Timeout: 2 * time.Second,
		// The serving certificate is generated at start; /readyz is
		// anonymous, so nothing is sent that needs a verified peer.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // loopback health probe
	}
	defer client.CloseIdleConnections()
	url := fmt.Sprintf("https://127.0.0.1:%d/readyz", s.port)
	var ready time.Duration
	for {
		select {
		case <-s.exited:
			return 0, fmt.Errorf("the server exited with %v before it was ready; log %s:\n%s", s.cmd.ProcessState, s.logPath, s.logTail())
		case <-ctx.Done():
			return 0, fmt.Errorf("the server was not ready within %v: %w; log %s:\n%s", serverStartTimeout, ctx.Err(), s.logPath, s.logTail())
		default:
		}
		if ready == 0 && s.readyzOK(ctx, client, url) {
			ready = time.Since(s.started)
		}
		if ready != 0 {
			if _, err := os.Stat(s.kubeconfig); err == nil {
				return ready, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *server) readyzOK(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer func() { _ = resp.Body.Close() }()
	buf := make([]byte, 2)
	n, _ := resp.Body.Read(buf)
	return resp.StatusCode == http.StatusOK && string(buf[:n]) == "ok"
}

// etcdClientURL is the embedded etcd's socket in the server's data dir.
func (s *server) etcdClientURL() string {
	return embeddedetcd.Layout{DataDir: s.dataDir}.ClientURL()
}

// stop sends SIGTERM, waits for the exit (killing the process if it does
// not exit in time) and removes the data dir. It is safe to call twice.
func (s *server) stop() error {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	var err error
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			if code := s.cmd.ProcessState.ExitCode(); code != 0 {
				err = fmt.Errorf("the server exited with code %d after SIGTERM; log %s", code, s.logPath)
			}
		case <-time.After(serverStopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.exited
			err = fmt.Errorf("the server did not exit within %v of SIGTERM and was killed", serverStopTimeout)
		}
	}
	if err == nil {
		_ = os.RemoveAll(s.dir)
	}
	return err
}

// CPUTime is the server's user+system CPU time so far, from /proc.
func (s *server) CPUTime() (time.Duration, error) {
	return procCPUTime(s.cmd.Process.Pid)
}

// RSS is the server's resident set size in bytes (VmRSS).
func (s *server) RSS() (int64, error) {
	return procRSS(s.cmd.Process.Pid)
}

// procCPUTime reads utime+stime from /proc/PID/stat.
func procCPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// the fields after its closing parenthesis start with field 3.
	s := string(b)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	fields := strings.Fields(s[end+1:])
	// utime and stime are fields 14 and 15, so 11 and 12 here.
	if len(fields) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err := strconv.ParseInt(fields[11], 10, 64)
	if err != nil {
		return 0, err
	}
	stime, err := strconv.ParseInt(fields[12], 10, 64)
	if err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// procRSS reads VmRSS from /proc/PID/status, in bytes.
func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) < 1 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, err
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// logTail is the last few KiB of the server log, for error messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	const max = 4096
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// freePort is a loopback port nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}
