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

package clusterroleaggregation

import (
	"context"
	"errors"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/component-helpers/auth/rbac/validation"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/bootstrap"
)

func rule(verb, resource string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: []string{verb}, APIGroups: []string{""}, Resources: []string{resource}}
}

func role(name string, labels map[string]string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, ResourceVersion: "1"}, Rules: rules}
}

func aggregated(name string, labels map[string]string, selectors ...map[string]string) *rbacv1.ClusterRole {
	r := role(name, labels)
	r.AggregationRule = &rbacv1.AggregationRule{}
	for _, s := range selectors {
		r.AggregationRule.ClusterRoleSelectors = append(r.AggregationRule.ClusterRoleSelectors, metav1.LabelSelector{MatchLabels: s})
	}
	return r
}

func TestSync(t *testing.T) {
	toA := map[string]string{"to": "a"}
	toB := map[string]string{"to": "b"}
	get, list, create := rule("get", "pods"), rule("list", "pods"), rule("create", "pods")

	tests := []struct {
		name    string
		objects []*rbacv1.ClusterRole
		sync    string
		// conflicts is how many updates fail with a conflict first.
		conflicts int
		// wantRules are the rules the role is written with; nil: no write.
		wantRules []rbacv1.PolicyRule
		wantErr   bool
	}{
		{name: "missing role", sync: "agg"},
		{name: "not aggregated", objects: []*rbacv1.ClusterRole{role("agg", nil, get), role("src", toA, list)}, sync: "agg"},
		{
			name:      "union of the matched roles, by name, each rule once",
			objects:   []*rbacv1.ClusterRole{aggregated("agg", nil, toA), role("zeta", toA, get, create), role("alpha", toA, list, get), role("other", toB, rule("delete", "pods"))},
			sync:      "agg",
			wantRules: []rbacv1.PolicyRule{list, get, create},
		},
		{
			name:      "selectors in order, roles by name within each",
			objects:   []*rbacv1.ClusterRole{aggregated("agg", nil, toB, toA), role("a1", toA, get), role("b1", toB, create), role("b2", toB, list)},
			sync:      "agg",
			wantRules: []rbacv1.PolicyRule{create, list, get},
		},
		{
			name:      "a role matched by two selectors counts once",
			objects:   []*rbacv1.ClusterRole{aggregated("agg", nil, toA, map[string]string{"x": "y"}), role("src", map[string]string{"to": "a", "x": "y"}, get)},
			sync:      "agg",
			wantRules: []rbacv1.PolicyRule{get},
		},
		{
			name: "the role itself is left out even when it matches",
			objects: []*rbacv1.ClusterRole{func() *rbacv1.ClusterRole {
				r := aggregated("agg", toA, toA)
				r.Rules = []rbacv1.PolicyRule{create}
				return r
			}(), role("src", toA, get)},
			sync:      "agg",
			wantRules: []rbacv1.PolicyRule{get},
		},
		{
			name: "already up to date: no write",
			objects: []*rbacv1.ClusterRole{func() *rbacv1.ClusterRole {
				r := aggregated("agg", nil, toA)
				r.Rules = []rbacv1.PolicyRule{get, list}
				return r
			}(), role("s1", toA, get), role("s2", toA, list)},
			sync: "agg",
		},
		{
			name: "rules of roles no longer matched go",
			objects: []*rbacv1.ClusterRole{func() *rbacv1.ClusterRole {
				r := aggregated("agg", nil, toA)
				r.Rules = []rbacv1.PolicyRule{get, create}
				return r
			}(), role("s1", toA, get), role("gone", nil, create)},
			sync:      "agg",
			wantRules: []rbacv1.PolicyRule{get},
		},
		{
			name: "nothing matched: rules emptied",
			objects: []*rbacv1.ClusterRole{func() *rbacv1.ClusterRole {
				r := aggregated("agg", nil, toA)
				r.Rules = []rbacv1.PolicyRule{get}
				return r
			}()},
			sync:      "agg",
			wantRules: []rbacv1.PolicyRule{},
		},
		{name: "nothing matched and no rules: no write", objects: []*rbacv1.ClusterRole{aggregated("agg", nil, toA)}, sync: "agg"},
		{
			name:      "conflicts are retried against the stored role",
			objects:   []*rbacv1.ClusterRole{aggregated("agg", nil, toA), role("src", toA, get)},
			sync:      "agg",
			conflicts: 2,
			wantRules: []rbacv1.PolicyRule{get},
		},
		{
			name:      "endless conflicts are left to the queue",
			objects:   []*rbacv1.ClusterRole{aggregated("agg", nil, toA), role("src", toA, get)},
			sync:      "agg",
			conflicts: 100,
			wantErr:   true,
		},
		{
			name: "invalid selector",
			objects: []*rbacv1.ClusterRole{func() *rbacv1.ClusterRole {
				r := aggregated("agg", nil)
				r.AggregationRule.ClusterRoleSelectors = []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: "Bogus"}}}}
				return r
			}()},
			sync:    "agg",
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var objects []runtime.Object
			for _, o := range tc.objects {
				objects = append(objects, o)
			}
			client := fake.NewClientset(objects...)
			conflicts := tc.conflicts
			var written []*rbacv1.ClusterRole
			client.PrependReactor("update", "clusterroles", func(a clienttesting.Action) (bool, runtime.Object, error) {
				obj := a.(clienttesting.UpdateAction).GetObject().(*rbacv1.ClusterRole)
				if conflicts > 0 {
					conflicts--
					return true, nil, apierrors.NewConflict(rbacv1.Resource("clusterroles"), obj.Name, errors.New("changed meanwhile"))
				}
				written = append(written, obj)
				return false, nil, nil
			})
			informer := informers.NewSharedInformerFactory(client, 0).Rbac().V1().ClusterRoles()
			for _, o := range tc.objects {
				if err := informer.Informer().GetIndexer().Add(o); err != nil {
					t.Fatal(err)
				}
			}
			c := NewController(informer, client.RbacV1())
			err := c.Sync(context.Background(), tc.sync)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Sync: %v, want error %v", err, tc.wantErr)
			}
			switch {
			case tc.wantRules == nil && len(written) > 0:
				t.Errorf("unexpected write: %v", written[0].Rules)
			case tc.wantRules != nil && len(written) != 1:
				t.Errorf("%d writes, want 1", len(written))
			case tc.wantRules != nil:
				if !equality.Semantic.DeepEqual(written[0].Rules, tc.wantRules) || len(written[0].Rules) != len(tc.wantRules) {
					t.Errorf("rules %v, want %v", written[0].Rules, tc.wantRules)
				}
				if written[0].AggregationRule == nil {
					t.Errorf("aggregationRule lost")
				}
				if written[0].ResourceVersion == "" {
					t.Errorf("update without a resourceVersion would not detect conflicts")
				}
			}
		})
	}
}

