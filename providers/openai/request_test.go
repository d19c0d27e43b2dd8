package openai_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// body formats req and returns the JSON sent. It checks that the Model's own
// encoding of the body means the same (checkModelBody).
func body(t *testing.T, req *llm.Request) (string, []llm.Warning) {
	t.Helper()
	p, ws, err := openai.FormatRequest(req)
	if err != nil {
		t.Fatalf("FormatRequest: %v", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	checkModelBody(t, req)
	return string(b), ws
}

func sameJSON(t *testing.T, want, got string) {
	t.Helper()
	ms, err := openaitest.CompareJSON([]byte(want), []byte(got), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		t.Errorf("%s", m)
	}
}

func TestFormatRequestWire(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false}`)
	defs := json.RawMessage(`{"type":"object","$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}},"properties":{"root":{"$ref":"#/$defs/node"}}}`)
	req := &llm.Request{
		Model: "gpt-4o",
		Messages: []llm.Message{
			llm.SystemText("Be brief."),
			{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{Text: "Look:"}, llm.Image{Format: "png", Data: []byte{1, 2, 3}}, llm.Image{URI: "https://example.com/a.jpg"}}},
			{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "c1", Name: "add", Input: json.RawMessage(`{"a":1}`)}, llm.ToolCall{ID: "c2", Name: "walk"}}},
			{Role: llm.RoleUser, Parts: []llm.Part{llm.ToolResult{CallID: "c1", Content: []llm.Part{llm.Text{Text: "2"}}}, llm.ToolResult{CallID: "c2", IsError: true, Content: []llm.Part{llm.Text{Text: "no"}}}, llm.Text{Text: "And?"}}},
		},
		Tools:         []llm.Tool{{Name: "add", Description: "Add", InputSchema: schema, Strict: true}, {Name: "walk", InputSchema: defs}},
		ToolChoice:    llm.ToolChoice{Mode: llm.ToolChoiceRequired},
		MaxTokens:     100,
		Temperature:   llm.Ptr(0.5),
		StopSequences: []string{"END"},
		Extra:         &openai.Extra{Seed: llm.Ptr(int64(7)), ParallelToolCalls: llm.Ptr(false), Fields: map[string]any{"top_k": 5}},
	}
	got, ws := body(t, req)
	if len(ws) != 0 {
		t.Errorf("warnings %v", ws)
	}
	sameJSON(t, `{
		"model":"gpt-4o","max_tokens":100,"temperature":0.5,"stop":["END"],"seed":7,"parallel_tool_calls":false,"top_k":5,
		"tool_choice":"required",
		"tools":[
			{"type":"function","function":{"name":"add","description":"Add","parameters":`+string(schema)+`,"strict":true}},
			{"type":"function","function":{"name":"walk","parameters":`+string(defs)+`}}],
		"messages":[
			{"role":"system","content":"Be brief."},
			{"role":"user","content":[{"type":"text","text":"Look:"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AQID"}},{"type":"image_url","image_url":{"url":"https://example.com/a.jpg"}}]},
			{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"add","arguments":"{\"a\":1}"}},{"id":"c2","type":"function","function":{"name":"walk","arguments":"{}"}}]},
			{"role":"tool","tool_call_id":"c1","content":"2"},
			{"role":"tool","tool_call_id":"c2","content":"Error: no"},
			{"role":"user","content":"And?"}]}`, got)
}

