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
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Report is what a run writes to -out.
type Report struct {
	Machine        Machine        `json:"machine"`
	Options        map[string]any `json:"options"`
	RawValueBytes  int            `json:"rawEtcdValueBytes,omitempty"`
	StartupSeconds []float64      `json:"startupToReadyzSeconds,omitempty"`
	RSSIdleMiB     []float64      `json:"rssIdleMiB,omitempty"`
	RSSWithPodsMiB float64        `json:"rssWithPodsMiB,omitempty"`
	BigPods        int            `json:"bigPods,omitempty"`
	Summary        []Row          `json:"summary"`
	Targets        []Target       `json:"targets"`
	Results        []Result       `json:"results"`
	Failures       []string       `json:"failures"`
}

// Machine describes where the run happened.
type Machine struct {
	NProc         int    `json:"nproc"`
	CPUModel      string `json:"cpuModel"`
	MemTotal      string `json:"memTotal"`
	GoVersion     string `json:"goVersion"`
	LoadAvgBefore string `json:"loadAvgBefore"`
	LoadAvgAfter  string `json:"loadAvgAfter"`
}

// Row is the median over the rounds of one scenario at one concurrency.
type Row struct {
	Scenario         string  `json:"scenario"`
	Concurrency      int     `json:"concurrency"`
	Rounds           int     `json:"rounds"`
	OpsPerSec        float64 `json:"opsPerSec"`
	Latency          Latency `json:"latency"`
	Errors           int     `json:"errors"`
	Retries          int     `json:"retries,omitempty"`
	ServerCPUMsPerOp float64 `json:"serverCpuMsPerOp"`
	// OfRawEtcd is OpsPerSec as a fraction of the raw etcd transaction of
	// the same kind at the same concurrency; 0 when not a write or unknown.
	OfRawEtcd float64 `json:"ofRawEtcd,omitempty"`
	RawEtcdOf string  `json:"rawEtcdScenario,omitempty"`
}

type rowKey struct {
	scenario string
	c        int
}

// Target is one of the goals and the measured figure.
type Target struct {
	Name     string  `json:"name"`
	Goal     string  `json:"goal"`
	Upstream string  `json:"upstream"`
	Measured float64 `json:"measured"`
	Unit     string  `json:"unit"`
	Met      bool    `json:"met"`
	Note     string  `json:"note,omitempty"`
}

func describeMachine() Machine {
	m := Machine{NProc: runtime.NumCPU(), GoVersion: runtime.Version(), LoadAvgBefore: loadAvg()}
	m.CPUModel = procField("/proc/cpuinfo", "model name", ":")
	m.MemTotal = procField("/proc/meminfo", "MemTotal", ":")
	return m
}

// procField is the value of the first "key<sep> value" line of a /proc
// file.
func procField(path, key, sep string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), sep)
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func (o options) describe() map[string]any {
	return map[string]any{
		"binary": o.binary, "kubeconfig": o.kubeconfig, "pods": o.pods, "rounds": o.rounds,
		"concurrency": o.concurrency, "bigPods": o.bigPods, "watchers": o.watchers,
		"watchCreates": o.watchCreates, "contendWriters": o.contendWriters,
		"contendAdds": o.contendAdds, "startupRuns": o.startupRuns, "quick": o.quick,
		"kubeletPods": o.kubeletPods, "kubeletAdds": o.kubeletAdds, "kubeletWriters": o.kubeletWriters,
	}
}

// rawFor names the raw etcd scenario a write scenario is compared with.
var rawFor = map[string]string{
	"create":             "etcd-txn-create",
	"ephemeral-put-pod":  "etcd-txn-cas",
	"ephemeral-patch":    "etcd-txn-cas",
	"ephemeral-put-1.16": "etcd-txn-cas",
}

