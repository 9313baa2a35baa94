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

package ephemeral

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	legacyclient "github.com/ephemeral-apiserver/api/client/clientset/versioned"
	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
)

// Form is the wire form of pods/ephemeralcontainers a server speaks,
// named by the kind its GET answers.
type Form string

const (
	// FormLegacy is the Kubernetes 1.16 form, kind EphemeralContainers:
	// servers 1.16 to 1.21, and ephemeral-apiserver with
	// --ephemeral-containers-get-form=legacy. The plugin PUTs the list.
	FormLegacy Form = "EphemeralContainers"
	// FormPod is the form of 1.22 and later, kind Pod. The plugin sends
	// the strategic merge patch kubectl debug sends.
	FormPod Form = "Pod"
)

// Clients are what Adder talks to the server with; both must speak JSON.
type Clients struct {
	Core   kubernetes.Interface
	Legacy legacyclient.Interface
}

// NewClients builds the clients from a rest.Config, asking for JSON: the
// 1.16 form has no protobuf encoding.
func NewClients(config *rest.Config) (*Clients, error) {
	config = rest.CopyConfig(config)
	config.ContentType = "application/json"
	config.AcceptContentTypes = "application/json"
	core, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	legacy, err := legacyclient.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return &Clients{Core: core, Legacy: legacy}, nil
}

// Adder adds one ephemeral container to a pod in the form the server
// speaks.
type Adder struct {
	Clients
	// NewName returns a name for a container that has none; it must not
	// be one of taken. Defaults to GenerateName.
	NewName func(taken map[string]bool) string
	// Backoff paces the retries of a 1.16-form PUT refused with 409
	// Conflict; the zero value is retry.DefaultRetry (5 attempts).
	Backoff wait.Backoff
}

// Added is what Add did.
type Added struct {
	// Name is the container's, given or generated.
	Name string
	// Form is the form the container was added in.
	Form Form
	// Attempts counts the writes sent (more than one after conflicts).
	Attempts int
}

// errEphemeralContainersDisabled is kubectl debug's wording for a server
// that does not serve the subresource.
func errEphemeralContainersDisabled(err error) error {
	return fmt.Errorf("ephemeral containers are disabled for this cluster (error from server: %q)", err.Error())
}

// errExists refuses a name an ephemeral container of the pod has: kubectl
// debug's patch merges into that container instead of adding one, and
// ephemeral-apiserver answers it with success and no change (a 1.16-form
// PUT would be refused as a duplicate); either way nothing is added.
func errExists(podName, name string) error {
	return fmt.Errorf("pod %q already has an ephemeral container named %q, which can be neither changed nor replaced: choose another --name", podName, name)
}

// Add adds ec to the pod. An empty ec.Name is generated.
//
// It reads pods/NAME/ephemeralcontainers: an answer of kind
// EphemeralContainers gets a PUT of that list with ec appended, carrying
// the resourceVersion read and repeated after a fresh read on 409 Conflict;
// an answer of kind Pod gets a strategic merge patch adding ec. A user who
// may not read the subresource (only patch it, as the role kubectl debug
// needs) gets the patch after a read of the pod; should that patch be
// answered in the 1.16 form, it is sent again as a 1.16-form patch.
func (a *Adder) Add(ctx context.Context, namespace, podName string, ec corev1.EphemeralContainer) (*Added, error) {
	form, body, err := a.readSubresource(ctx, namespace, podName)
	switch {
	case apierrors.IsForbidden(err):
		pod, getErr := a.Core.CoreV1().Pods(namespace).Get(ctx, podName, metav1.GetOptions{})
		if getErr != nil {
			return nil, getErr
		}
		return a.patch(ctx, pod, ec)
	case err != nil:
		return nil, err
	case form == FormLegacy:
		var list legacyv1.EphemeralContainers
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, fmt.Errorf("reading the ephemeral containers of pod %q: %w", podName, err)
		}
		return a.put(ctx, namespace, podName, &list, ec)
	default:
		var pod corev1.Pod
		if err := json.Unmarshal(body, &pod); err != nil {
			return nil, fmt.Errorf("reading pod %q: %w", podName, err)
		}
		return a.patch(ctx, &pod, ec)
	}
}

// DetectForm tells the form the server speaks for a pod by reading the
// pod's ephemeralcontainers subresource.
func (a *Adder) DetectForm(ctx context.Context, namespace, podName string) (Form, error) {
	form, _, err := a.readSubresource(ctx, namespace, podName)
	return form, err
}

// readSubresource GETs pods/NAME/ephemeralcontainers as JSON and returns
// the form of the answer and its body.
func (a *Adder) readSubresource(ctx context.Context, namespace, podName string) (Form, []byte, error) {
	body, err := bodyOf(a.Core.CoreV1().RESTClient().Get().
		Namespace(namespace).Resource("pods").Name(podName).SubResource("ephemeralcontainers").
		SetHeader("Accept", "application/json").
		Do(ctx))
	if err != nil {
		var status apierrors.APIStatus
		// A missing pod names itself in the details; a missing subresource
		// (the feature gate off) does not.
		if apierrors.IsNotFound(err) && errors.As(err, &status) &&
			(status.Status().Details == nil || status.Status().Details.Name == "") {
			return "", nil, errEphemeralContainersDisabled(err)
		}
		return "", nil, err
	}
	return formOf(body)
}

