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

// Package podsecurity is the PodSecurity admission plugin: it enforces the
// Pod Security Standards on pods (including ephemeral containers added
// through pods/ephemeralcontainers), warns and audits about pod templates,
// and checks the pod-security.kubernetes.io labels of namespaces.
//
// The decisions themselves are made by k8s.io/pod-security-admission; this
// package only adapts the library to the generic apiserver's admission
// chain: it feeds it the server's informers and loopback client, turns its
// responses into API errors, client warnings and audit annotations, and
// gives it whole pods for the Kubernetes 1.16 form of
// pods/ephemeralcontainers, whose objects only carry the container list.
package podsecurity
