package llm

import (
	"context"
	"errors"
	"iter"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// source is a provider event source for tests: it yields evs, then err if set, and can
// block before event block until it is closed.
type source struct {
	evs     []Event
	err     error
	blockAt int // index before which the source waits for close; -1: never
	closed  chan struct{}
	reads   atomic.Int32 // passes over the source
	closes  atomic.Int32
}

func newSource(evs []Event, err error) *source {
	return &source{evs: evs, err: err, blockAt: -1, closed: make(chan struct{})}
}

func (s *source) seq() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		s.reads.Add(1)
		for i, ev := range s.evs {
			if i == s.blockAt {
				<-s.closed
				yield(nil, errors.New("use of closed network connection"))
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
		if s.err != nil {
			yield(nil, s.err)
		}
	}
}

func (s *source) close() error {
	if s.closes.Add(1) == 1 {
		close(s.closed)
	}
	return nil
}

func (s *source) stream(ctx context.Context, opts StreamOptions) *Stream {
	opts.Close = s.close
	return NewStream(ctx, s.seq(), &opts)
}

var helloEvents = []Event{
	MessageStart{Role: RoleAssistant},
	TextDelta{Index: 0, Text: "Hel"},
	TextDelta{Index: 0, Text: "lo"},
	BlockStop{Index: 0},
	MessageStop{StopReason: StopReasonEndTurn, RawStopReason: "end_turn"},
	Metadata{Usage: Usage{InputTokens: 1, OutputTokens: 2, TotalTokens: 3}},
}

func collect(t *testing.T, s *Stream) ([]Event, error) {
	t.Helper()
	var evs []Event
	for ev, err := range s.Events() {
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

func TestStreamReplay(t *testing.T) {
	src := newSource(helloEvents, nil)
	s := src.stream(context.Background(), StreamOptions{RequestID: "req-1", Warnings: []Warning{Warnf(WarningDropped, "topK", "w")}})
	first, err := collect(t, s)
	if err != nil {
		t.Fatalf("first pass: %v", err)
	}
	second, err := collect(t, s)
	if err != nil {
		t.Fatalf("second pass: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("replay differs from first pass (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(helloEvents, first); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if n := src.reads.Load(); n != 1 {
		t.Errorf("source read %d times, want 1", n)
	}
	if n := src.closes.Load(); n != 1 {
		t.Errorf("source closed %d times, want 1", n)
	}
	resp, err := s.Response()
	if err != nil {
		t.Fatal(err)
	}
	want := &Response{
		Message:       AssistantText("Hello"),
		StopReason:    StopReasonEndTurn,
		RawStopReason: "end_turn",
		Usage:         Usage{InputTokens: 1, OutputTokens: 2, TotalTokens: 3},
		RequestID:     "req-1",
		Warnings:      []Warning{Warnf(WarningDropped, "topK", "w")},
	}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("Response() mismatch (-want +got):\n%s", diff)
	}
}

func TestStreamTextThenResponse(t *testing.T) {
	s := newSource(helloEvents, nil).stream(context.Background(), StreamOptions{})
	var b strings.Builder
	for text, err := range s.Text() {
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(text)
	}
	if b.String() != "Hello" {
		t.Errorf("Text() = %q, want %q", b.String(), "Hello")
	}
	resp, err := s.Response()
	if err != nil || resp.Text() != "Hello" {
		t.Errorf("Response() after Text() = %v, %v; want Hello, nil", resp, err)
	}
}

func TestStreamResponseDrains(t *testing.T) {
	s := newSource(helloEvents, nil).stream(context.Background(), StreamOptions{})
	resp, err := s.Response()
	if err != nil || resp.Text() != "Hello" {
		t.Fatalf("Response() = %v, %v; want Hello, nil", resp, err)
	}
	evs, err := collect(t, s)
	if err != nil || len(evs) != len(helloEvents) {
		t.Errorf("Events() after Response() = %d events, %v; want %d, nil", len(evs), err, len(helloEvents))
	}
}

func TestStreamErrorReplayed(t *testing.T) {
	boom := errors.New("throttled mid-stream")
	s := newSource(helloEvents[:3], boom).stream(context.Background(), StreamOptions{})
	evs1, err1 := collect(t, s)
	evs2, err2 := collect(t, s)
	if !errors.Is(err1, boom) || !errors.Is(err2, boom) {
		t.Errorf("errors of the two passes = %v, %v; want both %v", err1, err2, boom)
	}
	if len(evs1) != 3 || len(evs2) != 3 {
		t.Errorf("passes yielded %d and %d events, want 3 and 3", len(evs1), len(evs2))
	}
	if _, err := s.Response(); !errors.Is(err, boom) {
		t.Errorf("Response() error = %v, want %v", err, boom)
	}
}

func TestStreamWithoutMessageStop(t *testing.T) {
	s := newSource(helloEvents[:4], nil).stream(context.Background(), StreamOptions{})
	if _, err := s.Response(); !errors.Is(err, ErrStream) {
		t.Fatalf("Response() of a stream without messageStop = %v, want ErrStream", err)
	}
}

func TestStreamBreakCloses(t *testing.T) {
	src := newSource(helloEvents, nil)
	s := src.stream(context.Background(), StreamOptions{})
	for range s.Events() {
		break
	}
	if src.closes.Load() != 1 {
		t.Fatalf("break did not close the source")
	}
	if _, err := s.Response(); !errors.Is(err, ErrStream) {
		t.Errorf("Response() after break = %v, want ErrStream", err)
	}
	evs, err := collect(t, s)
	if len(evs) != 1 || !errors.Is(err, ErrStream) {
		t.Errorf("replay after break = %d events, %v; want 1 event then ErrStream", len(evs), err)
	}
}

func TestStreamContextCancel(t *testing.T) {
	src := newSource(helloEvents, nil)
	src.blockAt = 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := src.stream(ctx, StreamOptions{})
	n := 0
	var err error
	for _, e := range s.Events() {
		if e != nil {
			err = e
			break
		}
		n++
		if n == 2 {
			cancel()
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error after cancel = %v, want context.Canceled", err)
	}
	if src.closes.Load() != 1 {
		t.Errorf("cancel closed the source %d times, want 1", src.closes.Load())
	}
}

func TestStreamIdleTimeout(t *testing.T) {
	src := newSource(helloEvents, nil)
	src.blockAt = 1
	s := src.stream(context.Background(), StreamOptions{IdleTimeout: 20 * time.Millisecond})
	_, err := collect(t, s)
	if !errors.Is(err, ErrStream) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error after idle timeout = %v, want ErrStream and DeadlineExceeded", err)
	}
}

func TestStreamCloseBeforeRead(t *testing.T) {
	src := newSource(helloEvents, nil)
	s := src.stream(context.Background(), StreamOptions{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Response(); !errors.Is(err, ErrStream) {
		t.Errorf("Response() after Close() = %v, want ErrStream", err)
	}
	if src.reads.Load() != 0 {
		t.Errorf("a closed stream was read")
	}
}

func TestStreamFinish(t *testing.T) {
	s := newSource(helloEvents, nil).stream(context.Background(), StreamOptions{Finish: func(r *Response) error {
		r.Object = []byte(`{"ok":true}`)
		return nil
	}})
	resp, err := s.Response()
	if err != nil || string(resp.Object) != `{"ok":true}` {
		t.Errorf("Response() with Finish = %v, %v; want Object set", resp, err)
	}
	fail := errors.New("bad object")
	s = newSource(helloEvents, nil).stream(context.Background(), StreamOptions{Finish: func(*Response) error { return fail }})
	if _, err := s.Response(); !errors.Is(err, fail) {
		t.Errorf("Response() with failing Finish = %v, want %v", err, fail)
	}
}

func TestStreamReentrantEvents(t *testing.T) {
	s := newSource(helloEvents, nil).stream(context.Background(), StreamOptions{})
	for range s.Events() {
		_, err := collect(t, s)
		if !errors.Is(err, ErrStream) {
			t.Errorf("nested Events() error = %v, want ErrStream", err)
		}
		if _, err := s.Response(); !errors.Is(err, ErrStream) {
			t.Errorf("Response() inside a pass = %v, want ErrStream", err)
		}
		break
	}
}

func TestStreamCancelledBeforeRead(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := newSource(helloEvents, nil).stream(ctx, StreamOptions{})
	if _, err := s.Response(); !errors.Is(err, context.Canceled) {
		t.Errorf("Response() of a stream whose context was cancelled = %v, want context.Canceled", err)
	}
}

func TestRequestCloneDeep(t *testing.T) {
	r := &Request{
		Tools:  []Tool{{Name: "a", InputSchema: []byte(`{"type":"object"}`)}},
		Output: &Output{Schema: []byte(`{"type":"object"}`)},
		Messages: []Message{{Role: RoleUser, Parts: []Part{
			ToolResult{CallID: "1", Content: []Part{Image{Data: []byte{1}}}},
		}}},
		Temperature: Ptr(0.0),
	}
	c := r.Clone()
	c.Tools[0].InputSchema[0] = 'X'
	c.Output.Schema[0] = 'X'
	c.Messages[0].Parts[0].(ToolResult).Content[0].(Image).Data[0] = 9
	*c.Temperature = 1
	if string(r.Tools[0].InputSchema) != `{"type":"object"}` || string(r.Output.Schema) != `{"type":"object"}` ||
		r.Messages[0].Parts[0].(ToolResult).Content[0].(Image).Data[0] != 1 || *r.Temperature != 0 {
		t.Errorf("Clone() shares memory with the original: %+v", r)
	}
}
