package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

var (
	throttled = &llm.ProviderError{Provider: "test", Op: "converse", Code: "ThrottlingException", StatusCode: 429, Retryable: true, Category: llm.ErrRateLimited}
	midStream = &llm.ProviderError{Provider: "test", Op: "converse-stream", Code: "modelStreamErrorException", Retryable: false, Category: llm.ErrStream}
)

// fullAnswer is an assistant turn with every part a streamed answer can hold.
func fullAnswer() *llm.Response {
	return &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "The user greets me.", Signature: "sig-abc"},
			llm.Text{Text: "Hello! "},
			llm.Text{Text: "Let me look that up."},
			llm.ToolCall{ID: "t1", Name: "lookup", Input: json.RawMessage(`{"q":"hi"}`)},
		}},
		StopReason:    llm.StopReasonToolUse,
		RawStopReason: "tool_use",
		Usage:         llm.Usage{InputTokens: 10, OutputTokens: 20, TotalTokens: 30},
		RequestID:     "req-1",
	}
}

func TestSessionSend(t *testing.T) {
	ctx := context.Background()
	m := llmtest.New(llmtest.Text("Hi!"), llmtest.Text("Fine."))
	s := agent.NewSession(m, &llm.Request{Model: "m1", Messages: []llm.Message{llm.SystemText("Be brief.")}})

	if resp, err := s.Send(ctx, llm.Text{Text: "Hello"}); err != nil || resp.Text() != "Hi!" {
		t.Fatalf("Send(Hello) = %v, %v, want Hi!", resp, err)
	}
	if _, err := s.Send(ctx, llm.Text{Text: "How are you?"}, llm.Image{Format: "png", Data: []byte{1, 2}}); err != nil {
		t.Fatalf("Send(How are you?) error: %v", err)
	}
	wantHist := []llm.Message{
		llm.UserText("Hello"),
		llm.AssistantText("Hi!"),
		{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{Text: "How are you?"}, llm.Image{Format: "png", Data: []byte{1, 2}}}},
		llm.AssistantText("Fine."),
	}
	if diff := cmp.Diff(wantHist, s.History()); diff != "" {
		t.Errorf("History() (-want +got):\n%s", diff)
	}
	reqs := m.Requests()
	want := []llm.Message{llm.SystemText("Be brief.")}
	want = append(want, wantHist[:3]...)
	if diff := cmp.Diff(want, reqs[1].Messages); diff != "" {
		t.Errorf("second request's messages: defaults' messages, history, new message (-want +got):\n%s", diff)
	}
}

