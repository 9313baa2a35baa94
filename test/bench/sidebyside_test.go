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

package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestRatio(t *testing.T) {
	tests := []struct {
		name           string
		ours, upstream float64
		want           float64
	}{
		{"twice", 200, 100, 2},
		{"half", 1.5, 3, 0.5},
		{"equal", 7, 7, 1},
		{"ours zero", 0, 5, 0},
		{"upstream zero is unknown", 5, 0, -1},
		{"upstream unknown", 5, -1, -1},
		{"ours unknown", -1, 5, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ratio(tt.ours, tt.upstream); got != tt.want {
				t.Errorf("ratio(%v, %v) = %v, want %v", tt.ours, tt.upstream, got, tt.want)
			}
		})
	}
}

func TestRoundPlan(t *testing.T) {
	up, ours := targetUpstream, targetOurs
	tests := []struct {
		rounds int
		want   [][]string
	}{
		{0, [][]string{}},
		{1, [][]string{{up, ours}}},
		{2, [][]string{{up, ours}, {ours, up}}},
		{3, [][]string{{up, ours}, {ours, up}, {up, ours}}},
		{4, [][]string{{up, ours}, {ours, up}, {up, ours}, {ours, up}}},
	}
	for _, tt := range tests {
		got := roundPlan(tt.rounds)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("roundPlan(%d) = %v, want %v", tt.rounds, got, tt.want)
		}
		// Every round measures each server exactly once.
		for r, order := range got {
			if len(order) != 2 || order[0] == order[1] {
				t.Errorf("roundPlan(%d) round %d = %v, want each server once", tt.rounds, r, order)
			}
		}
	}
}

func res(scenario string, c, round int, ops, cpu, p99, bench float64) Result {
	return Result{Scenario: scenario, Concurrency: c, Round: round, OpsPerSec: ops,
		ServerCPUMsPerOp: cpu, BenchCPUMsPerOp: bench, Latency: Latency{P99: p99}}
}

func TestSideRows(t *testing.T) {
	upstream := []Result{
		res("create", 16, 0, 100, 4, 50, 1),
		res("create", 16, 1, 300, 2, 70, 3),
		res("create", 16, 2, 200, 3, 60, 2),
		res("watch-fanout", 50, 0, 900, -1, 20, -1),
	}
	ours := []Result{
		res("create", 16, 0, 400, 1, 30, 1),
		res("create", 16, 1, 500, 2, 20, 1),
		res("create", 16, 2, 300, 1.5, 25, 1),
		res("ephemeral-put-1.16", 16, 0, 250, 2, 40, 1),
		res("watch-fanout", 50, 0, 950, -1, 10, -1),
	}
	rows := sideRows(upstream, ours)
	type got struct {
		phase              string
		c                  int
		hasUp, hasOurs     bool
		ops, cpu, p99      float64
		upBench, oursBench float64
	}
	var gots []got
	for _, r := range rows {
		gots = append(gots, got{r.Phase, r.Concurrency, r.Upstream != nil, r.Ours != nil,
			r.OpsRatio, r.CPURatio, r.P99Ratio, r.UpstreamBenchCPUMsPerOp, r.OursBenchCPUMsPerOp})
	}
	want := []got{
		// Medians: upstream 200 ops/s, 3 ms, p99 60; ours 400, 1.5, 25.
		{"create", 16, true, true, 2, 0.5, 25.0 / 60, 2, 1},
		// Only ours serves the 1.16 form: no ratios.
		{"add in the 1.16 form", 16, false, true, -1, -1, -1, -1, 1},
		// No CPU for the watch: its ratio is unknown, the others are not.
		{"watch fan-out (c = watchers)", 50, true, true, 950.0 / 900, -1, 0.5, -1, -1},
	}
	if !reflect.DeepEqual(gots, want) {
		t.Errorf("sideRows =\n%+v\nwant\n%+v", gots, want)
	}
}

