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
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	// killTimeout bounds the wait for a process to die after SIGKILL.
	killTimeout = 30 * time.Second
	// logTailBytes is how much of a log a failure message shows.
	logTailBytes = 8 << 10
)

// startProcess starts binary with args, its output appended to logPath,
// and registers its SIGKILL as cleanup of the current spec. Should the
// test binary die (a timeout panic), its children die too.
func startProcess(name, binary string, args []string, logPath string) *harness.Process {
	GinkgoHelper()
	// A restart appends to the same log: a header marks where each run
	// begins.
	Expect(os.MkdirAll(filepath.Dir(logPath), 0o700)).To(Succeed())
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	Expect(err).NotTo(HaveOccurred())
	fmt.Fprintf(logFile, "=== %s %s %s\n", time.Now().Format(time.RFC3339Nano), binary, strings.Join(args, " "))
	Expect(logFile.Close()).To(Succeed())
	p, err := harness.Start(name, binary, args, logPath, syscall.SIGKILL)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(kill, p)
	return p
}

// kill sends SIGKILL and waits for the exit. It is a no-op once the
// process has exited.
func kill(p *harness.Process) {
	GinkgoHelper()
	Expect(p.Kill(killTimeout)).To(Succeed())
}

func printRunningLogs() {
	for _, tail := range harness.RunningLogTails(logTailBytes) {
		GinkgoWriter.Println(tail)
	}
}

// freePorts are n distinct loopback ports nothing listens on right now.
func freePorts(n int) []int {
	GinkgoHelper()
	ports, err := harness.FreePorts(n)
	Expect(err).NotTo(HaveOccurred())
	return ports
}
