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
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ComputePodQOS classifies a pod the way the kubelet and upstream's pod
// strategy do, looking only at cpu and memory:
//   - BestEffort: no positive cpu/memory request or limit anywhere;
//   - Guaranteed: every container limits both cpu and memory and the summed
//     requests equal the summed limits;
//   - Burstable: anything else.
//
// When pod-level resources are set they alone decide the class.
func ComputePodQOS(pod *v1.Pod) v1.PodQOSClass {
	requests := v1.ResourceList{}
	limits := v1.ResourceList{}
	guaranteed := true

	if pod.Spec.Resources != nil {
		sumQOSResources(requests, pod.Spec.Resources.Requests)
		if !sumQOSResources(limits, pod.Spec.Resources.Limits) {
			guaranteed = false
		}
	} else {
		for _, cs := range [][]v1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
			for i := range cs {
				sumQOSResources(requests, cs[i].Resources.Requests)
				if !sumQOSResources(limits, cs[i].Resources.Limits) {
					guaranteed = false
				}
			}
		}
	}

	if len(requests) == 0 && len(limits) == 0 {
		return v1.PodQOSBestEffort
	}
	if guaranteed && len(requests) == len(limits) {
		for name, req := range requests {
			if lim, ok := limits[name]; !ok || lim.Cmp(req) != 0 {
				guaranteed = false
				break
			}
		}
		if guaranteed {
			return v1.PodQOSGuaranteed
		}
	}
	return v1.PodQOSBurstable
}

// sumQOSResources adds the positive cpu and memory quantities of src into
// dst and reports whether src held positive values for both.
func sumQOSResources(dst, src v1.ResourceList) (both bool) {
	var zero resource.Quantity
	found := 0
	for _, name := range []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory} {
		q, ok := src[name]
		if !ok || q.Cmp(zero) <= 0 {
			continue
		}
		found++
		if cur, ok := dst[name]; ok {
			cur.Add(q)
			dst[name] = cur
		} else {
			dst[name] = q.DeepCopy()
		}
	}
	return found == 2
}
