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

package e2e

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
)

var _ = Describe("kubectl auth whoami", Ordered, Label("authentication", "kubectl"), func() {
	var kubectl *Kubectl

	BeforeAll(func() {
		kubectl = startServer(gateOn).Kubectl()
	})

	It("names the admin user and its groups", func() {
		out := kubectl.Succeed("auth", "whoami")
		// The x509 authenticator adds the certificate's fingerprint as
		// extra credential-id, as upstream's does.
		Expect(out).To(MatchRegexp(`^ATTRIBUTE\s+VALUE\nUsername\s+admin\nGroups\s+\[system:masters system:authenticated\]\n` +
			`Extra: authentication\.kubernetes\.io/credential-id\s+\[X509SHA256=[0-9a-f]{64}\]\n$`))
	})

	It("answers with a SelfSubjectReview", func() {
		var review authenticationv1.SelfSubjectReview
		Expect(json.Unmarshal([]byte(kubectl.Succeed("auth", "whoami", "-o", "json")), &review)).To(Succeed())
		Expect(review.APIVersion).To(Equal("authentication.k8s.io/v1"))
		Expect(review.Kind).To(Equal("SelfSubjectReview"))
		Expect(review.CreationTimestamp.IsZero()).To(BeFalse())
		Expect(review.Status.UserInfo.Username).To(Equal("admin"))
		Expect(review.Status.UserInfo.Groups).To(Equal([]string{"system:masters", "system:authenticated"}))
	})

	It("lists selfsubjectreviews in kubectl api-resources", func() {
		out := kubectl.Succeed("api-resources", "--api-group=authentication.k8s.io")
		Expect(out).To(MatchRegexp(`(?m)^selfsubjectreviews\s+authentication\.k8s\.io/v1\s+false\s+SelfSubjectReview$`))
	})
})
