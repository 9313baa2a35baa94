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
package integration

// Helpers of the pods suites (pods_test.go, pods_validation_test.go,
// pods_errors_test.go). Package-level names start with "pods" so they do
// not collide with the helpers of other suites in this package.

import (
	"errors"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
)

// podsNamespace is a namespace name no other spec uses; specs create it
// (createNamespace) before putting objects in it.
func podsNamespace() string { return "pods-" + rand.String(6) }

// podsNewPod is the smallest valid pod: one container "c" running busybox.
// Each mutate function edits it before it is returned.
func podsNewPod(name string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
	for _, m := range mutate {
		if m != nil {
			m(pod)
		}
	}
	return pod
}

// podsStatusOf is the Status the server refused a client-go request with.
func podsStatusOf(err error) metav1.Status {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	var apiStatus apierrors.APIStatus
	Expect(errors.As(err, &apiStatus)).To(BeTrue(), "not a Status from the server: %v", err)
	return apiStatus.Status()
}

// podsWarnings records the warnings a client receives.
type podsWarnings struct {
	mu   sync.Mutex
	text []string
}

func (w *podsWarnings) HandleWarningHeader(code int, agent string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.text = append(w.text, text)
}

func (w *podsWarnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.text...)
}

// podsNames are the names of the pods in a list, in list order.
func podsNames(list *corev1.PodList) []string {
	names := []string{}
	for _, p := range list.Items {
		names = append(names, p.Name)
	}
	return names
}
