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
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/harness"
)

var _ = Describe("A full store", Serial, Label("store-full"), func() {
	const (
		// quota is etcd's --quota-backend-bytes: room for the server's own
		// startup writes and some 80 large pods.
		quota = 16 << 20
		// annotationBytes stays under the 256KiB limit on all of a pod's
		// annotations.
		annotationBytes = 200 << 10
		writers         = 4
		// failuresWanted is how many failed writes to collect once full.
		failuresWanted = 12
		fillDeadline   = 90 * time.Second
		// recoverDeadline bounds the wait for writes after space is freed.
		recoverDeadline = 30 * time.Second
	)

	It("answers writes with a 5xx other than 500, keeps serving reads, and takes writes again once space is freed", func() {
		dir := GinkgoT().TempDir()
		members := startEtcdCluster(filepath.Join(dir, "etcd"), 1, fmt.Sprintf("--quota-backend-bytes=%d", quota))
		server := startServer(filepath.Join(dir, "server"), etcdServers(members))
		etcd := etcdClient(members)
		rec := newRecorder()
		client := server.Client(rec)
		payload := strings.Repeat("x", annotationBytes)
		bigPod := func(name string) *corev1.Pod {
			pod := harness.Pod(namespace, name)
			pod.Annotations = map[string]string{"faults.test/payload": payload}
			return pod
		}

		By(fmt.Sprintf("creating pods with %dKiB annotations with %d writers until %d writes have failed", annotationBytes>>10, writers, failuresWanted))
		ledger := newLedger()
		var (
			mu       sync.Mutex
			failures = map[string]int{} // "code: message" of each failed write
			failed   int
			// failedNames are the pods whose create failed.
			failedNames []string
			wg          sync.WaitGroup
		)
		ctx, cancel := context.WithTimeout(context.Background(), fillDeadline)
		defer cancel()
		full := func() bool { mu.Lock(); defer mu.Unlock(); return failed >= failuresWanted }
		started := time.Now()
		for w := range writers {
			wg.Go(func() {
				defer GinkgoRecover()
				for i := 0; ctx.Err() == nil && !full(); i++ {
					name := fmt.Sprintf("big-w%d-%d", w, i)
					_, err := client.CoreV1().Pods(namespace).Create(ctx, bigPod(name), metav1.CreateOptions{})
					if err == nil {
						ledger.ackPod(name)
						continue
					}
					mu.Lock()
					failed++
					failedNames = append(failedNames, name)
					failures[describeFailure(err)]++
					mu.Unlock()
					pause(ctx, 50*time.Millisecond)
				}
			})
		}
		wg.Wait()
		fillTook := time.Since(started)
		ackedBig, _ := ledger.Counts()
		statusFull, err := etcd.Status(context.Background(), members[0].ClientURL)
		Expect(err).NotTo(HaveOccurred())
		alarms, err := etcd.AlarmList(context.Background())
		Expect(err).NotTo(HaveOccurred())

		By("adding an ephemeral container to a pod of the full store")
		var patchFailure string
		if names := ledger.AckedPods(); len(names) > 0 {
			if err := addEphemeralContainer(context.Background(), client, names[0], "d0"); err != nil {
				patchFailure = describeFailure(err)
			} else {
				patchFailure = "none: the patch was acknowledged"
			}
		}

		By("reading while the store is full")
		var readErrors []string
		read := func(what string, f func(context.Context) error) {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			if err := f(ctx); err != nil {
				readErrors = append(readErrors, fmt.Sprintf("%s: %s", what, describeFailure(err)))
			}
		}
		for _, name := range ledger.AckedPods()[:min(3, ackedBig)] {
			read("GET pod "+name, func(ctx context.Context) error {
				_, err := client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
				return err
			})
		}
		read("LIST pods limit 10", func(ctx context.Context) error {
			_, err := client.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{Limit: 10})
			return err
		})
		var listed []corev1.Pod
		read("LIST pods", func(ctx context.Context) error {
			list, err := client.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{})
			if err == nil {
				listed = list.Items
			}
			return err
		})
		read("LIST namespaces", func(ctx context.Context) error {
			_, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
			return err
		})
		audit := ledger.audit(listed)
		// A create answered with an error, yet applied: etcd applies the
		// write that crosses the quota, then answers it "database space
		// exceeded" and raises the alarm.
		var appliedAnyway []string
		for _, pod := range listed {
			if slices.Contains(failedNames, pod.Name) {
				appliedAnyway = append(appliedAnyway, pod.Name)
			}
		}

		By("freeing space: deleting the pods, compacting, defragmenting, disarming the alarm")
		deleteErrors := deleteAllPods(client)
		var deletedInEtcd int64
		if len(deleteErrors) > 0 {
			// Deleting through the server failed: free the space as an
			// operator would with etcdctl del, so that the rest is measured.
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			resp, err := etcd.Delete(ctx, etcdPodsPrefix, clientv3.WithPrefix())
			cancel()
			Expect(err).NotTo(HaveOccurred(), "deleting the pods' keys in etcd")
			deletedInEtcd = resp.Deleted
		}
		status, err := etcd.Status(context.Background(), members[0].ClientURL)
		Expect(err).NotTo(HaveOccurred())
		_, err = etcd.Compact(context.Background(), status.Header.Revision, clientv3.WithCompactPhysical())
		if !errors.Is(err, rpctypes.ErrCompacted) {
			Expect(err).NotTo(HaveOccurred(), "compact to revision %d", status.Header.Revision)
		}
		_, err = etcd.Defragment(context.Background(), members[0].ClientURL)
		Expect(err).NotTo(HaveOccurred())
		_, err = etcd.AlarmDisarm(context.Background(), &clientv3.AlarmMember{})
		Expect(err).NotTo(HaveOccurred())
		statusFreed, err := etcd.Status(context.Background(), members[0].ClientURL)
		Expect(err).NotTo(HaveOccurred())

		By("writing again")
		freed := time.Now()
		var (
			recovered     time.Duration
			recoveryCodes = map[string]int{}
		)
		for i := 0; time.Since(freed) < recoverDeadline; i++ {
			_, err := client.CoreV1().Pods(namespace).Create(context.Background(), bigPod(fmt.Sprintf("after-%d", i)), metav1.CreateOptions{})
			if err == nil {
				recovered = time.Since(freed)
				break
			}
			recoveryCodes[describeFailure(err)]++
			time.Sleep(100 * time.Millisecond)
		}
		var afterPatch error
		if recovered > 0 {
			afterPatch = addEphemeralContainer(context.Background(), client, "after-0", "d0")
			if afterPatch != nil {
				// Whichever create succeeded first.
				list, err := client.CoreV1().Pods(namespace).List(context.Background(), metav1.ListOptions{})
				if err == nil && len(list.Items) > 0 {
					afterPatch = addEphemeralContainer(context.Background(), client, list.Items[0].Name, "d0")
				}
			}
		}

		failureCodes := map[int]int{}
		for f, n := range failures {
			var code int
			_, _ = fmt.Sscanf(f, "%d", &code)
			failureCodes[code] += n
		}
		AddReportEntry("store full", fmt.Sprintf(
			"etcd --quota-backend-bytes=%dMiB: %d pods of %dKiB acknowledged in %s before %d writes failed; db size %dKiB, alarms %v\n"+
				"failed creates by code and message: %v; of these, present in the LIST after all: %v\n"+
				"ephemeral container patch on the full store: %s\n"+
				"reads while full: %d failed %v; %s\n"+
				"freeing: DELETE through the server failed for %d pods %s; deleted in etcd instead: %d keys; db size after compact+defrag %dKiB\n"+
				"first acknowledged create %s after the alarm was disarmed (failures before: %v); ephemeral container patch after: %v\n"+
				"responses: %s",
			quota>>20, ackedBig, annotationBytes>>10, ms(fillTook), failed, statusFull.DbSize>>10, alarms.Alarms,
			failures, appliedAnyway, patchFailure, len(readErrors), readErrors, audit,
			len(deleteErrors), summarize(deleteErrors), deletedInEtcd, statusFreed.DbSize>>10,
			ms(recovered), recoveryCodes, afterPatch, rec))

		Expect(ackedBig).To(BeNumerically(">", 0), "pods written before the store was full")
		Expect(failed).To(BeNumerically(">=", failuresWanted), "writes failed within %v", fillDeadline)
		Expect(slices.Collect(maps.Keys(failureCodes))).To(HaveEach(BeElementOf(507, 503)),
			"codes of the writes on the full store (507 Insufficient Storage or 503): %v", failures)
		Expect(readErrors).To(BeEmpty(), "reads while the store is full")
		Expect(audit.LostPods).To(BeZero(), "acknowledged pods lost: %s", audit)
		Expect(recovered).To(BeNumerically(">", 0), "a create succeeded within %v of freeing space", recoverDeadline)
		Expect(afterPatch).NotTo(HaveOccurred(), "ephemeral container patch after freeing space")
		Expect(appliedAnyway).To(BeEmpty(), "creates answered with an error that etcd had applied")
		// Deleting a pod through the API first records its deletion, itself
		// a write: on a full store it is refused as cleanly as the others.
		for _, failure := range deleteErrors {
			Expect(failure).To(ContainSubstring(": 507: "), "DELETE of a pod on the full store")
		}
	})
})

