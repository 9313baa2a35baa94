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

package embeddedetcd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.etcd.io/etcd/client/v3"
	clientsnapshot "go.etcd.io/etcd/client/v3/snapshot"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

// RestoreRevisionBump is how far a restore moves etcd's revision past the
// snapshot's, so that no resourceVersion a client saw before the restore
// is handed out again for other data; the old revisions are marked
// compacted, which makes watchers that held them relist.
const RestoreRevisionBump = 1_000_000_000

// SaveSnapshot streams a consistent snapshot of the running embedded etcd
// of dataDir into file, through the data dir's socket.
func SaveSnapshot(ctx context.Context, dataDir, file string) error {
	layout := Layout{DataDir: dataDir}
	if _, err := os.Stat(layout.ClientSocket()); err != nil {
		return fmt.Errorf("no embedded etcd is serving in --data-dir %s (%w): start the server, or copy a stopped server's data dir instead", dataDir, err)
	}
	cfg := clientv3.Config{Endpoints: []string{layout.ClientURL()}, DialTimeout: 5 * time.Second}
	if _, err := clientsnapshot.SaveWithVersion(ctx, zap.New(newKlogCore()), cfg, file); err != nil {
		return fmt.Errorf("saving a snapshot of %s: %w", layout.ClientSocket(), err)
	}
	return nil
}

// RestoreTarget is where a snapshot is restored: the data dir of a stopped
// embedded server, or the data dir of one member of an external etcd
// cluster (as etcdutl snapshot restore writes it).
type RestoreTarget struct {
	// DataDir is an ephemeral-apiserver --data-dir; its etcd subdirectory
	// must not exist yet.
	DataDir string

	// EtcdDataDir is an external member's --data-dir; it must not exist.
	EtcdDataDir string
	// Name, InitialCluster, PeerURLs and ClusterToken are the member's
	// --name, --initial-cluster, --initial-advertise-peer-urls and
	// --initial-cluster-token.
	Name           string
	InitialCluster string
	PeerURLs       []string
	ClusterToken   string
}

// RestoreSnapshot writes a new member data dir from a snapshot file saved
// by SaveSnapshot or etcdctl.
func RestoreSnapshot(file string, target RestoreTarget) error {
	if (target.DataDir == "") == (target.EtcdDataDir == "") {
		return errors.New("give exactly one of --data-dir (the embedded store) and --etcd-data-dir (a member of an external etcd)")
	}
	cfg := snapshot.RestoreConfig{
		SnapshotPath:        file,
		Name:                target.Name,
		OutputDataDir:       target.EtcdDataDir,
		PeerURLs:            target.PeerURLs,
		InitialCluster:      target.InitialCluster,
		InitialClusterToken: target.ClusterToken,
		RevisionBump:        RestoreRevisionBump,
		MarkCompacted:       true,
	}
	if target.DataDir != "" {
		layout := Layout{DataDir: target.DataDir}
		unlock, err := prepareDataDir(layout)
		if err != nil {
			return err
		}
		defer unlock()
		if _, err := os.Stat(layout.EtcdDir()); err == nil {
			return fmt.Errorf("%s already holds etcd data: move it away before restoring into --data-dir %s", layout.EtcdDir(), target.DataDir)
		}
		cfg.Name = memberName
		cfg.OutputDataDir = layout.EtcdDir()
		cfg.PeerURLs = []string{layout.peerURL()}
		cfg.InitialCluster = memberName + "=" + layout.peerURL()
		cfg.InitialClusterToken = clusterToken
	}
	if cfg.Name == "" || cfg.InitialCluster == "" || len(cfg.PeerURLs) == 0 {
		return errors.New("restoring a member of an external etcd needs --name, --initial-cluster and --initial-advertise-peer-urls")
	}
	if cfg.InitialClusterToken == "" {
		cfg.InitialClusterToken = clusterToken
	}
	if err := snapshot.NewV3(zap.New(newKlogCore())).Restore(cfg); err != nil {
		return fmt.Errorf("restoring %s: %w", file, err)
	}
	return nil
}
