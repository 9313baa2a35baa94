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

// Package guard turns what a client got wrong into client errors.
//
// The generic registry and the handlers it shares with upstream answer a
// plain Go error with 500, and several of the libraries under them report
// a client's mistake that way: a resourceVersion that is not a number, a
// server-side apply body that does not fit the schema, a strategic merge
// directive they cannot follow (or panic on), an object too large for
// etcd. Every write of our REST storage runs through Update or Create
// here, so that each of these is a 4xx Status naming the problem, and
// every Status is bounded in size whatever the request held.
package guard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/endpoints/request"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"
)

const (
	// MaxCauses is how many causes a Status lists; the last one says how
	// many more there were.
	MaxCauses = 20
	// MaxMessageBytes bounds a Status message.
	MaxMessageBytes = 4096
)

// UpdateFunc is a store's Update with everything but the object info bound.
type UpdateFunc func(objInfo rest.UpdatedObjectInfo) (runtime.Object, bool, error)

// Update runs update on a guarded objInfo and makes its error a client
// error when the client caused it.
func Update(ctx context.Context, kind schema.GroupKind, name string, objInfo rest.UpdatedObjectInfo, update UpdateFunc) (runtime.Object, bool, error) {
	obj, created, err := update(&updatedObjectInfo{UpdatedObjectInfo: objInfo, kind: kind, name: name})
	if err != nil {
		return nil, false, Error(err)
	}
	return obj, created, nil
}

// Error makes an error of the store a bounded Status: an object too large
// for etcd is 413; every Status is cut to MaxCauses and MaxMessageBytes.
// Other errors are returned as they are.
func Error(err error) error {
	if err == nil {
		return nil
	}
	if tooLarge := asTooLarge(err); tooLarge != nil {
		return tooLarge
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return bounded(status)
	}
	return err
}

// updatedObjectInfo checks the object a request produced before the store
// does anything with it.
type updatedObjectInfo struct {
	rest.UpdatedObjectInfo
	kind schema.GroupKind
	name string
}

func (u *updatedObjectInfo) UpdatedObject(ctx context.Context, oldObj runtime.Object) (obj runtime.Object, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			// The patch libraries panic on some malformed patches; the
			// request was the client's, so is the mistake.
			klog.FromContext(ctx).Info("A patch library crashed on a client's request; answered 400", "kind", u.kind, "name", u.name, "cause", r)
			obj, err = nil, apierrors.NewBadRequest(truncate(fmt.Sprintf("the patch cannot be applied to %s %q: %v", u.kind.Kind, u.name, r)))
		}
	}()
	obj, err = u.UpdatedObjectInfo.UpdatedObject(ctx, oldObj)
	if err != nil {
		return nil, clientError(ctx, err, u.kind, u.name)
	}
	if err := validResourceVersion(obj, u.kind, u.name); err != nil {
		return nil, err
	}
	return obj, nil
}

// validResourceVersion refuses what the store would fail to parse: a
// resourceVersion is empty or an unsigned decimal integer.
func validResourceVersion(obj runtime.Object, kind schema.GroupKind, name string) error {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	rv := accessor.GetResourceVersion()
	if rv == "" {
		return nil
	}
	if _, err := strconv.ParseUint(rv, 10, 64); err != nil {
		return apierrors.NewInvalid(kind, name, field.ErrorList{
			field.Invalid(field.NewPath("metadata", "resourceVersion"), rv, "must be an unsigned decimal integer (the resourceVersion of the object read before this update)"),
		})
	}
	return nil
}

// noResourceVersion refuses a create that names a version of the object,
// which the store would answer with a plain error (upstream's 500). As the
// store, it lets a version that is not a number pass.
func noResourceVersion(obj runtime.Object, kind schema.GroupKind) error {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	rv := accessor.GetResourceVersion()
	if n, err := strconv.ParseUint(rv, 10, 64); err == nil && n != 0 {
		return apierrors.NewInvalid(kind, accessor.GetName(), field.ErrorList{
			field.Invalid(field.NewPath("metadata", "resourceVersion"), rv, "must not be set on create"),
		})
	}
	return nil
}

// Prefixes of the errors server-side apply formats with %v, so only their
// text says what they are.
const (
	applyTypedPatchPrefix = "failed to create typed patch object ("
	applyConvertPrefix    = "failed to convert new object ("
	unknownFieldMessage   = "field not declared in schema"
)

// serverSidePrefixes are errors of the same paths that are about stored
// data, not the request; they stay 500.
var serverSidePrefixes = []string{
	"failed to create typed live object (",
	"failed to convert live object (",
	"failed to decode managed fields",
}

// clientError is the 4xx a request's own failure deserves.
func clientError(ctx context.Context, err error, kind schema.GroupKind, name string) error {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return bounded(status)
	}
	message := err.Error()
	switch {
	case strings.HasPrefix(message, applyTypedPatchPrefix):
		return schemaErrors(afterObjectName(message), kind, name)
	case strings.HasPrefix(message, applyConvertPrefix):
		_, cause, _ := strings.Cut(message, "to proper version: ")
		return apierrors.NewBadRequest(truncate(fmt.Sprintf("the applied configuration is not a valid %s: %s", kind.Kind, cause)))
	}
	for _, prefix := range serverSidePrefixes {
		if strings.HasPrefix(message, prefix) {
			return err
		}
	}
	// What remains of a patch is a patch the libraries could not follow:
	// its directives, merge keys or shape.
	if info, ok := request.RequestInfoFrom(ctx); ok && info.Verb == "patch" {
		return apierrors.NewBadRequest(truncate("the patch cannot be applied: " + message))
	}
	return err
}

