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
// Package integration runs the API server in-process against a real etcd
// process and talks to it over HTTPS with client-go and raw HTTP.
package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

func TestIntegration(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Integration Suite")
}

var (
	etcd *framework.EtcdProcess
	// etcdURL is shared by every parallel ginkgo process; each server
	// stores under its own prefix.
	etcdURL string
)

var _ = SynchronizedBeforeSuite(func() []byte {
	var err error
	etcd, err = framework.StartEtcd(etcdBinary(), nil)
	Expect(err).NotTo(HaveOccurred())
	return []byte(etcd.URL)
}, func(url []byte) {
	etcdURL = string(url)
})

var _ = SynchronizedAfterSuite(func() {}, func() {
	if etcd != nil {
		etcd.Stop()
	}
})

// etcdBinary is ETCD_BIN, or what hack/install-etcd.sh provides.
func etcdBinary() string {
	if path := os.Getenv("ETCD_BIN"); path != "" {
		return path
	}
	out, err := exec.Command("bash", filepath.Join("..", "..", "hack", "install-etcd.sh")).Output()
	Expect(err).NotTo(HaveOccurred(), "hack/install-etcd.sh failed")
	return strings.TrimSpace(string(out))
}

// startServer starts a server for one container of specs and stops it
// when they are done.
func startServer(cfg framework.ServerConfig) *framework.TestServer {
	GinkgoHelper()
	cfg.EtcdURL = etcdURL
	s, err := framework.StartServer(cfg)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(s.Stop)
	return s
}
