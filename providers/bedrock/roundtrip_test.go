package bedrock

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestHistoryRoundTrip: an answer with citations, a search result in a tool result and
// server-side tool blocks, put back into the history and sent again, produces the
// request Bedrock expects: the assistant turn as Bedrock returned it (compared as JSON).
// Requests carry the neutral additions too: Document.Citations, a search result in a
// user message, a server-side tool (systemTool) and a cache point after the tools
// (REQ-SERVER-TOOLS, REQ-SEARCH-RESULT, RESP-CITATIONS, REQ-CACHE).
func TestHistoryRoundTrip(t *testing.T) {
	const answer = `[` +
		`{"toolUse":{"toolUseId":"s1","name":"nova_grounding","input":{"q":"paris"},"type":"server_tool_use"}},` +
		`{"toolResult":{"toolUseId":"s1","content":[{"searchResult":{"source":"https://w.example/paris","title":"Paris","content":[{"text":"Paris is the capital of France."}]}}]}},` +
		`{"citationsContent":{"content":[{"text":"Paris is the capital."}],"citations":[` +
		`{"title":"atlas","source":"kb://atlas","sourceContent":[{"text":"Paris, capital"}],"location":{"documentPage":{"documentIndex":0,"start":1,"end":2}}},` +
		`{"title":"Paris","source":"https://w.example/paris","sourceContent":[{"text":"capital of France"}],"location":{"searchResultLocation":{"searchResultIndex":0,"start":0,"end":1}}},` +
		`{"location":{"web":{"url":"https://w.example/paris","domain":"w.example"}}}]}}]`
	m, srv := newTestModel(t, nil)
	srv.Enqueue(
		bedrocktest.RawJSON([]byte(`{"output":{"message":{"role":"assistant","content":`+answer+`}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3}}`)),
		bedrocktest.Text("ok"),
	)
	req := &llm.Request{
		Model: claude, MaxTokens: 100,
		Tools:      []llm.Tool{{Name: "nova_grounding", Server: true}},
		CacheTools: &llm.CachePoint{TTL: time.Hour},
		Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
			llm.Text{Text: "Where is the capital?"},
			llm.Document{Name: "atlas", Format: "txt", Data: []byte("Paris, capital of France"), Citations: true},
			llm.SearchResult{Source: "kb://1", Title: "One", Content: []string{"a", "b"}, Citations: true},
		}}},
	}
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Warnings) != 0 {
		t.Errorf("warnings %q, want none: every block is represented", resp.Warnings)
	}
	if calls := resp.ToolCalls(); len(calls) != 0 {
		t.Errorf("ToolCalls() = %v, want none: the server ran its tool", calls)
	}
	// Through the JSON form too, as a saved conversation would be.
	b, err := json.Marshal(resp.Message)
	if err != nil {
		t.Fatal(err)
	}
	var back llm.Message
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	req.Messages = append(req.Messages, back, llm.UserText("thanks"))
	if _, err := m.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	sent := srv.Requests()
	first, second := sent[0].Body, sent[1].Body
	checkJSONPath(t, first, "messages.0.content", `[{"text":"Where is the capital?"},`+
		`{"document":{"format":"txt","name":"atlas","source":{"bytes":"UGFyaXMsIGNhcGl0YWwgb2YgRnJhbmNl"},"citations":{"enabled":true}}},`+
		`{"searchResult":{"source":"kb://1","title":"One","content":[{"text":"a"},{"text":"b"}],"citations":{"enabled":true}}}]`)
	checkJSONPath(t, first, "toolConfig.tools", `[{"systemTool":{"name":"nova_grounding"}},{"cachePoint":{"type":"default","ttl":"1h"}}]`)
	checkJSONPath(t, second, "messages.1.content", answer)
}

// checkJSONPath compares the value at path (dot-separated keys and indexes) of the JSON
// body with want, as parsed JSON.
func checkJSONPath(t *testing.T, body []byte, path, want string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				t.Fatalf("%s: no element %s in %s", path, k, body)
			}
			v = x[i]
		default:
			t.Fatalf("%s: nothing at %s in %s", path, k, body)
		}
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	mm, err := bedrocktest.CompareJSON([]byte(want), got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(mm) > 0 {
		t.Errorf("%s differs from what Bedrock expects: %v\n got: %s\nwant: %s", path, mm, got, want)
	}
}
