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

// Package ephemeral is the kubectl plugin kubectl-ephemeral: it adds,
// lists and traces the ephemeral (debug) containers of pods, on servers of
// the Kubernetes 1.16 form of pods/ephemeralcontainers (kind
// EphemeralContainers) and of today's (kind Pod) alike.
package ephemeral

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
)

// Main runs the plugin with its arguments (without the program's name) and
// returns the exit code: 0, or 1 after printing the error as kubectl does.
func Main(ctx context.Context, streams genericiooptions.IOStreams, args []string) int {
	cmd := NewCmdEphemeral(streams)
	cmd.SetArgs(args)
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	if err := cmd.ExecuteContext(ctx); err != nil {
		code := PrintError(streams.ErrOut, err)
		fmt.Fprint(streams.ErrOut, usageHint(err))
		return code
	}
	return 0
}

// UsageError is a command line kubectl would refuse: it prints a pointer
// to the command's help after the message.
type UsageError struct {
	// CommandPath is as the user typed it, e.g. "kubectl ephemeral add".
	CommandPath string
	Err         error
}

func (e *UsageError) Error() string { return e.Err.Error() }

func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(cmd *cobra.Command, format string, args ...any) error {
	return &UsageError{CommandPath: cmd.CommandPath(), Err: fmt.Errorf(format, args...)}
}

// usageHint is the line kubectl prints after a usage error.
func usageHint(err error) string {
	var usage *UsageError
	if !errors.As(err, &usage) {
		return ""
	}
	return fmt.Sprintf("See '%s -h' for help and examples\n", usage.CommandPath)
}

const rootLong = `Add, list and trace the ephemeral (debug) containers of pods.

 An ephemeral container runs an image of your choice inside a running pod, next to its
 containers, to inspect it. Kubernetes 1.16 introduced them with a subresource,
 pods/ephemeralcontainers, that reads and writes a list of kind EphemeralContainers; since
 1.22 it speaks kind Pod. kubectl debug speaks only the newer form. This plugin speaks both:
 it asks the server which form it uses, and writes in that one.

 Servers that record who added a debug container (ephemeral-apiserver's
 EphemeralContainerAdded events) let 'list' and 'trail' say who it was.`

const rootExample = `  # Add a busybox debug container with a shell to pod example-pod
  kubectl ephemeral add example-pod --image=busybox --name=debugger -i -t -- sh

  # List the debug containers of example-pod, their state and who added them
  kubectl ephemeral list example-pod

  # Show every debug container added in the current namespace, oldest first
  kubectl ephemeral trail`

// NewCmdEphemeral is the plugin's root command, "kubectl ephemeral".
func NewCmdEphemeral(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)
	cmd := &cobra.Command{
		Use:     "ephemeral",
		Short:   "Add, list and trace the ephemeral (debug) containers of pods",
		Long:    longDesc(rootLong),
		Example: rootExample,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl ephemeral",
		},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	cmd.CompletionOptions.DisableDefaultCmd = true
	configFlags.AddFlags(cmd.PersistentFlags())
	// -v, as kubectl's, shows the requests sent (-v=6) and their bodies (-v=8).
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	cmd.PersistentFlags().AddGoFlag(klogFlags.Lookup("v"))
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &UsageError{CommandPath: c.CommandPath(), Err: err}
	})
	f := &factory{configFlags: configFlags}
	cmd.AddCommand(newCmdAdd(f, streams))
	cmd.AddCommand(newCmdList(f, streams))
	cmd.AddCommand(newCmdTrail(f, streams))
	return cmd
}

// factory turns the connection flags into clients and the namespace.
type factory struct {
	configFlags *genericclioptions.ConfigFlags
}

func (f *factory) restConfig() (*rest.Config, error) {
	return f.configFlags.ToRESTConfig()
}

func (f *factory) clients() (*Clients, error) {
	config, err := f.restConfig()
	if err != nil {
		return nil, err
	}
	return NewClients(config)
}

// namespace is --namespace, or the kubeconfig context's, or "default".
func (f *factory) namespace() (string, error) {
	namespace, _, err := f.configFlags.ToRawKubeConfigLoader().Namespace()
	return namespace, err
}

// longDesc lays out a command's long description as kubectl does: its
// paragraphs, separated by blank lines, are filled to 100 columns, and all
// but the first start with a space.
func longDesc(text string) string {
	var out []string
	for i, paragraph := range strings.Split(strings.TrimSpace(text), "\n\n") {
		line, lines := "", []string(nil)
		if i > 0 {
			line = " "
		}
		for _, word := range strings.Fields(paragraph) {
			if strings.TrimSpace(line) != "" && len(line)+1+len(word) > 100 {
				lines, line = append(lines, line), ""
			}
			if strings.TrimSpace(line) != "" {
				line += " "
			}
			line += word
		}
		out = append(out, strings.Join(append(lines, line), "\n"))
	}
	return strings.Join(out, "\n\n")
}

// podArg takes the pod's name from the arguments before any "--": exactly
// one, or at most one when optional.
func podArg(cmd *cobra.Command, args []string, optional bool) (string, error) {
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		args = args[:dash]
	}
	switch {
	case len(args) == 1:
		return args[0], nil
	case len(args) == 0 && optional:
		return "", nil
	case len(args) == 0:
		return "", usageErrorf(cmd, "POD is required")
	}
	return "", usageErrorf(cmd, "exactly one POD is expected, got %d arguments: %s", len(args), strings.Join(args, " "))
}