func TestRenderSideBySide(t *testing.T) {
	tests := []struct {
		name string
		rows []SideRow
		want []string
	}{
		{
			name: "both servers",
			rows: []SideRow{{
				Phase: "create", Concurrency: 16,
				Upstream:                &Row{OpsPerSec: 527, ServerCPUMsPerOp: 3.05, Latency: Latency{P99: 59}},
				Ours:                    &Row{OpsPerSec: 923, ServerCPUMsPerOp: 1.57, Latency: Latency{P99: 40}},
				UpstreamBenchCPUMsPerOp: 0.61, OursBenchCPUMsPerOp: 0.5,
				OpsRatio: 923.0 / 527, CPURatio: 1.57 / 3.05, P99Ratio: 40.0 / 59,
			}},
			want: []string{"| create | 16 | 527.0 | 923.0 | 1.75 | 3.05 | 1.57 | 0.51 | 59.0 | 40.0 | 0.68 | 0.61 / 0.50 |"},
		},
		{
			name: "ours only",
			rows: []SideRow{{
				Phase: "add in the 1.16 form", Concurrency: 64,
				Ours:                    &Row{OpsPerSec: 568.24, ServerCPUMsPerOp: 2.571, Latency: Latency{P99: 191.04}},
				UpstreamBenchCPUMsPerOp: -1, OursBenchCPUMsPerOp: 0.4,
				OpsRatio: -1, CPURatio: -1, P99Ratio: -1,
			}},
			want: []string{"| add in the 1.16 form | 64 | n/a | 568.2 | n/a | n/a | 2.57 | n/a | n/a | 191.0 | n/a | n/a / 0.40 |"},
		},
		{
			name: "no CPU measured",
			rows: []SideRow{{
				Phase: "watch fan-out (c = watchers)", Concurrency: 50,
				Upstream:                &Row{OpsPerSec: 900, ServerCPUMsPerOp: -1, Latency: Latency{P99: 20}},
				Ours:                    &Row{OpsPerSec: 950, ServerCPUMsPerOp: -1, Latency: Latency{P99: 10}},
				UpstreamBenchCPUMsPerOp: -1, OursBenchCPUMsPerOp: -1,
				OpsRatio: 950.0 / 900, CPURatio: -1, P99Ratio: 0.5,
			}},
			want: []string{"| watch fan-out (c = watchers) | 50 | 900.0 | 950.0 | 1.06 | n/a | n/a | n/a | 20.0 | 10.0 | 0.50 | n/a / n/a |"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sb strings.Builder
			renderSideBySide(&sb, tt.rows)
			lines := strings.Split(strings.TrimRight(sb.String(), "\n"), "\n")
			if len(lines) != 2+len(tt.want) {
				t.Fatalf("got %d lines, want a header, a separator and %d rows:\n%s", len(lines), len(tt.want), sb.String())
			}
			if !strings.HasPrefix(lines[0], "| phase | c | upstream ops/s | ours ops/s | ratio |") {
				t.Errorf("header = %q", lines[0])
			}
			cols := strings.Count(lines[0], "|")
			for i, w := range tt.want {
				if lines[2+i] != w {
					t.Errorf("row %d =\n%s\nwant\n%s", i, lines[2+i], w)
				}
				if n := strings.Count(lines[2+i], "|"); n != cols {
					t.Errorf("row %d has %d column separators, the header %d", i, n, cols)
				}
			}
		})
	}
}

func TestParsePIDs(t *testing.T) {
	tests := []struct {
		in      string
		want    pidsMeter
		wantErr bool
	}{
		{"123", pidsMeter{123}, false},
		{"123, 456", pidsMeter{123, 456}, false},
		{"123,", pidsMeter{123}, false},
		{"", nil, true},
		{"abc", nil, true},
		{"0", nil, true},
	}
	for _, tt := range tests {
		got, err := parsePIDs(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parsePIDs(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSideOptionsValidate(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		enabled  bool
		wantErr  string
		wantList []int
	}{
		{name: "off by default", args: nil},
		{name: "binary with etcd", args: []string{"-upstream-binary", "/k", "-etcd-binary", "/e"}, enabled: true, wantList: []int{1, 16}},
		{name: "list concurrency", args: []string{"-upstream-binary", "/k", "-etcd-binary", "/e", "-list-concurrency", "4, 8"}, enabled: true, wantList: []int{4, 8}},
		{name: "binary without etcd", args: []string{"-upstream-binary", "/k", "-etcd-binary", ""}, wantErr: "-etcd-binary"},
		{name: "kubeconfig without pids", args: []string{"-upstream-kubeconfig", "/kc"}, wantErr: "-upstream-pids"},
		{name: "kubeconfig with pids", args: []string{"-upstream-kubeconfig", "/kc", "-upstream-pids", "1,2"}, enabled: true, wantList: []int{1, 16}},
		{name: "both upstreams", args: []string{"-upstream-binary", "/k", "-etcd-binary", "/e", "-upstream-kubeconfig", "/kc", "-upstream-pids", "1"}, wantErr: "exclude"},
		{name: "ours from a kubeconfig", args: []string{"-upstream-binary", "/k", "-etcd-binary", "/e", "-kubeconfig", "/x"}, wantErr: "-kubeconfig"},
		{name: "bad list concurrency", args: []string{"-upstream-binary", "/k", "-etcd-binary", "/e", "-list-concurrency", "0"}, wantErr: "-list-concurrency"},
		{name: "ours on an external etcd", args: []string{"-upstream-binary", "/k", "-etcd-binary", "/e", "-ours-etcd", "external"}, enabled: true, wantList: []int{1, 16}},
		{name: "ours on an unknown etcd", args: []string{"-upstream-binary", "/k", "-etcd-binary", "/e", "-ours-etcd", "memory"}, wantErr: "-ours-etcd is"},
		{name: "ours on an external etcd without its binary", args: []string{"-upstream-kubeconfig", "/kc", "-upstream-pids", "1", "-etcd-binary", "", "-ours-etcd", "external"}, wantErr: "-ours-etcd=external needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseFlags(%q) error = %v, want one about %s", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", tt.args, err)
			}
			if o.side.enabled() != tt.enabled {
				t.Errorf("enabled = %v, want %v", o.side.enabled(), tt.enabled)
			}
			if tt.enabled && !reflect.DeepEqual(o.side.listConcurrency, tt.wantList) {
				t.Errorf("list concurrency = %v, want %v", o.side.listConcurrency, tt.wantList)
			}
		})
	}
}

func TestProfileName(t *testing.T) {
	tests := []struct{ file, server, want string }{
		{"cpu.pb.gz", "ours", "cpu-ours.pb.gz"},
		{"/tmp/prof/cpu.pprof", "upstream", "/tmp/prof/cpu-upstream.pprof"},
		{"out/profile", "ours", "out/profile-ours"},
		{"/tmp/a.b/cpu.pb.gz", "upstream", "/tmp/a.b/cpu-upstream.pb.gz"},
	}
	for _, tt := range tests {
		if got := profileName(tt.file, tt.server); got != tt.want {
			t.Errorf("profileName(%q, %q) = %q, want %q", tt.file, tt.server, got, tt.want)
		}
	}
}
