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
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// APIServer is a process serving the Kubernetes API on a loopback port,
// reached through Kubeconfig.
type APIServer struct {
	*Process
	Port       int
	Kubeconfig string
}

// ServerFlags are the flags that put an ephemeral-apiserver on dataDir and
// port; its admin.kubeconfig is then AdminKubeconfig(dataDir).
func ServerFlags(dataDir string, port int) []string {
	return []string{"--data-dir=" + dataDir, fmt.Sprintf("--secure-port=%d", port)}
}

// AdminKubeconfig is the kubeconfig an ephemeral-apiserver writes into
// its data dir.
func AdminKubeconfig(dataDir string) string {
	return filepath.Join(dataDir, "admin.kubeconfig")
}

// WaitReady polls /readyz every poll until it answers "ok", and returns the
// time from the start of the process. The kubeconfig may still be a
// previous run's (same data dir, old port) until this run rewrites it, so
// only one naming this server's port counts. It gives up when the process
// exits or ctx is done.
func (s *APIServer) WaitReady(ctx context.Context, poll time.Duration) (time.Duration, error) {
	var (
		client  rest.Interface
		lastErr error
	)
	for {
		if !s.Alive() {
			return 0, fmt.Errorf("%s exited with %v before it was ready", s.Name, s.State())
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("%s was not ready in time: %w (last: %v)", s.Name, ctx.Err(), lastErr)
		}
		if client == nil {
			client, lastErr = ReadyzClient(s.Kubeconfig, s.Port)
		}
		if client != nil {
			probe, cancel := context.WithTimeout(ctx, time.Second)
			var body []byte
			body, lastErr = client.Get().AbsPath("/readyz").DoRaw(probe)
			cancel()
			if lastErr == nil && string(body) == "ok" {
				return time.Since(s.Started), nil
			}
		}
		select {
		case <-time.After(poll):
		case <-s.Exited():
		case <-ctx.Done():
		}
	}
}

// ReadyzClient is a REST client of the server kubeconfig names, once it
// names port; each request is bounded to a second.
func ReadyzClient(kubeconfig string, port int) (rest.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	if want := fmt.Sprintf("https://127.0.0.1:%d", port); cfg.Host != want {
		return nil, fmt.Errorf("%s names %s, not yet %s", kubeconfig, cfg.Host, want)
	}
	cfg.Timeout = time.Second
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return client.Discovery().RESTClient(), nil
}

// ResolveBinary is the absolute path the environment variable names, or
// the one build provides when it is unset; either must exist.
func ResolveBinary(env string, build func() (string, error)) (string, error) {
	path := os.Getenv(env)
	if path == "" {
		var err error
		if path, err = build(); err != nil {
			return "", err
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("%s: %w", env, err)
	}
	return abs, nil
}

// BuildServer runs `make build` in the repository root and returns the
// binary it produces, so that the version ldflags are the Makefile's and
// never a suite's.
func BuildServer(root string, out io.Writer) (string, error) {
	cmd := exec.Command("make", "-C", root, "build")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("make build: %w", err)
	}
	return filepath.Join(root, "_output", "bin", "ephemeral-apiserver"), nil
}
