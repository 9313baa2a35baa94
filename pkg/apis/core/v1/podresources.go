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
	"strings"

	v1 "k8s.io/api/core/v1"
)

// Pod-level resources (spec.resources) are defaulted from the container
// values so the pod budget and its containers agree; the defaults only
// apply when the user already set part of spec.resources.
func defaultPodLevelResources(pod *v1.Pod) {
	defaultPodHugePageLimits(pod)
	defaultPodRequests(pod)
	defaultPodLimits(pod)
}

func isSupportedPodLevelResource(name v1.ResourceName) bool {
	return name == v1.ResourceCPU || name == v1.ResourceMemory || isHugePageResource(name)
}

func isHugePageResource(name v1.ResourceName) bool {
	return strings.HasPrefix(string(name), v1.ResourceHugePagesPrefix)
}

// Only native, non-hugepage resources may have requests below limits.
func isOvercommitAllowed(name v1.ResourceName) bool {
	s := string(name)
	native := !strings.Contains(s, "/") || strings.Contains(s, "kubernetes.io/")
	return native && !isHugePageResource(name)
}

func isRestartableInit(c *v1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == v1.ContainerRestartPolicyAlways
}

// aggregateContainerResources returns what the containers need at peak:
// regular containers and sidecars run together, while each ordinary init
// container runs alone next to the sidecars started before it.
func aggregateContainerResources(pod *v1.Pod, pick func(*v1.ResourceRequirements) v1.ResourceList) v1.ResourceList {
	total := v1.ResourceList{}
	for i := range pod.Spec.Containers {
		addResources(total, pick(&pod.Spec.Containers[i].Resources))
	}
	sidecars := v1.ResourceList{}
	initPeak := v1.ResourceList{}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		var during v1.ResourceList
		if isRestartableInit(c) {
			addResources(total, pick(&c.Resources))
			addResources(sidecars, pick(&c.Resources))
			during = sidecars
		} else {
			during = v1.ResourceList{}
			addResources(during, pick(&c.Resources))
			addResources(during, sidecars)
		}
		maxResources(initPeak, during)
	}
	maxResources(total, initPeak)
	return total
}

func requestsOf(r *v1.ResourceRequirements) v1.ResourceList { return r.Requests }
func limitsOf(r *v1.ResourceRequirements) v1.ResourceList   { return r.Limits }

func addResources(dst, src v1.ResourceList) {
	for name, q := range src {
		cur, ok := dst[name]
		if !ok {
			dst[name] = q.DeepCopy()
			continue
		}
		cur.Add(q)
		dst[name] = cur
	}
}

func maxResources(dst, src v1.ResourceList) {
	for name, q := range src {
		if cur, ok := dst[name]; !ok || q.Cmp(cur) > 0 {
			dst[name] = q.DeepCopy()
		}
	}
}

func defaultPodHugePageLimits(pod *v1.Pod) {
	res := pod.Spec.Resources
	if res == nil || (len(res.Limits) == 0 && len(res.Requests) == 0) {
		return
	}
	limits := res.Limits
	if limits == nil {
		limits = v1.ResourceList{}
	}
	for name, q := range aggregateContainerResources(pod, limitsOf) {
		if !isHugePageResource(name) {
			continue
		}
		// A pod-level hugepage request pins the value; do not invent a limit.
		if _, ok := res.Requests[name]; ok {
			continue
		}
		if _, ok := limits[name]; !ok {
			limits[name] = q.DeepCopy()
		}
	}
	if len(limits) > 0 {
		res.Limits = limits
	}
}

func defaultPodRequests(pod *v1.Pod) {
	res := pod.Spec.Resources
	if res == nil || len(res.Limits) == 0 {
		return
	}
	requests := res.Requests
	if requests == nil {
		requests = v1.ResourceList{}
	}
	// Containers' requests win for overcommittable resources; anything still
	// missing falls back to the pod-level limit.
	for name, q := range aggregateContainerResources(pod, requestsOf) {
		if _, ok := requests[name]; !ok && isSupportedPodLevelResource(name) && isOvercommitAllowed(name) {
			requests[name] = q.DeepCopy()
		}
	}
	for name, q := range res.Limits {
		if _, ok := requests[name]; !ok && isSupportedPodLevelResource(name) {
			requests[name] = q.DeepCopy()
		}
	}
	if len(requests) > 0 {
		res.Requests = requests
	}
}

func podLevelSet(list v1.ResourceList) bool {
	for name := range list {
		if isSupportedPodLevelResource(name) {
			return true
		}
	}
	return false
}

func allContainersLimit(pod *v1.Pod, name v1.ResourceName) bool {
	for _, cs := range [][]v1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range cs {
			if _, ok := cs[i].Resources.Limits[name]; !ok {
				return false
			}
		}
	}
	return true
}

// defaultPodLimits derives pod-level limits when only pod-level requests
// were given and every container bounds the resource.
func defaultPodLimits(pod *v1.Pod) {
	res := pod.Spec.Resources
	if res == nil || podLevelSet(res.Limits) || !podLevelSet(res.Requests) {
		return
	}
	limits := res.Limits
	if limits == nil {
		limits = v1.ResourceList{}
	}
	for name, q := range aggregateContainerResources(pod, limitsOf) {
		if _, ok := limits[name]; ok {
			continue
		}
		if isSupportedPodLevelResource(name) && isOvercommitAllowed(name) && allContainersLimit(pod, name) {
			limits[name] = q.DeepCopy()
		}
	}
	if len(limits) > 0 {
		res.Limits = limits
	}
}
