package bedrock_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestRepeatedToolCalls: Llama models repeat a tool call under a new id; the Model
// drops the repeat, with a warning, so that an agent runs the tool once — in Generate
// and in Stream alike. Other families keep equal calls: there they are meant
// (RULES.md RESP-LLAMA).
func TestRepeatedToolCalls(t *testing.T) {
	answer := &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "a", Name: "top_song", Input: json.RawMessage(`{"sign":"WZPZ"}`)},
			llm.ToolCall{ID: "b", Name: "top_song", Input: json.RawMessage(`{ "sign": "WZPZ" }`)},
			llm.ToolCall{ID: "c", Name: "top_song", Input: json.RawMessage(`{"sign":"WKRP"}`)},
		}},
		StopReason: llm.StopReasonToolUse,
	}
	tools := []llm.Tool{{Name: "top_song", Description: "Most played song", InputSchema: json.RawMessage(`{"type":"object","properties":{"sign":{"type":"string"}},"required":["sign"]}`)}}
	tests := []struct {
		name   string
		model  string
		reason string
		want   []string // ids of the calls kept
	}{
		{"llama_drops_repeat", "us.meta.llama3-3-70b-instruct-v1:0", "Llama repeats calls with new ids", []string{"a", "c"}},
		{"claude_keeps_equal_calls", "us.anthropic.claude-haiku-4-5-20251001-v1:0", "elsewhere equal calls are meant", []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := bedrocktest.NewServer(nil)
			defer srv.Close()
			srv.Enqueue(bedrocktest.Respond(answer), bedrocktest.Respond(answer).Split(4))
			m := bedrock.New(srv.Client(nil), nil)
			req := &llm.Request{Model: tt.model, Tools: tools, Messages: []llm.Message{llm.UserText("Top songs on WZPZ and WKRP?")}}
			gen, err := m.Generate(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.Stream(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			streamed, err := s.Response()
			if err != nil {
				t.Fatal(err)
			}
			for _, resp := range []*llm.Response{gen, streamed} {
				var ids []string
				for _, c := range resp.ToolCalls() {
					ids = append(ids, c.ID)
				}
				if diff := cmp.Diff(tt.want, ids); diff != "" {
					t.Errorf("tool calls kept (%s) (-want +got):\n%s", tt.reason, diff)
				}
				dropped := len(answer.Message.Parts) - len(tt.want)
				n := 0
				for _, w := range resp.Warnings {
					if w.Code == llm.WarningDropped && strings.Contains(w.Detail, "repeats call a") {
						n++
					}
				}
				if n != dropped {
					t.Errorf("warnings %q: %d name a dropped repeat, want %d", resp.Warnings, n, dropped)
				}
			}
			if diff := cmp.Diff(gen.Message, streamed.Message); diff != "" {
				t.Errorf("streamed answer differs from Generate's (-generate +stream):\n%s", diff)
			}
		})
	}
}
