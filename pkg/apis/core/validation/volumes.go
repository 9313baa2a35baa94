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

package validation

import (
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const fileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive"

// validateVolumes returns the usable volumes by name (volumes with errors
// are left out, as upstream does, so mounts of them report NotFound too).
func validateVolumes(volumes []v1.Volume, fldPath *field.Path) (map[string]v1.VolumeSource, field.ErrorList) {
	allErrs := field.ErrorList{}
	names := sets.New[string]()
	vols := map[string]v1.VolumeSource{}
	for i, vol := range volumes {
		p := fldPath.Index(i)
		errs := validateVolumeSource(&vol.VolumeSource, p)
		if len(vol.Name) == 0 {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else {
			errs = append(errs, validateDNS1123Label(vol.Name, p.Child("name"))...)
		}
		if names.Has(vol.Name) {
			errs = append(errs, field.Duplicate(p.Child("name"), vol.Name))
		}
		if len(errs) == 0 {
			names.Insert(vol.Name)
			vols[vol.Name] = vol.VolumeSource
		} else {
			allErrs = append(allErrs, errs...)
		}
	}
	return vols, allErrs
}

// validateVolumeSource requires exactly one source. The common sources have
// their contents checked; the rest are accepted as they come.
func validateVolumeSource(src *v1.VolumeSource, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	n := 0
	for _, i := range volumeSourceFieldOrder() {
		f := reflect.ValueOf(src).Elem().Field(i)
		if f.IsNil() {
			continue
		}
		jsonName := strings.Split(reflect.TypeOf(*src).Field(i).Tag.Get("json"), ",")[0]
		sp := fldPath.Child(jsonName)
		if n > 0 {
			allErrs = append(allErrs, field.Forbidden(sp, "may not specify more than 1 volume type"))
			continue
		}
		n++
		switch {
		case src.EmptyDir != nil && jsonName == "emptyDir":
			if sl := src.EmptyDir.SizeLimit; sl != nil && sl.Sign() < 0 {
				allErrs = append(allErrs, field.Forbidden(sp.Child("sizeLimit"), "SizeLimit field must be a valid resource quantity"))
			}
		case src.HostPath != nil && jsonName == "hostPath":
			allErrs = append(allErrs, validateHostPath(src.HostPath, sp)...)
		case src.Secret != nil && jsonName == "secret":
			if len(src.Secret.SecretName) == 0 {
				allErrs = append(allErrs, field.Required(sp.Child("secretName"), ""))
			}
			allErrs = append(allErrs, validateFileMode(src.Secret.DefaultMode, sp.Child("defaultMode"))...)
			for j := range src.Secret.Items {
				allErrs = append(allErrs, validateKeyToPath(&src.Secret.Items[j], sp.Child("items").Index(j))...)
			}
		case src.ConfigMap != nil && jsonName == "configMap":
			if len(src.ConfigMap.Name) == 0 {
				allErrs = append(allErrs, field.Required(sp.Child("name"), ""))
			}
			allErrs = append(allErrs, validateFileMode(src.ConfigMap.DefaultMode, sp.Child("defaultMode"))...)
			for j := range src.ConfigMap.Items {
				allErrs = append(allErrs, validateKeyToPath(&src.ConfigMap.Items[j], sp.Child("items").Index(j))...)
			}
		case src.PersistentVolumeClaim != nil && jsonName == "persistentVolumeClaim":
			if len(src.PersistentVolumeClaim.ClaimName) == 0 {
				allErrs = append(allErrs, field.Required(sp.Child("claimName"), ""))
			}
		case src.DownwardAPI != nil && jsonName == "downwardAPI":
			allErrs = append(allErrs, validateFileMode(src.DownwardAPI.DefaultMode, sp.Child("defaultMode"))...)
			for j := range src.DownwardAPI.Items {
				allErrs = append(allErrs, validateDownwardAPIFile(&src.DownwardAPI.Items[j], sp)...)
			}
		case src.Projected != nil && jsonName == "projected":
			allErrs = append(allErrs, validateProjected(src.Projected, sp)...)
		}
	}
	if n == 0 {
		allErrs = append(allErrs, field.Required(fldPath, "must specify a volume type"))
	}
	return allErrs
}

// upstreamVolumeCheckOrder is the order in which upstream looks at volume
// sources; it decides which source of a doubly-set volume gets reported.
var upstreamVolumeCheckOrder = []string{
	"emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
	"glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
	"flexVolume", "configMap", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk",
	"storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
}

// volumeSourceFieldOrder lists the pointer fields of v1.VolumeSource in
// upstream's order, followed by any source it does not know yet.
func volumeSourceFieldOrder() []int {
	rt := reflect.TypeOf(v1.VolumeSource{})
	byName := map[string]int{}
	for i := 0; i < rt.NumField(); i++ {
		if rt.Field(i).Type.Kind() == reflect.Pointer {
			byName[strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]] = i
		}
	}
	var order []int
	for _, name := range upstreamVolumeCheckOrder {
		if i, ok := byName[name]; ok {
			order = append(order, i)
			delete(byName, name)
		}
	}
	var rest []int
	for _, i := range byName {
		rest = append(rest, i)
	}
	sort.Ints(rest)
	return append(order, rest...)
}

var supportedHostPathTypes = []string{
	string(v1.HostPathUnset), string(v1.HostPathBlockDev), string(v1.HostPathCharDev), string(v1.HostPathDirectory),
	string(v1.HostPathDirectoryOrCreate), string(v1.HostPathFile), string(v1.HostPathFileOrCreate), string(v1.HostPathSocket),
}

func validateHostPath(hp *v1.HostPathVolumeSource, fldPath *field.Path) field.ErrorList {
	if len(hp.Path) == 0 {
		return field.ErrorList{field.Required(fldPath.Child("path"), "")}
	}
	allErrs := validatePathNoBacksteps(hp.Path, fldPath.Child("path"))
	if hp.Type != nil && !sets.New(supportedHostPathTypes...).Has(string(*hp.Type)) {
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("type"), *hp.Type, supportedHostPathTypes))
	}
	return allErrs
}

