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
// Package server holds the command line of ephemeral-apiserver and the
// options lifecycle: NewOptions, Complete, Validate, Config, Run.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/uuid"
	apiserverconfig "k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/group"
	"k8s.io/apiserver/pkg/authentication/request/anonymous"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	"k8s.io/apiserver/pkg/authentication/request/union"
	"k8s.io/apiserver/pkg/authentication/request/x509"
	"k8s.io/apiserver/pkg/authentication/token/tokenfile"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"
	netutils "k8s.io/utils/net"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apiserver"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apiserver/wireform"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/certcache"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/auth/rbac"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/controller/simulatedkubelet"
	generatedopenapi "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/generated/openapi"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/storage/embeddedetcd"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/storage/etcdretry"
)

// defaultEtcdPrefix is where objects live in etcd, as in Kubernetes.
const defaultEtcdPrefix = "/registry"

// informerResync is how often the server's informers replay their caches.
const informerResync = 10 * time.Minute

// anonymousPaths are the only paths an unauthenticated client may use when
// AlwaysAllow is an authorization mode.
var anonymousPaths = []string{"/healthz", "/livez", "/readyz", "/version"}

// Options is everything the command line can set.
type Options struct {
	ServerRun     *genericoptions.ServerRunOptions
	Etcd          *genericoptions.EtcdOptions
	SecureServing *genericoptions.SecureServingOptions
	Audit         *genericoptions.AuditOptions
	Authorization *AuthorizationOptions
	Features      *genericoptions.FeatureOptions
	Logs          *logs.Options

	// DataDir holds the embedded etcd, the generated certificates and
	// admin.kubeconfig.
	DataDir string
	// ClientCAFile verifies client certificates; the CA generated in the
	// data dir is used when empty.
	ClientCAFile string
	// TokenAuthFile is a static token file (token,user,uid,"group1,group2").
	TokenAuthFile string
	// AnonymousAuth lets requests without credentials in as
	// system:anonymous.
	AnonymousAuth bool
	// AllowPrivileged lets containers run privileged.
	AllowPrivileged bool
	// EphemeralContainersGetForm chooses the form of GETs of
	// pods/ephemeralcontainers.
	EphemeralContainersGetForm wireform.GetForm
	// EventTTL is how long events are kept.
	EventTTL time.Duration
	// PodSecurityConfigFile is a PodSecurityConfiguration for Pod Security
	// admission: defaults and exemptions.
	PodSecurityConfigFile string
	// SimulatedKubelet plays the kubelet of one node, for testing clients.
	SimulatedKubelet SimulatedKubeletOptions
	// Memory is the process's memory policy, applied by the command.
	Memory *MemoryOptions

	// embeddedEtcd is set by Complete when no --etcd-servers are given.
	embeddedEtcd bool
}

// NewOptions returns the options with their defaults.
func NewOptions() *Options {
	serving := genericoptions.NewSecureServingOptions()
	serving.BindPort = 6443
	serving.BindAddress = netutils.ParseIPSloppy("127.0.0.1")
	// Certificates are ours to generate in the data dir, not in the CWD.
	serving.ServerCert.CertDirectory = ""

	etcd := genericoptions.NewEtcdOptions(storagebackend.NewDefaultConfig(defaultEtcdPrefix, apiserver.StorageCodec))
	etcd.DefaultStorageMediaType = runtime.ContentTypeProtobuf
	// Events are written once and rarely read: as in kube-apiserver, they
	// are not kept in a watch cache (which would decode and hold every one
	// for its TTL); --watch-cache-sizes can still turn it on.
	etcd.WatchCacheSizes = []string{"events#0"}

	features := genericoptions.NewFeatureOptions()
	// API Priority and Fairness needs the flowcontrol API, which this server
	// does not serve; --max-requests-inflight limits load instead.
	features.EnablePriorityAndFairness = false

	return &Options{
		ServerRun:     genericoptions.NewServerRunOptions(),
		Etcd:          etcd,
		SecureServing: serving,
		Audit:         genericoptions.NewAuditOptions(),
		Authorization: NewAuthorizationOptions(),
		Features:      features,
		Logs:          logs.NewOptions(),
		DataDir:       ".ephemeral-apiserver",
		AnonymousAuth: true,
		EventTTL:      apiserver.DefaultEventTTL,

		SimulatedKubelet: SimulatedKubeletOptions{NodeName: simulatedkubelet.DefaultNodeName},
		Memory:           NewMemoryOptions(),

		EphemeralContainersGetForm: wireform.GetFormAuto,
	}
}

