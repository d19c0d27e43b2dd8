package llmtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// richResponse has every streamable part kind and every field a stream must reproduce.
func richResponse() *llm.Response {
	return &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "Add them.", Signature: "sig-1"},
			llm.Text{Text: "Adding."},
			llm.ToolCall{ID: "t1", Name: "add", Input: json.RawMessage(`{"a":1,"b":2}`)},
		}},
		StopReason:    llm.StopReasonToolUse,
		RawStopReason: "tool_use",
		Usage:         llm.Usage{InputTokens: 12, OutputTokens: 7, TotalTokens: 19},
		Latency:       300 * time.Millisecond,
		Object:        json.RawMessage(`{"x":1}`),
		RequestID:     "req-7",
		Model:         "answering-model",
		Warnings:      []llm.Warning{llm.Warnf(llm.WarningUnsupported, "topK", "ignored")},
		Extra:         "provider data",
	}
}

func req(text string) *llm.Request {
	return &llm.Request{Model: "test-model", Messages: []llm.Message{llm.UserText(text)}}
}

func TestGenerateAndStreamAgree(t *testing.T) {
	ctx := context.Background()
	m := llmtest.New(llmtest.Respond(richResponse()), llmtest.Respond(richResponse()))
	gen, err := m.Generate(ctx, req("a"))
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	if diff := cmp.Diff(richResponse(), gen); diff != "" {
		t.Errorf("Generate() (-want +got):\n%s", diff)
	}
	s, err := m.Stream(ctx, req("b"))
	if err != nil {
		t.Fatalf("Stream() error: %v", err)
	}
	streamed, err := s.Response()
	if err != nil {
		t.Fatalf("Stream().Response() error: %v", err)
	}
	if diff := cmp.Diff(gen, streamed); diff != "" {
		t.Errorf("streamed response differs from generated one (-generate +stream):\n%s", diff)
	}
	if got := m.Remaining(); got != 0 {
		t.Errorf("Remaining() = %d, want 0", got)
	}
}

func TestGenerateReturnsACopy(t *testing.T) {
	resp := richResponse()
	m := llmtest.New(llmtest.Respond(resp))
	got, err := m.Generate(context.Background(), req("a"))
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	got.Message.Parts[1] = llm.Text{Text: "changed"}
	got.Message.Parts[2].(llm.ToolCall).Input[1] = 'X'
	if diff := cmp.Diff(richResponse(), resp); diff != "" {
		t.Errorf("changing the returned response changed the script (-want +got):\n%s", diff)
	}
}

