package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// blockingTool runs until its context is done, reporting that it started and how it
// ended.
func blockingTool(started chan<- struct{}, ended *atomic.Value) agent.Tool {
	return agent.Tool{
		Declaration: llm.Tool{Name: "wait"},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			started <- struct{}{}
			<-ctx.Done()
			ended.Store(ctx.Err())
			return nil, ctx.Err()
		},
	}
}

func TestRunCancellation(t *testing.T) {
	t.Run("during_tools", func(t *testing.T) {
		started := make(chan struct{}, 2)
		var ended atomic.Value
		m := llmtest.New(llmtest.ToolCalls(call("a", "wait", `{}`), call("b", "wait", `{}`)), llmtest.Text("never"))
		a := agent.New(m, &agent.Options{Tools: []agent.Tool{blockingTool(started, &ended)}})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-started
			<-started
			cancel()
		}()
		res, err := a.Run(ctx, userReq("go"))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run() error = %v, want context.Canceled", err)
		}
		if got := ended.Load(); got != context.Canceled {
			t.Errorf("the running tools ended with %v, want context.Canceled (tools get the run's context)", got)
		}
		if len(m.Requests()) != 1 {
			t.Errorf("the model was called %d times after cancellation, want 1", len(m.Requests()))
		}
		// The results of the cancelled calls are recorded, so the conversation stays valid.
		last := res.Messages[len(res.Messages)-1]
		if last.Role != llm.RoleTool || len(last.Parts) != 2 {
			t.Errorf("Result.Messages ends with %v, want the two cancelled calls' error results", last)
		}
	})

	t.Run("during_model_call", func(t *testing.T) {
		m := llmtest.New(llmtest.Answer{Response: &llm.Response{Message: llm.AssistantText("late")}, Delay: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_, err := agent.New(m, nil).Run(ctx, userReq("go"))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run() error = %v, want context.DeadlineExceeded", err)
		}
	})

	t.Run("during_stream", func(t *testing.T) {
		m := llmtest.New(llmtest.Answer{Response: fullAnswer(), Interval: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var last error
		for ev, err := range agent.New(m, nil).Stream(ctx, userReq("go")) {
			if err != nil {
				last = err
				continue
			}
			if _, ok := ev.(agent.ModelEvent); ok {
				cancel()
			}
		}
		if !errors.Is(last, context.Canceled) {
			t.Errorf("Stream() ended with %v, want context.Canceled", last)
		}
	})

	t.Run("before_start", func(t *testing.T) {
		m := llmtest.New(llmtest.Text("x"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := agent.New(m, nil).Run(ctx, userReq("go")); !errors.Is(err, context.Canceled) {
			t.Errorf("Run(cancelled) error = %v, want context.Canceled", err)
		}
		if m.Remaining() != 1 {
			t.Errorf("a cancelled run called the model")
		}
	})
}

func TestRunHooks(t *testing.T) {
	var mu sync.Mutex
	var log []string
	record := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		log = append(log, fmt.Sprintf(format, args...))
	}
	m := llmtest.New(
		llmtest.ToolCalls(call("c1", "add", `{"a":1,"b":2}`)),
		llmtest.Text("3"),
	)
	a := agent.New(m, &agent.Options{
		Tools: []agent.Tool{addTool(t)},
		BeforeModel: func(ctx context.Context, step int, req *llm.Request) error {
			record("before model %d: %d messages", step, len(req.Messages))
			req.Temperature = llm.Ptr(0.0) // for this call only
			return nil
		},
		AfterModel: func(ctx context.Context, step int, resp *llm.Response) error {
			record("after model %d: %s", step, resp.StopReason)
			return nil
		},
		BeforeTool: func(ctx context.Context, c llm.ToolCall) error {
			record("before tool %s %s", c.Name, c.Input)
			return nil
		},
		AfterTool: func(ctx context.Context, c llm.ToolCall, r *llm.ToolResult) {
			record("after tool %s: %v", c.Name, r.Content)
			r.Content = []llm.Part{llm.Text{Text: "[redacted]"}}
		},
	})
	req := userReq("1+2")
	if _, err := a.Run(context.Background(), req); err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	want := []string{
		"before model 1: 1 messages",
		"after model 1: tool_use",
		`before tool add {"a":1,"b":2}`,
		`after tool add: [{{"sum":3} []}]`,
		"before model 2: 3 messages",
		"after model 2: end_turn",
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("hook calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(llm.Message{Role: llm.RoleTool, Parts: []llm.Part{textResult("c1", "[redacted]", false)}}, lastMessage(t, m, 1)); diff != "" {
		t.Errorf("AfterTool's change reaches the model (-want +got):\n%s", diff)
	}
	if r := m.Requests()[0]; r.Temperature == nil || *r.Temperature != 0 {
		t.Errorf("BeforeModel's change did not reach the model: temperature %v", r.Temperature)
	}
	if req.Temperature != nil {
		t.Errorf("BeforeModel changed the caller's request")
	}
}

func TestRunHookErrors(t *testing.T) {
	stop := errors.New("budget exhausted")
	tests := []struct {
		name   string
		opts   agent.Options
		calls  int // model calls made
		prefix string
	}{
		{"before_model", agent.Options{BeforeModel: func(ctx context.Context, step int, req *llm.Request) error { return stop }}, 0, "agent: run: step 1: before model hook: budget exhausted"},
		{"after_model", agent.Options{AfterModel: func(ctx context.Context, step int, resp *llm.Response) error { return stop }}, 1, "agent: run: step 1: after model hook: budget exhausted"},
	}
	for _, tt := range tests {
		m := llmtest.New(llmtest.Text("x"))
		_, err := agent.New(m, &tt.opts).Run(context.Background(), userReq("go"))
		if !errors.Is(err, stop) || err.Error() != tt.prefix {
			t.Errorf("%s: Run() error = %v, want %q", tt.name, err, tt.prefix)
		}
		if got := len(m.Requests()); got != tt.calls {
			t.Errorf("%s: %d model calls, want %d", tt.name, got, tt.calls)
		}
	}
}

func TestRunModelError(t *testing.T) {
	m := llmtest.New(llmtest.ToolCalls(call("c1", "add", `{"a":1,"b":2}`)), llmtest.Fail(throttled))
	res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{addTool(t)}}).Run(context.Background(), userReq("go"))
	if !errors.Is(err, llm.ErrRateLimited) {
		t.Fatalf("Run() error = %v, want ErrRateLimited", err)
	}
	var pe *llm.ProviderError
	if !errors.As(err, &pe) || pe.Code != "ThrottlingException" {
		t.Errorf("Run() error = %v, want the *llm.ProviderError reachable", err)
	}
	if res == nil || res.Steps != 1 || len(res.Messages) != 3 {
		t.Errorf("Run() partial result = %+v, want step 1 with its tool results", res)
	}
}

func TestAgentConfigErrors(t *testing.T) {
	add := addTool(t)
	tests := []struct {
		name    string
		opts    *agent.Options
		req     *llm.Request
		wantErr string
	}{
		{"duplicate", &agent.Options{Tools: []agent.Tool{add, add}}, userReq("x"), `agent: tools[1]: duplicate tool name "add"`},
		{"bad_name", &agent.Options{Tools: []agent.Tool{{Declaration: llm.Tool{Name: "a b"}, Run: add.Run}}}, userReq("x"), `agent: tools[0]: tool name "a b"`},
		{"no_run", &agent.Options{Tools: []agent.Tool{{Declaration: llm.Tool{Name: "x"}}}}, userReq("x"), "agent: tools[0] x: no Run function"},
		{"request_declares_agent_tool", &agent.Options{Tools: []agent.Tool{add}}, &llm.Request{Tools: []llm.Tool{{Name: "add"}}}, `agent: run: request tools[0]: "add" is also an agent tool`},
		{"nil_request", nil, nil, "agent: run: nil request"},
	}
	for _, tt := range tests {
		m := llmtest.New(llmtest.Text("x"))
		a := agent.New(m, tt.opts)
		_, err := a.Run(context.Background(), tt.req)
		if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
			t.Errorf("%s: Run() error = %v, want prefix %q", tt.name, err, tt.wantErr)
		}
		var streamErr error
		for _, err := range a.Stream(context.Background(), tt.req) {
			streamErr = err
		}
		if streamErr == nil || !strings.HasPrefix(streamErr.Error(), tt.wantErr) {
			t.Errorf("%s: Stream() error = %v, want prefix %q", tt.name, streamErr, tt.wantErr)
		}
		if len(m.Requests()) != 0 {
			t.Errorf("%s: the model was called", tt.name)
		}
	}
}

// describe renders an agent event compactly for comparison.
func describe(ev agent.Event) string {
	switch e := ev.(type) {
	case agent.ModelEvent:
		switch me := e.Event.(type) {
		case llm.TextDelta:
			return fmt.Sprintf("%d text %q", e.Step, me.Text)
		case llm.ToolCallStart:
			return fmt.Sprintf("%d call start %s %s", e.Step, me.ID, me.Name)
		default:
			return fmt.Sprintf("%d %T", e.Step, me)
		}
	case agent.ToolStarted:
		return fmt.Sprintf("%d tool started %s", e.Step, e.Call.ID)
	case agent.ToolFinished:
		return fmt.Sprintf("%d tool finished %s %v", e.Step, e.Call.ID, e.Result.Content)
	case agent.StepDone:
		ids := make([]string, len(e.Results))
		for i, r := range e.Results {
			ids[i] = r.CallID
		}
		return fmt.Sprintf("%d step done %s %v", e.Step, e.Response.StopReason, ids)
	case agent.Done:
		return fmt.Sprintf("done %d steps %q", e.Result.Steps, e.Result.Text())
	}
	return fmt.Sprintf("unknown %T", ev)
}

func TestStream(t *testing.T) {
	// Tool i finishes only once the consumer has seen tool i+1's result: the results
	// must be yielded while the other tools still run, in the order they finish.
	seen := make([]chan struct{}, 4)
	for i := range seen {
		seen[i] = make(chan struct{})
	}
	close(seen[3])
	tools := make([]agent.Tool, 3)
	for i := range tools {
		tools[i] = agent.Tool{
			Declaration: llm.Tool{Name: fmt.Sprintf("t%d", i)},
			Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
				select {
				case <-seen[i+1]:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return []llm.Part{llm.Text{Text: fmt.Sprintf("result %d", i)}}, nil
			},
		}
	}
	first := llmtest.ToolCalls(call("c0", "t0", `{}`), call("c1", "t1", `{}`), call("c2", "t2", `{}`))
	first.Response.Message.Parts = append([]llm.Part{llm.Text{Text: "Running."}}, first.Response.Message.Parts...)
	m := llmtest.New(first, llmtest.Text("All done."))
	a := agent.New(m, &agent.Options{Tools: tools})

	var got []string
	for ev, err := range a.Stream(context.Background(), userReq("go")) {
		if err != nil {
			t.Fatalf("Stream() error: %v", err)
		}
		if f, ok := ev.(agent.ToolFinished); ok {
			close(seen[f.Call.ID[1]-'0'])
		}
		d := describe(ev)
		if strings.HasPrefix(d, "1 tool started") {
			continue // the three starts come in any order
		}
		got = append(got, d)
	}
	want := []string{
		"1 llm.MessageStart",
		`1 text "Running."`,
		"1 llm.BlockStop",
		"1 call start c0 t0",
		"1 llm.ToolInputDelta",
		"1 llm.BlockStop",
		"1 call start c1 t1",
		"1 llm.ToolInputDelta",
		"1 llm.BlockStop",
		"1 call start c2 t2",
		"1 llm.ToolInputDelta",
		"1 llm.BlockStop",
		"1 llm.MessageStop",
		"1 llm.Metadata",
		// Results as they happen: the parallel tools finish in reverse order…
		"1 tool finished c2 [{result 2 []}]",
		"1 tool finished c1 [{result 1 []}]",
		"1 tool finished c0 [{result 0 []}]",
		// …and are written back in call order.
		"1 step done tool_use [c0 c1 c2]",
		"2 llm.MessageStart",
		`2 text "All done."`,
		"2 llm.BlockStop",
		"2 llm.MessageStop",
		"2 llm.Metadata",
		"2 step done end_turn []",
		`done 2 steps "All done."`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stream() events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(llm.Message{Role: llm.RoleTool, Parts: []llm.Part{
		textResult("c0", "result 0", false), textResult("c1", "result 1", false), textResult("c2", "result 2", false),
	}}, lastMessage(t, m, 1)); diff != "" {
		t.Errorf("results sent back (-want +got):\n%s", diff)
	}
}

func TestStreamBreak(t *testing.T) {
	t.Run("during_tools", func(t *testing.T) {
		started := make(chan struct{}, 2)
		var ended atomic.Value
		m := llmtest.New(llmtest.ToolCalls(call("a", "wait", `{}`), call("b", "wait", `{}`)), llmtest.Text("never"))
		a := agent.New(m, &agent.Options{Tools: []agent.Tool{blockingTool(started, &ended)}})
		for ev, err := range a.Stream(context.Background(), userReq("go")) {
			if err != nil {
				t.Fatalf("Stream() error: %v", err)
			}
			if _, ok := ev.(agent.ToolStarted); ok {
				break // the other tool may still be starting; both must end
			}
		}
		if got := ended.Load(); got != context.Canceled {
			t.Errorf("after a break the running tools ended with %v, want context.Canceled", got)
		}
		if len(m.Requests()) != 1 {
			t.Errorf("the model was called %d times, want 1", len(m.Requests()))
		}
	})

	t.Run("during_model_stream", func(t *testing.T) {
		m := llmtest.New(llmtest.Respond(fullAnswer()))
		n := 0
		for _, err := range agent.New(m, nil).Stream(context.Background(), userReq("go")) {
			if err != nil {
				t.Fatalf("Stream() error: %v", err)
			}
			n++
			if n == 2 {
				break
			}
		}
		if n != 2 {
			t.Errorf("Stream() yielded %d events before the break, want 2", n)
		}
	})

	t.Run("at_done", func(t *testing.T) {
		m := llmtest.New(llmtest.Text("hi"))
		var last agent.Event
		for ev, err := range agent.New(m, nil).Stream(context.Background(), userReq("go")) {
			if err != nil {
				t.Fatalf("Stream() error: %v", err)
			}
			last = ev
		}
		if d, ok := last.(agent.Done); !ok || d.Result.Text() != "hi" {
			t.Errorf("last event = %#v, want Done with the answer", last)
		}
	})
}

func TestStreamModelError(t *testing.T) {
	m := llmtest.New(llmtest.Answer{Response: fullAnswer(), Err: midStream})
	var events int
	var last error
	for _, err := range agent.New(m, nil).Stream(context.Background(), userReq("go")) {
		if err != nil {
			last = err
			continue
		}
		events++
	}
	var re *agent.RunError
	if !errors.As(last, &re) || !errors.Is(last, midStream) || re.Result.Steps != 0 {
		t.Errorf("Stream() ended with %v, want a *RunError at step 1 wrapping the mid-stream error", last)
	}
	if events == 0 {
		t.Errorf("Stream() yielded no events before the error")
	}
}

func TestRunForcedToolChoiceFirstStepOnly(t *testing.T) {
	m := llmtest.New(llmtest.ToolCalls(call("c1", "add", `{"a":1,"b":2}`)), llmtest.Text("3"))
	req := userReq("1+2")
	req.ToolChoice = llm.UseTool("add")
	if _, err := agent.New(m, &agent.Options{Tools: []agent.Tool{addTool(t)}}).Run(context.Background(), req); err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	reqs := m.Requests()
	got := []llm.ToolChoice{reqs[0].ToolChoice, reqs[1].ToolChoice}
	want := []llm.ToolChoice{llm.UseTool("add"), {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tool choice per step: forced on the first call only, or the loop never ends (-want +got):\n%s", diff)
	}
}
