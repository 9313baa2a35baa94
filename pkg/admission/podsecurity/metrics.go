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

package podsecurity

import (
	"sync"

	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/metrics"
)

var (
	recorderOnce sync.Once
	recorder     *metrics.PrometheusRecorder
)

// sharedRecorder is the one metrics recorder of the process. Its counters
// (pod_security_evaluations_total, pod_security_exemptions_total,
// pod_security_errors_total) go into the legacy registry the server's
// /metrics serves; registering them a second time would panic, so every
// plugin built in the process shares them.
func sharedRecorder() metrics.Recorder {
	recorderOnce.Do(func() {
		recorder = metrics.NewPrometheusRecorder(serverVersion())
		recorder.MustRegister(legacyregistry.MustRegister)
	})
	return recorder
}

// serverVersion is the version policies newer than which the metrics label
// "future". It comes from the version stamped into the binary; a build
// without one (tests, go run) counts every version as known. The library
// indexes the minor version's digits without looking, so a stamp with a
// major but no minor version would panic; that too counts as no stamp.
func serverVersion() (v api.Version) {
	defer func() {
		if recover() != nil {
			v = api.LatestVersion()
		}
	}()
	v = api.GetAPIVersion()
	if v.Major() == 0 && v.Minor() == 0 {
		return api.LatestVersion()
	}
	return v
}
