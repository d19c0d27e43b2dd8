package llm

import (
	"errors"
	"iter"
	"runtime"
	"strings"
	"testing"
)

// deltas is a source of n text deltas of 8 bytes each, each in memory of its own as a
// provider's decoder would make them, between a start and a stop.
func deltas(n int) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if !yield(MessageStart{Role: RoleAssistant}, nil) {
			return
		}
		b := []byte("abcdefgh")
		for range n {
			if !yield(TextDelta{Text: string(b)}, nil) {
				return
			}
		}
		yield(MessageStop{StopReason: StopReasonEndTurn}, nil)
	}
}

func TestStreamDiscardEvents(t *testing.T) {
	s := NewStream(t.Context(), deltas(3), nil)
	s.DiscardEvents()
	var text strings.Builder
	for tx, err := range s.Text() {
		if err != nil {
			t.Fatalf("first pass: %v", err)
		}
		text.WriteString(tx)
	}
	if got, want := text.String(), strings.Repeat("abcdefgh", 3); got != want {
		t.Errorf("first pass text = %q, want %q", got, want)
	}
	if resp, err := s.Response(); err != nil || resp.Text() != text.String() {
		t.Errorf("Response() = %v, %v; want the text read", resp, err)
	}
	var serr *StreamError
	for ev, err := range s.Events() {
		if !errors.As(err, &serr) || !strings.Contains(err.Error(), "DiscardEvents") {
			t.Errorf("second pass yielded %v, %v; want a StreamError naming DiscardEvents", ev, err)
		}
	}
	if s.Err() != nil {
		t.Errorf("Err() = %v after a whole first pass, want nil", s.Err())
	}
}

// retained reads a stream of n deltas to its end and returns the heap it still holds.
func retained(t *testing.T, n int, discard bool) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewStream(t.Context(), deltas(n), nil)
	if discard {
		s.DiscardEvents()
	}
	for _, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	resp, err := s.Response()
	if err != nil || len(resp.Text()) != 8*n {
		t.Fatalf("Response() = %d bytes of text, %v; want %d", len(resp.Text()), err, 8*n)
	}
	runtime.KeepAlive(s)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// TestStreamMemory: a 100,000-delta stream read to its end holds memory proportional to
// its text (the accumulated block and the response's text: 2-3 times it) when its events
// are discarded, and more, per event, when they are kept for a replay.
func TestStreamMemory(t *testing.T) {
	const n = 100_000
	text := uint64(8 * n)
	discarded := retained(t, n, true)
	kept := retained(t, n, false)
	t.Logf("%d deltas, %d bytes of text: %d bytes held with DiscardEvents, %d without", n, text, discarded, kept)
	if discarded > 4*text {
		t.Errorf("a stream with DiscardEvents holds %d bytes for %d bytes of text, want at most 4 times the text", discarded, text)
	}
	if kept < discarded+n*16 {
		t.Errorf("a stream keeping its events holds %d bytes, want at least %d more than with DiscardEvents (%d)", kept, n*16, discarded)
	}
}