// formOf reads the kind of a JSON answer.
func formOf(body []byte) (Form, []byte, error) {
	var meta metav1.TypeMeta
	if err := json.Unmarshal(body, &meta); err != nil {
		return "", nil, fmt.Errorf("the server's answer is not JSON: %w", err)
	}
	switch Form(meta.Kind) {
	case FormLegacy, FormPod:
		return Form(meta.Kind), body, nil
	}
	return "", nil, fmt.Errorf("the server answered pods/ephemeralcontainers with kind %q, neither Pod nor EphemeralContainers", meta.Kind)
}

// put appends ec to the 1.16-form list and PUTs it, reading the list again
// after each 409 Conflict.
func (a *Adder) put(ctx context.Context, namespace, podName string, list *legacyv1.EphemeralContainers, ec corev1.EphemeralContainer) (*Added, error) {
	added := &Added{Form: FormLegacy}
	for _, existing := range list.EphemeralContainers {
		if ec.Name == existing.Name {
			return nil, errExists(podName, ec.Name)
		}
	}
	if ec.Name == "" {
		taken := map[string]bool{}
		for _, existing := range list.EphemeralContainers {
			taken[existing.Name] = true
		}
		ec.Name = a.newName(taken)
	}
	added.Name = ec.Name
	backoff := a.Backoff
	if backoff.Steps == 0 {
		backoff = retry.DefaultRetry
	}
	err := retry.RetryOnConflict(backoff, func() error {
		if added.Attempts > 0 {
			form, body, err := a.readSubresource(ctx, namespace, podName)
			if err != nil {
				return err
			}
			if form != FormLegacy {
				return fmt.Errorf("the server's form of pods/ephemeralcontainers changed from %s to %s", FormLegacy, form)
			}
			list = &legacyv1.EphemeralContainers{}
			if err := json.Unmarshal(body, list); err != nil {
				return err
			}
		}
		added.Attempts++
		update := &legacyv1.EphemeralContainers{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: string(FormLegacy)},
			ObjectMeta: metav1.ObjectMeta{
				Name:            podName,
				Namespace:       namespace,
				ResourceVersion: list.ResourceVersion,
			},
			EphemeralContainers: append(append([]corev1.EphemeralContainer{}, list.EphemeralContainers...), ec),
		}
		_, err := a.Legacy.CoreV1().Pods(namespace).UpdateEphemeralContainers(ctx, podName, update, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// patch sends the strategic merge patch of the pod that adds ec, as
// kubectl debug does.
func (a *Adder) patch(ctx context.Context, pod *corev1.Pod, ec corev1.EphemeralContainer) (*Added, error) {
	for _, existing := range pod.Spec.EphemeralContainers {
		if ec.Name == existing.Name {
			return nil, errExists(pod.Name, ec.Name)
		}
	}
	if ec.Name == "" {
		ec.Name = a.newName(containerNames(pod))
	}
	before, err := json.Marshal(pod)
	if err != nil {
		return nil, err
	}
	withEC := pod.DeepCopy()
	withEC.Spec.EphemeralContainers = append(withEC.Spec.EphemeralContainers, ec)
	after, err := json.Marshal(withEC)
	if err != nil {
		return nil, err
	}
	patch, err := strategicpatch.CreateTwoWayMergePatch(before, after, corev1.Pod{})
	if err != nil {
		return nil, fmt.Errorf("making the patch: %w", err)
	}
	added := &Added{Name: ec.Name, Form: FormPod, Attempts: 1}
	body, err := a.sendPatch(ctx, pod.Namespace, pod.Name, patch)
	if err != nil {
		return nil, err
	}
	form, _, err := formOf(body)
	if err != nil || form == FormPod {
		return added, err
	}
	// A 1.16-1.21 server took the Pod-shaped patch for a patch of kind
	// EphemeralContainers, and ignored it; its own form merges by name.
	legacyPatch, err := json.Marshal(map[string][]corev1.EphemeralContainer{"ephemeralContainers": {ec}})
	if err != nil {
		return nil, err
	}
	added.Form, added.Attempts = FormLegacy, 2
	_, err = a.sendPatch(ctx, pod.Namespace, pod.Name, legacyPatch)
	if err != nil {
		return nil, err
	}
	return added, nil
}

func (a *Adder) sendPatch(ctx context.Context, namespace, podName string, patch []byte) ([]byte, error) {
	return bodyOf(a.Core.CoreV1().RESTClient().Patch(types.StrategicMergePatchType).
		Namespace(namespace).Resource("pods").Name(podName).SubResource("ephemeralcontainers").
		SetHeader("Accept", "application/json").
		Body(patch).
		Do(ctx))
}

// bodyOf is the body of a successful answer; the Status of a failed one
// is the error (rest.Result.Raw would give a generic one).
func bodyOf(result rest.Result) ([]byte, error) {
	if err := result.Error(); err != nil {
		return nil, err
	}
	return result.Raw()
}

func (a *Adder) newName(taken map[string]bool) string {
	if a.NewName != nil {
		return a.NewName(taken)
	}
	return GenerateName(taken)
}

// containerNames are the names of every container of the pod, of any kind.
func containerNames(pod *corev1.Pod) map[string]bool {
	names := map[string]bool{}
	for _, c := range pod.Spec.InitContainers {
		names[c.Name] = true
	}
	for _, c := range pod.Spec.Containers {
		names[c.Name] = true
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names[c.Name] = true
	}
	return names
}
