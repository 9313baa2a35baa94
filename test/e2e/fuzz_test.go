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

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

const (
	// fuzzDefaultSeed is the seed of a run without EPHEMERAL_FUZZ_SEED.
	fuzzDefaultSeed = 20260116
	// fuzzMaxRequests and fuzzBudget bound a run: it stops sending at
	// whichever comes first.
	fuzzMaxRequests = 1500
	fuzzBudget      = 85 * time.Second
	// fuzzRequestTimeout bounds one request; a server that takes longer
	// hangs.
	fuzzRequestTimeout = 20 * time.Second
	// fuzzMaxBody keeps every body under the 3 MiB a request may carry.
	fuzzMaxBody = 3<<20 - 4<<10
	// fuzzMaxHWMKiB is the bound on the server's peak resident set.
	fuzzMaxHWMKiB = 1 << 20
	// fuzzNamespace holds every target pod.
	fuzzNamespace = "default"
	// fuzzAbsent is the state of a pod that does not exist.
	fuzzAbsent = "<absent>"
)

// fuzzLogPanic is what a recovered or fatal panic leaves in the server log.
var fuzzLogPanic = regexp.MustCompile(`panic|goroutine \d|stacktrace`)

// fuzzNotAPanic removes what k8s.io/apiserver's finisher prints when a
// request outlived its deadline without panicking, so that only a real
// panic matches fuzzLogPanic (the line is an error line all the same).
var fuzzNotAPanic = strings.NewReplacer("panicked: false", "", "panic-reason: <nil>", "")

// fuzzClientCausedLine is an error line k8s.io/apiserver prints, as
// upstream does, for a request whose own ?timeout= ran out or was not a
// duration, whose query parameters did not parse, or whose unknown fields
// overflowed the warning header. Any other error line (e.g. "an error that
// is not a metav1.Status", which comes with a 500) is a violation.
var fuzzClientCausedLine = regexp.MustCompile(` (request_deadline|timeout|writers|finisher|wrap)\.go:\d+\]|` +
	` requestinfo\.go:\d+\] "Couldn't parse request"|` +
	` status\.go:\d+\] .*(Handler timeout|body closed by handler|context deadline exceeded)|` +
	` warning\.go:\d+\] .*exceeded max warning header size`)

// klogSource is the file:line of a klog line.
var klogSource = regexp.MustCompile(`^[IWEF]\d{4} [0-9:.]+ +\d+ ([^\]]+)\]`)

// groupLogLines groups log lines by where they were logged: the count and
// the first line of each place, in the order they first appear.
func groupLogLines(lines []string) []string {
	var order []string
	count, first := map[string]int{}, map[string]string{}
	for _, line := range lines {
		source := line
		if m := klogSource.FindStringSubmatch(line); m != nil {
			source = m[1]
		}
		if count[source] == 0 {
			order = append(order, source)
			first[source] = line
		}
		count[source]++
	}
	groups := make([]string, 0, len(order))
	for _, source := range order {
		groups = append(groups, fmt.Sprintf("%d line(s) from %s, the first: %.1000s", count[source], source, first[source]))
	}
	return groups
}

var _ = Describe("Fuzzed writes to pods and pods/ephemeralcontainers", Label("fuzz"), func() {
	It("never answer 5xx, never change a pod they fail on, and leave the server healthy and bounded", func(ctx SpecContext) {
		seed := fuzzSeed()
		GinkgoWriter.Printf("fuzz seed %d (set EPHEMERAL_FUZZ_SEED=%d to replay)\n", seed, seed)
		AddReportEntry("fuzz seed", seed)

		s := startServer(gateOn)
		run := newFuzzRun(ctx, s, seed)

		By("creating the target pods, two of them with an ephemeral container added through the subresource")
		for _, name := range fuzzTargets {
			run.recreate(name)
		}

		fixed := fuzzSeeds()
		By(fmt.Sprintf("sending %d fixed requests, then random mutations: at most %d requests or %v",
			len(fixed), fuzzMaxRequests, fuzzBudget))
		start := time.Now()
		for i := 0; i < fuzzMaxRequests && time.Since(start) < fuzzBudget && ctx.Err() == nil; i++ {
			if i < len(fixed) {
				run.do(i, fixed[i].target, fixed[i].build)
			} else {
				run.doRandom(i)
			}
			if i%25 == 0 {
				run.sampleRSS()
			}
		}
		elapsed := time.Since(start)
		run.sampleRSS()

		By("checking the server is healthy afterwards")
		readyz, err := run.rawGet("/readyz")
		if err != nil {
			run.violate("GET /readyz after the run: %v", err)
		} else if readyz != "ok" {
			// Say whether it is for good or for a moment.
			recovered := "still not ok 10s later"
			for waited := time.Duration(0); waited < 10*time.Second; waited += 250 * time.Millisecond {
				time.Sleep(250 * time.Millisecond)
				if again, err := run.rawGet("/readyz"); err == nil && again == "ok" {
					recovered = fmt.Sprintf("ok %v later", waited+250*time.Millisecond)
					break
				}
			}
			run.violate("GET /readyz right after the run answered (%s) %q", recovered, readyz)
		}
		created, err := run.client.CoreV1().Pods(fuzzNamespace).Create(ctx, harness.Pod("", "fz-after-run"), metav1.CreateOptions{})
		if err != nil {
			run.violate("creating a pod after the run: %v", err)
		} else if got, err := run.client.CoreV1().Pods(fuzzNamespace).Get(ctx, "fz-after-run", metav1.GetOptions{}); err != nil {
			run.violate("getting the pod created after the run: %v", err)
		} else if got.UID != created.UID {
			run.violate("the pod created after the run has UID %s, GET answers %s", created.UID, got.UID)
		}

		By("checking the server log holds no panic, stack trace or error line")
		log := s.Log()
		var panics []string
		for _, line := range strings.Split(log, "\n") {
			if fuzzLogPanic.MatchString(fuzzNotAPanic.Replace(line)) {
				panics = append(panics, line)
			}
		}
		for _, group := range groupLogLines(panics) {
			run.violate("server log shows a panic or stack trace: %s", group)
		}
		var unexpected []string
		for _, line := range errorLines(log) {
			if !fuzzClientCausedLine.MatchString(line) {
				unexpected = append(unexpected, line)
			}
		}
		for _, group := range groupLogLines(unexpected) {
			run.violate("server error line: %s", group)
		}

		By("checking the server's peak resident set")
		hwm := procStatusKiB(s.PID(), "VmHWM")
		AddReportEntry("server VmHWM KiB", hwm)
		GinkgoWriter.Printf("server peak RSS (VmHWM) %d KiB, largest sampled VmRSS %d KiB\n", hwm, run.maxRSS)
		if hwm > fuzzMaxHWMKiB {
			run.violate("server VmHWM %d KiB is over %d KiB", hwm, fuzzMaxHWMKiB)
		}

		summary := run.summary(elapsed)
		GinkgoWriter.Println(summary)
		AddReportEntry("fuzz summary", summary)

		Expect(run.violations).To(BeEmpty(), "%d violations (seed %d); the first ones:\n%s",
			len(run.violations), seed, strings.Join(run.violations[:min(len(run.violations), 20)], "\n\n"))
	}, SpecTimeout(3*time.Minute))
})

// fuzzSeed is EPHEMERAL_FUZZ_SEED, or fuzzDefaultSeed.
func fuzzSeed() uint64 {
	GinkgoHelper()
	value := os.Getenv("EPHEMERAL_FUZZ_SEED")
	if value == "" {
		return fuzzDefaultSeed
	}
	seed, err := strconv.ParseUint(value, 10, 64)
	Expect(err).NotTo(HaveOccurred(), "EPHEMERAL_FUZZ_SEED")
	return seed
}

// The target pods: fz-plain-* have no ephemeral container to begin with,
// fz-debug-* have dbg-0 (and fz-debug-2 also dbg-1, targeting app).
const (
	fzPlain1 = "fz-plain-1"
	fzPlain2 = "fz-plain-2"
	fzDebug1 = "fz-debug-1"
	fzDebug2 = "fz-debug-2"
)

var fuzzTargets = []string{fzPlain1, fzPlain2, fzDebug1, fzDebug2}

// fuzzRequest is one raw HTTP request, exactly as sent.
type fuzzRequest struct {
	// form is how the request writes; a fixed request also has a name.
	form   string
	name   string
	method string
	path   string
	query  string
	header http.Header
	body   []byte
	// target is the pod the request writes, which must not change unless
	// the write succeeds; empty when it writes none we can name.
	target string
	// mutations says what was done to the valid request, for reports.
	mutations []string

	// tree and enc are the body before encoding: enc is json, yaml or
	// proto.
	tree any
	enc  string
}

// tinyTimeout is true when the request asks for a deadline the server
// cannot meet: then a 504, or even a dropped connection, is its answer,
// and whether the write happened is unknown.
func (r *fuzzRequest) tinyTimeout() bool {
	// The server reads the query as net/http does, ignoring bad pairs.
	q, _ := url.ParseQuery(r.query)
	d, err := time.ParseDuration(q.Get("timeout"))
	return err == nil && d > 0 && d < time.Second
}

// dryRun is true when the request must not write whatever it is answered.
func (r *fuzzRequest) dryRun() bool {
	q, _ := url.ParseQuery(r.query)
	return q.Has("dryRun")
}

func (r *fuzzRequest) url(host string) string {
	u := host + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	return u
}

func (r *fuzzRequest) describe(index int, host string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "request #%d form %s%s: %s %s\n", index, r.form, r.name, r.method, r.url(host))
	keys := make([]string, 0, len(r.header))
	for k := range r.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %q\n", k, r.header[k])
	}
	if len(r.mutations) > 0 {
		fmt.Fprintf(&b, "  mutations: %s\n", strings.Join(r.mutations, "; "))
	}
	fmt.Fprintf(&b, "  body (%d bytes, first 2 KiB): %q\n", len(r.body), head(r.body, 2048))
	return b.String()
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// fuzzRun is the state of one run: the server, its clients, the random
// source and what was seen.
type fuzzRun struct {
	ctx    context.Context
	server *Server
	seed   uint64
	rng    *rand.Rand
	host   string
	http   *http.Client
	client kubernetes.Interface
	// seq makes names unique: new pods and new ephemeral containers.
	seq int

	violations []string
	byStatus   map[string]int
	byForm     map[string]map[string]int
	tiny       int
	maxRSS     int
}

func newFuzzRun(ctx context.Context, s *Server, seed uint64) *fuzzRun {
	GinkgoHelper()
	cfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	cfg.Timeout = fuzzRequestTimeout
	// The loop checks a pod around every write: no client-side throttling.
	cfg.QPS = -1
	transport, err := rest.TransportFor(cfg)
	Expect(err).NotTo(HaveOccurred())
	client, err := kubernetes.NewForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())
	return &fuzzRun{
		ctx:      ctx,
		server:   s,
		seed:     seed,
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		host:     strings.TrimSuffix(cfg.Host, "/"),
		http:     &http.Client{Transport: transport, Timeout: fuzzRequestTimeout},
		client:   client,
		byStatus: map[string]int{},
		byForm:   map[string]map[string]int{},
	}
}

func (f *fuzzRun) violate(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	f.violations = append(f.violations, msg)
	GinkgoWriter.Printf("VIOLATION: %s\n", msg)
}

// recreate deletes the pod if it exists and creates it again as a target.
func (f *fuzzRun) recreate(name string) {
	GinkgoHelper()
	pods := f.client.CoreV1().Pods(fuzzNamespace)
	err := pods.Delete(f.ctx, name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
	if err != nil && !apierrors.IsNotFound(err) {
		Expect(err).NotTo(HaveOccurred())
	}
	Eventually(func() bool {
		_, err := pods.Get(f.ctx, name, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	}).Should(BeTrue(), "pod %s deleted", name)
	pod, err := pods.Create(f.ctx, harness.Pod("", name), metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
	if !strings.HasPrefix(name, "fz-debug-") {
		return
	}
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "dbg-0", Image: "busybox", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}}}
	if name == fzDebug2 {
		pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, corev1.EphemeralContainer{
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg-1", Image: "busybox", Command: []string{"sh"}},
			TargetContainerName:      "app",
		})
	}
	_, err = pods.UpdateEphemeralContainers(f.ctx, name, pod, metav1.UpdateOptions{})
	Expect(err).NotTo(HaveOccurred())
}

