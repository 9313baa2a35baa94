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
// Package framework starts the real parts the integration suites run
// against: an etcd process and the API server in-process over HTTPS.
package framework

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// EtcdProcess is a single-member etcd started from a binary.
type EtcdProcess struct {
	URL     string
	cmd     *exec.Cmd
	dataDir string
	exited  chan struct{}
	client  *http.Client
}

// StartEtcd starts the etcd binary at path with its data in a new temp dir
// and waits until it is healthy. With certs, it serves TLS and requires
// client certificates signed by their CA.
func StartEtcd(path string, certs *EtcdTLS) (*EtcdProcess, error) {
	dataDir, err := os.MkdirTemp("", "integration-etcd-")
	if err != nil {
		return nil, err
	}
	clientAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	peerAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	clientURL, peerURL := "http://"+clientAddr, "http://"+peerAddr
	client := http.DefaultClient
	var tlsFlags []string
	if certs != nil {
		clientURL = "https://" + clientAddr
		tlsFlags = []string{"--client-cert-auth", "--trusted-ca-file=" + certs.CAFile,
			"--cert-file=" + certs.ServerCertFile, "--key-file=" + certs.ServerKeyFile}
		tlsConfig, err := certs.ClientConfig()
		if err != nil {
			return nil, err
		}
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig}}
	}
	cmd := exec.Command(path, append([]string{
		"--name=integration",
		"--data-dir=" + filepath.Join(dataDir, "data"),
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=integration=" + peerURL,
		"--log-level=error",
		// Test data need not survive a power cut; fsync makes the suites slow.
		"--unsafe-no-fsync",
	}, tlsFlags...)...)
	logFile, err := os.Create(filepath.Join(dataDir, "etcd.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &EtcdProcess{URL: clientURL, cmd: cmd, dataDir: dataDir, exited: make(chan struct{}), client: client}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(e.exited)
	}()
	if err := e.waitHealthy(30 * time.Second); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

func (e *EtcdProcess) waitHealthy(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+"/health", nil)
		if resp, err := e.client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-e.exited:
			return fmt.Errorf("etcd exited during start; see %s", filepath.Join(e.dataDir, "etcd.log"))
		case <-ctx.Done():
			return fmt.Errorf("etcd at %s not healthy within %v", e.URL, timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Pause stops the etcd process (SIGSTOP) without closing its connections,
// as an etcd that hangs would look to the API server. It returns once the
// kernel reports the process stopped: on a busy machine a signal can take
// effect after a request already sent has been served.
func (e *EtcdProcess) Pause() error {
	if err := e.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		return err
	}
	stat := fmt.Sprintf("/proc/%d/stat", e.cmd.Process.Pid)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		data, err := os.ReadFile(stat)
		if err != nil {
			return err
		}
		// The state follows the command name, which is in parentheses.
		if fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:])); len(fields) > 0 && fields[0] == "T" {
			return nil
		}
	}
	return fmt.Errorf("etcd (pid %d) was sent SIGSTOP but did not stop within 5s", e.cmd.Process.Pid)
}

// Resume continues a paused etcd.
func (e *EtcdProcess) Resume() error { return e.cmd.Process.Signal(syscall.SIGCONT) }

// Stop kills etcd and removes its data.
func (e *EtcdProcess) Stop() {
	if e.cmd.Process != nil {
		_ = e.cmd.Process.Signal(os.Interrupt)
		select {
		case <-e.exited:
		case <-time.After(10 * time.Second):
			_ = e.cmd.Process.Kill()
			<-e.exited
		}
	}
	_ = os.RemoveAll(e.dataDir)
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
