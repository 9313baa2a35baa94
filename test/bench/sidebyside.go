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

// The side-by-side mode: upstream kube-apiserver (with its own etcd) and
// ours (with its embedded etcd) measured in one run on one machine, in
// alternating rounds, by the same client, each figure printed with its
// ratio ours/upstream.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	targetUpstream = "upstream"
	targetOurs     = "ours"

	// The values of -ours-etcd.
	oursEtcdEmbedded = "embedded"
	oursEtcdExternal = "external"
)

// sideOptions are the flags of the side-by-side mode.
type sideOptions struct {
	upstreamBinary     string
	upstreamKubeconfig string
	upstreamPIDs       string
	etcdBinary         string
	oursEtcd           string
	listConcRaw        string
	listConcurrency    []int
}

func (s *sideOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&s.upstreamBinary, "upstream-binary", "", "side by side: start this kube-apiserver (v1.37.2) on an etcd of its own from -etcd-binary, and measure it in rounds alternating with ours")
	fs.StringVar(&s.upstreamKubeconfig, "upstream-kubeconfig", "", "side by side: measure the running upstream server this kubeconfig names (admin in system:masters); needs -upstream-pids")
	fs.StringVar(&s.upstreamPIDs, "upstream-pids", "", "with -upstream-kubeconfig: comma-separated PIDs of its kube-apiserver and etcd, whose CPU and RSS are summed")
	fs.StringVar(&s.etcdBinary, "etcd-binary", os.Getenv("ETCD_BIN"), "with -upstream-binary or -ours-etcd=external: the etcd to start (default $ETCD_BIN)")
	fs.StringVar(&s.oursEtcd, "ours-etcd", oursEtcdEmbedded, "side by side: ours on its embedded etcd (\""+oursEtcdEmbedded+"\") or with --etcd-servers on an etcd started like upstream's (\""+oursEtcdExternal+"\"), whose CPU and RSS then count as ours'")
	fs.StringVar(&s.listConcRaw, "list-concurrency", "1,16", "side by side: comma-separated concurrencies of the LISTs")
}

func (s *sideOptions) enabled() bool {
	return s.upstreamBinary != "" || s.upstreamKubeconfig != ""
}

// validate checks the side-by-side flags against the rest.
func (s *sideOptions) validate(o *options) error {
	if !s.enabled() {
		return nil
	}
	switch {
	case s.upstreamBinary != "" && s.upstreamKubeconfig != "":
		return errors.New("-upstream-binary and -upstream-kubeconfig exclude each other")
	case s.upstreamBinary != "" && s.etcdBinary == "":
		return errors.New("-upstream-binary needs -etcd-binary or $ETCD_BIN (hack/install-etcd.sh prints its path)")
	case s.oursEtcd != oursEtcdEmbedded && s.oursEtcd != oursEtcdExternal:
		return fmt.Errorf("-ours-etcd is %q or %q, not %q", oursEtcdEmbedded, oursEtcdExternal, s.oursEtcd)
	case s.oursEtcd == oursEtcdExternal && s.etcdBinary == "":
		return errors.New("-ours-etcd=external needs -etcd-binary or $ETCD_BIN (hack/install-etcd.sh prints its path)")
	case s.upstreamKubeconfig != "" && s.upstreamPIDs == "":
		return errors.New("-upstream-kubeconfig needs -upstream-pids (its kube-apiserver and etcd)")
	case o.kubeconfig != "":
		return errors.New("side by side, ours is started from -binary; -kubeconfig does not apply")
	}
	conc, err := parseConcurrencies(s.listConcRaw)
	if err != nil {
		return fmt.Errorf("-list-concurrency: %w", err)
	}
	s.listConcurrency = conc
	return nil
}

func parseConcurrencies(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, c)
	}
	return out, nil
}

// roundPlan is the order of the two servers in each round: upstream first
// in even rounds, ours first in odd ones, so that neither always runs on
// the machine as the other left it.
func roundPlan(rounds int) [][]string {
	plan := make([][]string, rounds)
	for r := range plan {
		if r%2 == 0 {
			plan[r] = []string{targetUpstream, targetOurs}
		} else {
			plan[r] = []string{targetOurs, targetUpstream}
		}
	}
	return plan
}

