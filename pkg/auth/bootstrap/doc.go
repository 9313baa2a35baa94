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

// Package bootstrap holds the RBAC policy every server start makes sure
// exists: the superuser role, the user-facing admin, edit and view roles
// (aggregated from the system:aggregate-to-* roles and from any role that
// carries one of the aggregate-to labels), and the roles that let every
// client discover the API, learn who it is and what it may do, and read
// the health and version endpoints.
//
// The policy follows upstream Kubernetes' bootstrap policy, cut down to
// what this server serves: the core group (pods, namespaces, events,
// podtemplates), rbac.authorization.k8s.io, authorization.k8s.io and
// authentication.k8s.io. Reconcile writes it the way upstream's
// rbac/bootstrap-roles post-start hook does: missing roles and bindings are
// created, missing rules, selectors and subjects are added, nothing is
// taken away, and objects annotated
// rbac.authorization.kubernetes.io/autoupdate=false are left alone.
package bootstrap
