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

package apiserver

import (
	"testing"
)

// FuzzCountValues: counting never panics, and a count under the limit is
// the whole count.
func FuzzCountValues(f *testing.F) {
	for _, seed := range []string{
		"a: 1\nb: [1, 2]\n",
		`{"a":{"b":[1,2,{"c":null}]}}`,
		aliasBomb(50, 40),
		"a: &a [*a]\n",
		"- &x {k: *x}\n",
		"!!set {a, b}\n",
		"? [1]\n: 2\n",
		"[",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n := countValues(body, 1000)
		if n < 0 {
			t.Fatalf("count %d", n)
		}
		if n <= 1000 {
			if whole := countValues(body, 1<<30); whole != n {
				t.Fatalf("count %d under the limit, %d without it", n, whole)
			}
		}
	})
}
