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
	"slices"
	"testing"

	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	"k8s.io/apiserver/pkg/audit/policy"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// TestAuditPolicyExample checks that docs/audit-policy.yaml loads as the
// server would load it from --audit-policy-file, and decides as its comments
// say.
func TestAuditPolicyExample(t *testing.T) {
	p, err := policy.LoadPolicyFromFile("../../../docs/audit-policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	evaluator := policy.NewPolicyRuleEvaluator(p)

	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"system:authenticated"}}
	pods := func(verb, subresource string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{
			User: alice, Verb: verb, Namespace: "default", APIGroup: "", APIVersion: "v1",
			Resource: "pods", Subresource: subresource, Name: "web", ResourceRequest: true,
		}
	}
	path := func(p string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{User: alice, Verb: "get", Path: p}
	}

	tests := []struct {
		name  string
		attrs authorizer.AttributesRecord
		want  auditinternal.Level
	}{
		{"patch pods/ephemeralcontainers", pods("patch", "ephemeralcontainers"), auditinternal.LevelRequestResponse},
		{"update pods/ephemeralcontainers", pods("update", "ephemeralcontainers"), auditinternal.LevelRequestResponse},
		{"get pods/ephemeralcontainers", pods("get", "ephemeralcontainers"), auditinternal.LevelRequestResponse},
		{"GET /healthz", path("/healthz"), auditinternal.LevelNone},
		{"GET /healthz/etcd", path("/healthz/etcd"), auditinternal.LevelNone},
		{"GET /readyz", path("/readyz"), auditinternal.LevelNone},
		{"GET /livez", path("/livez"), auditinternal.LevelNone},
		{"GET /version", path("/version"), auditinternal.LevelNone},
		{"watch pods", pods("watch", ""), auditinternal.LevelNone},
		{"create pods", pods("create", ""), auditinternal.LevelRequest},
		{"patch pods", pods("patch", ""), auditinternal.LevelRequest},
		{"update pods/status", pods("update", "status"), auditinternal.LevelMetadata},
		{"delete pods", pods("delete", ""), auditinternal.LevelMetadata},
		{"create pods/eviction", pods("create", "eviction"), auditinternal.LevelMetadata},
		{"get pods", pods("get", ""), auditinternal.LevelMetadata},
		{"GET /metrics", path("/metrics"), auditinternal.LevelMetadata},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := evaluator.EvaluatePolicyRule(tc.attrs)
			if got.Level != tc.want {
				t.Errorf("level %s, want %s", got.Level, tc.want)
			}
			if got.Level != auditinternal.LevelNone && !slices.Contains(got.OmitStages, auditinternal.StageRequestReceived) {
				t.Errorf("stages omitted %v, want RequestReceived among them", got.OmitStages)
			}
		})
	}
}
