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
	"regexp"
	"strings"
)

// The pull-policy default depends on whether an image reference names the
// "latest" tag. We cannot import the distribution reference parser (it is
// not in our module graph), so the small grammar it implements is restated
// here. An unparsable reference yields no tag, which makes the default
// IfNotPresent, as upstream does when its parser fails.
var (
	refDomainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	refDomainName      = refDomainComponent + `(?:\.` + refDomainComponent + `)*`
	refIPv6            = `\[(?:[a-fA-F0-9:]+)\]`
	refDomain          = `(?:` + refDomainName + `|` + refIPv6 + `)(?::[0-9]+)?`
	refPathComponent   = `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
	refRemote          = refPathComponent + `(?:/` + refPathComponent + `)*`

	refDomainRE    = regexp.MustCompile(`^` + refDomain + `$`)
	refRemoteRE    = regexp.MustCompile(`^` + refRemote + `$`)
	refTagRE       = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	refDigestRE    = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)
	refHex64RE     = regexp.MustCompile(`^[a-f0-9]{64}$`)
	digestHexSizes = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}
)

const maxImageNameLength = 255

// parseImageTag returns the tag an image reference resolves to: the explicit
// tag, "latest" when neither tag nor digest is given, and "" when the
// reference carries only a digest or cannot be parsed.
func parseImageTag(image string) (tag string, ok bool) {
	if image == "" || refHex64RE.MatchString(image) {
		return "", false
	}
	rest := image
	digest := ""
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest, digest = rest[:i], rest[i+1:]
		if !validDigest(digest) {
			return "", false
		}
	}
	// A colon after the last slash separates the tag; earlier colons belong
	// to a registry port.
	name := rest
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && i > strings.LastIndexByte(rest, '/') {
		name, tag = rest[:i], rest[i+1:]
		if !refTagRE.MatchString(tag) {
			return "", false
		}
	}
	if !validRepoName(name) {
		return "", false
	}
	if tag == "" && digest == "" {
		tag = "latest"
	}
	return tag, true
}

func validDigest(d string) bool {
	if !refDigestRE.MatchString(d) {
		return false
	}
	i := strings.IndexByte(d, ':')
	alg, hex := d[:i], d[i+1:]
	size, known := digestHexSizes[alg]
	if !known || len(hex) != size {
		return false
	}
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validRepoName checks a repository name the way the normalizing parser
// does: the first component is a registry only if it looks like a host
// (has a dot or port, is localhost, or contains upper case).
func validRepoName(name string) bool {
	if name == "" || len(name) > maxImageNameLength {
		return false
	}
	remote := name
	if i := strings.IndexByte(name, '/'); i >= 0 {
		first := name[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
			if !refDomainRE.MatchString(first) {
				return false
			}
			remote = name[i+1:]
		}
	}
	return refRemoteRE.MatchString(remote)
}
