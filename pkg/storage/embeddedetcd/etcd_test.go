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

package embeddedetcd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap/zapcore"
)

func TestStartSealsTheStore(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	// A data dir others can read is made private.
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	e, err := Start(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()

	layout := Layout{DataDir: dataDir}
	for path, want := range map[string]os.FileMode{
		dataDir:               os.ModeDir | 0o700,
		layout.ClientSocket(): os.ModeSocket | 0o600,
		layout.PeerSocket():   os.ModeSocket | 0o600,
	} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode() & (os.ModeType | os.ModePerm); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	if e.ClientURL != "unix://"+layout.ClientSocket() {
		t.Errorf("ClientURL %q", e.ClientURL)
	}
	if _, err := Start(dataDir); err == nil || !strings.Contains(err.Error(), "in use by another") {
		t.Errorf("a second start on the same data dir: %v", err)
	}

	client, err := clientv3.New(clientv3.Config{Endpoints: []string{e.ClientURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.Put(ctx, "/registry/k", "v"); err != nil {
		t.Fatalf("a put through the socket: %v", err)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	source := filepath.Join(t.TempDir(), "source")
	e, err := Start(source)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	put(ctx, t, e.ClientURL, "/registry/kept", "yes")
	file := filepath.Join(t.TempDir(), "backup.db")
	if err := SaveSnapshot(ctx, source, file); err != nil {
		t.Fatal(err)
	}
	e.Stop()
	if err := SaveSnapshot(ctx, source, file); err == nil || !strings.Contains(err.Error(), "no embedded etcd is serving") {
		t.Errorf("saving from a stopped server: %v", err)
	}

	tests := []struct {
		name    string
		target  RestoreTarget
		wantErr string
	}{
		{name: "neither target", wantErr: "exactly one of"},
		{name: "both targets", target: RestoreTarget{DataDir: "a", EtcdDataDir: "b"}, wantErr: "exactly one of"},
		{name: "external member without its cluster", target: RestoreTarget{EtcdDataDir: filepath.Join(t.TempDir(), "m")}, wantErr: "needs --name"},
		{name: "data dir that holds etcd data", target: RestoreTarget{DataDir: source}, wantErr: "already holds etcd data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := RestoreSnapshot(file, tc.target); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %v, want an error with %q", err, tc.wantErr)
			}
		})
	}

	restoredDir := filepath.Join(t.TempDir(), "restored")
	if err := RestoreSnapshot(file, RestoreTarget{DataDir: restoredDir}); err != nil {
		t.Fatal(err)
	}
	restored, err := Start(restoredDir)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Stop()
	client, err := clientv3.New(clientv3.Config{Endpoints: []string{restored.ClientURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	got, err := client.Get(ctx, "/registry/kept")
	if err != nil || len(got.Kvs) != 1 || string(got.Kvs[0].Value) != "yes" {
		t.Fatalf("restored key: %v %v", got, err)
	}
	if got.Header.Revision < RestoreRevisionBump {
		t.Errorf("revision %d was not moved past the snapshot's", got.Header.Revision)
	}
}

func put(ctx context.Context, t *testing.T, endpoint, key, value string) {
	t.Helper()
	client, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Put(ctx, key, value); err != nil {
		t.Fatal(err)
	}
}

func TestKlogCoreLevels(t *testing.T) {
	tests := []struct {
		name     string
		level    zapcore.Level
		message  string
		cause    string
		stopping bool
		want     zapcore.Level
	}{
		{name: "a real error stays an error", level: zapcore.ErrorLevel, message: "failed to save", cause: "disk full", want: zapcore.ErrorLevel},
		{name: "a real warning stays a warning", level: zapcore.WarnLevel, message: "slow fdatasync", want: zapcore.WarnLevel},
		{name: "info stays info", level: zapcore.InfoLevel, message: "ready", want: zapcore.InfoLevel},
		{name: "the fresh member's storage version race", level: zapcore.ErrorLevel, message: "failed to update storage version", cause: "cannot detect storage schema version: missing term information", want: zapcore.InfoLevel},
		{name: "the same message with another cause", level: zapcore.ErrorLevel, message: "failed to update storage version", cause: "disk full", want: zapcore.ErrorLevel},
		{name: "the shared client socket", level: zapcore.WarnLevel, message: "Running http and grpc server on single port. This is not recommended for production.", want: zapcore.InfoLevel},
		{name: "listeners closing on stop", level: zapcore.ErrorLevel, message: "setting up serving from embedded etcd failed.", cause: "mux: server closed", stopping: true, want: zapcore.InfoLevel},
		{name: "listeners closing while running", level: zapcore.ErrorLevel, message: "setting up serving from embedded etcd failed.", cause: "mux: server closed", want: zapcore.ErrorLevel},
		{name: "a fatal line while stopping is still fatal", level: zapcore.FatalLevel, message: "corrupt", stopping: true, want: zapcore.FatalLevel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			core := newKlogCore()
			core.stopping.Store(tc.stopping)
			fields := map[string]any{}
			if tc.cause != "" {
				fields["error"] = tc.cause
			}
			if got := core.levelOf(zapcore.Entry{Level: tc.level, Message: tc.message}, fields); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFormatLine(t *testing.T) {
	got := formatLine("etcd: slow", []any{"took", "1.2s", "count", 3})
	if want := `"etcd: slow" took="1.2s" count=3`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestDataDirTooLongForASocket(t *testing.T) {
	long := "/" + strings.Repeat("d", maxSocketPath)
	if _, err := Start(long); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("got %v", err)
	}
}

func TestErrorsHeldWhileStarting(t *testing.T) {
	tests := []struct {
		name     string
		finish   func(*coreState)
		wantRuns int
	}{
		{name: "a start that succeeds writes what it held", finish: (*coreState).started, wantRuns: 2},
		{name: "a start that fails drops it: its error says it all", finish: (*coreState).failed, wantRuns: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := newKlogCore().coreState
			runs := 0
			write := func() { runs++ }
			if state.hold(write) {
				t.Fatal("held a line before the start")
			}
			state.holdErrors()
			if !state.hold(write) || !state.hold(write) {
				t.Fatal("did not hold lines while starting")
			}
			tc.finish(state)
			if runs != tc.wantRuns {
				t.Errorf("%d lines written, want %d", runs, tc.wantRuns)
			}
			if state.hold(write) {
				t.Error("held a line after the start")
			}
		})
	}
}
