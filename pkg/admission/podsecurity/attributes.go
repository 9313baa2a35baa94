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
	"fmt"
	"sync"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/pod-security-admission/api"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
)

// attributes shows an admission request to the library. The server keeps
// core/v1 types as its internal version, so objects pass as they are, with
// one exception: the Kubernetes 1.16 form of pods/ephemeralcontainers
// admits kind EphemeralContainers, which holds the list of ephemeral
// containers and nothing else of the pod. The library needs whole pods, so
// for that form both objects are rebuilt, once and only if the library
// asks, from the current pod with the view's list in place of its own. The
// rest of a pod's spec that the checks read cannot change through this
// subresource, so the current pod is a faithful base.
type attributes struct {
	a   admission.Attributes
	ctx context.Context
	p   *Plugin

	basePodOnce sync.Once
	basePod     *corev1.Pod
	basePodErr  error
}

var _ api.Attributes = &attributes{}

func (p *Plugin) attributes(ctx context.Context, a admission.Attributes) *attributes {
	return &attributes{a: a, ctx: ctx, p: p}
}

func (l *attributes) GetName() string                          { return l.a.GetName() }
func (l *attributes) GetNamespace() string                     { return l.a.GetNamespace() }
func (l *attributes) GetResource() schema.GroupVersionResource { return l.a.GetResource() }
func (l *attributes) GetKind() schema.GroupVersionKind         { return l.a.GetKind() }
func (l *attributes) GetSubresource() string                   { return l.a.GetSubresource() }

// GetOperation maps the apiserver's operation onto the admission/v1 one;
// both spell CREATE and UPDATE alike.
func (l *attributes) GetOperation() admissionv1.Operation {
	return admissionv1.Operation(l.a.GetOperation())
}

func (l *attributes) GetUserName() string {
	if u := l.a.GetUserInfo(); u != nil {
		return u.GetName()
	}
	return ""
}

func (l *attributes) GetObject() (runtime.Object, error)    { return l.pod(l.a.GetObject()) }
func (l *attributes) GetOldObject() (runtime.Object, error) { return l.pod(l.a.GetOldObject()) }

// pod returns obj, or for a 1.16 view the pod it stands for.
func (l *attributes) pod(obj runtime.Object) (runtime.Object, error) {
	view, ok := obj.(*legacyv1.EphemeralContainers)
	if !ok {
		return obj, nil
	}
	l.basePodOnce.Do(func() {
		l.basePod, l.basePodErr = l.p.currentPod(l.ctx, l.a.GetNamespace(), l.a.GetName())
	})
	if l.basePodErr != nil {
		return nil, l.basePodErr
	}
	pod := l.basePod.DeepCopy()
	pod.Spec.EphemeralContainers = view.EphemeralContainers
	return pod, nil
}

// currentPod reads a pod from the informer, if there is one, or from
// storage when the informer has not seen it yet.
func (p *Plugin) currentPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	if p.pods != nil {
		pod, err := p.pods.Pods(namespace).Get(name)
		if err == nil {
			return pod, nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, err
		}
	}
	pod, err := p.client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading pod %s/%s: %w", namespace, name, err)
	}
	return pod, nil
}
