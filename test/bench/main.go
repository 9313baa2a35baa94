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

// Command bench is the load tool behind `make bench`: it starts the
// ephemeral-apiserver binary with its embedded etcd on a temporary data dir
// (or uses the server a kubeconfig names), drives pod creates, the three
// ways of adding an ephemeral container, contended adds to one pod, LISTs
// and a watch fan-out at several concurrencies with client-go, measures
// raw etcd transactions against the same etcd for comparison, start-up
// time and memory, and prints and writes the results. Every add the server
// acknowledges is verified; a verification failure exits non-zero.
//
//	go run ./test/bench -binary _output/bin/ephemeral-apiserver -out _output/bench/results.json
//	go run ./test/bench -quick
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// options are the command-line flags.
type options struct {
	binary         string
	kubeconfig     string
	etcdURL        string
	out            string
	pprofFile      string
	pprofConc      int
	pods           int
	rounds         int
	concurrency    []int
	bigPods        int
	watchers       int
	watchCreates   int
	contendWriters int
	contendAdds    int
	startupRuns    int
	kubeletPods    int
	kubeletAdds    int
	kubeletWriters int
	quick          bool
	timeout        time.Duration
	// side is the side-by-side mode against upstream kube-apiserver.
	side sideOptions
}

func parseFlags(args []string) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	defBinary := os.Getenv("EPHEMERAL_APISERVER_BIN")
	if defBinary == "" {
		defBinary = "_output/bin/ephemeral-apiserver"
	}
	fs.StringVar(&o.binary, "binary", defBinary, "the server binary to start (default $EPHEMERAL_APISERVER_BIN or _output/bin/ephemeral-apiserver)")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "measure the server this kubeconfig names instead of starting one (no server CPU, RSS or start-up figures)")
	fs.StringVar(&o.etcdURL, "etcd-url", "", "with -kubeconfig: the etcd client URL for the raw etcd comparison (none if empty)")
	fs.StringVar(&o.out, "out", "", "write the results as JSON to this file, and a Markdown table beside it")
	fs.StringVar(&o.pprofFile, "pprof", "", "write a 10 s server CPU profile, taken while PATCH adds run at -pprof-concurrency, to this file")
	fs.IntVar(&o.pprofConc, "pprof-concurrency", 16, "the concurrency at which -pprof profiles")
	fs.IntVar(&o.pods, "pods", 1000, "pods per scenario (N)")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of every scenario; medians are reported")
	conc := fs.String("concurrency", "1,16,64", "comma-separated concurrencies")
	fs.IntVar(&o.bigPods, "big-pods", 10000, "pods stored for the RSS-with-pods figure (0 skips it)")
	fs.IntVar(&o.watchers, "watchers", 50, "watchers of the watch fan-out")
	fs.IntVar(&o.watchCreates, "watch-creates", 100, "creates of the watch fan-out")
	fs.IntVar(&o.contendWriters, "contend-writers", 64, "writers adding containers to one pod")
	fs.IntVar(&o.contendAdds, "contend-adds", 2, "containers each contending writer adds")
	fs.IntVar(&o.startupRuns, "startup-runs", 3, "server starts measured for start to /readyz")
	fs.IntVar(&o.kubeletPods, "kubelet-pods", 10000, "pods stored on a server with the simulated kubelet (0 skips that scenario)")
	fs.IntVar(&o.kubeletAdds, "kubelet-adds", 2000, "debug containers added there, each to its own pod")
	fs.IntVar(&o.kubeletWriters, "kubelet-writers", 64, "writers adding them")
	fs.BoolVar(&o.quick, "quick", false, "a fast smoke run: defaults -pods 50 -rounds 1 -concurrency 1,4 -big-pods 500 -contend-adds 1 -startup-runs 2 -kubelet-pods 300 -kubelet-adds 100")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Hour, "bound on the whole run")
	o.side.register(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.quick {
		// -quick changes the defaults; flags given explicitly still win.
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		quick := map[string]string{
			"pods": "50", "rounds": "1", "concurrency": "1,4", "big-pods": "500", "contend-adds": "1", "startup-runs": "2",
			"kubelet-pods": "300", "kubelet-adds": "100",
		}
		for name, value := range quick {
			if !set[name] {
				if err := fs.Set(name, value); err != nil {
					return o, err
				}
			}
		}
	}
	for _, s := range strings.Split(*conc, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || c < 1 {
			return o, fmt.Errorf("-concurrency: %q is not a positive integer", s)
		}
		o.concurrency = append(o.concurrency, c)
	}
	if o.pods < 1 || o.rounds < 1 || o.watchers < 1 || o.watchCreates < 1 || o.contendWriters < 1 || o.contendAdds < 1 || o.kubeletWriters < 1 {
		return o, errors.New("-pods, -rounds, -watchers, -watch-creates, -contend-writers, -contend-adds and -kubelet-writers must be positive")
	}
	if err := o.side.validate(&o); err != nil {
		return o, err
	}
	return o, nil
}

