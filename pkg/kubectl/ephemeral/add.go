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

package ephemeral

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const addLong = `Add an ephemeral container to a running pod.

 The server is asked which form of pods/ephemeralcontainers it speaks. A server that
 answers in kind EphemeralContainers (Kubernetes 1.16 to 1.21) gets the pod's list of
 ephemeral containers back with the new one appended, in a PUT that is repeated on a
 conflict with another writer. Other servers get the strategic merge patch kubectl debug
 sends. Either way the existing ephemeral containers are kept: they can be neither
 changed nor removed.

 Without --name the container is named like kubectl debug names it: "debugger-" and
 five random characters. Everything after "--" is the container's command.

 The container runs once a kubelet starts it. With --wait the command waits until the pod's
 status says it is running; it fails, printing why, if the container does not run in time
 or cannot run (for instance ImagePullBackOff). Give --wait a duration as --wait=2m.`

const addExample = `  # Add a busybox container running a shell, with stdin and a TTY, to attach to later
  kubectl ephemeral add example-pod --image=busybox --name=debugger -i -t -- sh

  # Share the process namespace of container app, and wait until the container runs
  kubectl ephemeral add example-pod --image=busybox --target=app --wait -- sleep 3600

  # Set environment variables; the name is generated
  kubectl ephemeral add example-pod --image=busybox --env=MODE=debug --env=LEVEL=2 -- env`

// AddOptions are the flags and arguments of "kubectl ephemeral add".
type AddOptions struct {
	genericiooptions.IOStreams

	PodName         string
	Image           string
	Name            string
	Target          string
	Stdin           bool
	TTY             bool
	Env             []string
	ImagePullPolicy string
	Command         []string
	// Wait is how long to wait for the container to run; 0: no wait.
	Wait time.Duration
	// WaitInterval is the poll interval of Wait.
	WaitInterval time.Duration
}

func newCmdAdd(f *factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &AddOptions{IOStreams: streams, WaitInterval: 500 * time.Millisecond}
	cmd := &cobra.Command{
		Use:                   "add POD --image=IMAGE [--name=NAME] [--target=CONTAINER] [-i] [-t] [--env=KEY=VALUE]... [--wait[=TIMEOUT]] [-- COMMAND [ARG...]]",
		DisableFlagsInUseLine: true,
		Short:                 "Add an ephemeral container to a pod",
		Long:                  longDesc(addLong),
		Example:               addExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			if err := o.Validate(cmd); err != nil {
				return err
			}
			return o.Run(cmd, f)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&o.Image, "image", "", "Container image of the ephemeral container (required).")
	flags.StringVar(&o.Name, "name", "", `Name of the ephemeral container; "debugger-" and 5 random characters when empty.`)
	flags.StringVar(&o.Target, "target", "", "Container whose process namespace the ephemeral container joins, if the runtime supports it.")
	flags.BoolVarP(&o.Stdin, "stdin", "i", false, "Keep stdin open on the container, to attach to it.")
	flags.BoolVarP(&o.TTY, "tty", "t", false, "Allocate a TTY for the container.")
	flags.StringArrayVar(&o.Env, "env", nil, "Environment variable KEY=VALUE of the container; repeat for more.")
	flags.StringVar(&o.ImagePullPolicy, "image-pull-policy", "", "Always, IfNotPresent or Never; the server's default when empty.")
	flags.DurationVar(&o.Wait, "wait", 0, "Wait until the container runs, at most this long: --wait alone waits "+DefaultWaitTimeout.String()+", --wait=2m two minutes.")
	flags.Lookup("wait").NoOptDefVal = DefaultWaitTimeout.String()
	return cmd
}

// Complete takes the pod's name and the command from the arguments.
func (o *AddOptions) Complete(cmd *cobra.Command, args []string) error {
	name, err := podArg(cmd, args, false)
	if err != nil {
		return err
	}
	o.PodName = name
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		o.Command = args[dash:]
	}
	return nil
}

// Validate refuses what the server would refuse anyway, with a clearer
// message, and flags that make no sense together.
func (o *AddOptions) Validate(cmd *cobra.Command) error {
	if o.Image == "" {
		return usageErrorf(cmd, "--image is required")
	}
	if o.Name != "" {
		if errs := validation.IsDNS1123Label(o.Name); len(errs) > 0 {
			return fmt.Errorf("invalid container name %q: %s", o.Name, strings.Join(errs, "; "))
		}
	}
	for _, kv := range o.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return usageErrorf(cmd, "--env must be KEY=VALUE, got %q", kv)
		}
	}
	switch corev1.PullPolicy(o.ImagePullPolicy) {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		return usageErrorf(cmd, "--image-pull-policy must be Always, IfNotPresent or Never, got %q", o.ImagePullPolicy)
	}
	if o.Wait < 0 {
		return usageErrorf(cmd, "--wait must not be negative")
	}
	return nil
}

// Container is the ephemeral container the options describe.
func (o *AddOptions) Container() corev1.EphemeralContainer {
	ec := corev1.EphemeralContainer{
		TargetContainerName: o.Target,
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name:                     o.Name,
			Image:                    o.Image,
			Command:                  o.Command,
			ImagePullPolicy:          corev1.PullPolicy(o.ImagePullPolicy),
			Stdin:                    o.Stdin,
			TTY:                      o.TTY,
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		},
	}
	for _, kv := range o.Env {
		k, v, _ := strings.Cut(kv, "=")
		ec.Env = append(ec.Env, corev1.EnvVar{Name: k, Value: v})
	}
	return ec
}

// Run adds the container, and waits for it with --wait.
func (o *AddOptions) Run(cmd *cobra.Command, f *factory) error {
	namespace, err := f.namespace()
	if err != nil {
		return err
	}
	clients, err := f.clients()
	if err != nil {
		return err
	}
	adder := &Adder{Clients: *clients}
	added, err := adder.Add(cmd.Context(), namespace, o.PodName, o.Container())
	if err != nil {
		return err
	}
	if o.Name == "" {
		fmt.Fprintf(o.ErrOut, "Defaulting debug container name to %s.\n", added.Name)
	}
	how := "a strategic merge patch of kind Pod"
	if added.Form == FormLegacy {
		how = "a PUT of kind EphemeralContainers"
	}
	fmt.Fprintf(o.Out, "pod/%s: ephemeral container %q added with %s\n", o.PodName, added.Name, how)
	if o.Wait == 0 {
		return nil
	}
	err = WaitForRunning(cmd.Context(), clients.Core.CoreV1().Pods(namespace), o.PodName, added.Name, o.Wait, o.WaitInterval)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "pod/%s: ephemeral container %q is running\n", o.PodName, added.Name)
	return nil
}
