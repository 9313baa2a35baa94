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

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const (
	// kubectlRequestTimeout is kubectl's own --request-timeout.
	kubectlRequestTimeout = "30s"
	// kubectlTimeout kills a kubectl that hangs regardless.
	kubectlTimeout = 60 * time.Second
)

// Kubectl runs the real kubectl with a server's admin.kubeconfig.
type Kubectl struct {
	Kubeconfig string
	// CacheDir keeps kubectl's discovery cache per server, so a port reused
	// by a later server never answers from an earlier one's cache.
	CacheDir string
	// Env is added to kubectl's environment, such as a PATH with plugins.
	Env []string
	// Plugin names a kubectl plugin on that PATH: kubectl refuses flags
	// before a plugin's name, so in a command line that starts with it the
	// kubeconfig flags follow it.
	Plugin string
	// Binary is the kubectl to run; the suite's when empty.
	Binary string
}

// Result is what one kubectl invocation printed and how it exited.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

func (k *Kubectl) command(ctx context.Context, args []string) *exec.Cmd {
	connection := []string{
		"--kubeconfig", k.Kubeconfig,
		"--cache-dir", k.CacheDir,
		"--request-timeout", kubectlRequestTimeout,
	}
	full := append(slices.Clone(connection), args...)
	if k.Plugin != "" && len(args) > 0 && args[0] == k.Plugin {
		full = slices.Concat(args[:1], connection, args[1:])
	}
	binary := kubectlBinary
	if k.Binary != "" {
		binary = k.Binary
	}
	GinkgoWriter.Printf("$ %s %s\n", filepath.Base(binary), strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, binary, full...)
	if k.Env != nil {
		cmd.Env = append(os.Environ(), k.Env...)
	}
	return cmd
}

// Run runs kubectl to its end, whatever its exit code.
func (k *Kubectl) Run(args ...string) Result {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), kubectlTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := k.command(ctx, args)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	Expect(ctx.Err()).NotTo(HaveOccurred(), "kubectl %v did not finish in %v", args, kubectlTimeout)
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.ExitCode = exitErr.ExitCode()
	} else {
		Expect(err).NotTo(HaveOccurred())
	}
	GinkgoWriter.Printf("exit %d\n%s%s", r.ExitCode, r.Stdout, r.Stderr)
	return r
}

// Succeed runs kubectl, expects exit code 0 and returns its stdout.
func (k *Kubectl) Succeed(args ...string) string {
	GinkgoHelper()
	r := k.Run(args...)
	Expect(r.ExitCode).To(Equal(0), "kubectl %v failed: %s", args, r.Stderr)
	return r.Stdout
}

// Fail runs kubectl and expects a non-zero exit code.
func (k *Kubectl) Fail(args ...string) Result {
	GinkgoHelper()
	r := k.Run(args...)
	Expect(r.ExitCode).NotTo(Equal(0), "kubectl %v succeeded unexpectedly: %s", args, r.Stdout)
	return r
}

// Background is a kubectl that keeps running, such as `get -w`.
type Background struct {
	cancel context.CancelFunc
	done   chan struct{}
	stdout syncBuffer
	stderr syncBuffer
}

// Start starts kubectl in the background; it is killed when the current
// spec ends.
func (k *Kubectl) Start(args ...string) *Background {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), kubectlTimeout)
	b := &Background{cancel: cancel, done: make(chan struct{})}
	cmd := k.command(ctx, args)
	cmd.Stdout, cmd.Stderr = &b.stdout, &b.stderr
	Expect(cmd.Start()).To(Succeed())
	go func() {
		_ = cmd.Wait()
		close(b.done)
	}()
	DeferCleanup(b.Stop)
	return b
}

// Stdout is what the command has printed so far.
func (b *Background) Stdout() string { return b.stdout.String() }

// Stop kills the command and waits for it.
func (b *Background) Stop() {
	b.cancel()
	<-b.done
	GinkgoWriter.Printf("background kubectl printed:\n%s%s", b.stdout.String(), b.stderr.String())
}

// syncBuffer is a bytes.Buffer that a running command may write while a
// spec reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeManifest writes content to a file in a new temp dir and returns its
// path, for `kubectl create -f` and `--raw -f`.
func writeManifest(name, content string) string {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), name)
	Expect(os.WriteFile(path, []byte(content), 0o600)).To(Succeed())
	return path
}

// lines splits output into its lines, without the final newline.
func lines(out string) []string {
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// podPath is the API path of a pod or one of its subresources.
func podPath(namespace, name string, subresource ...string) string {
	return fmt.Sprintf("/api/v1/namespaces/%s/pods/%s", namespace, strings.Join(append([]string{name}, subresource...), "/"))
}
