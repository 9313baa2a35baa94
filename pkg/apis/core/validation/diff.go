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

// opcode describes how a[i1:i2] relates to b[j1:j2]: 'e'qual, 'r'eplace,
// 'd'elete or 'i'nsert.
type opcode struct {
	tag            byte
	i1, i2, j1, j2 int
}

// unifiedDiff produces the hunks of a unified diff of two line lists. The
// matching follows the Ratcliff/Obershelp longest-block strategy (with the
// "popular line" heuristic for long inputs) so the hunks come out the same
// as in upstream's messages.
func unifiedDiff(a, b []string, context int) string {
	var out strings.Builder
	for _, group := range groupOpcodes(opcodes(a, b), context) {
		first, last := group[0], group[len(group)-1]
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(first.i1, last.i2), hunkRange(first.j1, last.j2))
		for _, op := range group {
			if op.tag == 'e' {
				for _, l := range a[op.i1:op.i2] {
					out.WriteString(" " + l)
				}
				continue
			}
			if op.tag == 'r' || op.tag == 'd' {
				for _, l := range a[op.i1:op.i2] {
					out.WriteString("-" + l)
				}
			}
			if op.tag == 'r' || op.tag == 'i' {
				for _, l := range b[op.j1:op.j2] {
					out.WriteString("+" + l)
				}
			}
		}
	}
	return out.String()
}

func hunkRange(start, stop int) string {
	begin, length := start+1, stop-start
	if length == 1 {
		return fmt.Sprintf("%d", begin)
	}
	if length == 0 {
		begin--
	}
	return fmt.Sprintf("%d,%d", begin, length)
}

type block struct{ i, j, size int }

type lineMatcher struct {
	a, b []string
	// positions of each (non-popular) line of b
	where map[string][]int
}

func newLineMatcher(a, b []string) *lineMatcher {
	m := &lineMatcher{a: a, b: b, where: map[string][]int{}}
	for j, l := range b {
		m.where[l] = append(m.where[l], j)
	}
	// Lines that appear in more than 1% of a long b are too common to anchor
	// a match on; they can still extend one.
	if n := len(b); n >= 200 {
		limit := n/100 + 1
		for l, js := range m.where {
			if len(js) > limit {
				delete(m.where, l)
			}
		}
	}
	return m
}

// longest finds the longest block of equal lines in a[alo:ahi], b[blo:bhi],
// preferring the earliest start in a, then in b.
func (m *lineMatcher) longest(alo, ahi, blo, bhi int) block {
	best := block{alo, blo, 0}
	runs := map[int]int{}
	for i := alo; i < ahi; i++ {
		next := map[int]int{}
		for _, j := range m.where[m.a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := runs[j-1] + 1
			next[j] = k
			if k > best.size {
				best = block{i - k + 1, j - k + 1, k}
			}
		}
		runs = next
	}
	for best.i > alo && best.j > blo && m.a[best.i-1] == m.b[best.j-1] {
		best = block{best.i - 1, best.j - 1, best.size + 1}
	}
	for best.i+best.size < ahi && best.j+best.size < bhi && m.a[best.i+best.size] == m.b[best.j+best.size] {
		best.size++
	}
	return best
}

func (m *lineMatcher) blocks() []block {
	type span struct{ alo, ahi, blo, bhi int }
	var found []block
	todo := []span{{0, len(m.a), 0, len(m.b)}}
	for len(todo) > 0 {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		x := m.longest(s.alo, s.ahi, s.blo, s.bhi)
		if x.size == 0 {
			continue
		}
		found = append(found, x)
		if s.alo < x.i && s.blo < x.j {
			todo = append(todo, span{s.alo, x.i, s.blo, x.j})
		}
		if x.i+x.size < s.ahi && x.j+x.size < s.bhi {
			todo = append(todo, span{x.i + x.size, s.ahi, x.j + x.size, s.bhi})
		}
	}
	sort.Slice(found, func(p, q int) bool {
		if found[p].i != found[q].i {
			return found[p].i < found[q].i
		}
		return found[p].j < found[q].j
	})
	// merge blocks that touch
	var merged []block
	cur := block{}
	for _, x := range found {
		if cur.i+cur.size == x.i && cur.j+cur.size == x.j {
			cur.size += x.size
			continue
		}
		if cur.size > 0 {
			merged = append(merged, cur)
		}
		cur = x
	}
	if cur.size > 0 {
		merged = append(merged, cur)
	}
	return append(merged, block{len(m.a), len(m.b), 0})
}

func opcodes(a, b []string) []opcode {
	var ops []opcode
	i, j := 0, 0
	for _, x := range newLineMatcher(a, b).blocks() {
		var tag byte
		switch {
		case i < x.i && j < x.j:
			tag = 'r'
		case i < x.i:
			tag = 'd'
		case j < x.j:
			tag = 'i'
		}
		if tag != 0 {
			ops = append(ops, opcode{tag, i, x.i, j, x.j})
		}
		i, j = x.i+x.size, x.j+x.size
		if x.size > 0 {
			ops = append(ops, opcode{'e', x.i, i, x.j, j})
		}
	}
	return ops
}

// groupOpcodes cuts the opcodes into hunks with n lines of context.
func groupOpcodes(ops []opcode, n int) [][]opcode {
	if len(ops) == 0 {
		ops = []opcode{{'e', 0, 1, 0, 1}}
	}
	if ops[0].tag == 'e' {
		o := &ops[0]
		o.i1, o.j1 = max(o.i1, o.i2-n), max(o.j1, o.j2-n)
	}
	if last := &ops[len(ops)-1]; last.tag == 'e' {
		last.i2, last.j2 = min(last.i2, last.i1+n), min(last.j2, last.j1+n)
	}
	var groups [][]opcode
	var group []opcode
	for _, o := range ops {
		if o.tag == 'e' && o.i2-o.i1 > 2*n {
			group = append(group, opcode{'e', o.i1, min(o.i2, o.i1+n), o.j1, min(o.j2, o.j1+n)})
			groups = append(groups, group)
			group = nil
			o.i1, o.j1 = max(o.i1, o.i2-n), max(o.j1, o.j2-n)
		}
		group = append(group, o)
	}
	if len(group) > 0 && !(len(group) == 1 && group[0].tag == 'e') {
		groups = append(groups, group)
	}
	return groups
}