// rssMeter reads a server's resident memory, summed over its processes.
type rssMeter interface {
	RSS() (int64, error)
}

// sideTarget is one of the two servers: its own bench (client, CPU meter,
// results), whether it serves the 1.16 form, and what its turns cost.
type sideTarget struct {
	name   string
	b      *bench
	rss    rssMeter
	legacy bool
	// Summed over the turns: wall time, the server's CPU and the load
	// tool's own CPU.
	wall, serverCPU, benchCPU time.Duration
	// machineCPU is every process's CPU over the turns (/proc/stat): what
	// is neither the server nor the load tool is someone else's.
	machineCPU   time.Duration
	podJSONBytes int
	version      string
}

// SideReport is what a side-by-side run writes to -out.
type SideReport struct {
	Machine  Machine             `json:"machine"`
	Options  map[string]any      `json:"options"`
	Plan     [][]string          `json:"plan"`
	Servers  []SideServer        `json:"servers"`
	Rows     []SideRow           `json:"rows"`
	Results  map[string][]Result `json:"results"`
	Failures []string            `json:"failures"`
}

// SideServer is what was measured of one server outside the phases.
type SideServer struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	PIDs    []int  `json:"pids"`
	// Etcd is ours' store: embedded, or external (its etcd's PID second).
	Etcd string `json:"etcd,omitempty"`
	// RSSIdleMiB is read once both servers are ready, before any load;
	// RSSAfterMiB after every round.
	RSSIdleMiB  float64 `json:"rssIdleMiB"`
	RSSAfterMiB float64 `json:"rssAfterMiB"`
	// RSSWithPodsMiB is read with -big-pods more pods stored, after the
	// rounds and the profile, once the server has settled.
	RSSWithPodsMiB float64 `json:"rssWithPodsMiB,omitempty"`
	// RSSFreshWithPodsMiB is read the same way from the server started
	// again on an empty store (not for an attached upstream).
	RSSFreshWithPodsMiB float64 `json:"rssFreshWithPodsMiB,omitempty"`
	// Over all its turns: wall seconds, and the CPU seconds of the server
	// and of the load tool itself.
	TurnSeconds      float64 `json:"turnSeconds"`
	ServerCPUSeconds float64 `json:"serverCpuSeconds"`
	BenchCPUSeconds  float64 `json:"benchCpuSeconds"`
	// MachineCPUSeconds is every process's CPU over the turns.
	MachineCPUSeconds float64 `json:"machineCpuSeconds"`
	// PodJSONBytes is one pod as created, in JSON: upstream's admission
	// adds the service account token volume.
	PodJSONBytes int    `json:"podJsonBytes"`
	Profile      string `json:"profile,omitempty"`
}

// SideRow is one phase at one concurrency on both servers, the medians
// over the rounds and their ratios ours/upstream (-1 when either is
// unknown or upstream does not serve the phase).
type SideRow struct {
	Scenario    string `json:"scenario"`
	Phase       string `json:"phase"`
	Concurrency int    `json:"concurrency"`
	Upstream    *Row   `json:"upstream,omitempty"`
	Ours        *Row   `json:"ours,omitempty"`
	// The load tool's own CPU per operation, median over the rounds.
	UpstreamBenchCPUMsPerOp float64 `json:"upstreamBenchCpuMsPerOp"`
	OursBenchCPUMsPerOp     float64 `json:"oursBenchCpuMsPerOp"`
	OpsRatio                float64 `json:"opsPerSecRatio"`
	CPURatio                float64 `json:"cpuPerOpRatio"`
	P99Ratio                float64 `json:"p99Ratio"`
}

// phaseLabels name the scenarios as the issue does.
var phaseLabels = map[string]string{
	"create":             "create",
	"ephemeral-put-pod":  "add by PUT of the Pod",
	"ephemeral-patch":    "add by SMP PATCH (kubectl debug)",
	"ephemeral-put-1.16": "add in the 1.16 form",
	"delete":             "delete",
	"list-json":          "LIST, JSON",
	"list-protobuf":      "LIST, protobuf",
	"watch-fanout":       "watch fan-out (c = watchers)",
}

// ratio is ours/upstream, or -1 when either figure is unknown (negative)
// or upstream's is zero.
func ratio(ours, upstream float64) float64 {
	if ours < 0 || upstream <= 0 {
		return -1
	}
	return ours / upstream
}

