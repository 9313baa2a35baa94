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
package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EphemeralContainers is the list of ephemeral containers of a pod, as the
// pods/ephemeralcontainers subresource read and wrote it in Kubernetes 1.16.
// New containers may be appended; existing ones may be neither changed nor
// removed.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type EphemeralContainers struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata: the pod's name, namespace, uid,
	// resourceVersion and creationTimestamp.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// EphemeralContainers is the pod's list of ephemeral containers; it is
	// always present, [] when the pod has none.
	// +patchMergeKey=name
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=name
	EphemeralContainers []corev1.EphemeralContainer `json:"ephemeralContainers" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,2,rep,name=ephemeralContainers"`
}

// Pod names the pods resource for the generated client, which reaches only
// the subresource, in its 1.16 form; pods themselves are k8s.io/api's.
//
// +genclient
// +genclient:skipVerbs=create,update,updateStatus,delete,deleteCollection,get,list,watch,patch,apply,applyStatus
// +genclient:method=GetEphemeralContainers,verb=get,subresource=ephemeralcontainers,result=EphemeralContainers
// +genclient:method=UpdateEphemeralContainers,verb=update,subresource=ephemeralcontainers,input=EphemeralContainers,result=EphemeralContainers
// +genclient:method=PatchEphemeralContainers,verb=patch,subresource=ephemeralcontainers,result=EphemeralContainers
// +k8s:deepcopy-gen=false
type Pod struct {
	corev1.Pod
}