func TestFormatRequestModels(t *testing.T) {
	// OpenAI reasoning models: max_completion_tokens, effort, no temperature.
	req := &llm.Request{Model: "o4-mini", MaxTokens: 50, Temperature: llm.Ptr(1.0), Reasoning: &llm.ReasoningConfig{BudgetTokens: 20000},
		Messages: []llm.Message{llm.UserText("hi")}}
	got, ws := body(t, req)
	sameJSON(t, `{"model":"o4-mini","max_completion_tokens":50,"reasoning_effort":"high","messages":[{"role":"user","content":"hi"}]}`, got)
	if !llm.HasWarning(ws, llm.WarningUnsupported) || !llm.HasWarning(ws, llm.WarningRepaired) {
		t.Errorf("warnings %v, want the dropped temperature and the budget mapped to an effort", ws)
	}
	// Structured output: native on gpt-4o, a forced tool on Llama; a stream asks for usage.
	out := &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"x":{"type":"string"}},"required":["x"],"additionalProperties":false}`)}
	req = &llm.Request{Model: "gpt-4o", Output: out, Messages: []llm.Message{llm.UserText("hi")}}
	p, _, err := openai.FormatStreamRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	sameJSON(t, `{"model":"gpt-4o","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}],
		"response_format":{"type":"json_schema","json_schema":{"name":"structured_output","schema":`+string(out.Schema)+`,"strict":true}}}`, string(b))
	req.Model = "llama-3.3-70b-versatile"
	got, _ = body(t, req)
	sameJSON(t, `{"model":"llama-3.3-70b-versatile","messages":[{"role":"user","content":"hi"}],
		"tools":[{"type":"function","function":{"name":"structured_output","description":"Generate structured output matching the provided schema","parameters":`+string(out.Schema)+`,"strict":true}}],
		"tool_choice":{"type":"function","function":{"name":"structured_output"}}}`, got)
	// History reasoning and cache points cannot be sent: dropped with a warning.
	req = &llm.Request{Model: "qwen/qwen3-32b", Messages: []llm.Message{llm.UserText("hi"),
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Reasoning{Text: "hmm"}, llm.Text{Text: "Hello"}}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{Text: "again"}, llm.CachePoint{}}}}}
	got, ws = body(t, req)
	sameJSON(t, `{"model":"qwen/qwen3-32b","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello"},{"role":"user","content":"again"}]}`, got)
	if len(ws) != 2 || ws[0].Code != llm.WarningDropped || ws[0].Message != 1 || ws[0].Part != 0 || ws[1].Message != 2 || ws[1].Part != 1 {
		t.Errorf("warnings %v", ws)
	}
}

func TestFormatRequestErrors(t *testing.T) {
	call := llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "c1", Name: "add"}}}
	result := llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.ToolResult{CallID: "c1", Content: []llm.Part{llm.Text{Text: "1"}}}}}
	loose := json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"}}}`)
	cases := []struct {
		name      string
		req       *llm.Request
		msg, part int
		field     string
		reason    string
	}{
		{"no model", &llm.Request{Messages: []llm.Message{llm.UserText("hi")}}, -1, -1, "model", "no model"},
		{"no messages", &llm.Request{Model: "gpt-4o"}, -1, -1, "messages", "no messages"},
		{"empty message", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{{Role: llm.RoleUser}}}, 0, -1, "", "no parts"},
		{"call without result", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), call, llm.UserText("and?")}}, 2, -1, "", "c1"},
		{"call unanswered at end", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), call}}, 1, -1, "", "no result"},
		{"result without call", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), result}}, 1, 0, "", "no earlier assistant"},
		{"result twice", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), call, result, result}}, 3, 0, "", "already has its result"},
		{"call id twice", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"),
			{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "c1", Name: "add"}, llm.ToolCall{ID: "c1", Name: "add"}}}}}, 1, 1, "", "used twice"},
		{"assistant turn before the result", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), call, llm.AssistantText("so")}}, 2, -1, "", "tool call c1 (message 1) has no result"},
		{"text beside a missing result", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), call, llm.UserText("and?")}}, 2, -1, "", "tool call c1 (message 1) has no result yet"},
		{"image in tool result", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), call,
			{Role: llm.RoleUser, Parts: []llm.Part{llm.ToolResult{CallID: "c1", Content: []llm.Part{llm.Image{Format: "png", Data: []byte{1}}}}}}}}, 2, 0, "", "text only"},
		{"image without format", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.Image{Data: []byte{1}}}}}}, 0, 0, "", "no format"},
		{"image on a text model", &llm.Request{Model: "llama-3.3-70b-versatile", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.Image{URI: "https://x/y.png"}}}}}, 0, 0, "", "images"},
		{"document", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.Document{Format: "pdf", Data: []byte{1}}}}}}, 0, 0, "", "a document"},
		{"bad tool name", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{{Name: "a b"}}}, -1, -1, "tools[0].name", "not a valid"},
		{"strict tool, loose schema", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{{Name: "a", InputSchema: loose, Strict: true}}}, -1, -1, "tools[0].input_schema", "additionalProperties"},
		{"unknown tool choice", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{{Name: "a"}}, ToolChoice: llm.UseTool("b")}, -1, -1, "tool_choice.name", "not declared"},
		{"temperature", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}, Temperature: llm.Ptr(3.0)}, -1, -1, "temperature", "outside"},
		{"opaque block of another provider", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.Opaque{Provider: "bedrock", Kind: "guardContent", Raw: json.RawMessage(`{}`)}}}}}, 0, 0, "", `opaque "guardContent" block of provider "bedrock"`},
		{"search result", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.SearchResult{Source: "s", Content: []string{"c"}}}}}}, 0, 0, "", "a search result"},
		{"server tool", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{{Name: "web_search", Server: true}}}, -1, -1, "tools[0]", "server-side"},
		{"server tool call in history", &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi"), {Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "s1", Name: "web", Server: true}}}}}, 1, 0, "", "server-side"},
		{"native output unsupported", &llm.Request{Model: "llama-3.3-70b-versatile", Messages: []llm.Message{llm.UserText("hi")}, Output: &llm.Output{Schema: loose, Mode: llm.OutputNative}}, -1, -1, "output.mode", "native"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := openai.FormatRequest(tc.req)
			var ire *llm.InvalidRequestError
			if !errors.As(err, &ire) {
				t.Fatalf("error %v, want an *llm.InvalidRequestError", err)
			}
			if ire.Message != tc.msg || ire.Part != tc.part || ire.Field != tc.field || !strings.Contains(ire.Reason, tc.reason) {
				t.Errorf("got message %d part %d field %q reason %q; want %d %d %q containing %q", ire.Message, ire.Part, ire.Field, ire.Reason, tc.msg, tc.part, tc.field, tc.reason)
			}
		})
	}
}

// TestExtrasForSeveralProviders sends one request carrying Bedrock's settings and
// Chat Completions' in an llm.Extras: this provider takes its own, ignores the others'.
func TestExtrasForSeveralProviders(t *testing.T) {
	extras := llm.Extras{
		&bedrock.Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k":40}`)},
		&openai.Extra{Seed: llm.Ptr(int64(7))},
	}
	got, ws := body(t, &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}, Extra: extras})
	sameJSON(t, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"seed":7}`, got)
	if len(ws) != 0 {
		t.Errorf("warnings %v", ws)
	}
	_, _, err := openai.FormatRequest(&llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")},
		Extra: llm.Extras{&openai.Extra{}, openai.Extra{}}})
	var ie *llm.InvalidRequestError
	if !errors.As(err, &ie) || ie.Field != "extra" || !strings.Contains(ie.Reason, "more than one openai.Extra") {
		t.Errorf("FormatRequest(two openai.Extra) = %v, want an invalid request at extra", err)
	}
}

func TestExtraOfOtherProviderIgnored(t *testing.T) {
	type otherExtra struct{ Guardrail string }
	got, ws := body(t, &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}, Extra: &otherExtra{"g"}})
	sameJSON(t, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`, got)
	if len(ws) != 0 {
		t.Errorf("warnings %v", ws)
	}
}
