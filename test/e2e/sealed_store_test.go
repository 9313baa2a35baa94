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
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

var _ = Describe("The embedded store", Label("store"), func() {
	It("is reachable only on 0600 unix sockets in the 0700 data dir; the secure port is the only TCP listener", func() {
		s := startServer(gateOn)
		clientSocket := filepath.Join(s.DataDir, "etcd.sock")
		peerSocket := filepath.Join(s.DataDir, "etcd-peer.sock")

		listening := listeningSocketsOf(s.PID())
		Expect(listening.tcpPorts).To(ConsistOf(s.Port), "TCP listeners of the process")
		Expect(listening.unixPaths).To(ConsistOf(clientSocket, peerSocket),
			"unix listeners of the process (an abstract or unnamed one would be reachable by anyone)")

		Expect(modeOf(s.DataDir)).To(Equal(os.ModeDir|0o700), s.DataDir)
		for _, socket := range []string{clientSocket, peerSocket} {
			Expect(modeOf(socket)).To(Equal(os.ModeSocket|0o600), socket)
		}

		By("answering anonymous requests only on health and version, as upstream")
		anonymous := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		for path, want := range map[string]int{
			"/livez": 200, "/readyz": 200, "/healthz": 200, "/version": 200,
			"/metrics": 403, "/debug/pprof/": 403, "/debug/flags/v": 403, "/readyz/etcd": 403,
			"/api": 403, "/api/v1/pods": 403, "/openapi/v2": 403, "/configz": 403,
		} {
			resp, err := anonymous.Get(fmt.Sprintf("https://127.0.0.1:%d%s", s.Port, path))
			Expect(err).NotTo(HaveOccurred())
			_ = resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(want), path)
		}

		By("saving a snapshot as another user, who may not reach the store")
		Expect(os.Geteuid()).To(BeZero(), "the e2e suite runs as root (as CI does) to act as another local user")
		save := exec.Command(serverBinary, "snapshot", "save", "--data-dir="+s.DataDir, filepath.Join(os.TempDir(), "stolen.db"))
		save.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := save.CombinedOutput()
		Expect(err).To(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("permission denied"))
	})

	It("starts and stops on a fresh and an existing data dir, with SIGTERM and SIGINT, without an error line", func() {
		first := startServer(gateOn)
		Expect(first.Client().CoreV1().Pods("default").Create(context.Background(), harness.Pod("", "quiet"), metav1.CreateOptions{})).NotTo(BeNil())
		first.StopWith(syscall.SIGTERM)
		expectQuietLog(first.Log())

		second := restartServer(first)
		Expect(second.Client().CoreV1().Pods("default").Get(context.Background(), "quiet", metav1.GetOptions{})).NotTo(BeNil())
		second.StopWith(syscall.SIGINT)
		expectQuietLog(second.Log())
	})

	It("refuses a port already in use with one clear line and a non-zero exit", func() {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		defer taken.Close()
		port := taken.Addr().(*net.TCPAddr).Port

		out, code := runToExit("--data-dir="+filepath.Join(GinkgoT().TempDir(), "data"), fmt.Sprintf("--secure-port=%d", port))
		Expect(code).NotTo(Equal(0), out)
		Expect(errorLines(out)).To(ConsistOf(
			And(ContainSubstring(fmt.Sprintf("--secure-port %d", port)), ContainSubstring("already in use"), ContainSubstring("choose another port"))), out)
		Expect(out).NotTo(MatchRegexp(`goroutine \d|stacktrace`))
	})

	It("refuses a data dir it cannot write with one clear line and a non-zero exit", func() {
		notADir := filepath.Join(GinkgoT().TempDir(), "file")
		Expect(os.WriteFile(notADir, []byte("x"), 0o600)).To(Succeed())

		out, code := runToExit("--data-dir="+filepath.Join(notADir, "data"), fmt.Sprintf("--secure-port=%d", freePort(0)))
		Expect(code).NotTo(Equal(0), out)
		Expect(errorLines(out)).To(ConsistOf(And(ContainSubstring("--data-dir"), ContainSubstring("not a directory"))), out)
		Expect(out).NotTo(MatchRegexp(`goroutine \d|stacktrace`))
	})

	It("refuses damaged etcd data with one clear line and a non-zero exit", func() {
		s := startServer(gateOn)
		s.Stop()
		wals, err := filepath.Glob(filepath.Join(s.DataDir, "etcd", "member", "wal", "*.wal"))
		Expect(err).NotTo(HaveOccurred())
		Expect(wals).NotTo(BeEmpty())
		wal, err := os.ReadFile(wals[0])
		Expect(err).NotTo(HaveOccurred())
		for i := 200; i < 4000 && i < len(wal); i += 7 {
			wal[i] ^= 0xff
		}
		Expect(os.WriteFile(wals[0], wal, 0o600)).To(Succeed())

		out, code := runToExit("--data-dir="+s.DataDir, fmt.Sprintf("--secure-port=%d", freePort(0)))
		Expect(code).NotTo(Equal(0), out)
		Expect(errorLines(out)).To(ConsistOf(And(ContainSubstring("embedded etcd"), ContainSubstring("could not start"),
			ContainSubstring("snapshot restore"))), out)
		Expect(out).NotTo(MatchRegexp(`goroutine \d|stacktrace`))
	})

	It("refuses a second server on a data dir in use", func() {
		s := startServer(gateOn)
		out, code := runToExit("--data-dir="+s.DataDir, fmt.Sprintf("--secure-port=%d", freePort(s.Port)))
		Expect(code).NotTo(Equal(0), out)
		Expect(errorLines(out)).To(ConsistOf(ContainSubstring("is in use by another ephemeral-apiserver")), out)
		Expect(s.Client().CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{})).NotTo(BeNil(),
			"the running server keeps its store")
	})

	It("saves a snapshot while writers write; a server restored from it has every object acknowledged before", func() {
		s := startServer(gateOn)
		client := s.Client()

		By("writing with 4 writers")
		var (
			mu    sync.Mutex
			acked []string
			wg    sync.WaitGroup
		)
		ctx, stopWriters := context.WithCancel(context.Background())
		defer stopWriters()
		for w := range 4 {
			wg.Go(func() {
				defer GinkgoRecover()
				for i := 0; ctx.Err() == nil; i++ {
					name := fmt.Sprintf("w%d-%d", w, i)
					if _, err := client.CoreV1().Pods("default").Create(ctx, harness.Pod("", name), metav1.CreateOptions{}); err == nil {
						mu.Lock()
						acked = append(acked, name)
						mu.Unlock()
					}
				}
			})
		}
		Eventually(func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }).Should(BeNumerically(">=", 50))

		mu.Lock()
		ackedBeforeSave := append([]string(nil), acked...)
		mu.Unlock()
		snapshot := filepath.Join(GinkgoT().TempDir(), "backup.db")
		By(fmt.Sprintf("saving a snapshot after %d acknowledged creates", len(ackedBeforeSave)))
		out, err := exec.Command(serverBinary, "snapshot", "save", "--data-dir="+s.DataDir, snapshot).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(Equal(fmt.Sprintf("Snapshot saved to %s\n", snapshot)))
		stopWriters()
		wg.Wait()

		By("refusing to restore into the running server's data dir")
		out, err = exec.Command(serverBinary, "snapshot", "restore", "--data-dir="+s.DataDir, snapshot).CombinedOutput()
		Expect(err).To(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("is in use"))

		By("restoring into a new data dir and starting a server on it")
		dir := GinkgoT().TempDir()
		out, err = exec.Command(serverBinary, "snapshot", "restore", "--data-dir="+filepath.Join(dir, "data"), snapshot).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		restored := start(dir, s.Port, []string{gateOn})
		names := podNames(restored)
		for _, name := range ackedBeforeSave {
			Expect(names).To(HaveKey(name))
		}
		expectQuietLog(restored.Log())

		By("writing on the restored store, past every resourceVersion the old one handed out")
		pod, err := restored.Client().CoreV1().Pods("default").Create(context.Background(), harness.Pod("", "after-restore"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		rv, err := strconv.ParseUint(pod.ResourceVersion, 10, 64)
		Expect(err).NotTo(HaveOccurred())
		Expect(rv).To(BeNumerically(">", 1_000_000_000))
	})

	It("moves to an external etcd with its data: restore as a member, serve with --etcd-servers", func() {
		etcdBinary := os.Getenv("ETCD_BIN")
		Expect(etcdBinary).NotTo(BeEmpty(), "ETCD_BIN names the etcd binary (make test-e2e sets it)")

		embedded := startServer(gateOn)
		Expect(embedded.Kubectl().Run("run", "moved", "--image=busybox").ExitCode).To(Equal(0))
		Expect(embedded.Kubectl().Run("debug", "moved", "--image=busybox", "-c", "debugger", "--attach=false").ExitCode).To(Equal(0))
		snapshot := filepath.Join(GinkgoT().TempDir(), "backup.db")
		out, err := exec.Command(serverBinary, "snapshot", "save", "--data-dir="+embedded.DataDir, snapshot).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		embedded.Stop()

		By("restoring the snapshot as the first member of an external cluster")
		memberDir := filepath.Join(GinkgoT().TempDir(), "member")
		clientURL, peerURL := "http://"+freeAddr(), "http://"+freeAddr()
		out, err = exec.Command(serverBinary, "snapshot", "restore", snapshot, "--etcd-data-dir="+memberDir,
			"--name=m1", "--initial-cluster=m1="+peerURL, "--initial-advertise-peer-urls="+peerURL).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		etcd := exec.Command(etcdBinary, "--name=m1", "--data-dir="+memberDir,
			"--listen-client-urls="+clientURL, "--advertise-client-urls="+clientURL,
			"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL, "--log-level=error")
		etcd.Stdout, etcd.Stderr = GinkgoWriter, GinkgoWriter
		Expect(etcd.Start()).To(Succeed())
		DeferCleanup(func() { _ = etcd.Process.Kill(); _ = etcd.Wait() })

		By("serving from it with --etcd-servers")
		external := startServer(gateOn, "--etcd-servers="+clientURL)
		Expect(external.Kubectl().Succeed("get", "pod", "moved", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")).To(Equal("debugger"))
	})
})

// sockets is what a process listens on.
type sockets struct {
	tcpPorts  []int
	unixPaths []string
}

// listeningSocketsOf reads the listening sockets that pid holds open: the
// kernel's socket tables name every socket of the network namespace, and
// the process's fds say which are its own.
func listeningSocketsOf(pid int) sockets {
	GinkgoHelper()
	own := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	Expect(err).NotTo(HaveOccurred())
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			own[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var found sockets
	for _, table := range []string{"tcp", "tcp6"} {
		// sl local_address rem_address st ... inode: LISTEN is st 0A.
		for _, row := range procTable(pid, table) {
			if len(row) > 9 && row[3] == "0A" && own[row[9]] {
				_, portHex, _ := strings.Cut(row[1], ":")
				port, err := strconv.ParseInt(portHex, 16, 32)
				Expect(err).NotTo(HaveOccurred())
				found.tcpPorts = append(found.tcpPorts, int(port))
			}
		}
	}
	// Num RefCount Protocol Flags Type St Inode Path: a listener has the
	// accepting flag 00010000 set.
	for _, row := range procTable(pid, "unix") {
		if len(row) > 6 && row[3] == "00010000" && own[row[6]] {
			path := "(unnamed)"
			if len(row) > 7 {
				path = row[7]
			}
			found.unixPaths = append(found.unixPaths, path)
		}
	}
	return found
}

func procTable(pid int, name string) [][]string {
	GinkgoHelper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/net/%s", pid, name))
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	var rows [][]string
	scanner := bufio.NewScanner(f)
	scanner.Scan() // the header
	for scanner.Scan() {
		rows = append(rows, strings.Fields(scanner.Text()))
	}
	Expect(scanner.Err()).NotTo(HaveOccurred())
	return rows
}

func modeOf(path string) os.FileMode {
	GinkgoHelper()
	info, err := os.Stat(path)
	Expect(err).NotTo(HaveOccurred())
	return info.Mode() & (os.ModeType | os.ModePerm)
}

// klogErrorLine is a klog header of severity error or fatal.
var klogErrorLine = regexp.MustCompile(`^[EF]\d{4} `)

func errorLines(log string) []string {
	var lines []string
	for line := range strings.SplitSeq(log, "\n") {
		if klogErrorLine.MatchString(line) {
			lines = append(lines, line)
		}
	}
	return lines
}

// expectQuietLog asserts a healthy server's log: klog's format only, no
// error line, no stack trace.
func expectQuietLog(log string) {
	GinkgoHelper()
	Expect(errorLines(log)).To(BeEmpty(), log)
	Expect(log).NotTo(MatchRegexp(`goroutine \d|stacktrace|"level":"`), log)
}

// runToExit runs the server with args and returns its output and exit
// code; it must exit by itself.
func runToExit(args ...string) (string, int) {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), serverStartTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, serverBinary, append([]string{gateOn}, args...)...).CombinedOutput()
	Expect(ctx.Err()).NotTo(HaveOccurred(), "the server did not exit:\n%s", out)
	if exitErr, ok := err.(*exec.ExitError); ok {
		return string(out), exitErr.ExitCode()
	}
	Expect(err).NotTo(HaveOccurred())
	return string(out), 0
}

// podNames are the names of the server's pods in default.
func podNames(s *Server) map[string]bool {
	GinkgoHelper()
	pods, err := harness.ListPods(context.Background(), s.Client(), "default")
	Expect(err).NotTo(HaveOccurred())
	names := map[string]bool{}
	for _, pod := range pods {
		names[pod.Name] = true
	}
	return names
}

func freeAddr() string {
	return fmt.Sprintf("127.0.0.1:%d", freePort(0))
}
