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
//
// The member is sealed: it listens on unix-domain sockets inside the data
// dir (mode 0700, sockets 0600) and on no TCP port, so only the server and
// the data dir's owner can reach the store.
package embeddedetcd

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"k8s.io/klog/v2"
)

const (
	// readyTimeout bounds how long Start waits for etcd to become ready; a
	// healthy data dir is ready in well under a second.
	readyTimeout = 60 * time.Second

	// memberName names the lone member, in its data and in a restore.
	memberName = "ephemeral-apiserver"
	// clusterToken is etcd's default, kept so restored members match.
	clusterToken = "etcd-cluster"

	// maxSocketPath is the longest path a unix socket may have on Linux
	// (sun_path is 108 bytes with its terminating NUL).
	maxSocketPath = 107
)

// Layout names the files of the embedded store inside a data dir.
type Layout struct{ DataDir string }

// EtcdDir holds etcd's member data (WAL and snapshots).
func (l Layout) EtcdDir() string { return filepath.Join(l.DataDir, "etcd") }

// ClientSocket is the unix socket the API server and operators' tools
// (etcdctl, `ephemeral-apiserver snapshot save`) use.
func (l Layout) ClientSocket() string { return filepath.Join(l.DataDir, "etcd.sock") }

// PeerSocket is the lone member's raft listener; nobody dials it.
func (l Layout) PeerSocket() string { return filepath.Join(l.DataDir, "etcd-peer.sock") }

// ClientURL is the etcd endpoint of ClientSocket.
func (l Layout) ClientURL() string { return socketURL(l.ClientSocket()).String() }

func (l Layout) peerURL() string { return socketURL(l.PeerSocket()).String() }

// SocketsFit reports whether the sockets' paths are short enough for a
// unix socket; the peer socket's is the longer one.
func (l Layout) SocketsFit() bool { return len(l.PeerSocket()) <= maxSocketPath }

func (l Layout) lockFile() string { return filepath.Join(l.DataDir, ".lock") }

func socketURL(path string) *url.URL { return &url.URL{Scheme: "unix", Path: path} }

// Etcd is a running embedded etcd member.
type Etcd struct {
	etcd   *embed.Etcd
	log    *klogCore
	unlock func()
	// ClientURL is the unix:// endpoint the API server's storage talks to.
	ClientURL string
}

// Start starts etcd with its data under dataDir and waits until it serves.
// fsync is on, so every write acknowledged to a client is on disk.
func Start(dataDir string) (*Etcd, error) {
	layout := Layout{DataDir: dataDir}
	unlock, err := prepareDataDir(layout)
	if err != nil {
		return nil, err
	}
	log := newKlogCore()
	cfg := newConfig(layout, log)

	log.holdErrors()
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		log.failed()
		unlock()
		return nil, explainStartError(layout, err)
	}
	// abort stops a member that started but is not to be used.
	abort := func(err error) (*Etcd, error) {
		log.failed()
		log.stopping.Store(true)
		e.Server.Stop()
		e.Close()
		unlock()
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		log.started()
	case err := <-e.Err():
		return abort(explainStartError(layout, err))
	case <-time.After(readyTimeout):
		return abort(fmt.Errorf("embedded etcd in %s was not ready within %v", cfg.Dir, readyTimeout))
	}
	// etcd creates the sockets with the process's umask; the 0700 data dir
	// already keeps others out, and 0600 says so on the socket itself.
	for _, socket := range []string{layout.ClientSocket(), layout.PeerSocket()} {
		if err := os.Chmod(socket, 0o600); err != nil {
			return abort(fmt.Errorf("restricting embedded etcd socket %s: %w", socket, err))
		}
	}
	klog.InfoS("Embedded etcd is ready", "dataDir", cfg.Dir, "socket", layout.ClientSocket())
	return &Etcd{etcd: e, log: log, unlock: unlock, ClientURL: layout.ClientURL()}, nil
}

// newConfig is the member's configuration: one member, reachable only on
// unix sockets in the data dir, logging through klog.
func newConfig(layout Layout, log *klogCore) *embed.Config {
	client, peer := socketURL(layout.ClientSocket()), socketURL(layout.PeerSocket())
	cfg := embed.NewConfig()
	cfg.Name = memberName
	cfg.Dir = layout.EtcdDir()
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	// etcd binds a peer listener at the URL's host alone (its client
	// listeners use host and path): an absolute path in the path would
	// leave an abstract socket that any local process could reach.
	cfg.ListenPeerUrls = []url.URL{{Scheme: "unix", Host: layout.PeerSocket()}}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	// No HTTP client listener: the gRPC gateway and /metrics of etcd stay
	// on the client socket, and no further listener is opened.
	cfg.ListenClientHttpUrls = nil
	cfg.ListenMetricsUrls = nil
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.InitialClusterToken = clusterToken
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.New(log))
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
	return cfg
}

// prepareDataDir creates the data dir private to its owner and locks it,
// so a second server (or a restore) on the same dir fails at once instead
// of replacing the running member's sockets.
func prepareDataDir(layout Layout) (unlock func(), err error) {
	if n := len(layout.PeerSocket()); !layout.SocketsFit() {
		return nil, fmt.Errorf("--data-dir %s is too long for the embedded etcd's unix socket (%d bytes, at most %d): choose a shorter path",
			layout.DataDir, n, maxSocketPath)
	}
	if err := os.MkdirAll(layout.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create --data-dir: %w", err)
	}
	info, err := os.Stat(layout.DataDir)
	if err != nil {
		return nil, fmt.Errorf("cannot use --data-dir: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("--data-dir %s is not a directory", layout.DataDir)
	}
	if info.Mode().Perm() != 0o700 {
		if err := os.Chmod(layout.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot make --data-dir %s private (mode 0700): %w", layout.DataDir, err)
		}
		klog.InfoS("Made the data dir private to its owner", "dataDir", layout.DataDir, "previousMode", info.Mode().Perm().String())
	}
	return lockDataDir(layout)
}

// lockDataDir takes an exclusive advisory lock on the data dir; the lock
// goes with the process, so a crash never leaves it held.
func lockDataDir(layout Layout) (unlock func(), err error) {
	f, err := os.OpenFile(layout.lockFile(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot write in --data-dir %s: %w", layout.DataDir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("--data-dir %s is in use by another ephemeral-apiserver (or a snapshot restore): stop it or choose another --data-dir", layout.DataDir)
		}
		return nil, fmt.Errorf("locking --data-dir %s: %w", layout.DataDir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// explainStartError says what a failed start means for the operator.
func explainStartError(layout Layout, err error) error {
	return fmt.Errorf("embedded etcd in %s could not start: %w (if its data is damaged, restore a snapshot with `ephemeral-apiserver snapshot restore`)",
		layout.EtcdDir(), err)
}

// Err reports a fatal error of the running member.
func (e *Etcd) Err() <-chan error { return e.etcd.Err() }

// Stop shuts etcd down; call it after the API server has stopped using it.
// What etcd reports about its own listeners closing is expected then, and
// logged at a verbose level only.
func (e *Etcd) Stop() {
	e.log.stopping.Store(true)
	e.etcd.Close()
	e.unlock()
}
