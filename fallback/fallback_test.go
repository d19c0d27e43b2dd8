package fallback

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var answer = &llm.Response{Message: llm.AssistantText("from the backup"), StopReason: llm.StopReasonEndTurn,
	Usage: llm.Usage{InputTokens: 5, OutputTokens: 3, TotalTokens: 8}}

func perr(cat error) error {
	return &llm.ProviderError{Provider: "test", Op: "converse", Code: "Scripted", Category: cat}
}

// matrix lists each error category and whether a call that fails with it moves on.
var matrix = []struct {
	name     string
	err      error
	fallback bool
}{
	{"rate limited", perr(llm.ErrRateLimited), true},
	{"server", perr(llm.ErrServer), true},
	{"model timeout", perr(llm.ErrTimeout), true},
	{"model not ready", perr(llm.ErrModelNotReady), true},
	{"stream broken", &llm.StreamError{Reason: "truncated"}, true},
	{"invalid request", &llm.InvalidRequestError{Message: 0, Part: 1, Reason: "bad"}, false},
	{"auth", perr(llm.ErrAuth), false},
	{"not found", perr(llm.ErrNotFound), false},
	{"context too long", perr(llm.ErrContextTooLong), false},
	{"content filtered", perr(llm.ErrContentFiltered), false},
	{"cancelled", fmt.Errorf("test: %w", context.Canceled), false},
	{"uncategorised", errors.New("something odd"), false},
}

// mode is how the first candidate fails.
type mode struct {
	name   string
	stream bool
	reply  func(err error) llmtest.Answer
	// delivered: the failure comes after the first event reached the caller.
	delivered bool
}

func modes() []mode {
	evs, _ := llm.ResponseEvents(&llm.Response{Message: llm.AssistantText("partial")})
	return []mode{
		{name: "Generate", reply: llmtest.Fail},
		{name: "Stream/open", stream: true, reply: llmtest.Fail},
		{name: "Stream/before-first-event", stream: true, reply: func(err error) llmtest.Answer {
			return llmtest.Stream([]llm.Event{}, err)
		}},
		{name: "Stream/after-first-event", stream: true, delivered: true, reply: func(err error) llmtest.Answer {
			return llmtest.Stream(evs[:2], err)
		}},
	}
}

func call(ctx context.Context, m llm.Model, stream bool) (*llm.Response, int, error) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{llm.UserText("hi")}}
	if !stream {
		resp, err := m.Generate(ctx, req)
		return resp, 0, err
	}
	s, err := m.Stream(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	for _, err := range s.Events() {
		if err != nil {
			break
		}
		n++
	}
	resp, err := s.Response()
	return resp, n, err
}

