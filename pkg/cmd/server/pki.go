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
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// Lifetimes of what the server issues at first start. Restarting with the
// same data dir reuses them.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 365 * 24 * time.Hour
	// clientLifetime is that of certificates issued for tests.
	clientLifetime = 24 * time.Hour
)

// pki is the set of files the server writes under <data-dir>/pki.
type pki struct {
	dir string
}

func (p pki) caCert() string      { return filepath.Join(p.dir, "ca.crt") }
func (p pki) caKey() string       { return filepath.Join(p.dir, "ca.key") }
func (p pki) servingCert() string { return filepath.Join(p.dir, "serving.crt") }
func (p pki) servingKey() string  { return filepath.Join(p.dir, "serving.key") }
func (p pki) adminCert() string   { return filepath.Join(p.dir, "admin.crt") }
func (p pki) adminKey() string    { return filepath.Join(p.dir, "admin.key") }

// ensure creates the CA, the serving certificate and the admin client
// certificate unless they already exist.
func (p pki) ensure(servingHosts []string, servingIPs []net.IP) error {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	caCert, caKey, err := p.loadOrCreateCA()
	if err != nil {
		return err
	}
	if !exists(p.servingCert()) {
		template := &x509.Certificate{
			Subject:     pkix.Name{CommonName: "ephemeral-apiserver"},
			DNSNames:    servingHosts,
			IPAddresses: servingIPs,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		if err := issue(template, caCert, caKey, p.servingCert(), p.servingKey()); err != nil {
			return fmt.Errorf("issuing the serving certificate: %w", err)
		}
	}
	if !exists(p.adminCert()) {
		template := &x509.Certificate{
			Subject:     pkix.Name{CommonName: "admin", Organization: []string{"system:masters"}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if err := issue(template, caCert, caKey, p.adminCert(), p.adminKey()); err != nil {
			return fmt.Errorf("issuing the admin certificate: %w", err)
		}
	}
	return nil
}

// IssueClientCertificate signs, with the CA in the data dir, a client
// certificate for user in groups, valid for a day, and returns it and its
// key in PEM. Tests use it to act as other users.
func (o *Options) IssueClientCertificate(user string, groups ...string) (certPEM, keyPEM []byte, err error) {
	caCert, caKey, err := o.pki().loadCA()
	if err != nil {
		return nil, nil, err
	}
	template := &x509.Certificate{
		Subject:     pkix.Name{CommonName: user, Organization: groups},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, key, err := newCert(template, clientLifetime, caCert, caKey)
	if err != nil {
		return nil, nil, err
	}
	if keyPEM, err = keyutil.MarshalPrivateKeyToPEM(key); err != nil {
		return nil, nil, err
	}
	certPEM, err = certutil.EncodeCertificates(&x509.Certificate{Raw: der})
	return certPEM, keyPEM, err
}

func (p pki) loadOrCreateCA() (*x509.Certificate, crypto.Signer, error) {
	if exists(p.caCert()) {
		return p.loadCA()
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	cert, err := certutil.NewSelfSignedCACert(certutil.Config{CommonName: "ephemeral-apiserver-ca"}, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writeKeyPair(p.caCert(), p.caKey(), cert.Raw, key); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func (p pki) loadCA() (*x509.Certificate, crypto.Signer, error) {
	certs, err := certutil.CertsFromFile(p.caCert())
	if err != nil {
		return nil, nil, err
	}
	key, err := keyutil.PrivateKeyFromFile(p.caKey())
	if err != nil {
		return nil, nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("%s holds no signing key", p.caKey())
	}
	return certs[0], signer, nil
}

// issue signs template with the CA and writes the certificate and its key.
func issue(template, caCert *x509.Certificate, caKey crypto.Signer, certPath, keyPath string) error {
	template.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	der, key, err := newCert(template, leafLifetime, caCert, caKey)
	if err != nil {
		return err
	}
	return writeKeyPair(certPath, keyPath, der, key)
}

// newCert gives template a new ECDSA key, a random serial and a validity
// of lifetime from a minute ago, and signs it with parentKey; a nil parent
// means self-signed.
func newCert(template *x509.Certificate, lifetime time.Duration, parent *x509.Certificate, parentKey crypto.Signer) ([]byte, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	template.SerialNumber = serial
	template.NotBefore = now.Add(-time.Minute).UTC()
	template.NotAfter = now.Add(lifetime).UTC()
	if parent == nil {
		parent, parentKey = template, key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, key.Public(), parentKey)
	return der, key, err
}

func writeKeyPair(certPath, keyPath string, der []byte, key crypto.PrivateKey) error {
	keyPEM, err := keyutil.MarshalPrivateKeyToPEM(key)
	if err != nil {
		return err
	}
	if err := keyutil.WriteKey(keyPath, keyPEM); err != nil {
		return err
	}
	certPEM, err := certutil.EncodeCertificates(&x509.Certificate{Raw: der})
	if err != nil {
		return err
	}
	return os.WriteFile(certPath, certPEM, 0o644)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// loopbackLifetime is how long the in-memory loopback certificate is valid.
const loopbackLifetime = 3 * 365 * 24 * time.Hour

// selfSignedLoopbackCert returns a self-signed certificate for host, which
// is its own CA, and its key, kept in memory only. It is ECDSA: the library's RSA one costs two
// 2048-bit key generations, a fifth of our start-up.
func selfSignedLoopbackCert(host string) (certPEM, keyPEM []byte, err error) {
	der, key, err := newCert(&x509.Certificate{
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}, loopbackLifetime, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	if keyPEM, err = keyutil.MarshalPrivateKeyToPEM(key); err != nil {
		return nil, nil, err
	}
	certPEM, err = certutil.EncodeCertificates(&x509.Certificate{Raw: der})
	return certPEM, keyPEM, err
}
