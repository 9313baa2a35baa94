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

package server

import (
	"math"
	"testing"

	"github.com/spf13/pflag"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/gctuner"
)

func TestMemoryTunerConfig(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name   string
		flags  []string
		limit  int64
		gogc   string
		want   gctuner.Config
		tuned  bool
		errors int
	}{
		{name: "defaults", limit: 1 << 40, want: gctuner.Config{MinHeap: 256 * mib, Percent: 100, Limit: 1 << 40}, tuned: true},
		{name: "a small limit caps the floor at a quarter", limit: 512 * mib, want: gctuner.Config{MinHeap: 128 * mib, Percent: 100, Limit: 512 * mib}, tuned: true},
		{name: "flag sets the floor", flags: []string{"--gc-min-heap=1Gi"}, limit: 1 << 40, want: gctuner.Config{MinHeap: 1024 * mib, Percent: 100, Limit: 1 << 40}, tuned: true},
		{name: "no limit is the runtime's", want: gctuner.Config{MinHeap: 256 * mib, Percent: 100, Limit: math.MaxInt64}, tuned: true},
		{name: "zero floor leaves GOGC", flags: []string{"--gc-min-heap=0"}, limit: 1 << 40},
		{name: "GOGC in the environment wins", limit: 1 << 40, gogc: "200"},
		{name: "negative limit is refused", flags: []string{"--memory-limit=-1Gi"}, errors: 1},
		{name: "negative floor is refused", flags: []string{"--gc-min-heap=-1"}, errors: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewMemoryOptions()
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			o.AddFlags(fs)
			if err := fs.Parse(tc.flags); err != nil {
				t.Fatal(err)
			}
			if errs := o.Validate(); len(errs) != tc.errors {
				t.Fatalf("Validate() = %v, want %d errors", errs, tc.errors)
			}
			if tc.errors > 0 {
				return
			}
			got, tuned := o.tunerConfig(tc.limit, tc.gogc)
			if tuned != tc.tuned || got != tc.want {
				t.Errorf("tunerConfig() = %+v, %v; want %+v, %v", got, tuned, tc.want, tc.tuned)
			}
		})
	}
}

func TestMemoryLimitFlag(t *testing.T) {
	o := NewMemoryOptions()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--memory-limit=2Gi"}); err != nil {
		t.Fatal(err)
	}
	if got := o.limit(); got != 2<<30 {
		t.Errorf("limit() = %d, want %d", got, int64(2<<30))
	}
	if err := fs.Parse([]string{"--memory-limit=lots"}); err == nil {
		t.Error("--memory-limit=lots was accepted")
	}
}
