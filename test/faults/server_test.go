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
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	// serverStartTimeout bounds the wait for admin.kubeconfig and /readyz.
	serverStartTimeout = 60 * time.Second
	// readyPollInterval is the resolution of the time-to-ready figure.
	readyPollInterval = 10 * time.Millisecond
	// requestTimeout bounds every request of the load: longer than the
	// server's own etcd timeouts, so that what is measured is its answer.
	requestTimeout = 30 * time.Second
)

// gateOn serves the pods/ephemeralcontainers subresource.
const gateOn = "--feature-gates=EphemeralContainers=true"

// Server is one ephemeral-apiserver process on a loopback port.
type Server struct {
	harness.APIServer
	// Dir holds DataDir and the logs; it outlives restarts.
	Dir     string
	DataDir string
	// ReadyAfter is the time from the start of the process to the first
	// /readyz answered 200 ok.
	ReadyAfter time.Duration

	args []string
}

// startServer starts the binary on dir/data with a new port and the given
// extra flags, and waits until /readyz says ok. The process is killed when
// the spec is done.
func startServer(dir string, args ...string) *Server {
	GinkgoHelper()
	port := freePorts(1)[0]
	dataDir := filepath.Join(dir, "data")
	flags := append(append(harness.ServerFlags(dataDir, port), gateOn), args...)
	proc := startProcess(fmt.Sprintf("ephemeral-apiserver :%d", port), serverBinary, flags, filepath.Join(dir, "server.log"))
	s := &Server{
		APIServer: harness.APIServer{Process: proc, Port: port, Kubeconfig: harness.AdminKubeconfig(dataDir)},
		Dir:       dir,
		DataDir:   dataDir,
		args:      args,
	}
	ctx, cancel := context.WithDeadline(context.Background(), proc.Started.Add(serverStartTimeout))
	defer cancel()
	var err error
	s.ReadyAfter, err = s.WaitReady(ctx, readyPollInterval)
	Expect(err).NotTo(HaveOccurred(), func() string { return proc.LogTail(logTailBytes) })
	return s
}

// restart starts the server again, on its data dir with its flags, on a
// new port. The old process must be gone.
func (s *Server) restart() *Server {
	GinkgoHelper()
	Expect(s.Alive()).To(BeFalse(), "kill the server before restarting it")
	return startServer(s.Dir, s.args...)
}

// Kill sends SIGKILL and waits until the process is gone.
func (s *Server) Kill() { kill(s.Process) }

// Config is the admin.kubeconfig of this run without client-side rate
// limits; with a recorder, every HTTP response is counted by it.
func (s *Server) Config(rec *Recorder) *rest.Config {
	GinkgoHelper()
	cfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	Expect(cfg.Host).To(Equal(fmt.Sprintf("https://127.0.0.1:%d", s.Port)))
	cfg.QPS = -1
	cfg.Timeout = requestTimeout
	if rec != nil {
		cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return rec.wrap(rt) }
	}
	return cfg
}

// Client is a clientset of this run; rec may be nil.
func (s *Server) Client(rec *Recorder) kubernetes.Interface {
	GinkgoHelper()
	client, err := kubernetes.NewForConfig(s.Config(rec))
	Expect(err).NotTo(HaveOccurred())
	return client
}
