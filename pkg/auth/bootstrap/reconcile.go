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
	"fmt"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	rbacclient "k8s.io/client-go/kubernetes/typed/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/reconciliation"
	"k8s.io/klog/v2"
)

// reconcileTimeout bounds how long Reconcile waits for the RBAC API to
// answer at all; a server that cannot read its roles is of no use, so the
// hook's error then ends it.
var reconcileTimeout = 30 * time.Second

// reconcileInterval is the pause between two tries to reach the RBAC API.
var reconcileInterval = time.Second

// writeBackoff paces the retries of one object's reconciliation when it
// meets a conflict: another replica, or the aggregation controller, wrote
// the object between our read and our write.
var writeBackoff = wait.Backoff{Steps: 5, Duration: 10 * time.Millisecond, Factor: 5, Jitter: 0.1}

// aggregatedRoles maps each user-facing aggregated role to the role that
// holds its own rules.
var aggregatedRoles = []struct{ aggregated, holder string }{
	{"admin", "system:aggregate-to-admin"},
	{"edit", "system:aggregate-to-edit"},
	{"view", "system:aggregate-to-view"},
}

// Reconcile makes sure the default policy of ClusterRoles and
// ClusterRoleBindings exists, the way upstream's rbac/bootstrap-roles
// post-start hook does:
//
//   - a missing role or binding is created;
//   - an existing one gets the default labels and annotations, the rules,
//     aggregation selectors and subjects it lacks; nothing is removed, so
//     rules and subjects added by an administrator survive every start;
//   - one annotated rbac.authorization.kubernetes.io/autoupdate=false is
//     not touched at all;
//   - a binding whose roleRef differs (roleRef cannot be changed) is
//     deleted and created again, unless it is protected as above.
//
// Several replicas may run it at once: a create that finds the object
// already there and an update that meets a conflict read the object again
// and retry. As upstream, it first waits (up to 30 seconds) until cluster
// roles can be listed, and fails only if they cannot; after that, every
// object is tried and one that cannot be reconciled is logged, not fatal,
// so a single bad object never keeps the server from starting.
func Reconcile(ctx context.Context, client kubernetes.Interface) error {
	logger := klog.FromContext(ctx)
	err := wait.PollUntilContextTimeout(ctx, reconcileInterval, reconcileTimeout, true, func(ctx context.Context) (bool, error) {
		if _, err := client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
			logger.Error(err, "Reading cluster roles failed; retrying")
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("unable to reconcile the default RBAC policy: cluster roles cannot be read: %w", err)
	}
	if err := reconcileOnce(ctx, client); err != nil {
		logger.Error(err, "Part of the default RBAC policy could not be reconciled")
	}
	return nil
}

// reconcileOnce makes one pass over the whole policy.
func reconcileOnce(ctx context.Context, client kubernetes.Interface) error {
	logger := klog.FromContext(ctx)
	rbac := client.RbacV1()
	var errs []error

	if err := primeAggregatedRoles(ctx, rbac); err != nil {
		errs = append(errs, fmt.Errorf("moving the rules of non-aggregated roles: %w", err))
	}

	for _, role := range ClusterRoles() {
		opts := reconciliation.ReconcileRoleOptions{
			Role:    reconciliation.ClusterRoleRuleOwner{ClusterRole: &role},
			Client:  reconciliation.ClusterRoleModifier{Client: rbac.ClusterRoles()},
			Confirm: true,
		}
		err := retryOnTransient(ctx, func() error {
			result, err := opts.Run()
			if err != nil {
				return err
			}
			switch {
			case result.Protected && result.Operation != reconciliation.ReconcileNone:
				logger.Info("Skipped reconcile-protected clusterrole", "clusterrole", role.Name,
					"missingRules", len(result.MissingRules), "missingAggregationSelectors", len(result.MissingAggregationRuleSelectors))
			case result.Operation == reconciliation.ReconcileUpdate:
				logger.V(2).Info("Updated clusterrole with missing defaults", "clusterrole", role.Name,
					"missingRules", len(result.MissingRules), "missingAggregationSelectors", len(result.MissingAggregationRuleSelectors))
			case result.Operation == reconciliation.ReconcileCreate:
				logger.V(2).Info("Created clusterrole", "clusterrole", role.Name)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("clusterrole %s: %w", role.Name, err))
		}
	}

	for _, binding := range ClusterRoleBindings() {
		opts := reconciliation.ReconcileRoleBindingOptions{
			RoleBinding: reconciliation.ClusterRoleBindingAdapter{ClusterRoleBinding: &binding},
			Client:      reconciliation.ClusterRoleBindingClientAdapter{Client: rbac.ClusterRoleBindings()},
			Confirm:     true,
		}
		err := retryOnTransient(ctx, func() error {
			result, err := opts.Run()
			if err != nil {
				return err
			}
			switch {
			case result.Protected && result.Operation != reconciliation.ReconcileNone:
				logger.Info("Skipped reconcile-protected clusterrolebinding", "clusterrolebinding", binding.Name,
					"missingSubjects", result.MissingSubjects)
			case result.Operation == reconciliation.ReconcileUpdate:
				logger.V(2).Info("Updated clusterrolebinding with missing subjects", "clusterrolebinding", binding.Name,
					"missingSubjects", result.MissingSubjects)
			case result.Operation == reconciliation.ReconcileCreate:
				logger.V(2).Info("Created clusterrolebinding", "clusterrolebinding", binding.Name)
			case result.Operation == reconciliation.ReconcileRecreate:
				logger.V(2).Info("Recreated clusterrolebinding with a different roleRef", "clusterrolebinding", binding.Name)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("clusterrolebinding %s: %w", binding.Name, err))
		}
	}
	return utilerrors.NewAggregate(errs)
}

// retryOnTransient runs fn again, after a short and growing pause, when it
// fails with an error that another writer or a busy server causes: a
// conflict, an object created meanwhile, a server not ready yet.
func retryOnTransient(ctx context.Context, fn func() error) error {
	var lastErr error
	err := wait.ExponentialBackoffWithContext(ctx, writeBackoff, func(context.Context) (bool, error) {
		lastErr = fn()
		switch {
		case lastErr == nil:
			return true, nil
		case apierrors.IsConflict(lastErr), apierrors.IsAlreadyExists(lastErr), apierrors.IsServiceUnavailable(lastErr),
			apierrors.IsTooManyRequests(lastErr), apierrors.IsServerTimeout(lastErr):
			return false, nil
		default:
			return false, lastErr
		}
	})
	if wait.Interrupted(err) && lastErr != nil {
		return lastErr
	}
	return err
}

// primeAggregatedRoles keeps the rules of an admin, edit or view role that
// predates aggregation (one without an aggregationRule, created by hand or
// by an older server): before the default gives it an aggregationRule, and
// the aggregation controller so replaces its rules, they are copied to the
// role it now aggregates, system:aggregate-to-<name>, if that does not
// exist yet. Reconciliation then adds that role's default rules and label.
// This is upstream's migration, kept so that such rules are never lost.
func primeAggregatedRoles(ctx context.Context, client rbacclient.ClusterRolesGetter) error {
	var errs []error
	for _, r := range aggregatedRoles {
		_, err := client.ClusterRoles().Get(ctx, r.holder, metav1.GetOptions{})
		if err == nil {
			continue
		}
		if !apierrors.IsNotFound(err) {
			errs = append(errs, err)
			continue
		}
		existing, err := client.ClusterRoles().Get(ctx, r.aggregated, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if existing.AggregationRule != nil {
			// Already aggregated: its rules are the controller's, nothing to keep.
			continue
		}
		klog.FromContext(ctx).Info("Moving the rules of a non-aggregated clusterrole", "from", r.aggregated, "to", r.holder)
		holder := &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{
				Name:        r.holder,
				Labels:      existing.Labels,
				Annotations: existing.Annotations,
			},
			Rules: existing.Rules,
		}
		if _, err := client.ClusterRoles().Create(ctx, holder, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			errs = append(errs, err)
		}
	}
	return utilerrors.NewAggregate(errs)
}