// sideRows pairs the median rows of both servers, in the order ours
// measured them (ours has every phase upstream has, and the 1.16 form).
func sideRows(upstream, ours []Result) []SideRow {
	upRows, ourRows := summarizeResults(upstream), summarizeResults(ours)
	keys := make([]rowKey, 0, len(ourRows)+len(upRows))
	seen := map[rowKey]bool{}
	for _, rows := range [][]Row{ourRows, upRows} {
		for _, r := range rows {
			k := rowKey{r.Scenario, r.Concurrency}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	out := make([]SideRow, 0, len(keys))
	for _, k := range keys {
		sr := SideRow{
			Scenario: k.scenario, Phase: phaseLabels[k.scenario], Concurrency: k.c,
			Upstream: findRow(upRows, k.scenario, k.c), Ours: findRow(ourRows, k.scenario, k.c),
			UpstreamBenchCPUMsPerOp: medianBenchCPU(upstream, k), OursBenchCPUMsPerOp: medianBenchCPU(ours, k),
			OpsRatio: -1, CPURatio: -1, P99Ratio: -1,
		}
		if sr.Phase == "" {
			sr.Phase = k.scenario
		}
		if sr.Upstream != nil && sr.Ours != nil {
			sr.OpsRatio = ratio(sr.Ours.OpsPerSec, sr.Upstream.OpsPerSec)
			sr.CPURatio = ratio(sr.Ours.ServerCPUMsPerOp, sr.Upstream.ServerCPUMsPerOp)
			sr.P99Ratio = ratio(sr.Ours.Latency.P99, sr.Upstream.Latency.P99)
		}
		out = append(out, sr)
	}
	return out
}

// medianBenchCPU is the median of the load tool's CPU per operation over
// the rounds of one phase; -1 when never measured.
func medianBenchCPU(results []Result, k rowKey) float64 {
	var xs []float64
	for _, r := range results {
		if r.Scenario == k.scenario && r.Concurrency == k.c && r.BenchCPUMsPerOp >= 0 {
			xs = append(xs, r.BenchCPUMsPerOp)
		}
	}
	if len(xs) == 0 {
		return -1
	}
	return median(xs)
}

// fmtOr formats x, or "n/a" when it is negative (unknown).
func fmtOr(format string, x float64) string {
	if x < 0 {
		return "n/a"
	}
	return fmt.Sprintf(format, x)
}

// renderSideBySide writes the side-by-side table in Markdown: per phase
// and concurrency, both servers' ops/s, server CPU per operation and p99
// with the ratio ours/upstream, and the load tool's own CPU per operation.
func renderSideBySide(w io.Writer, rows []SideRow) {
	fmt.Fprintln(w, "| phase | c | upstream ops/s | ours ops/s | ratio | upstream CPU ms/op | ours CPU ms/op | ratio | upstream p99 ms | ours p99 ms | ratio | bench CPU ms/op up / ours |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		cell := func(row *Row, pick func(*Row) float64, format string) string {
			if row == nil {
				return "n/a"
			}
			return fmtOr(format, pick(row))
		}
		ops := func(r *Row) float64 { return r.OpsPerSec }
		cpu := func(r *Row) float64 { return r.ServerCPUMsPerOp }
		p99 := func(r *Row) float64 { return r.Latency.P99 }
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n",
			r.Phase, r.Concurrency,
			cell(r.Upstream, ops, "%.1f"), cell(r.Ours, ops, "%.1f"), fmtOr("%.2f", r.OpsRatio),
			cell(r.Upstream, cpu, "%.2f"), cell(r.Ours, cpu, "%.2f"), fmtOr("%.2f", r.CPURatio),
			cell(r.Upstream, p99, "%.1f"), cell(r.Ours, p99, "%.1f"), fmtOr("%.2f", r.P99Ratio),
			fmtOr("%.2f", r.UpstreamBenchCPUMsPerOp), fmtOr("%.2f", r.OursBenchCPUMsPerOp))
	}
}

