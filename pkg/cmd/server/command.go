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
	"context"

	"github.com/spf13/cobra"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/component-base/term"
	"k8s.io/component-base/version/verflag"
)

// NewCommand returns the ephemeral-apiserver command; ctx ends on SIGTERM
// or SIGINT and starts a graceful shutdown.
func NewCommand(ctx context.Context) *cobra.Command {
	o := NewOptions()
	cmd := &cobra.Command{
		Use:   "ephemeral-apiserver",
		Short: "A Kubernetes API server for Pods and their ephemeral containers, stored in etcd",
		Long: `ephemeral-apiserver serves core/v1 Pods with the pods/ephemeralcontainers
subresource in both its Kubernetes 1.16 form (kind EphemeralContainers) and its
modern form (kind Pod). Without --etcd-servers it runs an embedded etcd under
--data-dir, reachable only on unix sockets there, and writes admin.kubeconfig
there for kubectl.`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			verflag.PrintAndExitIfRequested()
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			if err := logsapi.ValidateAndApply(o.Logs, utilfeature.DefaultFeatureGate); err != nil {
				return err
			}
			o.Memory.Apply()
			return o.Run(cmd.Context())
		},
		Args: cobra.NoArgs,
	}
	cmd.SetContext(ctx)
	cmd.AddCommand(newSnapshotCommand())

	fss := o.Flags()
	verflag.AddFlags(fss.FlagSet("global"))
	for _, fs := range fss.FlagSets {
		cmd.Flags().AddFlagSet(fs)
	}
	cols, _, _ := term.TerminalSize(cmd.OutOrStdout())
	cliflag.SetUsageAndHelpFunc(cmd, fss, cols)
	return cmd
}
