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

// Package testserver runs a whole ephemeral-apiserver, its etcd included,
// inside a Go test: no binary to download, no process left behind.
//
//	func TestDebugContainer(t *testing.T) {
//		s := testserver.Start(t, testserver.WithSimulatedKubelet())
//		client := kubernetes.NewForConfigOrDie(s.Config)
//		...
//	}
//
// Every server has its own data directory, port and feature gates, so tests
// may start several in parallel.
package testserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/util/compatibility"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/storage/embeddedetcd"
)

// startTimeout bounds how long Start waits for the server to be ready.
const startTimeout = 60 * time.Second

// Server is an ephemeral-apiserver running in this process.
type Server struct {
	// Config authenticates as the generated admin, in group
	// system:masters.
	Config *rest.Config
	// URL is the server's https URL on a loopback port.
	URL string
	// DataDir holds the embedded etcd, the certificates and
	// admin.kubeconfig.
	DataDir string

	options *server.Options
	cancel  context.CancelFunc
	stopped chan error
	ownsDir bool
}

// Option changes how a server starts.
type Option func(*settings)

type settings struct {
	flags     []string
	customize []func(*server.Options)
}

// WithFeatureGates sets feature gates, as --feature-gates does:
// WithFeatureGates("EphemeralContainers=true"). They are the server's own,
// never the process's.
func WithFeatureGates(gates ...string) Option {
	return WithFlags("--feature-gates=" + strings.Join(gates, ","))
}

// WithAuthorizationModes sets --authorization-mode, e.g. "RBAC". The default
// is the binary's.
func WithAuthorizationModes(modes ...string) Option {
	return WithFlags("--authorization-mode=" + strings.Join(modes, ","))
}

// WithSimulatedKubelet runs the simulated kubelet (--simulate-kubelet): it
// binds pods to its node and reports them, and their debug containers,
// Running.
func WithSimulatedKubelet() Option {
	return WithFlags("--simulate-kubelet")
}

// WithFlags passes command-line flags of ephemeral-apiserver, such as
// "--event-ttl=5m" or "--simulate-kubelet-fail-images=*:broken".
func WithFlags(flags ...string) Option {
	return func(s *settings) { s.flags = append(s.flags, flags...) }
}

// WithOptions edits the parsed options before the server starts, for what
// no flag sets.
func WithOptions(customize func(*server.Options)) Option {
	return func(s *settings) { s.customize = append(s.customize, customize) }
}

// Start runs a server for tb, stopped and removed when tb ends. It fails tb
// when the server cannot start.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := StartInDir(dataDirFor(tb), opts...)
	if err != nil {
		tb.Fatalf("starting ephemeral-apiserver: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("stopping ephemeral-apiserver: %v", err)
		}
	})
	return s
}

// dataDirFor is tb's temporary directory, unless the embedded etcd's
// sockets would not fit under it (long test names): then a short one that
// Stop removes.
func dataDirFor(tb testing.TB) string {
	dir := tb.TempDir()
	if (embeddedetcd.Layout{DataDir: dir}).SocketsFit() {
		return dir
	}
	return ""
}

// StartInDir runs a server whose data is kept in dataDir, or in a new
// temporary directory when dataDir is empty; for suites without a
// testing.TB. The caller stops it.
func StartInDir(dataDir string, opts ...Option) (*Server, error) {
	var set settings
	for _, opt := range opts {
		opt(&set)
	}
	s := &Server{stopped: make(chan error, 1)}
	if dataDir == "" {
		dir, err := os.MkdirTemp("", "ephemeral-apiserver-")
		if err != nil {
			return nil, err
		}
		dataDir, s.ownsDir = dir, true
	}
	s.DataDir = dataDir

	o, err := newOptions(dataDir, set)
	if err != nil {
		s.removeDir()
		return nil, err
	}
	s.options = o
	s.URL = "https://" + o.SecureServing.Listener.Addr().String()

	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.stopped <- o.Run(ctx) }()
	if err := s.waitReady(); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

