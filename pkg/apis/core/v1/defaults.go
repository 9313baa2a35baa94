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

// Package v1 holds the API defaults that upstream's core/v1 scheme applies to
// the objects this server stores and serves, so that what clients read back
// matches a real kube-apiserver field for field.
package v1

import (
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// RegisterDefaults installs the defaulting functions for the core/v1 kinds we
// serve. core/v1 Event has no scheme defaults upstream, so none is registered.
func RegisterDefaults(scheme *runtime.Scheme) error {
	scheme.AddTypeDefaultingFunc(&v1.Pod{}, func(obj interface{}) { SetObjectDefaultsPod(obj.(*v1.Pod)) })
	scheme.AddTypeDefaultingFunc(&v1.PodList{}, func(obj interface{}) { SetObjectDefaultsPodList(obj.(*v1.PodList)) })
	scheme.AddTypeDefaultingFunc(&v1.PodTemplate{}, func(obj interface{}) { SetObjectDefaultsPodTemplate(obj.(*v1.PodTemplate)) })
	scheme.AddTypeDefaultingFunc(&v1.PodTemplateList{}, func(obj interface{}) { SetObjectDefaultsPodTemplateList(obj.(*v1.PodTemplateList)) })
	scheme.AddTypeDefaultingFunc(&v1.Namespace{}, func(obj interface{}) { SetObjectDefaultsNamespace(obj.(*v1.Namespace)) })
	scheme.AddTypeDefaultingFunc(&v1.NamespaceList{}, func(obj interface{}) { SetObjectDefaultsNamespaceList(obj.(*v1.NamespaceList)) })
	return nil
}

// SetObjectDefaultsPod applies every default a Pod receives: the pod-only
// ones (requests from limits, enableServiceLinks, host ports) and then the
// ones shared with pod templates.
func SetObjectDefaultsPod(pod *v1.Pod) {
	setPodOnlyDefaults(pod)
	setPodSpecTreeDefaults(&pod.Spec)
	if pod.Spec.Resources != nil {
		roundResourceList(pod.Spec.Resources.Limits)
		roundResourceList(pod.Spec.Resources.Requests)
	}
	for _, statuses := range [][]v1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for i := range statuses {
			roundResourceList(statuses[i].AllocatedResources)
			if r := statuses[i].Resources; r != nil {
				roundResourceList(r.Limits)
				roundResourceList(r.Requests)
			}
		}
	}
}

// SetObjectDefaultsPodList defaults each item.
func SetObjectDefaultsPodList(list *v1.PodList) {
	for i := range list.Items {
		SetObjectDefaultsPod(&list.Items[i])
	}
}

// SetObjectDefaultsPodTemplate defaults the template's spec. Pod-only defaults
// (such as requests copied from limits) deliberately do not apply here.
func SetObjectDefaultsPodTemplate(tmpl *v1.PodTemplate) {
	setPodSpecTreeDefaults(&tmpl.Template.Spec)
	if tmpl.Template.Spec.Resources != nil {
		roundResourceList(tmpl.Template.Spec.Resources.Limits)
		roundResourceList(tmpl.Template.Spec.Resources.Requests)
	}
}

// SetObjectDefaultsPodTemplateList defaults each item.
func SetObjectDefaultsPodTemplateList(list *v1.PodTemplateList) {
	for i := range list.Items {
		SetObjectDefaultsPodTemplate(&list.Items[i])
	}
}

// SetObjectDefaultsNamespace labels a named namespace with its own name and
// defaults its phase to Active, as upstream's v1 defaults do.
func SetObjectDefaultsNamespace(ns *v1.Namespace) {
	// generateName requests have no name yet; the strategy labels those later.
	if ns.Name != "" {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[v1.LabelMetadataName] = ns.Name
	}
	if ns.Status.Phase == "" {
		ns.Status.Phase = v1.NamespaceActive
	}
}

