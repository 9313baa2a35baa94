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
	"reflect"
	"testing"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericoptions "k8s.io/apiserver/pkg/server/options"
)

func TestWatchCacheByResource(t *testing.T) {
	events := schema.GroupResource{Resource: "events"}
	pods := schema.GroupResource{Resource: "pods"}
	tests := []struct {
		name       string
		args       []string
		wantCached map[schema.GroupResource]bool
	}{
		{name: "defaults: events as kube-apiserver, not cached", wantCached: map[schema.GroupResource]bool{events: false, pods: true}},
		{name: "events cached on request", args: []string{"--watch-cache-sizes=events#100"}, wantCached: map[schema.GroupResource]bool{events: true, pods: true}},
		{name: "no watch cache", args: []string{"--watch-cache=false"}, wantCached: map[schema.GroupResource]bool{events: false, pods: false}},
	}
	undecorated := reflect.ValueOf(generic.UndecoratedStorage).Pointer()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOptions()
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			for _, named := range o.Flags().FlagSets {
				fs.AddFlagSet(named)
			}
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			getter := &genericoptions.StorageFactoryRestOptionsFactory{
				Options:        *o.Etcd,
				StorageFactory: &genericoptions.SimpleStorageFactory{StorageConfig: o.Etcd.StorageConfig},
			}
			for resource, want := range tc.wantCached {
				opts, err := getter.GetRESTOptions(resource, &corev1.Pod{})
				if err != nil {
					t.Fatalf("GetRESTOptions(%v): %v", resource, err)
				}
				if cached := reflect.ValueOf(opts.Decorator).Pointer() != undecorated; cached != want {
					t.Errorf("%v in a watch cache = %v, want %v", resource, cached, want)
				}
			}
		})
	}
}
