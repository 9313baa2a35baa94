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

package rbacrest

import (
	"context"
	"reflect"
	"sort"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/client-go/tools/cache"
)

// noStorage completes stores without any backend: these tests only look
// at how the stores are put together and at checks that run before them.
type noStorage struct{}

func (noStorage) GetRESTOptions(resource schema.GroupResource, _ runtime.Object) (generic.RESTOptions, error) {
	return generic.RESTOptions{
		StorageConfig:  &storagebackend.ConfigForResource{},
		ResourcePrefix: resource.Group + "/" + resource.Resource,
		Decorator: func(*storagebackend.ConfigForResource, string, func(runtime.Object) (string, error), func() runtime.Object, func() runtime.Object, storage.AttrFunc, storage.IndexerFuncs, *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
			return nil, func() {}, nil
		},
	}, nil
}

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := rbacv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	scheme.AddKnownTypes(schema.GroupVersion{Group: rbacv1.GroupName, Version: runtime.APIVersionInternal},
		&rbacv1.Role{}, &rbacv1.RoleList{}, &rbacv1.RoleBinding{}, &rbacv1.RoleBindingList{},
		&rbacv1.ClusterRole{}, &rbacv1.ClusterRoleList{}, &rbacv1.ClusterRoleBinding{}, &rbacv1.ClusterRoleBindingList{})
	return scheme
}

func TestNewStorage(t *testing.T) {
	storages, err := NewStorage(testScheme(t), noStorage{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range storages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"clusterrolebindings", "clusterroles", "rolebindings", "roles"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("keys %q, want %q", keys, want)
	}

	for _, tc := range []struct {
		resource   string
		singular   string
		namespaced bool
		newObj     runtime.Object
		columns    int
	}{
		{"roles", "role", true, &rbacv1.Role{}, 2},
		{"rolebindings", "rolebinding", true, &rbacv1.RoleBinding{}, 6},
		{"clusterroles", "clusterrole", false, &rbacv1.ClusterRole{}, 2},
		{"clusterrolebindings", "clusterrolebinding", false, &rbacv1.ClusterRoleBinding{}, 6},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			s := storages[tc.resource]
			if _, ok := s.(rest.StandardStorage); !ok {
				t.Fatalf("%T is not a standard storage", s)
			}
			if got := s.(rest.Scoper).NamespaceScoped(); got != tc.namespaced {
				t.Errorf("namespaced %v", got)
			}
			if got := s.(rest.SingularNameProvider).GetSingularName(); got != tc.singular {
				t.Errorf("singular name %q", got)
			}
			if got := s.New(); reflect.TypeOf(got) != reflect.TypeOf(tc.newObj) {
				t.Errorf("New() = %T", got)
			}
			table, err := s.(rest.TableConvertor).ConvertToTable(context.Background(), tc.newObj, nil)
			if err != nil || len(table.ColumnDefinitions) != tc.columns {
				t.Errorf("table %+v, %v", table, err)
			}
		})
	}
}
