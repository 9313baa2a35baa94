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

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes"
)

const trailLong = `Show who added which ephemeral container, when: every debug container added in the
 namespace, or to one pod, oldest first, with the time, the pod, the container, its image
 and the user.

 The trail is read from the EphemeralContainerAdded events ephemeral-apiserver records for
 each request that adds debug containers; it is as long as the server keeps events
 (--event-ttl, 1h by default). Servers that record no such events show an empty trail.
 With --watch the command keeps running and prints each addition as it is recorded.`

const trailExample = `  # Every debug container added in the current namespace
  kubectl ephemeral trail

  # Those added to pod example-pod, and the ones still to come
  kubectl ephemeral trail example-pod --watch

  # In every namespace
  kubectl ephemeral trail -A`

// TrailOptions are the flags and arguments of "kubectl ephemeral trail".
type TrailOptions struct {
	genericiooptions.IOStreams
	PodName       string
	AllNamespaces bool
	Watch         bool
	NoHeaders     bool
}

func newCmdTrail(f *factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &TrailOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:                   "trail [POD] [--watch]",
		DisableFlagsInUseLine: true,
		Short:                 "Show every debug container added, by whom and when",
		Long:                  longDesc(trailLong),
		Example:               trailExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := podArg(cmd, args, true)
			if err != nil {
				return err
			}
			o.PodName = name
			if o.AllNamespaces && o.PodName != "" {
				return usageErrorf(cmd, "a POD cannot be named with --all-namespaces")
			}
			return o.Run(cmd.Context(), f)
		},
	}
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", false, "After the trail so far, print each addition as it is recorded.")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Show the trail of every namespace.")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", false, "Print the table without its header line.")
	return cmd
}

// Run prints the trail, then follows it with --watch.
func (o *TrailOptions) Run(ctx context.Context, f *factory) error {
	namespace, err := f.namespace()
	if err != nil {
		return err
	}
	if o.AllNamespaces {
		namespace = metav1.NamespaceAll
	}
	clients, err := f.clients()
	if err != nil {
		return err
	}
	t := &trail{core: clients.Core, namespace: namespace, podName: o.PodName, seen: map[types.UID]bool{},
		printer: printers.NewTablePrinter(printers.PrintOptions{NoHeaders: o.NoHeaders}), out: o.Out,
		withNamespace: o.AllNamespaces}
	rv, printed, err := t.catchUp(ctx)
	if err != nil {
		return err
	}
	if !o.Watch {
		if printed == 0 {
			fmt.Fprintln(o.ErrOut, t.nothingYet())
		}
		return nil
	}
	return t.follow(ctx, rv)
}

// trail prints EphemeralContainerAdded events, each once.
type trail struct {
	core          kubernetes.Interface
	namespace     string
	podName       string
	withNamespace bool
	seen          map[types.UID]bool
	printer       printers.ResourcePrinter
	out           io.Writer
}

func (t *trail) nothingYet() string {
	where := "in namespace " + t.namespace
	switch {
	case t.namespace == metav1.NamespaceAll:
		where = "in any namespace"
	case t.podName != "":
		where = fmt.Sprintf("to pod %s/%s", t.namespace, t.podName)
	}
	return "No debug containers were added " + where + " (or the server records no EphemeralContainerAdded events)."
}

// catchUp lists the events and prints those not printed yet, oldest first.
func (t *trail) catchUp(ctx context.Context) (resourceVersion string, printed int, err error) {
	list, err := t.core.CoreV1().Events(t.namespace).List(ctx, metav1.ListOptions{FieldSelector: addedSelector(t.podName)})
	if err != nil {
		return "", 0, err
	}
	var fresh []corev1.Event
	for _, event := range list.Items {
		if !t.seen[event.UID] {
			fresh = append(fresh, event)
		}
	}
	printed, err = t.print(fresh)
	return list.ResourceVersion, printed, err
}

// follow watches for new events from resourceVersion until ctx ends; when
// the watch ends it catches up with a new list and watches again.
func (t *trail) follow(ctx context.Context, resourceVersion string) error {
	for {
		w, err := t.core.CoreV1().Events(t.namespace).Watch(ctx, metav1.ListOptions{
			FieldSelector:   addedSelector(t.podName),
			ResourceVersion: resourceVersion,
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for ev := range w.ResultChan() {
			event, ok := ev.Object.(*corev1.Event)
			if !ok || (ev.Type != watch.Added && ev.Type != watch.Modified) || t.seen[event.UID] {
				continue
			}
			if _, err := t.print([]corev1.Event{*event}); err != nil {
				w.Stop()
				return err
			}
		}
		w.Stop()
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
		if resourceVersion, _, err = t.catchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// print prints the rows of the events' records and marks them seen.
func (t *trail) print(events []corev1.Event) (int, error) {
	records := recordsOf(events)
	for _, event := range events {
		t.seen[event.UID] = true
	}
	if len(records) == 0 {
		return 0, nil
	}
	return len(records), t.printer.PrintObj(TrailTable(records, t.withNamespace), t.out)
}

// TrailTable is the table "trail" prints: a row per container a record
// names, and one for the containers it only counts.
func TrailTable(records []Record, withNamespace bool) *metav1.Table {
	columns := []metav1.TableColumnDefinition{
		{Name: "Time", Type: "string", Format: "date-time", Description: "When the container was added (UTC)."},
		{Name: "Pod", Type: "string", Description: "The pod it was added to."},
		{Name: "Container", Type: "string", Description: "The ephemeral container."},
		{Name: "Image", Type: "string", Description: "Its image."},
		{Name: "User", Type: "string", Description: "The user who added it."},
	}
	if withNamespace {
		columns = append([]metav1.TableColumnDefinition{{Name: "Namespace", Type: "string"}}, columns...)
	}
	table := &metav1.Table{ColumnDefinitions: columns}
	row := func(r Record, container, image string) {
		cells := []any{r.Time.UTC().Format(time.RFC3339), r.Pod, container, image, r.User}
		if withNamespace {
			cells = append([]any{r.Namespace}, cells...)
		}
		table.Rows = append(table.Rows, metav1.TableRow{Cells: cells})
	}
	for _, r := range records {
		for _, c := range r.Containers {
			row(r, c.Name, c.Image)
		}
		if r.More > 0 {
			row(r, fmt.Sprintf("(%d more)", r.More), "<unknown>")
		}
	}
	return table
}