// bench is one run: its options, the server measured and what it found.
type bench struct {
	opts options
	// srv is the server this run started; nil with -kubeconfig.
	srv  *server
	base *rest.Config
	cpu  cpuMeter
	raw  *rawEtcd
	// round is the round being measured, recorded in each Result.
	round int

	mu       sync.Mutex
	results  []Result
	failures []string
	report   Report
}

func main() {
	os.Exit(run())
}

func run() int {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	if opts.side.enabled() {
		// Side by side with upstream: the write, LIST and watch phases
		// only, on both servers (no raw etcd, contention, start-up or
		// simulated kubelet scenarios).
		return runSideBySide(ctx, opts)
	}

	b := &bench{opts: opts}
	// The server is stopped below; this is the safety net for a panic.
	defer func() {
		if b.srv != nil {
			_ = b.srv.stop()
		}
	}()
	b.report.Machine = describeMachine()
	b.report.Options = opts.describe()
	err = b.execute(ctx)
	if b.srv != nil {
		if stopErr := b.srv.stop(); stopErr != nil {
			b.fail("stopping the server: %v", stopErr)
		}
	}
	if b.raw != nil {
		b.raw.close()
	}
	if err != nil {
		b.fail("%v", err)
	}
	b.report.Machine.LoadAvgAfter = loadAvg()
	if err := b.finish(); err != nil {
		fmt.Fprintln(os.Stderr, "writing the results:", err)
		return 1
	}
	if len(b.failures) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d failures:\n  %s\n", len(b.failures), strings.Join(b.failures, "\n  "))
		return 1
	}
	fmt.Fprintln(os.Stderr, "PASS: every acknowledged add was verified")
	return 0
}

// execute runs every scenario; the caller stops the server.
func (b *bench) execute(ctx context.Context) error {
	if b.opts.kubeconfig == "" {
		if err := b.measureStartup(ctx); err != nil {
			return err
		}
		if err := b.startMainServer(ctx); err != nil {
			return err
		}
	} else {
		cfg, err := clientcmd.BuildConfigFromFlags("", b.opts.kubeconfig)
		if err != nil {
			return fmt.Errorf("loading %s: %w", b.opts.kubeconfig, err)
		}
		b.base = cfg
	}
	if b.opts.etcdURL != "" {
		raw, err := newRawEtcd(b.opts.etcdURL)
		if err != nil {
			return err
		}
		b.raw = raw
	}
	cs, err := b.clientset(1, false)
	if err != nil {
		return err
	}
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	for b.round = 0; b.round < b.opts.rounds; b.round++ {
		for _, c := range b.opts.concurrency {
			if err := b.runConcurrency(ctx, c); err != nil {
				return err
			}
		}
		if err := b.runSharedScenarios(ctx); err != nil {
			return err
		}
	}
	b.round = 0
	if err := b.measureBigRSS(ctx); err != nil {
		return err
	}
	return b.measureSimulatedKubelet(ctx)
}

// startMainServer starts the measured server and records its idle RSS.
func (b *bench) startMainServer(ctx context.Context) error {
	var extra []string
	if b.opts.pprofFile != "" {
		extra = append(extra, "--profiling")
	}
	srv, err := startServer(b.opts.binary, extra...)
	if err != nil {
		return err
	}
	b.srv = srv
	b.cpu = srv
	if _, err := srv.waitReady(ctx); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", srv.Kubeconfig)
	if err != nil {
		return fmt.Errorf("loading %s: %w", srv.Kubeconfig, err)
	}
	b.base = cfg
	url := srv.etcdClientURL()
	b.opts.etcdURL = url
	b.logf("server pid %d on port %d, embedded etcd at %s, log %s", srv.PID(), srv.Port, url, srv.LogPath)
	return nil
}

