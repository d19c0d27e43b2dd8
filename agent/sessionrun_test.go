package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// countingAdd returns an add tool that records its calls in calls.
func countingAdd(t *testing.T, calls *[]addInput) agent.Tool {
	t.Helper()
	tool, err := agent.NewTool("add", "Add two integers", func(_ context.Context, in addInput) (int, error) {
		*calls = append(*calls, in)
		return in.A + in.B, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tool
}

// TestSessionRunWithTools runs a chat whose turns call tools through the Bedrock
// provider and the simulator: two turns with tool calls (the first streamed, the
// second not), the session saved and loaded between them, then a third streamed turn
// whose second model call breaks mid-stream after a tool ran. The history after the
// third turn must be exactly the one after the second.
func TestSessionRunWithTools(t *testing.T) {
	ctx := context.Background()
	m, srv := newBedrock(t)
	const id = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	call := func(id string, a, b int) llm.ToolCall {
		in, _ := json.Marshal(addInput{a, b})
		return llm.ToolCall{ID: id, Name: "add", Input: in}
	}
	answer := func(parts ...llm.Part) bedrocktest.ServerReply {
		return bedrocktest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: parts}, StopReason: llm.StopReasonToolUse})
	}
	srv.Enqueue(
		// Turn 1: two calls in parallel, then the answer.
		answer(llm.Text{Text: "Adding."}, call("c1", 2, 3), call("c2", 10, 20)),
		bedrocktest.Text("5 and 30."),
		// Turn 2: one call, then the answer.
		answer(call("c3", 5, 30)),
		bedrocktest.Text("35."),
		// Turn 3: one call; the answer breaks mid-stream.
		answer(call("c4", 1, 1)),
		bedrocktest.Text("The sum is two, as").ExceptionAfter(2, bedrocktest.ModelStreamErrorException, "the model stopped"),
	)
	var calls []addInput
	a := agent.New(m, &agent.Options{Tools: []agent.Tool{countingAdd(t, &calls)}, Parallelism: 1})
	sess := agent.NewSession(m, &llm.Request{Model: id, Messages: []llm.Message{llm.SystemText("Use the add tool.")}})

	// Turn 1, streamed.
	done, text := runStreamed(t, sess, a, "2+3 and 10+20?")
	if done == nil || done.Text() != "5 and 30." || text != "Adding.5 and 30." {
		t.Fatalf("turn 1: result %v, streamed text %q", done, text)
	}
	if got := len(sess.History()); got != 4 {
		t.Fatalf("turn 1: history has %d messages, want 4 (user, calls, results, answer):\n%v", got, sess.History())
	}

	// Save and load into a new session.
	saved, err := json.Marshal(sess)
	if err != nil {
		t.Fatal(err)
	}
	sess = agent.NewSession(m, &llm.Request{Model: id, Messages: []llm.Message{llm.SystemText("Use the add tool.")}})
	if err := json.Unmarshal(saved, sess); err != nil {
		t.Fatalf("loading the saved session: %v", err)
	}

	// Turn 2, not streamed.
	res, err := sess.Run(ctx, a, llm.Text{Text: "And 5+30?"})
	if err != nil || res.Text() != "35." || res.Steps != 2 {
		t.Fatalf("turn 2: %v, %v", res, err)
	}
	after2 := sess.History()
	hash := sess.Hash()
	want := []llm.Role{llm.RoleUser, llm.RoleAssistant, llm.RoleTool, llm.RoleAssistant, llm.RoleUser, llm.RoleAssistant, llm.RoleTool, llm.RoleAssistant}
	if got := roles(after2); !cmp.Equal(got, want) {
		t.Fatalf("roles after turn 2 = %v, want %v", got, want)
	}
	if tr := after2[6].Parts[0].(llm.ToolResult); tr.CallID != "c3" || tr.Content[0].(llm.Text).Text != "35" {
		t.Errorf("turn 2's tool result = %+v, want 35 for c3", tr)
	}
	// The second turn's requests carried the loaded history.
	reqs := srv.Requests()
	if got := len(reqs); got != 4 {
		t.Fatalf("%d requests after turn 2, want 4", got)
	}
	if !strings.Contains(string(reqs[2].Body), `"5 and 30."`) {
		t.Errorf("turn 2's first request lacks the loaded history: %s", reqs[2].Body)
	}

	// Turn 3 breaks in its second model call, after its tool ran.
	var runErr error
	for _, err := range sess.RunStream(ctx, a, llm.Text{Text: "1+1?"}) {
		if err != nil {
			runErr = err
		}
	}
	var re *agent.RunError
	if !errors.As(runErr, &re) || re.Step != 2 || !strings.Contains(runErr.Error(), "the model stopped") {
		t.Errorf("turn 3 error = %v, want a RunError at step 2 for the broken stream", runErr)
	}
	if len(calls) != 4 || calls[3] != (addInput{1, 1}) {
		t.Errorf("tool calls = %v, want turn 3's 1+1 to have run", calls)
	}
	if diff := cmp.Diff(after2, sess.History()); diff != "" {
		t.Errorf("history after the failed turn 3 (-after turn 2 +got):\n%s", diff)
	}
	if sess.Hash() != hash {
		t.Errorf("hash changed by the failed turn")
	}
	if srv.Pending() != 0 {
		t.Errorf("%d replies not used", srv.Pending())
	}
}

