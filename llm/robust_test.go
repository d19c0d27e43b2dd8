package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
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

// nestedToolResults returns a tool message whose tool result nests depth tool results,
// the shape of a hostile saved conversation.
func nestedToolResults(depth int) []byte {
	var b strings.Builder
	b.WriteString(`{"role":"tool","parts":[`)
	for range depth {
		b.WriteString(`{"type":"tool_result","call_id":"c","content":[`)
	}
	b.WriteString(`{"type":"text","text":"x"}`)
	for range depth {
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// wideToolResults returns a valid tool message of n tool results, each with text.
func wideToolResults(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"role":"tool","parts":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"tool_result","call_id":"c%d","content":[{"type":"text","text":"<ok> & done"}]}`, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// allocated returns the bytes f allocates (TotalAlloc counts every allocation, collected
// or not, so no collection is needed around f).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Issue 13, point 7: decoding nested tool results took time and memory quadratic in the
// input (95 KB: 212 MB). A tool result's content holds no tool result, so the decoder
// refuses the nesting at once; a valid message costs memory linear in its size.
func TestIssue13DecodeNestedToolResultsLinear(t *testing.T) {
	data := nestedToolResults(2000) // ~100 KB
	var m Message
	var err error
	n := allocated(func() { err = json.Unmarshal(data, &m) })
	if err == nil || !strings.Contains(err.Error(), "text, image and document parts only") {
		t.Fatalf("error = %v, want a refusal of the nested tool result", err)
	}
	if limit := uint64(16 * len(data)); n > limit {
		t.Errorf("decoding %d bytes allocated %d bytes, more than %d", len(data), n, limit)
	}

	for _, size := range []int{100, 1000} {
		data := wideToolResults(size)
		n := allocated(func() { err = json.Unmarshal(data, &m) })
		if err != nil {
			t.Fatal(err)
		}
		if limit := uint64(32 * len(data)); n > limit {
			t.Errorf("decoding %d bytes of %d tool results allocated %d bytes, more than %d", len(data), size, n, limit)
		}
	}
}

// A tool result holding a tool result is refused when encoding too, so that nothing
// marshals that cannot be unmarshalled.
func TestMarshalRefusesNestedToolResult(t *testing.T) {
	m := Message{Role: RoleTool, Parts: []Part{ToolResult{CallID: "a", Content: []Part{ToolResult{CallID: "b"}}}}}
	if _, err := json.Marshal(m); err == nil || !strings.Contains(err.Error(), "text, image and document parts only") {
		t.Fatalf("Marshal = %v, want a refusal of the nested tool result", err)
	}
}

// Issue 13, point 9: null leaves a message as it was; {} and a message without a role are
// errors, not a zeroed message.
func TestIssue13MessageNullAndEmptyObject(t *testing.T) {
	m := UserText("keep me")
	if err := json.Unmarshal([]byte("null"), &m); err != nil {
		t.Fatalf("Unmarshal(null) = %v", err)
	}
	if m.Text() != "keep me" || m.Role != RoleUser {
		t.Errorf("Unmarshal(null) changed the message to %+v", m)
	}
	for _, in := range []string{`{}`, `{"parts":[{"type":"text","text":"hi"}]}`, `{"role":"robot","parts":[]}`} {
		m := UserText("keep me")
		err := json.Unmarshal([]byte(in), &m)
		if err == nil || !strings.Contains(err.Error(), "role") {
			t.Errorf("Unmarshal(%s) = %v, want an error about the role", in, err)
		}
		if m.Text() != "keep me" {
			t.Errorf("Unmarshal(%s) changed the message to %+v", in, m)
		}
	}
	var msgs []Message
	if err := json.Unmarshal([]byte(`[{"role":"user","parts":[{"type":"text","text":"a"}]},{}]`), &msgs); err == nil {
		t.Errorf("a list holding {} decoded without error: %+v", msgs)
	}
}

// BenchmarkDecodeMessage shows the slope of decoding: time and bytes per op grow in
// proportion to the size (wide) and stay flat for the refused nesting (deep).
func BenchmarkDecodeMessage(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		data := wideToolResults(n)
		b.Run(fmt.Sprintf("wide=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var m Message
				if err := json.Unmarshal(data, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, n := range []int{10, 100, 1000} {
		data := nestedToolResults(n)
		b.Run(fmt.Sprintf("deep=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var m Message
				_ = json.Unmarshal(data, &m)
			}
		})
	}
}

// FuzzMessageJSON decodes arbitrary JSON as a Message, and messages nesting tool results
// and tool input objects depth deep. Decoding never panics; what decodes re-encodes and
// decodes to the same message; and the bytes allocated stay linear in the input's size.
func FuzzMessageJSON(f *testing.F) {
	f.Add([]byte(`{"role":"user","parts":[{"type":"text","text":"hi"}]}`), uint16(0))
	f.Add([]byte(`{"role":"assistant","parts":[{"type":"tool_call","id":"c","name":"n","input":{"a":"<&>"}}]}`), uint16(3))
	f.Add([]byte(`{"role":"tool","parts":[{"type":"tool_result","call_id":"c","content":[{"type":"tool_result"}]}]}`), uint16(500))
	f.Add([]byte(`null`), uint16(0))
	f.Add([]byte(`{}`), uint16(9000))
	f.Fuzz(func(t *testing.T, data []byte, depth uint16) {
		checkMessageJSON(t, data)
		d := int(depth % 5000)
		checkMessageJSON(t, nestedToolResults(d))
		input := strings.Repeat(`{"a":`, d) + `1` + strings.Repeat(`}`, d)
		checkMessageJSON(t, []byte(`{"role":"assistant","parts":[{"type":"tool_call","id":"c","name":"n","input":`+input+`}]}`))
	})
}

func checkMessageJSON(t *testing.T, data []byte) {
	t.Helper()
	var m Message
	var err error
	n := allocated(func() { err = json.Unmarshal(data, &m) })
	if limit := uint64(64*len(data) + 64<<10); n > limit {
		t.Fatalf("decoding %d bytes allocated %d bytes, more than %d", len(data), n, limit)
	}
	if err != nil || m.Role == "" { // null leaves the zero message, which has no JSON form to decode
		return
	}
	out, err := json.Marshal(m)
	if err != nil {
		return // e.g. a tool call whose input is not valid JSON cannot be written back
	}
	var back Message
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("re-decoding %s: %v", out, err)
	}
	again, err := json.Marshal(back)
	if err != nil || string(again) != string(out) {
		t.Fatalf("round trip changed the message:\n%s\n%s (%v)", out, again, err)
	}
}
