package openai_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// TestAgentParallelTools runs the agent loop on the OpenAI provider: two parallel
// calls of a typed tool, streamed in fragments, answered in call order as tool
// messages, then the final answer.
func TestAgentParallelTools(t *testing.T) {
	type AddInput struct {
		A int `json:"a"`
		B int `json:"b"`
	}
	add, err := agent.NewTool("add", "Add two integers", func(_ context.Context, in AddInput) (int, error) { return in.A + in.B, nil })
	if err != nil {
		t.Fatal(err)
	}
	srv := openaitest.NewServer()
	defer srv.Close()
	srv.Enqueue(
		openaitest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "call_1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)},
			llm.ToolCall{ID: "call_2", Name: "add", Input: json.RawMessage(`{"a":10,"b":20}`)},
		}}, StopReason: llm.StopReasonToolUse}).Split(4),
		openaitest.Text("5 and 30"),
	)
	a := agent.New(openai.New(srv.Client(), nil), &agent.Options{Tools: []agent.Tool{add}})
	res, err := a.Run(context.Background(), &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("2+3 and 10+20?")}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text() != "5 and 30" {
		t.Errorf("answer %q", res.Text())
	}
	second := string(srv.Requests()[1].Body)
	for _, want := range []string{`"tool_call_id":"call_1"`, `"content":"5"`, `"tool_call_id":"call_2"`, `"content":"30"`} {
		if !strings.Contains(second, want) {
			t.Errorf("second request lacks %s:\n%s", want, second)
		}
	}
	if strings.Index(second, "call_1\"") > strings.Index(second, `"tool_call_id":"call_2"`) {
		t.Errorf("tool results out of call order:\n%s", second)
	}
}
