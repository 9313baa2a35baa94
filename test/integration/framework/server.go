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
package framework

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/util/compatibility"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
)

// ServerConfig tunes one test server.
type ServerConfig struct {
	// EtcdURL is the etcd the server stores into.
	EtcdURL string
	// EtcdPrefix isolates this server's objects; a fresh one when empty.
	// Servers given the same prefix share their data, as replicas do.
	EtcdPrefix string
	// FeatureGates are set on a private copy of the gates, so servers in
	// one process can differ.
	FeatureGates map[string]bool
	// Customize edits the options before the server starts.
	Customize func(*server.Options)
}

// TestServer is an API server running in this process.
type TestServer struct {
	// ClientConfig authenticates as the generated admin (system:masters).
	ClientConfig *rest.Config
	// Client is a clientset for ClientConfig.
	Client kubernetes.Interface
	// URL is the server's https URL.
	URL string
	// EtcdPrefix is where its objects are stored.
	EtcdPrefix string

	dataDir string
	cancel  context.CancelFunc
	stopped chan error
}

// StartServer starts an API server on a free loopback port and waits until
// /readyz passes.
func StartServer(cfg ServerConfig) (*TestServer, error) {
	dataDir, err := os.MkdirTemp("", "integration-apiserver-")
	if err != nil {
		return nil, err
	}
	prefix := cfg.EtcdPrefix
	if prefix == "" {
		prefix = "/registry-" + rand.String(8)
	}

	registry, err := privateComponentGlobals(cfg.FeatureGates)
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}

	o := server.NewOptions()
	o.ServerRun = genericoptions.NewServerRunOptionsForComponent(basecompatibility.DefaultKubeComponent, registry)
	o.DataDir = dataDir
	o.Etcd.StorageConfig.Transport.ServerList = []string{cfg.EtcdURL}
	o.Etcd.StorageConfig.Prefix = prefix
	o.SecureServing.Listener = listener
	o.SecureServing.BindPort = listener.Addr().(*net.TCPAddr).Port
	if cfg.Customize != nil {
		cfg.Customize(o)
	}
	if err := o.Complete(); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	s := &TestServer{
		URL:        "https://" + listener.Addr().String(),
		EtcdPrefix: prefix,
		dataDir:    dataDir,
		cancel:     cancel,
		stopped:    make(chan error, 1),
	}
	go func() { s.stopped <- o.Run(ctx) }()

	if err := s.waitReady(o.KubeconfigPath()); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// privateComponentGlobals gives a server its own copy of the feature gates.
func privateComponentGlobals(gates map[string]bool) (basecompatibility.ComponentGlobalsRegistry, error) {
	gate := utilfeature.DefaultMutableFeatureGate.DeepCopy()
	if err := gate.SetFromMap(gates); err != nil {
		return nil, err
	}
	registry := basecompatibility.NewComponentGlobalsRegistry()
	if err := registry.Register(basecompatibility.DefaultKubeComponent, compatibility.DefaultBuildEffectiveVersion(), featuregate.MutableVersionedFeatureGate(gate)); err != nil {
		return nil, err
	}
	return registry, nil
}

func (s *TestServer) waitReady(kubeconfig string) error {
	return wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 60*time.Second, true,
		func(ctx context.Context) (bool, error) {
			select {
			case err := <-s.stopped:
				return false, fmt.Errorf("server stopped during start: %v", err)
			default:
			}
			if s.ClientConfig == nil {
				cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
				if err != nil {
					return false, nil // not written yet
				}
				client, err := kubernetes.NewForConfig(cfg)
				if err != nil {
					return false, err
				}
				s.ClientConfig, s.Client = cfg, client
			}
			body, err := s.Client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
			return err == nil && string(body) == "ok", nil
		})
}

// KubeconfigPath is the admin kubeconfig the server wrote.
func (s *TestServer) KubeconfigPath() string { return filepath.Join(s.dataDir, "admin.kubeconfig") }

// DataDir holds the server's generated certificates.
func (s *TestServer) DataDir() string { return s.dataDir }

// Stop shuts the server down, waits for it and removes its data dir.
func (s *TestServer) Stop() {
	s.cancel()
	select {
	case <-s.stopped:
	case <-time.After(30 * time.Second):
	}
	_ = os.RemoveAll(s.dataDir)
}
