package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

type addInput struct {
	A int `json:"a" jsonschema:"description=first addend"`
	B int `json:"b" jsonschema:"description=second addend"`
}

type addOutput struct {
	Sum int `json:"sum"`
}

func addTool(t testing.TB) agent.Tool {
	t.Helper()
	tool, err := agent.NewTool("add", "Adds two integers.", func(ctx context.Context, in addInput) (addOutput, error) {
		return addOutput{Sum: in.A + in.B}, nil
	})
	if err != nil {
		t.Fatalf("NewTool(add) error: %v", err)
	}
	return tool
}

func TestNewTool(t *testing.T) {
	tool := addTool(t)
	if tool.Declaration.Name != "add" || tool.Declaration.Description != "Adds two integers." {
		t.Errorf("NewTool(add).Declaration = %+v, want name and description kept", tool.Declaration)
	}
	var sch map[string]any
	if err := json.Unmarshal(tool.Declaration.InputSchema, &sch); err != nil {
		t.Fatalf("input schema is not JSON: %v", err)
	}
	if sch["type"] != "object" || sch["additionalProperties"] != false {
		t.Errorf("NewTool(add) input schema = %s, want an object without additional properties", tool.Declaration.InputSchema)
	}

	tests := []struct {
		name    string
		reason  string
		input   string
		want    []llm.Part
		wantErr string
	}{
		{"valid", "input is decoded and Out encoded as JSON text", `{"a":2,"b":3}`, []llm.Part{llm.Text{Text: `{"sum":5}`}}, ""},
		{"wrong_type", "a mismatch names the JSON path", `{"a":"2","b":3}`, nil, "invalid input: schema: /a:"},
		{"missing_field", "required members are enforced", `{"a":2}`, nil, "invalid input: schema:"},
		{"extra_field", "additionalProperties false is enforced", `{"a":2,"b":3,"c":4}`, nil, "invalid input: schema:"},
		{"not_json", "malformed input never reaches fn", `{"a":`, nil, "invalid input: schema:"},
	}
	for _, tt := range tests {
		got, err := tool.Run(context.Background(), json.RawMessage(tt.input))
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || !errors.Is(err, agent.ErrInvalidInput) {
				t.Errorf("%s: Run(%s) error = %v, want prefix %q wrapping ErrInvalidInput (%s)", tt.name, tt.input, err, tt.wantErr, tt.reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Run(%s) error: %v", tt.name, tt.input, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Run(%s) (%s) (-want +got):\n%s", tt.name, tt.input, tt.reason, diff)
		}
	}
}

func TestNewToolResults(t *testing.T) {
	type empty struct{}
	str, err := agent.NewTool("hello", "", func(ctx context.Context, _ empty) (string, error) { return "hi there", nil })
	if err != nil {
		t.Fatalf("NewTool(hello) error: %v", err)
	}
	got, err := str.Run(context.Background(), json.RawMessage(`{}`))
	if err != nil || !cmp.Equal([]llm.Part{llm.Text{Text: "hi there"}}, got) {
		t.Errorf("Run() of a string tool = %v, %v, want the string as text", got, err)
	}

	failing, err := agent.NewTool("fail", "", func(ctx context.Context, _ empty) (int, error) { return 0, errors.New("station offline") })
	if err != nil {
		t.Fatalf("NewTool(fail) error: %v", err)
	}
	if _, err := failing.Run(context.Background(), json.RawMessage(`{}`)); err == nil || err.Error() != "station offline" {
		t.Errorf("Run() of a failing tool error = %v, want station offline", err)
	}

	unencodable, err := agent.NewTool("chan", "", func(ctx context.Context, _ empty) (chan int, error) { return make(chan int), nil })
	if err != nil {
		t.Fatalf("NewTool(chan) error: %v", err)
	}
	if _, err := unencodable.Run(context.Background(), json.RawMessage(`{}`)); err == nil || !strings.HasPrefix(err.Error(), "encoding the result:") {
		t.Errorf("Run() of a tool with an unencodable result error = %v, want an encoding error", err)
	}
}

