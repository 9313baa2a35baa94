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
	"fmt"

	podsecurityadmissionapi "k8s.io/pod-security-admission/admission/api"
	"k8s.io/pod-security-admission/admission/api/load"
	"k8s.io/pod-security-admission/api"
)

// LoadConfiguration reads a PodSecurityConfiguration file (kind
// PodSecurityConfiguration of pod-security.admission.config.k8s.io v1,
// v1beta1 or v1alpha1), applying the library's defaults to fields it leaves
// out. An empty path gives the defaults alone: privileged everywhere and no
// exemptions.
func LoadConfiguration(path string) (*podsecurityadmissionapi.PodSecurityConfiguration, error) {
	cfg, err := load.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s configuration %q: %w", PluginName, path, err)
	}
	return cfg, nil
}

// completeConfiguration returns a copy of cfg, or the library's defaults for
// nil, with every unset level "privileged" and every unset version "latest",
// as the file loader would have defaulted them; the caller's value is left
// alone.
func completeConfiguration(cfg *podsecurityadmissionapi.PodSecurityConfiguration) (*podsecurityadmissionapi.PodSecurityConfiguration, error) {
	if cfg == nil {
		return load.LoadFromData(nil)
	}
	out := cfg.DeepCopy()
	d := &out.Defaults
	for _, level := range []*string{&d.Enforce, &d.Audit, &d.Warn} {
		if *level == "" {
			*level = string(api.LevelPrivileged)
		}
	}
	for _, version := range []*string{&d.EnforceVersion, &d.AuditVersion, &d.WarnVersion} {
		if *version == "" {
			*version = api.VersionLatest
		}
	}
	return out, nil
}
