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

package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// EtcdFlags are the flags of one etcd member on loopback URLs: name, its
// data dir, its client and peer URLs and the --initial-cluster of all
// members. Logging is warnings only; anything else is the caller's.
func EtcdFlags(name, dataDir, clientURL, peerURL, initialCluster string) []string {
	return []string{
		"--name=" + name,
		"--data-dir=" + dataDir,
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=" + initialCluster,
		"--log-level=warn",
	}
}

// WaitEtcdHealthy polls clientURL's /health every poll until it says true
// (the member serves and knows a leader). It gives up when p exits or ctx
// is done.
func WaitEtcdHealthy(ctx context.Context, p *Process, clientURL string, poll time.Duration) error {
	var last string
	for {
		if !p.Alive() {
			return fmt.Errorf("%s exited with %v", p.Name, p.State())
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s at %s not healthy in time: %w (last: %s)", p.Name, clientURL, ctx.Err(), last)
		}
		var healthy bool
		healthy, last = etcdHealth(ctx, clientURL)
		if healthy {
			return nil
		}
		select {
		case <-time.After(poll):
		case <-p.Exited():
		case <-ctx.Done():
		}
	}
}

// etcdHealth asks /health once, and says what it answered.
func etcdHealth(ctx context.Context, clientURL string) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, clientURL+"/health", nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err.Error()
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"health":"true"`),
		fmt.Sprintf("%d %s", resp.StatusCode, body)
}
