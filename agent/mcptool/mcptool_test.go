package mcptool_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/agent/mcptool"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

const serverEnv = "MCPTOOL_TEST_SERVER"

// TestMain runs the test binary as a stdio MCP server when serverEnv is set: the
// separate process of TestCommandServer.
func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) == "stdio" {
		if err := newServer().Run(context.Background(), &mcp.StdioTransport{}); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

type addIn struct {
	A int `json:"a" jsonschema:"first addend"`
	B int `json:"b" jsonschema:"second addend"`
}

type addOut struct {
	Sum int `json:"sum"`
}

// newServer is the test server: a typed tool with structured output, a tool that fails,
// a tool with an image and audio, and one whose name needs sanitising.
func newServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "test-server", Version: "1.0.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "add", Description: "Add two integers"},
		func(_ context.Context, _ *mcp.CallToolRequest, in addIn) (*mcp.CallToolResult, addOut, error) {
			return nil, addOut{Sum: in.A + in.B}, nil
		})
	s.AddTool(&mcp.Tool{Name: "fail", Description: "Always fails", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "disk on fire"}}}, nil
		})
	s.AddTool(&mcp.Tool{Name: "media.get", Title: "Media", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{
				&mcp.ImageContent{MIMEType: "image/png", Data: []byte{0x89, 'P', 'N', 'G'}},
				&mcp.AudioContent{MIMEType: "audio/wav", Data: []byte("RIFF")},
				&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///r/report.pdf", MIMEType: "application/pdf", Blob: []byte("%PDF")}},
				&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///r/notes.txt", MIMEType: "text/plain", Text: "notes"}},
			}}, nil
		})
	return s
}

// inProcess connects a client to newServer over in-memory transports.
func inProcess(t *testing.T, opts *mcptool.Options) *mcptool.Client {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := newServer().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := mcptool.Connect(ctx, ct, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
		ss.Wait()
	})
	return c
}

func TestToolDeclarations(t *testing.T) {
	c := inProcess(t, &mcptool.Options{Prefix: "t."})
	got := map[string]llm.Tool{}
	for _, tl := range c.Tools() {
		got[tl.Declaration.Name] = tl.Declaration
	}
	if len(got) != 3 {
		t.Fatalf("tools %v", got)
	}
	add, ok := got["t_add"]
	if !ok || add.Description != "Add two integers" {
		t.Fatalf("t_add: %+v", add)
	}
	var sch struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	if err := json.Unmarshal(add.InputSchema, &sch); err != nil {
		t.Fatal(err)
	}
	if sch.Type != "object" || len(sch.Properties) != 2 || !cmp.Equal(sch.Required, []string{"a", "b"}) {
		t.Errorf("add schema %s", add.InputSchema)
	}
	if m := got["t_media_get"]; m.Description != "Media" {
		t.Errorf("media tool: %+v", m)
	}
}

