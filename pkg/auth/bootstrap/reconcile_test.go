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

package bootstrap

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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/component-helpers/auth/rbac/validation"
)

var (
	clusterRolesResource        = rbacv1.SchemeGroupVersion.WithResource("clusterroles")
	clusterRoleBindingsResource = rbacv1.SchemeGroupVersion.WithResource("clusterrolebindings")
)

func getRole(t *testing.T, c *fake.Clientset, name string) *rbacv1.ClusterRole {
	t.Helper()
	r, err := c.RbacV1().ClusterRoles().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get clusterrole %s: %v", name, err)
	}
	return r
}

func getBinding(t *testing.T, c *fake.Clientset, name string) *rbacv1.ClusterRoleBinding {
	t.Helper()
	b, err := c.RbacV1().ClusterRoleBindings().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get clusterrolebinding %s: %v", name, err)
	}
	return b
}

func defaultRole(name string) rbacv1.ClusterRole {
	for _, r := range ClusterRoles() {
		if r.Name == name {
			return r
		}
	}
	panic(name)
}

// writes lists the write actions a client saw.
func writes(c *fake.Clientset) []string {
	var out []string
	for _, a := range c.Actions() {
		switch a.GetVerb() {
		case "get", "list", "watch":
			continue
		}
		name := ""
		if n, ok := a.(interface{ GetName() string }); ok {
			name = n.GetName()
		}
		if o, ok := a.(interface{ GetObject() runtime.Object }); ok && name == "" {
			if m, err := metaName(o.GetObject()); err == nil {
				name = m
			}
		}
		out = append(out, a.GetVerb()+" "+a.GetResource().Resource+" "+name)
	}
	return out
}

func metaName(o runtime.Object) (string, error) {
	if m, ok := o.(metav1.Object); ok {
		return m.GetName(), nil
	}
	return "", errors.New("no metadata")
}

// checkDefaults fails unless every default role and binding exists and
// covers the defaults, except those named in protected.
func checkDefaults(t *testing.T, c *fake.Clientset, protected ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, p := range protected {
		skip[p] = true
	}
	for _, want := range ClusterRoles() {
		if skip[want.Name] {
			continue
		}
		got := getRole(t, c, want.Name)
		if ok, missing := validation.Covers(got.Rules, want.Rules); !ok {
			t.Errorf("clusterrole %s misses %v", want.Name, missing)
		}
		if want.AggregationRule != nil && (got.AggregationRule == nil || len(got.AggregationRule.ClusterRoleSelectors) < len(want.AggregationRule.ClusterRoleSelectors)) {
			t.Errorf("clusterrole %s: aggregationRule %v", want.Name, got.AggregationRule)
		}
		for k, v := range want.Labels {
			if got.Labels[k] != v {
				t.Errorf("clusterrole %s: label %s=%q, want %q", want.Name, k, got.Labels[k], v)
			}
		}
		if got.Annotations[rbacv1.AutoUpdateAnnotationKey] != "true" {
			t.Errorf("clusterrole %s: annotations %v", want.Name, got.Annotations)
		}
	}
	for _, want := range ClusterRoleBindings() {
		if skip[want.Name] {
			continue
		}
		got := getBinding(t, c, want.Name)
		if got.RoleRef != want.RoleRef {
			t.Errorf("clusterrolebinding %s: roleRef %v", want.Name, got.RoleRef)
		}
		for _, s := range want.Subjects {
			found := false
			for _, g := range got.Subjects {
				found = found || g == s
			}
			if !found {
				t.Errorf("clusterrolebinding %s misses subject %v", want.Name, s)
			}
		}
	}
}

