package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

func call(id, name, input string) llm.ToolCall {
	return llm.ToolCall{ID: id, Name: name, Input: json.RawMessage(input)}
}

func withUsage(r llmtest.Answer, in, out int) llmtest.Answer {
	r.Response.Usage = llm.Usage{InputTokens: in, OutputTokens: out, TotalTokens: in + out}
	return r
}

func userReq(text string) *llm.Request {
	return &llm.Request{Model: "m", Messages: []llm.Message{llm.UserText(text)}}
}

// toolMessage returns the tool message of request i.
func lastMessage(t *testing.T, m *llmtest.Model, i int) llm.Message {
	t.Helper()
	reqs := m.Requests()
	if i >= len(reqs) {
		t.Fatalf("the model received %d requests, want at least %d", len(reqs), i+1)
	}
	msgs := reqs[i].Messages
	return msgs[len(msgs)-1]
}

func textResult(id, text string, isError bool) llm.ToolResult {
	return llm.ToolResult{CallID: id, Content: []llm.Part{llm.Text{Text: text}}, IsError: isError}
}

func TestRunTwoSteps(t *testing.T) {
	m := llmtest.New(
		withUsage(llmtest.ToolCalls(call("t1", "add", `{"a":2,"b":3}`)), 10, 5),
		withUsage(llmtest.Text("2 + 3 = 5"), 20, 7),
	)
	a := agent.New(m, &agent.Options{Tools: []agent.Tool{addTool(t)}})
	res, err := a.Run(context.Background(), userReq("What is 2 + 3?"))
	if err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	want := &agent.Result{
		Response: &llm.Response{Message: llm.AssistantText("2 + 3 = 5"), StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn", Usage: llm.Usage{InputTokens: 20, OutputTokens: 7, TotalTokens: 27}},
		Messages: []llm.Message{
			llm.UserText("What is 2 + 3?"),
			{Role: llm.RoleAssistant, Parts: []llm.Part{call("t1", "add", `{"a":2,"b":3}`)}},
			{Role: llm.RoleTool, Parts: []llm.Part{textResult("t1", `{"sum":5}`, false)}},
			llm.AssistantText("2 + 3 = 5"),
		},
		Steps: 2,
		Usage: llm.Usage{InputTokens: 30, OutputTokens: 12, TotalTokens: 42},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Run() (-want +got):\n%s", diff)
	}
	reqs := m.Requests()
	if diff := cmp.Diff(want.Messages[:3], reqs[1].Messages); diff != "" {
		t.Errorf("second request's messages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]llm.Tool{addTool(t).Declaration}, reqs[0].Tools); diff != "" {
		t.Errorf("first request's tools (-want +got):\n%s", diff)
	}
}

func TestRunEndTurnWithToolCalls(t *testing.T) {
	// RESP-STOP: judge the whole turn; end_turn with tool calls is tool use.
	r := llmtest.ToolCalls(call("t1", "add", `{"a":1,"b":1}`))
	r.Response.StopReason = llm.StopReasonEndTurn
	m := llmtest.New(r, llmtest.Text("2"))
	res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{addTool(t)}}).Run(context.Background(), userReq("1+1"))
	if err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	if res.Steps != 2 {
		t.Errorf("Run() steps = %d, want 2: the tool call under end_turn must run", res.Steps)
	}
	if diff := cmp.Diff(llm.Message{Role: llm.RoleTool, Parts: []llm.Part{textResult("t1", `{"sum":2}`, false)}}, lastMessage(t, m, 1)); diff != "" {
		t.Errorf("tool results sent back (-want +got):\n%s", diff)
	}
}

// chainTools returns n tools t0…t(n-1) where ti finishes only after t(i+1) has, so that
// run in parallel they finish in reverse call order; each waits for all to have started
// first, which proves they run at once. order records the finishing order.
func chainTools(n int, order *[]int, mu *sync.Mutex) []agent.Tool {
	var started sync.WaitGroup
	started.Add(n)
	done := make([]chan struct{}, n+1)
	for i := range done {
		done[i] = make(chan struct{})
	}
	close(done[n])
	tools := make([]agent.Tool, n)
	for i := range n {
		tools[i] = agent.Tool{
			Declaration: llm.Tool{Name: fmt.Sprintf("t%d", i)},
			Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
				started.Done()
				started.Wait()
				select {
				case <-done[i+1]:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				mu.Lock()
				*order = append(*order, i)
				mu.Unlock()
				close(done[i])
				return []llm.Part{llm.Text{Text: fmt.Sprintf("result %d", i)}}, nil
			},
		}
	}
	return tools
}

