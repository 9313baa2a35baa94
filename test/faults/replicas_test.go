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
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

var _ = Describe("Two server replicas on one etcd", Serial, Label("replicas"), func() {
	const (
		writers             = 32
		containersPerWriter = 4
		pod                 = "shared"
		// writeDeadline bounds the whole contention.
		writeDeadline = 2 * time.Minute
	)

	It("keeps every ephemeral container acknowledged through either replica exactly once, and both replicas agree", func() {
		dir := GinkgoT().TempDir()
		members := startEtcdCluster(filepath.Join(dir, "etcd"), 1)
		replicas := []*Server{
			startServer(filepath.Join(dir, "a"), etcdServers(members)),
			startServer(filepath.Join(dir, "b"), etcdServers(members)),
		}
		recs := []*Recorder{newRecorder(), newRecorder()}
		clients := []kubernetes.Interface{replicas[0].Client(recs[0]), replicas[1].Client(recs[1])}
		_, err := clients[0].CoreV1().Pods(namespace).Create(context.Background(), harness.Pod(namespace, pod), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())

		By(fmt.Sprintf("adding %d ephemeral containers with %d writers, each request to the other replica than the last", writers*containersPerWriter, writers))
		ledger := newLedger()
		var (
			conflicts, otherErrors, alreadyThere, gaveUp atomic.Int64
			wg                                           sync.WaitGroup
		)
		ctx, cancel := context.WithTimeout(context.Background(), writeDeadline)
		defer cancel()
		started := time.Now()
		for w := range writers {
			wg.Go(func() {
				defer GinkgoRecover()
				request := w // which replica the next request goes to
				next := func() kubernetes.Interface { request++; return clients[request%2] }
				for k := range containersPerWriter {
					name := fmt.Sprintf("w%02d-c%d", w, k)
					// Read, add, update; on 409 Conflict read again, as
					// clients do.
					for {
						if ctx.Err() != nil {
							gaveUp.Add(1)
							break
						}
						current, err := next().CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
						if err != nil {
							otherErrors.Add(1)
							pause(ctx, 20*time.Millisecond)
							continue
						}
						if slices.ContainsFunc(current.Spec.EphemeralContainers, func(ec corev1.EphemeralContainer) bool { return ec.Name == name }) {
							// An earlier update failed without an answer
							// but was applied.
							alreadyThere.Add(1)
							break
						}
						current.Spec.EphemeralContainers = append(current.Spec.EphemeralContainers, ephemeralContainer(name))
						_, err = next().CoreV1().Pods(namespace).UpdateEphemeralContainers(ctx, pod, current, metav1.UpdateOptions{})
						if err == nil {
							ledger.ackContainer(pod, name)
							break
						}
						if apierrors.IsConflict(err) {
							conflicts.Add(1)
						} else {
							otherErrors.Add(1)
						}
						pause(ctx, time.Duration(rand.Int64N(int64(10*time.Millisecond))))
					}
				}
			})
		}
		wg.Wait()
		took := time.Since(started)
		ledger.ackPod(pod)

		By("waiting until both replicas, from etcd and from their watch caches, show the same pod")
		type view struct {
			source          string
			resourceVersion string
			containers      []string
		}
		var views []view
		Eventually(func(g Gomega) {
			views = nil
			for i, client := range clients {
				replica := string(rune('a' + i))
				got, err := client.CoreV1().Pods(namespace).Get(context.Background(), pod, metav1.GetOptions{})
				g.Expect(err).NotTo(HaveOccurred())
				views = append(views, view{replica + " GET", got.ResourceVersion, harness.EphemeralNames(got)})
				for _, rv := range []string{"", "0"} {
					list, err := client.CoreV1().Pods(namespace).List(context.Background(), metav1.ListOptions{ResourceVersion: rv})
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(list.Items).To(HaveLen(1))
					views = append(views, view{fmt.Sprintf("%s LIST resourceVersion=%q", replica, rv), list.Items[0].ResourceVersion, harness.EphemeralNames(&list.Items[0])})
				}
			}
			for _, v := range views[1:] {
				g.Expect(v.resourceVersion).To(Equal(views[0].resourceVersion), "%s vs %s", v.source, views[0].source)
				g.Expect(v.containers).To(Equal(views[0].containers), "%s vs %s", v.source, views[0].source)
			}
		}).Should(Succeed())

		final, err := clients[1].CoreV1().Pods(namespace).Get(context.Background(), pod, metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		occurrences := map[string]int{}
		for _, name := range harness.EphemeralNames(final) {
			occurrences[name]++
		}
		_, acked := ledger.Counts()
		notOnce := 0
		ledger.mu.Lock()
		for _, name := range ledger.pods[pod] {
			if occurrences[name] != 1 {
				notOnce++
			}
		}
		ledger.mu.Unlock()
		audit := ledger.audit([]corev1.Pod{*final})
		AddReportEntry("two replicas, one pod", fmt.Sprintf(
			"%d writers, %d ephemeral containers acknowledged in %s; %d in the pod; acknowledged but not present exactly once: %d; %s\n"+
				"409 Conflicts retried: %d, other errors: %d, applied without an answer: %d, given up at the deadline: %d\n"+
				"both replicas agree on resourceVersion %s (GET and LIST from etcd and from the watch cache)\n"+
				"responses of replica a: %s\nresponses of replica b: %s",
			writers, acked, ms(took), len(final.Spec.EphemeralContainers), notOnce, audit,
			conflicts.Load(), otherErrors.Load(), alreadyThere.Load(), gaveUp.Load(),
			final.ResourceVersion, recs[0], recs[1]))

		Expect(gaveUp.Load()).To(BeZero(), "containers not added within %v", writeDeadline)
		Expect(acked).To(Equal(writers*containersPerWriter), "acknowledged ephemeral containers")
		Expect(notOnce).To(BeZero(), "acknowledged ephemeral containers not present exactly once")
		Expect(audit.Duplicated).To(BeZero(), "duplicated ephemeral container names")
		Expect(final.Spec.EphemeralContainers).To(HaveLen(writers * containersPerWriter))
	})
})
