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

// Package faults kills the real processes under load: the built
// ephemeral-apiserver binary, with its embedded etcd or on external etcd
// processes, and checks that no acknowledged write is lost, that errors are
// the ones a client can act on, and how long the outages last.
package faults

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/klog/v2"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

func TestFaults(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	RunSpecs(t, "Faults Suite")
}

var (
	// serverBinary is the ephemeral-apiserver under test.
	serverBinary string
	// etcdBinary is the etcd the external-store specs start.
	etcdBinary string
)

var _ = BeforeSuite(func() {
	// client-go logs every connection the kills cut; those lines belong
	// to the spec's output, not the terminal's.
	klog.SetLogger(GinkgoLogr)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	Expect(err).NotTo(HaveOccurred())
	serverBinary = resolveBinary("EPHEMERAL_APISERVER_BIN", func() (string, error) {
		By("building the server with make build in " + root)
		return harness.BuildServer(root, GinkgoWriter)
	})
	etcdBinary = resolveBinary("ETCD_BIN", func() (string, error) {
		By("providing etcd with hack/install-etcd.sh")
		cmd := exec.Command(filepath.Join(root, "hack", "install-etcd.sh"))
		cmd.Dir, cmd.Stderr = root, GinkgoWriter
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	})
})

// resolveBinary is the path the environment variable names (the Makefile's
// test-faults sets both), or the one build provides.
func resolveBinary(env string, build func() (string, error)) string {
	GinkgoHelper()
	path, err := harness.ResolveBinary(env, build)
	Expect(err).NotTo(HaveOccurred())
	return path
}

// A failed spec shows the end of the log of every process still running,
// before the cleanup kills them and removes their directories.
var _ = AfterEach(func() {
	if CurrentSpecReport().Failed() {
		printRunningLogs()
	}
})
