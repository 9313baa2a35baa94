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
	utilrand "k8s.io/apimachinery/pkg/util/rand"
)

// namePrefix and nameSuffixLength make the names kubectl debug gives the
// containers it is not told a name for: "debugger-" and 5 random
// lowercase letters and digits.
const (
	namePrefix       = "debugger-"
	nameSuffixLength = 5
)

// randomSuffix is replaced by tests.
var randomSuffix = func() string { return utilrand.String(nameSuffixLength) }

// GenerateName returns a debug container name like kubectl debug's that is
// not in taken (after a bounded number of draws it gives up and returns
// the last; the server then refuses the duplicate).
func GenerateName(taken map[string]bool) string {
	name := ""
	for range 100 {
		name = namePrefix + randomSuffix()
		if !taken[name] {
			break
		}
	}
	return name
}
