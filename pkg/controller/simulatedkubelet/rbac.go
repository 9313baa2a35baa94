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

package simulatedkubelet

import (
	"context"
	"fmt"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// ClusterRoleName is the role the simulated kubelet's user is bound to.
const ClusterRoleName = "system:simulated-kubelet"

// ClusterRole is what the simulated kubelet does: read pods, bind them to
// its node, write their status, record events, and delete the pods it has
// stopped.
func ClusterRole() *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: ClusterRoleName, Labels: bootstrapLabels()},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch", "delete"}},
			{APIGroups: []string{""}, Resources: []string{"pods/status"}, Verbs: []string{"get", "update", "patch"}},
			{APIGroups: []string{""}, Resources: []string{"pods/binding"}, Verbs: []string{"create"}},
			{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch", "update"}},
		},
	}
}

// ClusterRoleBinding binds ClusterRole to the user of node's kubelet.
func ClusterRoleBinding(node string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: ClusterRoleName + ":" + node, Labels: bootstrapLabels()},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ClusterRoleName},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: UserName(node)}},
	}
}

func bootstrapLabels() map[string]string {
	return map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}
}

// authorizationWait bounds how long EnsureAuthorized waits for the
// authorizer to see the new binding.
const authorizationWait = 30 * time.Second

// EnsureAuthorized creates (or restores) the role and the binding of node's
// kubelet through an admin client, and waits until the authorizer lets the
// kubelet watch pods, so that it starts without a refusal.
func EnsureAuthorized(ctx context.Context, admin kubernetes.Interface, node string) error {
	rbac := admin.RbacV1()
	role := ClusterRole()
	if _, err := rbac.ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
		existing, err := rbac.ClusterRoles().Get(ctx, role.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		existing.Rules = role.Rules
		if _, err := rbac.ClusterRoles().Update(ctx, existing, metav1.UpdateOptions{}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	binding := ClusterRoleBinding(node)
	if _, err := rbac.ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}

	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:               UserName(node),
		Groups:             []string{NodesGroup},
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "watch", Resource: "pods"},
	}}
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, authorizationWait, true, func(ctx context.Context) (bool, error) {
		answer, err := admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		return err == nil && answer.Status.Allowed, nil
	})
	if err != nil {
		return fmt.Errorf("the simulated kubelet of %s was not authorized to watch pods: %w", node, err)
	}
	return nil
}
