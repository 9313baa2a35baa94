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
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
)

// RegisterQueryConversions teaches scheme to read the options of the pod
// subresources that take them from the query (pods/attach, exec,
// portforward, log), each parameter named as its field is in JSON.
func RegisterQueryConversions(scheme *runtime.Scheme) error {
	for _, options := range []any{
		&corev1.PodAttachOptions{}, &corev1.PodExecOptions{}, &corev1.PodPortForwardOptions{}, &corev1.PodLogOptions{},
	} {
		err := scheme.AddConversionFunc((*url.Values)(nil), options, func(a, b any, _ conversion.Scope) error {
			return decodeQuery(*a.(*url.Values), reflect.ValueOf(b).Elem())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

var timeType = reflect.TypeFor[metav1.Time]()

// decodeQuery sets the fields of the struct into from the parameters named
// by their JSON tags. Lists take every value, others the first; a boolean is
// false only for "false" and "0", as kube-apiserver reads them.
func decodeQuery(query url.Values, into reflect.Value) error {
	t := into.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		values, ok := query[name]
		if name == "" || name == "-" || !ok || len(values) == 0 {
			continue
		}
		if err := setField(into.Field(i), values); err != nil {
			return fmt.Errorf("query parameter %q: %w", name, err)
		}
	}
	return nil
}

func setField(field reflect.Value, values []string) error {
	if field.Kind() == reflect.Pointer {
		value := reflect.New(field.Type().Elem())
		if err := setField(value.Elem(), values); err != nil {
			return err
		}
		field.Set(value)
		return nil
	}
	switch {
	case field.Type() == timeType:
		parsed, err := time.Parse(time.RFC3339, values[0])
		if err != nil {
			return err
		}
		field.Set(reflect.ValueOf(metav1.NewTime(parsed)))
	case field.Kind() == reflect.Slice:
		list := reflect.MakeSlice(field.Type(), len(values), len(values))
		for i, v := range values {
			if err := setField(list.Index(i), []string{v}); err != nil {
				return err
			}
		}
		field.Set(list)
	case field.Kind() == reflect.Bool:
		v := strings.ToLower(values[0])
		field.SetBool(v != "false" && v != "0")
	case field.Kind() == reflect.String:
		field.SetString(values[0])
	case field.CanInt():
		n, err := strconv.ParseInt(values[0], 10, field.Type().Bits())
		if err != nil {
			return err
		}
		field.SetInt(n)
	default:
		return fmt.Errorf("cannot read a %s", field.Type())
	}
	return nil
}