// newOptions parses the flags into options of a server on a free loopback
// port, with feature gates of its own.
func newOptions(dataDir string, set settings) (*server.Options, error) {
	o := server.NewOptions()
	registry, err := privateComponentGlobals()
	if err != nil {
		return nil, err
	}
	o.ServerRun = genericoptions.NewServerRunOptionsForComponent(basecompatibility.DefaultKubeComponent, registry)

	fs := pflag.NewFlagSet("ephemeral-apiserver", pflag.ContinueOnError)
	for _, set := range o.Flags().FlagSets {
		fs.AddFlagSet(set)
	}
	if err := fs.Parse(set.flags); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q: every flag needs its leading dashes", fs.Args())
	}
	o.DataDir = dataDir
	if !fs.Changed("secure-port") {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		o.SecureServing.Listener = listener
		o.SecureServing.BindPort = listener.Addr().(*net.TCPAddr).Port
	}
	for _, customize := range set.customize {
		customize(o)
	}
	if err := o.Complete(); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.SecureServing.Listener == nil {
		// Bound here, so that the URL is known before the server runs.
		listener, err := net.Listen("tcp", net.JoinHostPort(o.SecureServing.BindAddress.String(), fmt.Sprint(o.SecureServing.BindPort)))
		if err != nil {
			return nil, err
		}
		o.SecureServing.Listener = listener
	}
	return o, nil
}

// privateComponentGlobals gives a server its own copy of the process's
// feature gates, so that servers in one process can differ.
func privateComponentGlobals() (basecompatibility.ComponentGlobalsRegistry, error) {
	gate := utilfeature.DefaultMutableFeatureGate.DeepCopy()
	registry := basecompatibility.NewComponentGlobalsRegistry()
	err := registry.Register(basecompatibility.DefaultKubeComponent, compatibility.DefaultBuildEffectiveVersion(), featuregate.MutableVersionedFeatureGate(gate))
	return registry, err
}

// readyPoll is how often Start asks /readyz while the server starts.
const readyPoll = 5 * time.Millisecond

func (s *Server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	var client *http.Client
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case err := <-s.stopped:
			s.stopped <- err
			return fmt.Errorf("server stopped while starting: %w", err)
		case <-time.After(readyPoll):
		}
		if client == nil {
			cfg, err := clientcmd.BuildConfigFromFlags("", s.KubeconfigPath())
			if err != nil {
				continue // not written yet
			}
			if client, err = rest.HTTPClientFor(cfg); err != nil {
				return err
			}
			defer client.CloseIdleConnections()
			s.Config = cfg
		}
		if lastErr = s.readyz(client); lastErr == nil {
			return nil
		}
	}
	return fmt.Errorf("not ready within %v: %v", startTimeout, lastErr)
}

func (s *Server) readyz(client *http.Client) error {
	resp, err := client.Get(s.URL + "/readyz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/readyz answered %s", resp.Status)
	}
	return nil
}

// ConfigFor authenticates as user, in groups (and system:authenticated),
// with a client certificate signed by the server's CA. What the user may
// do is up to the authorizer, RBAC by default.
func (s *Server) ConfigFor(user string, groups ...string) *rest.Config {
	certPEM, keyPEM, err := s.options.IssueClientCertificate(user, groups...)
	if err != nil {
		// The CA was written before the server became ready; failing to
		// read it back is a broken machine, not a test's mistake.
		panic(fmt.Sprintf("issuing a client certificate for %q: %v", user, err))
	}
	cfg := rest.AnonymousClientConfig(s.Config)
	cfg.CertData, cfg.KeyData = certPEM, keyPEM
	return cfg
}

// KubeconfigPath is the admin kubeconfig, for kubectl --kubeconfig.
func (s *Server) KubeconfigPath() string { return s.options.KubeconfigPath() }

// Stop shuts the server and its etcd down and waits for them. It removes
// the data dir when StartInDir made it.
func (s *Server) Stop() error {
	s.cancel()
	var err error
	select {
	case err = <-s.stopped:
		s.stopped <- err
	case <-time.After(startTimeout):
		err = errors.New("the server did not stop within a minute")
	}
	s.removeDir()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

func (s *Server) removeDir() {
	if s.ownsDir {
		_ = os.RemoveAll(filepath.Clean(s.DataDir))
	}
}