func TestRunParallelToolsKeepCallOrder(t *testing.T) {
	var order []int
	var mu sync.Mutex
	m := llmtest.New(
		llmtest.ToolCalls(call("c0", "t0", `{}`), call("c1", "t1", `{}`), call("c2", "t2", `{}`)),
		llmtest.Text("done"),
	)
	a := agent.New(m, &agent.Options{Tools: chainTools(3, &order, &mu)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.Run(ctx, userReq("go")); err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	if diff := cmp.Diff([]int{2, 1, 0}, order); diff != "" {
		t.Errorf("tools finished in order (-want +got):\n%s", diff)
	}
	want := llm.Message{Role: llm.RoleTool, Parts: []llm.Part{
		textResult("c0", "result 0", false),
		textResult("c1", "result 1", false),
		textResult("c2", "result 2", false),
	}}
	if diff := cmp.Diff(want, lastMessage(t, m, 1)); diff != "" {
		t.Errorf("one tool message with results in call order (-want +got):\n%s", diff)
	}
}

func TestRunParallelismLimit(t *testing.T) {
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var running, peak atomic.Int32
			var order []string
			var mu sync.Mutex
			tool := agent.Tool{
				Declaration: llm.Tool{Name: "slow"},
				Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
					n := running.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					time.Sleep(5 * time.Millisecond)
					running.Add(-1)
					mu.Lock()
					order = append(order, string(input))
					mu.Unlock()
					return []llm.Part{llm.Text{Text: "ok"}}, nil
				},
			}
			calls := make([]llm.ToolCall, 5)
			for i := range calls {
				calls[i] = call(fmt.Sprint(i), "slow", fmt.Sprintf(`{"n":%d}`, i))
			}
			m := llmtest.New(llmtest.ToolCalls(calls...), llmtest.Text("done"))
			if _, err := agent.New(m, &agent.Options{Tools: []agent.Tool{tool}, Parallelism: limit}).Run(context.Background(), userReq("go")); err != nil {
				t.Fatalf("Run() error: %v", err)
			}
			if got := peak.Load(); got > int32(limit) {
				t.Errorf("%d tools ran at once, want at most %d", got, limit)
			}
			if limit == 1 {
				want := []string{`{"n":0}`, `{"n":1}`, `{"n":2}`, `{"n":3}`, `{"n":4}`}
				if diff := cmp.Diff(want, order); diff != "" {
					t.Errorf("Parallelism 1 runs calls in the model's order (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestRunErrorResults(t *testing.T) {
	boom := agent.Tool{
		Declaration: llm.Tool{Name: "boom"},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			var m map[string]int
			return nil, fmt.Errorf("unreachable: %d", m["x"]/len(m)) // divides by zero: the tool panics
		},
	}
	failing := agent.Tool{
		Declaration: llm.Tool{Name: "failing"},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			return nil, errors.New("the station is off the air")
		},
	}
	var addRuns atomic.Int32
	countingAdd, err := agent.NewTool("add", "", func(ctx context.Context, in addInput) (int, error) {
		addRuns.Add(1)
		return in.A + in.B, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		reason  string
		call    llm.ToolCall
		deny    bool
		want    string // the error result's text, as a prefix
		addRuns int32
	}{
		{"panic", "a panicking tool becomes an error result, never a crash", call("c", "boom", `{}`), false, "tool boom failed: it panicked: runtime error: integer divide by zero", 0},
		{"unknown_tool", "an unknown tool becomes an error result naming the tools", call("c", "multiply", `{}`), false, `unknown tool "multiply"; the tools are: boom, failing, add`, 0},
		{"invalid_input", "input that does not match the schema never reaches the function", call("c", "add", `{"a":"two","b":3}`), false, "invalid input: schema: /a:", 0},
		{"non_object_input", "tool input must be a JSON object (REQ-TOOL-INPUT)", call("c", "add", `[1,2]`), false, "invalid input: input is not a JSON object", 0},
		{"tool_error", "a tool's error becomes an error result with its message", call("c", "failing", `{}`), false, "the station is off the air", 0},
		{"denied", "BeforeTool denies a call with a reason", call("c", "add", `{"a":1,"b":2}`), true, "tool call denied: not on weekends", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addRuns.Store(0)
			m := llmtest.New(llmtest.ToolCalls(tt.call), llmtest.Text("sorry"))
			opts := &agent.Options{Tools: []agent.Tool{boom, failing, countingAdd}, Logger: slog.New(slog.DiscardHandler)}
			if tt.deny {
				opts.BeforeTool = func(ctx context.Context, c llm.ToolCall) error { return errors.New("not on weekends") }
			}
			res, err := agent.New(m, opts).Run(context.Background(), userReq("go"))
			if err != nil {
				t.Fatalf("Run() error: %v (%s)", err, tt.reason)
			}
			if res.Text() != "sorry" || res.Steps != 2 {
				t.Errorf("Run() = %q after %d steps, want the loop to go on to the final answer", res.Text(), res.Steps)
			}
			msg := lastMessage(t, m, 1)
			if len(msg.Parts) != 1 {
				t.Fatalf("tool message = %v, want one result", msg)
			}
			r, ok := msg.Parts[0].(llm.ToolResult)
			if !ok || !r.IsError || r.CallID != "c" || len(r.Content) != 1 {
				t.Fatalf("tool message part = %#v, want one error result for call c", msg.Parts[0])
			}
			if text := r.Content[0].(llm.Text).Text; !strings.HasPrefix(text, tt.want) {
				t.Errorf("error result = %q, want prefix %q (%s)", text, tt.want, tt.reason)
			}
			if got := addRuns.Load(); got != tt.addRuns {
				t.Errorf("add ran %d times, want %d", got, tt.addRuns)
			}
		})
	}
}

func TestRunMaxSteps(t *testing.T) {
	m := llmtest.New()
	var n atomic.Int32
	m.SetHandler(func(ctx context.Context, r *llm.Request) llmtest.Answer {
		i := n.Add(1)
		return withUsage(llmtest.ToolCalls(call(fmt.Sprint(i), "add", `{"a":1,"b":1}`)), 1, 1)
	})
	res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{addTool(t)}, MaxSteps: 3}).Run(context.Background(), userReq("loop"))
	if !errors.Is(err, llm.ErrMaxSteps) {
		t.Fatalf("Run() error = %v, want ErrMaxSteps", err)
	}
	var re *agent.RunError
	if !errors.As(err, &re) || re.Result != res || re.Step != 3 {
		t.Fatalf("Run() error = %#v, want a *RunError at step 3 carrying the result", err)
	}
	if want := "agent: run: step 3: max steps reached: 3 model calls, and the last answer still calls tools"; err.Error() != want {
		t.Errorf("Run() error = %q, want %q", err, want)
	}
	if res.Steps != 3 || len(m.Requests()) != 3 || res.Usage.TotalTokens != 6 {
		t.Errorf("Run() made %d steps, %d model calls, %d tokens; want 3, 3, 6", res.Steps, len(m.Requests()), res.Usage.TotalTokens)
	}
	// 1 user + 3 × (answer + results): the last step's calls ran, ready to continue.
	if got := len(res.Messages); got != 7 || res.Messages[6].Role != llm.RoleTool {
		t.Errorf("Result.Messages has %d messages ending in %s, want 7 ending in tool results", got, res.Messages[len(res.Messages)-1].Role)
	}
}