func TestSessionOverrides(t *testing.T) {
	defaults := &llm.Request{
		Model:       "default-model",
		MaxTokens:   100,
		Temperature: llm.Ptr(0.7),
		Tools:       []llm.Tool{{Name: "a", InputSchema: json.RawMessage(`{"type":"object"}`)}},
		ToolChoice:  llm.ToolChoice{Mode: llm.ToolChoiceRequired},
	}
	tests := []struct {
		name     string
		reason   string
		override func(*llm.Request)
		check    func(*llm.Request) string
	}{
		{
			name:   "no_override",
			reason: "defaults apply to every call",
			check: func(r *llm.Request) string {
				return cmp.Diff([]any{"default-model", 100, 0.7, llm.ToolChoiceRequired}, []any{r.Model, r.MaxTokens, *r.Temperature, r.ToolChoice.Mode})
			},
		},
		{
			name:     "temperature_zero",
			reason:   "a per-call zero temperature wins over the default (0 is a real value)",
			override: func(r *llm.Request) { r.Temperature = llm.Ptr(0.0) },
			check:    func(r *llm.Request) string { return cmp.Diff(0.0, *r.Temperature) },
		},
		{
			name:     "tool_choice_back_to_auto",
			reason:   "an override can set a field back to its zero value",
			override: func(r *llm.Request) { r.ToolChoice = llm.ToolChoice{} },
			check:    func(r *llm.Request) string { return cmp.Diff(llm.ToolChoice{}, r.ToolChoice) },
		},
		{
			name:     "model_and_tokens",
			reason:   "any field may be overridden",
			override: func(r *llm.Request) { r.Model, r.MaxTokens = "other-model", 5 },
			check:    func(r *llm.Request) string { return cmp.Diff([]any{"other-model", 5}, []any{r.Model, r.MaxTokens}) },
		},
		{
			name:   "override_sees_messages",
			reason: "the override runs last, on the whole request",
			override: func(r *llm.Request) {
				r.Messages = append([]llm.Message{llm.SystemText("injected")}, r.Messages...)
			},
			check: func(r *llm.Request) string {
				return cmp.Diff([]llm.Message{llm.SystemText("injected"), llm.UserText("q")}, r.Messages)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := llmtest.New(llmtest.Text("a"), llmtest.Text("b"))
			s := agent.NewSession(m, defaults)
			if _, err := s.SendMessage(context.Background(), llm.UserText("q"), tt.override); err != nil {
				t.Fatalf("SendMessage() error: %v", err)
			}
			if _, err := s.Send(context.Background(), llm.Text{Text: "next"}); err != nil {
				t.Fatalf("Send() error: %v", err)
			}
			reqs := m.Requests()
			if diff := tt.check(reqs[0]); diff != "" {
				t.Errorf("request with override (%s) (-want +got):\n%s", tt.reason, diff)
			}
			if diff := cmp.Diff(defaults.Tools, reqs[1].Tools); diff != "" || reqs[1].Model != "default-model" || *reqs[1].Temperature != 0.7 || reqs[1].ToolChoice.Mode != llm.ToolChoiceRequired {
				t.Errorf("the next call is back to the defaults, got model %q temperature %v choice %v tools diff %s", reqs[1].Model, *reqs[1].Temperature, reqs[1].ToolChoice, diff)
			}
			if diff := cmp.Diff([]llm.Message{llm.UserText("q"), llm.AssistantText("a"), llm.UserText("next"), llm.AssistantText("b")}, s.History()); diff != "" {
				t.Errorf("History() records the sent message and the answer, whatever the override did (-want +got):\n%s", diff)
			}
		})
	}
	if *defaults.Temperature != 0.7 || defaults.Messages != nil {
		t.Errorf("overrides changed the caller's defaults: %+v", defaults)
	}
}

