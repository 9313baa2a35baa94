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

package simulatedkubelet

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/types"
)

// The identifiers a kubelet on containerd reports, made up but stable: the
// same pod, container and image always give the same ones.

// normalizeImage is the full reference containerd reports for an image as
// a pod spec names it: "busybox" is "docker.io/library/busybox:latest".
func normalizeImage(image string) string {
	name, digest, hasDigest := strings.Cut(image, "@")
	domain, rest, found := strings.Cut(name, "/")
	if !found || !strings.ContainsAny(domain, ".:") && domain != "localhost" {
		domain, rest = "docker.io", name
	}
	if domain == "docker.io" && !strings.Contains(rest, "/") {
		rest = "library/" + rest
	}
	if hasDigest {
		return domain + "/" + rest + "@" + digest
	}
	if !strings.Contains(path.Base(rest), ":") {
		rest += ":latest"
	}
	return domain + "/" + rest
}

// imageID is a repository digest of a normalized image.
func imageID(image string) string {
	if repo, digest, ok := strings.Cut(image, "@"); ok {
		return repo + "@" + digest
	}
	repo := image[:strings.LastIndex(image, ":")]
	return repo + "@sha256:" + hexDigest(image)
}

// containerID identifies the container of a pod.
func containerID(pod types.UID, container string) string {
	return "containerd://" + hexDigest(string(pod)+"/"+container)
}

// podIP is an address in 10.244.0.0/16 for the pod, never .0 or .255.
func podIP(pod types.UID) string {
	sum := sha256.Sum256([]byte(pod))
	return fmt.Sprintf("10.244.%d.%d", sum[0], 1+int(sum[1])%254)
}

func hexDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ImagePatterns says which images fail to pull: path.Match patterns, tried
// on the image as the spec names it and on its full reference
// ("nosuch*", "*:broken", "docker.io/library/busybox:1.0").
type ImagePatterns []string

// Validate reports a malformed pattern.
func (p ImagePatterns) Validate() error {
	for _, pattern := range p {
		if _, err := path.Match(pattern, ""); err != nil {
			return fmt.Errorf("image pattern %q: %w", pattern, err)
		}
	}
	return nil
}

// Match says whether image matches a pattern.
func (p ImagePatterns) Match(image string) bool {
	full := normalizeImage(image)
	for _, pattern := range p {
		if ok, _ := path.Match(pattern, image); ok {
			return true
		}
		if ok, _ := path.Match(pattern, full); ok {
			return true
		}
	}
	return false
}
