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

package server

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/storage/embeddedetcd"
)

// newSnapshotCommand is `ephemeral-apiserver snapshot save|restore`: the
// backup and restore of the embedded store, which is reachable only
// through its socket in the data dir.
func newSnapshotCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Back up and restore the embedded etcd",
		Long: `Back up the embedded etcd of a running server into a file, and restore such a file
into a new data dir, or into the data dir of a member of an external etcd cluster
(to move to --etcd-servers). Only the data dir's owner can reach the store.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newSnapshotSaveCommand(), newSnapshotRestoreCommand())
	return cmd
}

func newSnapshotSaveCommand() *cobra.Command {
	dataDir := NewOptions().DataDir
	cmd := &cobra.Command{
		Use:   "save FILE",
		Short: "Save a consistent snapshot of a running server's embedded etcd",
		Example: `  # While the server runs with --data-dir=/var/lib/ephemeral-apiserver:
  ephemeral-apiserver snapshot save --data-dir=/var/lib/ephemeral-apiserver backup.db`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			abs, err := filepath.Abs(dataDir)
			if err != nil {
				return err
			}
			if err := embeddedetcd.SaveSnapshot(cmd.Context(), abs, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Snapshot saved to %s\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", dataDir, "The running server's --data-dir.")
	return cmd
}

func newSnapshotRestoreCommand() *cobra.Command {
	var target embeddedetcd.RestoreTarget
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore a snapshot into a new data dir",
		Long: `Restore a snapshot into the data dir of a stopped server (--data-dir; its etcd
directory must not exist), or into the data dir of one member of an external etcd
cluster (--etcd-data-dir with --name, --initial-cluster and
--initial-advertise-peer-urls, as etcd is started with them).

The restored store's revision is moved past the snapshot's, so resourceVersions
that clients held before never come back with other data; their watches relist.`,
		Example: `  # Into a new data dir for the embedded store:
  ephemeral-apiserver snapshot restore --data-dir=/var/lib/ephemeral-apiserver-restored backup.db

  # Into the first member of an external cluster:
  ephemeral-apiserver snapshot restore backup.db --etcd-data-dir=/var/lib/etcd \
    --name=m1 --initial-cluster=m1=https://10.0.0.1:2380 --initial-advertise-peer-urls=https://10.0.0.1:2380`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, dir := range []*string{&target.DataDir, &target.EtcdDataDir} {
				if *dir == "" {
					continue
				}
				abs, err := filepath.Abs(*dir)
				if err != nil {
					return err
				}
				*dir = abs
			}
			if err := embeddedetcd.RestoreSnapshot(args[0], target); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Snapshot %s restored\n", args[0])
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&target.DataDir, "data-dir", "", "The --data-dir of the server that will run on the restored embedded store.")
	fs.StringVar(&target.EtcdDataDir, "etcd-data-dir", "", "The --data-dir of an external etcd member to create.")
	fs.StringVar(&target.Name, "name", "", "The external member's --name.")
	fs.StringVar(&target.InitialCluster, "initial-cluster", "", "The external cluster's --initial-cluster.")
	fs.StringSliceVar(&target.PeerURLs, "initial-advertise-peer-urls", nil, "The external member's --initial-advertise-peer-urls.")
	fs.StringVar(&target.ClusterToken, "initial-cluster-token", "", "The external cluster's --initial-cluster-token (etcd's default when empty).")
	return cmd
}
