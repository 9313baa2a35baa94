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
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	authorizationcel "k8s.io/apiserver/pkg/authorization/cel"
	"k8s.io/apiserver/pkg/authorization/union"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	utilwebhook "k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/apiserver/plugin/pkg/authorizer/webhook"
	webhookmetrics "k8s.io/apiserver/plugin/pkg/authorizer/webhook/metrics"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
)

// Authorization modes, as kube-apiserver names them.
const (
	ModeRBAC        = "RBAC"
	ModeAlwaysAllow = "AlwaysAllow"
	ModeWebhook     = "Webhook"
)

var authorizationModes = []string{ModeRBAC, ModeAlwaysAllow, ModeWebhook}

// AuthorizationOptions choose who may do what.
type AuthorizationOptions struct {
	// Modes are tried in order; the first to allow or deny decides.
	Modes []string

	WebhookConfigFile           string
	WebhookVersion              string
	WebhookCacheAuthorizedTTL   time.Duration
	WebhookCacheUnauthorizedTTL time.Duration
}

// NewAuthorizationOptions returns RBAC alone: kube-apiserver's own default
// is AlwaysAllow, but every real cluster runs RBAC, and so does this server
// out of the box.
func NewAuthorizationOptions() *AuthorizationOptions {
	return &AuthorizationOptions{
		Modes:                       []string{ModeRBAC},
		WebhookVersion:              "v1beta1",
		WebhookCacheAuthorizedTTL:   5 * time.Minute,
		WebhookCacheUnauthorizedTTL: 30 * time.Second,
	}
}

// AddFlags adds the authorization flags to fs.
func (o *AuthorizationOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.Modes, "authorization-mode", o.Modes,
		"Ordered list of plug-ins to do authorization on secure port. Comma-delimited list of: "+strings.Join(authorizationModes, ",")+".")
	fs.StringVar(&o.WebhookConfigFile, "authorization-webhook-config-file", o.WebhookConfigFile,
		"File with webhook configuration in kubeconfig format, used with --authorization-mode=Webhook. "+
			"The API server will query the remote service to determine access on the API server's secure port.")
	fs.StringVar(&o.WebhookVersion, "authorization-webhook-version", o.WebhookVersion,
		"The API version of the authorization.k8s.io SubjectAccessReview to send to and expect from the webhook (v1 or v1beta1).")
	fs.DurationVar(&o.WebhookCacheAuthorizedTTL, "authorization-webhook-cache-authorized-ttl", o.WebhookCacheAuthorizedTTL,
		"The duration to cache 'authorized' responses from the webhook authorizer.")
	fs.DurationVar(&o.WebhookCacheUnauthorizedTTL, "authorization-webhook-cache-unauthorized-ttl", o.WebhookCacheUnauthorizedTTL,
		"The duration to cache 'unauthorized' responses from the webhook authorizer.")
}

// Validate reports every invalid authorization option.
func (o *AuthorizationOptions) Validate() []error {
	var errs []error
	if len(o.Modes) == 0 {
		errs = append(errs, fmt.Errorf("at least one authorization-mode must be passed"))
	}
	known := sets.New(authorizationModes...)
	seen := sets.New[string]()
	for _, mode := range o.Modes {
		if !known.Has(mode) {
			errs = append(errs, fmt.Errorf("authorization-mode %q is not a valid mode, use one of %s", mode, strings.Join(authorizationModes, ",")))
		}
		if seen.Has(mode) {
			errs = append(errs, fmt.Errorf("authorization-mode %q has mode specified more than once", mode))
		}
		seen.Insert(mode)
	}
	if seen.Has(ModeWebhook) && o.WebhookConfigFile == "" {
		errs = append(errs, fmt.Errorf("authorization-mode Webhook's authorization config file not passed"))
	}
	if !seen.Has(ModeWebhook) && o.WebhookConfigFile != "" {
		errs = append(errs, fmt.Errorf("cannot specify --authorization-webhook-config-file without mode Webhook"))
	}
	if o.WebhookVersion != "v1" && o.WebhookVersion != "v1beta1" {
		errs = append(errs, fmt.Errorf("--authorization-webhook-version must be v1 or v1beta1, not %q", o.WebhookVersion))
	}
	return errs
}

// uses reports whether mode is one of the configured modes.
func (o *AuthorizationOptions) uses(mode string) bool { return slices.Contains(o.Modes, mode) }

// New builds the authorizer chain: system:masters first, then the modes in
// order. resolver is required when RBAC is one of them.
func (o *AuthorizationOptions) New(resolver *rbac.RuleResolver) (authorizer.Authorizer, authorizer.RuleResolver, error) {
	chain := []union.NamedAuthorizer{{
		AuthorizerName: "privileged-groups",
		Authorizer:     authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup),
	}}
	var ruleResolvers []authorizer.RuleResolver
	for _, mode := range o.Modes {
		switch mode {
		case ModeRBAC:
			if resolver == nil {
				return nil, nil, fmt.Errorf("authorization mode RBAC needs a rule resolver")
			}
			a := rbac.NewAuthorizer(resolver)
			chain = append(chain, union.NamedAuthorizer{AuthorizerName: "rbac", Authorizer: a})
			ruleResolvers = append(ruleResolvers, a)
		case ModeAlwaysAllow:
			a := authorizerfactory.NewAlwaysAllowAuthorizer()
			chain = append(chain, union.NamedAuthorizer{AuthorizerName: "always-allow", Authorizer: a})
			ruleResolvers = append(ruleResolvers, a)
		case ModeWebhook:
			a, err := o.newWebhook()
			if err != nil {
				return nil, nil, err
			}
			chain = append(chain, union.NamedAuthorizer{AuthorizerName: "webhook", Authorizer: a})
			ruleResolvers = append(ruleResolvers, a)
		default:
			return nil, nil, fmt.Errorf("unknown authorization mode %q", mode)
		}
	}
	authz, err := union.New(chain...)
	if err != nil {
		return nil, nil, err
	}
	return authz, union.NewRuleResolvers(ruleResolvers...), nil
}

// newWebhook asks a remote service, with SubjectAccessReviews, as
// kube-apiserver's Webhook mode does. A failing webhook has no opinion.
func (o *AuthorizationOptions) newWebhook() (*webhook.WebhookAuthorizer, error) {
	config, err := utilwebhook.LoadKubeconfig(o.WebhookConfigFile, nil)
	if err != nil {
		return nil, err
	}
	backoff := genericoptions.DefaultAuthWebhookRetryBackoff()
	return webhook.New(config, o.WebhookVersion, o.WebhookCacheAuthorizedTTL, o.WebhookCacheUnauthorizedTTL,
		*backoff, authorizer.DecisionNoOpinion, nil, "webhook", webhookmetrics.NoopAuthorizerMetrics{}, authorizationcel.NewDefaultCompiler())
}
