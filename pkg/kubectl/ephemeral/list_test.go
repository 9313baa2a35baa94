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
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestContainerTable(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
		Spec: corev1.PodSpec{EphemeralContainers: []corev1.EphemeralContainer{
			{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox"}},
			{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox:1.36"}, TargetContainerName: "app"},
			{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "broken", Image: "nope"}},
			{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "done", Image: "busybox"}},
			{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "killed", Image: "busybox"}},
		}},
		Status: corev1.PodStatus{EphemeralContainerStatuses: []corev1.ContainerStatus{
			{Name: "dbg", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now.Add(-90 * time.Second))}}},
			{Name: "broken", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}}},
			{Name: "done", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed",
				StartedAt: metav1.NewTime(now.Add(-3 * time.Hour))}}},
			{Name: "killed", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Signal: 9}}},
		}},
	}
	by := map[string]Attribution{
		"debugger": {User: "admin", Time: now.Add(-5 * time.Minute)},
		"broken":   {User: "dev", Time: now.Add(-2 * 24 * time.Hour)},
	}
	var out bytes.Buffer
	if err := printTable(&out, ContainerTable(pod, by, now), false); err != nil {
		t.Fatal(err)
	}
	want := `NAME       IMAGE          TARGET   STATE              AGE         ADDED-BY
debugger   busybox        <none>   <none>             5m          admin
dbg        busybox:1.36   app      Running            90s         <unknown>
broken     nope           <none>   ImagePullBackOff   2d          dev
done       busybox        <none>   Completed          3h          <unknown>
killed     busybox        <none>   Signal:9           <unknown>   <unknown>
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}

	out.Reset()
	if err := printTable(&out, ContainerTable(pod, by, now), true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "NAME") || len(strings.Split(strings.TrimSpace(out.String()), "\n")) != 5 {
		t.Errorf("--no-headers printed:\n%s", out.String())
	}
}

func TestTrailTable(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	records := []Record{
		{Addition: Addition{Containers: []AddedContainer{{"debugger", "busybox"}}, User: "admin"}, Time: t0, Namespace: "default", Pod: "example-pod"},
		{Addition: Addition{Containers: containersNamed(10), More: 2, User: "bulk"}, Time: t0.Add(time.Minute), Namespace: "other", Pod: "p"},
	}
	var out bytes.Buffer
	if err := printTable(&out, TrailTable(records[:1], false), false); err != nil {
		t.Fatal(err)
	}
	want := `TIME                   POD           CONTAINER   IMAGE     USER
2026-01-02T03:04:05Z   example-pod   debugger    busybox   admin
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("trail (-want +got):\n%s", diff)
	}

	table := TrailTable(records, true)
	if len(table.Rows) != 1+10+1 {
		t.Fatalf("%d rows, want 12", len(table.Rows))
	}
	if diff := cmp.Diff([]any{"other", "2026-01-02T03:05:05Z", "p", "(2 more)", "<unknown>", "bulk"}, table.Rows[11].Cells); diff != "" {
		t.Errorf("the row of the containers not named (-want +got):\n%s", diff)
	}
	if table.ColumnDefinitions[0].Name != "Namespace" {
		t.Errorf("-A: first column %q", table.ColumnDefinitions[0].Name)
	}
}
