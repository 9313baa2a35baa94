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

package faults

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

// etcdStartTimeout bounds the wait for a member's /health.
const etcdStartTimeout = 30 * time.Second

// EtcdMember is one etcd process of ETCD_BIN on loopback ports.
type EtcdMember struct {
	Name      string
	ClientURL string
	PeerURL   string
	DataDir   string

	dir  string
	args []string
	proc *harness.Process
}

// startEtcdCluster starts n members of a new cluster under dir, each with
// the extra flags, and waits until every one is healthy (has a leader).
func startEtcdCluster(dir string, n int, extra ...string) []*EtcdMember {
	GinkgoHelper()
	ports := freePorts(2 * n)
	members := make([]*EtcdMember, n)
	var initial []string
	for i := range members {
		m := &EtcdMember{
			Name:      fmt.Sprintf("m%d", i),
			ClientURL: fmt.Sprintf("http://127.0.0.1:%d", ports[2*i]),
			PeerURL:   fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]),
			dir:       dir,
		}
		m.DataDir = filepath.Join(dir, m.Name)
		members[i] = m
		initial = append(initial, m.Name+"="+m.PeerURL)
	}
	for _, m := range members {
		m.args = append(harness.EtcdFlags(m.Name, m.DataDir, m.ClientURL, m.PeerURL, strings.Join(initial, ",")),
			"--initial-cluster-state=new",
			"--initial-cluster-token=faults",
			// Killing a process loses nothing from the page cache; fsync
			// only guards against a power cut, which no spec simulates.
			"--unsafe-no-fsync",
		)
		m.args = append(m.args, extra...)
		m.start()
	}
	for _, m := range members {
		m.waitHealthy()
	}
	return members
}

func (m *EtcdMember) start() {
	GinkgoHelper()
	m.proc = startProcess("etcd "+m.Name, etcdBinary, m.args, filepath.Join(m.dir, m.Name+".log"))
}

// Kill sends SIGKILL and waits until the process is gone.
func (m *EtcdMember) Kill() { kill(m.proc) }

// Restart starts a killed member again on its data dir.
func (m *EtcdMember) Restart() {
	GinkgoHelper()
	Expect(m.proc.Alive()).To(BeFalse(), "kill the member before restarting it")
	m.start()
}

// waitHealthy waits until the member's /health says true: it serves and
// knows a leader.
func (m *EtcdMember) waitHealthy() {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), etcdStartTimeout)
	defer cancel()
	err := harness.WaitEtcdHealthy(ctx, m.proc, m.ClientURL, 20*time.Millisecond)
	Expect(err).NotTo(HaveOccurred(), func() string { return m.proc.LogTail(logTailBytes) })
}

// etcdServers is the --etcd-servers flag naming every member.
func etcdServers(members []*EtcdMember) string {
	var urls []string
	for _, m := range members {
		urls = append(urls, m.ClientURL)
	}
	return "--etcd-servers=" + strings.Join(urls, ",")
}

// etcdClient is a go.etcd.io/etcd/client/v3 client of the members, closed
// when the spec is done.
func etcdClient(members []*EtcdMember) *clientv3.Client {
	GinkgoHelper()
	var urls []string
	for _, m := range members {
		urls = append(urls, m.ClientURL)
	}
	client, err := clientv3.New(clientv3.Config{Endpoints: urls, DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(client.Close)
	return client
}

// etcdRoles asks every live member for its status and returns the leader
// and the followers once all of them name the same leader.
func etcdRoles(client *clientv3.Client, members []*EtcdMember) (leader *EtcdMember, followers []*EtcdMember, term uint64) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		leader, followers, term = nil, nil, 0
		var leaderID uint64
		for _, m := range members {
			if !m.proc.Alive() {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			status, err := client.Status(ctx, m.ClientURL)
			cancel()
			g.Expect(err).NotTo(HaveOccurred(), "status of %s", m.Name)
			g.Expect(status.Leader).NotTo(BeZero(), "%s knows no leader", m.Name)
			if leaderID != 0 {
				g.Expect(status.Leader).To(Equal(leaderID), "members disagree on the leader")
			}
			leaderID = status.Leader
			term = max(term, status.RaftTerm)
			if status.Header.MemberId == status.Leader {
				leader = m
			} else {
				followers = append(followers, m)
			}
		}
		g.Expect(leader).NotTo(BeNil(), "the leader is not among the live members")
	}).WithTimeout(etcdStartTimeout).Should(Succeed())
	return leader, followers, term
}
