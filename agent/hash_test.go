package agent_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
)

func hashBase() []llm.Message {
	return []llm.Message{
		{Role: llm.RoleUser, Parts: []llm.Part{
			llm.Text{Text: "What is on this picture?"},
			llm.Image{Format: "png", Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2}},
			llm.Document{Name: "notes", Format: "txt", Data: []byte("a\x00b")},
			llm.CachePoint{TTL: time.Hour},
		}},
		{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "Look closely.", Signature: "sig", Redacted: []byte{0xde, 0xad}},
			llm.ToolCall{ID: "t1", Name: "zoom", Input: json.RawMessage(`{"x": 1, "y": 2}`)},
		}},
		{Role: llm.RoleTool, Parts: []llm.Part{
			llm.ToolResult{CallID: "t1", Content: []llm.Part{llm.Text{Text: "a cat"}}},
		}},
		llm.AssistantText("A cat."),
	}
}

// TestHashMessagesStable pins the hash of a fixed history: it must not change between
// runs, machines or releases (the encoding is versioned).
func TestHashMessagesStable(t *testing.T) {
	// Computed independently from the encoding documented in hash.go.
	const want = "346860455c40c94a30a58a5036e8edbc05cbff148f3cc73815de69dedd44fa9f"
	if got := agent.HashMessages(hashBase()); got != want {
		t.Errorf("HashMessages(base) = %s, want %s", got, want)
	}
	if got, want := agent.HashMessages(nil), agent.HashMessages([]llm.Message{}); got != want {
		t.Errorf("HashMessages(nil) = %s, want HashMessages(empty) = %s", got, want)
	}

	// A JSON round trip (which compacts tool input) keeps the hash.
	b, err := json.Marshal(hashBase())
	if err != nil {
		t.Fatalf("json.Marshal(base) error: %v", err)
	}
	var back []llm.Message
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("json.Unmarshal error: %v", err)
	}
	if got := agent.HashMessages(back); got != want {
		t.Errorf("HashMessages(base after JSON round trip) = %s, want %s", got, want)
	}
}

func TestHashMessagesDiffers(t *testing.T) {
	base := agent.HashMessages(hashBase())
	tests := []struct {
		name   string
		change func([]llm.Message) []llm.Message
	}{
		{"role", func(m []llm.Message) []llm.Message { m[3].Role = llm.RoleUser; return m }},
		{"text", func(m []llm.Message) []llm.Message { m[3] = llm.AssistantText("A dog."); return m }},
		{"image_byte", func(m []llm.Message) []llm.Message {
			m[0].Parts[1] = llm.Image{Format: "png", Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 3}}
			return m
		}},
		{"document_name", func(m []llm.Message) []llm.Message {
			m[0].Parts[2] = llm.Document{Name: "notes2", Format: "txt", Data: []byte("a\x00b")}
			return m
		}},
		{"cache_ttl", func(m []llm.Message) []llm.Message { m[0].Parts[3] = llm.CachePoint{}; return m }},
		{"signature", func(m []llm.Message) []llm.Message {
			m[1].Parts[0] = llm.Reasoning{Text: "Look closely.", Signature: "sig2", Redacted: []byte{0xde, 0xad}}
			return m
		}},
		{"redacted", func(m []llm.Message) []llm.Message {
			m[1].Parts[0] = llm.Reasoning{Text: "Look closely.", Signature: "sig", Redacted: []byte{0xde}}
			return m
		}},
		{"tool_input", func(m []llm.Message) []llm.Message {
			m[1].Parts[1] = llm.ToolCall{ID: "t1", Name: "zoom", Input: json.RawMessage(`{"x":1,"y":3}`)}
			return m
		}},
		{"error_flag", func(m []llm.Message) []llm.Message {
			m[2].Parts[0] = llm.ToolResult{CallID: "t1", Content: []llm.Part{llm.Text{Text: "a cat"}}, IsError: true}
			return m
		}},
		{"part_order", func(m []llm.Message) []llm.Message {
			m[0].Parts[0], m[0].Parts[1] = m[0].Parts[1], m[0].Parts[0]
			return m
		}},
		{"split_text", func(m []llm.Message) []llm.Message {
			m[3].Parts = []llm.Part{llm.Text{Text: "A "}, llm.Text{Text: "cat."}}
			return m
		}},
		{"dropped_message", func(m []llm.Message) []llm.Message { return m[:3] }},
		{"message_boundary", func(m []llm.Message) []llm.Message {
			// The same parts split differently between messages.
			m[2].Parts = append(m[2].Parts, m[3].Parts...)
			return m[:3]
		}},
	}
	seen := map[string]string{base: "base"}
	for _, tt := range tests {
		got := agent.HashMessages(tt.change(hashBase()))
		if prev, ok := seen[got]; ok {
			t.Errorf("HashMessages with changed %s = %s, the same as %s", tt.name, got, prev)
		}
		seen[got] = tt.name
	}

	same := hashBase()
	same[1].Parts[1] = llm.ToolCall{ID: "t1", Name: "zoom", Input: json.RawMessage(`{"x":1,"y":2}`)}
	if got := agent.HashMessages(same); got != base {
		t.Errorf("HashMessages with tool input white space removed = %s, want %s", got, base)
	}
}

// Issue 13, point 9: encoding/json writes <, > and & in a tool input as \u003c, \u003e
// and \u0026; the hash is the same before and after a JSON round trip all the same.
func TestIssue13HashSurvivesHTMLEscapes(t *testing.T) {
	msgs := []llm.Message{
		llm.UserText("compare"),
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "c1", Name: "cmp",
			Input: json.RawMessage(`{"expr": "a < b && b > c", "s": "\u00e9\n\"q\""}`)}}},
	}
	data, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `\u003c`) {
		t.Fatalf("encoding/json no longer escapes <: %s", data)
	}
	var back []llm.Message
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if a, b := agent.HashMessages(msgs), agent.HashMessages(back); a != b {
		t.Errorf("hash changed after a JSON round trip: %s -> %s\n%s", a, b, back[1].Parts[0].(llm.ToolCall).Input)
	}
	other := llm.CloneMessages(msgs)
	other[1].Parts[0] = llm.ToolCall{ID: "c1", Name: "cmp", Input: json.RawMessage(`{"expr": "a < b && b > d", "s": "\u00e9\n\"q\""}`)}
	if agent.HashMessages(msgs) == agent.HashMessages(other) {
		t.Error("different inputs hash alike")
	}
}

// A tool input written with an escape hashes as the same input written without: one
// canonical form, also for characters encoding/json escapes on its own (U+2028, U+2029)
// and control characters it writes in short form (\b, \f).
func TestHashToolInputEscapesCanonical(t *testing.T) {
	hash := func(input string) string {
		return agent.HashMessages([]llm.Message{{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "c1", Name: "f", Input: json.RawMessage(input)}}}})
	}
	for _, pair := range [][2]string{
		{"{\"s\":\"a\u2028b\u2029\"}", `{"s":"a\u2028b\u2029"}`},
		{`{"s":"\b\f"}`, `{"s":"\u0008\u000c"}`},
		{`{"s":"<é>"}`, `{"s":"\u003c\u00e9\u003e"}`},
	} {
		if a, b := hash(pair[0]), hash(pair[1]); a != b {
			t.Errorf("HashMessages of tool input %s = %s, of %s = %s: want equal", pair[0], a, pair[1], b)
		}
	}
}
