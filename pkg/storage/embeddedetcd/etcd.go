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
// Package embeddedetcd runs a single-member etcd inside the server process,
// so that one command gives a complete API server with durable storage.
package embeddedetcd

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/klog/v2"
)

// readyTimeout bounds how long Start waits for etcd to become ready; a
// healthy data dir is ready in well under a second.
const readyTimeout = 60 * time.Second

// Etcd is a running embedded etcd member.
type Etcd struct {
	etcd *embed.Etcd
	// ClientURL is the loopback URL the API server's storage talks to.
	ClientURL string
}

// Start starts etcd with its data under dataDir and waits until it serves.
// It listens on loopback only, with fsync on, so every write acknowledged to
// a client is on disk.
func Start(dataDir string) (*Etcd, error) {
	clientURL, err := freeLoopbackURL()
	if err != nil {
		return nil, err
	}
	peerURL, err := freeLoopbackURL()
	if err != nil {
		return nil, err
	}

	cfg := embed.NewConfig()
	cfg.Name = "ephemeral-apiserver"
	cfg.Dir = filepath.Join(dataDir, "etcd")
	cfg.ListenClientUrls = []url.URL{*clientURL}
	cfg.AdvertiseClientUrls = []url.URL{*clientURL}
	cfg.ListenPeerUrls = []url.URL{*peerURL}
	cfg.AdvertisePeerUrls = []url.URL{*peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "error"
	// The API server compacts on its own schedule; etcd need not.
	cfg.AutoCompactionRetention = "0"
	// A single member has no follower to catch up: snapshot (and drop the
	// raft log held in memory) fifty times as often as etcd's default,
	// which is sized for clusters, and keep few entries after it.
	cfg.SnapshotCount = 2000
	cfg.SnapshotCatchUpEntries = 500
	// A lone member elects itself one tick after it starts, and it has no
	// peer to send heartbeats to: a short tick makes start-up 90 ms faster
	// at no cost.
	cfg.TickMs = 10
	cfg.ElectionMs = 100

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting embedded etcd in %s: %w", cfg.Dir, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("embedded etcd failed: %w", err)
	case <-time.After(readyTimeout):
		e.Server.Stop()
		e.Close()
		return nil, fmt.Errorf("embedded etcd in %s was not ready within %v", cfg.Dir, readyTimeout)
	}
	klog.InfoS("Embedded etcd is ready", "dataDir", cfg.Dir, "clientURL", clientURL.String())
	return &Etcd{etcd: e, ClientURL: clientURL.String()}, nil
}

// Err reports a fatal error of the running member.
func (e *Etcd) Err() <-chan error { return e.etcd.Err() }

// Stop shuts etcd down; call it after the API server has stopped using it.
func (e *Etcd) Stop() {
	e.etcd.Close()
}

// freeLoopbackURL picks a free port on 127.0.0.1. etcd cannot advertise a
// port 0 listener, so the port is chosen here and released just before etcd
// binds it.
func freeLoopbackURL() (*url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "http", Host: addr}, nil
}