func TestMatrix(t *testing.T) {
	for _, md := range modes() {
		for _, tc := range matrix {
			t.Run(md.name+"/"+tc.name, func(t *testing.T) {
				first := llmtest.New(md.reply(tc.err))
				second := llmtest.New(llmtest.Respond(answer))
				m, err := New([]Candidate{{Name: "first", Model: first}, {Name: "second", Model: second, ModelID: "m2"}}, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, _, err := call(context.Background(), m, md.stream)
				wantFallback := tc.fallback && !md.delivered
				if !wantFallback {
					if err == nil {
						t.Fatalf("no error; answered by %q", resp.Model)
					}
					if !errors.Is(err, tc.err) {
						t.Errorf("err = %v, does not wrap the candidate's error", err)
					}
					if n := len(second.Requests()); n != 0 {
						t.Errorf("second candidate called %d times", n)
					}
					return
				}
				if err != nil {
					t.Fatalf("err = %v, want the second candidate's answer", err)
				}
				if resp.Model != "second" || resp.Text() != "from the backup" {
					t.Errorf("answer %q from %q", resp.Text(), resp.Model)
				}
				reqs := second.Requests()
				if len(reqs) != 1 || reqs[0].Model != "m2" {
					t.Errorf("second candidate's requests: %+v", reqs)
				}
			})
		}
	}
}

func TestStreamResponseEqualsGenerate(t *testing.T) {
	mk := func() *Model {
		m, err := New([]Candidate{
			{Name: "a", Model: llmtest.New(llmtest.Fail(perr(llm.ErrServer)))},
			{Name: "b", Model: llmtest.New(llmtest.Respond(answer))},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	gen, _, err := call(context.Background(), mk(), false)
	if err != nil {
		t.Fatal(err)
	}
	str, n, err := call(context.Background(), mk(), true)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || gen.Text() != str.Text() || gen.Usage != str.Usage || gen.Model != str.Model || gen.StopReason != str.StopReason {
		t.Errorf("generate %+v\nstream %+v (%d events)", gen, str, n)
	}
}

func TestAllFailKeepsCategoryAndNamesAttempts(t *testing.T) {
	m, err := New([]Candidate{
		{Name: "us", Model: llmtest.New(llmtest.Fail(perr(llm.ErrRateLimited)), llmtest.Fail(perr(llm.ErrRateLimited)))},
		{Name: "eu", Model: llmtest.New(llmtest.Fail(perr(llm.ErrServer)), llmtest.Fail(perr(llm.ErrServer)))},
	}, &Options{Rounds: 2, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var fallbacks []string
	m.opts.OnFallback = func(_ context.Context, c Candidate, err error, _ time.Duration) {
		fallbacks = append(fallbacks, c.Name)
	}
	_, err = m.Generate(context.Background(), &llm.Request{Model: "m"})
	var fe *Error
	if !errors.As(err, &fe) || len(fe.Attempts) != 4 {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, llm.ErrServer) {
		t.Errorf("err does not unwrap to the last attempt's category: %v", err)
	}
	for _, want := range []string{"us (round 1)", "eu (round 1)", "us (round 2)", "eu (round 2)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if got := strings.Join(fallbacks, ","); got != "us,eu,us" {
		t.Errorf("OnFallback for %s, want us,eu,us", got)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	limited := &llm.ProviderError{Provider: "test", Category: llm.ErrRateLimited, RetryAfter: 20 * time.Millisecond}
	only := llmtest.New(llmtest.Fail(limited), llmtest.Respond(answer))
	m, err := New([]Candidate{{Name: "only", Model: only}}, &Options{Rounds: 2, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var wait time.Duration
	m.opts.OnFallback = func(_ context.Context, _ Candidate, _ error, w time.Duration) { wait = w }
	start := time.Now()
	resp, err := m.Generate(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	// The order of events, not a speed: the second call came after the Retry-After.
	if elapsed := time.Since(start); elapsed < limited.RetryAfter {
		t.Errorf("second call after %v, before the Retry-After of %v", elapsed, limited.RetryAfter)
	}
	if wait <= 0 || wait > limited.RetryAfter {
		t.Errorf("OnFallback wait = %v", wait)
	}
	if resp.Model != "only" {
		t.Errorf("Model = %q", resp.Model)
	}
}

func TestRetryAfterBeyondMaxDelaySkips(t *testing.T) {
	limited := &llm.ProviderError{Provider: "test", Category: llm.ErrRateLimited, RetryAfter: time.Hour}
	a := llmtest.New(llmtest.Fail(limited))
	b := llmtest.New(llmtest.Fail(perr(llm.ErrServer)), llmtest.Respond(answer))
	m, err := New([]Candidate{{Name: "a", Model: a}, {Name: "b", Model: b}}, &Options{Rounds: 2, BaseDelay: time.Millisecond, MaxDelay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := m.Generate(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Model != "b" || len(a.Requests()) != 1 {
		t.Errorf("answered by %q; a called %d times", resp.Model, len(a.Requests()))
	}
}

// TestCancelRacesPendingRetry cancels the context while a retry waits, at every point
// of the wait, and checks that the call ends with the context's error, never with
// another attempt, and leaves no goroutine behind (TestMain).
func TestCancelRacesPendingRetry(t *testing.T) {
	for _, stream := range []bool{false, true} {
		for i := range 50 {
			limited := &llm.ProviderError{Provider: "test", Category: llm.ErrRateLimited, RetryAfter: time.Duration(i%5) * time.Millisecond}
			var calls atomic.Int32
			model := llmtest.New()
			model.SetHandler(func(ctx context.Context, req *llm.Request) llmtest.Answer {
				if calls.Add(1) == 1 {
					return llmtest.Fail(limited)
				}
				return llmtest.Respond(answer)
			})
			m, err := New([]Candidate{{Name: "only", Model: model}}, &Options{Rounds: 2, BaseDelay: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			m.opts.OnFallback = func(context.Context, Candidate, error, time.Duration) {
				if i%2 == 0 {
					cancel()
				} else {
					go cancel() // races the timer
				}
			}
			resp, _, err := call(ctx, m, stream)
			cancel()
			switch {
			case err == nil && i%2 == 0:
				t.Fatalf("stream=%v run %d: answered by %q after a cancel before the wait", stream, i, resp.Model)
			case err != nil && !errors.Is(err, context.Canceled):
				t.Fatalf("stream=%v run %d: err = %v, want context.Canceled", stream, i, err)
			case err != nil && calls.Load() != 1:
				t.Fatalf("stream=%v run %d: cancelled, yet %d calls", stream, i, calls.Load())
			}
		}
	}
}

func TestStreamCloseDuringWait(t *testing.T) {
	limited := &llm.ProviderError{Provider: "test", Category: llm.ErrRateLimited, RetryAfter: time.Second}
	model := llmtest.New(llmtest.Stream([]llm.Event{}, limited), llmtest.Respond(answer))
	m, err := New([]Candidate{{Name: "only", Model: model}}, &Options{Rounds: 2, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var s *llm.Stream
	m.opts.OnFallback = func(context.Context, Candidate, error, time.Duration) { go s.Close() }
	s, err = m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
		t.Errorf("err = %v, want ErrStream", err)
	}
	if n := len(model.Requests()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(nil, nil); err == nil {
		t.Error("empty list accepted")
	}
	if _, err := New([]Candidate{{Name: "x"}}, nil); err == nil || !strings.Contains(err.Error(), `candidates[0] "x"`) {
		t.Errorf("nil model: %v", err)
	}
	bad := Middleware([]Candidate{{}}, nil)(llmtest.New())
	if _, err := bad.Generate(context.Background(), &llm.Request{}); err == nil {
		t.Error("middleware with a bad candidate answered")
	}
}