// Flags returns the flags grouped in sections for --help.
func (o *Options) Flags() cliflag.NamedFlagSets {
	var fss cliflag.NamedFlagSets
	fs := fss.FlagSet("ephemeral-apiserver")
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir,
		"Directory for the embedded etcd's data, the generated certificates and admin.kubeconfig.")
	fs.BoolVar(&o.AllowPrivileged, "allow-privileged", o.AllowPrivileged,
		"If true, allow privileged containers.")
	fs.Var(&o.EphemeralContainersGetForm, "ephemeral-containers-get-form",
		"Form of GET pods/{name}/ephemeralcontainers: 'pod' answers the Pod (Kubernetes 1.22+), 'legacy' kind EphemeralContainers (1.16-1.21), "+
			"'auto' the Pod unless the request's Accept has the parameter "+wireform.LegacyFormAcceptParameter+" or its User-Agent is kubectl 1.16-1.21. "+
			"Writes are always served in the form their body speaks.")

	fs.DurationVar(&o.EventTTL, "event-ttl", o.EventTTL,
		"Amount of time to retain events.")
	fs.StringVar(&o.PodSecurityConfigFile, "pod-security-config-file", o.PodSecurityConfigFile,
		"File with a PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1): the Pod Security levels of namespaces without labels, and exemptions. "+
			"Without it every namespace is privileged unless its pod-security.kubernetes.io/{enforce,audit,warn} labels say otherwise.")

	o.ServerRun.AddUniversalFlags(fss.FlagSet("generic"))
	o.Etcd.AddFlags(fss.FlagSet("etcd"))
	o.SecureServing.AddFlags(fss.FlagSet("secure serving"))
	authn := fss.FlagSet("authentication")
	authn.StringVar(&o.ClientCAFile, "client-ca-file", o.ClientCAFile,
		"CA bundle that verifies client certificates; the CommonName is the user, Organizations the groups. Defaults to the CA generated in --data-dir.")
	authn.StringVar(&o.TokenAuthFile, "token-auth-file", o.TokenAuthFile,
		"CSV file of static bearer tokens: token,user,uid,\"group1,group2\".")
	authn.BoolVar(&o.AnonymousAuth, "anonymous-auth", o.AnonymousAuth,
		"Enables anonymous requests to the secure port. Requests that are not rejected by another authentication method are treated as "+
			"anonymous requests (user system:anonymous, group system:unauthenticated); with AlwaysAllow among the authorization modes they only reach "+
			strings.Join(anonymousPaths, ", ")+".")
	o.Authorization.AddFlags(fss.FlagSet("authorization"))
	o.Audit.AddFlags(fss.FlagSet("auditing"))
	o.SimulatedKubelet.AddFlags(fss.FlagSet("simulated kubelet"))
	o.Memory.AddFlags(fss.FlagSet("memory"))
	o.Features.AddFlags(fss.FlagSet("features"))
	logsapi.AddFlags(o.Logs, fss.FlagSet("logs"))
	return fss
}

// Complete fills in defaults that depend on other options.
func (o *Options) Complete() error {
	if err := o.ServerRun.ComponentGlobalsRegistry.Set(); err != nil {
		return err
	}
	if err := o.ServerRun.Complete(); err != nil {
		return err
	}
	// Clients on this machine reach the loopback address the server binds by
	// default; it goes into admin.kubeconfig and the serving certificate.
	if o.ServerRun.ExternalHost == "" {
		o.ServerRun.ExternalHost = "127.0.0.1"
	}
	abs, err := filepath.Abs(o.DataDir)
	if err != nil {
		return err
	}
	o.DataDir = abs
	// Without --etcd-servers the store is the embedded etcd, reached on its
	// socket in the data dir.
	if len(o.Etcd.StorageConfig.Transport.ServerList) == 0 {
		o.embeddedEtcd = true
		o.Etcd.StorageConfig.Transport.ServerList = []string{embeddedetcd.Layout{DataDir: o.DataDir}.ClientURL()}
	}
	if o.SecureServing.ServerCert.CertKey.CertFile == "" && o.SecureServing.ServerCert.CertKey.KeyFile == "" {
		o.SecureServing.ServerCert.CertKey.CertFile = o.pki().servingCert()
		o.SecureServing.ServerCert.CertKey.KeyFile = o.pki().servingKey()
	}
	return nil
}

