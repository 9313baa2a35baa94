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
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/testserver"
)

// ServerConfig tunes one test server.
type ServerConfig struct {
	// EtcdURL is the etcd the server stores into.
	EtcdURL string
	// EtcdPrefix isolates this server's objects; a fresh one when empty.
	// Servers given the same prefix share their data, as replicas do.
	EtcdPrefix string
	// FeatureGates are the server's own, never the process's, so servers
	// in one process can differ.
	FeatureGates map[string]bool
	// Flags are more command-line flags, e.g. "--simulate-kubelet".
	Flags []string
	// Customize edits the options before the server starts.
	Customize func(*server.Options)
}

// TestServer is an API server running in this process, started by
// pkg/testserver on an etcd of the suite's.
type TestServer struct {
	*testserver.Server
	// ClientConfig authenticates as the generated admin (system:masters).
	ClientConfig *rest.Config
	// Client is a clientset for ClientConfig.
	Client kubernetes.Interface
	// EtcdPrefix is where its objects are stored.
	EtcdPrefix string
}

// StartServer starts an API server on a free loopback port and waits until
// /readyz passes.
func StartServer(cfg ServerConfig) (*TestServer, error) {
	prefix := cfg.EtcdPrefix
	if prefix == "" {
		prefix = "/registry-" + rand.String(8)
	}
	opts := []testserver.Option{
		testserver.WithFlags("--etcd-servers="+cfg.EtcdURL, "--etcd-prefix="+prefix),
		testserver.WithFlags(cfg.Flags...),
	}
	if len(cfg.FeatureGates) > 0 {
		opts = append(opts, testserver.WithFeatureGates(gateList(cfg.FeatureGates)...))
	}
	if cfg.Customize != nil {
		opts = append(opts, testserver.WithOptions(cfg.Customize))
	}
	s, err := testserver.StartInDir("", opts...)
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(s.Config)
	if err != nil {
		return nil, err
	}
	return &TestServer{Server: s, ClientConfig: s.Config, Client: client, EtcdPrefix: prefix}, nil
}

func gateList(gates map[string]bool) []string {
	list := make([]string, 0, len(gates))
	for name, on := range gates {
		list = append(list, fmt.Sprintf("%s=%t", name, on))
	}
	sort.Strings(list)
	return list
}

// Stop shuts the server down, waits for it and removes its data dir.
func (s *TestServer) Stop() { _ = s.Server.Stop() }
