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
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// EtcdTLS is the certificates of an etcd that serves TLS and requires
// client certificates: a CA, the server's pair and a client's pair.
type EtcdTLS struct {
	CAFile         string
	ServerCertFile string
	ServerKeyFile  string
	ClientCertFile string
	ClientKeyFile  string
}

// NewEtcdTLS writes a new CA and the certificates signed by it into dir.
func NewEtcdTLS(dir string) (*EtcdTLS, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTemplate := certTemplate(pkix.Name{CommonName: "etcd-ca"})
	caTemplate.IsCA = true
	caTemplate.BasicConstraintsValid = true
	caTemplate.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	caPEM, _, err := signCert(caTemplate, nil, caKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(mustDecodePEM(caPEM))
	if err != nil {
		return nil, err
	}

	t := &EtcdTLS{
		CAFile:         filepath.Join(dir, "ca.crt"),
		ServerCertFile: filepath.Join(dir, "server.crt"),
		ServerKeyFile:  filepath.Join(dir, "server.key"),
		ClientCertFile: filepath.Join(dir, "client.crt"),
		ClientKeyFile:  filepath.Join(dir, "client.key"),
	}
	server := certTemplate(pkix.Name{CommonName: "etcd"})
	server.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	server.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	client := certTemplate(pkix.Name{CommonName: "apiserver"})
	client.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}

	files := map[string][]byte{t.CAFile: caPEM}
	for _, leaf := range []struct {
		template          *x509.Certificate
		certFile, keyFile string
	}{{server, t.ServerCertFile, t.ServerKeyFile}, {client, t.ClientCertFile, t.ClientKeyFile}} {
		certPEM, keyPEM, err := signCert(leaf.template, caCert, caKey, nil)
		if err != nil {
			return nil, err
		}
		files[leaf.certFile], files[leaf.keyFile] = certPEM, keyPEM
	}
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ClientConfig is a TLS client configuration that presents the client
// certificate and trusts the CA.
func (t *EtcdTLS) ClientConfig() (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(t.ClientCertFile, t.ClientKeyFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	ca, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, err
	}
	pool.AppendCertsFromPEM(ca)
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// certTemplate is valid for an hour around now.
func certTemplate(subject pkix.Name) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      subject,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

// signCert signs template with parent's key, or self-signs it when parent
// is nil; key is the certificate's own key, a new one when nil. It returns
// the certificate and key in PEM.
func signCert(template, parent *x509.Certificate, parentKey crypto.Signer, key *ecdsa.PrivateKey) (certPEM, keyPEM []byte, err error) {
	if key == nil {
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, nil, err
		}
	}
	if parent == nil {
		parent = template
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, key.Public(), parentKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

func mustDecodePEM(data []byte) []byte {
	block, _ := pem.Decode(data)
	if block == nil {
		panic("not PEM")
	}
	return block.Bytes
}
