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

package podsecurity

import (
	"context"
	"errors"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/klog/v2"
	podsecurityadmission "k8s.io/pod-security-admission/admission"
	podsecurityadmissionapi "k8s.io/pod-security-admission/admission/api"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// PluginName is the name upstream gives the same plugin.
const PluginName = "PodSecurity"

var (
	podsResource       = corev1.Resource("pods")
	namespacesResource = corev1.Resource("namespaces")
)

// Plugin is the PodSecurity admission plugin. It validates only; it never
// changes an object.
type Plugin struct {
	*admission.Handler

	delegate *podsecurityadmission.Admission
}

var (
	_ admission.ValidationInterface     = &Plugin{}
	_ admission.InitializationValidator = &Plugin{}
)

// New returns the plugin.
//
// cfg is the plugin's configuration, as LoadConfiguration reads it; nil
// means the library's defaults: every namespace without labels is
// privileged and nothing is exempt. Levels or versions left empty in cfg
// default to privileged and latest. New does not keep cfg.
//
// namespaces and pods are listers of the server's shared informers;
// namespacesSynced reports whether the namespace informer has synced (nil:
// always). client is the loopback clientset, used for a namespace the
// lister does not hold yet. pods are listed when a namespace's enforce
// level changes, to warn of those that violate it; without a pod lister
// (nil) they are listed through client, which spares the memory of a pod
// cache.
func New(cfg *podsecurityadmissionapi.PodSecurityConfiguration, namespaces corelisters.NamespaceLister, namespacesSynced func() bool, pods corelisters.PodLister, client kubernetes.Interface) (*Plugin, error) {
	if namespaces == nil || client == nil {
		return nil, fmt.Errorf("%s needs a namespace lister and a client", PluginName)
	}
	podLister := podsecurityadmission.PodListerFromClient(client)
	if pods != nil {
		podLister = podsecurityadmission.PodListerFromInformer(pods)
	}
	config, err := completeConfiguration(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s configuration error: %w", PluginName, err)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s checks: %w", PluginName, err)
	}
	p := &Plugin{
		Handler: admission.NewHandler(admission.Create, admission.Update),
		delegate: &podsecurityadmission.Admission{
			Configuration:    config,
			Evaluator:        evaluator,
			Metrics:          sharedRecorder(),
			PodSpecExtractor: podsecurityadmission.DefaultPodSpecExtractor{},
			NamespaceGetter:  podsecurityadmission.NamespaceGetterFromListerAndClient(namespaces, client),
			PodLister:        podLister,
		},
	}
	p.SetReadyFunc(namespacesSynced)
	if err := p.delegate.CompleteConfiguration(); err != nil {
		return nil, fmt.Errorf("%s configuration error: %w", PluginName, err)
	}
	if err := p.ValidateInitialization(); err != nil {
		return nil, err
	}
	return p, nil
}

// ValidateInitialization reports a plugin that cannot decide requests.
func (p *Plugin) ValidateInitialization() error {
	if err := p.delegate.ValidateConfiguration(); err != nil {
		return fmt.Errorf("%s invalid: %w", PluginName, err)
	}
	return nil
}

// handles reports whether the plugin looks at resources of gr: pods and
// their subresources, namespaces, and everything the library finds a pod
// template in (here pod templates).
func (p *Plugin) handles(gr schema.GroupResource) bool {
	return gr == podsResource || gr == namespacesResource || p.delegate.PodSpecExtractor.HasPodSpec(gr)
}

// Validate decides one request. A refusal is the library's status error:
// 403 Forbidden for a pod that violates the enforced level, 422 Invalid for
// bad namespace labels. Warnings go to the client and the library's audit
// annotations, prefixed pod-security.kubernetes.io/, to the audit event.
func (p *Plugin) Validate(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	if !p.Handles(a.GetOperation()) || !p.handles(a.GetResource().GroupResource()) {
		return nil
	}
	if skipped(a) {
		return nil
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, errors.New("not yet ready to handle request"))
	}

	result := p.delegate.Validate(ctx, attributes{a})

	for _, w := range result.Warnings {
		warning.AddWarning(ctx, "", w)
	}
	keys := make([]string, 0, len(result.AuditAnnotations))
	for k := range result.AuditAnnotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := a.AddAnnotation(api.AuditAnnotationPrefix+k, result.AuditAnnotations[k]); err != nil {
			klog.FromContext(ctx).V(2).Info("Could not add an audit annotation", "key", api.AuditAnnotationPrefix+k, "err", err)
		}
	}

	if result.Allowed {
		return nil
	}
	return refusal(a, result.Result)
}

// skipped is what the library would let through without a look, answered
// before waiting for the caches: pod subresources that cannot change the
// spec, and subresources of anything else.
func skipped(a admission.Attributes) bool {
	sub := a.GetSubresource()
	if sub == "" {
		return false
	}
	if a.GetResource().GroupResource() != podsResource {
		return true
	}
	switch sub {
	case "status", "binding", "eviction", "exec", "attach", "log", "portforward", "proxy":
		return true
	}
	// ephemeralcontainers, and any other pod subresource: evaluated, so an
	// unknown way of changing the spec fails closed.
	return false
}

// refusal turns the library's status into the error the handler returns.
// The status already reads as the API would word it, e.g.
//
//	pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "debugger" must not set securityContext.privileged=true)
//
// and is taken whole; what it leaves out comes from a generic 403.
func refusal(a admission.Attributes, status *metav1.Status) error {
	generic := admission.NewForbidden(a, errors.New("Not allowed by PodSecurity"))
	err, ok := generic.(*apierrors.StatusError)
	if !ok || status == nil {
		return generic
	}
	out := err.ErrStatus.DeepCopy()
	if status.Message != "" {
		out.Message = status.Message
	}
	if status.Reason != "" {
		out.Reason = status.Reason
	}
	if status.Details != nil {
		out.Details = status.Details.DeepCopy()
	}
	if status.Code != 0 {
		out.Code = status.Code
	}
	return &apierrors.StatusError{ErrStatus: *out}
}
