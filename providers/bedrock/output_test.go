package bedrock_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestOutputMapFallsBackToTool checks what happens to an output schema with a map (as
// schema.For makes of a map[string]int field) on a model with native structured
// output: in auto mode the object goes through the synthetic tool, with a warning
// saying so; asked for natively, the error says how to get it.
func TestOutputMapFallsBackToTool(t *testing.T) {
	const id = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	sch := json.RawMessage(`{"type":"object","properties":{"counts":{"type":"object","additionalProperties":{"type":"integer"}}},"required":["counts"]}`)
	req := func(mode llm.OutputMode) *llm.Request {
		return &llm.Request{Model: id, Messages: []llm.Message{llm.UserText("Count the words.")}, Output: &llm.Output{Schema: sch, Mode: mode}}
	}

	in, warns, err := bedrock.FormatRequest(req(llm.OutputAuto))
	if err != nil {
		t.Fatalf("auto mode: %v", err)
	}
	if in.OutputConfig != nil || in.ToolConfig == nil || len(in.ToolConfig.Tools) != 1 {
		t.Fatalf("auto mode: outputConfig %v, toolConfig %+v; want the synthetic tool", in.OutputConfig, in.ToolConfig)
	}
	if spec := in.ToolConfig.Tools[0].(*types.ToolMemberToolSpec); *spec.Value.Name != "structured_output" {
		t.Errorf("auto mode: tool %s, want structured_output", *spec.Value.Name)
	}
	if len(warns) != 1 || warns[0].Code != llm.WarningUnsupported || warns[0].Field != "output.mode" || !strings.Contains(warns[0].Detail, "through the structured_output tool") {
		t.Errorf("auto mode: warnings %v, want one saying the tool carries the object", warns)
	}

	// Keywords a strict schema drops stay in the tool's schema, and nobody is told they
	// were dropped.
	bounded := req(llm.OutputAuto)
	bounded.Output.Schema = json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer","minimum":1},"counts":{"type":"object","additionalProperties":{"type":"integer"}}}}`)
	in, warns, err = bedrock.FormatRequest(bounded)
	if err != nil || in.ToolConfig == nil || len(in.ToolConfig.Tools) != 1 {
		t.Fatalf("auto mode with minimum: toolConfig %+v, error %v; want the synthetic tool", in.ToolConfig, err)
	}
	if len(warns) != 1 || warns[0].Field != "output.mode" {
		t.Errorf("auto mode with minimum: warnings %v, want only the fallback's", warns)
	}
	if doc, _ := in.ToolConfig.Tools[0].(*types.ToolMemberToolSpec).Value.InputSchema.(*types.ToolInputSchemaMemberJson).Value.MarshalSmithyDocument(); !strings.Contains(string(doc), `"minimum":1`) {
		t.Errorf("auto mode with minimum: tool schema %s, want minimum kept", doc)
	}

	// A schema without a map stays native, with no warning.
	plain := req(llm.OutputAuto)
	plain.Output.Schema = json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}}}`)
	if in, warns, err := bedrock.FormatRequest(plain); err != nil || in.OutputConfig == nil || len(warns) != 0 {
		t.Errorf("auto mode without a map: outputConfig %v, warnings %v, error %v; want native output", in.OutputConfig, warns, err)
	}

	_, _, err = bedrock.FormatRequest(req(llm.OutputNative))
	var ire *llm.InvalidRequestError
	if !errors.As(err, &ire) || ire.Field != "output.schema at /properties/counts" || !strings.Contains(err.Error(), "llm.OutputTool") {
		t.Errorf("native mode: error %v; want an invalid request naming the map field and the tool mode", err)
	}
}

// TestOutputMapThroughTheSimulator sends an output schema with a map to a Claude 4.5
// model id through the real SDK client: the request carries the synthetic tool, and
// the object comes back in Response.Object with the warning, never as a tool call.
func TestOutputMapThroughTheSimulator(t *testing.T) {
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	m := bedrock.New(srv.Client(nil), nil)
	srv.Enqueue(bedrocktest.Respond(&llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "o1", Name: "structured_output", Input: json.RawMessage(`{"counts":{"a":1,"b":2}}`)},
		}},
		StopReason: llm.StopReasonToolUse,
	}))
	resp, err := m.Generate(t.Context(), &llm.Request{
		Model:    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
		Messages: []llm.Message{llm.UserText("Count the letters of ab.")},
		Output:   &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"counts":{"type":"object","additionalProperties":{"type":"integer"}}},"required":["counts"]}`)},
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if string(resp.Object) != `{"counts":{"a":1,"b":2}}` || len(resp.ToolCalls()) != 0 {
		t.Errorf("object %s, tool calls %v; want the object and no call", resp.Object, resp.ToolCalls())
	}
	if len(resp.Warnings) != 1 || resp.Warnings[0].Code != llm.WarningUnsupported {
		t.Errorf("warnings %v, want the fallback's", resp.Warnings)
	}
	if body := string(srv.Requests()[0].Body); strings.Contains(body, "outputConfig") || !strings.Contains(body, `"structured_output"`) {
		t.Errorf("the request asks natively, not through the tool: %s", body)
	}
}