// TestRun runs the controller on the bootstrap roles plus labelled roles
// of its own, and follows changes to them.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var objects []runtime.Object
	for _, r := range bootstrap.ClusterRoles() {
		objects = append(objects, &r)
	}
	client := fake.NewClientset(objects...)
	factory := informers.NewSharedInformerFactory(client, 0)
	c := NewController(factory.Rbac().V1().ClusterRoles(), client.RbacV1())
	factory.Start(ctx.Done())
	done := make(chan struct{})
	go func() {
		c.Run(ctx, 2)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
		factory.Shutdown()
	}()

	roles := client.RbacV1().ClusterRoles()
	rulesOf := func(name string) []rbacv1.PolicyRule {
		r, err := roles.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		return r.Rules
	}
	covers := func(name string, rules []rbacv1.PolicyRule) bool {
		ok, _ := validation.Covers(rulesOf(name), rules)
		return ok
	}
	// eventually waits until every role in want covers its rules and no
	// role in wantNot covers its rules.
	eventually := func(step string, want, wantNot map[string][]rbacv1.PolicyRule) {
		t.Helper()
		err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
			for name, rules := range want {
				if !covers(name, rules) {
					return false, nil
				}
			}
			for name, rules := range wantNot {
				if covers(name, rules) {
					return false, nil
				}
			}
			return true, nil
		})
		if err != nil {
			for name := range want {
				t.Logf("%s: %v", name, rulesOf(name))
			}
			t.Fatalf("%s: %v", step, err)
		}
	}
	defaultRules := func(name string) []rbacv1.PolicyRule {
		for _, r := range bootstrap.ClusterRoles() {
			if r.Name == name {
				return r.Rules
			}
		}
		t.Fatalf("no bootstrap role %s", name)
		return nil
	}
	viewRules, editRules, adminRules := defaultRules("system:aggregate-to-view"), defaultRules("system:aggregate-to-edit"), defaultRules("system:aggregate-to-admin")

	// The bootstrap roles nest: admin ⊇ edit ⊇ view.
	eventually("bootstrap aggregation", map[string][]rbacv1.PolicyRule{
		"view":  viewRules,
		"edit":  append(append([]rbacv1.PolicyRule{}, viewRules...), editRules...),
		"admin": append(append(append([]rbacv1.PolicyRule{}, viewRules...), editRules...), adminRules...),
	}, map[string][]rbacv1.PolicyRule{
		"view": editRules,
		"edit": adminRules,
	})
	if got := rulesOf("view"); !equality.Semantic.DeepEqual(got, viewRules) {
		t.Errorf("view: %v, want exactly %v", got, viewRules)
	}

	// A labelled role of one's own reaches view and, through it, edit and
	// admin.
	crd := rule("get", "widgets")
	crd.APIGroups = []string{"example.com"}
	if _, err := roles.Create(ctx, role("widgets-view", map[string]string{bootstrap.AggregateToViewLabel: "true"}, crd), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	one := []rbacv1.PolicyRule{crd}
	eventually("labelled role added", map[string][]rbacv1.PolicyRule{"view": one, "edit": one, "admin": one}, nil)

	// Changing its rules re-aggregates.
	crdWrite := rule("update", "widgets")
	crdWrite.APIGroups = []string{"example.com"}
	r, err := roles.Get(ctx, "widgets-view", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Rules = []rbacv1.PolicyRule{crdWrite}
	if _, err := roles.Update(ctx, r, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	two := []rbacv1.PolicyRule{crdWrite}
	eventually("labelled role changed", map[string][]rbacv1.PolicyRule{"view": two, "edit": two, "admin": two},
		map[string][]rbacv1.PolicyRule{"view": one, "edit": one, "admin": one})

	// Moving it from view to admin takes it out of view and edit.
	r, err = roles.Get(ctx, "widgets-view", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Labels = map[string]string{bootstrap.AggregateToAdminLabel: "true"}
	if _, err := roles.Update(ctx, r, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually("label moved", map[string][]rbacv1.PolicyRule{"admin": two}, map[string][]rbacv1.PolicyRule{"view": two, "edit": two})

	// Deleting it takes it out everywhere.
	if err := roles.Delete(ctx, "widgets-view", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually("labelled role deleted", nil, map[string][]rbacv1.PolicyRule{"view": two, "edit": two, "admin": two})

	// A change made behind the controller's back is undone.
	r, err = roles.Get(ctx, "view", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Rules = append(r.Rules, rule("*", "*"))
	if _, err := roles.Update(ctx, r, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually("stray rule removed", nil, map[string][]rbacv1.PolicyRule{"view": {rule("*", "*")}})
	if got := rulesOf("view"); !equality.Semantic.DeepEqual(got, viewRules) {
		t.Errorf("view: %v, want exactly %v", got, viewRules)
	}
}
