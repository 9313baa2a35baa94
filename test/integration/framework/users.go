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

package framework

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http"
	"path/filepath"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// ClientCert describes a client certificate to mint for a test.
type ClientCert struct {
	// User is the CommonName, which the server takes as the user name.
	User string
	// Groups are the Organizations, which the server takes as groups.
	Groups []string
	// NotAfter is when the certificate expires; in an hour when zero.
	NotAfter time.Time
	// SelfSigned signs it with a CA the server does not know.
	SelfSigned bool
}

// UserConfig authenticates as user, in groups, with a client certificate
// signed by the server's CA.
func (s *TestServer) UserConfig(user string, groups ...string) *rest.Config {
	return s.ConfigFor(user, groups...)
}

// UserClient is a clientset for UserConfig.
func (s *TestServer) UserClient(user string, groups ...string) kubernetes.Interface {
	client, err := kubernetes.NewForConfig(s.UserConfig(user, groups...))
	Expect(err).NotTo(HaveOccurred())
	return client
}

// CertConfig authenticates with a certificate minted as c says.
func (s *TestServer) CertConfig(c ClientCert) *rest.Config {
	caDir := filepath.Join(s.DataDir, "pki")
	caCerts, err := certutil.CertsFromFile(filepath.Join(caDir, "ca.crt"))
	Expect(err).NotTo(HaveOccurred())
	caKey, err := keyutil.PrivateKeyFromFile(filepath.Join(caDir, "ca.key"))
	Expect(err).NotTo(HaveOccurred())

	notAfter := c.NotAfter
	if notAfter.IsZero() {
		notAfter = time.Now().Add(time.Hour)
	}
	template := certTemplate(pkix.Name{CommonName: c.User, Organization: c.Groups})
	template.NotBefore, template.NotAfter = notAfter.Add(-2*time.Hour), notAfter
	template.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	parent, signer := caCerts[0], caKey.(crypto.Signer)
	var key *ecdsa.PrivateKey
	if c.SelfSigned {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		Expect(err).NotTo(HaveOccurred())
		template.IsCA = true
		template.KeyUsage |= x509.KeyUsageCertSign
		parent, signer = nil, key
	}
	certPEM, keyPEM, err := signCert(template, parent, signer, key)
	Expect(err).NotTo(HaveOccurred())

	cfg := rest.AnonymousClientConfig(s.ClientConfig)
	cfg.CertData, cfg.KeyData = certPEM, keyPEM
	return cfg
}

// TokenConfig authenticates with a bearer token only.
func (s *TestServer) TokenConfig(token string) *rest.Config {
	cfg := rest.AnonymousClientConfig(s.ClientConfig)
	cfg.BearerToken = token
	return cfg
}

// AnonymousConfig sends no credentials.
func (s *TestServer) AnonymousConfig() *rest.Config {
	return rest.AnonymousClientConfig(s.ClientConfig)
}

// RawAs is a RawClient that authenticates as cfg does.
func (s *TestServer) RawAs(cfg *rest.Config) *RawClient {
	rt, err := rest.TransportFor(cfg)
	Expect(err).NotTo(HaveOccurred())
	return &RawClient{base: s.URL, client: &http.Client{Transport: rt}, Header: http.Header{}}
}