func TestEventsReply(t *testing.T) {
	evs := []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "Hel"},
		llm.TextDelta{Index: 0, Text: "lo"},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn},
		llm.Metadata{Usage: llm.Usage{InputTokens: 1, OutputTokens: 2, TotalTokens: 3}},
	}
	want := &llm.Response{
		Message:    llm.AssistantText("Hello"),
		StopReason: llm.StopReasonEndTurn,
		Usage:      llm.Usage{InputTokens: 1, OutputTokens: 2, TotalTokens: 3},
	}
	m := llmtest.New(llmtest.Stream(evs, nil), llmtest.Stream(evs, nil))
	got, err := m.Generate(context.Background(), req("a"))
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("Generate() of an event reply (-want +got):\n%s", diff)
	}
	s, err := m.Stream(context.Background(), req("b"))
	if err != nil {
		t.Fatalf("Stream() error: %v", err)
	}
	var texts []string
	for text, err := range s.Text() {
		if err != nil {
			t.Fatalf("Text() error: %v", err)
		}
		texts = append(texts, text)
	}
	if diff := cmp.Diff([]string{"Hel", "lo"}, texts); diff != "" {
		t.Errorf("Text() deltas (-want +got):\n%s", diff)
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.FilterValues(func(x, y []string) bool { return len(x) == 0 && len(y) == 0 }, cmp.Ignore())

func TestErrors(t *testing.T) {
	throttled := &llm.ProviderError{Provider: "test", Op: "converse", Code: "ThrottlingException", Category: llm.ErrRateLimited, Retryable: true}
	midStream := &llm.ProviderError{Provider: "test", Op: "converse-stream", Code: "modelStreamErrorException", Category: llm.ErrStream}
	ctx := context.Background()

	t.Run("before_anything", func(t *testing.T) {
		m := llmtest.New(llmtest.Fail(throttled), llmtest.Fail(throttled))
		if _, err := m.Generate(ctx, req("a")); !errors.Is(err, llm.ErrRateLimited) {
			t.Errorf("Generate() error = %v, want ErrRateLimited", err)
		}
		if s, err := m.Stream(ctx, req("a")); !errors.Is(err, llm.ErrRateLimited) || s != nil {
			t.Errorf("Stream() = %v, %v, want nil, ErrRateLimited", s, err)
		}
	})

	t.Run("mid_stream", func(t *testing.T) {
		reply := llmtest.Answer{Response: richResponse(), Err: midStream}
		m := llmtest.New(reply, reply)
		s, err := m.Stream(ctx, req("a"))
		if err != nil {
			t.Fatalf("Stream() error: %v", err)
		}
		var n int
		var last error
		for _, err := range s.Events() {
			if err != nil {
				last = err
				break
			}
			n++
		}
		wantEvents, _ := llm.ResponseEvents(richResponse())
		if n != len(wantEvents) || !errors.As(last, new(*llm.ProviderError)) {
			t.Errorf("Events() = %d events then %v, want %d events then the provider error", n, last, len(wantEvents))
		}
		if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
			t.Errorf("Response() after a broken stream error = %v, want ErrStream", err)
		}
		if _, err := m.Generate(ctx, req("b")); !errors.Is(err, midStream) {
			t.Errorf("Generate() of a mid-stream failure error = %v, want %v", err, midStream)
		}
	})

	t.Run("script_exhausted", func(t *testing.T) {
		m := llmtest.New(llmtest.Text("only"))
		if _, err := m.Generate(ctx, req("a")); err != nil {
			t.Fatalf("Generate() error: %v", err)
		}
		_, err := m.Generate(ctx, req("b"))
		if !errors.Is(err, llmtest.ErrNoReply) {
			t.Fatalf("Generate() past the script error = %v, want ErrNoReply", err)
		}
		if want := "llmtest: generate: call 2: llmtest: no reply scripted (the script had 1 replies)"; err.Error() != want {
			t.Errorf("Generate() past the script error = %q, want %q", err, want)
		}
		if _, err := m.Stream(ctx, req("c")); !errors.Is(err, llmtest.ErrNoReply) {
			t.Errorf("Stream() past the script error = %v, want ErrNoReply", err)
		}
	})

	t.Run("empty_reply", func(t *testing.T) {
		m := llmtest.New(llmtest.Answer{})
		if _, err := m.Generate(ctx, req("a")); err == nil {
			t.Errorf("Generate() of an empty reply error = nil, want an error")
		}
	})

	t.Run("unstreamable_response", func(t *testing.T) {
		m := llmtest.New(llmtest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolResult{CallID: "1"}}}}))
		if _, err := m.Stream(ctx, req("a")); err == nil {
			t.Errorf("Stream() of a response with a client tool result error = nil, want an error")
		}
	})
}

func TestRequestsAreDeepCopies(t *testing.T) {
	m := llmtest.New(llmtest.Text("a"))
	r := &llm.Request{
		Model:    "m",
		Messages: []llm.Message{llm.UserText("hi")},
		Tools:    []llm.Tool{{Name: "add", InputSchema: json.RawMessage(`{"type":"object"}`)}},
		Output:   &llm.Output{Schema: json.RawMessage(`{"type":"object"}`)},
	}
	if _, err := m.Generate(context.Background(), r); err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	r.Messages[0].Parts[0] = llm.Text{Text: "changed"}
	r.Tools[0].InputSchema[2] = 'X'
	r.Output.Schema[2] = 'X'
	want := &llm.Request{
		Model:    "m",
		Messages: []llm.Message{llm.UserText("hi")},
		Tools:    []llm.Tool{{Name: "add", InputSchema: json.RawMessage(`{"type":"object"}`)}},
		Output:   &llm.Output{Schema: json.RawMessage(`{"type":"object"}`)},
	}
	got := m.Requests()
	if len(got) != 1 {
		t.Fatalf("Requests() has %d requests, want 1", len(got))
	}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("recorded request changed with the caller's (-want +got):\n%s", diff)
	}
}

func TestHandler(t *testing.T) {
	m := llmtest.New(llmtest.Text("scripted"))
	m.SetHandler(func(ctx context.Context, r *llm.Request) llmtest.Answer {
		return llmtest.Text("echo: " + r.Messages[len(r.Messages)-1].Text())
	})
	for _, tc := range []struct{ in, want string }{
		{"one", "scripted"},
		{"two", "echo: two"},
		{"three", "echo: three"},
	} {
		resp, err := m.Generate(context.Background(), req(tc.in))
		if err != nil {
			t.Fatalf("Generate(%q) error: %v", tc.in, err)
		}
		if got := resp.Text(); got != tc.want {
			t.Errorf("Generate(%q) = %q, want %q (the queue first, then the handler)", tc.in, got, tc.want)
		}
	}
}

