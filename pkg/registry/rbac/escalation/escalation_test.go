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

package escalation

import (
	"context"
	"errors"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
)

// The world: cluster-admin holds everything; pod-reader reads pods; in
// namespace "ns", the Role ns-writer writes config maps. "dev" may read
// pods everywhere and write config maps in "ns"; "root" is cluster-admin.
func newResolver(t *testing.T) *rbac.RuleResolver {
	t.Helper()
	add := func(ix cache.Indexer, objs ...interface{}) {
		for _, o := range objs {
			if err := ix.Add(o); err != nil {
				t.Fatal(err)
			}
		}
	}
	indexer := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	roles, bindings, clusterRoles, clusterBindings := indexer(), indexer(), indexer(), indexer()
	add(clusterRoles,
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"}, Rules: fullAuthority},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "pod-reader"}, Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
		}},
	)
	add(roles, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "ns-writer", Namespace: "ns"}, Rules: []rbacv1.PolicyRule{
		{Verbs: []string{"create", "update"}, APIGroups: []string{""}, Resources: []string{"configmaps"}},
	}})
	add(clusterBindings,
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "root"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "root"}}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "dev-reads-pods"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "pod-reader"},
			Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "dev"}}},
	)
	add(bindings, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "dev-writes", Namespace: "ns"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "ns-writer"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "dev"}}})
	return rbac.NewRuleResolver(rbac.Listers{
		Roles:               rbaclisters.NewRoleLister(roles),
		RoleBindings:        rbaclisters.NewRoleBindingLister(bindings),
		ClusterRoles:        rbaclisters.NewClusterRoleLister(clusterRoles),
		ClusterRoleBindings: rbaclisters.NewClusterRoleBindingLister(clusterBindings),
	})
}

// fakeAuthorizer allows exactly the listed verb/resource/name/namespace
// tuples and records what it was asked.
type fakeAuthorizer struct {
	allow []authorizer.AttributesRecord
	asked []authorizer.AttributesRecord
}

func (f *fakeAuthorizer) authorizer() authorizer.Authorizer {
	return authorizer.AuthorizerFunc(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		rec := authorizer.AttributesRecord{
			Verb: a.GetVerb(), APIGroup: a.GetAPIGroup(), APIVersion: a.GetAPIVersion(), Resource: a.GetResource(),
			Name: a.GetName(), Namespace: a.GetNamespace(), ResourceRequest: a.IsResourceRequest(),
		}
		f.asked = append(f.asked, rec)
		for _, ok := range f.allow {
			if reflect.DeepEqual(ok, rec) {
				return authorizer.DecisionAllow, "", nil
			}
		}
		return authorizer.DecisionNoOpinion, "", nil
	})
}

// fakeStore keeps one object and runs updates the way the generic store
// does: the update info turns the stored object into the new one.
type fakeStore struct {
	stored  runtime.Object
	created runtime.Object
}

func (s *fakeStore) New() runtime.Object { return nil }

func (s *fakeStore) Create(_ context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	s.created = obj
	return obj, nil
}

func (s *fakeStore) Update(ctx context.Context, _ string, objInfo rest.UpdatedObjectInfo, _ rest.ValidateObjectFunc, _ rest.ValidateObjectUpdateFunc, _ bool, _ *metav1.UpdateOptions) (runtime.Object, bool, error) {
	obj, err := objInfo.UpdatedObject(ctx, s.stored)
	if err != nil {
		return nil, false, err
	}
	s.stored = obj
	return obj, false, nil
}

func requestContext(name string, groups []string, namespace string, info *genericapirequest.RequestInfo) context.Context {
	ctx := genericapirequest.WithUser(context.Background(), &user.DefaultInfo{Name: name, Groups: groups})
	if namespace != "" {
		ctx = genericapirequest.WithNamespace(ctx, namespace)
	}
	if info != nil {
		ctx = genericapirequest.WithRequestInfo(ctx, info)
	}
	return ctx
}

var authenticated = []string{user.AllAuthenticated}

const clusterAdminMissing = "user \"dev\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
	"{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}"

func clusterBinding(name, role string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "someone"}}}
}

func roleBinding(name, kind, role string) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: role},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "someone"}}}
}

