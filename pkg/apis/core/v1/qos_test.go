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
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func res(reqCPU, reqMem, limCPU, limMem string) v1.ResourceRequirements {
	r := v1.ResourceRequirements{}
	set := func(l *v1.ResourceList, name v1.ResourceName, v string) {
		if v == "" {
			return
		}
		if *l == nil {
			*l = v1.ResourceList{}
		}
		(*l)[name] = resource.MustParse(v)
	}
	set(&r.Requests, v1.ResourceCPU, reqCPU)
	set(&r.Requests, v1.ResourceMemory, reqMem)
	set(&r.Limits, v1.ResourceCPU, limCPU)
	set(&r.Limits, v1.ResourceMemory, limMem)
	return r
}

func TestComputePodQOS(t *testing.T) {
	storage := v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceEphemeralStorage: resource.MustParse("1Gi")}}
	podLevel := res("1", "1Gi", "1", "1Gi")
	cases := []struct {
		name       string
		containers []v1.ResourceRequirements
		init       []v1.ResourceRequirements
		pod        *v1.ResourceRequirements
		want       v1.PodQOSClass
	}{
		{"no resources", []v1.ResourceRequirements{{}}, nil, nil, v1.PodQOSBestEffort},
		{"only non-compute resources", []v1.ResourceRequirements{storage}, nil, nil, v1.PodQOSBestEffort},
		{"zero quantities", []v1.ResourceRequirements{res("0", "0", "", "")}, nil, nil, v1.PodQOSBestEffort},
		{"equal requests and limits", []v1.ResourceRequirements{res("1", "1Gi", "1", "1Gi")}, nil, nil, v1.PodQOSGuaranteed},
		{"equal across containers", []v1.ResourceRequirements{res("1", "1Gi", "1", "1Gi"), res("100m", "10Mi", "100m", "10Mi")}, nil, nil, v1.PodQOSGuaranteed},
		{"requests only", []v1.ResourceRequirements{res("1", "", "", "")}, nil, nil, v1.PodQOSBurstable},
		{"limit above request", []v1.ResourceRequirements{res("1", "1Gi", "2", "1Gi")}, nil, nil, v1.PodQOSBurstable},
		{"missing memory limit", []v1.ResourceRequirements{res("1", "", "1", "")}, nil, nil, v1.PodQOSBurstable},
		{"one best-effort container", []v1.ResourceRequirements{res("1", "1Gi", "1", "1Gi"), {}}, nil, nil, v1.PodQOSBurstable},
		{"init container counts", []v1.ResourceRequirements{res("1", "1Gi", "1", "1Gi")}, []v1.ResourceRequirements{res("1", "", "", "")}, nil, v1.PodQOSBurstable},
		{"guaranteed init", []v1.ResourceRequirements{res("1", "1Gi", "1", "1Gi")}, []v1.ResourceRequirements{res("2", "2Gi", "2", "2Gi")}, nil, v1.PodQOSGuaranteed},
		{"best-effort init only", []v1.ResourceRequirements{{}}, []v1.ResourceRequirements{res("", "1Gi", "", "")}, nil, v1.PodQOSBurstable},
		{"pod level guaranteed", []v1.ResourceRequirements{{}}, nil, &podLevel, v1.PodQOSGuaranteed},
		{"pod level overrides containers", []v1.ResourceRequirements{res("1", "", "", "")}, nil, &podLevel, v1.PodQOSGuaranteed},
		{"pod level burstable", []v1.ResourceRequirements{res("1", "1Gi", "1", "1Gi")}, nil, &v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("1")}}, v1.PodQOSBurstable},
		{"pod level empty", []v1.ResourceRequirements{res("1", "1Gi", "1", "1Gi")}, nil, &v1.ResourceRequirements{}, v1.PodQOSBestEffort},
	}
	for _, tc := range cases {
		pod := &v1.Pod{Spec: v1.PodSpec{Resources: tc.pod}}
		for i, r := range tc.containers {
			pod.Spec.Containers = append(pod.Spec.Containers, v1.Container{Name: string(rune('a' + i)), Resources: r})
		}
		for i, r := range tc.init {
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, v1.Container{Name: string(rune('i' + i)), Resources: r})
		}
		if got := ComputePodQOS(pod); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A limits-only container becomes Guaranteed once defaulting copies the
// limits into requests, which is the order the pod strategy sees.
func TestComputePodQOSAfterDefaults(t *testing.T) {
	pod := &v1.Pod{Spec: v1.PodSpec{Containers: []v1.Container{{Name: "a", Image: "x", Resources: res("", "", "500m", "128Mi")}}}}
	SetObjectDefaultsPod(pod)
	if got := ComputePodQOS(pod); got != v1.PodQOSGuaranteed {
		t.Errorf("got %s", got)
	}
}
