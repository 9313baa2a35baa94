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

package wireform

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"

	legacyv1 "github.com/ephemeral-apiserver/api/core/v1"
)

// storedPod stands for the Pod form's REST: one stored pod, updated as the
// store does, validation last.
type storedPod struct{ pod *corev1.Pod }

func (s *storedPod) New() runtime.Object { return &corev1.Pod{} }
func (s *storedPod) Destroy()            {}

func (s *storedPod) Get(context.Context, string, *metav1.GetOptions) (runtime.Object, error) {
	return s.pod.DeepCopy(), nil
}

func (s *storedPod) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, _ rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, _ *metav1.UpdateOptions) (runtime.Object, bool, error) {
	obj, err := objInfo.UpdatedObject(ctx, s.pod.DeepCopy())
	if err != nil {
		return nil, false, err
	}
	if err := updateValidation(ctx, obj, s.pod); err != nil {
		return nil, false, err
	}
	s.pod = obj.(*corev1.Pod)
	return s.pod.DeepCopy(), false, nil
}

// viewRequest is a client's 1.16 body: the view it was given, with a
// debug container added.
type viewRequest struct{ add corev1.EphemeralContainer }

func (viewRequest) Preconditions() *metav1.Preconditions { return nil }

func (r viewRequest) UpdatedObject(_ context.Context, old runtime.Object) (runtime.Object, error) {
	view := old.(*legacyv1.EphemeralContainers).DeepCopy()
	view.EphemeralContainers = append(view.EphemeralContainers, r.add)
	return view, nil
}

func TestRESTShowsAdmissionThePod(t *testing.T) {
	stored := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", ResourceVersion: "5"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
	r := NewREST(&storedPod{pod: stored})
	debugger := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox"}}

	var admitted, admittedOld runtime.Object
	validate := func(_ context.Context, obj, old runtime.Object) error {
		admitted, admittedOld = obj, old
		return nil
	}
	obj, _, err := r.Update(context.Background(), "p", viewRequest{add: debugger}, nil, validate, false, &metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	pod, ok := admitted.(*corev1.Pod)
	if !ok {
		t.Fatalf("admission saw %T, want the resulting *v1.Pod", admitted)
	}
	if len(pod.Spec.Containers) != 1 || len(pod.Spec.EphemeralContainers) != 1 || pod.Spec.EphemeralContainers[0].Name != "debugger" {
		t.Errorf("admission saw containers %v and ephemeral containers %v, want the pod's app and the added debugger", pod.Spec.Containers, pod.Spec.EphemeralContainers)
	}
	if old, ok := admittedOld.(*corev1.Pod); !ok || len(old.Spec.EphemeralContainers) != 0 {
		t.Errorf("admission saw the old object %#v, want the stored pod", admittedOld)
	}

	answer, ok := obj.(*legacyv1.EphemeralContainers)
	if !ok {
		t.Fatalf("answered %T, want the 1.16 view", obj)
	}
	if answer.SelfLink != "/api/v1/namespaces/ns/pods/p/ephemeralcontainers" || len(answer.EphemeralContainers) != 1 {
		t.Errorf("answered %#v", answer)
	}
}
