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

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	// serverStartTimeout bounds the wait for admin.kubeconfig and /readyz.
	serverStartTimeout = 60 * time.Second
	// serverStopTimeout bounds a graceful shutdown after SIGTERM.
	serverStopTimeout = 30 * time.Second
)

// gateOn is the flag every server but the gate-off one is started with.
const gateOn = "--feature-gates=EphemeralContainers=true"

// Server is one ephemeral-apiserver process on a loopback port.
type Server struct {
	harness.APIServer
	// Dir holds DataDir, the server logs and kubectl's cache; it outlives
	// restarts.
	Dir     string
	DataDir string

	args    []string
	stopped bool
}

// startServer starts the binary with a new data dir and the given extra
// flags, waits until it serves, and stops it when the current container
// of specs is done.
func startServer(args ...string) *Server {
	GinkgoHelper()
	dir, err := os.MkdirTemp("", "ephemeral-apiserver-e2e-")
	Expect(err).NotTo(HaveOccurred())
	// Registered before the server's own cleanup, so it runs after it.
	DeferCleanup(os.RemoveAll, dir)
	return start(dir, 0, args)
}

// restartServer starts a stopped server again on its data dir, with the
// same flags but a new port.
func restartServer(old *Server) *Server {
	GinkgoHelper()
	Expect(old.stopped).To(BeTrue(), "stop the server before restarting it")
	return start(old.Dir, old.Port, old.args)
}

func start(dir string, avoidPort int, args []string) *Server {
	GinkgoHelper()
	port := freePort(avoidPort)
	dataDir := filepath.Join(dir, "data")
	flags := append(harness.ServerFlags(dataDir, port), args...)
	By(fmt.Sprintf("starting ephemeral-apiserver %v", flags))
	proc, err := harness.Start(fmt.Sprintf("ephemeral-apiserver :%d", port), serverBinary, flags,
		filepath.Join(dir, fmt.Sprintf("server-%d.log", port)), 0)
	Expect(err).NotTo(HaveOccurred())
	s := &Server{
		APIServer: harness.APIServer{Process: proc, Port: port, Kubeconfig: harness.AdminKubeconfig(dataDir)},
		Dir:       dir,
		DataDir:   dataDir,
		args:      args,
	}
	DeferCleanup(s.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), serverStartTimeout)
	defer cancel()
	_, err = s.WaitReady(ctx, 100*time.Millisecond)
	Expect(err).NotTo(HaveOccurred(), s.logDescription)
	return s
}

// Stop sends SIGTERM and expects a graceful exit with code 0. It is a
// no-op after the first call.
func (s *Server) Stop() {
	GinkgoHelper()
	s.StopWith(syscall.SIGTERM)
}

// StopWith sends sig (SIGTERM or SIGINT) and expects a graceful exit with
// code 0. It is a no-op after the first call.
func (s *Server) StopWith(sig syscall.Signal) {
	GinkgoHelper()
	if s.stopped {
		return
	}
	s.stopped = true
	By(fmt.Sprintf("stopping the server on port %d with %v", s.Port, sig))
	wasRunning := s.Alive()
	// Stop kills what does not exit in time: no process is left behind,
	// whatever the assertions below say.
	err := s.Process.Stop(sig, serverStopTimeout)
	if !wasRunning {
		Fail(fmt.Sprintf("the server exited on its own with %v\n%s", s.State(), s.logDescription()))
	}
	Expect(err).NotTo(HaveOccurred(), s.logDescription)
	Expect(s.State().ExitCode()).To(Equal(0), s.logDescription)
}

// Log is what the server has printed so far.
func (s *Server) Log() string {
	GinkgoHelper()
	log, err := os.ReadFile(s.LogPath)
	Expect(err).NotTo(HaveOccurred())
	return string(log)
}

// Kubectl runs kubectl against this server.
func (s *Server) Kubectl() *Kubectl {
	return &Kubectl{Kubeconfig: s.Kubeconfig, CacheDir: filepath.Join(s.Dir, "kubectl-cache")}
}

// Client is a client-go clientset built from the server's admin.kubeconfig.
func (s *Server) Client() kubernetes.Interface {
	GinkgoHelper()
	cfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	client, err := kubernetes.NewForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())
	return client
}

// logDescription is the server's whole log, for failure messages.
func (s *Server) logDescription() string { return s.LogTail(0) }

func printRunningServerLogs() {
	for _, log := range harness.RunningLogTails(0) {
		GinkgoWriter.Println(log)
	}
}

// freePort is a loopback port nothing listens on right now, other than
// avoid.
func freePort(avoid int) int {
	GinkgoHelper()
	ports, err := harness.FreePorts(1, avoid)
	Expect(err).NotTo(HaveOccurred())
	return ports[0]
}
