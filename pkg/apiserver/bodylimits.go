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

package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"go.yaml.in/yaml/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apiserver/wireform"
)

// maxBodyValues bounds the values (scalars, keys, lists and maps, aliases
// expanded) of a YAML or server-side apply body. A pod with a hundred
// containers has a few thousand; the bound is far above any real object
// and far below what a 3 MiB body can make a decoder build: a YAML anchor
// used a few hundred times expands a few hundred kilobytes into a hundred
// megabytes, and server-side apply reports every wrong value of a list of
// a million.
const maxBodyValues = 100_000

// errTooManyValues stops a count at maxBodyValues.
var errTooManyValues = errors.New("too many values")

// boundedBodies refuses, with 413, YAML and apply bodies that decode into
// more than maxBodyValues values, before any decoder expands them. Other
// bodies pass untouched: JSON has no aliases, and the other patch types
// stop at their first wrong value.
type boundedBodies struct {
	next         http.Handler
	maxBodyBytes int64
}

func (b boundedBodies) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !b.applies(req) {
		b.next.ServeHTTP(w, req)
		return
	}
	// A body over the size limit or unreadable is the handler's to refuse.
	if body, ok := wireform.PeekBody(req, b.maxBodyBytes); ok && countValues(body, maxBodyValues) > maxBodyValues {
		responsewriters.ErrorNegotiated(apierrors.NewRequestEntityTooLargeError(
			fmt.Sprintf("the body decodes into more than %d values (YAML aliases expanded)", maxBodyValues)),
			Codecs, schema.GroupVersion{}, w, req)
		return
	}
	b.next.ServeHTTP(w, req)
}

// applies is true for writes whose body is YAML, server-side apply
// included.
func (b boundedBodies) applies(req *http.Request) bool {
	if req.Method != http.MethodPost && req.Method != http.MethodPut && req.Method != http.MethodPatch {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil {
		return false
	}
	return mediaType == runtime.ContentTypeYAML || mediaType == string(types.ApplyYAMLPatchType)
}

// countValues counts the values of a JSON or YAML document, stopping once
// it passes limit. A body that does not parse counts as nothing: its
// decoder reports it.
func countValues(body []byte, limit int) int {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed) {
		return countJSONValues(trimmed, limit)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil || doc.Kind == 0 {
		return 0
	}
	counter := yamlCounter{limit: limit, expanded: map[*yaml.Node]int{}}
	n, _ := counter.count(&doc)
	return n
}

// countJSONValues streams the tokens of valid JSON; nothing is built.
func countJSONValues(body []byte, limit int) int {
	decoder := json.NewDecoder(bytes.NewReader(body))
	n := 0
	for n <= limit {
		token, err := decoder.Token()
		if err != nil {
			break
		}
		if delim, ok := token.(json.Delim); ok && (delim == '}' || delim == ']') {
			continue
		}
		n++
	}
	return n
}

// yamlCounter counts the nodes of a YAML tree with every alias replaced by
// what it names, remembering each anchor's size so a bomb costs its size in
// the text, not its expansion.
type yamlCounter struct {
	limit    int
	expanded map[*yaml.Node]int
}

func (c yamlCounter) count(node *yaml.Node) (int, error) {
	if node == nil {
		return 0, nil
	}
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if n, ok := c.expanded[node]; ok {
		return n, nil
	}
	total := 1
	if node.Kind == yaml.DocumentNode {
		total = 0
	}
	// Marks the node in progress: an anchor that contains itself counts as
	// nothing more.
	c.expanded[node] = 0
	for _, child := range node.Content {
		n, err := c.count(child)
		total += n
		if err != nil || total > c.limit {
			return total, errTooManyValues
		}
	}
	c.expanded[node] = total
	return total, nil
}
