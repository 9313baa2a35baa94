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
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.uber.org/zap/zapcore"
	"k8s.io/klog/v2"
)

// etcdInfoVerbosity is the -v at which etcd's info lines are shown; below
// it only its warnings and errors reach the log.
const etcdInfoVerbosity = 2

// benignLines are warnings and errors etcd prints about conditions that
// are expected in an embedded member or that it recovers from by itself;
// they are shown at etcdInfoVerbosity, as info. An empty cause matches
// any.
var benignLines = []struct{ message, cause string }{
	// A fresh member's version monitor runs before the first raft term is
	// stored; it succeeds on its next tick.
	{message: "failed to update storage version", cause: "missing term information"},
	{message: "Failed to detect schema version", cause: "missing term information"},
	// gRPC and its HTTP gateway share the one client socket on purpose.
	{message: "Running http and grpc server on single port. This is not recommended for production."},
	// etcd's authentication is off: the socket's permissions guard it.
	{message: "simple token is not cryptographically signed"},
}

// callerDepth skips this core and zap's logger, so klog names the line of
// etcd that logged.
const callerDepth = 3

// klogCore is a zap core that writes etcd's log lines through klog, so the
// process has one log format and one verbosity flag.
type klogCore struct {
	fields []zapcore.Field
	*coreState
}

// coreState is shared by a core and the cores With derives from it.
type coreState struct {
	// stopping is set when the server shuts etcd down: the errors its
	// listeners report about being closed are then expected.
	stopping atomic.Bool

	// While starting, error lines are held back: a failed start is
	// reported once, by the error Start returns, which says what to do.
	mu       sync.Mutex
	starting bool
	held     []func()
}

func newKlogCore() *klogCore { return &klogCore{coreState: &coreState{}} }

// holdErrors holds back error lines until started or failed is called.
func (s *coreState) holdErrors() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starting = true
}

// started writes the error lines held back.
func (s *coreState) started() {
	s.mu.Lock()
	held := s.held
	s.starting, s.held = false, nil
	s.mu.Unlock()
	for _, write := range held {
		write()
	}
}

// failed drops the error lines held back: the start error says it all.
func (s *coreState) failed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starting, s.held = false, nil
}

// hold keeps write for later while starting, and reports whether it did.
func (s *coreState) hold(write func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.starting {
		s.held = append(s.held, write)
	}
	return s.starting
}

var _ zapcore.Core = &klogCore{}

// Enabled shows warnings and errors always and the rest from -v=2 on.
func (c *klogCore) Enabled(level zapcore.Level) bool {
	return level >= zapcore.WarnLevel || klog.V(etcdInfoVerbosity).Enabled()
}

func (c *klogCore) With(fields []zapcore.Field) zapcore.Core {
	return &klogCore{fields: append(append([]zapcore.Field{}, c.fields...), fields...), coreState: c.coreState}
}

func (c *klogCore) Check(entry zapcore.Entry, checked *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(entry.Level) {
		return checked.AddCore(entry, c)
	}
	return checked
}

func (c *klogCore) Write(entry zapcore.Entry, fields []zapcore.Field) error {
	encoder := zapcore.NewMapObjectEncoder()
	for _, f := range append(append([]zapcore.Field{}, c.fields...), fields...) {
		f.AddTo(encoder)
	}
	message := "etcd: " + entry.Message
	kvs := keysAndValues(encoder.Fields)
	switch level := c.levelOf(entry, encoder.Fields); {
	case level >= zapcore.ErrorLevel:
		if level == zapcore.ErrorLevel && c.hold(func() { klog.ErrorS(nil, message, kvs...) }) {
			return nil
		}
		klog.ErrorSDepth(callerDepth, nil, message, kvs...)
	case level == zapcore.WarnLevel:
		klog.WarningDepth(callerDepth, formatLine(message, kvs))
	default:
		klog.V(etcdInfoVerbosity).InfoSDepth(callerDepth, message, kvs...)
	}
	return nil
}

// levelOf is the level a line is shown at: etcd's own, except for what is
// expected while stopping and for the benign errors.
func (c *klogCore) levelOf(entry zapcore.Entry, fields map[string]any) zapcore.Level {
	if entry.Level < zapcore.WarnLevel || entry.Level > zapcore.ErrorLevel {
		// Info and below as they are; DPanic, Panic and Fatal are real.
		return entry.Level
	}
	if c.stopping.Load() {
		return zapcore.InfoLevel
	}
	cause, _ := fields["error"].(string)
	for _, benign := range benignLines {
		if entry.Message == benign.message && strings.Contains(cause, benign.cause) {
			return zapcore.InfoLevel
		}
	}
	return entry.Level
}

func (c *klogCore) Sync() error { return nil }

// keysAndValues flattens etcd's fields, sorted by key, for klog.
func keysAndValues(fields map[string]any) []any {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kvs := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		kvs = append(kvs, k, fields[k])
	}
	return kvs
}

// formatLine renders a message and its pairs as klog's structured lines
// do, for the warning level, which klog has no structured call for.
func formatLine(message string, kvs []any) string {
	var b strings.Builder
	b.WriteString(strconv.Quote(message))
	for i := 0; i+1 < len(kvs); i += 2 {
		fmt.Fprintf(&b, " %v=", kvs[i])
		if s, ok := kvs[i+1].(string); ok {
			b.WriteString(strconv.Quote(s))
		} else {
			fmt.Fprintf(&b, "%v", kvs[i+1])
		}
	}
	return b.String()
}