// wantErr compares err with the message want ("" for no error) and, for
// errors, the HTTP code.
func wantErr(t *testing.T, err error, code int32, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if err.Error() != want {
		t.Errorf("error\n got %q\nwant %q", err.Error(), want)
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Code != code {
		t.Errorf("error %v is not a %d status", err, code)
	}
}

func TestBindingCreate(t *testing.T) {
	bindClusterAdmin := authorizer.AttributesRecord{Verb: "bind", APIGroup: rbacv1.GroupName, APIVersion: "*", Resource: "clusterroles", Name: "cluster-admin", ResourceRequest: true}
	cases := []struct {
		name      string
		ctx       context.Context
		obj       runtime.Object
		allow     []authorizer.AttributesRecord
		code      int32
		want      string
		wantAsked []authorizer.AttributesRecord
	}{
		{name: "dev binds cluster-admin cluster-wide", ctx: requestContext("dev", authenticated, "", nil),
			obj: clusterBinding("dev-admin", "cluster-admin"), code: 403,
			want:      `clusterrolebindings.rbac.authorization.k8s.io "dev-admin" is forbidden: ` + clusterAdminMissing,
			wantAsked: []authorizer.AttributesRecord{bindClusterAdmin}},
		{name: "dev binds a role whose rules dev holds", ctx: requestContext("dev", authenticated, "", nil),
			obj: clusterBinding("readers", "pod-reader")},
		{name: "dev may bind cluster-admin", ctx: requestContext("dev", authenticated, "", nil),
			obj: clusterBinding("dev-admin", "cluster-admin"), allow: []authorizer.AttributesRecord{bindClusterAdmin}},
		{name: "system:masters skip every check", ctx: requestContext("boss", []string{user.SystemPrivilegedGroup}, "", nil),
			obj: clusterBinding("boss-admin", "cluster-admin"), wantAsked: []authorizer.AttributesRecord{}},
		{name: "root holds everything", ctx: requestContext("root", authenticated, "", nil),
			obj: clusterBinding("x", "cluster-admin")},
		{name: "missing cluster role", ctx: requestContext("dev", authenticated, "", nil),
			obj: clusterBinding("x", "nope"), code: 404, want: `clusterrole.rbac.authorization.k8s.io "nope" not found`},
		{name: "dev binds its namespace role in the namespace", ctx: requestContext("dev", authenticated, "ns", nil),
			obj: roleBinding("w", "Role", "ns-writer")},
		{name: "dev binds a cluster role in a namespace", ctx: requestContext("dev", authenticated, "ns", nil),
			obj: roleBinding("r", "ClusterRole", "pod-reader")},
		{name: "the namespace role does not exist elsewhere", ctx: requestContext("dev", authenticated, "other", nil),
			obj: roleBinding("w", "Role", "ns-writer"), code: 404, want: `role.rbac.authorization.k8s.io "ns-writer" not found`},
		{name: "dev binds cluster-admin in a namespace", ctx: requestContext("dev", authenticated, "ns", nil),
			obj: roleBinding("a", "ClusterRole", "cluster-admin"), code: 403,
			want:      `rolebindings.rbac.authorization.k8s.io "a" is forbidden: ` + clusterAdminMissing,
			wantAsked: []authorizer.AttributesRecord{{Verb: "bind", APIGroup: rbacv1.GroupName, APIVersion: "*", Resource: "clusterroles", Name: "cluster-admin", Namespace: "ns", ResourceRequest: true}}},
		{name: "bind permission in the binding's namespace", ctx: requestContext("dev", authenticated, "ns", nil),
			obj:   roleBinding("a", "ClusterRole", "cluster-admin"),
			allow: []authorizer.AttributesRecord{{Verb: "bind", APIGroup: rbacv1.GroupName, APIVersion: "*", Resource: "clusterroles", Name: "cluster-admin", Namespace: "ns", ResourceRequest: true}}},
		{name: "role binding without a namespace", ctx: requestContext("dev", authenticated, "", nil),
			obj: roleBinding("a", "Role", "ns-writer"), code: 400, want: "namespace is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			authz := &fakeAuthorizer{allow: tc.allow}
			checker := NewChecker(authz.authorizer(), newResolver(t))
			store := &fakeStore{}
			var guarded *Guarded
			if _, ok := tc.obj.(*rbacv1.RoleBinding); ok {
				guarded = checker.RoleBindings(store)
			} else {
				guarded = checker.ClusterRoleBindings(store)
			}
			_, err := guarded.Create(tc.ctx, tc.obj, nil, &metav1.CreateOptions{})
			wantErr(t, err, tc.code, tc.want)
			if (err == nil) != (store.created != nil) {
				t.Errorf("store saw create: %v, error: %v", store.created != nil, err)
			}
			if tc.wantAsked != nil && !reflect.DeepEqual(authz.asked, tc.wantAsked) && !(len(tc.wantAsked) == 0 && len(authz.asked) == 0) {
				t.Errorf("authorizer asked %+v, want %+v", authz.asked, tc.wantAsked)
			}
		})
	}
}

