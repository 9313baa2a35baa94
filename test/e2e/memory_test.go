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
	"math"
	"os"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
)

var _ = Describe("The garbage collector's settings", Label("memory"), func() {
	BeforeEach(func() {
		for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
			Expect(os.Getenv(env)).To(BeEmpty(), "%s in the environment would decide what this spec checks", env)
		}
	})

	DescribeTable("are what the flags ask for, as /metrics reports them",
		func(args []string, wantPercent, wantLimit types.GomegaMatcher) {
			s := startServer(append([]string{gateOn}, args...)...)
			raw, err := s.Client().Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
			Expect(err).NotTo(HaveOccurred())
			metrics := goGCMetrics(string(raw))
			Expect(metrics).To(HaveKeyWithValue("go_gc_gogc_percent", wantPercent))
			Expect(metrics).To(HaveKeyWithValue("go_gc_gomemlimit_bytes", wantLimit))
		},
		Entry("by default, a small live heap may grow to 256 MiB, within twice that",
			nil, BeNumerically(">", 100), BeNumerically("~", 2*256<<20, 64<<20)),
		Entry("--memory-limit bounds the tuner's limit",
			[]string{"--memory-limit=1Gi"}, BeNumerically(">", 100), BeNumerically("<", 1<<30)),
		Entry("--gc-min-heap=0 leaves GOGC at Go's default and the limit at --memory-limit",
			[]string{"--gc-min-heap=0", "--memory-limit=1Gi"}, BeNumerically("==", 100), BeNumerically("==", 1<<30)),
		Entry("--gc-min-heap=0 without a limit leaves Go's defaults",
			[]string{"--gc-min-heap=0"}, BeNumerically("==", 100), BeNumerically(">=", math.MaxInt64)),
	)
})

// goGCMetrics picks the go_gc_* samples from a Prometheus text exposition.
func goGCMetrics(exposition string) map[string]float64 {
	GinkgoHelper()
	out := map[string]float64{}
	scanner := bufio.NewScanner(strings.NewReader(exposition))
	for scanner.Scan() {
		name, value, ok := strings.Cut(scanner.Text(), " ")
		if !ok || !strings.HasPrefix(name, "go_gc_") {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		Expect(err).NotTo(HaveOccurred(), scanner.Text())
		out[name] = v
	}
	return out
}