// get is the pod, nil if there is none, and its state: the
// resourceVersion, or fuzzAbsent.
func (f *fuzzRun) get(name string) (*corev1.Pod, string, error) {
	pod, err := f.client.CoreV1().Pods(fuzzNamespace).Get(f.ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fuzzAbsent, nil
	}
	if err != nil {
		return nil, "", err
	}
	return pod, pod.ResourceVersion, nil
}

func (f *fuzzRun) rawGet(path string) (string, error) {
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, f.host+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// do sends the request build makes from target's current state, and checks
// the answer and that target is unchanged unless the write succeeded.
func (f *fuzzRun) do(index int, target string, build func(f *fuzzRun, pod *corev1.Pod) *fuzzRequest) {
	GinkgoHelper()
	var (
		pod    *corev1.Pod
		before string
		err    error
	)
	if target != "" {
		pod, before, err = f.get(target)
		if err != nil {
			f.violate("request #%d: GET of pod %s before it: %v", index, target, err)
			return
		}
		// A target that successful writes grew large is replaced, so that
		// it stays a target valid writes can succeed on.
		if pod != nil && slices.Contains(fuzzTargets, target) && (len(pod.Spec.EphemeralContainers) > 24 || pod.Size() > 256<<10) {
			f.recreate(target)
			if pod, before, err = f.get(target); err != nil {
				f.violate("request #%d: GET of pod %s before it: %v", index, target, err)
				return
			}
		}
	}
	r := build(f, pod)
	if r.target == "" {
		r.target = target
	}
	if r.header == nil {
		r.header = http.Header{}
	}
	if len(r.body) > fuzzMaxBody {
		r.body = r.body[:fuzzMaxBody]
		r.mutations = append(r.mutations, "cut to 3 MiB")
	}
	if r.target != target && r.target != "" {
		if _, before, err = f.get(r.target); err != nil {
			f.violate("request #%d: GET of pod %s before it: %v", index, r.target, err)
			return
		}
	}

	status, respBody, sendErr := f.send(r)
	tiny := r.tinyTimeout()
	if tiny {
		f.tiny++
	}
	key := strconv.Itoa(status)
	if sendErr != nil {
		key = "transport-error"
	}
	f.byStatus[key]++
	if f.byForm[r.form] == nil {
		f.byForm[r.form] = map[string]int{}
	}
	f.byForm[r.form][key]++

	response := func() string {
		if sendErr != nil {
			return fmt.Sprintf("  transport error: %v\n", sendErr)
		}
		return fmt.Sprintf("  answered %d: %q\n", status, head(respBody, 2048))
	}
	if r.name != "" {
		GinkgoWriter.Printf("fixed #%d%s %s %s: %s\n", index, r.name, r.method, r.path, outcome(status, respBody, sendErr))
	}
	switch {
	case sendErr != nil && !tiny:
		f.violate("no answer (a dropped connection is a panic) to\n%s%s", r.describe(index, f.host), response())
	case status >= 500 && !(status == http.StatusGatewayTimeout && tiny):
		f.violate("%d to\n%s%s", status, r.describe(index, f.host), response())
	}

	failed := sendErr != nil || status < 200 || status > 299
	if tiny && (sendErr != nil || status == http.StatusGatewayTimeout) {
		// The write may still land after the deadline: wait for it, and
		// do not hold the pod to an outcome nobody knows.
		time.Sleep(100 * time.Millisecond)
		if !r.dryRun() {
			return
		}
	}
	if r.target == "" || (!failed && !r.dryRun()) {
		return
	}
	_, after, err := f.get(r.target)
	if err != nil {
		f.violate("request #%d: GET of pod %s after it: %v", index, r.target, err)
		return
	}
	if after != before {
		what := "a failed write"
		if !failed {
			what = "a dry run"
		}
		f.violate("%s changed pod %s (resourceVersion %s, then %s):\n%s%s", what, r.target, before, after, r.describe(index, f.host), response())
	}
}

// outcome is the status and the message of an answer, in one line.
func outcome(status int, body []byte, err error) string {
	if err != nil {
		return "transport error: " + err.Error()
	}
	var answer struct{ Message string }
	if status >= 200 && status <= 299 || json.Unmarshal(body, &answer) != nil {
		return strconv.Itoa(status)
	}
	return fmt.Sprintf("%d %.200s", status, answer.Message)
}

func (f *fuzzRun) send(r *fuzzRequest) (int, []byte, error) {
	req, err := http.NewRequestWithContext(f.ctx, r.method, f.host+r.path, bytes.NewReader(r.body))
	if err != nil {
		return 0, nil, err
	}
	req.URL.RawQuery = r.query
	req.Header = r.header.Clone()
	resp, err := f.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("reading the %d answer: %w", resp.StatusCode, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, body, nil
}

func (f *fuzzRun) sampleRSS() {
	if rss := procStatusKiB(f.server.PID(), "VmRSS"); rss > f.maxRSS {
		f.maxRSS = rss
	}
}

// procStatusKiB is a "kB" field of /proc/PID/status.
func procStatusKiB(pid int, field string) int {
	GinkgoHelper()
	kib, err := harness.StatusKiB(pid, field)
	Expect(err).NotTo(HaveOccurred())
	return int(kib)
}

func (f *fuzzRun) summary(elapsed time.Duration) string {
	statuses := make([]string, 0, len(f.byStatus))
	total := 0
	for status, n := range f.byStatus {
		statuses = append(statuses, status)
		total += n
	}
	slices.Sort(statuses)
	forms := make([]string, 0, len(f.byForm))
	for form := range f.byForm {
		forms = append(forms, form)
	}
	slices.Sort(forms)

	var b strings.Builder
	fmt.Fprintf(&b, "fuzz seed %d: %d requests in %v (%d with a tiny timeout=), %d violations, server peak RSS %d KiB\n",
		f.seed, total, elapsed.Round(time.Millisecond), f.tiny, len(f.violations), procStatusKiB(f.server.PID(), "VmHWM"))
	w := tabwriter.NewWriter(&b, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "form\ttotal\t")
	for _, status := range statuses {
		fmt.Fprintf(w, "%s\t", status)
	}
	fmt.Fprintln(w)
	row := func(name string, counts map[string]int) {
		n := 0
		for _, c := range counts {
			n += c
		}
		fmt.Fprintf(w, "%s\t%d\t", name, n)
		for _, status := range statuses {
			fmt.Fprintf(w, "%d\t", counts[status])
		}
		fmt.Fprintln(w)
	}
	for _, form := range forms {
		row(form, f.byForm[form])
	}
	row("all", f.byStatus)
	_ = w.Flush()
	return b.String()
}

// fuzzForms are the write forms random requests take.
var fuzzForms = []string{
	"post-json", "post-yaml", "post-proto",
	"put-pod-json", "put-pod-yaml", "put-pod-proto",
	"put-ec-pod-json", "put-ec-pod-yaml", "put-ec-pod-proto",
	"put-ec-legacy-json", "put-ec-legacy-yaml",
	"smp-pod", "smp-ec", "smp-ec-legacy",
	"merge-pod", "merge-ec", "merge-ec-legacy",
	"jsonpatch-pod", "jsonpatch-ec", "jsonpatch-ec-legacy",
	"apply-yaml-pod", "apply-json-pod", "apply-yaml-ec", "apply-json-ec", "apply-yaml-ec-legacy",
	"get-ec",
}

const (
	ctJSON      = "application/json"
	ctYAML      = "application/yaml"
	ctProtobuf  = "application/vnd.kubernetes.protobuf"
	ctSMP       = "application/strategic-merge-patch+json"
	ctMerge     = "application/merge-patch+json"
	ctJSONPatch = "application/json-patch+json"
	ctApply     = "application/apply-patch+yaml"
	acceptEC    = "application/json;as=EphemeralContainers;v=v1;g="
	oldKubectl  = "kubectl/v1.20.0 (linux/amd64) kubernetes/abc"
)

func ecPath(name string) string { return podPath(fuzzNamespace, name, "ephemeralcontainers") }

func postPath() string { return "/api/v1/namespaces/" + fuzzNamespace + "/pods" }

// newPodName is a pod name not used before.
func (f *fuzzRun) newPodName() string {
	f.seq++
	return fmt.Sprintf("fz-post-%d", f.seq)
}

// newEphemeral is a valid new ephemeral container.
func (f *fuzzRun) newEphemeral() map[string]any {
	f.seq++
	c := map[string]any{
		"name": fmt.Sprintf("dbg-n%d", f.seq), "image": "busybox",
		"terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
	}
	if f.rng.IntN(3) == 0 {
		c["targetContainerName"] = "app"
	}
	if f.rng.IntN(3) == 0 {
		c["stdin"], c["tty"], c["command"] = true, true, []any{"sh"}
	}
	return c
}

// toTree is v as encoding/json decodes it, numbers kept exact.
func toTree(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return decodeTree(b)
}

func decodeTree(b []byte) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		panic(err)
	}
	return tree
}

// podTree is the pod as a client PUTs it back, or a new pod of that name.
func podTree(name string, pod *corev1.Pod) map[string]any {
	if pod == nil {
		pod = harness.Pod("", name)
		pod.Namespace = fuzzNamespace
	}
	tree := toTree(pod).(map[string]any)
	tree["apiVersion"], tree["kind"] = "v1", "Pod"
	return tree
}

func ephemeralTrees(pod *corev1.Pod) []any {
	if pod == nil || len(pod.Spec.EphemeralContainers) == 0 {
		return []any{}
	}
	return toTree(pod.Spec.EphemeralContainers).([]any)
}

func (f *fuzzRun) legacyTree(name string, pod *corev1.Pod, containers []any) map[string]any {
	meta := map[string]any{"name": name, "namespace": fuzzNamespace}
	if pod != nil && f.rng.IntN(5) != 0 {
		meta["resourceVersion"] = pod.ResourceVersion
	}
	return map[string]any{"kind": "EphemeralContainers", "apiVersion": "v1", "metadata": meta, "ephemeralContainers": containers}
}