// SetObjectDefaultsNamespaceList defaults each item.
func SetObjectDefaultsNamespaceList(list *v1.NamespaceList) {
	for i := range list.Items {
		SetObjectDefaultsNamespace(&list.Items[i])
	}
}

// setPodOnlyDefaults holds the defaults that materialize only on Pods, never
// on objects embedding a PodSpec, so templates stay stable across upgrades.
func setPodOnlyDefaults(pod *v1.Pod) {
	for i := range pod.Spec.Containers {
		copyLimitsToRequests(&pod.Spec.Containers[i].Resources)
	}
	for i := range pod.Spec.InitContainers {
		copyLimitsToRequests(&pod.Spec.InitContainers[i].Resources)
	}
	// Pod-level defaults read the container values, so they come after.
	defaultPodLevelResources(pod)

	if pod.Spec.EnableServiceLinks == nil {
		enable := v1.DefaultEnableServiceLinks
		pod.Spec.EnableServiceLinks = &enable
	}
	if pod.Spec.HostNetwork {
		defaultHostPorts(pod.Spec.Containers)
		defaultHostPorts(pod.Spec.InitContainers)
	}
}

// copyLimitsToRequests makes a limit without a request mean "request what
// you limit", which is what the scheduler and QoS computation expect.
func copyLimitsToRequests(res *v1.ResourceRequirements) {
	if res.Limits == nil {
		return
	}
	if res.Requests == nil {
		res.Requests = v1.ResourceList{}
	}
	for name, q := range res.Limits {
		if _, ok := res.Requests[name]; !ok {
			res.Requests[name] = q.DeepCopy()
		}
	}
}

// With host networking a container port is the host port.
func defaultHostPorts(containers []v1.Container) {
	for i := range containers {
		for j := range containers[i].Ports {
			if containers[i].Ports[j].HostPort == 0 {
				containers[i].Ports[j].HostPort = containers[i].Ports[j].ContainerPort
			}
		}
	}
}

// setPodSpecTreeDefaults defaults a PodSpec and everything nested in it.
func setPodSpecTreeDefaults(spec *v1.PodSpec) {
	SetDefaultsPodSpec(spec)
	for i := range spec.Volumes {
		setVolumeDefaults(&spec.Volumes[i])
	}
	for i := range spec.InitContainers {
		setContainerTreeDefaults(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		setContainerTreeDefaults(&spec.Containers[i])
	}
	SetDefaultsEphemeralContainers(spec.EphemeralContainers)
	roundResourceList(spec.Overhead)
}

// SetDefaultsEphemeralContainers defaults ephemeral containers as regular
// ones, in either wire form of the subresource, so an entry written in one
// form compares equal when read back in the other.
func SetDefaultsEphemeralContainers(containers []v1.EphemeralContainer) {
	for i := range containers {
		// The common part has the same layout as Container; defaulting it
		// through the conversion keeps ephemeral containers in step.
		setContainerTreeDefaults((*v1.Container)(&containers[i].EphemeralContainerCommon))
	}
}

// SetDefaultsPodSpec sets the top-level PodSpec defaults.
func SetDefaultsPodSpec(spec *v1.PodSpec) {
	if spec.DNSPolicy == "" {
		spec.DNSPolicy = v1.DNSClusterFirst
	}
	if spec.RestartPolicy == "" {
		spec.RestartPolicy = v1.RestartPolicyAlways
	}
	if spec.SecurityContext == nil {
		spec.SecurityContext = &v1.PodSecurityContext{}
	}
	if spec.TerminationGracePeriodSeconds == nil {
		grace := int64(v1.DefaultTerminationGracePeriodSeconds)
		spec.TerminationGracePeriodSeconds = &grace
	}
	if spec.SchedulerName == "" {
		spec.SchedulerName = v1.DefaultSchedulerName
	}
}

// SetDefaultsContainer sets the per-container scalar defaults.
func SetDefaultsContainer(c *v1.Container) {
	if c.ImagePullPolicy == "" {
		c.ImagePullPolicy = DefaultPullPolicy(c.Image)
	}
	if c.TerminationMessagePath == "" {
		c.TerminationMessagePath = v1.TerminationMessagePathDefault
	}
	if c.TerminationMessagePolicy == "" {
		c.TerminationMessagePolicy = v1.TerminationMessageReadFile
	}
}

// DefaultPullPolicy is Always for the latest tag (including an image with
// neither tag nor digest) and IfNotPresent otherwise, including for
// references that do not parse.
func DefaultPullPolicy(image string) v1.PullPolicy {
	if tag, _ := parseImageTag(image); tag == "latest" {
		return v1.PullAlways
	}
	return v1.PullIfNotPresent
}

func setContainerTreeDefaults(c *v1.Container) {
	SetDefaultsContainer(c)
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = v1.ProtocolTCP
		}
	}
	for i := range c.Env {
		if vf := c.Env[i].ValueFrom; vf != nil {
			if vf.FieldRef != nil {
				setFieldRefDefaults(vf.FieldRef)
			}
			if vf.FileKeyRef != nil && vf.FileKeyRef.Optional == nil {
				optional := false
				vf.FileKeyRef.Optional = &optional
			}
		}
	}
	roundResourceList(c.Resources.Limits)
	roundResourceList(c.Resources.Requests)
	for _, p := range []*v1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		if p != nil {
			SetDefaultsProbe(p)
		}
	}
	if c.Lifecycle != nil {
		for _, h := range []*v1.LifecycleHandler{c.Lifecycle.PostStart, c.Lifecycle.PreStop} {
			if h != nil && h.HTTPGet != nil {
				setHTTPGetDefaults(h.HTTPGet)
			}
		}
	}
}

