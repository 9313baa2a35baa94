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

package ephemeral

import (
	"errors"
	"fmt"
	"io"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ErrorMessage is what kubectl would print for err, ending in a newline:
// an Invalid answer names the object and lists each cause, another answer
// of the server is "Error from server (Reason): message", and any other
// error is "error: message".
func ErrorMessage(err error) string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return withNewline("error: " + err.Error())
	}
	s := status.Status()
	if s.Reason == metav1.StatusReasonInvalid && s.Details != nil {
		return invalidMessage(s)
	}
	if s.Reason == "" || s.Reason == metav1.StatusReasonUnknown {
		return withNewline("Error from server: " + s.Message)
	}
	return withNewline(fmt.Sprintf("Error from server (%s): %s", s.Reason, s.Message))
}

// invalidMessage is `The Pod "x" is invalid: field: message` for one cause,
// and a bulleted list of the causes for several.
func invalidMessage(s metav1.Status) string {
	subject := "The request is invalid"
	if s.Details.Kind != "" || s.Details.Name != "" {
		subject = fmt.Sprintf("The %s %q is invalid", s.Details.Kind, s.Details.Name)
	}
	var causes []string
	for _, cause := range s.Details.Causes {
		if cause.Field == "" {
			causes = append(causes, cause.Message)
			continue
		}
		causes = append(causes, cause.Field+": "+cause.Message)
	}
	switch len(causes) {
	case 0:
		return withNewline(subject + ": " + s.Message)
	case 1:
		return subject + ": " + causes[0] + "\n"
	}
	var b strings.Builder
	b.WriteString(subject + ":\n")
	for _, cause := range causes {
		b.WriteString("* " + cause + "\n")
	}
	return b.String()
}

func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// PrintError writes err to w as kubectl does and returns the exit code
// kubectl would exit with: 1.
func PrintError(w io.Writer, err error) int {
	fmt.Fprint(w, ErrorMessage(err))
	return 1
}
