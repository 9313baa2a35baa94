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

package storage

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
)

// The subresources that reach into a pod's containers: pods/attach,
// pods/exec, pods/portforward and pods/log. A cluster's API server proxies
// them to the kubelet of the pod's node; this server has no kubelet to
// reach, so each answers as a cluster's does before it would connect:
// the pod and the container are checked, a pod on no node is refused (its
// log is empty), and a pod on a node is refused saying no kubelet is
// reachable, instead of leaving the client waiting.

// StreamREST is pods/attach, pods/exec or pods/portforward.
type StreamREST struct {
	store      *genericregistry.Store
	newOptions func() runtime.Object
}

var _ rest.Connecter = &StreamREST{}

func newStreamREST(store *genericregistry.Store, newOptions func() runtime.Object) *StreamREST {
	return &StreamREST{store: store, newOptions: newOptions}
}

func (r *StreamREST) New() runtime.Object { return r.newOptions() }

func (r *StreamREST) Destroy() {}

// NewConnectOptions reads the options from the query.
func (r *StreamREST) NewConnectOptions() (runtime.Object, bool, string) {
	return r.newOptions(), false, ""
}

// ConnectMethods are GET (websockets) and POST (SPDY), as upstream's.
func (r *StreamREST) ConnectMethods() []string { return []string{http.MethodGet, http.MethodPost} }

// Connect checks the request as a cluster's API server does and refuses
// it, since no kubelet is there to stream from.
func (r *StreamREST) Connect(ctx context.Context, name string, options runtime.Object, _ rest.Responder) (http.Handler, error) {
	pod, err := r.getPod(ctx, name)
	if err != nil {
		return nil, err
	}
	switch opts := options.(type) {
	case *corev1.PodAttachOptions:
		err = checkContainer(pod, opts.Container)
	case *corev1.PodExecOptions:
		err = checkContainer(pod, opts.Container)
	}
	if err != nil {
		return nil, err
	}
	return nil, unreachable(pod)
}

func (r *StreamREST) getPod(ctx context.Context, name string) (*corev1.Pod, error) {
	obj, err := r.store.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return obj.(*corev1.Pod), nil
}

// checkContainer accepts a container of the pod, or none when the pod has
// exactly one.
func checkContainer(pod *corev1.Pod, container string) error {
	if container != "" {
		if !hasContainer(pod, container) {
			return apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, pod.Name))
		}
		return nil
	}
	switch len(pod.Spec.Containers) {
	case 1:
		return nil
	case 0:
		return apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s", pod.Name))
	}
	message := fmt.Sprintf("a container name must be specified for pod %s, choose one of: [%s]", pod.Name, containerNames(pod.Spec.Containers))
	if len(pod.Spec.InitContainers) > 0 {
		message += fmt.Sprintf(" or one of the init containers: [%s]", containerNames(pod.Spec.InitContainers))
	}
	return apierrors.NewBadRequest(message)
}

func hasContainer(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.EphemeralContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}

func containerNames(containers []corev1.Container) string {
	names := make([]string, len(containers))
	for i, c := range containers {
		names[i] = c.Name
	}
	return strings.Join(names, " ")
}

// unreachable is the refusal for a pod whose containers cannot be reached.
func unreachable(pod *corev1.Pod) error {
	if pod.Spec.NodeName == "" {
		return apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	return apierrors.NewBadRequest(fmt.Sprintf("pod %s is on node %q, whose kubelet this server cannot reach: it runs no containers", pod.Name, pod.Spec.NodeName))
}

// LogREST is pods/log.
type LogREST struct {
	store *genericregistry.Store
}

var (
	_ rest.GetterWithOptions = &LogREST{}
	_ rest.StorageMetadata   = &LogREST{}
)

func (r *LogREST) New() runtime.Object { return &corev1.Pod{} }

func (r *LogREST) Destroy() {}

// ProducesMIMETypes says the log is text.
func (r *LogREST) ProducesMIMETypes(verb string) []string {
	return []string{"text/plain"}
}

// ProducesObject says the log is a string.
func (r *LogREST) ProducesObject(verb string) interface{} { return "" }

// NewGetOptions reads PodLogOptions from the query.
func (r *LogREST) NewGetOptions() (runtime.Object, bool, string) {
	return &corev1.PodLogOptions{}, false, ""
}

// Get checks the request as a cluster's API server does: a pod on no node
// has an empty log (204), one on a node is refused.
func (r *LogREST) Get(ctx context.Context, name string, options runtime.Object) (runtime.Object, error) {
	opts, ok := options.(*corev1.PodLogOptions)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not PodLogOptions: %T", options))
	}
	if errs := validateLogOptions(opts); len(errs) > 0 {
		return nil, apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("PodLogOptions").GroupKind(), name, errs)
	}
	pod, err := (&StreamREST{store: r.store}).getPod(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkContainer(pod, opts.Container); err != nil {
		return nil, err
	}
	if pod.Spec.NodeName == "" {
		return emptyLog{}, nil
	}
	return nil, unreachable(pod)
}

// validateLogOptions refuses the options upstream refuses.
func validateLogOptions(opts *corev1.PodLogOptions) field.ErrorList {
	var errs field.ErrorList
	if opts.TailLines != nil && *opts.TailLines < 0 {
		errs = append(errs, field.Invalid(field.NewPath("tailLines"), *opts.TailLines, "must be greater than or equal to 0"))
	}
	if opts.LimitBytes != nil && *opts.LimitBytes < 1 {
		errs = append(errs, field.Invalid(field.NewPath("limitBytes"), *opts.LimitBytes, "must be greater than 0"))
	}
	if opts.SinceSeconds != nil && opts.SinceTime != nil {
		errs = append(errs, field.Forbidden(field.NewPath(""), "at most one of `sinceTime` or `sinceSeconds` may be specified"))
	}
	if opts.SinceSeconds != nil && *opts.SinceSeconds < 1 {
		errs = append(errs, field.Invalid(field.NewPath("sinceSeconds"), *opts.SinceSeconds, "must be greater than 0"))
	}
	return errs
}

// emptyLog is the log of a pod no node runs: no content.
type emptyLog struct{}

var _ rest.ResourceStreamer = emptyLog{}

func (emptyLog) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

func (emptyLog) DeepCopyObject() runtime.Object { return emptyLog{} }

// InputStream returns no stream, which the handler answers with 204.
func (emptyLog) InputStream(ctx context.Context, apiVersion, acceptHeader string) (io.ReadCloser, bool, string, error) {
	return nil, false, "", nil
}