func validateFileMode(mode *int32, fldPath *field.Path) field.ErrorList {
	if mode != nil && (*mode > 0777 || *mode < 0) {
		return field.ErrorList{field.Invalid(fldPath, *mode, fileModeErrorMsg)}
	}
	return nil
}

func validateKeyToPath(kp *v1.KeyToPath, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if len(kp.Key) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("key"), ""))
	}
	if len(kp.Path) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("path"), ""))
	}
	allErrs = append(allErrs, validateLocalNonReservedPath(kp.Path, fldPath.Child("path"))...)
	allErrs = append(allErrs, validateFileMode(kp.Mode, fldPath.Child("mode"))...)
	return allErrs
}

func validateDownwardAPIFile(f *v1.DownwardAPIVolumeFile, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if len(f.Path) == 0 {
		allErrs = append(allErrs, field.Required(fldPath.Child("path"), ""))
	}
	allErrs = append(allErrs, validateLocalNonReservedPath(f.Path, fldPath.Child("path"))...)
	switch {
	case f.FieldRef != nil:
		allErrs = append(allErrs, validateObjectFieldSelector(f.FieldRef, validVolumeFieldPaths, fldPath.Child("fieldRef"))...)
		if f.ResourceFieldRef != nil {
			allErrs = append(allErrs, field.Invalid(fldPath, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		}
	case f.ResourceFieldRef != nil:
		allErrs = append(allErrs, validateResourceFieldSelector(f.ResourceFieldRef, fldPath.Child("resourceFieldRef"), true)...)
	default:
		allErrs = append(allErrs, field.Required(fldPath, "one of fieldRef and resourceFieldRef is required"))
	}
	allErrs = append(allErrs, validateFileMode(f.Mode, fldPath.Child("mode"))...)
	return allErrs
}

func validateProjected(proj *v1.ProjectedVolumeSource, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	paths := sets.New[string]()
	claimPath := func(p, owner string) {
		if len(p) == 0 {
			return
		}
		if paths.Has(p) {
			allErrs = append(allErrs, field.Invalid(fldPath, owner, "conflicting duplicate paths"))
		}
		paths.Insert(p)
	}
	for i, s := range proj.Sources {
		n := 0
		sp := fldPath.Child("sources").Index(i)
		if s.Secret != nil {
			n++
			p := sp.Child("secret")
			if len(s.Secret.Name) == 0 {
				allErrs = append(allErrs, field.Required(p.Child("name"), ""))
			}
			for j := range s.Secret.Items {
				allErrs = append(allErrs, validateKeyToPath(&s.Secret.Items[j], p.Child("items").Index(j))...)
				claimPath(s.Secret.Items[j].Path, s.Secret.Name)
			}
		}
		if s.ConfigMap != nil {
			n++
			p := sp.Child("configMap")
			if len(s.ConfigMap.Name) == 0 {
				allErrs = append(allErrs, field.Required(p.Child("name"), ""))
			}
			for j := range s.ConfigMap.Items {
				allErrs = append(allErrs, validateKeyToPath(&s.ConfigMap.Items[j], p.Child("items").Index(j))...)
				claimPath(s.ConfigMap.Items[j].Path, s.ConfigMap.Name)
			}
		}
		if s.DownwardAPI != nil {
			n++
			p := sp.Child("downwardAPI")
			for j := range s.DownwardAPI.Items {
				allErrs = append(allErrs, validateDownwardAPIFile(&s.DownwardAPI.Items[j], p)...)
				claimPath(s.DownwardAPI.Items[j].Path, "")
			}
		}
		if s.ServiceAccountToken != nil {
			n++
			p := sp.Child("serviceAccountToken")
			if exp := s.ServiceAccountToken.ExpirationSeconds; exp != nil {
				if *exp < 10*60 {
					allErrs = append(allErrs, field.Invalid(p.Child("expirationSeconds"), *exp, "may not specify a duration less than 10 minutes"))
				}
				if *exp > 1<<32 {
					allErrs = append(allErrs, field.Invalid(p.Child("expirationSeconds"), *exp, "may not specify a duration larger than 2^32 seconds"))
				}
			}
			if s.ServiceAccountToken.Path == "" {
				allErrs = append(allErrs, field.Required(fldPath.Child("path"), ""))
			} else {
				allErrs = append(allErrs, validateLocalNonReservedPath(s.ServiceAccountToken.Path, fldPath.Child("path"))...)
			}
			claimPath(s.ServiceAccountToken.Path, "")
		}
		if s.ClusterTrustBundle != nil {
			n++
			claimPath(s.ClusterTrustBundle.Path, "")
		}
		if s.PodCertificate != nil {
			n++
		}
		if n > 1 {
			allErrs = append(allErrs, field.Forbidden(sp, "may not specify more than 1 volume type per source"))
		}
	}
	allErrs = append(allErrs, validateFileMode(proj.DefaultMode, fldPath.Child("defaultMode"))...)
	return allErrs
}

func hasBacksteps(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

func validatePathNoBacksteps(target string, fldPath *field.Path) field.ErrorList {
	if hasBacksteps(target) {
		return field.ErrorList{field.Invalid(fldPath, target, "must not contain '..'")}
	}
	return nil
}

func validateLocalDescendingPath(target string, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if path.IsAbs(target) {
		allErrs = append(allErrs, field.Invalid(fldPath, target, "must be a relative path"))
	}
	return append(allErrs, validatePathNoBacksteps(target, fldPath)...)
}

func validateLocalNonReservedPath(target string, fldPath *field.Path) field.ErrorList {
	allErrs := validateLocalDescendingPath(target, fldPath)
	if strings.HasPrefix(target, "..") && !strings.HasPrefix(target, "../") {
		allErrs = append(allErrs, field.Invalid(fldPath, target, "must not start with '..'"))
	}
	return allErrs
}

// --- resources ---

var standardContainerResources = sets.New(string(v1.ResourceCPU), string(v1.ResourceMemory), string(v1.ResourceEphemeralStorage))

func isHugePages(name v1.ResourceName) bool {
	return strings.HasPrefix(string(name), v1.ResourceHugePagesPrefix)
}

// isNativeResource: unprefixed or in the kubernetes.io domain.
func isNativeResource(name v1.ResourceName) bool {
	return !strings.Contains(string(name), "/") || strings.Contains(string(name), "kubernetes.io/")
}

func isOvercommitAllowed(name v1.ResourceName) bool {
	return isNativeResource(name) && !isHugePages(name)
}

func validateContainerResourceName(name v1.ResourceName, fldPath *field.Path) field.ErrorList {
	allErrs := validateQualifiedName(string(name), fldPath)
	if len(allErrs) != 0 {
		return allErrs
	}
	if !isNativeResource(name) {
		return nil
	}
	if !standardContainerResources.Has(string(name)) && !isHugePages(name) {
		return append(allErrs, field.Invalid(fldPath, string(name), "must be a standard resource for containers"))
	}
	return nil
}

func validateResourceQuantity(name v1.ResourceName, q resource.Quantity, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if q.Sign() < 0 {
		allErrs = append(allErrs, field.Invalid(fldPath, q.String(), "must be greater than or equal to 0"))
	}
	// extended resources are counted in whole units
	if !isNativeResource(name) && q.MilliValue()%1000 != 0 {
		allErrs = append(allErrs, field.Invalid(fldPath, q.String(), "must be an integer"))
	}
	return allErrs
}

func sortedResourceNames(rl v1.ResourceList) []v1.ResourceName {
	names := make([]v1.ResourceName, 0, len(rl))
	for n := range rl {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

// validateResourceRequirements checks names and quantities and that no
// request exceeds its limit. Keys are visited in sorted order for stable
// output (upstream iterates the maps randomly).
func validateResourceRequirements(req *v1.ResourceRequirements, claimNames sets.Set[string], fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	limPath, reqPath := fldPath.Child("limits"), fldPath.Child("requests")
	cpuOrMem, hugePages := false, false
	for _, name := range sortedResourceNames(req.Limits) {
		p := limPath.Key(string(name))
		allErrs = append(allErrs, validateContainerResourceName(name, p)...)
		allErrs = append(allErrs, validateResourceQuantity(name, req.Limits[name], p)...)
		if isHugePages(name) {
			hugePages = true
		}
		if name == v1.ResourceCPU || name == v1.ResourceMemory {
			cpuOrMem = true
		}
	}
	for _, name := range sortedResourceNames(req.Requests) {
		q := req.Requests[name]
		p := reqPath.Key(string(name))
		allErrs = append(allErrs, validateContainerResourceName(name, p)...)
		allErrs = append(allErrs, validateResourceQuantity(name, q, p)...)
		if limit, ok := req.Limits[name]; ok {
			if q.Cmp(limit) != 0 && !isOvercommitAllowed(name) {
				allErrs = append(allErrs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be equal to %s limit of %s", name, limit.String())))
			} else if q.Cmp(limit) > 0 {
				allErrs = append(allErrs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
			}
		} else if !isOvercommitAllowed(name) {
			allErrs = append(allErrs, field.Required(limPath, "Limit must be set for non overcommitable resources"))
		}
		if isHugePages(name) {
			hugePages = true
		}
		if name == v1.ResourceCPU || name == v1.ResourceMemory {
			cpuOrMem = true
		}
	}
	if hugePages && !cpuOrMem {
		allErrs = append(allErrs, field.Forbidden(fldPath, "HugePages require cpu or memory"))
	}
	seen := sets.New[string]()
	for i, c := range req.Claims {
		p := fldPath.Child("claims").Index(i)
		key := c.Name + "/" + c.Request
		switch {
		case c.Name == "":
			allErrs = append(allErrs, field.Required(p.Child("name"), ""))
		case seen.Has(key):
			allErrs = append(allErrs, field.Duplicate(p, key))
		case !claimNames.Has(c.Name):
			allErrs = append(allErrs, field.NotFound(p.Child("name"), c.Name))
		}
		seen.Insert(key)
	}
	return allErrs
}

// --- probes and lifecycle (regular and sidecar containers only) ---

type probeKind int

const (
	probeLiveness probeKind = iota
	probeReadiness
	probeStartup
)

func validateProbe(probe *v1.Probe, gracePeriod *int64, fldPath *field.Path, kind probeKind) field.ErrorList {
	allErrs := field.ErrorList{}
	if probe == nil {
		return allErrs
	}
	h := probe.ProbeHandler
	allErrs = append(allErrs, validateHandler(h.Exec, h.HTTPGet, h.TCPSocket, h.GRPC, nil, gracePeriod, fldPath)...)
	for _, f := range []struct {
		v    int32
		name string
	}{
		{probe.InitialDelaySeconds, "initialDelaySeconds"},
		{probe.TimeoutSeconds, "timeoutSeconds"},
		{probe.PeriodSeconds, "periodSeconds"},
		{probe.SuccessThreshold, "successThreshold"},
		{probe.FailureThreshold, "failureThreshold"},
	} {
		if f.v < 0 {
			allErrs = append(allErrs, field.Invalid(fldPath.Child(f.name), int64(f.v), "must be greater than or equal to 0"))
		}
	}
	if probe.TerminationGracePeriodSeconds != nil && *probe.TerminationGracePeriodSeconds <= 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("terminationGracePeriodSeconds"), *probe.TerminationGracePeriodSeconds, "must be greater than 0"))
	}
	switch kind {
	case probeLiveness, probeStartup:
		if probe.SuccessThreshold != 1 {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("successThreshold"), probe.SuccessThreshold, "must be 1"))
		}
	case probeReadiness:
		if probe.TerminationGracePeriodSeconds != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("terminationGracePeriodSeconds"), probe.TerminationGracePeriodSeconds, "must not be set for readinessProbes"))
		}
	}
	return allErrs
}