func TestReconcile(t *testing.T) {
	extraRule := rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"podtemplates"}}
	extraSubject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}
	protectedAnnotations := map[string]string{rbacv1.AutoUpdateAnnotationKey: "false"}

	tests := []struct {
		name      string
		objects   []runtime.Object
		reactors  func(c *fake.Clientset)
		protected []string // defaults not expected to be in place
		check     func(t *testing.T, c *fake.Clientset)
	}{
		{
			name: "empty server: everything created",
			check: func(t *testing.T, c *fake.Clientset) {
				roles, _ := c.RbacV1().ClusterRoles().List(context.Background(), metav1.ListOptions{})
				bindings, _ := c.RbacV1().ClusterRoleBindings().List(context.Background(), metav1.ListOptions{})
				if len(roles.Items) != len(ClusterRoles()) || len(bindings.Items) != len(ClusterRoleBindings()) {
					t.Errorf("%d roles and %d bindings", len(roles.Items), len(bindings.Items))
				}
			},
		},
		{
			name: "missing rules are added, extra rules kept",
			objects: []runtime.Object{&rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: "system:aggregate-to-view", Labels: map[string]string{"team": "a"}},
				Rules:      []rbacv1.PolicyRule{extraRule},
			}},
			check: func(t *testing.T, c *fake.Clientset) {
				got := getRole(t, c, "system:aggregate-to-view")
				if ok, _ := validation.Covers(got.Rules, []rbacv1.PolicyRule{extraRule}); !ok {
					t.Errorf("extra rule removed: %v", got.Rules)
				}
				if got.Labels["team"] != "a" {
					t.Errorf("own label removed: %v", got.Labels)
				}
			},
		},
		{
			name: "autoupdate=false role is left alone",
			objects: []runtime.Object{&rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: "system:aggregate-to-edit", Annotations: protectedAnnotations},
				Rules:      []rbacv1.PolicyRule{extraRule},
			}},
			protected: []string{"system:aggregate-to-edit"},
			check: func(t *testing.T, c *fake.Clientset) {
				got := getRole(t, c, "system:aggregate-to-edit")
				if !equality.Semantic.DeepEqual(got.Rules, []rbacv1.PolicyRule{extraRule}) || len(got.Labels) != 0 {
					t.Errorf("protected role changed: %v %v", got.Labels, got.Rules)
				}
			},
		},
		{
			name: "autoupdate=false aggregated role keeps its own selectors",
			objects: []runtime.Object{&rbacv1.ClusterRole{
				ObjectMeta:      metav1.ObjectMeta{Name: "view", Annotations: protectedAnnotations},
				AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"mine": "true"}}}},
			}},
			protected: []string{"view"},
			check: func(t *testing.T, c *fake.Clientset) {
				got := getRole(t, c, "view")
				if len(got.AggregationRule.ClusterRoleSelectors) != 1 || got.AggregationRule.ClusterRoleSelectors[0].MatchLabels["mine"] != "true" {
					t.Errorf("protected selectors changed: %v", got.AggregationRule)
				}
			},
		},
		{
			name: "extra subjects are kept, missing ones added",
			objects: []runtime.Object{&rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "system:public-info-viewer"},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:public-info-viewer"},
				Subjects:   []rbacv1.Subject{extraSubject},
			}},
			check: func(t *testing.T, c *fake.Clientset) {
				got := getBinding(t, c, "system:public-info-viewer")
				if len(got.Subjects) != 3 || got.Subjects[0] != extraSubject {
					t.Errorf("subjects %v", got.Subjects)
				}
			},
		},
		{
			name: "autoupdate=false binding is left alone",
			objects: []runtime.Object{&rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "system:basic-user", Annotations: protectedAnnotations},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:basic-user"},
				Subjects:   []rbacv1.Subject{extraSubject},
			}},
			protected: []string{"system:basic-user"},
			check: func(t *testing.T, c *fake.Clientset) {
				got := getBinding(t, c, "system:basic-user")
				if len(got.Subjects) != 1 || got.Subjects[0] != extraSubject {
					t.Errorf("protected binding changed: %v", got.Subjects)
				}
			},
		},
		{
			name: "binding with another roleRef is recreated",
			objects: []runtime.Object{&rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "system:discovery"},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
				Subjects:   []rbacv1.Subject{extraSubject},
			}},
		},
		{
			name: "rules of a pre-aggregation view move to system:aggregate-to-view",
			objects: []runtime.Object{&rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: "view"},
				Rules:      []rbacv1.PolicyRule{extraRule},
			}},
			check: func(t *testing.T, c *fake.Clientset) {
				got := getRole(t, c, "system:aggregate-to-view")
				if ok, _ := validation.Covers(got.Rules, []rbacv1.PolicyRule{extraRule}); !ok {
					t.Errorf("old rules not kept: %v", got.Rules)
				}
			},
		},
		{
			name: "conflicts on update are retried",
			objects: []runtime.Object{&rbacv1.ClusterRole{
				ObjectMeta: metav1.ObjectMeta{Name: "system:basic-user"},
			}},
			reactors: func(c *fake.Clientset) {
				conflicts := 2
				c.PrependReactor("update", "clusterroles", func(clienttesting.Action) (bool, runtime.Object, error) {
					if conflicts == 0 {
						return false, nil, nil
					}
					conflicts--
					return true, nil, apierrors.NewConflict(clusterRolesResource.GroupResource(), "system:basic-user", errors.New("changed meanwhile"))
				})
			},
		},
		{
			name: "another replica creates the objects first",
			reactors: func(c *fake.Clientset) {
				// Every first create of a name is beaten by "another
				// replica", whose object lacks the default rules and
				// subjects: ours must then update it.
				raced := map[string]bool{}
				race := func(gvr schema.GroupVersionResource) clienttesting.ReactionFunc {
					return func(a clienttesting.Action) (bool, runtime.Object, error) {
						obj := a.(clienttesting.CreateAction).GetObject()
						name, _ := metaName(obj)
						if raced[gvr.Resource+name] {
							return false, nil, nil
						}
						raced[gvr.Resource+name] = true
						var theirs runtime.Object
						switch o := obj.(type) {
						case *rbacv1.ClusterRole:
							theirs = &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, AggregationRule: o.AggregationRule}
						case *rbacv1.ClusterRoleBinding:
							theirs = &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: o.RoleRef}
						}
						if err := c.Tracker().Create(gvr, theirs, ""); err != nil {
							return true, nil, err
						}
						return true, nil, apierrors.NewAlreadyExists(gvr.GroupResource(), name)
					}
				}
				c.PrependReactor("create", "clusterroles", race(clusterRolesResource))
				c.PrependReactor("create", "clusterrolebindings", race(clusterRoleBindingsResource))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := fake.NewClientset(tc.objects...)
			if tc.reactors != nil {
				tc.reactors(c)
			}
			if err := Reconcile(ctx, c); err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			checkDefaults(t, c, tc.protected...)
			if tc.check != nil {
				tc.check(t, c)
			}

			// A second run, as at the next start or on another replica,
			// finds nothing to do.
			c.ClearActions()
			if err := Reconcile(ctx, c); err != nil {
				t.Fatalf("second Reconcile: %v", err)
			}
			if w := writes(c); len(w) > 0 {
				t.Errorf("second Reconcile wrote: %v", w)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// One object that cannot be written is logged, not fatal: the rest of the
// policy is there and the server starts.
func TestReconcileSurvivesOneFailingObject(t *testing.T) {
	c := fake.NewClientset()
	c.PrependReactor("create", "clusterroles", func(a clienttesting.Action) (bool, runtime.Object, error) {
		if name, _ := metaName(a.(clienttesting.CreateAction).GetObject()); name == "edit" {
			return true, nil, apierrors.NewInternalError(errors.New("storage down"))
		}
		return false, nil, nil
	})
	if err := Reconcile(context.Background(), c); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	getRole(t, c, "view")
	getBinding(t, c, "cluster-admin")
}

// Cluster roles that cannot even be listed end the wait with an error.
func TestReconcileGivesUpWithoutStorage(t *testing.T) {
	oldTimeout, oldInterval := reconcileTimeout, reconcileInterval
	reconcileTimeout, reconcileInterval = time.Second, 50*time.Millisecond
	defer func() { reconcileTimeout, reconcileInterval = oldTimeout, oldInterval }()

	c := fake.NewClientset()
	lists := 0
	c.PrependReactor("list", "clusterroles", func(clienttesting.Action) (bool, runtime.Object, error) {
		lists++
		return true, nil, apierrors.NewInternalError(errors.New("storage down"))
	})
	if err := Reconcile(context.Background(), c); err == nil {
		t.Fatalf("Reconcile succeeded")
	}
	if lists < 2 {
		t.Errorf("listed %d times, want retries", lists)
	}
}

func TestReconcileStopsWithContext(t *testing.T) {
	c := fake.NewClientset()
	c.PrependReactor("*", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewInternalError(errors.New("storage down"))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := Reconcile(ctx, c); err == nil {
		t.Fatalf("Reconcile succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Reconcile took %v after its context ended", d)
	}
}
