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
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// objectDiff renders the difference between two values in the same text
// form upstream puts into "may not be changed" messages: both values are
// encoded as indented JSON keyed by Go field names (upstream diffs its
// internal, tag-less structs) and compared as a unified diff with three
// lines of context and no file header.
func objectDiff(a, b interface{}) string {
	return unifiedDiff(splitLinesKeepEOL(goShapeJSON(a)), splitLinesKeepEOL(goShapeJSON(b)), 3)
}

// goShapeJSON encodes v as upstream's internal type would be encoded by
// encoding/json: field names are the Go names, embedded structs are inlined
// and nothing is omitted. v1 and internal core types share field order.
func goShapeJSON(v interface{}) string {
	var buf bytes.Buffer
	if err := writeGoShape(&buf, reflect.ValueOf(v)); err != nil {
		return fmt.Sprintf("%#v", v)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", " "); err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return out.String()
}

var jsonMarshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

func writeGoShape(buf *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		buf.WriteString("null")
		return nil
	}
	t := v.Type()
	// Quantities, IntOrStrings and Times encode themselves the same way in
	// both type systems.
	if t.Implements(jsonMarshalerType) && (v.Kind() != reflect.Pointer || !v.IsNil()) {
		raw, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		buf.Write(raw)
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return writeGoShape(buf, v.Elem())
	case reflect.Struct:
		buf.WriteByte('{')
		first := true
		if err := writeStructFields(buf, v, &first); err != nil {
			return err
		}
		buf.WriteByte('}')
		return nil
	case reflect.Slice:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			raw, err := json.Marshal(v.Interface())
			if err != nil {
				return err
			}
			buf.Write(raw)
			return nil
		}
		fallthrough
	case reflect.Array:
		buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeGoShape(buf, v.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case reflect.Map:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		names := make([]string, len(keys))
		byName := map[string]reflect.Value{}
		for i, k := range keys {
			names[i] = fmt.Sprint(k.Interface())
			byName[names[i]] = k
		}
		sort.Strings(names)
		buf.WriteByte('{')
		for i, name := range names {
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(name)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeGoShape(buf, v.MapIndex(byName[name])); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	default:
		raw, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		buf.Write(raw)
		return nil
	}
}

func writeStructFields(buf *bytes.Buffer, v reflect.Value, first *bool) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		// An untagged embedded struct is flattened by encoding/json; internal
		// types never carry tags, so every embedded struct is flattened.
		if f.Anonymous && f.Type.Kind() == reflect.Struct && !f.Type.Implements(jsonMarshalerType) {
			if err := writeStructFields(buf, fv, first); err != nil {
				return err
			}
			continue
		}
		if !*first {
			buf.WriteByte(',')
		}
		*first = false
		key, _ := json.Marshal(f.Name)
		buf.Write(key)
		buf.WriteByte(':')
		if err := writeGoShape(buf, fv); err != nil {
			return err
		}
	}
	return nil
}

// splitLinesKeepEOL splits s after each newline and terminates the last
// line with one too, as upstream's diff library does.
func splitLinesKeepEOL(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	lines[len(lines)-1] += "\n"
	return lines
}

// unifiedDiff produces the hunks of a unified diff of two line lists, with
// go-difflib (the Ratcliff/Obershelp matcher apimachinery's diff uses), so
// the hunks come out as in upstream's messages; without file names there
// is no header.
func unifiedDiff(a, b []string, context int) string {
	var out strings.Builder
	if err := difflib.WriteUnifiedDiff(&out, difflib.UnifiedDiff{A: a, B: b, Context: context}); err != nil {
		return ""
	}
	return out.String()
}
