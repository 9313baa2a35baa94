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

// Package certcache remembers which client certificate chains a client CA
// has verified, so that a connection's requests do not each pay for the
// signature checks of the same chain (an ECDSA P-256 verification is about
// 4% of the server's CPU under kubectl debug's PATCH at c=64).
package certcache

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	x509request "k8s.io/apiserver/pkg/authentication/request/x509"
	"k8s.io/utils/clock"
)

const (
	// DefaultSize is how many verified chains are remembered.
	DefaultSize = 4096
	// MaxAge is how long a verdict is trusted before the chain is verified
	// again, even when every certificate in it is valid for longer: it
	// bounds how long a CA that expires keeps admitting its clients.
	MaxAge = time.Minute
)

// key names a chain as presented (every certificate's DER) and the CA pool
// that verified it. The pool is a new one whenever the client CA's content
// changes, so a rotation is a miss.
type key struct {
	roots *x509.CertPool
	chain [sha256.Size]byte
}

// Authenticator answers for a chain the verifier accepted less than
// MaxAge ago, within the validity of every certificate presented, and asks
// the verifier otherwise. Failures are never remembered.
type Authenticator struct {
	verifier      authenticator.Request
	verifyOptions x509request.VerifyOptionFunc
	verdicts      *cache.LRUExpireCache
	clock         cache.Clock
}

// New caches verifier's successes; verifyOptions must be the function the
// verifier verifies with.
func New(verifier authenticator.Request, verifyOptions x509request.VerifyOptionFunc, size int) *Authenticator {
	return NewWithClock(verifier, verifyOptions, size, clock.RealClock{})
}

// NewWithClock is New with a clock of the caller's.
func NewWithClock(verifier authenticator.Request, verifyOptions x509request.VerifyOptionFunc, size int, clock cache.Clock) *Authenticator {
	return &Authenticator{
		verifier:      verifier,
		verifyOptions: verifyOptions,
		verdicts:      cache.NewLRUExpireCacheWithClock(size, clock),
		clock:         clock,
	}
}

// AuthenticateRequest implements authenticator.Request.
func (a *Authenticator) AuthenticateRequest(req *http.Request) (*authenticator.Response, bool, error) {
	if req.TLS == nil || len(req.TLS.PeerCertificates) == 0 {
		return a.verifier.AuthenticateRequest(req)
	}
	opts, ok := a.verifyOptions()
	if !ok {
		return a.verifier.AuthenticateRequest(req)
	}
	k := key{roots: opts.Roots, chain: chainSum(req.TLS.PeerCertificates)}
	if v, ok := a.verdicts.Get(k); ok {
		resp := *v.(*authenticator.Response)
		return &resp, true, nil
	}
	resp, ok, err := a.verifier.AuthenticateRequest(req)
	if err != nil || !ok {
		return resp, ok, err
	}
	if ttl := a.trustFor(req.TLS.PeerCertificates); ttl > 0 {
		kept := *resp
		a.verdicts.Add(k, &kept, ttl)
	}
	return resp, true, nil
}

// trustFor is how long a verdict on chain may be reused: MaxAge, or less
// when a certificate in it expires sooner.
func (a *Authenticator) trustFor(chain []*x509.Certificate) time.Duration {
	ttl := MaxAge
	now := a.clock.Now()
	for _, c := range chain {
		ttl = min(ttl, c.NotAfter.Sub(now))
	}
	return ttl
}

// chainSum digests the DER of every certificate presented, in order.
func chainSum(chain []*x509.Certificate) [sha256.Size]byte {
	h := sha256.New()
	for _, c := range chain {
		// A length prefix keeps two chains from ever hashing alike by
		// splitting the same bytes differently.
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(c.Raw)))
		h.Write(n[:])
		h.Write(c.Raw)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
