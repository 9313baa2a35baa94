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

package integration

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ephemeral-apiserver/ephemeral-apiserver/pkg/cmd/server"
	"github.com/ephemeral-apiserver/ephemeral-apiserver/test/integration/framework"
)

var _ = Describe("An external etcd that requires client certificates", Label("etcd-tls"), func() {
	It("is used with --etcd-cafile, --etcd-certfile and --etcd-keyfile, and refuses a client without a certificate", func(ctx context.Context) {
		certs, err := framework.NewEtcdTLS(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		secured, err := framework.StartEtcd(etcdBinary(), certs)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(secured.Stop)

		By("refusing a TLS client that presents no certificate")
		trustOnly, err := certs.ClientConfig()
		Expect(err).NotTo(HaveOccurred())
		trustOnly.Certificates = nil
		_, err = (&http.Client{Transport: &http.Transport{TLSClientConfig: trustOnly}}).Get(secured.URL + "/v3/kv/range")
		Expect(err).To(MatchError(ContainSubstring("certificate required")))

		By("serving from it through the flags' certificates")
		s, err := framework.StartServer(framework.ServerConfig{
			EtcdURL: secured.URL,
			Customize: func(o *server.Options) {
				o.Etcd.StorageConfig.Transport.TrustedCAFile = certs.CAFile
				o.Etcd.StorageConfig.Transport.CertFile = certs.ClientCertFile
				o.Etcd.StorageConfig.Transport.KeyFile = certs.ClientKeyFile
			},
		})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Stop)
		created, err := s.Client.CoreV1().Pods("default").Create(ctx, newPod("over-tls"), metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		got, err := s.Client.CoreV1().Pods("default").Get(ctx, "over-tls", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got.UID).To(Equal(created.UID))
	})
})