// base is a valid request of the form on the pod (nil if there is none).
func (f *fuzzRun) base(form, name string, pod *corev1.Pod) *fuzzRequest {
	r := &fuzzRequest{form: form, header: http.Header{}, target: name, enc: "json"}
	encodingOf := func(suffix string) string {
		switch {
		case strings.HasSuffix(suffix, "-yaml"):
			return "yaml"
		case strings.HasSuffix(suffix, "-proto"):
			return "proto"
		}
		return "json"
	}
	setCT := func() {
		switch r.enc {
		case "yaml":
			r.header.Set("Content-Type", ctYAML)
		case "proto":
			r.header.Set("Content-Type", ctProtobuf)
		default:
			r.header.Set("Content-Type", ctJSON)
		}
	}
	withEphemeral := func(tree map[string]any) map[string]any {
		spec, _ := tree["spec"].(map[string]any)
		list, _ := spec["ephemeralContainers"].([]any)
		spec["ephemeralContainers"] = append(list, f.newEphemeral())
		return tree
	}
	f.seq++
	mark := strconv.Itoa(f.seq)

	switch {
	case strings.HasPrefix(form, "post-"):
		r.method, r.path, r.enc = http.MethodPost, postPath(), encodingOf(form)
		tree := podTree(name, nil)
		if f.rng.IntN(2) == 0 {
			delete(tree, "metadata")
			tree["metadata"] = map[string]any{"name": name}
		}
		r.tree = tree
		setCT()
	case strings.HasPrefix(form, "put-pod-"):
		r.method, r.path, r.enc = http.MethodPut, podPath(fuzzNamespace, name), encodingOf(form)
		tree := podTree(name, pod)
		meta := tree["metadata"].(map[string]any)
		meta["labels"] = map[string]any{"fuzz": mark}
		if f.rng.IntN(2) == 0 {
			delete(meta, "managedFields")
		}
		r.tree = tree
		setCT()
	case strings.HasPrefix(form, "put-ec-pod-"):
		r.method, r.path, r.enc = http.MethodPut, ecPath(name), encodingOf(form)
		r.tree = withEphemeral(podTree(name, pod))
		setCT()
	case strings.HasPrefix(form, "put-ec-legacy-"):
		r.method, r.path, r.enc = http.MethodPut, ecPath(name), encodingOf(form)
		r.tree = f.legacyTree(name, pod, append(ephemeralTrees(pod), f.newEphemeral()))
		setCT()
	case form == "smp-pod" || form == "merge-pod":
		r.method, r.path = http.MethodPatch, podPath(fuzzNamespace, name)
		if form == "smp-pod" {
			r.tree = map[string]any{"metadata": map[string]any{"labels": map[string]any{"fuzz": mark}}}
			r.header.Set("Content-Type", ctSMP)
		} else {
			r.tree = map[string]any{"metadata": map[string]any{"annotations": map[string]any{"fuzz": mark}}}
			r.header.Set("Content-Type", ctMerge)
		}
	case form == "smp-ec":
		r.method, r.path = http.MethodPatch, ecPath(name)
		r.tree = map[string]any{"spec": map[string]any{"ephemeralContainers": []any{f.newEphemeral()}}}
		r.header.Set("Content-Type", ctSMP)
	case form == "smp-ec-legacy":
		r.method, r.path = http.MethodPatch, ecPath(name)
		r.tree = map[string]any{"ephemeralContainers": []any{f.newEphemeral()}}
		r.header.Set("Content-Type", ctSMP)
	case form == "merge-ec":
		r.method, r.path = http.MethodPatch, ecPath(name)
		r.tree = map[string]any{"spec": map[string]any{"ephemeralContainers": append(ephemeralTrees(pod), f.newEphemeral())}}
		r.header.Set("Content-Type", ctMerge)
	case form == "merge-ec-legacy":
		r.method, r.path = http.MethodPatch, ecPath(name)
		r.tree = map[string]any{"ephemeralContainers": append(ephemeralTrees(pod), f.newEphemeral())}
		r.header.Set("Content-Type", ctMerge)
	case form == "jsonpatch-pod":
		r.method, r.path = http.MethodPatch, podPath(fuzzNamespace, name)
		r.tree = []any{map[string]any{"op": "add", "path": "/metadata/labels", "value": map[string]any{"fuzz": mark}}}
		r.header.Set("Content-Type", ctJSONPatch)
	case form == "jsonpatch-ec":
		r.method, r.path = http.MethodPatch, ecPath(name)
		op := map[string]any{"op": "add", "path": "/spec/ephemeralContainers/-", "value": f.newEphemeral()}
		if pod == nil || len(pod.Spec.EphemeralContainers) == 0 {
			op["path"], op["value"] = "/spec/ephemeralContainers", []any{op["value"]}
		}
		r.tree = []any{op}
		r.header.Set("Content-Type", ctJSONPatch)
	case form == "jsonpatch-ec-legacy":
		r.method, r.path = http.MethodPatch, ecPath(name)
		r.tree = []any{map[string]any{"op": "add", "path": "/ephemeralContainers/-", "value": f.newEphemeral()}}
		r.header.Set("Content-Type", ctJSONPatch)
	case strings.HasPrefix(form, "apply-"):
		r.method, r.enc = http.MethodPatch, "json"
		if strings.HasPrefix(form, "apply-yaml-") {
			r.enc = "yaml"
		}
		r.header.Set("Content-Type", ctApply)
		r.query = "fieldManager=x"
		if f.rng.IntN(4) == 0 {
			r.query += "&force=true"
		}
		switch {
		case strings.HasSuffix(form, "-pod"):
			r.path = podPath(fuzzNamespace, name)
			r.tree = map[string]any{"apiVersion": "v1", "kind": "Pod",
				"metadata": map[string]any{"name": name, "labels": map[string]any{"fuzz-apply": mark}}}
		case strings.HasSuffix(form, "-ec"):
			r.path = ecPath(name)
			// The entries x applied before are in x's apply again, or the
			// apply would remove them, which is forbidden.
			r.tree = map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": name},
				"spec": map[string]any{"ephemeralContainers": append(ephemeralTrees(pod), f.newEphemeral())}}
		default:
			r.path = ecPath(name)
			r.tree = map[string]any{"apiVersion": "v1", "kind": "EphemeralContainers", "metadata": map[string]any{"name": name},
				"ephemeralContainers": append(ephemeralTrees(pod), f.newEphemeral())}
		}
	case form == "get-ec":
		r.method, r.path, r.target = http.MethodGet, ecPath(name), ""
	default:
		panic("unknown form " + form)
	}
	return r
}

// encode makes the body of the tree.
func (r *fuzzRequest) encode() {
	if r.tree == nil {
		return
	}
	b, err := json.Marshal(r.tree)
	if err != nil {
		panic(err)
	}
	switch r.enc {
	case "yaml":
		if y, err := yaml.JSONToYAML(b); err == nil {
			b = y
		} else {
			r.mutations = append(r.mutations, "JSON sent as YAML: "+err.Error())
		}
	case "proto":
		var pod corev1.Pod
		if err := json.Unmarshal(b, &pod); err != nil {
			r.mutations = append(r.mutations, "not a Pod any more, sent as JSON in protobuf's Content-Type")
			break
		}
		b = protobufOf(&pod)
	}
	r.body = b
}

func protobufOf(obj runtime.Object) []byte {
	info, ok := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		panic("no protobuf serializer")
	}
	b, err := runtime.Encode(scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion), obj)
	if err != nil {
		panic(err)
	}
	return b
}

// doRandom sends a random form on a random target, mutated.
func (f *fuzzRun) doRandom(index int) {
	GinkgoHelper()
	form := fuzzForms[f.rng.IntN(len(fuzzForms))]
	target := fuzzTargets[f.rng.IntN(len(fuzzTargets))]
	switch {
	case strings.HasPrefix(form, "post-") && f.rng.IntN(6) != 0:
		target = f.newPodName()
	case f.rng.IntN(12) == 0:
		target = f.newPodName() // a pod that does not exist
	}
	f.do(index, target, func(f *fuzzRun, pod *corev1.Pod) *fuzzRequest {
		r := f.base(form, target, pod)
		f.mutate(r)
		return r
	})
}

// mutate changes a valid request: its body (tree, YAML text, bytes),
// query, headers and URL.
func (f *fuzzRun) mutate(r *fuzzRequest) {
	if r.tree != nil && f.rng.IntN(10) != 0 {
		root := []any{r.tree}
		for range 1 + f.rng.IntN(3) {
			r.mutations = append(r.mutations, f.mutateTree(root))
		}
		r.tree = root[0]
	}
	marker := ""
	if r.enc == "yaml" && f.rng.IntN(3) == 0 {
		// A marker in the tree is where YAML text goes.
		marker = "zzfuzzmarkzz"
		root := []any{r.tree}
		nodes := collectNodes(root)
		n := nodes[f.rng.IntN(len(nodes))]
		if m, ok := n.get().(map[string]any); ok && f.rng.IntN(2) == 0 {
			m[marker] = "v"
			marker += ":"
		} else {
			n.set(marker)
		}
		r.tree = root[0]
	}
	r.encode()
	if r.enc == "yaml" {
		f.mutateYAML(r, marker)
	}
	if len(r.body) > 0 && f.rng.IntN(5) == 0 {
		r.mutations = append(r.mutations, f.mutateBytes(r))
	}
	if f.rng.IntN(5) < 2 {
		for range 1 + f.rng.IntN(2) {
			p := fuzzQueryParams[f.rng.IntN(len(fuzzQueryParams))]
			if f.rng.IntN(4) == 0 {
				r.query = p // replaces fieldManager=x of apply too
			} else if r.query == "" {
				r.query = p
			} else {
				r.query += "&" + p
			}
		}
	}
	if f.rng.IntN(8) == 0 {
		r.header.Set("Content-Type", fuzzContentTypes[f.rng.IntN(len(fuzzContentTypes))])
	}
	if f.rng.IntN(5) == 0 {
		r.header.Set("Accept", fuzzAccepts[f.rng.IntN(len(fuzzAccepts))])
	}
	if f.rng.IntN(12) == 0 {
		r.header.Set("User-Agent", fuzzUserAgents[f.rng.IntN(len(fuzzUserAgents))])
	}
	if f.rng.IntN(20) == 0 {
		switch f.rng.IntN(4) {
		case 0:
			other := fuzzTargets[f.rng.IntN(len(fuzzTargets))]
			r.path = strings.Replace(r.path, "/pods/"+r.target, "/pods/"+other, 1)
			if strings.Contains(r.path, "/pods/") {
				r.target = other
			}
			r.mutations = append(r.mutations, "URL names another pod")
		case 1:
			r.path = strings.Replace(r.path, "/ephemeralcontainers", "/EphemeralContainers", 1)
			r.mutations = append(r.mutations, "subresource in another case")
		case 2:
			r.path += "/"
			r.mutations = append(r.mutations, "trailing slash")
		case 3:
			r.path = strings.Replace(r.path, "/namespaces/"+fuzzNamespace+"/", "/namespaces/fz-nowhere/", 1)
			r.target = ""
			r.mutations = append(r.mutations, "another namespace")
		}
	}
}

var fuzzQueryParams = []string{
	"dryRun=All", "dryRun=All&dryRun=All", "dryRun=bogus", "dryRun=",
	"fieldValidation=Strict", "fieldValidation=Warn", "fieldValidation=Ignore", "fieldValidation=bogus",
	"fieldValidation=strict", "fieldValidation=",
	"fieldManager=x", "fieldManager=kubectl-client-side-apply", "fieldManager=" + strings.Repeat("m", 200),
	"fieldManager=%00%01%ff", "fieldManager=", "fieldManager=before-first-apply",
	"force=true", "force=false", "force=garbage", "force=",
	"timeout=1ns", "timeout=1us", "timeout=1ms", "timeout=garbage", "timeout=-1s", "timeout=0s", "timeout=99999999h",
	"resourceVersion=garbage", "resourceVersion=abc", "resourceVersion=0", "resourceVersion=1.0",
	"pretty=true", "pretty=garbage", "pretty=1", "pretty=",
	"%zz", "a=b=c", "&&&", "=x", "watch=true", "gracePeriodSeconds=garbage", "labelSelector=a%3D%3D%3Db",
}

var fuzzContentTypes = []string{
	ctJSON, ctYAML, ctProtobuf, ctSMP, ctMerge, ctJSONPatch, ctApply,
	"application/json; charset=utf-8", "application/json; charset=utf-16", "APPLICATION/JSON",
	"application/apply-patch+cbor", "application/cbor", "text/plain", "", "garbage", ";;;",
	"application/json; x=\"unterminated", "multipart/form-data; boundary=x", "application/*", "*/*",
}

var fuzzAccepts = []string{
	ctJSON, acceptEC, ctProtobuf, ctYAML, "application/json;as=Table;v=v1;g=meta.k8s.io",
	"application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io", "application/json;as=EphemeralContainers;v=v2;g=x",
	"application/vnd.kubernetes.protobuf;as=EphemeralContainers;v=v1;g=", "*/*", "garbage", "text/html", "application/cbor",
	"application/json;q=0", ";;;,,,", "",
}

var fuzzUserAgents = []string{
	oldKubectl, "kubectl-1.16/v1.16.0 (linux/amd64) kubernetes/abc", "kubectl/v1.21.14 (darwin/arm64) kubernetes/0f17c5b",
	"kubectl/v1.22.0 (linux/amd64) kubernetes/abc", "kubectl/v1.20.0", "garbage", "",
}

// fuzzNode is one value in a decoded JSON tree, by its place in its parent.
type fuzzNode struct {
	parent any // map[string]any or []any
	key    string
	index  int
	path   string
}

func (n fuzzNode) get() any {
	if m, ok := n.parent.(map[string]any); ok {
		return m[n.key]
	}
	return n.parent.([]any)[n.index]
}

func (n fuzzNode) set(v any) {
	if m, ok := n.parent.(map[string]any); ok {
		m[n.key] = v
		return
	}
	n.parent.([]any)[n.index] = v
}

// collectNodes lists every value under root (a one-element slice holding
// the tree), in a fixed order.
func collectNodes(root []any) []fuzzNode {
	var nodes []fuzzNode
	var walk func(n fuzzNode)
	walk = func(n fuzzNode) {
		nodes = append(nodes, n)
		switch v := n.get().(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(fuzzNode{parent: v, key: k, path: n.path + "." + k})
			}
		case []any:
			for i := range v {
				walk(fuzzNode{parent: v, index: i, path: fmt.Sprintf("%s[%d]", n.path, i)})
			}
		}
	}
	walk(fuzzNode{parent: root, path: "$"})
	return nodes
}

