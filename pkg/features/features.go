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
// Package features declares the feature gates of ephemeral-apiserver.
package features

import (
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/version"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/component-base/featuregate"
	logsapi "k8s.io/component-base/logs/api/v1"
)

const (
	// EphemeralContainers enables the pods/ephemeralcontainers subresource.
	// It is alpha and off by default, as it was when Kubernetes 1.16
	// introduced it: with the gate off the subresource is not served and
	// ephemeral containers in new pods are dropped.
	EphemeralContainers featuregate.Feature = "EphemeralContainers"
)

// featureSpecs are our gates; they join the apiserver's own gates so that
// one --feature-gates flag sets both.
var featureSpecs = map[featuregate.Feature]featuregate.VersionedSpecs{
	EphemeralContainers: {
		{Version: version.MustParse("1.16"), Default: false, PreRelease: featuregate.Alpha},
	},
}

func init() {
	utilruntime.Must(utilfeature.DefaultMutableFeatureGate.AddVersioned(featureSpecs))
	// The logging options consult their own gates on the same flag.
	utilruntime.Must(logsapi.AddFeatureGates(utilfeature.DefaultMutableFeatureGate))
}
