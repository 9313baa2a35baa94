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

package ephemeral

import (
	"regexp"
	"testing"
)

func TestGenerateName(t *testing.T) {
	tests := []struct {
		name     string
		suffixes []string
		taken    map[string]bool
		want     string
	}{
		{"the first draw", []string{"abcde"}, nil, "debugger-abcde"},
		{"a draw that is taken is drawn again", []string{"abcde", "fghij"}, map[string]bool{"debugger-abcde": true}, "debugger-fghij"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := randomSuffix
			defer func() { randomSuffix = saved }()
			draws := tc.suffixes
			randomSuffix = func() string { s := draws[0]; draws = draws[1:]; return s }
			if got := GenerateName(tc.taken); got != tc.want {
				t.Errorf("GenerateName = %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("kubectl debug's shape: debugger- and 5 characters a container name may have", func(t *testing.T) {
		shape := regexp.MustCompile(`^debugger-[a-z0-9]{5}$`)
		seen := map[string]bool{}
		for range 100 {
			name := GenerateName(nil)
			if !shape.MatchString(name) {
				t.Fatalf("name %q", name)
			}
			seen[name] = true
		}
		if len(seen) < 95 {
			t.Errorf("only %d distinct names in 100", len(seen))
		}
	})
}
