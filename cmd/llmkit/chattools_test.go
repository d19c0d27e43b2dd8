package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestChatWithTools chats with --tools on the simulator, with no AWS configuration at
// all: the first turn calls both demo tools, the second answers from the history, and
// /save writes the whole tool turn.
func TestChatWithTools(t *testing.T) {
	clearAWSEnv(t)
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	srv.Enqueue(
		bedrocktest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Text{Text: "Let me compute."},
			llm.ToolCall{ID: "c1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3.5}`)},
			llm.ToolCall{ID: "c2", Name: "word_count", Input: json.RawMessage(`{"text":"one two three"}`)},
		}}, StopReason: llm.StopReasonToolUse}),
		bedrocktest.Text("5.5, and 3 words."),
		bedrocktest.Text("Still 5.5."),
	)
	file := filepath.Join(t.TempDir(), "chat.json")
	stdin := "add 2 and 3.5; count 'one two three'\nand again?\n/save " + file + "\n"
	stdout, stderr, code := runLLMKit(t, stdin, "chat", "--model", "m1", "--endpoint", srv.URL, "--tools")
	if code != 0 {
		t.Fatalf("llmkit chat --tools: exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"tools: add, word_count",
		"assistant: Let me compute.\n",
		`  -> tool call: add({"a":2,"b":3.5})`,
		"  <- tool result: 5.5\n",
		`  <- tool result: {"words":3,"characters":13}`,
		"assistant: 5.5, and 3 words.\n",
		"assistant: Still 5.5.\n",
		"(saved 6 messages to " + file + ")",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	if body := string(reqs[0].Body); !strings.Contains(body, `"name":"word_count"`) {
		t.Errorf("the first request does not declare the tools: %s", body)
	}
	// The third request (second turn) carries the whole first turn: user, calls,
	// results, answer, then the new message.
	var sent struct{ Messages []json.RawMessage }
	if err := json.Unmarshal(reqs[2].Body, &sent); err != nil || len(sent.Messages) != 5 {
		t.Errorf("the second turn sent %d messages, want 5 (%v): %s", len(sent.Messages), err, reqs[2].Body)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var saved struct{ Messages []llm.Message }
	if err := json.Unmarshal(data, &saved); err != nil || len(saved.Messages) != 6 {
		t.Fatalf("saved chat: %v, %d messages:\n%s", err, len(saved.Messages), data)
	}
	results := saved.Messages[2]
	if results.Role != llm.RoleTool || len(results.Parts) != 2 || results.Parts[1].(llm.ToolResult).CallID != "c2" {
		t.Errorf("the saved chat's third message is not the two tool results: %+v", results)
	}
}

// TestChatLoadRefusesOtherFiles checks that /load of a file that is not a saved chat
// says why and keeps the conversation.
func TestChatLoadRefusesOtherFiles(t *testing.T) {
	clearAWSEnv(t)
	srv := echoServer(t)
	dir := t.TempDir()
	files := map[string]string{
		"schema.json": `{"type":"object","properties":{"city":{"type":"string"}}}`,
		"empty.json":  `{}`,
		"null.json":   `{"messages":null}`,
		"model.json":  `{"messages":[{"role":"assistant","content":[{"text":"hi"}]}]}`,
	}
	var script strings.Builder
	script.WriteString("hello\n")
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		script.WriteString("/load " + filepath.Join(dir, name) + "\n")
	}
	script.WriteString("/history\n")
	stdout, stderr, code := runLLMKit(t, script.String(), "chat", "--model", "m1", "--endpoint", srv.URL)
	if code != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	for _, want := range []string{`no "messages" member (the object has ["properties" "type"])`, `no "messages" member: an empty object`, `"messages" is null`, "a history starts with a user message"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stdout, "1. user: hello\n2. assistant: hello\n") {
		t.Errorf("the conversation did not survive the refused loads:\n%s", stdout)
	}
}
