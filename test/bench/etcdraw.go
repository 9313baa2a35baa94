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

package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes/scheme"
)

// rawPrefix is where the raw etcd scenarios write, apart from the API
// server's /registry.
const rawPrefix = "/ephemeral-apiserver-bench/pods/default/"

// rawEtcd measures etcd itself: the compare-and-swap transactions the API
// server's storage sends, with a value the size of a stored pod.
type rawEtcd struct {
	client *clientv3.Client
	value  []byte
}

func newRawEtcd(url string) (*rawEtcd, error) {
	client, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{url},
		DialTimeout: 10 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to etcd at %s: %w", url, err)
	}
	return &rawEtcd{client: client}, nil
}

func (e *rawEtcd) close() { _ = e.client.Close() }

// setValue makes the value every raw write puts: pod encoded as the API
// server stores it, in protobuf.
func (e *rawEtcd) setValue(pod *corev1.Pod) error {
	p := pod.DeepCopy()
	p.APIVersion, p.Kind = "v1", "Pod"
	var buf bytes.Buffer
	if err := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme).Encode(p, &buf); err != nil {
		return fmt.Errorf("encoding the pod in protobuf: %w", err)
	}
	e.value = buf.Bytes()
	return nil
}

// clear deletes every key the raw scenarios wrote.
func (e *rawEtcd) clear(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err := e.client.Delete(ctx, rawPrefix, clientv3.WithPrefix())
	return err
}

// run measures n creates (Txn: create revision 0 → put) and n updates
// (Txn: mod revision unchanged → put, else get) at concurrency c, as the
// API server's Create and GuaranteedUpdate do, on n keys.
func (e *rawEtcd) run(ctx context.Context, b *bench, c, n int) (create, update Result) {
	if err := e.clear(ctx); err != nil {
		b.fail("raw etcd: clearing %s: %v", rawPrefix, err)
		return
	}
	key := func(i int) string { return fmt.Sprintf("%sraw-%05d", rawPrefix, i) }
	rev := make([]int64, n)
	create = b.phase(ctx, "etcd-txn-create", c, n, func(ctx context.Context, i int) error {
		k := key(i)
		resp, err := e.client.Txn(ctx).
			If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).
			Then(clientv3.OpPut(k, string(e.value))).
			Commit()
		if err != nil {
			return err
		}
		if !resp.Succeeded {
			return fmt.Errorf("key %s exists", k)
		}
		rev[i] = resp.Header.Revision
		return nil
	})
	update = b.phase(ctx, "etcd-txn-cas", c, n, func(ctx context.Context, i int) error {
		k := key(i)
		resp, err := e.client.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(k), "=", rev[i])).
			Then(clientv3.OpPut(k, string(e.value))).
			Else(clientv3.OpGet(k)).
			Commit()
		if err != nil {
			return err
		}
		if !resp.Succeeded {
			return fmt.Errorf("compare-and-swap of %s at revision %d failed", k, rev[i])
		}
		return nil
	})
	if err := e.clear(ctx); err != nil {
		b.fail("raw etcd: clearing %s: %v", rawPrefix, err)
	}
	return create, update
}
