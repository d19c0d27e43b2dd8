package llm

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Issue 13, point 3: the idle timeout measures the provider's silence, not the time the
// consumer spends on each event.
func TestIssue13IdleTimeoutIsProviderSilence(t *testing.T) {
	const idle = 20 * time.Millisecond
	src := newSource(helloEvents, nil)
	s := src.stream(context.Background(), StreamOptions{IdleTimeout: idle})
	n := 0
	for _, err := range s.Events() {
		if err != nil {
			t.Fatalf("after %d events: %v (the consumer's pace counted as idleness)", n, err)
		}
		n++
		time.Sleep(4 * idle) // a slow consumer; the source is always ready
	}
	if n != len(helloEvents) {
		t.Fatalf("got %d events, want %d", n, len(helloEvents))
	}
	if _, err := s.Response(); err != nil {
		t.Fatalf("Response() = %v", err)
	}
}

// The idle timeout still fires while the provider is silent, also after a slow consumer
// took its time on an earlier event.
func TestIdleTimeoutAfterSlowConsumer(t *testing.T) {
	const idle = 20 * time.Millisecond
	src := newSource(helloEvents, nil)
	src.blockAt = 3
	s := src.stream(context.Background(), StreamOptions{IdleTimeout: idle})
	var err error
	for _, e := range s.Events() {
		if e != nil {
			err = e
			break
		}
		time.Sleep(2 * idle)
	}
	if !errors.Is(err, ErrStream) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want ErrStream and DeadlineExceeded", err)
	}
}

// Issue 13, point 6: cancelling the context of a stream nobody reads closes it at once
// (the provider's goroutines and connection are released), and a later read reports the
// cancellation under ErrStream.
func TestIssue13UnreadStreamClosedOnCancel(t *testing.T) {
	src := newSource(helloEvents, nil)
	ctx, cancel := context.WithCancel(context.Background())
	s := src.stream(ctx, StreamOptions{})
	cancel()
	select {
	case <-src.closed: // closed by the context watch, without anyone reading
	case <-time.After(10 * time.Second):
		t.Fatal("an unread stream stayed open after its context was cancelled")
	}
	_, err := s.Response()
	if !errors.Is(err, ErrStream) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Response() = %v, want ErrStream and context.Canceled", err)
	}
	if src.reads.Load() != 0 {
		t.Errorf("a stream closed by its context was read")
	}
	if n := src.closes.Load(); n != 1 {
		t.Errorf("source closed %d times, want 1", n)
	}
}

// A stream closed by Close before its context ends is not closed again by the context.
func TestStreamCloseStopsContextWatch(t *testing.T) {
	src := newSource(helloEvents, nil)
	ctx, cancel := context.WithCancel(context.Background())
	s := src.stream(ctx, StreamOptions{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := s.Response(); !errors.Is(err, ErrStream) || errors.Is(err, context.Canceled) {
		t.Errorf("Response() = %v, want ErrStream without context.Canceled", err)
	}
	if n := src.closes.Load(); n != 1 {
		t.Errorf("source closed %d times, want 1", n)
	}
}