// runStreamed runs a streamed turn of the tool loop and returns its result and the
// text streamed.
func runStreamed(t *testing.T, sess *agent.Session, a *agent.Agent, msg string) (*agent.Result, string) {
	t.Helper()
	var text strings.Builder
	var done *agent.Result
	for ev, err := range sess.RunStream(context.Background(), a, llm.Text{Text: msg}) {
		if err != nil {
			t.Fatalf("turn %q: %v", msg, err)
		}
		switch ev := ev.(type) {
		case agent.ModelEvent:
			if d, ok := ev.Event.(llm.TextDelta); ok {
				text.WriteString(d.Text)
			}
		case agent.Done:
			done = ev.Result
		}
	}
	return done, text.String()
}

func roles(msgs []llm.Message) []llm.Role {
	out := make([]llm.Role, len(msgs))
	for i, m := range msgs {
		out[i] = m.Role
	}
	return out
}

// TestSessionRunFailures checks that a turn of the tool loop that fails in any way
// leaves the history unchanged, and that a range stopped before Done adds nothing.
func TestSessionRunFailures(t *testing.T) {
	ctx := context.Background()
	before := []llm.Message{llm.UserText("hi"), llm.AssistantText("hello")}
	loopCall := llmtest.ToolCalls(llm.ToolCall{ID: "x", Name: "add", Input: json.RawMessage(`{"a":1,"b":2}`)})
	tests := []struct {
		name    string
		replies []llmtest.Answer
		opts    agent.Options
		stream  bool
		stop    bool // stop the range at the first tool result
		wantErr error
	}{
		{"max steps", []llmtest.Answer{loopCall}, agent.Options{MaxSteps: 1}, false, false, llm.ErrMaxSteps},
		{"max steps, streamed", []llmtest.Answer{loopCall}, agent.Options{MaxSteps: 1}, true, false, llm.ErrMaxSteps},
		{"model error after a tool", []llmtest.Answer{loopCall, llmtest.Fail(llm.ErrServer)}, agent.Options{}, false, false, llm.ErrServer},
		{"range stopped", []llmtest.Answer{loopCall, llmtest.Text("3")}, agent.Options{}, true, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []addInput
			tt.opts.Tools = []agent.Tool{countingAdd(t, &calls)}
			m := llmtest.New(tt.replies...)
			a := agent.New(m, &tt.opts)
			s := agent.NewSession(m, nil)
			if err := s.SetHistory(before); err != nil {
				t.Fatal(err)
			}
			var err error
			if tt.stream {
				for ev, e := range s.RunStream(ctx, a, llm.Text{Text: "1+2?"}) {
					if e != nil {
						err = e
					}
					if _, ok := ev.(agent.ToolFinished); ok && tt.stop {
						break
					}
				}
			} else {
				_, err = s.Run(ctx, a, llm.Text{Text: "1+2?"})
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(before, s.History()); diff != "" {
				t.Errorf("history changed (-want +got):\n%s", diff)
			}
			// The session is usable afterwards: the next turn runs.
			m.Add(llmtest.Text("ok"))
			if _, err := s.Send(ctx, llm.Text{Text: "again"}); err != nil {
				t.Errorf("next turn: %v", err)
			}
		})
	}
}

