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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("kill -9 of etcd members under the server", Serial, Label("etcd-cluster"), func() {
	const (
		writers          = 16
		containersPerPod = 2
		probeInterval    = 100 * time.Millisecond
		// memberDownFor is how long a killed member stays down.
		memberDownFor = 2 * time.Second
		// maxGapAfterLeaderKill bounds the time without a successful create
		// after the leader is killed: etcd elects a new leader within
		// about one to two election timeouts, the server must be serving
		// writes shortly after.
		maxGapAfterLeaderKill = 1500 * time.Millisecond
	)
	// Loopback round trips are well under a millisecond: a 50ms heartbeat
	// and a 500ms election timeout keep ten heartbeats per election
	// timeout, as etcd's tuning guide asks, and bound the election etcd
	// needs after its leader dies to 0.5-1s.
	etcdTuning := []string{"--heartbeat-interval=50", "--election-timeout=500"}

	It("answers no 500, loses no acknowledged write and resumes creates quickly when a follower, then the leader, is killed", func() {
		dir := GinkgoT().TempDir()
		members := startEtcdCluster(filepath.Join(dir, "etcd"), 3, etcdTuning...)
		server := startServer(filepath.Join(dir, "server"), etcdServers(members))
		etcd := etcdClient(members)

		rec := newRecorder()
		ledger := newLedger()
		ctx, stopLoad := context.WithCancel(context.Background())
		defer stopLoad()
		loadStarted := time.Now()
		waitWriters := runWriters(ctx, server.Client(rec), writers, "c", containersPerPod, ledger)
		waitProber := runProber(ctx, server.Client(rec), probeInterval, "probe", ledger)
		time.Sleep(time.Second)

		_, followers, termBefore := etcdRoles(etcd, members)
		follower := followers[0]
		By("killing follower " + follower.Name)
		follower.Kill()
		followerKilled := time.Now()
		time.Sleep(memberDownFor)
		follower.Restart()
		follower.waitHealthy()
		time.Sleep(time.Second)

		leader, _, _ := etcdRoles(etcd, members)
		By("killing leader " + leader.Name)
		leader.Kill()
		leaderKilled := time.Now()
		time.Sleep(memberDownFor)
		leader.Restart()
		leader.waitHealthy()
		time.Sleep(2 * time.Second)

		end := time.Now()
		stopLoad()
		waitWriters()
		probes := waitProber()
		newLeader, _, termAfter := etcdRoles(etcd, members)
		audit := ledger.audit(listPods(server.Client(nil)))

		gapAfterFollowerKill := longestGap(probes, followerKilled, leaderKilled)
		gapAfterLeaderKill := longestGap(probes, leaderKilled, end)
		AddReportEntry("kill -9 of etcd follower, then leader", fmt.Sprintf(
			"3 members (%v), %d writers for %s, killed follower %s then leader %s (new leader %s), raft term %d -> %d\n"+
				"%s\n"+
				"5xx by code: %v\n"+
				"responses: %s\n"+
				"prober: %s\nlongest time without a successful create after the follower kill: %s, after the leader kill: %s (bound %s)",
			etcdTuning, writers, ms(end.Sub(loadStarted)), follower.Name, leader.Name, newLeader.Name, termBefore, termAfter,
			audit, rec.ServerErrors(), rec, probeSummary(probes), ms(gapAfterFollowerKill), ms(gapAfterLeaderKill), ms(maxGapAfterLeaderKill)))

		Expect(audit.AckedPods).To(BeNumerically(">", 0), "the writers got acknowledged creates")
		Expect(audit.AckedContainers).To(BeNumerically(">", 0), "the writers got acknowledged ephemeral containers")
		Expect(audit.LostPods).To(BeZero(), "acknowledged pods lost: %s", audit)
		Expect(audit.LostContainers).To(BeZero(), "acknowledged ephemeral containers lost: %s", audit)
		Expect(audit.Duplicated).To(BeZero(), "duplicated ephemeral container names: %s", audit)
		Expect(rec.Count(500)).To(BeZero(), "responses with code 500 (5xx by code %v): %s", rec.ServerErrors(), rec)
		Expect(gapAfterLeaderKill).To(BeNumerically("<=", maxGapAfterLeaderKill), "longest time without a successful create after the leader kill")
	})
})