// summarizeResults computes the median row of every scenario and
// concurrency, in the order first measured.
func summarizeResults(results []Result) []Row {
	type acc struct {
		ops, p50, p90, p99, cpu []float64
		errors, retries         int
	}
	var order []rowKey
	accs := map[rowKey]*acc{}
	for _, r := range results {
		k := rowKey{r.Scenario, r.Concurrency}
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
			order = append(order, k)
		}
		a.ops = append(a.ops, r.OpsPerSec)
		a.p50 = append(a.p50, r.Latency.P50)
		a.p90 = append(a.p90, r.Latency.P90)
		a.p99 = append(a.p99, r.Latency.P99)
		if r.ServerCPUMsPerOp >= 0 {
			a.cpu = append(a.cpu, r.ServerCPUMsPerOp)
		}
		a.errors += r.Errors
		a.retries += r.Retries
	}
	rows := make([]Row, 0, len(order))
	byKey := map[rowKey]int{}
	for _, k := range order {
		a := accs[k]
		row := Row{
			Scenario: k.scenario, Concurrency: k.c, Rounds: len(a.ops),
			OpsPerSec:        median(a.ops),
			Latency:          Latency{P50: median(a.p50), P90: median(a.p90), P99: median(a.p99)},
			Errors:           a.errors,
			Retries:          a.retries,
			ServerCPUMsPerOp: -1,
		}
		if len(a.cpu) > 0 {
			row.ServerCPUMsPerOp = median(a.cpu)
		}
		byKey[k] = len(rows)
		rows = append(rows, row)
	}
	for i := range rows {
		raw, ok := rawFor[rows[i].Scenario]
		if !ok {
			continue
		}
		if j, ok := byKey[rowKey{raw, rows[i].Concurrency}]; ok && rows[j].OpsPerSec > 0 {
			rows[i].OfRawEtcd = rows[i].OpsPerSec / rows[j].OpsPerSec
			rows[i].RawEtcdOf = raw
		}
	}
	return rows
}

func findRow(rows []Row, scenario string, c int) *Row {
	for i := range rows {
		if rows[i].Scenario == scenario && rows[i].Concurrency == c {
			return &rows[i]
		}
	}
	return nil
}

// targets checks the goals against the rows, at concurrency 64 or
// the highest measured.
func (b *bench) targets(rows []Row) []Target {
	hi := 1
	for _, c := range b.opts.concurrency {
		hi = max(hi, c)
	}
	note := ""
	if hi != 64 {
		note = fmt.Sprintf("measured at c=%d, not 64", hi)
	}
	var ts []Target
	add := func(t Target) { ts = append(ts, t) }
	if r := findRow(rows, "ephemeral-patch", hi); r != nil && r.ServerCPUMsPerOp >= 0 {
		add(Target{"server CPU per subresource PATCH", "<= 1.0", "2.7", r.ServerCPUMsPerOp, "ms", r.ServerCPUMsPerOp <= 1.0, note})
	}
	if r := findRow(rows, "ephemeral-patch", hi); r != nil && r.RawEtcdOf != "" {
		add(Target{"subresource PATCH throughput / raw etcd Txn", ">= 30", "9%", 100 * r.OfRawEtcd, "%", r.OfRawEtcd >= 0.30, note})
	}
	if r := findRow(rows, "create", hi); r != nil && r.RawEtcdOf != "" {
		add(Target{"create throughput / raw etcd Txn", ">= 30", "11%", 100 * r.OfRawEtcd, "%", r.OfRawEtcd >= 0.30, note})
	}
	if s := b.report.StartupSeconds; len(s) > 0 {
		m := median(s)
		add(Target{"start to /readyz (median)", "< 1.0", "3.4", m, "s", m < 1.0, ""})
	}
	if s := b.report.RSSIdleMiB; len(s) > 0 {
		m := median(s)
		add(Target{"RSS idle (median)", "<= 80", "266", m, "MiB", m <= 80, ""})
	}
	if b.report.RSSWithPodsMiB > 0 {
		n := ""
		if b.report.BigPods != 10000 {
			n = fmt.Sprintf("with %d pods, not 10,000", b.report.BigPods)
		}
		add(Target{"RSS with 10,000 pods", "<= 300", "892", b.report.RSSWithPodsMiB, "MiB", b.report.RSSWithPodsMiB <= 300, n})
	}
	listNote := ""
	if b.opts.pods != 1000 {
		listNote = fmt.Sprintf("%d pods, not 1,000", b.opts.pods)
	}
	if r := findRow(rows, "list-protobuf", 1); r != nil {
		add(Target{"LIST 1,000 pods p50, protobuf (c=1)", "<= 37", "", r.Latency.P50, "ms", r.Latency.P50 <= 37, listNote})
	}
	if r := findRow(rows, "list-json", 1); r != nil {
		add(Target{"LIST 1,000 pods p50, JSON (c=1)", "<= 62", "", r.Latency.P50, "ms", r.Latency.P50 <= 62, listNote})
	}
	return ts
}