func TestSessionFailedTurnsLeaveHistory(t *testing.T) {
	before := []llm.Message{llm.UserText("earlier"), llm.AssistantText("yes")}
	tests := []struct {
		name   string
		reason string
		reply  llmtest.Answer
		turn   func(context.Context, *agent.Session) error
	}{
		{
			name:   "throttled_send",
			reason: "a throttled call adds no dangling user turn",
			reply:  llmtest.Fail(throttled),
			turn: func(ctx context.Context, s *agent.Session) error {
				_, err := s.Send(ctx, llm.Text{Text: "q"})
				return err
			},
		},
		{
			name:   "throttled_stream",
			reason: "a stream refused before it starts adds nothing",
			reply:  llmtest.Fail(throttled),
			turn: func(ctx context.Context, s *agent.Session) error {
				_, err := s.Stream(ctx, llm.Text{Text: "q"})
				return err
			},
		},
		{
			name:   "mid_stream_exception",
			reason: "an exception after some events adds nothing",
			reply:  llmtest.Answer{Response: fullAnswer(), Err: midStream},
			turn: func(ctx context.Context, s *agent.Session) error {
				st, err := s.Stream(ctx, llm.Text{Text: "q"})
				if err != nil {
					return err
				}
				_, err = st.Response()
				return err
			},
		},
		{
			name:   "abandoned_by_break",
			reason: "a caller that stops reading early abandons the turn",
			reply:  llmtest.Respond(fullAnswer()),
			turn: func(ctx context.Context, s *agent.Session) error {
				st, err := s.Stream(ctx, llm.Text{Text: "q"})
				if err != nil {
					return err
				}
				for _, err := range st.Text() {
					if err != nil {
						return err
					}
					break
				}
				_, err = st.Response()
				return err
			},
		},
		{
			name:   "closed_before_read",
			reason: "a stream closed unread adds nothing",
			reply:  llmtest.Respond(fullAnswer()),
			turn: func(ctx context.Context, s *agent.Session) error {
				st, err := s.Stream(ctx, llm.Text{Text: "q"})
				if err != nil {
					return err
				}
				st.Close()
				_, err = st.Response()
				return err
			},
		},
		{
			name:   "cancelled_mid_stream",
			reason: "a cancelled stream adds nothing and reports the cancellation",
			reply:  llmtest.Answer{Response: fullAnswer(), Interval: time.Hour},
			turn: func(ctx context.Context, s *agent.Session) error {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				st, err := s.Stream(ctx, llm.Text{Text: "q"})
				if err != nil {
					return err
				}
				for _, err := range st.Events() {
					if err != nil {
						if !errors.Is(err, context.Canceled) {
							return fmt.Errorf("got %w, want context.Canceled", err)
						}
						return err
					}
					cancel()
				}
				return nil
			},
		},
		{
			name:   "cancelled_before_read",
			reason: "a stream whose context ends before it is read ends its turn",
			reply:  llmtest.Respond(fullAnswer()),
			turn: func(ctx context.Context, s *agent.Session) error {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				st, err := s.Stream(ctx, llm.Text{Text: "q"})
				if err != nil {
					return err
				}
				cancel()
				_, err = st.Response()
				if !errors.Is(err, context.Canceled) {
					return fmt.Errorf("got %w, want context.Canceled", err)
				}
				return err
			},
		},
		{
			name:   "truncated_stream",
			reason: "a stream that ends without a message stop is an error, not a short success",
			reply:  llmtest.Stream([]llm.Event{llm.MessageStart{Role: llm.RoleAssistant}, llm.TextDelta{Text: "Hel"}}, nil),
			turn: func(ctx context.Context, s *agent.Session) error {
				st, err := s.Stream(ctx, llm.Text{Text: "q"})
				if err != nil {
					return err
				}
				_, err = st.Response()
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := llmtest.New(tt.reply, llmtest.Text("retried"))
			s := agent.NewSession(m, nil)
			if err := s.SetHistory(before); err != nil {
				t.Fatal(err)
			}
			hash := s.Hash()
			if err := tt.turn(context.Background(), s); err == nil {
				t.Fatalf("the failing turn returned no error (%s)", tt.reason)
			}
			if diff := cmp.Diff(before, s.History()); diff != "" {
				t.Errorf("History() after a failed turn (%s) (-want +got):\n%s", tt.reason, diff)
			}
			if got := s.Hash(); got != hash {
				t.Errorf("Hash() after a failed turn = %s, want %s", got, hash)
			}
			// The turn has ended: the retry runs at once and is recorded once.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := s.Send(ctx, llm.Text{Text: "q"}); err != nil {
				t.Fatalf("Send() retry after the failed turn error: %v", err)
			}
			want := append(append([]llm.Message(nil), before...), llm.UserText("q"), llm.AssistantText("retried"))
			if diff := cmp.Diff(want, s.History()); diff != "" {
				t.Errorf("History() after retry (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSessionStreamCommitsOnce(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		read   func(*llm.Stream) error
	}{
		{
			name:   "events_twice",
			reason: "a replayed stream is not added twice",
			read: func(st *llm.Stream) error {
				for range 2 {
					for _, err := range st.Events() {
						if err != nil {
							return err
						}
					}
				}
				return nil
			},
		},
		{
			name:   "text_then_response",
			reason: "Response() after Text() returns the whole answer and adds nothing more",
			read: func(st *llm.Stream) error {
				var b strings.Builder
				for text, err := range st.Text() {
					if err != nil {
						return err
					}
					b.WriteString(text)
				}
				if b.String() != "Hello! Let me look that up." {
					return fmt.Errorf("Text() = %q", b.String())
				}
				resp, err := st.Response()
				if err != nil {
					return err
				}
				return diffErr(fullAnswer(), resp)
			},
		},
		{
			name:   "response_only",
			reason: "Response() alone reads the stream and commits it",
			read: func(st *llm.Stream) error {
				resp, err := st.Response()
				if err != nil {
					return err
				}
				if _, err := st.Response(); err != nil {
					return err
				}
				return diffErr(fullAnswer(), resp)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := llmtest.New(llmtest.Respond(fullAnswer()))
			s := agent.NewSession(m, nil)
			st, err := s.Stream(context.Background(), llm.Text{Text: "hi"})
			if err != nil {
				t.Fatalf("Stream() error: %v", err)
			}
			if err := tt.read(st); err != nil {
				t.Fatalf("reading the stream (%s): %v", tt.reason, err)
			}
			want := []llm.Message{llm.UserText("hi"), fullAnswer().Message}
			if diff := cmp.Diff(want, s.History()); diff != "" {
				t.Errorf("History() after a streamed turn (%s): one complete turn with reasoning, text and tool call (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func diffErr(want, got any) error {
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("(-want +got):\n%s", diff)
	}
	return nil
}

func TestSessionUnreadStreamBlocksNextTurn(t *testing.T) {
	m := llmtest.New(llmtest.Text("first"), llmtest.Text("second"))
	s := agent.NewSession(m, nil)
	st, err := s.Stream(context.Background(), llm.Text{Text: "one"})
	if err != nil {
		t.Fatalf("Stream() error: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Send(ctx, llm.Text{Text: "two"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send() while a stream is unread error = %v, want context.DeadlineExceeded", err)
	}
	if got := len(s.History()); got != 0 {
		t.Errorf("History() during an unread stream has %d messages, want 0", got)
	}
	if _, err := st.Response(); err != nil {
		t.Fatalf("Response() error: %v", err)
	}
	if _, err := s.Send(context.Background(), llm.Text{Text: "two"}); err != nil {
		t.Fatalf("Send() after the stream ended error: %v", err)
	}
	if got := len(s.History()); got != 4 {
		t.Errorf("History() has %d messages, want 4", got)
	}
}

func TestSessionConcurrentSends(t *testing.T) {
	m := llmtest.New()
	m.SetHandler(func(ctx context.Context, r *llm.Request) llmtest.Answer {
		// The answer names the question and how many messages preceded it: with turns
		// serialised, every turn sees all earlier turns.
		last := r.Messages[len(r.Messages)-1].Text()
		return llmtest.Text(fmt.Sprintf("%s after %d", last, len(r.Messages)-1))
	})
	s := agent.NewSession(m, nil)
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			q := fmt.Sprintf("q%d", i)
			var err error
			if i%2 == 0 {
				_, err = s.Send(context.Background(), llm.Text{Text: q})
			} else {
				var st *llm.Stream
				if st, err = s.Stream(context.Background(), llm.Text{Text: q}); err == nil {
					for range st.Text() {
					}
					_, err = st.Response()
				}
			}
			if err != nil {
				t.Errorf("turn %s error: %v", q, err)
			}
			_ = s.History()
			_ = s.Hash()
		})
	}
	wg.Wait()
	h := s.History()
	if len(h) != 2*n {
		t.Fatalf("History() has %d messages after %d turns, want %d", len(h), n, 2*n)
	}
	for i := 0; i < len(h); i += 2 {
		q, a := h[i], h[i+1]
		if q.Role != llm.RoleUser || a.Role != llm.RoleAssistant {
			t.Errorf("History()[%d:%d] roles = %s, %s, want user, assistant", i, i+2, q.Role, a.Role)
		}
		if want := fmt.Sprintf("%s after %d", q.Text(), i); a.Text() != want {
			t.Errorf("History()[%d] = %q, want %q (turns interleaved)", i+1, a.Text(), want)
		}
	}
}

func TestSessionHistoryIsACopy(t *testing.T) {
	m := llmtest.New(llmtest.Respond(fullAnswer()))
	s := agent.NewSession(m, nil)
	img := []byte{1, 2, 3}
	if _, err := s.Send(context.Background(), llm.Image{Format: "png", Data: img}, llm.Text{Text: "what?"}); err != nil {
		t.Fatalf("Send() error: %v", err)
	}
	img[0] = 9 // the caller reuses its buffer
	h := s.History()
	h[0].Parts[1] = llm.Text{Text: "changed"}
	h[1].Parts[3].(llm.ToolCall).Input[2] = 'X'
	want := []llm.Message{
		{Role: llm.RoleUser, Parts: []llm.Part{llm.Image{Format: "png", Data: []byte{1, 2, 3}}, llm.Text{Text: "what?"}}},
		fullAnswer().Message,
	}
	if diff := cmp.Diff(want, s.History()); diff != "" {
		t.Errorf("History() shares memory with the caller (-want +got):\n%s", diff)
	}
}

func TestSessionReplaceHistory(t *testing.T) {
	m := llmtest.New(llmtest.Text("a"), llmtest.Answer{Response: fullAnswer(), Interval: 10 * time.Millisecond}, llmtest.Text("c"))
	s := agent.NewSession(m, &llm.Request{Messages: []llm.Message{llm.SystemText("sys")}})
	if _, err := s.Send(context.Background(), llm.Text{Text: "q"}); err != nil {
		t.Fatalf("Send() error: %v", err)
	}

	// A turn in flight when the history is replaced is not added to the new history.
	st, err := s.Stream(context.Background(), llm.Text{Text: "in flight"})
	if err != nil {
		t.Fatalf("Stream() error: %v", err)
	}
	s.Reset()
	if _, err := st.Response(); err != nil {
		t.Fatalf("Response() error: %v", err)
	}
	if got := s.History(); len(got) != 0 {
		t.Errorf("History() after Reset during a turn = %v, want empty", got)
	}

	// Reset keeps the defaults' messages.
	if _, err := s.Send(context.Background(), llm.Text{Text: "again"}); err != nil {
		t.Fatalf("Send() error: %v", err)
	}
	reqs := m.Requests()
	if diff := cmp.Diff([]llm.Message{llm.SystemText("sys"), llm.UserText("again")}, reqs[2].Messages); diff != "" {
		t.Errorf("request after Reset (-want +got):\n%s", diff)
	}
}

func TestSessionRejectsBadMessages(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		msg     llm.Message
		wantErr string
	}{
		{"assistant_role", "the session writes assistant turns itself", llm.AssistantText("x"), `agent: send: message role "assistant": want user or tool`},
		{"system_role", "system prompts belong in the defaults", llm.SystemText("x"), `agent: send: message role "system": want user or tool`},
		{"no_parts", "an empty message would break the conversation", llm.Message{Role: llm.RoleUser}, "agent: send: message has no parts"},
		{"nil_part", "a nil part is never sent", llm.Message{Parts: []llm.Part{llm.Text{Text: "a"}, nil}}, "agent: send: part 1 is nil"},
	}
	for _, tt := range tests {
		m := llmtest.New()
		s := agent.NewSession(m, nil)
		_, err := s.SendMessage(context.Background(), tt.msg, nil)
		if err == nil || err.Error() != tt.wantErr {
			t.Errorf("%s: SendMessage() error = %v, want %q (%s)", tt.name, err, tt.wantErr, tt.reason)
		}
		if n := len(m.Requests()); n != 0 {
			t.Errorf("%s: the model was called %d times, want 0", tt.name, n)
		}
	}
}

func TestSessionJSON(t *testing.T) {
	m := llmtest.New(llmtest.Respond(fullAnswer()))
	s := agent.NewSession(m, nil)
	if _, err := s.Send(context.Background(), llm.Document{Name: "a", Format: "pdf", Data: []byte{0, 0xff}}, llm.Text{Text: "read"}); err != nil {
		t.Fatalf("Send() error: %v", err)
	}
	if err := s.SetHistory(append(s.History(), llm.Message{Role: llm.RoleTool, Parts: []llm.Part{
		llm.ToolResult{CallID: "t1", Content: []llm.Part{llm.Text{Text: "found"}}},
	}})); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("json.Marshal(session) error: %v", err)
	}
	resumed := agent.NewSession(m, nil)
	if err := json.Unmarshal(b, resumed); err != nil {
		t.Fatalf("json.Unmarshal(%s) error: %v", b, err)
	}
	if diff := cmp.Diff(s.History(), resumed.History()); diff != "" {
		t.Errorf("history after a JSON round trip (-want +got):\n%s", diff)
	}
	if s.Hash() != resumed.Hash() {
		t.Errorf("Hash() after a JSON round trip = %s, want %s", resumed.Hash(), s.Hash())
	}

	empty, err := json.Marshal(agent.NewSession(m, nil))
	if err != nil || string(empty) != `{"messages":[]}` {
		t.Errorf("json.Marshal(new session) = %s, %v, want {\"messages\":[]}", empty, err)
	}
	for _, bad := range []string{
		`{"messages":[{"role":"system","parts":[{"type":"text","text":"x"}]}]}`,
		`{"messages":[{"role":"user","parts":[{"type":"telepathy"}]}]}`,
		`[]`,
	} {
		if err := json.Unmarshal([]byte(bad), resumed); err == nil {
			t.Errorf("json.Unmarshal(%s) error = nil, want an error", bad)
		}
	}
	if diff := cmp.Diff(s.History(), resumed.History()); diff != "" {
		t.Errorf("a failed json.Unmarshal changed the history (-want +got):\n%s", diff)
	}
}

func TestSessionLogging(t *testing.T) {
	type secretExtra struct{ AccessKey string }
	m := llmtest.New(llmtest.Text("Hi there"), llmtest.Fail(throttled))
	s := agent.NewSession(m, &llm.Request{Model: "m1", Extra: secretExtra{AccessKey: "AKIASECRETSECRET"}})

	var buf bytes.Buffer
	s.SetLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if _, err := s.Send(context.Background(), llm.Text{Text: "Hello"}); err != nil {
		t.Fatalf("Send() error: %v", err)
	}
	s.Send(context.Background(), llm.Text{Text: "again"})

	var recs []map[string]any
	for line := range strings.Lines(buf.String()) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		recs = append(recs, r)
	}
	if len(recs) != 4 {
		t.Fatalf("logged %d records, want 4 (start and end of two turns):\n%s", len(recs), buf.String())
	}
	if got := recs[0]["history"]; got != agent.HashMessages(nil) {
		t.Errorf("first record's history hash = %v, want the empty history's", got)
	}
	if got, want := recs[1]["history"], agent.HashMessages([]llm.Message{llm.UserText("Hello"), llm.AssistantText("Hi there")}); got != want {
		t.Errorf("done record's history hash = %v, want %v", got, want)
	}
	if recs[0]["input"] != "Hello" || recs[1]["output"] != "Hi there" || recs[0]["model"] != "m1" {
		t.Errorf("records lack the request summary or content: %v", recs[:2])
	}
	if !strings.Contains(fmt.Sprint(recs[3]["error"]), "ThrottlingException") {
		t.Errorf("failure record error = %v, want the provider error", recs[3]["error"])
	}
	if strings.Contains(buf.String(), "AKIASECRETSECRET") {
		t.Errorf("the log holds the request's Extra (credentials):\n%s", buf.String())
	}

	// Above debug level the session logs nothing.
	buf.Reset()
	s.SetLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	m.Add(llmtest.Text("quiet"))
	if _, err := s.Send(context.Background(), llm.Text{Text: "shh"}); err != nil {
		t.Fatalf("Send() error: %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("logged at info level: %s", buf.String())
	}
}
