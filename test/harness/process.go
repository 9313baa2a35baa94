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

// Package harness starts, watches and stops the real processes that the
// process-based test trees drive: the built ephemeral-apiserver binary, etcd
// members and upstream kube-apiserver. test/e2e and test/faults (ginkgo
// suites) and test/bench (a load tool) all use it, so its functions return
// errors and never fail a spec themselves. In-process servers are
// test/integration/framework's concern, not this package's.
package harness

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Process is one child process whose output goes to a log file.
type Process struct {
	Name    string
	LogPath string
	// Started is the moment just before the process was started, so that
	// time-to-ready figures include the exec.
	Started time.Time

	cmd    *exec.Cmd
	exited chan struct{}
}

var (
	runningMu sync.Mutex
	running   = map[*Process]bool{}
)

// Start runs binary with args, its output appended to logPath (created with
// its directory if need be). With onParentDeath non-zero, the kernel sends
// that signal to the child should this process die first, so that a timed
// out test leaves nothing behind.
func Start(name, binary string, args []string, logPath string, onParentDeath syscall.Signal) (*Process, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o700); err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	p := &Process{Name: name, LogPath: logPath, cmd: exec.Command(binary, args...), exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if onParentDeath != 0 {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: onParentDeath}
	}
	p.Started = time.Now()
	if err := p.cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		_ = logFile.Close()
		close(p.exited)
	}()
	runningMu.Lock()
	running[p] = true
	runningMu.Unlock()
	return p, nil
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited is closed once the process has exited and its log is closed.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Alive is whether the process has not exited yet.
func (p *Process) Alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// State is how the process exited; nil while it runs.
func (p *Process) State() *os.ProcessState {
	if p.Alive() {
		return nil
	}
	return p.cmd.ProcessState
}

// Stop sends sig and waits up to timeout for the exit. A process still
// running then is killed, and Stop says so: nothing is ever left behind.
// Stopping an exited process does nothing. How it exited is State's.
func (p *Process) Stop(sig syscall.Signal, timeout time.Duration) error {
	defer p.forget()
	if !p.Alive() {
		return nil
	}
	if err := p.cmd.Process.Signal(sig); err != nil && p.Alive() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("signalling %s with %v: %w", p.Name, sig, err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not exit within %v of %v and was killed", p.Name, timeout, sig)
	}
}

// Kill sends SIGKILL and waits up to timeout for the exit.
func (p *Process) Kill(timeout time.Duration) error {
	defer p.forget()
	if !p.Alive() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.exited:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("%s (pid %d) still runs %v after SIGKILL", p.Name, p.PID(), timeout)
	}
}

func (p *Process) forget() {
	runningMu.Lock()
	delete(running, p)
	runningMu.Unlock()
}

// LogTail is the last max bytes of the process's log (all of it when max
// is 0), introduced by its name and path, for failure messages.
func (p *Process) LogTail(max int) string {
	log, err := os.ReadFile(p.LogPath)
	if err != nil {
		return fmt.Sprintf("(no log of %s: %v)", p.Name, err)
	}
	if max > 0 && len(log) > max {
		log = log[len(log)-max:]
	}
	return fmt.Sprintf("log of %s, %s:\n%s", p.Name, p.LogPath, log)
}

// RunningLogTails are the LogTails of every process started and not yet
// stopped or killed, so that a failed spec shows what they said.
func RunningLogTails(max int) []string {
	runningMu.Lock()
	defer runningMu.Unlock()
	var tails []string
	for p := range running {
		tails = append(tails, p.LogTail(max))
	}
	return tails
}

// FreePorts are n distinct loopback ports nothing listens on right now,
// none of them in avoid: every listener stays open until all are chosen.
// The process given a port binds it a moment later; a clash fails its start.
func FreePorts(n int, avoid ...int) ([]int, error) {
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		if !slices.Contains(avoid, port) {
			ports = append(ports, port)
		}
	}
	return ports, nil
}
