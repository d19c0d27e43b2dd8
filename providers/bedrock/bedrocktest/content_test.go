package bedrocktest_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestRespondCitationsAndServerTools: a scripted neutral answer with cited text, a
// server-side tool's call and result (with a search result) is served as Bedrock
// writes it, plain and streamed (split and chunked), and reads back through
// bedrock.Model as the same response either way.
func TestRespondCitationsAndServerTools(t *testing.T) {
	want := &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "s1", Name: "nova_grounding", Input: json.RawMessage(`{"q":"paris"}`), Server: true},
			llm.ToolResult{CallID: "s1", Server: true, Content: []llm.Part{llm.Text{Text: "Paris is the capital of France."}}},
			llm.Text{Text: "Paris is the capital.", Citations: []llm.Citation{
				{Title: "atlas", Source: "kb://atlas", Quotes: []string{"Paris, capital"}, Location: llm.CitationLocation{Kind: llm.CitePages, Index: 0, Start: 1, End: 2}},
				{Location: llm.CitationLocation{Kind: llm.CiteWeb, URL: "https://w.example/paris", Domain: "w.example"}},
			}},
		}},
		StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
		Usage: llm.Usage{InputTokens: 5, OutputTokens: 7, TotalTokens: 12},
	}
	srv := newServer(t, nil)
	m := bedrock.New(srv.Client(nil), nil)
	for _, reply := range []bedrocktest.ServerReply{bedrocktest.Respond(want), bedrocktest.Respond(want).Split(3).Chunked(7)} {
		srv.Enqueue(reply, reply)
		gen, err := m.Generate(t.Context(), modelRequest())
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.Stream(t.Context(), modelRequest())
		if err != nil {
			t.Fatal(err)
		}
		str, err := s.Response()
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]*llm.Response{"Generate": gen, "Stream": str} {
			if diff := cmp.Diff(want.Message, got.Message); diff != "" || got.StopReason != want.StopReason || got.Usage != want.Usage || len(got.Warnings) != 0 {
				t.Errorf("%s: message (-want +got):\n%s\nstop %q usage %+v warnings %q", name, diff, got.StopReason, got.Usage, got.Warnings)
			}
		}
	}
}
