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

package certcache

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	x509request "k8s.io/apiserver/pkg/authentication/request/x509"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// authority is a CA that issues client certificates.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newAuthority(t *testing.T, name string) *authority {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &authority{cert: cert, key: key}
}

func (a *authority) issue(t *testing.T, user string, validFor time.Duration) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: user},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(validFor),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func (a *authority) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

// countingVerifier counts the verifications that reach the real x509
// authenticator.
type countingVerifier struct {
	authenticator.Request
	calls atomic.Int32
}

func (c *countingVerifier) AuthenticateRequest(req *http.Request) (*authenticator.Response, bool, error) {
	c.calls.Add(1)
	return c.Request.AuthenticateRequest(req)
}

func TestAuthenticator(t *testing.T) {
	ca, otherCA := newAuthority(t, "ca"), newAuthority(t, "other-ca")
	alice := ca.issue(t, "alice", 24*time.Hour)
	bob := ca.issue(t, "bob", 24*time.Hour)
	shortLived := ca.issue(t, "carol", 10*time.Second)
	stranger := otherCA.issue(t, "mallory", 24*time.Hour)

	// step is one request: first the clock moves by advance and, when
	// set, the client CA becomes rotateTo.
	type step struct {
		advance  time.Duration
		rotateTo func() *x509.CertPool
		cert     *x509.Certificate
		wantUser string // "" for not authenticated
		wantErr  bool
		// wantVerified says whether the request reached the verifier.
		wantVerified bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "the same chain is verified once", steps: []step{
			{cert: alice, wantUser: "alice", wantVerified: true},
			{cert: alice, wantUser: "alice"},
			{advance: 30 * time.Second, cert: alice, wantUser: "alice"},
		}},
		{name: "each chain is verified on its own", steps: []step{
			{cert: alice, wantUser: "alice", wantVerified: true},
			{cert: bob, wantUser: "bob", wantVerified: true},
			{cert: alice, wantUser: "alice"},
		}},
		{name: "verified again after MaxAge", steps: []step{
			{cert: alice, wantUser: "alice", wantVerified: true},
			{advance: MaxAge + time.Second, cert: alice, wantUser: "alice", wantVerified: true},
		}},
		{name: "no longer than the certificate is valid", steps: []step{
			{cert: shortLived, wantUser: "carol", wantVerified: true},
			{advance: 5 * time.Second, cert: shortLived, wantUser: "carol"},
			{advance: 6 * time.Second, cert: shortLived, wantUser: "carol", wantVerified: true},
		}},
		{name: "a new client CA verifies again", steps: []step{
			{cert: alice, wantUser: "alice", wantVerified: true},
			{rotateTo: ca.pool, cert: alice, wantUser: "alice", wantVerified: true},
		}},
		{name: "a client CA that no longer signs the chain refuses it", steps: []step{
			{cert: alice, wantUser: "alice", wantVerified: true},
			{rotateTo: otherCA.pool, cert: alice, wantErr: true, wantVerified: true},
			{cert: alice, wantErr: true, wantVerified: true},
		}},
		{name: "failures are not remembered", steps: []step{
			{cert: stranger, wantErr: true, wantVerified: true},
			{cert: stranger, wantErr: true, wantVerified: true},
		}},
		{name: "no certificate is the verifier's to answer", steps: []step{
			{cert: nil, wantVerified: true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var roots atomic.Pointer[x509.CertPool]
			roots.Store(ca.pool())
			verifyOptions := func() (x509.VerifyOptions, bool) {
				return x509.VerifyOptions{Roots: roots.Load(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, true
			}
			verifier := &countingVerifier{Request: x509request.NewDynamic(verifyOptions, x509request.CommonNameUserConversion)}
			clock := &fakeClock{now: time.Now()}
			a := NewWithClock(verifier, verifyOptions, DefaultSize, clock)
			for i, s := range tc.steps {
				clock.now = clock.now.Add(s.advance)
				if s.rotateTo != nil {
					roots.Store(s.rotateTo())
				}
				req := &http.Request{TLS: &tls.ConnectionState{}}
				if s.cert != nil {
					req.TLS.PeerCertificates = []*x509.Certificate{s.cert}
				}
				before := verifier.calls.Load()
				resp, ok, err := a.AuthenticateRequest(req)
				if verified := verifier.calls.Load() > before; verified != s.wantVerified {
					t.Errorf("step %d: verified = %v, want %v", i, verified, s.wantVerified)
				}
				if (err != nil) != s.wantErr {
					t.Errorf("step %d: error = %v, want an error: %v", i, err, s.wantErr)
				}
				gotUser := ""
				if ok {
					gotUser = resp.User.GetName()
				}
				if gotUser != s.wantUser {
					t.Errorf("step %d: user = %q, want %q", i, gotUser, s.wantUser)
				}
			}
		})
	}
}

func TestChainSumSeparatesCertificates(t *testing.T) {
	a := &x509.Certificate{Raw: []byte("ab")}
	b := &x509.Certificate{Raw: []byte("c")}
	joined := &x509.Certificate{Raw: []byte("abc")}
	if chainSum([]*x509.Certificate{a, b}) == chainSum([]*x509.Certificate{joined}) {
		t.Error("a chain of two certificates digests like one of their joined bytes")
	}
	if chainSum([]*x509.Certificate{a, b}) == chainSum([]*x509.Certificate{b, a}) {
		t.Error("the order of the chain does not change its digest")
	}
}