// SetDefaultsProbe fills the probe timings and its handler's defaults.
func SetDefaultsProbe(p *v1.Probe) {
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 1
	}
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = 10
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 3
	}
	if p.HTTPGet != nil {
		setHTTPGetDefaults(p.HTTPGet)
	}
	if p.GRPC != nil && p.GRPC.Service == nil {
		// The field is serialized without omitempty, so an explicit empty
		// service keeps round trips stable.
		empty := ""
		p.GRPC.Service = &empty
	}
}

func setHTTPGetDefaults(h *v1.HTTPGetAction) {
	if h.Path == "" {
		h.Path = "/"
	}
	if h.Scheme == "" {
		h.Scheme = v1.URISchemeHTTP
	}
}

func setFieldRefDefaults(f *v1.ObjectFieldSelector) {
	if f.APIVersion == "" {
		f.APIVersion = "v1"
	}
}

func int32Ptr(v int32) *int32 { return &v }

func setVolumeDefaults(vol *v1.Volume) {
	src := &vol.VolumeSource
	if isEmptyVolumeSource(src) {
		src.EmptyDir = &v1.EmptyDirVolumeSource{}
	}
	if src.Image != nil && src.Image.PullPolicy == "" {
		src.Image.PullPolicy = DefaultPullPolicy(src.Image.Reference)
	}
	if src.HostPath != nil && src.HostPath.Type == nil {
		unset := v1.HostPathUnset
		src.HostPath.Type = &unset
	}
	if src.Secret != nil && src.Secret.DefaultMode == nil {
		src.Secret.DefaultMode = int32Ptr(v1.SecretVolumeSourceDefaultMode)
	}
	if src.ConfigMap != nil && src.ConfigMap.DefaultMode == nil {
		src.ConfigMap.DefaultMode = int32Ptr(v1.ConfigMapVolumeSourceDefaultMode)
	}
	if src.DownwardAPI != nil {
		if src.DownwardAPI.DefaultMode == nil {
			src.DownwardAPI.DefaultMode = int32Ptr(v1.DownwardAPIVolumeSourceDefaultMode)
		}
		setDownwardAPIItemDefaults(src.DownwardAPI.Items)
	}
	if src.Projected != nil {
		if src.Projected.DefaultMode == nil {
			src.Projected.DefaultMode = int32Ptr(v1.ProjectedVolumeSourceDefaultMode)
		}
		for i := range src.Projected.Sources {
			ps := &src.Projected.Sources[i]
			if ps.DownwardAPI != nil {
				setDownwardAPIItemDefaults(ps.DownwardAPI.Items)
			}
			if ps.ServiceAccountToken != nil && ps.ServiceAccountToken.ExpirationSeconds == nil {
				hour := int64(time.Hour / time.Second)
				ps.ServiceAccountToken.ExpirationSeconds = &hour
			}
		}
	}
	if src.ISCSI != nil && src.ISCSI.ISCSIInterface == "" {
		src.ISCSI.ISCSIInterface = "default"
	}
	if rbd := src.RBD; rbd != nil {
		if rbd.RBDPool == "" {
			rbd.RBDPool = "rbd"
		}
		if rbd.RadosUser == "" {
			rbd.RadosUser = "admin"
		}
		if rbd.Keyring == "" {
			rbd.Keyring = "/etc/ceph/keyring"
		}
	}
	if ad := src.AzureDisk; ad != nil {
		if ad.CachingMode == nil {
			m := v1.AzureDataDiskCachingReadWrite
			ad.CachingMode = &m
		}
		if ad.FSType == nil {
			fs := "ext4"
			ad.FSType = &fs
		}
		if ad.ReadOnly == nil {
			ro := false
			ad.ReadOnly = &ro
		}
		if ad.Kind == nil {
			k := v1.AzureSharedBlobDisk
			ad.Kind = &k
		}
	}
	if sio := src.ScaleIO; sio != nil {
		if sio.StorageMode == "" {
			sio.StorageMode = "ThinProvisioned"
		}
		if sio.FSType == "" {
			sio.FSType = "xfs"
		}
	}
	if src.Ephemeral != nil && src.Ephemeral.VolumeClaimTemplate != nil {
		spec := &src.Ephemeral.VolumeClaimTemplate.Spec
		if spec.VolumeMode == nil {
			mode := v1.PersistentVolumeFilesystem
			spec.VolumeMode = &mode
		}
		roundResourceList(spec.Resources.Limits)
		roundResourceList(spec.Resources.Requests)
	}
}