// runSideBySide is the side-by-side run: both servers started (or
// upstream attached), the rounds in the plan's order, memory after them,
// optionally a CPU profile of each under SMP PATCH, and the report.
func runSideBySide(ctx context.Context, opts options) int {
	start := time.Now()
	self0 := readCPU(self)
	rep := SideReport{Machine: describeMachine(), Options: opts.describe(), Plan: roundPlan(opts.rounds)}
	rep.Options["upstreamBinary"] = opts.side.upstreamBinary
	rep.Options["upstreamKubeconfig"] = opts.side.upstreamKubeconfig
	rep.Options["oursEtcd"] = opts.side.oursEtcd
	rep.Options["listConcurrency"] = opts.side.listConcurrency
	var failures []string
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		failures = append(failures, msg)
		fmt.Fprintf(os.Stderr, "%s FAIL: %s\n", time.Now().Format("15:04:05.000"), msg)
	}

	var up *upstream
	var ours *server
	defer func() {
		if err := up.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping upstream:", err)
		}
		if err := ours.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping ours:", err)
		}
	}()
	targets, err := startBoth(ctx, opts, &up, &ours)
	if err == nil {
		err = runRounds(ctx, opts, targets, &rep)
	}
	if err != nil {
		fail("%v", err)
	}
	for _, t := range targets {
		for _, f := range t.b.failures {
			fail("%s: %s", t.name, f)
		}
	}
	rep.Machine.LoadAvgAfter = loadAvg()
	rep.Failures = append([]string{}, failures...)
	md := sideMarkdown(&rep, opts, time.Since(start), readCPU(self)-self0)
	fmt.Print(md)
	if opts.out != "" {
		if err := writeSideReport(opts.out, &rep, md); err != nil {
			fmt.Fprintln(os.Stderr, "writing the results:", err)
			return 1
		}
	}
	if len(failures) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d failures:\n  %s\n", len(failures), strings.Join(failures, "\n  "))
		return 1
	}
	fmt.Fprintln(os.Stderr, "PASS: every acknowledged add was verified on both servers")
	return 0
}

// startBoth starts (or attaches) upstream and starts ours, and returns
// the two targets; *up and *ours are set as soon as there is something
// to stop.
func startBoth(ctx context.Context, opts options, up **upstream, ours **server) ([]*sideTarget, error) {
	var err error
	if opts.side.upstreamBinary != "" {
		*up, err = startUpstream(ctx, opts.side.upstreamBinary, opts.side.etcdBinary)
	} else {
		*up, err = attachUpstream(opts.side.upstreamKubeconfig, opts.side.upstreamPIDs)
	}
	if err != nil {
		return nil, err
	}
	var extra []string
	if opts.pprofFile != "" {
		extra = append(extra, "--profiling")
	}
	if *ours, err = startOurs(ctx, opts, extra...); err != nil {
		return nil, err
	}
	upOpts, ourOpts := opts, opts
	if opts.pprofFile != "" {
		upOpts.pprofFile = profileName(opts.pprofFile, targetUpstream)
		ourOpts.pprofFile = profileName(opts.pprofFile, targetOurs)
	}
	if opts.side.upstreamBinary != "" {
		upOpts.binary = opts.side.upstreamBinary
	} else {
		upOpts.binary = "kube-apiserver"
	}
	mk := func(name, kubeconfig string, o options, cpu cpuMeter, rss rssMeter, legacy bool) (*sideTarget, error) {
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", kubeconfig, err)
		}
		t := &sideTarget{name: name, b: &bench{opts: o, base: cfg, cpu: cpu}, rss: rss, legacy: legacy}
		cs, err := t.b.clientset(1, false)
		if err != nil {
			return nil, err
		}
		v, err := cs.Discovery().ServerVersion()
		if err != nil {
			return nil, fmt.Errorf("%s: /version: %w", name, err)
		}
		t.version = v.GitVersion
		return t, nil
	}
	upT, err := mk(targetUpstream, (*up).kubeconfig, upOpts, *up, *up, false)
	if err != nil {
		return nil, err
	}
	ourT, err := mk(targetOurs, (*ours).Kubeconfig, ourOpts, *ours, *ours, true)
	if err != nil {
		return nil, err
	}
	ourT.b.srv = *ours
	fmt.Fprintf(os.Stderr, "%s ours: pid %d on port %d, %s; upstream: pids %v, %s\n", time.Now().Format("15:04:05.000"),
		(*ours).PID(), (*ours).Port, ourT.version, (*up).pids, upT.version)
	return []*sideTarget{upT, ourT}, nil
}

