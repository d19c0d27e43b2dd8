package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

func TestAskText(t *testing.T) {
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantSent string // the user message the simulator received
	}{
		{"the prompt from the arguments", "", []string{"what", "is", "2+3?"}, "what is 2+3?"},
		{"the prompt from stdin", "from stdin\n", []string{"-"}, "from stdin\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeAWSEnv(t)
			srv := echoServer(t)
			args := append([]string{"ask", "--model", "m1", "--endpoint", srv.URL}, tt.args...)
			stdout, stderr, code := runLLMKit(t, tt.stdin, args...)
			if code != 0 {
				t.Fatalf("llmkit %s: exit code %d, want 0\nstderr:\n%s", strings.Join(args, " "), code, stderr)
			}
			want := strings.TrimSuffix(tt.wantSent, "\n") + "\n"
			if stdout != want {
				t.Errorf("llmkit %s: stdout = %q, want %q", strings.Join(args, " "), stdout, want)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 || reqs[0].Op != bedrocktest.OpConverseStream {
				t.Fatalf("the simulator got %d requests (%v), want one converse-stream", len(reqs), reqs)
			}
			if diff := cmp.Diff([]string{"user: " + tt.wantSent}, requestMessages(t, reqs[0].Body)); diff != "" {
				t.Errorf("request messages mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAskJSON(t *testing.T) {
	fakeAWSEnv(t)
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(bedrocktest.Respond(&llm.Response{
		Message:    llm.AssistantText("Five."),
		StopReason: llm.StopReasonEndTurn,
		Usage:      llm.Usage{InputTokens: 12, OutputTokens: 3, TotalTokens: 15},
		Latency:    250 * time.Millisecond,
		RequestID:  "req-1",
	}))
	stdout, stderr, code := runLLMKit(t, "", "ask", "--model", "m1", "--endpoint", srv.URL, "--system", "Answer in words.", "--json", "2+3?")
	if code != 0 {
		t.Fatalf("llmkit ask --json: exit code %d, want 0\nstderr:\n%s", code, stderr)
	}
	var got llm.Response
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("llmkit ask --json printed %q, which is not a response: %v", stdout, err)
	}
	want := llm.Response{
		Message:       llm.AssistantText("Five."),
		StopReason:    llm.StopReasonEndTurn,
		RawStopReason: "end_turn",
		Usage:         llm.Usage{InputTokens: 12, OutputTokens: 3, TotalTokens: 15},
		Latency:       250 * time.Millisecond,
		RequestID:     "req-1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("llmkit ask --json response mismatch (-want +got):\n%s", diff)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Op != bedrocktest.OpConverse {
		t.Fatalf("the simulator got %v, want one converse request", reqs)
	}
	if diff := cmp.Diff([]string{"system: Answer in words.", "user: 2+3?"}, requestMessages(t, reqs[0].Body)); diff != "" {
		t.Errorf("request messages mismatch (-want +got):\n%s", diff)
	}
}

const personSchema = `{
  "type": "object",
  "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
  "required": ["name", "age"],
  "additionalProperties": false
}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAskSchema(t *testing.T) {
	tests := []struct {
		name  string
		model string
		reply bedrocktest.ServerReply
		// wantRequest is a fragment the request body must hold: how the object was asked
		// for.
		wantRequest string
	}{
		{"native structured output, for a model that has it", "us.anthropic.claude-haiku-4-5-20251001-v1:0",
			bedrocktest.Text(`{"name":"Ada","age":36}`), `"outputConfig":{"textFormat"`},
		{"a forced tool, for a model without it", "meta.llama3-3-70b-instruct-v1:0",
			bedrocktest.Respond(&llm.Response{
				Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "t1", Name: "structured_output", Input: json.RawMessage(`{"name":"Ada","age":36}`)}}},
				StopReason: llm.StopReasonToolUse,
			}), `"name":"structured_output"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeAWSEnv(t)
			srv := bedrocktest.NewServer(nil)
			defer srv.Close()
			srv.Enqueue(tt.reply)
			file := writeFile(t, "person.json", personSchema)
			stdout, stderr, code := runLLMKit(t, "", "ask", "--model", tt.model, "--endpoint", srv.URL, "--schema", file, "Who wrote the first program?")
			if code != 0 {
				t.Fatalf("llmkit ask --schema: exit code %d, want 0\nstderr:\n%s", code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("llmkit ask --schema printed %q, not a JSON object: %v", stdout, err)
			}
			if diff := cmp.Diff(map[string]any{"name": "Ada", "age": 36.0}, got); diff != "" {
				t.Errorf("llmkit ask --schema object mismatch (-want +got):\n%s", diff)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("the simulator got %d requests, want 1", len(reqs))
			}
			if body := string(reqs[0].Body); !strings.Contains(body, tt.wantRequest) {
				t.Errorf("request %s lacks %s", body, tt.wantRequest)
			}
		})
	}
}

func TestAskSchemaErrors(t *testing.T) {
	tests := []struct {
		name       string
		schema     string // file content; "" for no file
		reply      bedrocktest.ServerReply
		wantCode   int
		wantStderr string
	}{
		{"a missing schema file", "", bedrocktest.ServerReply{}, exitUsage, "--schema:"},
		{"a schema file that is not JSON", "{type: object", bedrocktest.ServerReply{}, exitUsage, "not valid JSON"},
		{"a schema that is not a schema", `{"type": 12}`, bedrocktest.ServerReply{}, exitUsage, "--schema:"},
		{"an answer without an object", personSchema, bedrocktest.Text("I cannot say."), exitFailure, "no valid object"},
		{"an object that does not match", personSchema, bedrocktest.Text(`{"name":"Ada","age":"old"}`), exitFailure, "does not match the schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeAWSEnv(t)
			srv := bedrocktest.NewServer(nil)
			defer srv.Close()
			srv.Enqueue(tt.reply)
			file := filepath.Join(t.TempDir(), "missing.json")
			if tt.schema != "" {
				file = writeFile(t, "schema.json", tt.schema)
			}
			_, stderr, code := runLLMKit(t, "", "ask", "--model", "us.anthropic.claude-haiku-4-5-20251001-v1:0", "--endpoint", srv.URL, "--schema", file, "Who?")
			if code != tt.wantCode {
				t.Errorf("llmkit ask --schema: exit code %d, want %d\nstderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("llmkit ask --schema: stderr lacks %q:\n%s", tt.wantStderr, stderr)
			}
			if tt.wantCode == exitUsage && len(srv.Requests()) != 0 {
				t.Errorf("llmkit ask --schema with a bad schema sent %d requests, want none", len(srv.Requests()))
			}
		})
	}
}

func TestAskMissingCredentials(t *testing.T) {
	clearAWSEnv(t)
	_, stderr, code := runLLMKit(t, "", "ask", "--model", "m1", "--region", "us-east-1", "hello")
	if code != exitAuth {
		t.Errorf("llmkit ask without credentials: exit code %d, want %d", code, exitAuth)
	}
	if !strings.Contains(stderr, "No AWS credentials were found") {
		t.Errorf("llmkit ask without credentials: stderr lacks the advice:\n%s", stderr)
	}
}

// TestAskCountTokens: --count-tokens prints the count of Bedrock's CountTokens operation
// for the request (system prompt and prompt) and asks nothing.
func TestAskCountTokens(t *testing.T) {
	fakeAWSEnv(t)
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	args := []string{"ask", "--model", "m1", "--endpoint", srv.URL, "--system", "Be brief.", "--count-tokens", "how", "long", "is", "this?"}
	stdout, stderr, code := runLLMKit(t, "", args...)
	if code != 0 {
		t.Fatalf("llmkit %s: exit code %d\nstderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Op != bedrocktest.OpCountTokens {
		t.Fatalf("the simulator got %v, want one count-tokens request", reqs)
	}
	var in struct {
		Input struct {
			Converse json.RawMessage `json:"converse"`
		} `json:"input"`
	}
	if err := json.Unmarshal(reqs[0].Body, &in); err != nil {
		t.Fatal(err)
	}
	want, err := bedrocktest.CountTokens(in.Input.Converse)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(stdout); got != strconv.Itoa(want) {
		t.Errorf("stdout %q, want the simulator's count %d", stdout, want)
	}
	if !strings.Contains(string(in.Input.Converse), "how long is this?") || !strings.Contains(string(in.Input.Converse), "Be brief.") {
		t.Errorf("count-tokens request %s lacks the prompt or the system prompt", reqs[0].Body)
	}
}
