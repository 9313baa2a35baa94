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
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"

	nslifecycle "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/admission/namespace/lifecycle"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/admission/podsecurity"
)

// admission builds the admission plugins every write goes through:
// NamespaceLifecycle (nothing is created in a terminating or missing
// namespace), then PodSecurity (--pod-security-config-file). Both read
// namespaces from the server's shared informers.
func (o *Options) admission(client kubernetes.Interface, sharedInformers informers.SharedInformerFactory) (admission.Interface, error) {
	podSecurityConfig, err := podsecurity.LoadConfiguration(o.PodSecurityConfigFile)
	if err != nil {
		return nil, err
	}
	namespaces := sharedInformers.Core().V1().Namespaces()
	// No pod lister: Pod Security lists a namespace's pods through the
	// client, only when the namespace's enforce label changes, which spares
	// a cache of every pod.
	podSecurity, err := podsecurity.New(podSecurityConfig, namespaces.Lister(), namespaces.Informer().HasSynced, nil, client)
	if err != nil {
		return nil, err
	}
	return admission.NewChainHandler(
		nslifecycle.New(client, namespaces.Lister(), namespaces.Informer().HasSynced, nslifecycle.InitialNamespaces),
		podSecurity,
	), nil
}