// startOurs starts ours on a fresh data dir, with an etcd of its own when
// -ours-etcd=external, and waits until it is ready. The caller must stop a
// server it returns, also with an error.
func startOurs(ctx context.Context, opts options, extra ...string) (*server, error) {
	var etcd *benchEtcd
	if opts.side.oursEtcd == oursEtcdExternal {
		var err error
		if etcd, err = startBenchEtcd(ctx, "ours", opts.side.etcdBinary); err != nil {
			etcd.stop()
			return nil, err
		}
		extra = append(extra, "--etcd-servers="+etcd.url)
	}
	srv, err := startServer(opts.binary, extra...)
	if err != nil {
		etcd.stop()
		return nil, err
	}
	srv.etcd = etcd
	if _, err := srv.waitReady(ctx); err != nil {
		return srv, err
	}
	return srv, nil
}

// runRounds measures idle memory, runs the rounds in the plan's order,
// then memory again, the profiles, and fills rep.
func runRounds(ctx context.Context, opts options, targets []*sideTarget, rep *SideReport) error {
	byName := map[string]*sideTarget{}
	for _, t := range targets {
		byName[t.name] = t
		cs, err := t.b.clientset(1, false)
		if err != nil {
			return err
		}
		if err := deleteAllPods(ctx, cs); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	time.Sleep(idleSettle)
	idle := map[string]float64{}
	for _, t := range targets {
		if rss, err := t.rss.RSS(); err == nil {
			idle[t.name] = mib(rss)
		}
	}
	var roundsErr error
	for round, order := range rep.Plan {
		for _, name := range order {
			if err := byName[name].turn(ctx, round); err != nil {
				roundsErr = fmt.Errorf("%s, round %d: %w", name, round, err)
				break
			}
		}
		if roundsErr != nil {
			break
		}
	}
	after := map[string]float64{}
	for _, t := range targets {
		if rss, err := t.rss.RSS(); err == nil {
			after[t.name] = mib(rss)
			t.b.logf("%s: RSS after the rounds %.1f MiB", t.name, mib(rss))
		}
	}
	if roundsErr == nil && opts.pprofFile != "" {
		for _, t := range targets {
			if err := t.profile(ctx); err != nil {
				return err
			}
		}
	}
	withPods := map[string]float64{}
	if roundsErr == nil && opts.bigPods > 0 {
		for _, t := range targets {
			rss, err := t.rssWithPods(ctx, opts.bigPods)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			withPods[t.name] = rss
		}
	}
	fresh := map[string]float64{}
	if roundsErr == nil && opts.bigPods > 0 && opts.side.upstreamBinary != "" {
		var err error
		if fresh, err = freshRSSWithPods(ctx, opts); err != nil {
			return err
		}
	}
	rep.Results = map[string][]Result{}
	for _, t := range targets {
		s := SideServer{
			Name: t.name, Version: t.version, RSSIdleMiB: idle[t.name], RSSAfterMiB: after[t.name], RSSWithPodsMiB: withPods[t.name],
			RSSFreshWithPodsMiB: fresh[t.name],
			TurnSeconds:         t.wall.Seconds(), ServerCPUSeconds: t.serverCPU.Seconds(), BenchCPUSeconds: t.benchCPU.Seconds(),
			MachineCPUSeconds: t.machineCPU.Seconds(),
			PodJSONBytes:      t.podJSONBytes, Profile: t.b.opts.pprofFile,
		}
		if p, ok := t.b.cpu.(*upstream); ok {
			s.PIDs = p.pids
		} else if t.b.srv != nil {
			s.PIDs = t.b.srv.pids()
			s.Etcd = oursEtcdEmbedded
			if t.b.srv.etcd != nil {
				s.Etcd = oursEtcdExternal
			}
		}
		rep.Servers = append(rep.Servers, s)
		rep.Results[t.name] = t.b.results
	}
	rep.Rows = sideRows(byName[targetUpstream].b.results, byName[targetOurs].b.results)
	return roundsErr
}

// turn is one round on one server: at every concurrency, N creates, the
// adds in each wire form it serves (verified), the LISTs (at the first
// concurrency, after the adds both servers serve, so both list pods with
// the same containers) and N deletes; then the watch fan-out.
func (t *sideTarget) turn(ctx context.Context, round int) error {
	b := t.b
	b.round = round
	b.logf("round %d: %s", round, t.name)
	wall0, cpu0, self0, machine0 := time.Now(), readCPU(b.cpu), readCPU(self), machineBusy()
	defer func() {
		t.wall += time.Since(wall0)
		t.machineCPU += machineBusy() - machine0
		t.serverCPU += readCPU(b.cpu) - cpu0
		t.benchCPU += readCPU(self) - self0
	}()
	for i, c := range b.opts.concurrency {
		cs, err := b.clientset(c, false)
		if err != nil {
			return err
		}
		if err := deleteAllPods(ctx, cs); err != nil {
			return err
		}
		set := newPodSet(b.opts.pods)
		b.runCreate(ctx, cs, c, set)
		if t.podJSONBytes == 0 && set.pods[0] != nil {
			if data, err := json.Marshal(set.pods[0]); err == nil {
				t.podJSONBytes = len(data)
			}
		}
		b.runAdd(ctx, "ephemeral-put-pod", c, set, putName, func(ctx context.Context, pod *corev1.Pod, name string) (*corev1.Pod, error) {
			return addByPut(ctx, cs, pod, name)
		})
		b.runAdd(ctx, "ephemeral-patch", c, set, patchName, func(ctx context.Context, pod *corev1.Pod, name string) (*corev1.Pod, error) {
			return addByPatch(ctx, cs, pod, name)
		})
		if i == 0 {
			if err := t.lists(ctx); err != nil {
				return err
			}
		}
		if t.legacy {
			rc := cs.CoreV1().RESTClient()
			b.runAdd(ctx, "ephemeral-put-1.16", c, set, legacyName, func(ctx context.Context, pod *corev1.Pod, name string) (*corev1.Pod, error) {
				return addByLegacyPut(ctx, rc, pod, name)
			})
		}
		b.verifyAdds(ctx, cs, c, set)
		b.runDelete(ctx, cs, c, set)
		if err := deleteAllPods(ctx, cs); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	cs, err := b.clientset(b.opts.watchers, false)
	if err != nil {
		return err
	}
	r := b.runWatchFanout(ctx, cs, b.opts.watchers, b.opts.watchCreates)
	r.Round = round
	b.record(r)
	if r.Errors > 0 {
		b.fail("watch fan-out: %s", r.FirstError)
	}
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	return ctx.Err()
}

// lists runs the LISTs of the N pods at every list concurrency, in JSON
// and protobuf.
func (t *sideTarget) lists(ctx context.Context) error {
	for _, lc := range t.b.opts.side.listConcurrency {
		csJSON, err := t.b.clientset(lc, false)
		if err != nil {
			return err
		}
		csProto, err := t.b.clientset(lc, true)
		if err != nil {
			return err
		}
		t.b.runList(ctx, "list-json", csJSON, lc, t.b.opts.pods)
		t.b.runList(ctx, "list-protobuf", csProto, lc, t.b.opts.pods)
	}
	return nil
}

// profile creates N pods and takes the server's CPU profile while adding
// containers to them by SMP PATCH at -pprof-concurrency; nothing of it is
// recorded as a result.
func (t *sideTarget) profile(ctx context.Context) error {
	b, c := t.b, t.b.opts.pprofConc
	cs, err := b.clientset(c, false)
	if err != nil {
		return err
	}
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	set := newPodSet(b.opts.pods)
	r := runPhase(ctx, "create-profiled", c, len(set.pods), nil, func(ctx context.Context, i int) error {
		p, err := cs.CoreV1().Pods(namespace).Create(ctx, newPod(podName(i), "main"), metav1.CreateOptions{})
		if err == nil {
			set.pods[i] = p
		}
		return err
	})
	if r.Errors > 0 {
		return fmt.Errorf("%s: creating the pods to profile: %s", t.name, r.FirstError)
	}
	b.logf("%s: CPU profile under SMP PATCH at c=%d", t.name, c)
	b.runProfiledPatches(ctx, cs, c, set)
	return deleteAllPods(ctx, cs)
}

// sideMarkdown renders the run: machine, servers, the table, memory and
// the load tool's own CPU.
func sideMarkdown(rep *SideReport, opts options, wall, benchCPU time.Duration) string {
	var sb strings.Builder
	m := rep.Machine
	fmt.Fprintf(&sb, "\nMachine: %d CPUs, %s, %s memory, %s; load average before %s, after %s\n",
		m.NProc, m.CPUModel, m.MemTotal, m.GoVersion, m.LoadAvgBefore, m.LoadAvgAfter)
	fmt.Fprintf(&sb, "Run: N=%d pods, %d rounds (medians; order %s), write concurrency %v, LIST concurrency %v, %d watchers x %d creates; %.0f s in all\n",
		opts.pods, opts.rounds, planString(rep.Plan), opts.concurrency, opts.side.listConcurrency, opts.watchers, opts.watchCreates, wall.Seconds())
	for _, s := range rep.Servers {
		etcd := ""
		if s.Etcd != "" {
			etcd = ", " + s.Etcd + " etcd"
		}
		fmt.Fprintf(&sb, "- %s: %s%s, pids %v, a created pod is %d bytes of JSON\n", s.Name, s.Version, etcd, s.PIDs, s.PodJSONBytes)
	}
	fmt.Fprintln(&sb)
	renderSideBySide(&sb, rep.Rows)
	oursCPU := "ours is one process (embedded etcd)"
	if opts.side.oursEtcd == oursEtcdExternal {
		oursCPU = "ours is ephemeral-apiserver + its etcd"
	}
	fmt.Fprintf(&sb, "\nRatios are ours/upstream: above 1 is better for ops/s, below 1 for CPU and p99. Server CPU: %s; upstream is kube-apiserver + its etcd. The last column is the load tool's own CPU per operation (it shares the cores).\n", oursCPU)
	var up, ours *SideServer
	for i := range rep.Servers {
		switch rep.Servers[i].Name {
		case targetUpstream:
			up = &rep.Servers[i]
		case targetOurs:
			ours = &rep.Servers[i]
		}
	}
	if up != nil && ours != nil {
		fmt.Fprintf(&sb, "\nRSS idle before the rounds: upstream %.1f MiB, ours %.1f MiB (ratio %s). RSS after the rounds: upstream %.1f MiB, ours %.1f MiB (ratio %s).\n",
			up.RSSIdleMiB, ours.RSSIdleMiB, fmtOr("%.2f", ratio(ours.RSSIdleMiB, up.RSSIdleMiB)),
			up.RSSAfterMiB, ours.RSSAfterMiB, fmtOr("%.2f", ratio(ours.RSSAfterMiB, up.RSSAfterMiB)))
		if up.RSSWithPodsMiB > 0 && ours.RSSWithPodsMiB > 0 {
			fmt.Fprintf(&sb, "RSS with %d pods stored (created after the rounds at c=%d, read %v later): upstream %.1f MiB, ours %.1f MiB (ratio %.2f).\n",
				opts.bigPods, bigPodsConcurrency, idleSettle, up.RSSWithPodsMiB, ours.RSSWithPodsMiB, ours.RSSWithPodsMiB/up.RSSWithPodsMiB)
		}
		if up.RSSFreshWithPodsMiB > 0 && ours.RSSFreshWithPodsMiB > 0 {
			fmt.Fprintf(&sb, "RSS of a fresh server with %d pods stored (started again on an empty store, the pods created at c=%d, read %v later): upstream %.1f MiB, ours %.1f MiB (ratio %.2f).\n",
				opts.bigPods, bigPodsConcurrency, idleSettle, up.RSSFreshWithPodsMiB, ours.RSSFreshWithPodsMiB, ours.RSSFreshWithPodsMiB/up.RSSFreshWithPodsMiB)
		}
		for _, s := range []*SideServer{up, ours} {
			if s.TurnSeconds > 0 {
				other := max(s.MachineCPUSeconds-s.ServerCPUSeconds-s.BenchCPUSeconds, 0)
				fmt.Fprintf(&sb, "During the %s turns (%.0f s): the server used %.2f cores, the load tool %.2f cores, everything else on the machine %.2f cores.\n",
					s.Name, s.TurnSeconds, s.ServerCPUSeconds/s.TurnSeconds, s.BenchCPUSeconds/s.TurnSeconds, other/s.TurnSeconds)
			}
		}
	}
	if wall > 0 && benchCPU >= 0 {
		fmt.Fprintf(&sb, "The load tool's own CPU over the whole run: %.1f s in %.0f s (%.2f cores).\n", benchCPU.Seconds(), wall.Seconds(), benchCPU.Seconds()/wall.Seconds())
	}
	fmt.Fprintf(&sb, "\nVerification failures: %d\n", len(rep.Failures))
	return sb.String()
}

// machineBusy is the CPU time every process on the machine has used since
// boot: /proc/stat's user, nice, system, irq, softirq and steal; -1 when
// unreadable.
func machineBusy() time.Duration {
	line := procField("/proc/stat", "cpu", " ")
	f := strings.Fields(line)
	if len(f) < 8 {
		return -1
	}
	var ticks int64
	for _, i := range []int{0, 1, 2, 5, 6, 7} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return -1
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / harness.ClockTicks
}

// profileName is the -pprof file of one server: its name before the
// first dot of the base name, e.g. cpu-ours.pb.gz for cpu.pb.gz.
func profileName(file, server string) string {
	dir, base := filepath.Split(file)
	name, ext, _ := strings.Cut(base, ".")
	if ext != "" {
		ext = "." + ext
	}
	return dir + name + "-" + server + ext
}

func planString(plan [][]string) string {
	parts := make([]string, len(plan))
	for i, order := range plan {
		parts[i] = strings.Join(order, "+")
	}
	return strings.Join(parts, ", ")
}

func writeSideReport(out string, rep *SideReport, md string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	mdPath := strings.TrimSuffix(out, filepath.Ext(out)) + ".md"
	if err := os.WriteFile(mdPath, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "results written to %s and %s\n", out, mdPath)
	return nil
}

// bigPodsConcurrency is how many writers store the -big-pods pods.
const bigPodsConcurrency = 64

// rssWithPods stores n more pods in the server, reads its RSS once it has
// settled, and deletes them again.
func (t *sideTarget) rssWithPods(ctx context.Context, n int) (float64, error) {
	cs, err := t.b.clientset(bigPodsConcurrency, false)
	if err != nil {
		return 0, err
	}
	rss, err := storeAndMeasure(ctx, t.b, cs, bigPodsConcurrency, n, "big", t.rss)
	if err != nil {
		return 0, err
	}
	t.b.logf("%s: RSS with %d pods stored %.1f MiB", t.name, n, rss)
	return rss, deleteAllPods(ctx, cs)
}

// freshRSSWithPods starts each server again on an empty store, one at a
// time, stores -big-pods pods in it and reads its RSS once it has settled:
// the memory the pods take, without the history of the rounds.
func freshRSSWithPods(ctx context.Context, opts options) (map[string]float64, error) {
	out := map[string]float64{}
	up, err := startUpstream(ctx, opts.side.upstreamBinary, opts.side.etcdBinary)
	if err == nil {
		out[targetUpstream], err = freshServerRSS(ctx, opts, targetUpstream, up.kubeconfig, up.pids)
	}
	if stopErr := up.stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return nil, fmt.Errorf("fresh upstream: %w", err)
	}
	ours, err := startOurs(ctx, opts)
	if err == nil {
		out[targetOurs], err = freshServerRSS(ctx, opts, targetOurs, ours.Kubeconfig, ours)
	}
	if stopErr := ours.stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return nil, fmt.Errorf("fresh ours: %w", err)
	}
	return out, nil
}

// freshServerRSS stores -big-pods pods through kubeconfig and returns rss
// once the server has settled, in MiB.
func freshServerRSS(ctx context.Context, opts options, name, kubeconfig string, rss rssMeter) (float64, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return 0, fmt.Errorf("loading %s: %w", kubeconfig, err)
	}
	b := &bench{opts: opts, base: cfg}
	cs, err := b.clientset(bigPodsConcurrency, false)
	if err != nil {
		return 0, err
	}
	mibs, err := storeAndMeasure(ctx, b, cs, bigPodsConcurrency, opts.bigPods, "fresh", rss)
	if err == nil {
		b.logf("%s: RSS of a fresh server with %d pods stored %.1f MiB", name, opts.bigPods, mibs)
	}
	return mibs, err
}
