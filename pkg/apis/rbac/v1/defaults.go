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

// Package v1 holds the defaults of rbac.authorization.k8s.io/v1.
package v1

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// RegisterDefaults registers upstream's rbac/v1 defaulting on scheme: a
// binding's roleRef.apiGroup and a User or Group subject's apiGroup
// default to rbac.authorization.k8s.io (a ServiceAccount subject's stays
// ""). Calling it again replaces the same functions.
func RegisterDefaults(scheme *runtime.Scheme) {
	scheme.AddTypeDefaultingFunc(&rbacv1.RoleBinding{}, func(obj interface{}) {
		defaultRoleBinding(obj.(*rbacv1.RoleBinding))
	})
	scheme.AddTypeDefaultingFunc(&rbacv1.RoleBindingList{}, func(obj interface{}) {
		list := obj.(*rbacv1.RoleBindingList)
		for i := range list.Items {
			defaultRoleBinding(&list.Items[i])
		}
	})
	scheme.AddTypeDefaultingFunc(&rbacv1.ClusterRoleBinding{}, func(obj interface{}) {
		defaultClusterRoleBinding(obj.(*rbacv1.ClusterRoleBinding))
	})
	scheme.AddTypeDefaultingFunc(&rbacv1.ClusterRoleBindingList{}, func(obj interface{}) {
		list := obj.(*rbacv1.ClusterRoleBindingList)
		for i := range list.Items {
			defaultClusterRoleBinding(&list.Items[i])
		}
	})
}

func defaultRoleBinding(b *rbacv1.RoleBinding) {
	defaultRoleRef(&b.RoleRef)
	defaultSubjects(b.Subjects)
}

func defaultClusterRoleBinding(b *rbacv1.ClusterRoleBinding) {
	defaultRoleRef(&b.RoleRef)
	defaultSubjects(b.Subjects)
}

func defaultRoleRef(ref *rbacv1.RoleRef) {
	if ref.APIGroup == "" {
		ref.APIGroup = rbacv1.GroupName
	}
}

func defaultSubjects(subjects []rbacv1.Subject) {
	for i := range subjects {
		s := &subjects[i]
		if s.APIGroup == "" && (s.Kind == rbacv1.UserKind || s.Kind == rbacv1.GroupKind) {
			s.APIGroup = rbacv1.GroupName
		}
	}
}