// mutateTree applies one random mutation to the tree and says which.
func (f *fuzzRun) mutateTree(root []any) string {
	nodes := collectNodes(root)
	pick := func(keep func(any) bool) (fuzzNode, bool) {
		var matching []fuzzNode
		for _, n := range nodes {
			if keep(n.get()) {
				matching = append(matching, n)
			}
		}
		if len(matching) == 0 {
			return fuzzNode{}, false
		}
		return matching[f.rng.IntN(len(matching))], true
	}
	isMap := func(v any) bool { m, ok := v.(map[string]any); return ok && m != nil }
	withKeys := func(v any) bool { m, ok := v.(map[string]any); return ok && len(m) > 0 }
	isList := func(v any) bool { l, ok := v.([]any); return ok && len(l) > 0 }
	anyNode := func(any) bool { return true }
	sortedKeys := func(m map[string]any) []string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys
	}

	n := nodes[f.rng.IntN(len(nodes))]
	switch f.rng.IntN(16) {
	case 0, 1, 2:
		v := f.randomValue(2)
		n.set(v)
		return fmt.Sprintf("wrong type at %s: %.60s", n.path, mustJSON(v))
	case 3:
		if m, ok := pick(isMap); ok {
			key := fuzzKeys[f.rng.IntN(len(fuzzKeys))]
			v := f.randomValue(1)
			m.get().(map[string]any)[key] = v
			return fmt.Sprintf("key %q added at %s: %.60s", key, m.path, mustJSON(v))
		}
	case 4:
		if m, ok := pick(withKeys); ok {
			obj := m.get().(map[string]any)
			keys := sortedKeys(obj)
			key := keys[f.rng.IntN(len(keys))]
			variant := []string{strings.ToUpper(key), strings.ToLower(key), upperFirst(key)}[f.rng.IntN(3)]
			obj[variant] = obj[key]
			if f.rng.IntN(2) == 0 {
				delete(obj, key)
			}
			return fmt.Sprintf("key %s.%s as %q", m.path, key, variant)
		}
	case 5, 6:
		if m, ok := pick(withKeys); ok {
			obj := m.get().(map[string]any)
			keys := sortedKeys(obj)
			key := keys[f.rng.IntN(len(keys))]
			delete(obj, key)
			return fmt.Sprintf("key %s.%s deleted", m.path, key)
		}
	case 7:
		if l, ok := pick(isList); ok {
			list := l.get().([]any)
			l.set(append(slices.Clone(list), list[f.rng.IntN(len(list))]))
			return "list entry duplicated at " + l.path
		}
	case 8:
		size := 1<<10 + f.rng.IntN(63<<10)
		switch f.rng.IntN(20) {
		case 0:
			size = 1<<20 + f.rng.IntN(3<<19)
		case 1, 2, 3, 4:
			size = 64<<10 + f.rng.IntN(960<<10)
		}
		n.set(strings.Repeat(string(rune('a'+f.rng.IntN(26))), size))
		return fmt.Sprintf("string of %d bytes at %s", size, n.path)
	case 9:
		depth := 1000 + f.rng.IntN(4000)
		n.set(json.RawMessage(deepJSON(depth, f.rng.IntN(3))))
		return fmt.Sprintf("nesting %d deep at %s", depth, n.path)
	case 10:
		size := 1000 + f.rng.IntN(99_000)
		n.set(json.RawMessage(zeros(size)))
		return fmt.Sprintf("array of %d zeros at %s", size, n.path)
	case 11:
		rv := fuzzResourceVersions[f.rng.IntN(len(fuzzResourceVersions))]
		for _, m := range nodes {
			if meta, ok := m.get().(map[string]any); ok && m.key == "metadata" {
				meta["resourceVersion"] = rv
				return fmt.Sprintf("resourceVersion %s at %s", mustJSON(rv), m.path)
			}
		}
		if m, ok := root[0].(map[string]any); ok {
			m["metadata"] = map[string]any{"resourceVersion": rv}
			return fmt.Sprintf("metadata replaced by resourceVersion %s", mustJSON(rv))
		}
	case 12:
		if m, ok := pick(isMap); ok {
			d := fuzzDirectives[f.rng.IntN(len(fuzzDirectives))]
			m.get().(map[string]any)[d.key] = d.value
			return fmt.Sprintf("%s: %s at %s", d.key, mustJSON(d.value), m.path)
		}
	case 13:
		if m, ok := pick(func(v any) bool { m, ok := v.(map[string]any); return ok && m["name"] != nil }); ok {
			obj := m.get().(map[string]any)
			if f.rng.IntN(2) == 0 {
				delete(obj, "name")
				return "merge key name deleted at " + m.path
			}
			v := []any{map[string]any{"a": json.Number("1")}, json.Number("1"), nil, []any{}, true, ""}[f.rng.IntN(6)]
			obj["name"] = v
			return fmt.Sprintf("name %s at %s", mustJSON(v), m.path)
		}
	case 14:
		if l, ok := pick(isList); ok {
			list := l.get().([]any)
			l.set(list[:f.rng.IntN(len(list))])
			return "list shortened at " + l.path
		}
	case 15:
		v := json.RawMessage(fuzzRawValues[f.rng.IntN(len(fuzzRawValues))])
		n.set(v)
		return fmt.Sprintf("raw %s at %s", v, n.path)
	}
	if n, ok := pick(anyNode); ok {
		v := f.randomValue(1)
		n.set(v)
		return fmt.Sprintf("wrong type at %s: %.60s", n.path, mustJSON(v))
	}
	return "none"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

var fuzzKeys = []string{
	"unknownField", "$patch", "$retainKeys", "$setElementOrder/ephemeralContainers", "$setElementOrder/containers",
	"$deleteFromPrimitiveList/command", "kind", "apiVersion", "metadata", "spec", "status", "ephemeralContainers",
	"EphemeralContainers", "name", "", "a.b", "\u0000", "ü", "resourceVersion", "managedFields", "x-" + strings.Repeat("k", 300),
}

var fuzzResourceVersions = []any{"abc", "1.0", " 1", "", "-1", "0", "99999999999999999999999", "0x10", "1e3", "1 ",
	json.Number("5"), nil, true, map[string]any{}}

var fuzzDirectives = []struct {
	key   string
	value any
}{
	{"$patch", "merge"}, {"$patch", "delete"}, {"$patch", "replace"}, {"$patch", "bogus"}, {"$patch", json.Number("1")}, {"$patch", nil},
	{"$setElementOrder/ephemeralContainers", []any{json.Number("1"), json.Number("2")}},
	{"$setElementOrder/ephemeralContainers", []any{map[string]any{"name": json.Number("1")}}},
	{"$setElementOrder/ephemeralContainers", json.Number("7")},
	{"$setElementOrder/containers", []any{map[string]any{"name": nil}}},
	{"$retainKeys", []any{json.Number("1")}}, {"$retainKeys", "spec"},
	{"$deleteFromPrimitiveList/command", json.Number("5")}, {"$deleteFromPrimitiveList/command", []any{map[string]any{}}},
}

var fuzzRawValues = []string{
	`1e400`, `-0`, `1.5`, `9223372036854775808`, `-9223372036854775809`, `"\ud800"`, `"\u0000"`, `"\udfff\ud800"`,
	`{"a":1,"a":"2"}`, `{"name":"x","name":{"y":1}}`, `[[],{},null]`, `""`, `0.0000000000000000000000001`,
}

// randomValue is a value of a random type.
func (f *fuzzRun) randomValue(depth int) any {
	kinds := 6
	if depth <= 0 {
		kinds = 4
	}
	switch f.rng.IntN(kinds) {
	case 0:
		return []string{"", "x", "busybox", "dbg-0", "Pod", "EphemeralContainers", "v1", "1", "true", "null", "ü\u00e9", "a b", "-", "../.."}[f.rng.IntN(14)]
	case 1:
		return json.Number([]string{"0", "1", "-1", "1.5", "1e30", "4294967296", "-9223372036854775808"}[f.rng.IntN(7)])
	case 2:
		return f.rng.IntN(2) == 0
	case 3:
		return nil
	case 4:
		m := map[string]any{}
		for range f.rng.IntN(3) {
			m[fuzzKeys[f.rng.IntN(len(fuzzKeys))]] = f.randomValue(depth - 1)
		}
		return m
	default:
		l := []any{}
		for range f.rng.IntN(3) {
			l = append(l, f.randomValue(depth-1))
		}
		return l
	}
}

// deepJSON is a value nested depth deep: arrays, objects or both.
func deepJSON(depth, kind int) string {
	var b strings.Builder
	for i := range depth {
		if kind == 0 || (kind == 2 && i%2 == 0) {
			b.WriteString("[")
		} else {
			b.WriteString(`{"a":`)
		}
	}
	b.WriteString("0")
	for i := depth - 1; i >= 0; i-- {
		if kind == 0 || (kind == 2 && i%2 == 0) {
			b.WriteString("]")
		} else {
			b.WriteString("}")
		}
	}
	return b.String()
}

func zeros(n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat("0,", n), ",") + "]"
}

// aliasBomb is YAML text: an anchor of items values used uses times, as
// two top-level keys of a block mapping.
func aliasBomb(items, uses int) string {
	return "zzbomb: &zzb " + zeros(items) + "\nzzuse: [" + strings.TrimSuffix(strings.Repeat("*zzb,", uses), ",") + "]\n"
}

// laughs is the billion laughs: levels of ten aliases of the level below.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 10), ","))
	}
	return b.String()
}

var fuzzYAMLValues = []string{
	"!!binary aGVsbG8=", "!!binary 'not base64!'", "!!set {a, b}", "!!set {dbg-0}", "!!timestamp 2001-12-14", "!!int x",
	"!!float .nan", "!!map [1]", "!!str", "!!null ~", "!!omap [a: 1]", "!!pairs [a: 1]", "!<tag:yaml.org,2002:str> x",
	"!custom x", "{1: a, true: b, null: c, 1.5: d}", "{[a]: b}", "{{a: 1}: b}", "*undefinedalias", "&x [1, *x]",
	"[*x]", "|\n  multi\n  line", ">-", "'unterminated", "\"\\xZZ\"", "0o777", "0x1F", ".inf", "~", "[a, [b, {c: d}]]",
	"{<<: {name: merged}}", "!!binary", "&a b", "\t",
}

var fuzzYAMLKeys = []string{"1", "true", "null", "1.5", "~", "[a, b]", "{a: 1}", "!!binary aGk=", "<<", "*x", "? [a]\n ", "&k key", "!!int 3"}

// mutateYAML edits YAML text: at the marker, or around the document.
func (f *fuzzRun) mutateYAML(r *fuzzRequest, marker string) {
	if marker != "" {
		if key, ok := strings.CutSuffix(marker, ":"); ok {
			v := fuzzYAMLKeys[f.rng.IntN(len(fuzzYAMLKeys))]
			r.body = bytes.Replace(r.body, []byte(key), []byte(v), 1)
			r.mutations = append(r.mutations, fmt.Sprintf("YAML key %q", v))
		} else {
			v := fuzzYAMLValues[f.rng.IntN(len(fuzzYAMLValues))]
			r.body = bytes.Replace(r.body, []byte(marker), []byte(v), 1)
			r.mutations = append(r.mutations, fmt.Sprintf("YAML value %q", v))
		}
		return
	}
	if f.rng.IntN(3) != 0 {
		return
	}
	isMapping := !bytes.HasPrefix(r.body, []byte("-")) && !bytes.HasPrefix(r.body, []byte("["))
	switch f.rng.IntN(8) {
	case 0:
		if isMapping {
			items, uses := 500+f.rng.IntN(1000), 100+f.rng.IntN(600)
			r.body = append([]byte(aliasBomb(items, uses)), r.body...)
			r.mutations = append(r.mutations, fmt.Sprintf("alias bomb: %d items used %d times", items, uses))
		}
	case 1:
		if isMapping {
			levels := 3 + f.rng.IntN(7)
			r.body = append([]byte(laughs(levels)), r.body...)
			r.mutations = append(r.mutations, fmt.Sprintf("billion laughs of %d levels", levels))
		}
	case 2:
		extra := []string{"---\nkind: Pod\n", "---\n", "--- !!str\n", "...\n%garbage\n", "---\n- 1\n"}[f.rng.IntN(5)]
		r.body = append(r.body, extra...)
		r.mutations = append(r.mutations, fmt.Sprintf("YAML documents appended: %q", extra))
	case 3:
		pre := []string{"%YAML 1.1\n---\n", "%TAG ! tag:evil.example,2000:\n---\n", "%YAML 9.9\n---\n", "--- !!map\n", "\ufeff"}[f.rng.IntN(5)]
		r.body = append([]byte(pre), r.body...)
		r.mutations = append(r.mutations, fmt.Sprintf("YAML prefix %q", pre))
	case 4:
		if isMapping {
			pre := []string{"1: a\n", "? [a, b]\n: c\n", "true: x\n", "null: y\n", "<<: {kind: EphemeralContainers}\n", "? {a: 1}\n: b\n", "kind: EphemeralContainers\n", "spec: !!set {a}\n"}[f.rng.IntN(8)]
			r.body = append([]byte(pre), r.body...)
			r.mutations = append(r.mutations, fmt.Sprintf("YAML top-level %q", pre))
		}
	case 5:
		r.body = bytes.Replace(r.body, []byte("  "), []byte("\t"), 1+f.rng.IntN(3))
		r.mutations = append(r.mutations, "tabs for indentation")
	case 6:
		r.body = bytes.ReplaceAll(r.body, []byte("\n"), []byte("\r\n"))
		r.mutations = append(r.mutations, "CRLF line ends")
	case 7:
		at := f.rng.IntN(len(r.body) + 1)
		ins := []string{"&a ", "*a ", "!!binary ", "? ", ": ", "- ", "{", "[", "'", "\"", "#", "|", "%", "@", "`"}[f.rng.IntN(15)]
		r.body = slices.Insert(slices.Clone(r.body), at, []byte(ins)...)
		r.mutations = append(r.mutations, fmt.Sprintf("YAML %q inserted at %d", ins, at))
	}
}

