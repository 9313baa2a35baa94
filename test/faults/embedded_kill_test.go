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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("kill -9 of the server with its embedded etcd", Serial, Label("embedded"), func() {
	const (
		trials           = 10
		writers          = 16
		containersPerPod = 2
		// The load of trial t lasts firstKillAfter + t*killStep, so the
		// kills land at different moments of the writers' cycles.
		firstKillAfter = 1000 * time.Millisecond
		killStep       = 100 * time.Millisecond
	)

	It("loses no acknowledged pod or ephemeral container, and is ready again within a second", func() {
		server := startServer(GinkgoT().TempDir())
		firstStart := server.ReadyAfter
		ledger := newLedger()
		rec := newRecorder()
		var (
			readyAfterKill []time.Duration
			lostPods       int
			lostContainers int
			duplicated     int
			lines          []string
		)
		for trial := range trials {
			ctx, stopWriters := context.WithCancel(context.Background())
			wait := runWriters(ctx, server.Client(rec), writers, fmt.Sprintf("t%d", trial), containersPerPod, ledger)
			load := firstKillAfter + time.Duration(trial)*killStep
			time.Sleep(load)
			server.Kill()
			stopWriters()
			wait()

			server = server.restart()
			readyAfterKill = append(readyAfterKill, server.ReadyAfter)
			audit := ledger.audit(listPods(server.Client(nil)))
			lostPods += audit.LostPods
			lostContainers += audit.LostContainers
			duplicated += audit.Duplicated
			lines = append(lines, fmt.Sprintf("trial %d: killed after %s of load; ready %s after restart; so far %s",
				trial, ms(load), ms(server.ReadyAfter), audit))
		}

		pods, containers := ledger.Counts()
		AddReportEntry("kill -9 with embedded etcd", fmt.Sprintf(
			"%d trials, %d writers: %d pods and %d ephemeral containers acknowledged in all; lost %d pods, %d ephemeral containers; %d duplicated\n"+
				"time from process start to /readyz 200 after kill -9: p50 %s, max %s (first start on an empty data dir: %s)\n"+
				"responses: %s\n%s",
			trials, writers, pods, containers, lostPods, lostContainers, duplicated,
			ms(median(readyAfterKill)), ms(maxOf(readyAfterKill)), ms(firstStart), rec, strings.Join(lines, "\n")))

		Expect(pods).To(BeNumerically(">=", trials), "the writers got acknowledged creates")
		Expect(containers).To(BeNumerically(">", 0), "the writers got acknowledged ephemeral containers")
		Expect(lostPods).To(BeZero(), "acknowledged pods lost")
		Expect(lostContainers).To(BeZero(), "acknowledged ephemeral containers lost")
		Expect(duplicated).To(BeZero(), "duplicated ephemeral container names")
		Expect(median(readyAfterKill)).To(BeNumerically("<", time.Second), "median time from start to /readyz 200 after kill -9")
	})
})