// clientset is a client for concurrency c, in JSON or protobuf, with
// client-side rate limiting out of the way.
func (b *bench) clientset(c int, proto bool) (kubernetes.Interface, error) {
	cfg := rest.CopyConfig(b.base)
	cfg.QPS = 100000
	cfg.Burst = 100000
	cfg.Timeout = 60 * time.Second
	cfg.UserAgent = fmt.Sprintf("ephemeral-apiserver-bench/c=%d", c)
	if proto {
		cfg.ContentType = "application/vnd.kubernetes.protobuf"
		cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	}
	return kubernetes.NewForConfig(cfg)
}

// runConcurrency runs the per-concurrency scenarios at c, from an empty
// namespace, then the raw etcd comparison at c.
func (b *bench) runConcurrency(ctx context.Context, c int) error {
	cs, err := b.clientset(c, false)
	if err != nil {
		return err
	}
	csProto, err := b.clientset(c, true)
	if err != nil {
		return err
	}
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	set := newPodSet(b.opts.pods)
	b.runCreate(ctx, cs, c, set)
	if b.raw != nil && b.raw.value == nil {
		if err := b.setRawValue(set); err != nil {
			return err
		}
	}
	rc := cs.CoreV1().RESTClient()
	b.runAdd(ctx, "ephemeral-put-pod", c, set, putName, func(ctx context.Context, pod *corev1.Pod, name string) (*corev1.Pod, error) {
		return addByPut(ctx, cs, pod, name)
	})
	b.runAdd(ctx, "ephemeral-patch", c, set, patchName, func(ctx context.Context, pod *corev1.Pod, name string) (*corev1.Pod, error) {
		return addByPatch(ctx, cs, pod, name)
	})
	if b.opts.pprofFile != "" && c == b.opts.pprofConc && b.round == 0 {
		b.runProfiledPatches(ctx, cs, c, set)
	}
	b.runAdd(ctx, "ephemeral-put-1.16", c, set, legacyName, func(ctx context.Context, pod *corev1.Pod, name string) (*corev1.Pod, error) {
		return addByLegacyPut(ctx, rc, pod, name)
	})
	b.verifyAdds(ctx, cs, c, set)
	b.runList(ctx, "list-json", cs, c, b.opts.pods)
	b.runList(ctx, "list-protobuf", csProto, c, b.opts.pods)
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	if b.raw != nil {
		b.raw.run(ctx, b, c, b.opts.pods)
	}
	return ctx.Err()
}

// setRawValue takes the first pod the server created as the raw etcd
// value.
func (b *bench) setRawValue(set *podSet) error {
	for _, p := range set.pods {
		if p != nil {
			if err := b.raw.setValue(p); err != nil {
				return err
			}
			b.report.RawValueBytes = len(b.raw.value)
			b.logf("raw etcd value: a protobuf-encoded pod of %d bytes", len(b.raw.value))
			return nil
		}
	}
	return errors.New("no pod was created, so there is no value for the raw etcd writes")
}

// runSharedScenarios runs the scenarios that do not vary with the
// concurrency: contended adds to one pod and the watch fan-out.
func (b *bench) runSharedScenarios(ctx context.Context) error {
	cs, err := b.clientset(b.opts.contendWriters, false)
	if err != nil {
		return err
	}
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	b.runContention(ctx, cs, b.opts.contendWriters, b.opts.contendAdds)
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	r := b.runWatchFanout(ctx, cs, b.opts.watchers, b.opts.watchCreates)
	r.Round = b.round
	b.record(r)
	if r.Errors > 0 {
		b.fail("watch fan-out: %s", r.FirstError)
	}
	if err := deleteAllPods(ctx, cs); err != nil {
		return err
	}
	return ctx.Err()
}

// phase runs one measured phase with the run's CPU meter and records it.
func (b *bench) phase(ctx context.Context, name string, c, n int, fn op) Result {
	ctx, cancel := context.WithTimeout(ctx, phaseTimeout)
	defer cancel()
	r := runPhase(ctx, name, c, n, b.cpu, fn)
	r.Round = b.round
	b.record(r)
	return r
}

func (b *bench) record(r Result) {
	b.mu.Lock()
	b.results = append(b.results, r)
	b.mu.Unlock()
	b.logf("%s", r)
}

// fail records a failure that makes the run exit non-zero.
func (b *bench) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	b.mu.Lock()
	b.failures = append(b.failures, msg)
	b.mu.Unlock()
	b.logf("FAIL: %s", msg)
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}
