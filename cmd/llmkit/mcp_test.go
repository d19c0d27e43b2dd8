package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

type mcpAddIn struct {
	A int `json:"a"`
	B int `json:"b"`
}

func TestChatWithMCPTools(t *testing.T) {
	fakeAWSEnv(t)
	s := mcp.NewServer(&mcp.Implementation{Name: "calc"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "add", Description: "Add two integers"},
		func(_ context.Context, _ *mcp.CallToolRequest, in mcpAddIn) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "5"}}}, nil, nil
		})
	hs := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil))
	defer hs.Close()

	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	srv.Enqueue(
		bedrocktest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "t1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)}}}, StopReason: llm.StopReasonToolUse}),
		bedrocktest.Text("2 + 3 = 5"),
	)
	stdout, stderr, code := runLLMKit(t, "add 2 and 3\n/history\n", "chat", "--model", "m1", "--endpoint", srv.URL, "--mcp", hs.URL)
	if code != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	for _, want := range []string{`-> tool call: add({"a":2,"b":3})`, "<- tool result: 5", "2 + 3 = 5", "tools: add"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || !strings.Contains(string(reqs[1].Body), `"toolResult"`) || !strings.Contains(string(reqs[0].Body), `"name":"add"`) {
		t.Errorf("requests: %d; second body %s", len(reqs), reqs[len(reqs)-1].Body)
	}
}

func TestChatMCPConnectFails(t *testing.T) {
	fakeAWSEnv(t)
	srv := echoServer(t)
	_, stderr, code := runLLMKit(t, "hi\n", "chat", "--model", "m1", "--endpoint", srv.URL, "--mcp", "/nonexistent/mcp-server --flag")
	if code != exitFailure || !strings.Contains(stderr, `--mcp "/nonexistent/mcp-server --flag"`) {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr)
	}
}
