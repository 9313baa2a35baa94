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

package guard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

var podKind = corev1.SchemeGroupVersion.WithKind("Pod").GroupKind()

// fixedInfo answers UpdatedObject with obj and err, or panics with panicWith.
type fixedInfo struct {
	obj       runtime.Object
	err       error
	panicWith any
}

func (f fixedInfo) Preconditions() *metav1.Preconditions { return nil }

func (f fixedInfo) UpdatedObject(context.Context, runtime.Object) (runtime.Object, error) {
	if f.panicWith != nil {
		panic(f.panicWith)
	}
	return f.obj, f.err
}

func podWithRV(rv string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", ResourceVersion: rv}}
}

func TestUpdatedObject(t *testing.T) {
	patchCtx := request.WithRequestInfo(context.Background(), &request.RequestInfo{Verb: "patch"})
	updateCtx := request.WithRequestInfo(context.Background(), &request.RequestInfo{Verb: "update"})
	manyErrors := "errors:\n"
	for i := range 1000 {
		manyErrors += fmt.Sprintf("  .spec.containers[name=\"c\"].args[%d]: expected string, got &{0}\n", i)
	}
	tests := []struct {
		name        string
		ctx         context.Context
		info        fixedInfo
		wantCode    int32
		wantMessage string
		wantCauses  int
	}{
		{name: "a numeric resourceVersion passes", ctx: updateCtx, info: fixedInfo{obj: podWithRV("12")}},
		{name: "no resourceVersion passes", ctx: updateCtx, info: fixedInfo{obj: podWithRV("")}},
		{name: "a word as resourceVersion", ctx: updateCtx, info: fixedInfo{obj: podWithRV("abc")}, wantCode: 422,
			wantMessage: `Pod "p" is invalid: metadata.resourceVersion: Invalid value: "abc": must be an unsigned decimal integer`, wantCauses: 1},
		{name: "a decimal fraction as resourceVersion", ctx: updateCtx, info: fixedInfo{obj: podWithRV("1.0")}, wantCode: 422, wantMessage: `"1.0"`, wantCauses: 1},
		{name: "a leading space in the resourceVersion", ctx: updateCtx, info: fixedInfo{obj: podWithRV(" 1")}, wantCode: 422, wantMessage: `" 1"`, wantCauses: 1},
		{name: "a Status passes as it is", ctx: patchCtx, info: fixedInfo{err: apierrors.NewConflict(corev1.Resource("pods"), "p", errors.New("x"))}, wantCode: 409, wantMessage: "Operation cannot be fulfilled"},
		{name: "a wrapped Status is unwrapped", ctx: patchCtx, info: fixedInfo{err: fmt.Errorf("ctx: %w", apierrors.NewForbidden(corev1.Resource("pods"), "p", errors.New("no")))}, wantCode: 403},
		{
			name: "apply of an unknown field is a strict decoding error", ctx: patchCtx,
			info:     fixedInfo{err: errors.New(`failed to create typed patch object (/p; /v1, Kind=Pod): .spec.ephemeralContainers[name="d"].bogus: field not declared in schema`)},
			wantCode: 400, wantMessage: `strict decoding error: unknown field "spec.ephemeralContainers[name=\"d\"].bogus"`,
		},
		{
			name: "apply of a wrong type is Invalid with a cause per field", ctx: patchCtx,
			info: fixedInfo{err: errors.New("failed to create typed patch object (/p; /v1, Kind=Pod): errors:\n" +
				"  .spec.x: field not declared in schema\n  .spec.containers[name=\"c\"].args: expected list, got &{0}")},
			wantCode: 422, wantMessage: `spec.containers[name="c"].args: Invalid value: expected list`, wantCauses: 2,
		},
		{name: "apply of a thousand wrong values lists the first and counts the rest", ctx: patchCtx,
			info:     fixedInfo{err: errors.New("failed to create typed patch object (/p; /v1, Kind=Pod): " + manyErrors)},
			wantCode: 422, wantMessage: "and 980 more errors", wantCauses: MaxCauses + 1},
		{
			name: "apply that fails conversion", ctx: patchCtx,
			info:     fixedInfo{err: errors.New("failed to convert new object (/p; /v1, Kind=Pod) to proper version: unable to convert unstructured object to /v1, Kind=Pod: cannot convert float64 to int64")},
			wantCode: 400, wantMessage: "the applied configuration is not a valid Pod: unable to convert unstructured object to /v1, Kind=Pod: cannot convert float64 to int64",
		},
		{name: "a strategic merge directive the library refuses", ctx: patchCtx, info: fixedInfo{err: errors.New("unknown patch type: merge in map: map[$patch:merge]")},
			wantCode: 400, wantMessage: "the patch cannot be applied: unknown patch type: merge"},
		{name: "a panic of the patch library", ctx: patchCtx, info: fixedInfo{panicWith: "runtime error: comparing uncomparable type map[string]interface {}"},
			wantCode: 400, wantMessage: `the patch cannot be applied to Pod "p": runtime error: comparing uncomparable`},
		{name: "an error about stored data stays a server error", ctx: patchCtx, info: fixedInfo{err: errors.New("failed to create typed live object (/p; /v1, Kind=Pod): broken")}, wantCode: 500},
		{name: "a plain error of an update is not the client's", ctx: updateCtx, info: fixedInfo{err: errors.New("boom")}, wantCode: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := &updatedObjectInfo{UpdatedObjectInfo: tc.info, kind: podKind, name: "p"}
			obj, err := info.UpdatedObject(tc.ctx, nil)
			if tc.wantCode == 0 {
				if err != nil || obj == nil {
					t.Fatalf("got %v, %v", obj, err)
				}
				return
			}
			var status apierrors.APIStatus
			if !errors.As(err, &status) {
				if tc.wantCode != 500 {
					t.Fatalf("got a plain error %v, want %d", err, tc.wantCode)
				}
				return
			}
			s := status.Status()
			if s.Code != tc.wantCode || !strings.Contains(s.Message, tc.wantMessage) {
				t.Errorf("got %d %q, want %d with %q", s.Code, s.Message, tc.wantCode, tc.wantMessage)
			}
			if tc.wantCauses > 0 && (s.Details == nil || len(s.Details.Causes) != tc.wantCauses) {
				t.Errorf("causes %+v, want %d", s.Details, tc.wantCauses)
			}
		})
	}
}

func TestUpdatedObjectKeepsAbortPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", r)
		}
	}()
	info := &updatedObjectInfo{UpdatedObjectInfo: fixedInfo{panicWith: http.ErrAbortHandler}, kind: podKind, name: "p"}
	_, _ = info.UpdatedObject(context.Background(), nil)
}

func TestError(t *testing.T) {
	var huge field.ErrorList
	for i := range 200 {
		huge = append(huge, field.Required(field.NewPath("spec", "containers").Index(i).Child("image"), ""))
	}
	tests := []struct {
		name       string
		err        error
		wantCode   int32
		wantCauses int
	}{
		{name: "etcd's request too large is 413", err: rpctypes.ErrRequestTooLarge, wantCode: 413},
		{name: "the client's send limit is 413", err: grpcstatus.Error(codes.ResourceExhausted, "trying to send message larger than max (3000000 vs. 2097152)"), wantCode: 413},
		{name: "a large Invalid is cut", err: apierrors.NewInvalid(podKind, "p", huge), wantCode: 422, wantCauses: MaxCauses + 1},
		{name: "a small Invalid is kept", err: apierrors.NewInvalid(podKind, "p", huge[:2]), wantCode: 422, wantCauses: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Error(tc.err)
			var status apierrors.APIStatus
			if !errors.As(got, &status) {
				t.Fatalf("not a Status: %v", got)
			}
			s := status.Status()
			if s.Code != tc.wantCode || len(s.Message) > MaxMessageBytes+100 {
				t.Errorf("got %d with a message of %d bytes", s.Code, len(s.Message))
			}
			if tc.wantCauses > 0 && len(s.Details.Causes) != tc.wantCauses {
				t.Errorf("%d causes, want %d", len(s.Details.Causes), tc.wantCauses)
			}
		})
	}
	// The handlers retry a too large write without managedFields when the
	// error still looks like etcd's.
	tooLarge := Error(rpctypes.ErrRequestTooLarge)
	if coded, ok := tooLarge.(interface{ Code() codes.Code }); !ok || coded.Code() != codes.InvalidArgument || tooLarge.Error() != "etcdserver: request is too large" {
		t.Errorf("the 413 hides etcd's error: %#v", tooLarge)
	}
	if Error(nil) != nil {
		t.Error("nil is not an error")
	}
}

var _ rest.UpdatedObjectInfo = fixedInfo{}

func TestNoResourceVersionOnCreate(t *testing.T) {
	tests := []struct {
		rv      string
		refused bool
	}{
		{rv: ""}, {rv: "0"}, {rv: "abc"}, // as the store: these pass
		{rv: "5", refused: true},
	}
	for _, tc := range tests {
		t.Run(tc.rv, func(t *testing.T) {
			err := noResourceVersion(podWithRV(tc.rv), podKind)
			if tc.refused != (err != nil) {
				t.Fatalf("got %v", err)
			}
			if tc.refused && (!apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "metadata.resourceVersion: Invalid value: \"5\": must not be set on create")) {
				t.Errorf("got %v", err)
			}
		})
	}
	if _, err := (&Store{Kind: podKind}).Create(context.Background(), podWithRV("5"), nil, nil); !apierrors.IsInvalid(err) {
		t.Errorf("Store.Create: %v", err)
	}
}