// mutateBytes changes the encoded body and says how.
func (f *fuzzRun) mutateBytes(r *fuzzRequest) string {
	b := slices.Clone(r.body)
	defer func() { r.body = b }()
	switch f.rng.IntN(6) {
	case 0:
		at := f.rng.IntN(len(b))
		b = b[:at]
		return fmt.Sprintf("truncated at %d", at)
	case 1:
		flips := 1 + f.rng.IntN(8)
		for range flips {
			b[f.rng.IntN(len(b))] ^= byte(1 + f.rng.IntN(255))
		}
		return fmt.Sprintf("%d bytes flipped", flips)
	case 2:
		at := f.rng.IntN(len(b) + 1)
		ins := make([]byte, 1+f.rng.IntN(16))
		for i := range ins {
			ins[i] = `{}[]":,\0x-e.tn `[f.rng.IntN(16)]
		}
		b = slices.Insert(b, at, ins...)
		return fmt.Sprintf("%q inserted at %d", ins, at)
	case 3:
		from := f.rng.IntN(len(b))
		to := from + f.rng.IntN(len(b)-from+1)
		b = slices.Delete(b, from, to)
		return fmt.Sprintf("bytes %d to %d deleted", from, to)
	case 4:
		from := f.rng.IntN(len(b))
		to := from + f.rng.IntN(min(len(b)-from, 4096)+1)
		b = slices.Insert(b, to, slices.Clone(b[from:to])...)
		return fmt.Sprintf("bytes %d to %d repeated", from, to)
	default:
		prefix := []string{"\xef\xbb\xbf", "k8s\x00", "\x00", " ", "null", "{", "]", "\xff\xfe"}[f.rng.IntN(8)]
		b = append([]byte(prefix), b...)
		return fmt.Sprintf("prefix %q", prefix)
	}
}

// fuzzSeedRequest is a fixed request sent before the random ones.
type fuzzSeedRequest struct {
	target string
	build  func(f *fuzzRun, pod *corev1.Pod) *fuzzRequest
}

// raw is a request with a fixed body.
func raw(form, target, method, path, contentType, query, body string, header ...string) fuzzSeedRequest {
	return fuzzSeedRequest{target: target, build: func(f *fuzzRun, _ *corev1.Pod) *fuzzRequest {
		// Each fixed apply is its own manager: one that succeeded must not
		// make the next remove what it applied.
		f.seq++
		query := strings.Replace(query, "fieldManager=x", fmt.Sprintf("fieldManager=seed-%d", f.seq), 1)
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &fuzzRequest{form: seedForm(form), name: " (" + form + ")", method: method, path: path, query: query, header: h, body: []byte(body)}
	}}
}

// built is a request made from the pod's current state.
func built(form, target string, build func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest)) fuzzSeedRequest {
	return fuzzSeedRequest{target: target, build: func(f *fuzzRun, pod *corev1.Pod) *fuzzRequest {
		r := &fuzzRequest{form: seedForm(form), name: " (" + form + ")", header: http.Header{}}
		build(f, pod, r)
		return r
	}}
}

// valid is the unmutated request of a random form, with query and headers
// set by adjust.
func valid(form, target string, adjust func(r *fuzzRequest)) fuzzSeedRequest {
	return fuzzSeedRequest{target: target, build: func(f *fuzzRun, pod *corev1.Pod) *fuzzRequest {
		r := f.base(form, target, pod)
		r.encode()
		r.form, r.name = seedForm(form), " (valid "+form+")"
		if adjust != nil {
			adjust(r)
		}
		return r
	}}
}

// seedForm is the row of a fixed request in the summary: its form.
func seedForm(name string) string {
	form, _, _ := strings.Cut(name, " ")
	return "seed:" + form
}

func addQuery(q string) func(r *fuzzRequest) {
	return func(r *fuzzRequest) {
		if r.query == "" {
			r.query = q
		} else {
			r.query += "&" + q
		}
	}
}

func setHeader(k, v string) func(r *fuzzRequest) {
	return func(r *fuzzRequest) { r.header.Set(k, v) }
}

func jsonString(s string) string { return mustJSON(s) }