// etcdPodsPrefix is where the server (default --etcd-prefix) keeps the
// pods of namespace.
const etcdPodsPrefix = "/registry/pods/" + namespace + "/"

// summarize counts the messages after "name: ".
func summarize(failures []string) string {
	counts := map[string]int{}
	for _, f := range failures {
		_, message, _ := strings.Cut(f, ": ")
		counts[message]++
	}
	return fmt.Sprint(counts)
}

// describeFailure is "code: message" of a client-go error.
func describeFailure(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return fmt.Sprintf("%d: %s", status.Status().Code, status.Status().Message)
	}
	return "no status: " + err.Error()
}

// deleteAllPods deletes every pod of the namespace at once (grace period
// 0), and returns the failures.
func deleteAllPods(client kubernetes.Interface) []string {
	GinkgoHelper()
	list, err := client.CoreV1().Pods(namespace).List(context.Background(), metav1.ListOptions{})
	Expect(err).NotTo(HaveOccurred())
	var failures []string
	for _, pod := range list.Items {
		err := client.CoreV1().Pods(namespace).Delete(context.Background(), pod.Name, *metav1.NewDeleteOptions(0))
		if err != nil && !apierrors.IsNotFound(err) {
			failures = append(failures, fmt.Sprintf("%s: %s", pod.Name, describeFailure(err)))
		}
	}
	return failures
}
