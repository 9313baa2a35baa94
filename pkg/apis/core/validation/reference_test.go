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
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	corev1defaults "github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/apis/core/v1"
)

// referenceDir holds responses recorded from a real kube-apiserver v1.37.2:
// test/testdata/reference, or $EPHEMERAL_REFERENCE_DIR.
func referenceDir() string {
	if dir := os.Getenv("EPHEMERAL_REFERENCE_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "..", "test", "testdata", "reference")
}

type recordedStatus struct {
	Kind    string `json:"kind"`
	Details struct {
		Causes []struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"causes"`
	} `json:"details"`
}

var causeReasons = map[string]field.ErrorType{
	"FieldValueForbidden":    field.ErrorTypeForbidden,
	"FieldValueDuplicate":    field.ErrorTypeDuplicate,
	"FieldValueNotFound":     field.ErrorTypeNotFound,
	"FieldValueRequired":     field.ErrorTypeRequired,
	"FieldValueInvalid":      field.ErrorTypeInvalid,
	"FieldValueNotSupported": field.ErrorTypeNotSupported,
}

func readJSON(t *testing.T, path string, into interface{}) bool {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return true
}

type recordedCase struct {
	name, method, path, status string
}

func readIndex(t *testing.T) []recordedCase {
	f, err := os.Open(filepath.Join(referenceDir(), "index.tsv"))
	if err != nil {
		t.Fatalf("the reference responses: %v", err)
	}
	defer f.Close()
	var cases []recordedCase
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		cols := strings.Split(s.Text(), "\t")
		if len(cols) < 5 || cols[0] == "case" {
			continue
		}
		cases = append(cases, recordedCase{cols[0], cols[1], cols[2], cols[4]})
	}
	return cases
}

// TestReferenceEphemeralContainerUpdates replays every recorded PUT of a
// full Pod to pods/ephemeralcontainers (cases e*, s*) through
// ValidatePodEphemeralContainersUpdate. The old pod is the stored pod as of
// the previous persisted write; the new pod is built the way the
// ephemeral-containers strategy does (old pod plus the request's ephemeral
// list, defaulted). 422 answers must match cause by cause, in order, byte
// for byte; 200 answers must produce no error.
func TestReferenceEphemeralContainerUpdates(t *testing.T) {
	caseRe := regexp.MustCompile(`^\d+-[es]\d+-`)
	var stored *v1.Pod
	checked := 0
	for _, rc := range readIndex(t) {
		base := filepath.Join(referenceDir(), rc.name)
		var req v1.Pod
		putPod := rc.method == "PUT" && strings.HasSuffix(rc.path, "/example-pod/ephemeralcontainers") &&
			readJSON(t, base+".req.json", &req) && req.Kind == "Pod"
		if caseRe.MatchString(rc.name) && putPod && stored != nil && (rc.status == "200" || rc.status == "422") {
			old := stored
			t.Run(rc.name, func(t *testing.T) {
				checked++
				newPod := old.DeepCopy()
				newPod.Name, newPod.UID = req.Name, req.UID
				newPod.Spec.EphemeralContainers = req.Spec.EphemeralContainers
				corev1defaults.SetDefaultsEphemeralContainers(newPod.Spec.EphemeralContainers)
				errs := ValidatePodEphemeralContainersUpdate(newPod, old, PodValidationOptions{})
				if rc.status == "200" {
					if len(errs) != 0 {
						t.Fatalf("upstream accepted this update, got %v", errs)
					}
					return
				}
				var status recordedStatus
				readJSON(t, base+".resp.json", &status)
				want := status.Details.Causes
				if len(errs) != len(want) {
					t.Fatalf("want %d causes, got %d: %v", len(want), len(errs), errs)
				}
				for i, c := range want {
					if errs[i].Type != causeReasons[c.Reason] || errs[i].Field != c.Field || errs[i].ErrorBody() != c.Message {
						t.Errorf("cause %d:\nwant %s %s %q\ngot  %s %s %q", i, c.Reason, c.Field, c.Message, errs[i].Type, errs[i].Field, errs[i].ErrorBody())
					}
				}
			})
		}
		// Follow the stored example pod through every persisted write.
		if (rc.status == "200" || rc.status == "201") && rc.method != "GET" && !strings.Contains(rc.path, "dryRun") {
			var pod v1.Pod
			if readJSON(t, base+".resp.json", &pod) && pod.Kind == "Pod" && pod.Name == "example-pod" {
				stored = &pod
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d reference cases were checked", checked)
	}
}