func TestRoleCreate(t *testing.T) {
	configMapWriter := []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}}
	secretReader := []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}}}
	rolesInfo := &genericapirequest.RequestInfo{IsResourceRequest: true, Verb: "create", APIGroup: rbacv1.GroupName, APIVersion: "v1", Resource: "roles", Namespace: "ns"}
	clusterRolesInfo := &genericapirequest.RequestInfo{IsResourceRequest: true, Verb: "create", APIGroup: rbacv1.GroupName, APIVersion: "v1", Resource: "clusterroles"}
	escalateRoles := authorizer.AttributesRecord{Verb: "escalate", APIGroup: rbacv1.GroupName, APIVersion: "*", Resource: "roles", Namespace: "ns", ResourceRequest: true}
	aggregate := &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"a": "b"}}}}
	cases := []struct {
		name  string
		ctx   context.Context
		obj   runtime.Object
		allow []authorizer.AttributesRecord
		code  int32
		want  string
	}{
		{name: "role within what dev holds in the namespace", ctx: requestContext("dev", authenticated, "ns", rolesInfo),
			obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: configMapWriter}},
		{name: "the same role in another namespace", ctx: requestContext("dev", authenticated, "other", rolesInfo),
			obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: configMapWriter}, code: 403,
			want: "roles.rbac.authorization.k8s.io \"r\" is forbidden: user \"dev\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
				`{APIGroups:[""], Resources:["configmaps"], Verbs:["create"]}`},
		{name: "secrets are beyond dev", ctx: requestContext("dev", authenticated, "ns", rolesInfo),
			obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: secretReader}, code: 403,
			want: "roles.rbac.authorization.k8s.io \"r\" is forbidden: user \"dev\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
				`{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`},
		{name: "dev may escalate roles in the namespace", ctx: requestContext("dev", authenticated, "ns", rolesInfo),
			obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: secretReader}, allow: []authorizer.AttributesRecord{escalateRoles}},
		{name: "escalate is judged from the request, not the object", ctx: requestContext("dev", authenticated, "ns", nil),
			obj: &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: secretReader}, allow: []authorizer.AttributesRecord{escalateRoles}, code: 403,
			want: "roles.rbac.authorization.k8s.io \"r\" is forbidden: user \"dev\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
				`{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`},
		{name: "cluster role beyond dev", ctx: requestContext("dev", authenticated, "", clusterRolesInfo),
			obj: &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "all"}, Rules: fullAuthority}, code: 403,
			want: `clusterroles.rbac.authorization.k8s.io "all" is forbidden: ` + clusterAdminMissing},
		{name: "aggregating cluster role needs everything", ctx: requestContext("dev", authenticated, "", clusterRolesInfo),
			obj: &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "agg"}, AggregationRule: aggregate}, code: 403,
			want: `clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule`},
		{name: "an empty aggregation rule aggregates nothing", ctx: requestContext("dev", authenticated, "", clusterRolesInfo),
			obj: &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "agg"}, AggregationRule: &rbacv1.AggregationRule{}}},
		{name: "root may aggregate", ctx: requestContext("root", authenticated, "", clusterRolesInfo),
			obj: &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "agg"}, AggregationRule: aggregate}},
		{name: "escalate on cluster roles skips the aggregation check too", ctx: requestContext("dev", authenticated, "", clusterRolesInfo),
			obj:   &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "agg"}, AggregationRule: aggregate, Rules: fullAuthority},
			allow: []authorizer.AttributesRecord{{Verb: "escalate", APIGroup: rbacv1.GroupName, APIVersion: "*", Resource: "clusterroles", ResourceRequest: true}}},
		{name: "system:masters", ctx: requestContext("boss", []string{user.SystemPrivilegedGroup}, "", clusterRolesInfo),
			obj: &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "agg"}, AggregationRule: aggregate, Rules: fullAuthority}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			authz := &fakeAuthorizer{allow: tc.allow}
			checker := NewChecker(authz.authorizer(), newResolver(t))
			store := &fakeStore{}
			guarded := checker.ClusterRoles(store)
			if _, ok := tc.obj.(*rbacv1.Role); ok {
				guarded = checker.Roles(store)
			}
			_, err := guarded.Create(tc.ctx, tc.obj, nil, &metav1.CreateOptions{})
			wantErr(t, err, tc.code, tc.want)
		})
	}
}