// Validate reports every invalid option at once.
func (o *Options) Validate() error {
	var errs []error
	errs = append(errs, o.Etcd.Validate()...)
	errs = append(errs, o.SecureServing.Validate()...)
	errs = append(errs, o.ServerRun.Validate()...)
	errs = append(errs, o.Authorization.Validate()...)
	errs = append(errs, o.Audit.Validate()...)
	errs = append(errs, o.Features.Validate()...)
	errs = append(errs, o.SimulatedKubelet.Validate()...)
	errs = append(errs, o.Memory.Validate()...)
	errs = append(errs, logsapi.Validate(o.Logs, utilfeature.DefaultFeatureGate, nil).ToAggregate())
	if o.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty"))
	}
	if o.EventTTL < time.Second {
		errs = append(errs, errors.New("--event-ttl must be at least 1s"))
	}
	return utilerrors.NewAggregate(errs)
}

func (o *Options) pki() pki { return pki{dir: filepath.Join(o.DataDir, "pki")} }

// KubeconfigPath is where the admin kubeconfig is written.
func (o *Options) KubeconfigPath() string { return filepath.Join(o.DataDir, "admin.kubeconfig") }

// Config builds the server configuration. The storage must be reachable:
// with embedded etcd, Run starts it first.
func (o *Options) Config() (*apiserver.Config, error) {
	if err := o.pki().ensure([]string{"localhost", o.ServerRun.ExternalHost}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}); err != nil {
		return nil, err
	}

	cfg := genericapiserver.NewConfig(apiserver.Codecs)
	namer := openapinamer.NewDefinitionNamer(apiserver.Scheme)
	cfg.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(generatedopenapi.GetOpenAPIDefinitions, namer)
	cfg.OpenAPIConfig.Info.Title = "Kubernetes"
	cfg.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(generatedopenapi.GetOpenAPIDefinitions, namer)
	cfg.OpenAPIV3Config.Info.Title = "Kubernetes"

	if err := o.ServerRun.ApplyTo(cfg); err != nil {
		return nil, err
	}
	if err := o.Etcd.ApplyTo(cfg); err != nil {
		return nil, err
	}
	// Every resource's storage rides out etcd's elections and failures,
	// and /readyz says while etcd fails requests.
	storageHealth := &etcdretry.Health{}
	cfg.RESTOptionsGetter = etcdretry.RESTOptionsGetter(cfg.RESTOptionsGetter, storageHealth)
	cfg.AddReadyzChecks(storageHealth)
	if err := o.applySecureServing(cfg); err != nil {
		return nil, err
	}
	if err := o.applyAuthentication(cfg); err != nil {
		return nil, err
	}
	// One loopback client and informer factory serve the authorizer, the
	// admission plugins and the server's controllers; the server starts the
	// informers once it serves.
	client, err := kubernetes.NewForConfig(cfg.LoopbackClientConfig)
	if err != nil {
		return nil, err
	}
	sharedInformers := informers.NewSharedInformerFactory(client, informerResync)
	rbacInformers := sharedInformers.Rbac().V1()
	resolver := rbac.NewRuleResolver(rbac.Listers{
		Roles:               rbacInformers.Roles().Lister(),
		RoleBindings:        rbacInformers.RoleBindings().Lister(),
		ClusterRoles:        rbacInformers.ClusterRoles().Lister(),
		ClusterRoleBindings: rbacInformers.ClusterRoleBindings().Lister(),
	})
	if cfg.Authorization.Authorizer, cfg.RuleResolver, err = o.Authorization.New(resolver); err != nil {
		return nil, err
	}
	if cfg.AdmissionControl, err = o.admission(client, sharedInformers); err != nil {
		return nil, err
	}
	if err := o.Audit.ApplyTo(cfg); err != nil {
		return nil, err
	}
	if err := o.Features.ApplyTo(cfg, nil, nil); err != nil {
		return nil, err
	}
	if _, port, err := cfg.SecureServing.HostPort(); err == nil {
		cfg.ExternalAddress = net.JoinHostPort(o.ServerRun.ExternalHost, strconv.Itoa(port))
	}

	return &apiserver.Config{
		GenericConfig: cfg,
		ExtraConfig: apiserver.ExtraConfig{
			AllowPrivileged:            o.AllowPrivileged,
			EphemeralContainersGetForm: o.EphemeralContainersGetForm,
			EventTTL:                   o.EventTTL,
			Client:                     client,
			Informers:                  sharedInformers,
		},
	}, nil
}