// finish summarizes, prints the tables and writes -out.
func (b *bench) finish() error {
	b.report.Results = b.results
	b.report.Summary = summarizeResults(b.results)
	b.report.Targets = b.targets(b.report.Summary)
	b.report.Failures = append([]string{}, b.failures...)
	md := b.markdown()
	fmt.Print(md)
	if b.opts.out == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(b.opts.out), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(&b.report, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(b.opts.out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	mdPath := strings.TrimSuffix(b.opts.out, filepath.Ext(b.opts.out)) + ".md"
	if err := os.WriteFile(mdPath, []byte(md), 0o644); err != nil {
		return err
	}
	b.logf("results written to %s and %s", b.opts.out, mdPath)
	return nil
}

// markdown renders the machine, the median table and the targets.
func (b *bench) markdown() string {
	var sb strings.Builder
	m := b.report.Machine
	fmt.Fprintf(&sb, "\nMachine: %d CPUs, %s, %s memory, %s; load average before %s, after %s\n",
		m.NProc, m.CPUModel, m.MemTotal, m.GoVersion, m.LoadAvgBefore, m.LoadAvgAfter)
	fmt.Fprintf(&sb, "Run: N=%d pods, %d rounds (medians), concurrency %v, raw etcd value %d bytes\n\n",
		b.opts.pods, b.opts.rounds, b.opts.concurrency, b.report.RawValueBytes)
	writeRows(&sb, b.report.Summary)
	fmt.Fprintln(&sb, "\nwatch-fanout: c is the number of watchers, ops/s the events delivered per second, latency the delay from sending each create to each watcher receiving it; contended-one-pod: c writers adding distinct containers to one pod in the three wire forms in turn, retrying on 409 Conflict, latency including the retries. Server CPU is the server process's, embedded etcd included; the etcd-txn rows show etcd's own share.")
	fmt.Fprintln(&sb)
	if s := b.report.StartupSeconds; len(s) > 0 {
		fmt.Fprintf(&sb, "Start to /readyz (empty data dir, embedded etcd): median %.3f s over %d runs (min %.3f, max %.3f)\n", median(s), len(s), slices.Min(s), slices.Max(s))
	}
	if s := b.report.RSSIdleMiB; len(s) > 0 {
		fmt.Fprintf(&sb, "RSS idle: median %.1f MiB over %d runs\n", median(s), len(s))
	}
	if b.report.RSSWithPodsMiB > 0 {
		fmt.Fprintf(&sb, "RSS with %d pods stored: %.1f MiB\n", b.report.BigPods, b.report.RSSWithPodsMiB)
	}
	if len(b.report.Targets) > 0 {
		fmt.Fprintf(&sb, "\n| target | goal | upstream | measured | met | note |\n|---|---|---|---|---|---|\n")
		for _, t := range b.report.Targets {
			met := "no"
			if t.Met {
				met = "yes"
			}
			fmt.Fprintf(&sb, "| %s | %s %s | %s | %.2f %s | %s | %s |\n", t.Name, t.Goal, t.Unit, t.Upstream, t.Measured, t.Unit, met, t.Note)
		}
	}
	fmt.Fprintf(&sb, "\nVerification failures: %d\n", len(b.failures))
	return sb.String()
}

func writeRows(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| scenario | c | ops/s | p50 ms | p90 ms | p99 ms | errors | server CPU ms/op | of raw etcd Txn |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		cpu, frac := "-", "-"
		if r.ServerCPUMsPerOp >= 0 {
			cpu = fmt.Sprintf("%.2f", r.ServerCPUMsPerOp)
		}
		if r.RawEtcdOf != "" {
			frac = fmt.Sprintf("%.0f%%", 100*r.OfRawEtcd)
		}
		errs := fmt.Sprintf("%d", r.Errors)
		if r.Retries > 0 {
			errs += fmt.Sprintf(" (%d 409 retries)", r.Retries)
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %.2f | %.2f | %.2f | %s | %s | %s |\n",
			r.Scenario, r.Concurrency, r.OpsPerSec, r.Latency.P50, r.Latency.P90, r.Latency.P99, errs, cpu, frac)
	}
}