func setDownwardAPIItemDefaults(items []v1.DownwardAPIVolumeFile) {
	for i := range items {
		if items[i].FieldRef != nil {
			setFieldRefDefaults(items[i].FieldRef)
		}
	}
}

// isEmptyVolumeSource reports whether no source was chosen; such a volume
// is treated as an emptyDir.
func isEmptyVolumeSource(s *v1.VolumeSource) bool {
	return s.HostPath == nil && s.EmptyDir == nil && s.GCEPersistentDisk == nil &&
		s.AWSElasticBlockStore == nil && s.GitRepo == nil && s.Secret == nil &&
		s.NFS == nil && s.ISCSI == nil && s.Glusterfs == nil &&
		s.PersistentVolumeClaim == nil && s.RBD == nil && s.FlexVolume == nil &&
		s.Cinder == nil && s.CephFS == nil && s.Flocker == nil &&
		s.DownwardAPI == nil && s.FC == nil && s.AzureFile == nil &&
		s.ConfigMap == nil && s.VsphereVolume == nil && s.Quobyte == nil &&
		s.AzureDisk == nil && s.PhotonPersistentDisk == nil && s.Projected == nil &&
		s.PortworxVolume == nil && s.ScaleIO == nil && s.StorageOS == nil &&
		s.CSI == nil && s.Ephemeral == nil && s.Image == nil
}

// roundResourceList rounds every quantity up to milli precision; finer
// values cannot be represented by the runtime and upstream rounds them.
func roundResourceList(list v1.ResourceList) {
	for name, q := range list {
		q.RoundUp(-3)
		list[name] = q
	}
}