// afterObjectName is what follows "(<object>): " in an apply error.
func afterObjectName(message string) string {
	if _, rest, ok := strings.Cut(message, "): "); ok {
		return rest
	}
	return message
}

// schemaErrors turns structured-merge-diff's validation of an applied
// object ("<path>: <message>", one per line after "errors:" when there are
// several) into what the other patch types answer: unknown fields are a
// strict decoding error (400), anything else is Invalid (422) with a cause
// per field.
func schemaErrors(message string, kind schema.GroupKind, name string) error {
	rest := strings.TrimPrefix(message, "errors:\n")
	var unknown []string
	var invalid field.ErrorList
	more := 0
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(invalid) == MaxCauses {
			// Only count the rest: a hostile body can hold millions.
			more = 1 + strings.Count(rest, "\n")
			break
		}
		path, detail, found := strings.Cut(line, ": ")
		if !found {
			path, detail = "", line
		}
		path = strings.TrimPrefix(path, ".")
		if detail == unknownFieldMessage {
			unknown = append(unknown, strconv.Quote(path))
		}
		invalid = append(invalid, field.Invalid(field.NewPath(path), field.OmitValueType{}, detail))
	}
	if len(unknown) == len(invalid) && len(unknown) > 0 && more == 0 {
		return apierrors.NewBadRequest(truncate("strict decoding error: unknown field " + strings.Join(unknown, ", unknown field ")))
	}
	if more > 0 {
		invalid = append(invalid, field.Invalid(field.NewPath(""), field.OmitValueType{}, fmt.Sprintf("and %d more errors", more)))
	}
	return bounded(apierrors.NewInvalid(kind, name, invalid))
}

// asTooLarge is etcd's refusal of a request over its size limit (or the
// etcd client's refusal to send it), as a 413 that still looks like that
// error to the handlers, which retry such a write once without
// managedFields.
func asTooLarge(err error) error {
	var etcdErr rpctypes.EtcdError
	if errors.As(err, &etcdErr) && errors.Is(etcdErr, rpctypes.ErrRequestTooLarge) {
		return &tooLargeError{cause: err, code: etcdErr.Code()}
	}
	if s, ok := grpcstatus.FromError(err); ok && s.Code() == codes.ResourceExhausted && strings.Contains(s.Message(), "larger than max") {
		return &tooLargeError{cause: err, code: s.Code()}
	}
	return nil
}

type tooLargeError struct {
	cause error
	code  codes.Code
}

func (e *tooLargeError) Error() string    { return e.cause.Error() }
func (e *tooLargeError) Unwrap() error    { return e.cause }
func (e *tooLargeError) Code() codes.Code { return e.code }
func (e *tooLargeError) GRPCStatus() *grpcstatus.Status {
	return grpcstatus.New(e.code, e.cause.Error())
}

func (e *tooLargeError) Status() metav1.Status {
	return apierrors.NewRequestEntityTooLargeError("the object is larger than the store accepts; remove content from it").Status()
}

// bounded cuts a Status to MaxCauses causes and MaxMessageBytes of message.
func bounded(status apierrors.APIStatus) error {
	s := status.Status()
	if len(s.Message) <= MaxMessageBytes && (s.Details == nil || len(s.Details.Causes) <= MaxCauses) {
		if err, ok := status.(error); ok {
			return err
		}
		return &apierrors.StatusError{ErrStatus: s}
	}
	s.Message = truncate(s.Message)
	if s.Details != nil && len(s.Details.Causes) > MaxCauses {
		more := len(s.Details.Causes) - MaxCauses
		causes := append([]metav1.StatusCause(nil), s.Details.Causes[:MaxCauses]...)
		s.Details.Causes = append(causes, metav1.StatusCause{Message: fmt.Sprintf("and %d more causes", more)})
	}
	return &apierrors.StatusError{ErrStatus: s}
}

func truncate(message string) string {
	if len(message) <= MaxMessageBytes {
		return message
	}
	return fmt.Sprintf("%s... (%d more bytes)", message[:MaxMessageBytes], len(message)-MaxMessageBytes)
}

// Store is a generic registry store whose creates and updates run through
// this package; everything else is the store's own.
type Store struct {
	*genericregistry.Store
	// Kind names the objects in Invalid errors.
	Kind schema.GroupKind
}

var (
	_ rest.Creater = &Store{}
	_ rest.Updater = &Store{}
)

// Create creates obj and makes the store's error a bounded Status.
func (s *Store) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	if err := noResourceVersion(obj, s.Kind); err != nil {
		return nil, err
	}
	created, err := s.Store.Create(ctx, obj, createValidation, options)
	if err != nil {
		return nil, Error(err)
	}
	return created, nil
}

// Update updates (or creates) the object on a guarded objInfo.
func (s *Store) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return Update(ctx, s.Kind, name, objInfo, func(objInfo rest.UpdatedObjectInfo) (runtime.Object, bool, error) {
		return s.Store.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
	})
}
