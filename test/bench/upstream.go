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
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

// upstreamToken is the bearer token of the upstream server's admin, in
// system:masters.
const upstreamToken = "admin-token"

// upstream is the kube-apiserver measured beside ours: either processes
// this benchmark started (its own etcd and kube-apiserver on it, with the
// least a kube-apiserver needs to serve pods alone), or a running server named
// by a kubeconfig and measured through its PIDs.
type upstream struct {
	dir        string
	etcd       *benchEtcd
	apiserver  *server
	kubeconfig string
	// pids are the processes whose CPU and RSS are the upstream figures:
	// kube-apiserver and its etcd.
	pids pidsMeter
}

// pidsMeter sums the CPU time and RSS of processes.
type pidsMeter []int

func (p pidsMeter) CPUTime() (time.Duration, error) {
	var sum time.Duration
	for _, pid := range p {
		d, err := harness.CPUTime(pid)
		if err != nil {
			return 0, err
		}
		sum += d
	}
	return sum, nil
}

func (p pidsMeter) RSS() (int64, error) {
	var sum int64
	for _, pid := range p {
		n, err := harness.RSS(pid)
		if err != nil {
			return 0, err
		}
		sum += n
	}
	return sum, nil
}

// parsePIDs parses a comma-separated list of process IDs.
func parsePIDs(s string) (pidsMeter, error) {
	var pids pidsMeter
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		pid, err := strconv.Atoi(f)
		if err != nil || pid < 1 {
			return nil, fmt.Errorf("%q is not a process ID", f)
		}
		pids = append(pids, pid)
	}
	if len(pids) == 0 {
		return nil, errors.New("no process IDs")
	}
	return pids, nil
}

// attachUpstream measures a running upstream server.
func attachUpstream(kubeconfig, pids string) (*upstream, error) {
	p, err := parsePIDs(pids)
	if err != nil {
		return nil, fmt.Errorf("-upstream-pids: %w", err)
	}
	if _, err := p.CPUTime(); err != nil {
		return nil, fmt.Errorf("-upstream-pids: %w", err)
	}
	return &upstream{kubeconfig: kubeconfig, pids: p}, nil
}

// startUpstream starts etcdBinary on a temporary data dir and
// kube-apiserver on it, and waits until the server is ready and the
// default ServiceAccount exists (no controller manager creates it, and
// the ServiceAccount admission plugin refuses pods without it). The
// caller must call stop, also on error paths.
func startUpstream(ctx context.Context, binary, etcdBinary string) (*upstream, error) {
	dir, err := os.MkdirTemp("", "ephemeral-apiserver-bench-upstream-")
	if err != nil {
		return nil, err
	}
	u := &upstream{dir: dir}
	if u.etcd, err = startBenchEtcd(ctx, "upstream", etcdBinary); err != nil {
		return u, err
	}
	if err := u.startAPIServer(ctx, binary); err != nil {
		return u, err
	}
	u.pids = pidsMeter{u.apiserver.PID(), u.etcd.PID()}
	return u, nil
}

func (u *upstream) startAPIServer(ctx context.Context, binary string) error {
	ports, err := harness.FreePorts(1)
	if err != nil {
		return err
	}
	port := ports[0]
	if err := writeServiceAccountKeys(u.dir); err != nil {
		return err
	}
	tokens := filepath.Join(u.dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(upstreamToken+`,admin,admin-uid,"system:masters"`+"\n"), 0o600); err != nil {
		return err
	}
	u.kubeconfig = filepath.Join(u.dir, "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: upstream, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: %s}}]
contexts: [{name: upstream, context: {cluster: upstream, user: admin, namespace: default}}]
current-context: upstream
`, port, upstreamToken)
	if err := os.WriteFile(u.kubeconfig, []byte(kc), 0o600); err != nil {
		return err
	}
	// The least kube-apiserver needs to serve pods alone: static tokens,
	// service account keys and no endpoint reconciler.
	proc, err := startProcess("kube-apiserver", binary, []string{
		"--etcd-servers=" + u.etcd.url,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--cert-dir=" + filepath.Join(u.dir, "certs"),
		"--authorization-mode=RBAC",
		"--token-auth-file=" + tokens,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(u.dir, "sa.pub"),
		"--service-account-signing-key-file=" + filepath.Join(u.dir, "sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--endpoint-reconciler-type=none",
	}, filepath.Join(u.dir, "kube-apiserver.log"))
	if err != nil {
		return err
	}
	u.apiserver = &server{APIServer: harness.APIServer{Process: proc, Port: port, Kubeconfig: u.kubeconfig}}
	ready, err := u.apiserver.waitReady(ctx)
	if err != nil {
		return fmt.Errorf("upstream kube-apiserver: %w", err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", u.kubeconfig)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	if err := ensureDefaultServiceAccount(ctx, cs); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s upstream kube-apiserver pid %d on port %d ready after %v, etcd pid %d; KUBECONFIG=%s\n",
		time.Now().Format("15:04:05.000"), u.apiserver.PID(), port, ready.Round(time.Millisecond), u.etcd.PID(), u.kubeconfig)
	return nil
}

// writeServiceAccountKeys writes the RSA key pair kube-apiserver signs and
// verifies service account tokens with: sa.key and sa.pub in dir.
func writeServiceAccountKeys(dir string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "sa.key"),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644)
}

// ensureDefaultServiceAccount creates default/default unless it exists,
// retrying while the namespace is being created.
func ensureDefaultServiceAccount(ctx context.Context, cs kubernetes.Interface) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: namespace}}
		_, last = cs.CoreV1().ServiceAccounts(namespace).Create(ctx, sa, metav1.CreateOptions{})
		return last == nil || apierrors.IsAlreadyExists(last), nil
	})
	if err != nil {
		return fmt.Errorf("creating the default ServiceAccount upstream: %w (last: %v)", err, last)
	}
	return nil
}

// RSS is the summed VmRSS of the upstream processes.
func (u *upstream) RSS() (int64, error) { return u.pids.RSS() }

// CPUTime is the summed CPU time of the upstream processes.
func (u *upstream) CPUTime() (time.Duration, error) { return u.pids.CPUTime() }

// stop stops the processes this benchmark started, kube-apiserver first,
// and removes their directory. An attached server is left running.
func (u *upstream) stop() error {
	if u == nil {
		return nil
	}
	var errs []error
	if u.apiserver != nil {
		errs = append(errs, u.apiserver.stop())
	}
	u.etcd.stop()
	err := errors.Join(errs...)
	if err == nil && u.dir != "" {
		_ = os.RemoveAll(u.dir)
	}
	return err
}
