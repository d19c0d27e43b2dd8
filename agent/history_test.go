package agent_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

const haiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0"

// requireSendable checks the history invariant: whatever entered a Session's history or
// an agent's Result.Messages can be sent again to the same provider. It sends history,
// plus a user turn, through m to the simulator behind srv.
func requireSendable(t *testing.T, m *bedrock.Model, srv *bedrocktest.Server, history []llm.Message) {
	t.Helper()
	msgs := append(llm.CloneMessages(history), llm.UserText("and again"))
	srv.Enqueue(bedrocktest.Text("again"))
	if _, err := m.Generate(context.Background(), &llm.Request{Model: haiku, MaxTokens: 64, Messages: msgs}); err != nil {
		t.Fatalf("the history cannot be sent again: %v\nhistory: %s", err, mustJSON(history))
	}
}

// requireFormattable is the history invariant without a server: FormatRequest accepts
// the history plus a user turn.
func requireFormattable(t *testing.T, history []llm.Message) {
	t.Helper()
	msgs := append(llm.CloneMessages(history), llm.UserText("and again"))
	if _, _, err := bedrock.FormatRequest(&llm.Request{Model: haiku, Messages: msgs}); err != nil {
		t.Fatalf("the history cannot be sent again: %v\nhistory: %s", err, mustJSON(history))
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func emptyAnswer(parts ...llm.Part) *llm.Response {
	return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: parts}, StopReason: llm.StopReasonEndTurn}
}

// Issue 13, point 1: an end_turn answer with no content, or only white space, enters the
// history without making it unsendable, in a Session (Send and Stream) and in an agent's
// Result.Messages (the empty answer right after tool results, as Claude gives it).
func TestIssue13EmptyAnswerKeepsHistorySendable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer *llm.Response
	}{
		{"no_content", emptyAnswer()},
		{"whitespace", emptyAnswer(llm.Text{Text: " \n\t"})},
	} {
		t.Run("session/"+tc.name, func(t *testing.T) {
			m, srv := newBedrock(t)
			s := agent.NewSession(m, &llm.Request{Model: haiku, MaxTokens: 64})
			srv.Enqueue(bedrocktest.Respond(tc.answer))
			if _, err := s.Send(context.Background(), llm.Text{Text: "hi"}); err != nil {
				t.Fatal(err)
			}
			st := func() error {
				srv.Enqueue(bedrocktest.Respond(tc.answer))
				stream, err := s.Stream(context.Background(), llm.Text{Text: "hi again"})
				if err != nil {
					return err
				}
				_, err = stream.Response()
				return err
			}
			if err := st(); err != nil {
				t.Fatal(err)
			}
			srv.Enqueue(bedrocktest.Text("fine"))
			resp, err := s.Send(context.Background(), llm.Text{Text: "still there?"})
			if err != nil {
				t.Fatalf("the turn after an empty answer failed: %v", err)
			}
			if !llm.HasWarning(resp.Warnings, llm.WarningDropped) {
				t.Errorf("leaving the empty answer out gave no warning: %v", resp.Warnings)
			}
			requireSendable(t, m, srv, s.History())
		})
		t.Run("agent/"+tc.name, func(t *testing.T) {
			m, srv := newBedrock(t)
			srv.Enqueue(
				bedrocktest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
					llm.ToolCall{ID: "c1", Name: "add", Input: json.RawMessage(`{"a":1,"b":2}`)}}}, StopReason: llm.StopReasonToolUse}),
				bedrocktest.Respond(tc.answer),
			)
			res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{addTool(t)}}).Run(context.Background(),
				&llm.Request{Model: haiku, MaxTokens: 64, Messages: []llm.Message{llm.UserText("1+2")}})
			if err != nil {
				t.Fatal(err)
			}
			requireSendable(t, m, srv, res.Messages)
		})
	}
}

// Issue 13, point 2: tool calls the service would not take back (a dotted name, no id,
// one id twice) do not end the loop or poison a Session: the agent answers them, and the
// history stays sendable with the calls and results repaired alike.
func TestIssue13HostileToolCallsKeepHistorySendable(t *testing.T) {
	hostile := []llm.ToolCall{
		{ID: "", Name: "functions.lookup", Input: json.RawMessage(`{}`)},
		{ID: "dup", Name: "add", Input: json.RawMessage(`{"a":1,"b":2}`)},
		{ID: "dup", Name: "add", Input: json.RawMessage(`{"a":3,"b":4}`)},
		{ID: "x y", Name: "", Input: json.RawMessage(`{}`)},
	}
	parts := make([]llm.Part, len(hostile))
	for i, c := range hostile {
		parts[i] = c
	}
	callAnswer := &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: parts}, StopReason: llm.StopReasonToolUse}

	t.Run("agent", func(t *testing.T) {
		m, srv := newBedrock(t)
		srv.Enqueue(bedrocktest.Respond(callAnswer), bedrocktest.Text("done"))
		res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{addTool(t)}}).Run(context.Background(),
			&llm.Request{Model: haiku, MaxTokens: 64, Messages: []llm.Message{llm.UserText("go")}})
		if err != nil {
			t.Fatalf("the loop ended on hostile tool calls: %v", err)
		}
		if res.Text() != "done" {
			t.Errorf("final text %q, want done", res.Text())
		}
		requireSendable(t, m, srv, res.Messages)
	})
	t.Run("session", func(t *testing.T) {
		m, srv := newBedrock(t)
		s := agent.NewSession(m, &llm.Request{Model: haiku, MaxTokens: 64})
		srv.Enqueue(bedrocktest.Respond(callAnswer))
		if _, err := s.Send(context.Background(), llm.Text{Text: "go"}); err != nil {
			t.Fatal(err)
		}
		results := make([]llm.Part, len(hostile))
		for i, c := range hostile {
			results[i] = llm.ToolResult{CallID: c.ID, Content: []llm.Part{llm.Text{Text: "ok"}}}
		}
		srv.Enqueue(bedrocktest.Text("thanks"))
		resp, err := s.SendMessage(context.Background(), llm.Message{Role: llm.RoleTool, Parts: results}, nil)
		if err != nil {
			t.Fatalf("the turn after hostile tool calls failed: %v", err)
		}
		if !llm.HasWarning(resp.Warnings, llm.WarningRepaired) {
			t.Errorf("the repairs gave no warning: %v", resp.Warnings)
		}
		requireSendable(t, m, srv, s.History())
		// FormatRequest pairs every result with exactly one call of the turn before it,
		// so a sendable history has calls and results repaired alike.
	})
}