// TestSessionHistoryValidation checks that SetHistory and UnmarshalJSON refuse what is
// not a history, with an error saying why, and leave the session as it was.
func TestSessionHistoryValidation(t *testing.T) {
	good := []llm.Message{llm.UserText("hi"), llm.AssistantText("hello")}
	call := llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "t1", Name: "f", Input: json.RawMessage(`{}`)}}}
	result := func(id string) llm.Message {
		return llm.Message{Role: llm.RoleTool, Parts: []llm.Part{llm.ToolResult{CallID: id, Content: []llm.Part{llm.Text{Text: "r"}}}}}
	}
	histories := []struct {
		name string
		msgs []llm.Message
		want string
	}{
		{"assistant first", []llm.Message{llm.AssistantText("hello"), llm.UserText("hi")}, "message 0: role assistant: a history starts with a user message"},
		{"system message", []llm.Message{llm.UserText("hi"), llm.SystemText("be brief")}, "message 1: role system"},
		{"unknown role", []llm.Message{{Role: "robot", Parts: []llm.Part{llm.Text{Text: "x"}}}}, `message 0: role "robot"`},
		{"no parts", []llm.Message{llm.UserText("hi"), {Role: llm.RoleAssistant}}, "message 1 (assistant): no parts"},
		{"nil part", []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{nil}}}, "message 0 (user): part 0 is nil"},
		{"results without calls", []llm.Message{llm.UserText("hi"), llm.AssistantText("x"), result("t1")}, "message 2 (tool): tool results without"},
		{"result of another call", []llm.Message{llm.UserText("hi"), call, result("t9")}, `message 2 (tool): part 0 answers call "t9"`},
	}
	for _, tt := range histories {
		t.Run("SetHistory "+tt.name, func(t *testing.T) {
			s := agent.NewSession(llmtest.New(), nil)
			if err := s.SetHistory(good); err != nil {
				t.Fatal(err)
			}
			err := s.SetHistory(tt.msgs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SetHistory() error = %v, want one containing %q", err, tt.want)
			}
			if diff := cmp.Diff(good, s.History()); diff != "" {
				t.Errorf("history changed by a refused SetHistory (-want +got):\n%s", diff)
			}
		})
	}
	if err := agent.NewSession(llmtest.New(), nil).SetHistory([]llm.Message{llm.UserText("q"), call, result("t1"), llm.AssistantText("a")}); err != nil {
		t.Errorf("SetHistory(a tool round trip) error = %v", err)
	}

	docs := []struct {
		name, data, want string
	}{
		{"null", `null`, "want a JSON object"},
		{"array", `[]`, "want a JSON object"},
		{"empty object", `{}`, `no "messages" member`},
		{"null messages", `{"messages":null}`, `"messages" is null`},
		{"a JSON Schema", `{"type":"object","properties":{"city":{"type":"string"}}}`, `no "messages" member (the object has ["properties" "type"])`},
		{"extra member", `{"messages":[],"model":"x"}`, `unknown member "model"`},
		{"assistant first", `{"messages":[{"role":"assistant","content":[{"text":"hi"}]}]}`, "a history starts with a user message"},
		{"not JSON", `{"messages":[`, "unexpected end of JSON input"},
	}
	for _, tt := range docs {
		t.Run("UnmarshalJSON "+tt.name, func(t *testing.T) {
			s := agent.NewSession(llmtest.New(), nil)
			if err := s.SetHistory(good); err != nil {
				t.Fatal(err)
			}
			err := json.Unmarshal([]byte(tt.data), s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Unmarshal(%s) error = %v, want one containing %q", tt.data, err, tt.want)
			}
			if diff := cmp.Diff(good, s.History()); diff != "" {
				t.Errorf("history changed by a refused load (-want +got):\n%s", diff)
			}
		})
	}
	s := agent.NewSession(llmtest.New(), nil)
	if err := s.SetHistory(good); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"messages":[]}`), s); err != nil || len(s.History()) != 0 {
		t.Errorf(`Unmarshal({"messages":[]}) = %v, history %v; want an empty conversation`, err, s.History())
	}
}