func TestNewToolErrors(t *testing.T) {
	fn := func(ctx context.Context, in addInput) (int, error) { return 0, nil }
	tests := []struct {
		name    string
		reason  string
		make    func() (agent.Tool, error)
		wantErr string
	}{
		{"empty_name", "a tool needs a name", func() (agent.Tool, error) { return agent.NewTool("", "", fn) }, `agent: new tool: tool name "": want 1 to 64 characters`},
		{"long_name", "Bedrock allows 64 characters (REQ-TOOL-IDS)", func() (agent.Tool, error) { return agent.NewTool(strings.Repeat("a", 65), "", fn) }, "agent: new tool: tool name"},
		{"bad_character", "Bedrock allows [a-zA-Z0-9_-] (REQ-TOOL-IDS)", func() (agent.Tool, error) { return agent.NewTool("get.weather", "", fn) }, `agent: new tool: tool name "get.weather": character '.' at 3`},
		{"nil_function", "a tool must run something", func() (agent.Tool, error) {
			return agent.NewTool[addInput, int]("add", "", nil)
		}, "agent: new tool add: nil function"},
		{"non_struct_input", "a tool's input is a JSON object", func() (agent.Tool, error) {
			return agent.NewTool("n", "", func(ctx context.Context, in int) (int, error) { return in, nil })
		}, "agent: new tool n: input type int: a tool's input is a JSON object; use a struct: schema: check: (root): type is \"integer\""},
		{"raw_schema_with_remote_ref", "a tool schema travels alone: references must be local", func() (agent.Tool, error) {
			return agent.NewRawTool(llm.Tool{Name: "r", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"other.json#/x"}}}`)}, rawEcho)
		}, `agent: new tool r: input schema: schema: check: /properties/a: $ref "other.json#/x" is not local`},
		{"raw_schema_missing_definition", "a reference must resolve", func() (agent.Tool, error) {
			return agent.NewRawTool(llm.Tool{Name: "r", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"#/$defs/y"}},"$defs":{"x":{"type":"string"}}}`)}, rawEcho)
		}, `agent: new tool r: input schema: schema: check: /properties/a: $ref "#/$defs/y": the root has no such definition`},
		{"raw_schema_not_object", "the root must be an object (REQ-SCHEMA)", func() (agent.Tool, error) {
			return agent.NewRawTool(llm.Tool{Name: "r", InputSchema: json.RawMessage(`{"type":"string"}`)}, rawEcho)
		}, "agent: new tool r: input schema:"},
		{"raw_strict_with_map", "strict tools need additionalProperties false", func() (agent.Tool, error) {
			return agent.NewRawTool(llm.Tool{Name: "r", Strict: true, InputSchema: json.RawMessage(`{"type":"object","properties":{}}`)}, rawEcho)
		}, "agent: new tool r: input schema:"},
		{"raw_bad_name", "raw tools check names too", func() (agent.Tool, error) {
			return agent.NewRawTool(llm.Tool{Name: "a b"}, rawEcho)
		}, `agent: new tool: tool name "a b"`},
	}
	for _, tt := range tests {
		_, err := tt.make()
		if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
			t.Errorf("%s: error = %v, want prefix %q (%s)", tt.name, err, tt.wantErr, tt.reason)
		}
	}
}

func rawEcho(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
	return []llm.Part{llm.Text{Text: string(input)}}, nil
}

func TestNewRawTool(t *testing.T) {
	tool, err := agent.NewRawTool(llm.Tool{
		Name:        "top_song",
		Description: "Get the most popular song played on a radio station.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"sign":{"type":"string","description":"The call sign for the radio station."}},"required":["sign"]}`),
	}, rawEcho)
	if err != nil {
		t.Fatalf("NewRawTool() error: %v", err)
	}
	if got, err := tool.Run(context.Background(), json.RawMessage(`{"sign":"WZPZ"}`)); err != nil || !cmp.Equal([]llm.Part{llm.Text{Text: `{"sign":"WZPZ"}`}}, got) {
		t.Errorf("Run(valid) = %v, %v, want the input echoed", got, err)
	}
	if _, err := tool.Run(context.Background(), json.RawMessage(`{"sign":7}`)); !errors.Is(err, agent.ErrInvalidInput) {
		t.Errorf("Run(invalid) error = %v, want ErrInvalidInput", err)
	}

	noSchema, err := agent.NewRawTool(llm.Tool{Name: "now"}, rawEcho)
	if err != nil {
		t.Fatalf("NewRawTool(no schema) error: %v", err)
	}
	if got := string(noSchema.Declaration.InputSchema); got != `{"type":"object","properties":{}}` {
		t.Errorf("NewRawTool(no schema) schema = %s, want an empty object schema", got)
	}
}

func TestCallFromContext(t *testing.T) {
	var got []llm.ToolCall
	var mu sync.Mutex
	tool := agent.Tool{
		Declaration: llm.Tool{Name: "probe"},
		Run: func(ctx context.Context, _ json.RawMessage) ([]llm.Part, error) {
			c, ok := agent.CallFromContext(ctx)
			if !ok {
				return nil, errors.New("no call in context")
			}
			mu.Lock()
			got = append(got, c)
			mu.Unlock()
			return []llm.Part{llm.Text{Text: "ok"}}, nil
		},
	}
	if _, ok := agent.CallFromContext(context.Background()); ok {
		t.Error("a call in a bare context")
	}
	m := llmtest.New(llmtest.ToolCalls(llm.ToolCall{ID: "c1", Name: "probe", Input: json.RawMessage(`{"x":1}`)}), llmtest.Text("done"))
	if _, err := agent.New(m, &agent.Options{Tools: []agent.Tool{tool}}).Run(context.Background(), &llm.Request{Model: "m"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "c1" || got[0].Name != "probe" || string(got[0].Input) != `{"x":1}` {
		t.Errorf("calls seen: %+v", got)
	}
}