// fuzzSeeds are the explicit cases, sent first, in order.
func fuzzSeeds() []fuzzSeedRequest {
	patch, put, post := http.MethodPatch, http.MethodPut, http.MethodPost
	a, b, c, d := fzPlain1, fzPlain2, fzDebug1, fzDebug2
	podA, ecA, ecC, ecD := podPath(fuzzNamespace, a), ecPath(a), ecPath(c), ecPath(d)
	podC := podPath(fuzzNamespace, c)
	newEC := `{"name":"seed-ec","image":"busybox","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}`
	legacyBody := func(name, rv, containers string) string {
		return fmt.Sprintf(`{"kind":"EphemeralContainers","apiVersion":"v1","metadata":{"name":%q,"namespace":"default","resourceVersion":%s},"ephemeralContainers":%s}`,
			name, rv, containers)
	}
	// legacyPut is the 1.16 form PUT with the pod's current entries and
	// one more, its resourceVersion and entries edited by edit.
	legacyPut := func(form, target string, edit func(f *fuzzRun, tree map[string]any)) fuzzSeedRequest {
		return built(form, target, func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest) {
			tree := f.legacyTree(target, pod, append(ephemeralTrees(pod), f.newEphemeral()))
			if pod != nil {
				tree["metadata"].(map[string]any)["resourceVersion"] = pod.ResourceVersion
			}
			if edit != nil {
				edit(f, tree)
			}
			r.method, r.path, r.body = put, ecPath(target), []byte(mustJSON(tree))
			r.header.Set("Content-Type", ctJSON)
		})
	}
	podPut := func(form, target string, sub bool, edit func(tree map[string]any)) fuzzSeedRequest {
		return built(form, target, func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest) {
			tree := podTree(target, pod)
			edit(tree)
			r.method, r.path, r.body = put, podPath(fuzzNamespace, target), []byte(mustJSON(tree))
			if sub {
				r.path = ecPath(target)
			}
			r.header.Set("Content-Type", ctJSON)
		})
	}
	setRV := func(rv any) func(tree map[string]any) {
		return func(tree map[string]any) { tree["metadata"].(map[string]any)["resourceVersion"] = rv }
	}
	applyPod := func(name, extra string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n" + extra
	}
	yamlPod := func(name, extra string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  containers:\n  - name: app\n    image: busybox\n" + extra
	}
	deep := deepJSON(3000, 0)
	deepObj := deepJSON(3000, 1)
	tooDeep := deepJSON(12000, 0)
	hugeZeros := zeros(100_000)
	long := func(n int) string { return strings.Repeat("x", n) }
	yamlFlowDeep := strings.Repeat("[", 3000) + strings.Repeat("]", 3000)
	bomb := aliasBomb(1000, 500)

	seeds := []fuzzSeedRequest{}
	// Every form, valid, so that mutations start from requests that work.
	for _, form := range fuzzForms {
		target := d
		if strings.HasPrefix(form, "post-") {
			target = "fz-seed-" + form
		}
		seeds = append(seeds, valid(form, target, nil))
	}
	seeds = append(seeds,
		// name of the wrong type
		raw("smp-ec name object", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":{"a":1}}]}}`),
		// Reads, watches, deletes and creates with what the storage parses.
		raw("get rv word", a, http.MethodGet, podA, "", "resourceVersion=abc", ""),
		raw("list rv exact fraction", a, http.MethodGet, postPath(), "", "resourceVersion=1.0&resourceVersionMatch=Exact", ""),
		raw("list garbage", a, http.MethodGet, postPath(), "", "limit=abc&continue=garbage&fieldSelector=bogus%3D1", ""),
		raw("watch rv word", a, http.MethodGet, postPath(), "", "watch=true&resourceVersion=abc&timeoutSeconds=1", ""),
		raw("post rv set", a, post, postPath(), ctJSON, "",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"seed-rv-set","resourceVersion":"5"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`),
		raw("delete precondition rv word", a, http.MethodDelete, podA, ctJSON, "",
			`{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"abc"}}`),
		raw("delete grace word", a, http.MethodDelete, podA, "", "gracePeriodSeconds=abc", ""),
		raw("smp-pod name object", a, patch, podA, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":{"a":1}}]}}`),
		raw("merge-ec name object", c, patch, ecC, ctMerge, "", `{"spec":{"ephemeralContainers":[{"name":{"a":1}}]}}`),
		raw("smp-ec-legacy name object", c, patch, ecC, ctSMP, "", `{"ephemeralContainers":[{"name":{"a":1}}]}`),
		raw("apply-json-ec name object", c, patch, ecC, ctApply, "fieldManager=x",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-debug-1"},"spec":{"ephemeralContainers":[{"name":{"a":1}}]}}`),
		raw("smp-ec name number", d, patch, ecD, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":1,"image":"busybox"}]}}`),
		raw("smp-ec name null", d, patch, ecD, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":null,"image":"busybox"}]}}`),
		// list entries missing their merge key
		raw("smp-ec no name", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"image":"busybox"}]}}`),
		raw("smp-ec-legacy no name", c, patch, ecC, ctSMP, "", `{"ephemeralContainers":[{"image":"busybox"}]}`),
		raw("smp-pod containers no name", a, patch, podA, ctSMP, "", `{"spec":{"containers":[{"image":"x"}]}}`),
		raw("apply-yaml-ec no name", c, patch, ecC, ctApply, "fieldManager=x", applyPod(c, "spec:\n  ephemeralContainers:\n  - image: busybox\n")),
		raw("apply-yaml-pod containers no name", a, patch, podA, ctApply, "fieldManager=x", applyPod(a, "spec:\n  containers:\n  - image: busybox\n")),
		legacyPut("put-ec-legacy no name", c, func(_ *fuzzRun, tree map[string]any) {
			tree["ephemeralContainers"] = append(tree["ephemeralContainers"].([]any), map[string]any{"image": "busybox"})
		}),
		raw("merge-ec-legacy no name", d, patch, ecD, ctMerge, "", `{"ephemeralContainers":[{"image":"busybox"}]}`),
		// $patch directives
		raw("smp-ec $patch delete entry", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"$patch":"delete","name":"dbg-0"}]}}`),
		raw("smp-ec $patch delete spec", c, patch, ecC, ctSMP, "", `{"spec":{"$patch":"delete"}}`),
		raw("smp-ec $patch merge root", c, patch, ecC, ctSMP, "", `{"$patch":"merge"}`),
		raw("smp-ec $patch merge entry", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"$patch":"merge"}]}}`),
		raw("smp-ec $patch replace entry", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"$patch":"replace"}]}}`),
		raw("smp-ec $patch replace list", d, patch, ecD, ctSMP, "", `{"spec":{"ephemeralContainers":[{"$patch":"replace"},{"name":"dbg-0","image":"busybox"}]}}`),
		raw("smp-ec $patch bogus", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"$patch":"bogus","name":"x"}]}}`),
		raw("smp-ec $patch number", c, patch, ecC, ctSMP, "", `{"spec":{"$patch":1}}`),
		raw("smp-pod $patch delete root", a, patch, podA, ctSMP, "", `{"$patch":"delete"}`),
		raw("smp-pod $patch replace root", a, patch, podA, ctSMP, "", `{"$patch":"replace","metadata":{"name":"fz-plain-1"}}`),
		raw("smp-ec-legacy $patch delete entry", c, patch, ecC, ctSMP, "", `{"ephemeralContainers":[{"$patch":"delete","name":"dbg-0"}]}`),
		raw("smp-ec-legacy $patch delete root", c, patch, ecC, ctSMP, "", `{"$patch":"delete"}`),
		raw("smp-ec-legacy $patch replace", d, patch, ecD, ctSMP, "", `{"$patch":"replace","ephemeralContainers":[]}`),
		raw("smp-ec-legacy $patch merge", d, patch, ecD, ctSMP, "", `{"$patch":"merge","ephemeralContainers":[{"$patch":"merge"}]}`),
		raw("merge-ec $patch", c, patch, ecC, ctMerge, "", `{"$patch":"delete","spec":{"$patch":"delete"}}`),
		raw("apply-yaml-ec $patch", c, patch, ecC, ctApply, "fieldManager=x", applyPod(c, "spec:\n  $patch: delete\n  ephemeralContainers:\n  - $patch: delete\n    name: dbg-0\n")),
		// $setElementOrder and friends with numbers
		raw("smp-ec $setElementOrder numbers", c, patch, ecC, ctSMP, "",
			`{"spec":{"$setElementOrder/ephemeralContainers":[1,2,3],"ephemeralContainers":[{"name":"n1","image":"busybox"}]}}`),
		raw("smp-ec $setElementOrder name numbers", c, patch, ecC, ctSMP, "", `{"spec":{"$setElementOrder/ephemeralContainers":[{"name":1},{"name":2}]}}`),
		raw("smp-ec $setElementOrder number", c, patch, ecC, ctSMP, "", `{"spec":{"$setElementOrder/ephemeralContainers":7}}`),
		raw("smp-ec $setElementOrder nulls", d, patch, ecD, ctSMP, "", `{"spec":{"$setElementOrder/ephemeralContainers":[null,{"name":null},{}]}}`),
		raw("smp-ec-legacy $setElementOrder numbers", c, patch, ecC, ctSMP, "",
			`{"$setElementOrder/ephemeralContainers":[1,{"name":null}],"ephemeralContainers":[{"name":"x","image":"busybox"}]}`),
		raw("smp-ec-legacy $setElementOrder only", d, patch, ecD, ctSMP, "", `{"$setElementOrder/ephemeralContainers":[{"name":"dbg-1"},{"name":"dbg-0"}]}`),
		raw("smp-ec $retainKeys numbers", c, patch, ecC, ctSMP, "", `{"spec":{"$retainKeys":[1,2]}}`),
		raw("smp-ec $deleteFromPrimitiveList", d, patch, ecD, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":"dbg-1","$deleteFromPrimitiveList/command":[1]}]}}`),
		raw("smp-ec $deleteFromPrimitiveList number", d, patch, ecD, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":"dbg-1","$deleteFromPrimitiveList/command":5}]}}`),
		raw("smp-pod $setElementOrder containers", a, patch, podA, ctSMP, "", `{"spec":{"$setElementOrder/containers":[{"name":{}}],"containers":[{"name":"app"}]}}`),
		// non-numeric resourceVersions
		podPut("put-pod rv abc", c, false, setRV("abc")),
		podPut("put-pod rv 1.0", c, false, setRV("1.0")),
		podPut("put-pod rv space 1", c, false, setRV(" 1")),
		podPut("put-pod rv number", c, false, setRV(json.Number("5"))),
		podPut("put-ec-pod rv abc", c, true, setRV("abc")),
		podPut("put-ec-pod rv 1.0", d, true, setRV("1.0")),
		podPut("put-ec-pod rv space 1", d, true, setRV(" 1")),
		legacyPut("put-ec-legacy rv abc", c, func(_ *fuzzRun, tree map[string]any) { tree["metadata"].(map[string]any)["resourceVersion"] = "abc" }),
		legacyPut("put-ec-legacy rv 1.0", c, func(_ *fuzzRun, tree map[string]any) { tree["metadata"].(map[string]any)["resourceVersion"] = "1.0" }),
		legacyPut("put-ec-legacy rv space 1", c, func(_ *fuzzRun, tree map[string]any) { tree["metadata"].(map[string]any)["resourceVersion"] = " 1" }),
		legacyPut("put-ec-legacy rv huge", d, func(_ *fuzzRun, tree map[string]any) {
			tree["metadata"].(map[string]any)["resourceVersion"] = "99999999999999999999999"
		}),
		raw("put-ec-legacy literal rv abc", c, put, ecC, ctJSON, "", legacyBody(c, `"abc"`, "["+newEC+"]")),
		raw("smp-ec rv abc", c, patch, ecC, ctSMP, "", `{"metadata":{"resourceVersion":"abc"},"spec":{"ephemeralContainers":[`+newEC+`]}}`),
		raw("smp-ec-legacy rv 1.0", c, patch, ecC, ctSMP, "", `{"metadata":{"resourceVersion":"1.0"},"ephemeralContainers":[`+newEC+`]}`),
		raw("merge-pod rv space 1", a, patch, podA, ctMerge, "", `{"metadata":{"resourceVersion":" 1","labels":{"x":"y"}}}`),
		raw("jsonpatch-pod rv abc", a, patch, podA, ctJSONPatch, "", `[{"op":"replace","path":"/metadata/resourceVersion","value":"abc"}]`),
		raw("jsonpatch-ec-legacy rv 1.0", c, patch, ecC, ctJSONPatch, "", `[{"op":"replace","path":"/metadata/resourceVersion","value":"1.0"},{"op":"add","path":"/ephemeralContainers/-","value":`+newEC+`}]`),
		raw("apply-yaml-pod rv space 1", a, patch, podA, ctApply, "fieldManager=x", applyPod(a, "  resourceVersion: ' 1'\n  labels:\n    a: b\n")),
		raw("apply-yaml-ec rv abc", c, patch, ecC, ctApply, "fieldManager=x", applyPod(c, "  resourceVersion: abc\nspec:\n  ephemeralContainers:\n  - name: rv-abc\n    image: busybox\n")),
		// YAML tags
		raw("apply-yaml-pod !!set", a, patch, podA, ctApply, "fieldManager=x", applyPod(a, "  labels: !!set {a, b}\n")),
		raw("apply-yaml-pod !!binary name", a, patch, podA, ctApply, "fieldManager=x",
			"apiVersion: v1\nkind: Pod\nmetadata:\n  name: !!binary ZnotcGxhaW4tMQ==\n"),
		raw("apply-yaml-ec !!binary image", c, patch, ecC, ctApply, "fieldManager=x",
			applyPod(c, "spec:\n  ephemeralContainers:\n  - name: tagged\n    image: !!binary aGVsbG8=\n")),
		raw("apply-yaml-ec !!set list", c, patch, ecC, ctApply, "fieldManager=x", applyPod(c, "spec:\n  ephemeralContainers: !!set {dbg-0, x}\n")),
		raw("apply-yaml-ec-legacy !!set", c, patch, ecC, ctApply, "fieldManager=x",
			"apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: fz-debug-1\nephemeralContainers: !!set {x}\n"),
		raw("post-yaml !!binary", "fz-seed-binary", post, postPath(), ctYAML, "", yamlPod("fz-seed-binary", "  hostname: !!binary aGVsbG8=\n")),
		raw("post-yaml !!set", "fz-seed-set", post, postPath(), ctYAML, "", yamlPod("fz-seed-set", "  nodeSelector: !!set {a}\n")),
		raw("put-pod-yaml !!binary", a, put, podA, ctYAML, "", yamlPod(a, "  hostname: !!binary aGVsbG8=\n")),
		raw("put-ec-legacy-yaml !!set", c, put, ecC, ctYAML, "",
			"apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: fz-debug-1\nephemeralContainers: !!set {a, b}\n"),
		raw("put-ec-legacy-yaml !!binary", c, put, ecC, ctYAML, "",
			"apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: fz-debug-1\nephemeralContainers:\n- name: !!binary aGVsbG8=\n  image: busybox\n"),
		// non-string keys
		raw("apply-yaml-pod int and bool keys", a, patch, podA, ctApply, "fieldManager=x", applyPod(a, "  labels:\n    1: a\n    true: b\n    null: c\n")),
		raw("apply-yaml-pod sequence key", a, patch, podA, ctApply, "fieldManager=x", "? [a, b]\n: c\n"+applyPod(a, "")),
		raw("apply-yaml-pod mapping key", a, patch, podA, ctApply, "fieldManager=x", applyPod(a, "  annotations:\n    ? {a: 1}\n    : b\n")),
		raw("apply-yaml-ec int key in entry", c, patch, ecC, ctApply, "fieldManager=x", applyPod(c, "spec:\n  ephemeralContainers:\n  - {1: 2, name: intkey, image: busybox}\n")),
		raw("post-yaml sequence key", "fz-seed-seqkey", post, postPath(), ctYAML, "", yamlPod("fz-seed-seqkey", "  nodeSelector: {[a]: b}\n")),
		raw("put-ec-legacy-yaml int key", c, put, ecC, ctYAML, "",
			"apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: fz-debug-1\n1: 2\nephemeralContainers: []\n"),
		// YAML alias bombs
		raw("apply-yaml-pod alias bomb", a, patch, podA, ctApply, "fieldManager=x", bomb+applyPod(a, "")),
		raw("apply-yaml-ec alias bomb in entry", c, patch, ecC, ctApply, "fieldManager=x",
			"zz: &a ["+strings.TrimSuffix(strings.Repeat("x,", 1000), ",")+"]\n"+applyPod(c, "spec:\n  ephemeralContainers:\n  - name: bomb\n    image: busybox\n    args: ["+strings.TrimSuffix(strings.Repeat("*a,", 500), ",")+"]\n")),
		raw("apply-yaml-pod billion laughs", a, patch, podA, ctApply, "fieldManager=x", laughs(9)+applyPod(a, "")),
		raw("post-yaml alias bomb", "fz-seed-bomb", post, postPath(), ctYAML, "", bomb+yamlPod("fz-seed-bomb", "")),
		raw("put-pod-yaml alias bomb", a, put, podA, ctYAML, "", bomb+yamlPod(a, "")),
		raw("put-ec-legacy-yaml alias bomb", c, put, ecC, ctYAML, "",
			bomb+"apiVersion: v1\nkind: EphemeralContainers\nmetadata:\n  name: fz-debug-1\nephemeralContainers: []\n"),
		raw("apply-yaml-pod recursive alias", a, patch, podA, ctApply, "fieldManager=x", "zz: &r [*r]\n"+applyPod(a, "")),
		raw("apply-yaml-pod merge key alias", a, patch, podA, ctApply, "fieldManager=x", "base: &b {kind: EphemeralContainers}\n<<: *b\n"+applyPod(a, "")),
		// deep nesting
		raw("smp-ec deep arrays", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":`+deep+`}}`),
		raw("smp-ec deep objects", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":"deep","image":"busybox","env":`+deepObj+`}]}}`),
		raw("smp-ec too deep", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":`+tooDeep+`}}`),
		raw("smp-ec-legacy deep", c, patch, ecC, ctSMP, "", `{"ephemeralContainers":`+deep+`}`),
		raw("merge-ec deep objects", c, patch, ecC, ctMerge, "", `{"spec":`+deepObj+`}`),
		raw("merge-pod deep objects", a, patch, podA, ctMerge, "", `{"metadata":{"labels":`+deepObj+`}}`),
		raw("jsonpatch-ec deep value", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":"/spec/ephemeralContainers/-","value":`+deep+`}]`),
		raw("jsonpatch-ec-legacy deep value", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":"/ephemeralContainers/-","value":`+deepObj+`}]`),
		raw("jsonpatch deep patch", c, patch, ecC, ctJSONPatch, "", deep),
		raw("apply-json-pod deep", a, patch, podA, ctApply, "fieldManager=x", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-plain-1","labels":`+deepObj+`}}`),
		raw("apply-json-ec deep", c, patch, ecC, ctApply, "fieldManager=x", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-debug-1"},"spec":{"ephemeralContainers":`+deep+`}}`),
		raw("apply-yaml-ec deep flow", c, patch, ecC, ctApply, "fieldManager=x", applyPod(c, "spec:\n  ephemeralContainers: "+yamlFlowDeep+"\n")),
		raw("post-json deep", "fz-seed-deep", post, postPath(), ctJSON, "", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-seed-deep"},"spec":`+deepObj+`}`),
		raw("post-yaml deep flow", "fz-seed-deepyaml", post, postPath(), ctYAML, "", yamlPod("fz-seed-deepyaml", "  nodeSelector: "+yamlFlowDeep+"\n")),
		raw("put-ec-legacy deep", c, put, ecC, ctJSON, "", legacyBody(c, `""`, deep)),
		raw("put-pod deep", a, put, podA, ctJSON, "", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-plain-1"},"spec":`+deep+`}`),
		// huge arrays
		raw("apply-json-pod 100k zeros", a, patch, podA, ctApply, "fieldManager=x",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-plain-1"},"spec":{"containers":`+hugeZeros+`}}`),
		raw("apply-json-ec 100k zeros", c, patch, ecC, ctApply, "fieldManager=x",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-debug-1"},"spec":{"ephemeralContainers":`+hugeZeros+`}}`),
		raw("apply-yaml-ec 100k zeros", c, patch, ecC, ctApply, "fieldManager=x", applyPod(c, "spec:\n  ephemeralContainers: "+hugeZeros+"\n")),
		raw("apply-json-pod 100k zero args", a, patch, podA, ctApply, "fieldManager=x",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-plain-1"},"spec":{"containers":[{"name":"app","args":`+hugeZeros+`}]}}`),
		raw("smp-ec 100k zeros", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":`+hugeZeros+`}}`),
		raw("smp-ec-legacy 100k zeros", c, patch, ecC, ctSMP, "", `{"ephemeralContainers":`+hugeZeros+`}`),
		raw("merge-ec 100k zeros", c, patch, ecC, ctMerge, "", `{"spec":{"ephemeralContainers":`+hugeZeros+`}}`),
		raw("jsonpatch-ec 100k zeros", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":"/spec/ephemeralContainers/-","value":`+hugeZeros+`}]`),
		raw("jsonpatch 100k zeros patch", c, patch, ecC, ctJSONPatch, "", hugeZeros),
		raw("jsonpatch 10001 ops", c, patch, ecC, ctJSONPatch, "",
			"["+strings.TrimSuffix(strings.Repeat(`{"op":"test","path":"/kind","value":"Pod"},`, 10001), ",")+"]"),
		raw("put-ec-legacy 100k zeros", c, put, ecC, ctJSON, "", legacyBody(c, `""`, hugeZeros)),
		raw("post-json 100k zero args", "fz-seed-zeros", post, postPath(), ctJSON, "",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-seed-zeros"},"spec":{"containers":[{"name":"app","image":"busybox","args":`+hugeZeros+`}]}}`),
		// very long strings
		legacyPut("put-ec-legacy 2.5 MiB image", c, func(f *fuzzRun, tree map[string]any) {
			l := tree["ephemeralContainers"].([]any)
			l[len(l)-1].(map[string]any)["image"] = long(5 << 19)
		}),
		raw("smp-pod 2 MiB annotation", a, patch, podA, ctSMP, "", `{"metadata":{"annotations":{"big":`+jsonString(long(2<<20))+`}}}`),
		raw("smp-ec 1 MiB name", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":`+jsonString(long(1<<20))+`,"image":"busybox"}]}}`),
		raw("apply-json-pod 1 MiB name", a, patch, podA, ctApply, "fieldManager=x", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":`+jsonString(long(1<<20))+`}}`),
		raw("apply-json-ec 1 MiB image", c, patch, ecC, ctApply, "fieldManager=x",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-debug-1"},"spec":{"ephemeralContainers":[{"name":"longimage","image":`+jsonString(long(1<<20))+`}]}}`),
		raw("post-json 2.9 MiB annotation", "fz-seed-long", post, postPath(), ctJSON, "",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-seed-long","annotations":{"a":`+jsonString(long(fuzzMaxBody-300))+`}},"spec":{"containers":[{"name":"app","image":"busybox"}]}}`),
		raw("put-ec-legacy 1 MiB kind", c, put, ecC, ctJSON, "", `{"kind":`+jsonString(long(1<<20))+`,"apiVersion":"v1","metadata":{"name":"fz-debug-1"},"ephemeralContainers":[]}`),
		raw("jsonpatch-ec 1 MiB path", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":`+jsonString("/"+long(1<<20))+`,"value":1}]`),
		raw("apply-pod 64 KiB fieldManager", a, patch, podA, ctApply, "fieldManager="+long(64<<10), applyPod(a, "")),
		// duplicate list entries
		legacyPut("put-ec-legacy duplicate new entry", c, func(_ *fuzzRun, tree map[string]any) {
			l := tree["ephemeralContainers"].([]any)
			tree["ephemeralContainers"] = append(l, l[len(l)-1])
		}),
		legacyPut("put-ec-legacy duplicate existing entry", d, func(_ *fuzzRun, tree map[string]any) {
			l := tree["ephemeralContainers"].([]any)
			tree["ephemeralContainers"] = append(l, l[0])
		}),
		podPut("put-ec-pod duplicate entry", d, true, func(tree map[string]any) {
			spec := tree["spec"].(map[string]any)
			l := spec["ephemeralContainers"].([]any)
			spec["ephemeralContainers"] = append(l, l[0])
		}),
		podPut("put-pod duplicate containers", d, false, func(tree map[string]any) {
			spec := tree["spec"].(map[string]any)
			l := spec["containers"].([]any)
			spec["containers"] = append(l, l[0])
		}),
		raw("smp-ec duplicate entries", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[`+newEC+`,`+newEC+`]}}`),
		raw("smp-ec-legacy duplicate entries", c, patch, ecC, ctSMP, "", `{"ephemeralContainers":[`+newEC+`,`+newEC+`]}`),
		raw("merge-ec duplicate entries", c, patch, ecC, ctMerge, "", `{"spec":{"ephemeralContainers":[`+newEC+`,`+newEC+`]}}`),
		raw("apply-json-ec duplicate entries", c, patch, ecC, ctApply, "fieldManager=x",
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz-debug-1"},"spec":{"ephemeralContainers":[`+newEC+`,`+newEC+`]}}`),
		raw("apply-yaml-pod duplicate containers", a, patch, podA, ctApply, "fieldManager=x",
			applyPod(a, "spec:\n  containers:\n  - name: app\n    image: busybox\n  - name: app\n    image: nginx\n")),
		raw("apply-yaml-pod duplicate keys", a, patch, podA, ctApply, "fieldManager=x", applyPod(a, "  labels:\n    a: b\n    a: c\n")),
		// bodies of the wrong type
		raw("smp-ec null", c, patch, ecC, ctSMP, "", `null`),
		raw("smp-ec array", c, patch, ecC, ctSMP, "", `[]`),
		raw("smp-ec string", c, patch, ecC, ctSMP, "", `"x"`),
		raw("smp-ec number", c, patch, ecC, ctSMP, "", `1`),
		raw("smp-ec empty", c, patch, ecC, ctSMP, "", ``),
		raw("smp-ec empty object", c, patch, ecC, ctSMP, "", `{}`),
		raw("merge-ec null", c, patch, ecC, ctMerge, "", `null`),
		raw("merge-ec array", c, patch, ecC, ctMerge, "", `[1]`),
		raw("jsonpatch-ec object", c, patch, ecC, ctJSONPatch, "", `{"op":"add"}`),
		raw("jsonpatch-ec null", c, patch, ecC, ctJSONPatch, "", `null`),
		raw("jsonpatch-ec empty", c, patch, ecC, ctJSONPatch, "", ``),
		raw("jsonpatch-ec null op", c, patch, ecC, ctJSONPatch, "", `[null]`),
		raw("apply-ec null", c, patch, ecC, ctApply, "fieldManager=x", `null`),
		raw("apply-ec array", c, patch, ecC, ctApply, "fieldManager=x", `[]`),
		raw("apply-ec empty", c, patch, ecC, ctApply, "fieldManager=x", ``),
		raw("apply-ec string", c, patch, ecC, ctApply, "fieldManager=x", `just a string`),
		raw("put-ec null", c, put, ecC, ctJSON, "", `null`),
		raw("put-ec array", c, put, ecC, ctJSON, "", `[]`),
		raw("put-ec empty", c, put, ecC, ctJSON, "", ``),
		raw("put-ec empty object", c, put, ecC, ctJSON, "", `{}`),
		raw("put-pod empty object", a, put, podA, ctJSON, "", `{}`),
		raw("post-json null", "", post, postPath(), ctJSON, "", `null`),
		raw("post-json empty", "", post, postPath(), ctJSON, "", ``),
		raw("smp-ec list a string", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":"x"}}`),
		raw("merge-ec list null", c, patch, ecC, ctMerge, "", `{"spec":{"ephemeralContainers":null}}`),
		raw("smp-ec list null", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":null}}`),
		raw("smp-ec-legacy list an object", c, patch, ecC, ctSMP, "", `{"ephemeralContainers":{"a":1}}`),
		raw("merge-ec-legacy list null", c, patch, ecC, ctMerge, "", `{"ephemeralContainers":null}`),
		raw("smp-ec spec a number", c, patch, ecC, ctSMP, "", `{"spec":7}`),
		raw("smp-ec kind a number", c, patch, ecC, ctSMP, "", `{"kind":7}`),
		raw("smp-ec metadata an array", c, patch, ecC, ctSMP, "", `{"metadata":[]}`),
		raw("put-ec-legacy list null", c, put, ecC, ctJSON, "", legacyBody(c, `""`, `null`)),
		raw("put-ec-legacy null entry", c, put, ecC, ctJSON, "", legacyBody(c, `""`, `[null]`)),
		raw("put-ec-legacy number entry", c, put, ecC, ctJSON, "", legacyBody(c, `""`, `[1]`)),
		raw("put-ec-legacy rv object", c, put, ecC, ctJSON, "", legacyBody(c, `{}`, `[]`)),
		// JSON patch paths and ops
		valid("jsonpatch-ec-legacy", b, nil),
		valid("apply-json-ec", b, nil),
		valid("put-ec-pod-proto", b, nil),
		raw("jsonpatch-ec-legacy add", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":"/ephemeralContainers/-","value":{"name":"jp-legacy","image":"busybox"}}]`),
		raw("jsonpatch-ec-legacy add to empty", a, patch, ecA, ctJSONPatch, "", `[{"op":"add","path":"/ephemeralContainers/-","value":{"name":"jp-empty","image":"busybox"}}]`),
		raw("jsonpatch-ec bogus op", c, patch, ecC, ctJSONPatch, "", `[{"op":"bogus","path":"/spec"}]`),
		raw("jsonpatch-ec no path", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","value":1}]`),
		raw("jsonpatch-ec path a number", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":1,"value":1}]`),
		raw("jsonpatch-ec-legacy index 99", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":"/ephemeralContainers/99","value":{"name":"x"}}]`),
		raw("jsonpatch-ec index -1", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":"/spec/ephemeralContainers/-1","value":{"name":"x"}}]`),
		raw("jsonpatch-ec move from missing", c, patch, ecC, ctJSONPatch, "", `[{"op":"move","from":"/nope","path":"/spec/ephemeralContainers/-"}]`),
		raw("jsonpatch-ec copy entry", d, patch, ecD, ctJSONPatch, "", `[{"op":"copy","from":"/spec/ephemeralContainers/0","path":"/spec/ephemeralContainers/-"}]`),
		raw("jsonpatch-ec-legacy copy entry", d, patch, ecD, ctJSONPatch, "", `[{"op":"copy","from":"/ephemeralContainers/0","path":"/ephemeralContainers/-"}]`),
		raw("jsonpatch-ec test fails", c, patch, ecC, ctJSONPatch, "", `[{"op":"test","path":"/kind","value":"Nope"},{"op":"add","path":"/spec/ephemeralContainers/-","value":`+newEC+`}]`),
		raw("jsonpatch-ec remove spec", c, patch, ecC, ctJSONPatch, "", `[{"op":"remove","path":"/spec"}]`),
		raw("jsonpatch-ec-legacy remove list", c, patch, ecC, ctJSONPatch, "", `[{"op":"remove","path":"/ephemeralContainers"}]`),
		raw("jsonpatch-ec-legacy replace entry", d, patch, ecD, ctJSONPatch, "", `[{"op":"replace","path":"/ephemeralContainers/0/image","value":"nginx"}]`),
		raw("jsonpatch-ec bad escape", c, patch, ecC, ctJSONPatch, "", `[{"op":"add","path":"/spec/~2/x","value":1}]`),
		raw("jsonpatch-ec root replace", c, patch, ecC, ctJSONPatch, "", `[{"op":"replace","path":"","value":{"kind":"EphemeralContainers"}}]`),
		raw("jsonpatch-ec-legacy kind", c, patch, ecC, ctJSONPatch, "", `[{"op":"replace","path":"/kind","value":"Pod"}]`),
		raw("jsonpatch-ec-legacy metadata name", c, patch, ecC, ctJSONPatch, "", `[{"op":"replace","path":"/metadata/name","value":"other"}]`),
		// query parameters
		valid("smp-ec", c, addQuery("dryRun=All")),
		valid("put-ec-legacy-json", c, addQuery("dryRun=All")),
		valid("apply-json-ec", c, addQuery("dryRun=All")),
		valid("jsonpatch-ec-legacy", d, addQuery("dryRun=All")),
		valid("post-json", "fz-seed-dryrun", addQuery("dryRun=All")),
		valid("smp-ec", c, addQuery("dryRun=bogus")),
		raw("smp-ec Strict unknown", c, patch, ecC, ctSMP, "fieldValidation=Strict", `{"spec":{"ephemeralContainers":[{"name":"strict","image":"busybox","bogus":1}]}}`),
		raw("smp-ec-legacy Strict unknown", c, patch, ecC, ctSMP, "fieldValidation=Strict", `{"bogus":1,"ephemeralContainers":[{"name":"strict2","image":"busybox"}]}`),
		raw("put-ec-legacy Strict unknown", c, put, ecC, ctJSON, "fieldValidation=Strict", `{"kind":"EphemeralContainers","apiVersion":"v1","metadata":{"name":"fz-debug-1"},"bogus":1,"ephemeralContainers":[]}`),
		raw("apply-ec Strict unknown", c, patch, ecC, ctApply, "fieldManager=x&fieldValidation=Strict", applyPod(c, "bogus: 1\n")),
		valid("smp-ec", c, addQuery("fieldValidation=Warn")),
		valid("merge-ec", c, addQuery("fieldValidation=Ignore")),
		valid("put-ec-legacy-yaml", c, addQuery("fieldValidation=bogus")),
		valid("smp-ec", c, addQuery("fieldManager="+long(200))),
		valid("smp-ec", c, addQuery("force=true")),
		valid("apply-yaml-ec", c, addQuery("force=garbage")),
		valid("smp-ec", c, addQuery("timeout=1ns")),
		valid("put-ec-legacy-json", c, addQuery("timeout=1ns")),
		valid("apply-yaml-pod", a, addQuery("timeout=1ns")),
		valid("post-json", "fz-seed-timeout", addQuery("timeout=1ns")),
		valid("smp-ec", c, addQuery("timeout=garbage")),
		valid("put-pod-json", a, addQuery("resourceVersion=garbage")),
		valid("smp-ec", c, addQuery("pretty=garbage")),
		valid("smp-ec-legacy", c, addQuery("%zz&a=b=c&&&")),
		valid("apply-json-ec", c, func(r *fuzzRequest) { r.query = "" }),
		// headers
		valid("smp-ec", c, setHeader("Content-Type", "garbage")),
		valid("put-ec-legacy-json", c, setHeader("Content-Type", ctSMP)),
		valid("put-ec-legacy-json", c, setHeader("Content-Type", "")),
		valid("put-ec-legacy-json", c, setHeader("Content-Type", "application/json; charset=utf-16")),
		valid("put-ec-legacy-json", c, setHeader("Content-Type", ctProtobuf)),
		valid("smp-ec", c, setHeader("Content-Type", ctApply)),
		valid("apply-yaml-ec", c, setHeader("Content-Type", "application/apply-patch+cbor")),
		valid("put-ec-legacy-json", c, setHeader("Accept", acceptEC)),
		valid("smp-ec-legacy", c, setHeader("Accept", acceptEC)),
		valid("put-ec-pod-json", c, setHeader("Accept", ctProtobuf)),
		valid("put-ec-legacy-json", c, setHeader("Accept", "application/vnd.kubernetes.protobuf;as=EphemeralContainers;v=v1;g=")),
		valid("smp-ec", c, setHeader("Accept", "garbage")),
		valid("put-ec-legacy-json", c, setHeader("User-Agent", oldKubectl)),
		valid("smp-ec-legacy", c, setHeader("User-Agent", oldKubectl)),
		valid("get-ec", c, setHeader("User-Agent", oldKubectl)),
		valid("get-ec", c, setHeader("Accept", acceptEC)),
		// case-variant keys
		raw("smp-ec case keys Strict", c, patch, ecC, ctSMP, "fieldValidation=Strict", `{"Spec":{"EphemeralContainers":[{"name":"cv1","image":"busybox"}]}}`),
		raw("smp-ec-legacy case key", c, patch, ecC, ctSMP, "", `{"EphemeralContainers":[{"name":"cv2","image":"busybox"}]}`),
		raw("put-ec-legacy KIND", c, put, ecC, ctJSON, "", `{"KIND":"EphemeralContainers","apiVersion":"v1","metadata":{"name":"fz-debug-1"},"ephemeralContainers":[]}`),
		raw("put-ec-legacy case list key", c, put, ecC, ctJSON, "", `{"kind":"EphemeralContainers","apiVersion":"v1","metadata":{"name":"fz-debug-1"},"EphemeralContainers":[`+newEC+`]}`),
		raw("put-ec-legacy kind lower case", c, put, ecC, ctJSON, "", `{"kind":"ephemeralcontainers","apiVersion":"v1","metadata":{"name":"fz-debug-1"},"ephemeralContainers":[]}`),
		raw("apply-ec Kind key", c, patch, ecC, ctApply, "fieldManager=x", "apiVersion: v1\nKind: Pod\nmetadata:\n  name: fz-debug-1\n"),
		// form confusions
		legacyPut("put-legacy to the pod", c, func(_ *fuzzRun, tree map[string]any) {}),
		built("put-legacy to the pod URL", c, func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest) {
			tree := f.legacyTree(c, pod, append(ephemeralTrees(pod), f.newEphemeral()))
			r.method, r.path, r.body = put, podC, []byte(mustJSON(tree))
			r.header.Set("Content-Type", ctJSON)
		}),
		podPut("put-ec-pod with top-level list", c, true, func(tree map[string]any) {
			tree["ephemeralContainers"] = []any{decodeTree([]byte(newEC))}
		}),
		legacyPut("put-ec-legacy apiVersion v2", c, func(_ *fuzzRun, tree map[string]any) { tree["apiVersion"] = "v2" }),
		legacyPut("put-ec-legacy kind Pod", c, func(_ *fuzzRun, tree map[string]any) { tree["kind"] = "Pod" }),
		legacyPut("put-ec-legacy with spec", c, func(_ *fuzzRun, tree map[string]any) {
			tree["spec"] = map[string]any{"ephemeralContainers": tree["ephemeralContainers"]}
		}),
		legacyPut("put-ec-legacy other name", c, func(_ *fuzzRun, tree map[string]any) { tree["metadata"].(map[string]any)["name"] = d }),
		legacyPut("put-ec-legacy other namespace", c, func(_ *fuzzRun, tree map[string]any) {
			tree["metadata"].(map[string]any)["namespace"] = "kube-system"
		}),
		legacyPut("put-ec-legacy no metadata", c, func(_ *fuzzRun, tree map[string]any) { delete(tree, "metadata") }),
		legacyPut("put-ec-legacy metadata null", c, func(_ *fuzzRun, tree map[string]any) { tree["metadata"] = nil }),
		legacyPut("put-ec-legacy no kind", c, func(_ *fuzzRun, tree map[string]any) { delete(tree, "kind") }),
		legacyPut("put-ec-legacy managedFields", c, func(_ *fuzzRun, tree map[string]any) {
			tree["metadata"].(map[string]any)["managedFields"] = []any{map[string]any{"manager": json.Number("1"), "fieldsV1": "x"}}
		}),
		raw("put-ec-legacy missing pod", "fz-seed-missing", put, ecPath("fz-seed-missing"), ctJSON, "", legacyBody("fz-seed-missing", `""`, "["+newEC+"]")),
		raw("smp-ec-legacy with spec", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[`+newEC+`]},"ephemeralContainers":[`+newEC+`]}`),
		raw("smp-ec-legacy kind", c, patch, ecC, ctSMP, "", `{"kind":"EphemeralContainers","ephemeralContainers":[{"name":"kinded","image":"busybox"}]}`),
		raw("merge-ec-legacy kind Pod", c, patch, ecC, ctMerge, "", `{"kind":"Pod","ephemeralContainers":[]}`),
		// byte-level
		legacyPut("put-ec-legacy valid", c, nil),
		built("put-ec-legacy half", c, func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest) {
			tree := f.legacyTree(c, pod, append(ephemeralTrees(pod), f.newEphemeral()))
			b := []byte(mustJSON(tree))
			r.method, r.path, r.body = put, ecC, b[:len(b)/2]
			r.header.Set("Content-Type", ctJSON)
		}),
		built("smp-ec flipped", c, func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest) {
			b := []byte(`{"spec":{"ephemeralContainers":[` + newEC + `]}}`)
			b[10] ^= 0xff
			b[len(b)-3] = 0
			r.method, r.path, r.body = patch, ecC, b
			r.header.Set("Content-Type", ctSMP)
		}),
		built("put-ec-proto truncated", d, func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest) {
			b := protobufOf(pod)
			r.method, r.path, r.body = put, ecD, b[:len(b)*2/3]
			r.header.Set("Content-Type", ctProtobuf)
		}),
		built("put-pod-proto flipped", d, func(f *fuzzRun, pod *corev1.Pod, r *fuzzRequest) {
			b := protobufOf(pod)
			for i := 8; i < len(b); i += 97 {
				b[i] ^= 0x5a
			}
			r.method, r.path, r.body = put, podPath(fuzzNamespace, d), b
			r.header.Set("Content-Type", ctProtobuf)
		}),
		raw("put-ec-proto magic and garbage", c, put, ecC, ctProtobuf, "", "k8s\x00\x0a\xff\xff\xff\xff\x0f\x12"),
		raw("put-ec-proto JSON body", c, put, ecC, ctProtobuf, "", legacyBody(c, `""`, "[]")),
		raw("post-proto empty", "", post, postPath(), ctProtobuf, "", ""),
		raw("smp-ec invalid UTF-8", c, patch, ecC, ctSMP, "", "{\"spec\":{\"ephemeralContainers\":[{\"name\":\"\xff\xfe\",\"image\":\"busybox\"}]}}"),
		raw("smp-ec lone surrogate", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":"\ud800","image":"busybox"}]}}`),
		raw("smp-ec NUL name", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":"a\u0000b","image":"busybox"}]}}`),
		raw("smp-ec BOM", c, patch, ecC, ctSMP, "", "\xef\xbb\xbf"+`{"spec":{"ephemeralContainers":[{"name":"bom","image":"busybox"}]}}`),
		raw("smp-ec comments", c, patch, ecC, ctSMP, "", `{/*c*/"spec":{}}`),
		raw("smp-ec trailing comma", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[{"name":"tc","image":"busybox"},]},}`),
		raw("smp-ec duplicate keys", c, patch, ecC, ctSMP, "", `{"spec":{"ephemeralContainers":[`+newEC+`]},"spec":{"ephemeralContainers":"x"}}`),
		raw("put-ec-legacy duplicate keys", c, put, ecC, ctJSON, "", `{"kind":"EphemeralContainers","kind":"Pod","apiVersion":"v1","metadata":{"name":"fz-debug-1"},"ephemeralContainers":[]}`),
		raw("smp-pod 1e400", a, patch, podA, ctSMP, "", `{"spec":{"terminationGracePeriodSeconds":1e400}}`),
		raw("smp-pod int overflow", a, patch, podA, ctSMP, "", `{"spec":{"activeDeadlineSeconds":99999999999999999999}}`),
		raw("smp-ec trailing garbage", c, patch, ecC, ctSMP, "", `{"spec":{}}}}]]garbage`),
	)
	return seeds
}
