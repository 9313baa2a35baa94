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

// Package e2e drives the built ephemeral-apiserver binary as a user would:
// started as a process with its embedded etcd, and used through the real
// kubectl and client-go with the admin.kubeconfig it writes.
package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	RunSpecs(t, "E2E Suite")
}

var (
	// serverBinary is the ephemeral-apiserver under test.
	serverBinary string
	// kubectlBinary is the kubectl every kubectl spec runs.
	kubectlBinary string
)

var _ = SynchronizedBeforeSuite(func() []byte {
	// Only the first parallel process may build: two concurrent `make
	// build`s would write the same output file.
	return []byte(resolveServerBinary())
}, func(path []byte) {
	serverBinary = string(path)
	kubectlBinary = resolveKubectl()
})

// resolveServerBinary is EPHEMERAL_APISERVER_BIN (the Makefile's test-e2e
// sets it), or the binary `make build` produces, so that the version ldflags
// are the Makefile's and never this suite's.
func resolveServerBinary() string {
	GinkgoHelper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	Expect(err).NotTo(HaveOccurred())
	path, err := harness.ResolveBinary("EPHEMERAL_APISERVER_BIN", func() (string, error) {
		By("building the server with make build in " + root)
		return harness.BuildServer(root, GinkgoWriter)
	})
	Expect(err).NotTo(HaveOccurred())
	return path
}

// resolveKubectl is KUBECTL, or kubectl from PATH.
func resolveKubectl() string {
	GinkgoHelper()
	if path := os.Getenv("KUBECTL"); path != "" {
		return path
	}
	path, err := exec.LookPath("kubectl")
	Expect(err).NotTo(HaveOccurred(), "kubectl is needed: put it on PATH or set KUBECTL")
	return path
}

// A failed spec shows the log of every server still running, so the
// failure can be read next to what the server said.
var _ = AfterEach(func() {
	if CurrentSpecReport().Failed() {
		printRunningServerLogs()
	}
})
