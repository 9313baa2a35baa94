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

// Package wireform serves pods/ephemeralcontainers in its Kubernetes 1.16
// wire form beside the Pod form, on the same path. Its files read in order:
//
//   - form.go: what the 1.16 form is (kind EphemeralContainers, a view on
//     the pod) and how a client asks for it.
//   - route.go: which requests are in that form, told by their body, Accept
//     or User-Agent, and the handler that sends them to its handlers.
//   - storage.go: its REST storage, a view on the Pod form's, and what
//     admission sees of its writes.
//   - handlers.go: its API handlers, and New, which builds them all before
//     the generic server is.
//
// The 1.16 types are registered in the server's scheme with the rest; the
// pod storage reports the debug containers either form adds.
package wireform
