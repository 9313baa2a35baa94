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
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
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
	// Dir holds DataDir, the server logs and kubectl's cache; it outlives
	// restarts.
	Dir        string
	DataDir    string
	Port       int
	Kubeconfig string
	LogPath    string

	args    []string
	cmd     *exec.Cmd
	exited  chan struct{}
	stopped bool
}

var (
	runningMu sync.Mutex
	running   = map[*Server]bool{}
)

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
	s := &Server{
		Dir:     dir,
		DataDir: filepath.Join(dir, "data"),
		Port:    freePort(avoidPort),
		args:    args,
		exited:  make(chan struct{}),
	}
	s.Kubeconfig = filepath.Join(s.DataDir, "admin.kubeconfig")
	s.LogPath = filepath.Join(dir, fmt.Sprintf("server-%d.log", s.Port))

	logFile, err := os.Create(s.LogPath)
	Expect(err).NotTo(HaveOccurred())
	flags := append([]string{"--data-dir=" + s.DataDir, fmt.Sprintf("--secure-port=%d", s.Port)}, args...)
	By(fmt.Sprintf("starting ephemeral-apiserver %v", flags))
	s.cmd = exec.Command(serverBinary, flags...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	Expect(s.cmd.Start()).To(Succeed())
	go func() {
		_ = s.cmd.Wait()
		_ = logFile.Close()
		close(s.exited)
	}()
	runningMu.Lock()
	running[s] = true
	runningMu.Unlock()
	DeferCleanup(s.Stop)

	// admin.kubeconfig may still be the previous run's (same data dir, old
	// port) until this run rewrites it, so wait for our port in it.
	Eventually(func(g Gomega) {
		select {
		case <-s.exited:
			StopTrying(fmt.Sprintf("the server exited with %v before it was ready", s.cmd.ProcessState)).Now()
		default:
		}
		body, err := s.restClient(g).Get().AbsPath("/readyz").DoRaw(context.Background())
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(body)).To(Equal("ok"))
	}).WithTimeout(serverStartTimeout).Should(Succeed(), s.logDescription)
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
	defer func() {
		runningMu.Lock()
		delete(running, s)
		runningMu.Unlock()
	}()
	// Never leave a process behind, whatever the assertions below say.
	defer func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}()

	By(fmt.Sprintf("stopping the server on port %d with %v", s.Port, sig))
	select {
	case <-s.exited:
		Fail(fmt.Sprintf("the server exited on its own with %v\n%s", s.cmd.ProcessState, s.logDescription()))
	default:
	}
	Expect(s.cmd.Process.Signal(sig)).To(Succeed())
	Eventually(s.exited).WithTimeout(serverStopTimeout).Should(BeClosed(),
		func() string { return fmt.Sprintf("no exit after %v\n%s", sig, s.logDescription()) })
	Expect(s.cmd.ProcessState.ExitCode()).To(Equal(0), s.logDescription)
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

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

// restClient talks to the server as admin.kubeconfig says, once that file
// names this server's port.
func (s *Server) restClient(g Gomega) rest.Interface {
	kubeconfig, err := clientcmd.LoadFromFile(s.Kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	cfg, err := clientcmd.NewDefaultClientConfig(*kubeconfig, nil).ClientConfig()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Host).To(Equal(fmt.Sprintf("https://127.0.0.1:%d", s.Port)))
	cfg.Timeout = 5 * time.Second
	client, err := kubernetes.NewForConfig(cfg)
	g.Expect(err).NotTo(HaveOccurred())
	return client.Discovery().RESTClient()
}

// logDescription is the server's log, for failure messages.
func (s *Server) logDescription() string {
	log, err := os.ReadFile(s.LogPath)
	if err != nil {
		return fmt.Sprintf("(no server log: %v)", err)
	}
	return fmt.Sprintf("server log %s:\n%s", s.LogPath, log)
}

func printRunningServerLogs() {
	runningMu.Lock()
	defer runningMu.Unlock()
	for s := range running {
		GinkgoWriter.Println(s.logDescription())
	}
}

// freePort is a loopback port nothing listens on right now, other than
// avoid. The server binds it a moment later; a clash fails the start.
func freePort(avoid int) int {
	GinkgoHelper()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		port := l.Addr().(*net.TCPAddr).Port
		Expect(l.Close()).To(Succeed())
		if port != avoid {
			return port
		}
	}
}