func TestRunTruncated(t *testing.T) {
	var ran atomic.Int32
	tool := agent.Tool{
		Declaration: llm.Tool{Name: "write"},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			ran.Add(1)
			return nil, nil
		},
	}
	// RESP-CUT-CALL: the stream is cut by max_tokens inside the second call's input.
	cut := []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "Writing both files."},
		llm.BlockStop{Index: 0},
		llm.ToolCallStart{Index: 1, ID: "w1", Name: "write"},
		llm.ToolInputDelta{Index: 1, Fragment: `{"path":"a.txt"}`},
		llm.BlockStop{Index: 1},
		llm.ToolCallStart{Index: 2, ID: "w2", Name: "write"},
		llm.ToolInputDelta{Index: 2, Fragment: `{"path":"b.txt","body":"lorem ip`},
		llm.MessageStop{StopReason: llm.StopReasonMaxTokens, RawStopReason: "max_tokens"},
		llm.Metadata{Usage: llm.Usage{InputTokens: 5, OutputTokens: 100, TotalTokens: 105}},
	}
	complete := llmtest.ToolCalls(call("w1", "write", `{"path":"a.txt"}`))
	complete.Response.StopReason = llm.StopReasonMaxTokens

	tests := []struct {
		name   string
		reason string
		reply  llmtest.Answer
		stream bool
	}{
		{"stream_cut_in_call", "a call cut by max_tokens never runs, nor do the turn's complete calls", llmtest.Stream(cut, nil), true},
		{"generate_cut_in_call", "the same events through Generate", llmtest.Stream(cut, nil), false},
		{"complete_call_at_max_tokens", "a max_tokens turn's calls never run", complete, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran.Store(0)
			m := llmtest.New(tt.reply)
			a := agent.New(m, &agent.Options{Tools: []agent.Tool{tool}})
			var err error
			if tt.stream {
				for _, e := range a.Stream(context.Background(), userReq("write")) {
					if e != nil {
						err = e
					}
				}
			} else {
				_, err = a.Run(context.Background(), userReq("write"))
			}
			if !errors.Is(err, llm.ErrTruncated) {
				t.Fatalf("Run() error = %v, want ErrTruncated (%s)", err, tt.reason)
			}
			if got := ran.Load(); got != 0 {
				t.Errorf("the tool ran %d times, want 0 (%s)", got, tt.reason)
			}
			var re *agent.RunError
			if !errors.As(err, &re) || re.Result == nil {
				t.Fatalf("Run() error = %#v, want a *RunError carrying the partial result", err)
			}
			res := re.Result
			if res.Steps != 1 || res.Response == nil || res.Response.StopReason != llm.StopReasonMaxTokens {
				t.Errorf("partial result = %d steps, response %+v; want 1 step with the cut answer", res.Steps, res.Response)
			}
			if diff := cmp.Diff([]llm.Message{llm.UserText("write")}, res.Messages); diff != "" {
				t.Errorf("partial result's messages leave the cut turn out (-want +got):\n%s", diff)
			}
			if len(m.Requests()) != 1 {
				t.Errorf("the model was called %d times, want 1", len(m.Requests()))
			}
		})
	}
}