func TestCapabilities(t *testing.T) {
	m := llmtest.New()
	var _ llm.CapabilityReporter = m
	if diff := cmp.Diff(llmtest.AllCapabilities(), m.Capabilities("any")); diff != "" {
		t.Errorf("default Capabilities() (-want +got):\n%s", diff)
	}
	if !llmtest.AllCapabilities().Tools || !llmtest.AllCapabilities().CachePoints {
		t.Errorf("AllCapabilities() = %+v, want every capability", llmtest.AllCapabilities())
	}
	m.SetCapabilities(llm.Capabilities{Tools: true})
	if got, want := m.Capabilities("x"), (llm.Capabilities{Tools: true}); got != want {
		t.Errorf("Capabilities() after SetCapabilities = %+v, want %+v", got, want)
	}
}

func TestCancellation(t *testing.T) {
	t.Run("done_context_takes_no_reply", func(t *testing.T) {
		m := llmtest.New(llmtest.Text("a"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := m.Generate(ctx, req("a")); !errors.Is(err, context.Canceled) {
			t.Errorf("Generate(cancelled) error = %v, want context.Canceled", err)
		}
		if got := m.Remaining(); got != 1 {
			t.Errorf("Remaining() after a cancelled call = %d, want 1", got)
		}
	})

	t.Run("delay", func(t *testing.T) {
		m := llmtest.New(llmtest.Answer{Response: richResponse(), Delay: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := m.Generate(ctx, req("a")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Generate() with a long delay error = %v, want context.DeadlineExceeded", err)
		}
	})

	t.Run("mid_stream", func(t *testing.T) {
		m := llmtest.New(llmtest.Answer{Response: richResponse(), Interval: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s, err := m.Stream(ctx, req("a"))
		if err != nil {
			t.Fatalf("Stream() error: %v", err)
		}
		var got []llm.Event
		var last error
		for ev, err := range s.Events() {
			if err != nil {
				last = err
				break
			}
			got = append(got, ev)
			cancel() // the next event is an hour away; cancelling must end the wait
		}
		if len(got) != 1 || !errors.Is(last, context.Canceled) {
			t.Errorf("Events() = %d events then %v, want 1 event then context.Canceled", len(got), last)
		}
	})

	t.Run("break", func(t *testing.T) {
		m := llmtest.New(llmtest.Respond(richResponse()))
		s, err := m.Stream(context.Background(), req("a"))
		if err != nil {
			t.Fatalf("Stream() error: %v", err)
		}
		for range s.Events() {
			break
		}
		if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
			t.Errorf("Response() after break error = %v, want ErrStream (abandoned)", err)
		}
	})

	t.Run("close_before_reading", func(t *testing.T) {
		m := llmtest.New(llmtest.Respond(richResponse()))
		s, err := m.Stream(context.Background(), req("a"))
		if err != nil {
			t.Fatalf("Stream() error: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close() error: %v", err)
		}
		if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
			t.Errorf("Response() after Close error = %v, want ErrStream", err)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	m := llmtest.New()
	for i := range 50 {
		m.Add(llmtest.Text(fmt.Sprint(i)))
	}
	var wg sync.WaitGroup
	seen := make([]string, 50)
	for i := range 50 {
		wg.Go(func() {
			var resp *llm.Response
			var err error
			if i%2 == 0 {
				resp, err = m.Generate(context.Background(), req("x"))
			} else {
				var s *llm.Stream
				if s, err = m.Stream(context.Background(), req("x")); err == nil {
					resp, err = s.Response()
				}
			}
			if err != nil {
				t.Errorf("call %d error: %v", i, err)
				return
			}
			seen[i] = resp.Text()
			_ = m.Requests()
		})
	}
	wg.Wait()
	counts := map[string]int{}
	for _, s := range seen {
		counts[s]++
	}
	if len(counts) != 50 {
		t.Errorf("50 concurrent calls got %d distinct replies, want each reply used once", len(counts))
	}
	if got := len(m.Requests()); got != 50 {
		t.Errorf("Requests() has %d, want 50", got)
	}
}
