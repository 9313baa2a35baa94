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

// Package printers renders the objects this server serves as metav1.Table
// responses, with the columns and cell values kubectl shows for a real
// kube-apiserver.
package printers

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apiserver/pkg/registry/rest"
)

// now is swapped by tests so ages are deterministic.
var now = time.Now

var objectMetaDocs = metav1.ObjectMeta{}.SwaggerDoc()

// rowBuilder turns one object into its cells and optional row conditions.
type rowBuilder[T runtime.Object] func(obj T) (cells []interface{}, conditions []metav1.TableRowCondition)

// tableConvertor is shared by every kind: it walks a list or a single
// object, builds one row per object, and copies list metadata the way the
// generic apiserver's default convertor does. The handler later swaps each
// row's object for partial metadata when the client asks for it.
type tableConvertor[T runtime.Object] struct {
	columns []metav1.TableColumnDefinition
	row     rowBuilder[T]
}

var _ rest.TableConvertor = tableConvertor[runtime.Object]{}

func (c tableConvertor[T]) ConvertToTable(_ context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	noHeaders := false
	switch opts := tableOptions.(type) {
	case nil:
	case *metav1.TableOptions:
		noHeaders = opts != nil && opts.NoHeaders
	default:
		return nil, fmt.Errorf("unrecognized type %T for table options, can't display tabular output", tableOptions)
	}

	table := &metav1.Table{}
	add := func(obj runtime.Object) error {
		typed, ok := obj.(T)
		if !ok {
			var want T
			return fmt.Errorf("cannot print %T as a table of %T", obj, want)
		}
		cells, conditions := c.row(typed)
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells:      cells,
			Conditions: conditions,
			Object:     runtime.RawExtension{Object: obj},
		})
		return nil
	}
	if meta.IsListType(object) {
		// An empty list still renders as an empty (not nil) set of rows.
		table.Rows = []metav1.TableRow{}
		if err := meta.EachListItem(object, add); err != nil {
			return nil, err
		}
	} else if err := add(object); err != nil {
		return nil, err
	}

	if l, err := meta.ListAccessor(object); err == nil {
		table.ResourceVersion = l.GetResourceVersion()
		table.Continue = l.GetContinue()
		table.RemainingItemCount = l.GetRemainingItemCount()
	} else if m, err := meta.CommonAccessor(object); err == nil {
		table.ResourceVersion = m.GetResourceVersion()
	}
	if !noHeaders {
		table.ColumnDefinitions = c.columns
	}
	return table, nil
}

// translateTimestampSince renders the age of t as kubectl does.
func translateTimestampSince(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now().Sub(t.Time))
}

func translateMicroTimestampSince(t metav1.MicroTime) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now().Sub(t.Time))
}
