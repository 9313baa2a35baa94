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
	"errors"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/controller/simulatedkubelet"
)

// SimulatedKubeletOptions turn on the simulated kubelet.
type SimulatedKubeletOptions struct {
	Enabled    bool
	NodeName   string
	FailImages []string
}

// AddFlags adds the simulated kubelet's flags to fs.
func (o *SimulatedKubeletOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Enabled, "simulate-kubelet", o.Enabled,
		"Play the kubelet of one node: bind pods to it and report them, their containers and every ephemeral container added to them "+
			"Waiting (ContainerCreating) then Running, as the user system:node:<name> through pods/status. Runs no container. For testing clients.")
	fs.StringVar(&o.NodeName, "simulate-kubelet-node-name", o.NodeName,
		"Name of the node the simulated kubelet plays.")
	fs.StringSliceVar(&o.FailImages, "simulate-kubelet-fail-images", o.FailImages,
		"Images whose pull fails on the simulated node (ErrImagePull, then ImagePullBackOff): patterns as path.Match reads them, "+
			"tried on the image as the pod names it and on its full reference, e.g. 'nosuch*,*:broken,docker.io/library/busybox:1.0'.")
}

// Validate reports invalid simulated kubelet flags.
func (o *SimulatedKubeletOptions) Validate() []error {
	var errs []error
	for _, msg := range validation.IsDNS1123Subdomain(o.NodeName) {
		errs = append(errs, errors.New("--simulate-kubelet-node-name: "+msg))
	}
	if err := simulatedkubelet.ImagePatterns(o.FailImages).Validate(); err != nil {
		errs = append(errs, errors.New("--simulate-kubelet-fail-images: "+err.Error()))
	}
	return errs
}

// addTo runs the simulated kubelet once the server serves; the server is
// ready only when the kubelet is authorized and has seen every pod.
func (o *SimulatedKubeletOptions) addTo(server *genericapiserver.GenericAPIServer) error {
	if !o.Enabled {
		return nil
	}
	return server.AddPostStartHook("start-simulated-kubelet", func(ctx genericapiserver.PostStartHookContext) error {
		admin, err := kubernetes.NewForConfig(ctx.LoopbackClientConfig)
		if err != nil {
			return err
		}
		if err := simulatedkubelet.EnsureAuthorized(ctx, admin, o.NodeName); err != nil {
			return err
		}
		// The kubelet acts as its node's user, authorized like any client.
		asNode := rest.CopyConfig(ctx.LoopbackClientConfig)
		asNode.Impersonate = rest.ImpersonationConfig{UserName: simulatedkubelet.UserName(o.NodeName), Groups: []string{simulatedkubelet.NodesGroup}}
		asNode.UserAgent = "kubelet/simulated (" + o.NodeName + ")"
		// A kubelet per node is not rate limited by its own client; this
		// one plays the only node, whatever the load.
		asNode.QPS, asNode.Burst = -1, 0
		client, err := kubernetes.NewForConfig(asNode)
		if err != nil {
			return err
		}
		return simulatedkubelet.New(client, simulatedkubelet.Options{NodeName: o.NodeName, FailImages: o.FailImages}).Start(ctx)
	})
}
