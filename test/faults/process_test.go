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

package faults

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// killTimeout bounds the wait for a process to die after SIGKILL.
const killTimeout = 30 * time.Second

// process is one child process: the server or an etcd member. Its output
// goes to a log file; it is killed when the spec is done, whatever happens.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	// started is the moment just before the process was started.
	started time.Time
	exited  chan struct{}
}

var (
	runningMu sync.Mutex
	running   = map[*process]bool{}
)

// startProcess starts binary with args, its output appended to logPath,
// and registers its SIGKILL as cleanup of the current spec.
func startProcess(name, binary string, args []string, logPath string) *process {
	GinkgoHelper()
	Expect(os.MkdirAll(filepath.Dir(logPath), 0o700)).To(Succeed())
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	Expect(err).NotTo(HaveOccurred())
	fmt.Fprintf(logFile, "=== %s %s %s\n", time.Now().Format(time.RFC3339Nano), binary, strings.Join(args, " "))
	p := &process{name: name, cmd: exec.Command(binary, args...), logPath: logPath, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	// Should the test binary die (a timeout panic), its children die too.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		_ = logFile.Close()
		Fail(fmt.Sprintf("starting %s: %v", name, err))
	}
	go func() {
		_ = p.cmd.Wait()
		_ = logFile.Close()
		close(p.exited)
	}()
	runningMu.Lock()
	running[p] = true
	runningMu.Unlock()
	DeferCleanup(p.kill)
	return p
}

// kill sends SIGKILL and waits for the exit. It is a no-op once the
// process has exited.
func (p *process) kill() {
	GinkgoHelper()
	defer func() {
		runningMu.Lock()
		delete(running, p)
		runningMu.Unlock()
	}()
	if !p.alive() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.exited:
	case <-time.After(killTimeout):
		Fail(fmt.Sprintf("%s (pid %d) still runs %v after SIGKILL", p.name, p.cmd.Process.Pid, killTimeout))
	}
}

func (p *process) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// logTail is the end of the process's log, for failure messages.
func (p *process) logTail() string {
	const max = 8 << 10
	log, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log of %s: %v)", p.name, err)
	}
	if len(log) > max {
		log = log[len(log)-max:]
	}
	return fmt.Sprintf("last lines of %s's log %s:\n%s", p.name, p.logPath, log)
}

func printRunningLogs() {
	runningMu.Lock()
	defer runningMu.Unlock()
	for p := range running {
		GinkgoWriter.Println(p.logTail())
	}
}

// freePorts are n distinct loopback ports nothing listens on right now:
// every listener stays open until all are chosen, so no two are equal.
func freePorts(n int) []int {
	GinkgoHelper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
