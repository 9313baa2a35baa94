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
package server

import (
	"crypto/x509"
	"net"
	"os"
	"testing"

	certutil "k8s.io/client-go/util/cert"
)

func TestPKIEnsure(t *testing.T) {
	p := pki{dir: t.TempDir()}
	if err := p.ensure([]string{"localhost", "api.example"}, []net.IP{net.IPv4(127, 0, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	ca := loadCert(t, p.caCert())
	roots := x509.NewCertPool()
	roots.AddCert(ca)

	tests := []struct {
		name    string
		path    string
		usage   x509.ExtKeyUsage
		verify  x509.VerifyOptions
		subject func(*x509.Certificate) bool
	}{
		{
			name:   "serving certificate names the hosts",
			path:   p.servingCert(),
			verify: x509.VerifyOptions{Roots: roots, DNSName: "api.example", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
			subject: func(c *x509.Certificate) bool {
				return c.VerifyHostname("127.0.0.1") == nil && c.VerifyHostname("localhost") == nil
			},
		},
		{
			name:   "admin certificate is a system:masters client",
			path:   p.adminCert(),
			verify: x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
			subject: func(c *x509.Certificate) bool {
				return c.Subject.CommonName == "admin" && len(c.Subject.Organization) == 1 && c.Subject.Organization[0] == "system:masters"
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert := loadCert(t, tc.path)
			if _, err := cert.Verify(tc.verify); err != nil {
				t.Errorf("not signed by the CA for its use: %v", err)
			}
			if !tc.subject(cert) {
				t.Errorf("unexpected subject %v, names %v %v", cert.Subject, cert.DNSNames, cert.IPAddresses)
			}
		})
	}

	t.Run("keys are private", func(t *testing.T) {
		for _, key := range []string{p.caKey(), p.servingKey(), p.adminKey()} {
			info, err := os.Stat(key)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %v", key, info.Mode().Perm())
			}
		}
	})

	t.Run("a second start keeps what exists", func(t *testing.T) {
		before := loadCert(t, p.adminCert())
		if err := p.ensure([]string{"localhost"}, nil); err != nil {
			t.Fatal(err)
		}
		if after := loadCert(t, p.adminCert()); !after.Equal(before) {
			t.Error("admin certificate was reissued")
		}
		if after := loadCert(t, p.caCert()); !after.Equal(ca) {
			t.Error("CA was regenerated")
		}
	})
}

func loadCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	certs, err := certutil.CertsFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}
