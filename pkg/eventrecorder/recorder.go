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

// Package eventrecorder writes core/v1 Events in the background: Record
// never blocks and never fails its caller. Events wait in a bounded queue
// (the newest are dropped when it is full) and each write has a timeout,
// so a slow or failing storage only costs events, not requests.
package eventrecorder

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/klog/v2"
)

// Defaults of Options.
const (
	DefaultQueueSize    = 1000
	DefaultWriteTimeout = 10 * time.Second
)

// Options tune a Recorder.
type Options struct {
	// QueueSize is how many events may wait to be written.
	QueueSize int
	// WriteTimeout bounds each write.
	WriteTimeout time.Duration
}

// Sink stores one event.
type Sink interface {
	CreateEvent(ctx context.Context, event *corev1.Event) error
}

// SinkFunc is a function that is a Sink.
type SinkFunc func(ctx context.Context, event *corev1.Event) error

// CreateEvent implements Sink.
func (f SinkFunc) CreateEvent(ctx context.Context, event *corev1.Event) error { return f(ctx, event) }

// ClientSink creates events through a client.
func ClientSink(client typedcorev1.EventsGetter) Sink {
	return SinkFunc(func(ctx context.Context, event *corev1.Event) error {
		_, err := client.Events(event.Namespace).Create(ctx, event, metav1.CreateOptions{})
		return err
	})
}

// Recorder queues events and writes them with one goroutine.
type Recorder struct {
	sink    Sink
	queue   chan *corev1.Event
	timeout time.Duration
	now     func() time.Time
	// lastNano makes the names of events recorded at one instant differ.
	lastNano atomic.Int64
	// dropped counts the events dropped since the last line that said so;
	// lastDropReport is when that line was written (UnixNano).
	dropped        atomic.Int64
	lastDropReport atomic.Int64
}

// dropReportInterval spaces the lines that report dropped events, so that
// a flood of events does not become a flood of log lines.
const dropReportInterval = 10 * time.Second

// New returns a Recorder writing to sink; call Run to start it.
func New(sink Sink, opts Options) *Recorder {
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	return &Recorder{sink: sink, queue: make(chan *corev1.Event, opts.QueueSize), timeout: opts.WriteTimeout, now: time.Now}
}

// Record queues event for writing and returns at once. An event without a
// name gets one derived from its object and the time, as client-go names
// them; missing timestamps and count are filled in.
func (r *Recorder) Record(event *corev1.Event) {
	now := metav1.NewTime(r.now())
	if event.Name == "" {
		event.Name = fmt.Sprintf("%v.%x", event.InvolvedObject.Name, r.uniqueNano(now.UnixNano()))
	}
	if event.FirstTimestamp.IsZero() {
		event.FirstTimestamp = now
	}
	if event.LastTimestamp.IsZero() {
		event.LastTimestamp = now
	}
	if event.Count == 0 {
		event.Count = 1
	}
	select {
	case r.queue <- event:
	default:
		r.reportDrop(event)
	}
}

// reportDrop counts a dropped event and logs the count at most once per
// dropReportInterval.
func (r *Recorder) reportDrop(event *corev1.Event) {
	n := r.dropped.Add(1)
	now, last := r.now().UnixNano(), r.lastDropReport.Load()
	if now-last < int64(dropReportInterval) || !r.lastDropReport.CompareAndSwap(last, now) {
		return
	}
	r.dropped.Add(-n)
	klog.InfoS("Event queue is full; dropping events", "dropped", n, "lastNamespace", event.Namespace, "lastReason", event.Reason, "lastMessage", event.Message)
}

// uniqueNano is nano, or one more than the last value returned if that is
// not smaller.
func (r *Recorder) uniqueNano(nano int64) int64 {
	for {
		last := r.lastNano.Load()
		next := nano
		if next <= last {
			next = last + 1
		}
		if r.lastNano.CompareAndSwap(last, next) {
			return next
		}
	}
}

// Run writes queued events until ctx is done.
func (r *Recorder) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case event := <-r.queue:
			r.write(ctx, event)
		}
	}
}

func (r *Recorder) write(ctx context.Context, event *corev1.Event) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.sink.CreateEvent(ctx, event); err != nil {
		klog.FromContext(ctx).Info("Writing an event failed; dropping it", "namespace", event.Namespace, "name", event.Name, "reason", event.Reason, "err", err)
	}
}