func validateLifecycle(lc *v1.Lifecycle, gracePeriod *int64, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if h := lc.PostStart; h != nil {
		allErrs = append(allErrs, validateHandler(h.Exec, h.HTTPGet, h.TCPSocket, nil, h.Sleep, gracePeriod, fldPath.Child("postStart"))...)
	}
	if h := lc.PreStop; h != nil {
		allErrs = append(allErrs, validateHandler(h.Exec, h.HTTPGet, h.TCPSocket, nil, h.Sleep, gracePeriod, fldPath.Child("preStop"))...)
	}
	return allErrs
}

// validateHandler requires exactly one action; later actions are reported
// as extra handler types.
func validateHandler(exec *v1.ExecAction, httpGet *v1.HTTPGetAction, tcp *v1.TCPSocketAction, grpc *v1.GRPCAction, sleep *v1.SleepAction, gracePeriod *int64, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	n := 0
	add := func(set bool, name string, check func(*field.Path) field.ErrorList) {
		if !set {
			return
		}
		if n > 0 {
			allErrs = append(allErrs, field.Forbidden(fldPath.Child(name), "may not specify more than 1 handler type"))
			return
		}
		n++
		allErrs = append(allErrs, check(fldPath.Child(name))...)
	}
	add(exec != nil, "exec", func(p *field.Path) field.ErrorList {
		if len(exec.Command) == 0 {
			return field.ErrorList{field.Required(p.Child("command"), "")}
		}
		return nil
	})
	add(httpGet != nil, "httpGet", func(p *field.Path) field.ErrorList {
		errs := field.ErrorList{}
		if len(httpGet.Path) == 0 {
			errs = append(errs, field.Required(p.Child("path"), ""))
		}
		errs = append(errs, validatePortNumOrName(httpGet.Port, p.Child("port"))...)
		schemes := []v1.URIScheme{v1.URISchemeHTTP, v1.URISchemeHTTPS}
		if !sets.New(schemes...).Has(httpGet.Scheme) {
			errs = append(errs, field.NotSupported(p.Child("scheme"), httpGet.Scheme, schemes))
		}
		for _, hdr := range httpGet.HTTPHeaders {
			for _, msg := range validation.IsHTTPHeaderName(hdr.Name) {
				errs = append(errs, field.Invalid(p.Child("httpHeaders"), hdr.Name, msg))
			}
		}
		return errs
	})
	add(tcp != nil, "tcpSocket", func(p *field.Path) field.ErrorList {
		return validatePortNumOrName(tcp.Port, p.Child("port"))
	})
	add(grpc != nil, "grpc", func(p *field.Path) field.ErrorList {
		return validatePortNumOrName(intstr.FromInt32(grpc.Port), p.Child("port"))
	})
	add(sleep != nil, "sleep", func(p *field.Path) field.ErrorList {
		if gracePeriod != nil && (sleep.Seconds < 0 || sleep.Seconds > *gracePeriod) {
			return field.ErrorList{field.Invalid(p, sleep.Seconds, fmt.Sprintf("must be non-negative and less than terminationGracePeriodSeconds (%d)", *gracePeriod))}
		}
		return nil
	})
	if n == 0 {
		allErrs = append(allErrs, field.Required(fldPath, "must specify a handler type"))
	}
	return allErrs
}

func validatePortNumOrName(port intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	allErrs := field.ErrorList{}
	if port.Type == intstr.Int {
		for _, msg := range validation.IsValidPortNum(port.IntValue()) {
			allErrs = append(allErrs, field.Invalid(fldPath, port.IntValue(), msg))
		}
	} else {
		for _, msg := range validation.IsValidPortName(port.StrVal) {
			allErrs = append(allErrs, field.Invalid(fldPath, port.StrVal, msg))
		}
	}
	return allErrs
}
