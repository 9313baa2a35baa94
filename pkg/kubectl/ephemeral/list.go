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
	"context"
	"fmt"
	"io"
	"time"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes"
)

const listLong = `List the ephemeral containers of a pod.

 Each container is shown with its image, the container it targets, its state as the pod's
 status tells it (the Waiting reason, Running, or the Terminated reason; <none> before a
 kubelet reports on it), its age and the user who added it.

 The user and the age come from the EphemeralContainerAdded events ephemeral-apiserver
 records; other servers record none, and the user is then <unknown>.

 -o json and -o yaml print the list in its Kubernetes 1.16 form, kind EphemeralContainers;
 -o name prints the containers' names.`

const listExample = `  # List the debug containers of pod example-pod
  kubectl ephemeral list example-pod

  # The same in the namespace debug, as YAML
  kubectl ephemeral get example-pod -n debug -o yaml`

// unknownUser is ADDED-BY without a record of the addition.
const unknownUser = "<unknown>"

// ListOptions are the flags and arguments of "kubectl ephemeral list".
type ListOptions struct {
	genericiooptions.IOStreams
	PrintFlags *genericclioptions.PrintFlags
	NoHeaders  bool
	PodName    string
}

func newCmdList(f *factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ListOptions{IOStreams: streams, PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(printScheme())}
	cmd := &cobra.Command{
		Use:                   "list POD [-o json|yaml|name]",
		Aliases:               []string{"get"},
		DisableFlagsInUseLine: true,
		Short:                 "List the ephemeral containers of a pod",
		Long:                  longDesc(listLong),
		Example:               listExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := podArg(cmd, args, false)
			if err != nil {
				return err
			}
			o.PodName = name
			return o.Run(cmd.Context(), f)
		},
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", false, "Print the table without its header line.")
	return cmd
}

// printScheme knows the kind the structured outputs print.
func printScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	if err := legacyv1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	return scheme
}

// Run reads the pod and the events on it and prints the list.
func (o *ListOptions) Run(ctx context.Context, f *factory) error {
	var printer printers.ResourcePrinter
	if format := *o.PrintFlags.OutputFormat; format != "" && format != "name" {
		var err error
		if printer, err = o.PrintFlags.ToPrinter(); err != nil {
			return err
		}
	}
	namespace, err := f.namespace()
	if err != nil {
		return err
	}
	clients, err := f.clients()
	if err != nil {
		return err
	}
	pod, err := clients.Core.CoreV1().Pods(namespace).Get(ctx, o.PodName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	switch *o.PrintFlags.OutputFormat {
	case "":
		records, err := listRecords(ctx, clients.Core, namespace, pod.Name)
		if err != nil {
			// Who added what is extra: the list is still worth printing.
			fmt.Fprintf(o.ErrOut, "Warning: who added the containers is unknown: %v\n", err)
		}
		if len(pod.Spec.EphemeralContainers) == 0 {
			fmt.Fprintf(o.ErrOut, "No ephemeral containers in pod %s/%s.\n", pod.Namespace, pod.Name)
			return nil
		}
		return printTable(o.Out, ContainerTable(pod, Attribute(pod, records), time.Now()), o.NoHeaders)
	case "name":
		for _, ec := range pod.Spec.EphemeralContainers {
			fmt.Fprintln(o.Out, ec.Name)
		}
		return nil
	}
	return printer.PrintObj(LegacyList(pod), o.Out)
}

// LegacyList is the pod's list of ephemeral containers in the 1.16 form.
func LegacyList(pod *corev1.Pod) *legacyv1.EphemeralContainers {
	return &legacyv1.EphemeralContainers{
		ObjectMeta: metav1.ObjectMeta{
			Name:              pod.Name,
			Namespace:         pod.Namespace,
			UID:               pod.UID,
			ResourceVersion:   pod.ResourceVersion,
			CreationTimestamp: pod.CreationTimestamp,
		},
		EphemeralContainers: append([]corev1.EphemeralContainer{}, pod.Spec.EphemeralContainers...),
	}
}

// listRecords reads the EphemeralContainerAdded events of a namespace,
// or of one pod in it when podName is set, oldest first.
func listRecords(ctx context.Context, core kubernetes.Interface, namespace, podName string) ([]Record, error) {
	events, err := core.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{FieldSelector: addedSelector(podName)})
	if err != nil {
		return nil, err
	}
	return recordsOf(events.Items), nil
}

// addedSelector selects the EphemeralContainerAdded events on pods, or on
// the pod of that name.
func addedSelector(podName string) string {
	set := fields.Set{"reason": AddedReason, "involvedObject.kind": "Pod"}
	if podName != "" {
		set["involvedObject.name"] = podName
	}
	return fields.SelectorFromSet(set).String()
}

func recordsOf(events []corev1.Event) []Record {
	var records []Record
	for i := range events {
		if r, ok := RecordOf(&events[i]); ok {
			records = append(records, r)
		}
	}
	sortRecords(records)
	return records
}

var containerColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: "The ephemeral container's name."},
	{Name: "Image", Type: "string", Description: "Its image."},
	{Name: "Target", Type: "string", Description: "The container whose process namespace it joins."},
	{Name: "State", Type: "string", Description: "Its state in the pod's status: the Waiting reason, Running, or the Terminated reason."},
	{Name: "Age", Type: "string", Description: "Since it was added, or started when that is unknown."},
	{Name: "Added-By", Type: "string", Description: "The user who added it, from the server's EphemeralContainerAdded events."},
}

// ContainerTable is the table "list" prints: one row per ephemeral
// container of the pod, in the pod's order.
func ContainerTable(pod *corev1.Pod, by map[string]Attribution, now time.Time) *metav1.Table {
	table := &metav1.Table{ColumnDefinitions: containerColumns}
	for _, ec := range pod.Spec.EphemeralContainers {
		state := ephemeralState(pod, ec.Name)
		who, known := by[ec.Name]
		user, since := unknownUser, time.Time{}
		if known {
			user, since = who.User, who.Time
		}
		if since.IsZero() {
			since = startedAt(state)
		}
		age := "<unknown>"
		if !since.IsZero() {
			age = duration.HumanDuration(now.Sub(since))
		}
		table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{
			ec.Name, ec.Image, orDefault(ec.TargetContainerName, "<none>"), stateString(state), age, user,
		}})
	}
	return table
}

// stateString is the STATE of a container, as kubectl get pods words the
// status of a pod's containers.
func stateString(state *corev1.ContainerState) string {
	switch {
	case state == nil:
		return "<none>"
	case state.Running != nil:
		return "Running"
	case state.Waiting != nil:
		return orDefault(state.Waiting.Reason, "Waiting")
	case state.Terminated != nil:
		if state.Terminated.Reason != "" {
			return state.Terminated.Reason
		}
		if state.Terminated.Signal != 0 {
			return fmt.Sprintf("Signal:%d", state.Terminated.Signal)
		}
		return fmt.Sprintf("ExitCode:%d", state.Terminated.ExitCode)
	}
	return "<none>"
}

func startedAt(state *corev1.ContainerState) time.Time {
	switch {
	case state == nil:
	case state.Running != nil:
		return state.Running.StartedAt.Time
	case state.Terminated != nil:
		return state.Terminated.StartedAt.Time
	}
	return time.Time{}
}

// printTable prints a table like kubectl get.
func printTable(w io.Writer, table *metav1.Table, noHeaders bool) error {
	return printers.NewTablePrinter(printers.PrintOptions{NoHeaders: noHeaders}).PrintObj(table, w)
}