func TestUpdate(t *testing.T) {
	dev := requestContext("dev", authenticated, "", &genericapirequest.RequestInfo{IsResourceRequest: true, Verb: "update", APIGroup: rbacv1.GroupName, Resource: "clusterroles", Name: "r"})
	aggregate := &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"a": "b"}}}}
	admins := clusterBinding("admins", "cluster-admin")
	admins.ResourceVersion = "5"
	podRole := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r", ResourceVersion: "5"}, Rules: []rbacv1.PolicyRule{
		{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}},
	}}
	cases := []struct {
		name   string
		stored runtime.Object
		edit   func(runtime.Object)
		want   string
	}{
		{name: "adding a subject to a cluster-admin binding", stored: admins, edit: func(o runtime.Object) {
			b := o.(*rbacv1.ClusterRoleBinding)
			b.Subjects = append(b.Subjects, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: "dev"})
		}, want: `clusterrolebindings.rbac.authorization.k8s.io "admins" is forbidden: ` + clusterAdminMissing},
		{name: "garbage collector fields only", stored: admins, edit: func(o runtime.Object) {
			b := o.(*rbacv1.ClusterRoleBinding)
			b.Finalizers = []string{"example.com/hold"}
			b.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Namespace", Name: "ns", UID: "u"}}
		}},
		{name: "labels are not garbage collector fields", stored: admins, edit: func(o runtime.Object) {
			o.(*rbacv1.ClusterRoleBinding).Labels = map[string]string{"a": "b"}
		}, want: `clusterrolebindings.rbac.authorization.k8s.io "admins" is forbidden: ` + clusterAdminMissing},
		{name: "narrowing a role dev holds", stored: podRole, edit: func(o runtime.Object) {
			o.(*rbacv1.ClusterRole).Labels = map[string]string{"a": "b"}
		}},
		{name: "adding an aggregation rule", stored: podRole, edit: func(o runtime.Object) {
			o.(*rbacv1.ClusterRole).AggregationRule = aggregate
		}, want: `clusterroles.rbac.authorization.k8s.io "r" is forbidden: must have cluster-admin privileges to use the aggregationRule`},
		{name: "removing an aggregation rule", stored: func() runtime.Object {
			r := podRole.DeepCopy()
			r.AggregationRule = aggregate
			return r
		}(), edit: func(o runtime.Object) {
			o.(*rbacv1.ClusterRole).AggregationRule = nil
		}, want: `clusterroles.rbac.authorization.k8s.io "r" is forbidden: must have cluster-admin privileges to use the aggregationRule`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checker := NewChecker(nil, newResolver(t))
			store := &fakeStore{stored: tc.stored}
			guarded := checker.ClusterRoles(store)
			if _, ok := tc.stored.(*rbacv1.ClusterRoleBinding); ok {
				guarded = checker.ClusterRoleBindings(store)
			}
			// Like a patch: the new object is made from the stored one.
			info := rest.DefaultUpdatedObjectInfo(nil, func(_ context.Context, _, old runtime.Object) (runtime.Object, error) {
				obj := old.DeepCopyObject()
				tc.edit(obj)
				return obj, nil
			})
			_, _, err := guarded.Update(dev, "x", info, nil, nil, false, &metav1.UpdateOptions{})
			wantErr(t, err, 403, tc.want)
			if err != nil && store.stored != tc.stored {
				t.Errorf("a refused update reached the store")
			}
		})
	}
}

func TestOnlyGCFieldsChanged(t *testing.T) {
	base := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"}}
	withFinalizer := base.DeepCopy()
	withFinalizer.Finalizers = []string{"a/b"}
	withRule := base.DeepCopy()
	withRule.Rules = []rbacv1.PolicyRule{{Verbs: []string{"get"}}}
	for _, tc := range []struct {
		name     string
		obj, old runtime.Object
		want     bool
	}{
		{"no old object", base, nil, false},
		{"identical", base, base.DeepCopy(), true},
		{"finalizer added", withFinalizer, base, true},
		{"rule added", withRule, base, false},
	} {
		if got := onlyGCFieldsChanged(tc.obj, tc.old); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