// applySecureServing sets up HTTPS and the loopback client, which the
// server's own controllers use, with an in-memory certificate of ours
// (see selfSignedLoopbackCert).
func (o *Options) applySecureServing(cfg *genericapiserver.Config) error {
	if err := o.SecureServing.ApplyTo(&cfg.SecureServing); err != nil {
		return err
	}
	host := genericapiserver.LoopbackClientServerNameOverride
	certPEM, keyPEM, err := selfSignedLoopbackCert(host)
	if err != nil {
		return fmt.Errorf("generating the loopback certificate: %w", err)
	}
	loopbackCert, err := dynamiccertificates.NewStaticSNICertKeyContent("self-signed loopback", certPEM, keyPEM, host)
	if err != nil {
		return err
	}
	// First, so it wins over any other certificate for the same name.
	cfg.SecureServing.SNICerts = append([]dynamiccertificates.SNICertKeyContentProvider{loopbackCert}, cfg.SecureServing.SNICerts...)
	cfg.LoopbackClientConfig, err = cfg.SecureServing.NewLoopbackClientConfig(string(uuid.NewUUID()), certPEM)
	return err
}

// applyAuthentication accepts client certificates from the client CA and
// static tokens. Presented credentials that fail are refused (401), never
// downgraded to anonymous. Anonymous requests are system:anonymous for the
// authorizer to judge, but only reach health and version endpoints when
// AlwaysAllow is a mode, which would otherwise let them do anything.
func (o *Options) applyAuthentication(cfg *genericapiserver.Config) error {
	caFile := o.ClientCAFile
	if caFile == "" {
		caFile = o.pki().caCert()
	}
	clientCA, err := dynamiccertificates.NewDynamicCAContentFromFile("client-ca", caFile)
	if err != nil {
		return err
	}
	if err := cfg.Authentication.ApplyClientCert(clientCA, cfg.SecureServing); err != nil {
		return err
	}
	// Without a token file every bearer token is unknown, and refused.
	tokens := tokenfile.New(nil)
	if o.TokenAuthFile != "" {
		if tokens, err = tokenfile.NewCSV(o.TokenAuthFile); err != nil {
			return err
		}
	}
	// A client keeps presenting the same chain: it is verified once a
	// minute, not on every request.
	certs := certcache.New(x509.NewDynamic(clientCA.VerifyOptions, x509.CommonNameUserConversion), clientCA.VerifyOptions, certcache.DefaultSize)
	authenticated := group.NewAuthenticatedGroupAdder(union.New(certs, bearertoken.New(tokens)))
	if !o.AnonymousAuth {
		cfg.Authentication.Authenticator = authenticated
		return nil
	}
	var conditions []apiserverconfig.AnonymousAuthCondition
	if o.Authorization.uses(ModeAlwaysAllow) {
		for _, p := range anonymousPaths {
			conditions = append(conditions, apiserverconfig.AnonymousAuthCondition{Path: p})
		}
	}
	cfg.Authentication.Authenticator = union.NewFailOnError(authenticated, anonymous.NewAuthenticator(conditions))
	return nil
}

// explainListenError turns a taken or forbidden secure port into advice.
// The serving options format the listener's error with %v, so it is
// recognised by its text.
func explainListenError(bindAddress net.IP, port int, err error) error {
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), syscall.EADDRINUSE.Error()):
		return fmt.Errorf("--secure-port %d on --bind-address %s is already in use by another process: stop it or choose another port (%w)",
			port, bindAddress, err)
	case strings.Contains(err.Error(), syscall.EACCES.Error()):
		return fmt.Errorf("not allowed to listen on --secure-port %d: choose a port above 1023 or run with the capability to bind it (%w)",
			port, err)
	}
	return err
}

// Run starts the embedded etcd when no --etcd-servers are given, then the
// API server, and stops both when ctx is done.
func (o *Options) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	if o.embeddedEtcd {
		etcd, err := embeddedetcd.Start(o.DataDir)
		if err != nil {
			return err
		}
		// Stop etcd only after the API server has let go of it.
		defer func() {
			cancel()
			etcd.Stop()
		}()
		go func() {
			select {
			case err := <-etcd.Err():
				klog.ErrorS(err, "Embedded etcd failed; shutting down")
				cancel()
			case <-ctx.Done():
			}
		}()
	}

	// Config binds the port, and forgets its number when that fails.
	port := o.SecureServing.BindPort
	config, err := o.Config()
	if err != nil {
		return explainListenError(o.SecureServing.BindAddress, port, err)
	}
	server, err := config.Complete().New()
	if err != nil {
		return err
	}
	if err := o.SimulatedKubelet.addTo(server.GenericAPIServer); err != nil {
		return err
	}
	if err := o.writeAdminKubeconfig(config.GenericConfig); err != nil {
		return err
	}
	klog.InfoS("Serving", "address", config.GenericConfig.ExternalAddress, "kubeconfig", o.KubeconfigPath())
	return server.GenericAPIServer.PrepareRun().RunWithContext(ctx)
}
