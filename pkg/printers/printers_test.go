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

package printers

import (
	"context"
	"reflect"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func init() { now = func() time.Time { return testNow } }

func ago(d time.Duration) metav1.Time { return metav1.NewTime(testNow.Add(-d)) }

func ptrBool(b bool) *bool { return &b }

func running() v1.ContainerState {
	return v1.ContainerState{Running: &v1.ContainerStateRunning{}}
}
func waiting(r string) v1.ContainerState {
	return v1.ContainerState{Waiting: &v1.ContainerStateWaiting{Reason: r}}
}
func terminated(reason string, code, signal int32) v1.ContainerState {
	return v1.ContainerState{Terminated: &v1.ContainerStateTerminated{Reason: reason, ExitCode: code, Signal: signal}}
}

func basePod(containers ...string) *v1.Pod {
	p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", CreationTimestamp: ago(10 * time.Minute)}}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, v1.Container{Name: c})
	}
	return p
}

func TestPodRows(t *testing.T) {
	always := v1.ContainerRestartPolicyAlways
	withInit := func(p *v1.Pod, sidecar bool, names ...string) *v1.Pod {
		for _, n := range names {
			c := v1.Container{Name: n}
			if sidecar {
				c.RestartPolicy = &always
			}
			p.Spec.InitContainers = append(p.Spec.InitContainers, c)
		}
		return p
	}
	cases := []struct {
		name string
		pod  func() *v1.Pod
		want []interface{}
		cond []metav1.TableRowCondition
	}{
		{"pending, unscheduled", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodPending
			return p
		}, []interface{}{"p", "0/1", "Pending", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"no status at all", func() *v1.Pod { return basePod("a") },
			[]interface{}{"p", "0/1", "", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"scheduling gated", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodPending
			p.Status.Conditions = []v1.PodCondition{{Type: v1.PodScheduled, Status: v1.ConditionFalse, Reason: v1.PodReasonSchedulingGated}}
			return p
		}, []interface{}{"p", "0/1", "SchedulingGated", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"container creating", func() *v1.Pod {
			p := basePod("a")
			p.Spec.NodeName = "n1"
			p.Status.Phase = v1.PodPending
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: waiting("ContainerCreating")}}
			return p
		}, []interface{}{"p", "0/1", "ContainerCreating", "0", "10m", "<none>", "n1", "<none>", "<none>"}, nil},
		{"running and ready, wide fields", func() *v1.Pod {
			p := basePod("a", "b")
			p.Spec.NodeName = "n1"
			p.Spec.ReadinessGates = []v1.PodReadinessGate{{ConditionType: "g1"}, {ConditionType: "g2"}}
			p.Status.Phase = v1.PodRunning
			p.Status.NominatedNodeName = "n2"
			p.Status.PodIPs = []v1.PodIP{{IP: "10.0.0.1"}, {IP: "fd00::1"}}
			p.Status.Conditions = []v1.PodCondition{{Type: "g1", Status: v1.ConditionTrue}, {Type: "g2", Status: v1.ConditionFalse}}
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", Ready: true, State: running()}, {Name: "b", Ready: true, State: running()}}
			return p
		}, []interface{}{"p", "2/2", "Running", "0", "10m", "10.0.0.1", "n1", "n2", "1/2"}, nil},
		{"running, not ready", func() *v1.Pod {
			p := basePod("a", "b")
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", Ready: true, State: running()}, {Name: "b", State: running()}}
			return p
		}, []interface{}{"p", "1/2", "Running", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"crash loop with last termination", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", RestartCount: 4, State: waiting("CrashLoopBackOff"),
				LastTerminationState: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 1, FinishedAt: ago(90 * time.Second)}}}}
			return p
		}, []interface{}{"p", "0/1", "CrashLoopBackOff", "4 (90s ago)", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"restarts without termination time", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", Ready: true, RestartCount: 2, State: running()}}
			return p
		}, []interface{}{"p", "1/1", "Running", "2", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"latest termination across containers", func() *v1.Pod {
			p := basePod("a", "b")
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{
				{Name: "a", Ready: true, RestartCount: 1, State: running(), LastTerminationState: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{FinishedAt: ago(3 * time.Hour)}}},
				{Name: "b", Ready: true, RestartCount: 2, State: running(), LastTerminationState: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{FinishedAt: ago(5 * time.Minute)}}},
			}
			return p
		}, []interface{}{"p", "2/2", "Running", "3 (5m ago)", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"first container's state wins", func() *v1.Pod {
			p := basePod("a", "b")
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: waiting("ImagePullBackOff")}, {Name: "b", State: waiting("ErrImagePull")}}
			return p
		}, []interface{}{"p", "0/2", "ImagePullBackOff", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"init container running", func() *v1.Pod {
			p := withInit(basePod("a"), false, "i1", "i2")
			p.Status.Phase = v1.PodPending
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "i1", State: terminated("Completed", 0, 0)}, {Name: "i2", State: running()}}
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: waiting("PodInitializing")}}
			return p
		}, []interface{}{"p", "0/1", "Init:1/2", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"init container waiting with reason", func() *v1.Pod {
			p := withInit(basePod("a"), false, "i1")
			p.Status.Phase = v1.PodPending
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "i1", RestartCount: 3, State: waiting("CrashLoopBackOff"),
				LastTerminationState: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{FinishedAt: ago(2 * time.Minute)}}}}
			return p
		}, []interface{}{"p", "0/1", "Init:CrashLoopBackOff", "3 (2m ago)", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"init waiting PodInitializing counts as progress", func() *v1.Pod {
			p := withInit(basePod("a"), false, "i1")
			p.Status.Phase = v1.PodPending
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "i1", State: waiting("PodInitializing")}}
			return p
		}, []interface{}{"p", "0/1", "Init:0/1", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"init container failed with reason", func() *v1.Pod {
			p := withInit(basePod("a"), false, "i1")
			p.Status.Phase = v1.PodFailed
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "i1", State: terminated("Error", 1, 0)}}
			return p
		}, []interface{}{"p", "0/1", "Init:Error", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, podFailedConditions},
		{"init container failed by exit code", func() *v1.Pod {
			p := withInit(basePod("a"), false, "i1")
			p.Status.Phase = v1.PodPending
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "i1", State: terminated("", 2, 0)}}
			return p
		}, []interface{}{"p", "0/1", "Init:ExitCode:2", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"init container killed by signal", func() *v1.Pod {
			p := withInit(basePod("a"), false, "i1")
			p.Status.Phase = v1.PodPending
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "i1", State: terminated("", 137, 9)}}
			return p
		}, []interface{}{"p", "0/1", "Init:Signal:9", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"sidecar started counts toward ready", func() *v1.Pod {
			p := withInit(basePod("a"), true, "s1")
			p.Status.Phase = v1.PodRunning
			p.Status.Conditions = []v1.PodCondition{{Type: v1.PodInitialized, Status: v1.ConditionTrue}}
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "s1", Ready: true, Started: ptrBool(true), RestartCount: 1, State: running(),
				LastTerminationState: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{FinishedAt: ago(time.Hour)}}}}
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", Ready: true, State: running()}}
			return p
		}, []interface{}{"p", "2/2", "Running", "1 (60m ago)", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"completed init restarts are not counted once initialized", func() *v1.Pod {
			p := withInit(basePod("a"), false, "i1")
			p.Status.Phase = v1.PodRunning
			p.Status.InitContainerStatuses = []v1.ContainerStatus{{Name: "i1", RestartCount: 2, State: terminated("Completed", 0, 0)}}
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", Ready: true, State: running()}}
			return p
		}, []interface{}{"p", "1/1", "Running", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"succeeded shows Completed", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodSucceeded
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: terminated("Completed", 0, 0)}}
			return p
		}, []interface{}{"p", "0/1", "Completed", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, podSucceededConditions},
		{"completed next to running and ready", func() *v1.Pod {
			p := basePod("a", "b")
			p.Status.Phase = v1.PodRunning
			p.Status.Conditions = []v1.PodCondition{{Type: v1.PodReady, Status: v1.ConditionTrue}}
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: terminated("Completed", 0, 0)}, {Name: "b", Ready: true, State: running()}}
			return p
		}, []interface{}{"p", "1/2", "Running", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"completed next to running, pod not ready", func() *v1.Pod {
			p := basePod("a", "b")
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: terminated("Completed", 0, 0)}, {Name: "b", Ready: true, State: running()}}
			return p
		}, []interface{}{"p", "1/2", "NotReady", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"terminated by exit code", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodFailed
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: terminated("", 3, 0)}}
			return p
		}, []interface{}{"p", "0/1", "ExitCode:3", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, podFailedConditions},
		{"terminated by signal", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodFailed
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: terminated("", 143, 15)}}
			return p
		}, []interface{}{"p", "0/1", "Signal:15", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, podFailedConditions},
		{"evicted", func() *v1.Pod {
			p := basePod("a")
			p.Status.Phase = v1.PodFailed
			p.Status.Reason = "Evicted"
			return p
		}, []interface{}{"p", "0/1", "Evicted", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, podFailedConditions},
		{"terminating", func() *v1.Pod {
			p := basePod("a")
			ts := ago(time.Second)
			p.DeletionTimestamp = &ts
			p.Status.Phase = v1.PodRunning
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", Ready: true, State: running()}}
			return p
		}, []interface{}{"p", "1/1", "Terminating", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"deleted after success keeps Completed", func() *v1.Pod {
			p := basePod("a")
			ts := ago(time.Second)
			p.DeletionTimestamp = &ts
			p.Status.Phase = v1.PodSucceeded
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "a", State: terminated("Completed", 0, 0)}}
			return p
		}, []interface{}{"p", "0/1", "Completed", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, podSucceededConditions},
		{"deleted on lost node", func() *v1.Pod {
			p := basePod("a")
			ts := ago(time.Second)
			p.DeletionTimestamp = &ts
			p.Status.Phase = v1.PodRunning
			p.Status.Reason = "NodeLost"
			return p
		}, []interface{}{"p", "0/1", "Unknown", "0", "10m", "<none>", "<none>", "<none>", "<none>"}, nil},
		{"no creation timestamp", func() *v1.Pod {
			p := basePod("a")
			p.CreationTimestamp = metav1.Time{}
			p.Status.Phase = v1.PodPending
			return p
		}, []interface{}{"p", "0/1", "Pending", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"}, nil},
	}
	conv := NewPodTableConvertor()
	for _, tc := range cases {
		pod := tc.pod()
		table, err := conv.ConvertToTable(context.Background(), pod, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(table.Rows) != 1 {
			t.Fatalf("%s: %d rows", tc.name, len(table.Rows))
		}
		row := table.Rows[0]
		if !reflect.DeepEqual(row.Cells, tc.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tc.name, row.Cells, tc.want)
		}
		if !reflect.DeepEqual(row.Conditions, tc.cond) {
			t.Errorf("%s: conditions %#v, want %#v", tc.name, row.Conditions, tc.cond)
		}
		if row.Object.Object != pod {
			t.Errorf("%s: row must carry the pod itself", tc.name)
		}
	}
}

func TestPodColumns(t *testing.T) {
	table, err := NewPodTableConvertor().ConvertToTable(context.Background(), basePod("a"), &metav1.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type col struct {
		name, typ, format string
		priority          int32
	}
	want := []col{
		{"Name", "string", "name", 0}, {"Ready", "string", "", 0}, {"Status", "string", "", 0},
		{"Restarts", "string", "", 0}, {"Age", "string", "", 0}, {"IP", "string", "", 1},
		{"Node", "string", "", 1}, {"Nominated Node", "string", "", 1}, {"Readiness Gates", "string", "", 1},
	}
	if len(table.ColumnDefinitions) != len(want) {
		t.Fatalf("got %d columns", len(table.ColumnDefinitions))
	}
	for i, c := range table.ColumnDefinitions {
		if (col{c.Name, c.Type, c.Format, c.Priority}) != want[i] {
			t.Errorf("column %d = %+v, want %+v", i, c, want[i])
		}
		if c.Description == "" {
			t.Errorf("column %s has no description", c.Name)
		}
	}
	if d := table.ColumnDefinitions[1].Description; d != "The aggregate readiness state of this pod for accepting traffic." {
		t.Errorf("ready description %q", d)
	}
	if len(table.Rows[0].Cells) != len(want) {
		t.Errorf("cells and columns disagree")
	}
}

func TestListsAndOptions(t *testing.T) {
	var rc int64 = 7
	list := &v1.PodList{
		ListMeta: metav1.ListMeta{ResourceVersion: "42", Continue: "next", RemainingItemCount: &rc},
		Items:    []v1.Pod{*basePod("a"), *basePod("b")},
	}
	list.Items[1].Name = "q"
	conv := NewPodTableConvertor()
	table, err := conv.ConvertToTable(context.Background(), list, &metav1.TableOptions{NoHeaders: true})
	if err != nil {
		t.Fatal(err)
	}
	if table.ColumnDefinitions != nil {
		t.Errorf("noHeaders must drop column definitions")
	}
	if table.ResourceVersion != "42" || table.Continue != "next" || table.RemainingItemCount == nil || *table.RemainingItemCount != 7 {
		t.Errorf("list metadata not copied: %+v", table.ListMeta)
	}
	if len(table.Rows) != 2 || table.Rows[0].Cells[0] != "p" || table.Rows[1].Cells[0] != "q" {
		t.Fatalf("rows = %+v", table.Rows)
	}
	if table.Rows[1].Object.Object != &list.Items[1] {
		t.Errorf("list rows must point at the list items")
	}

	empty, err := conv.ConvertToTable(context.Background(), &v1.PodList{}, nil)
	if err != nil || empty.Rows == nil || len(empty.Rows) != 0 || len(empty.ColumnDefinitions) != 9 {
		t.Errorf("empty list: %+v %v", empty, err)
	}

	single := basePod("a")
	single.ResourceVersion = "9"
	one, _ := conv.ConvertToTable(context.Background(), single, nil)
	if one.ResourceVersion != "9" {
		t.Errorf("single object resourceVersion = %q", one.ResourceVersion)
	}

	if _, err := conv.ConvertToTable(context.Background(), single, &metav1.ListOptions{}); err == nil {
		t.Errorf("foreign table options must be rejected")
	}
	if _, err := conv.ConvertToTable(context.Background(), &v1.Namespace{}, nil); err == nil {
		t.Errorf("wrong kind must be rejected")
	}
}

func TestNamespaceRows(t *testing.T) {
	list := &v1.NamespaceList{Items: []v1.Namespace{
		{ObjectMeta: metav1.ObjectMeta{Name: "default", CreationTimestamp: ago(49 * time.Hour)}, Status: v1.NamespaceStatus{Phase: v1.NamespaceActive}},
		{ObjectMeta: metav1.ObjectMeta{Name: "old", CreationTimestamp: ago(30 * time.Second)}, Status: v1.NamespaceStatus{Phase: v1.NamespaceTerminating}},
	}}
	table, err := NewNamespaceTableConvertor().ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]interface{}{{"default", "Active", "2d1h"}, {"old", "Terminating", "30s"}}
	for i, row := range table.Rows {
		if !reflect.DeepEqual(row.Cells, want[i]) {
			t.Errorf("row %d = %#v, want %#v", i, row.Cells, want[i])
		}
	}
	names := columnNames(table)
	if !reflect.DeepEqual(names, []string{"Name", "Status", "Age"}) {
		t.Errorf("columns %v", names)
	}
}

func TestPodTemplateRows(t *testing.T) {
	tmpl := &v1.PodTemplate{ObjectMeta: metav1.ObjectMeta{Name: "t"}, Template: v1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"b": "2", "a": "1"}},
		Spec:       v1.PodSpec{Containers: []v1.Container{{Name: "web", Image: "nginx"}, {Name: "log", Image: "busybox:1.36"}}},
	}}
	bare := &v1.PodTemplate{ObjectMeta: metav1.ObjectMeta{Name: "bare"}}
	conv := NewPodTemplateTableConvertor()
	for _, tc := range []struct {
		obj  runtime.Object
		want []interface{}
	}{
		{tmpl, []interface{}{"t", "web,log", "nginx,busybox:1.36", "a=1,b=2"}},
		{bare, []interface{}{"bare", "", "", "<none>"}},
	} {
		table, err := conv.ConvertToTable(context.Background(), tc.obj, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(table.Rows[0].Cells, tc.want) {
			t.Errorf("got %#v, want %#v", table.Rows[0].Cells, tc.want)
		}
	}
	table, _ := conv.ConvertToTable(context.Background(), &v1.PodTemplateList{Items: []v1.PodTemplate{*tmpl}}, nil)
	if !reflect.DeepEqual(columnNames(table), []string{"Name", "Containers", "Images", "Pod Labels"}) {
		t.Errorf("columns %v", columnNames(table))
	}
}