func TestFilterAndNames(t *testing.T) {
	c := inProcess(t, &mcptool.Options{Filter: func(tl *mcp.Tool) bool { return tl.Name == "add" }})
	if tools := c.Tools(); len(tools) != 1 || tools[0].Declaration.Name != "add" {
		t.Errorf("tools %+v", tools)
	}
	for in, want := range map[string]string{"a.b/c": "a_b_c", "": "_", strings.Repeat("x", 70): strings.Repeat("x", 64), "ok-_1": "ok-_1"} {
		if got := mcptool.ToolName(in); got != want {
			t.Errorf("ToolName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToolResults(t *testing.T) {
	c := inProcess(t, nil)
	tools := map[string]agent.Tool{}
	for _, tl := range c.Tools() {
		tools[tl.Declaration.Name] = tl
	}
	ctx := context.Background()
	parts, err := tools["add"].Run(ctx, json.RawMessage(`{"a":2,"b":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]llm.Part{llm.Text{Text: `{"sum":5}`}}, parts); diff != "" {
		t.Errorf("add (-want +got):\n%s", diff)
	}
	_, err = tools["fail"].Run(ctx, nil)
	var te *mcptool.ToolError
	if !errors.As(err, &te) || err.Error() != "disk on fire" {
		t.Errorf("fail: %v", err)
	}
	parts, err = tools["media_get"].Run(ctx, json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []llm.Part{
		llm.Image{Format: "png", Data: []byte{0x89, 'P', 'N', 'G'}},
		llm.Text{Text: "[audio audio/wav, 4 bytes: not passed on, the model API takes no audio in tool results]"},
		llm.Document{Name: "report pdf", Format: "pdf", Data: []byte("%PDF")},
		llm.Text{Text: "notes"},
	}
	if diff := cmp.Diff(want, parts); diff != "" {
		t.Errorf("media (-want +got):\n%s", diff)
	}
	// The server validates input against its schema; the error reaches the model.
	if _, err := tools["add"].Run(ctx, json.RawMessage(`{"a":"two"}`)); err == nil {
		t.Error("add with bad input succeeded")
	}
}

func TestStructuredOnly(t *testing.T) {
	parts, err := mcptool.Parts(&mcp.CallToolResult{StructuredContent: map[string]any{"n": 1}})
	if err != nil || !cmp.Equal(parts, []llm.Part{llm.Text{Text: `{"n":1}`}}) {
		t.Errorf("parts %v, %v", parts, err)
	}
	if _, err := mcptool.Parts(nil); err == nil {
		t.Error("nil result accepted")
	}
}

// runAgent runs an agent loop whose model calls add and fail, and checks the results
// the model received.
func runAgent(t *testing.T, c *mcptool.Client) {
	t.Helper()
	model := llmtest.New(
		llmtest.ToolCalls(
			llm.ToolCall{ID: "c1", Name: "add", Input: json.RawMessage(`{"a":20,"b":22}`)},
			llm.ToolCall{ID: "c2", Name: "fail", Input: json.RawMessage(`{}`)},
		),
		llmtest.Text("42, and the disk is on fire"),
	)
	res, err := agent.New(model, &agent.Options{Tools: c.Tools()}).Run(context.Background(),
		&llm.Request{Model: "m", Messages: []llm.Message{llm.UserText("go")}})
	if err != nil {
		t.Fatal(err)
	}
	results := res.Messages[2].Parts
	want := []llm.Part{
		llm.ToolResult{CallID: "c1", Content: []llm.Part{llm.Text{Text: `{"sum":42}`}}},
		llm.ToolResult{CallID: "c2", Content: []llm.Part{llm.Text{Text: "disk on fire"}}, IsError: true},
	}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("tool results (-want +got):\n%s", diff)
	}
	decls := model.Requests()[0].Tools
	if len(decls) != 3 {
		t.Errorf("model saw %d tools", len(decls))
	}
}

func TestAgentInProcess(t *testing.T) {
	runAgent(t, inProcess(t, nil))
}

func TestAgentOverStreamableHTTP(t *testing.T) {
	srv := newServer()
	hs := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	defer hs.Close()
	c, err := mcptool.ConnectHTTP(context.Background(), hs.URL, &mcptool.Options{HTTPClient: hs.Client()})
	if err != nil {
		t.Fatal(err)
	}
	runAgent(t, c)
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}

func TestCommandServer(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), serverEnv+"=stdio")
	cmd.Stderr = os.Stderr
	c, err := mcptool.ConnectCommand(context.Background(), cmd, nil)
	if err != nil {
		t.Fatal(err)
	}
	runAgent(t, c)
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	if cmd.ProcessState == nil || !cmd.ProcessState.Success() {
		t.Errorf("server process state after Close: %v", cmd.ProcessState)
	}
}

func TestConnectFails(t *testing.T) {
	cmd := exec.Command(os.DevNull)
	if _, err := mcptool.ConnectCommand(context.Background(), cmd, nil); err == nil || !strings.Contains(err.Error(), "mcptool: connect") {
		t.Errorf("err = %v", err)
	}
}