func TestEventRows(t *testing.T) {
	legacy := &v1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "p.1"},
		InvolvedObject: v1.ObjectReference{Kind: "Pod", Name: "p", FieldPath: "spec.containers{a}"},
		Type:           "Warning", Reason: "BackOff", Message: " Back-off restarting \n",
		Source:         v1.EventSource{Component: "kubelet", Host: "node1"},
		FirstTimestamp: ago(time.Hour), LastTimestamp: ago(2 * time.Minute), Count: 12,
	}
	series := &v1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "s.1"},
		InvolvedObject: v1.ObjectReference{Kind: "Node"},
		Type:           "Normal", Reason: "Starting",
		EventTime:           metav1.NewMicroTime(testNow.Add(-5 * time.Minute)),
		Series:              &v1.EventSeries{Count: 3, LastObservedTime: metav1.NewMicroTime(testNow.Add(-10 * time.Second))},
		ReportingController: "kube-proxy", ReportingInstance: "node2",
	}
	singleton := &v1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "x.1"},
		InvolvedObject: v1.ObjectReference{Kind: "Pod", Name: "x"},
		Type:           "Normal", Reason: "Scheduled", Message: "ok",
		EventTime:           metav1.NewMicroTime(testNow.Add(-3 * time.Second)),
		ReportingController: "default-scheduler",
	}
	conv := NewEventTableConvertor()
	cases := []struct {
		ev   *v1.Event
		want []interface{}
	}{
		{legacy, []interface{}{"2m", "Warning", "BackOff", "pod/p", "spec.containers{a}", "kubelet, node1", "Back-off restarting", "60m", int64(12), "p.1"}},
		{series, []interface{}{"10s", "Normal", "Starting", "node", "", "kube-proxy, node2", "", "5m", int64(3), "s.1"}},
		{singleton, []interface{}{"3s", "Normal", "Scheduled", "pod/x", "", "default-scheduler", "ok", "3s", int64(1), "x.1"}},
		{&v1.Event{}, []interface{}{"<unknown>", "", "", "", "", "", "", "<unknown>", int64(1), ""}},
	}
	for _, tc := range cases {
		table, err := conv.ConvertToTable(context.Background(), tc.ev, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(table.Rows[0].Cells, tc.want) {
			t.Errorf("got %#v\nwant %#v", table.Rows[0].Cells, tc.want)
		}
	}
	table, _ := conv.ConvertToTable(context.Background(), &v1.EventList{}, nil)
	wantCols := []string{"Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"}
	if !reflect.DeepEqual(columnNames(table), wantCols) {
		t.Errorf("columns %v", columnNames(table))
	}
	var wide []string
	for _, c := range table.ColumnDefinitions {
		if c.Priority == 1 {
			wide = append(wide, c.Name)
		}
	}
	if !reflect.DeepEqual(wide, []string{"Subobject", "Source", "First Seen", "Count", "Name"}) {
		t.Errorf("wide columns %v", wide)
	}
}

func columnNames(table *metav1.Table) []string {
	var names []string
	for _, c := range table.ColumnDefinitions {
		names = append(names, c.Name)
	}
	return names
}
