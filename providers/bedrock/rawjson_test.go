package bedrock

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
)

// TestRawJSONOnTheWire checks that JSON given by the caller reaches the body as written —
// members in their order, number literals exact, whitespace removed — through every
// document member the request fills.
func TestRawJSONOnTheWire(t *testing.T) {
	round := func(input, result string) []llm.Message {
		return []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", input)), rqTool(rqResult("a", result))}
	}
	tests := []struct {
		name   string
		reason string
		req    *llm.Request
		want   []string // each a substring of the body
	}{
		{
			name:   "tool_input",
			reason: "tool input keeps its member order and literals; insignificant whitespace goes",
			req:    &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: round(` { "zeta" : 1.50, "alpha" : [ 1e400 , -0 ] } `, "ok")},
			want:   []string{`"input":{"zeta":1.50,"alpha":[1e400,-0]}`},
		},
		{
			name:   "empty_tool_input",
			reason: "empty tool input is sent as an empty object (REQ-TOOL-INPUT)",
			req:    &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: round(" ", "ok")},
			want:   []string{`"input":{}`},
		},
		{
			name:   "tool_input_invalid_utf8",
			reason: "each invalid UTF-8 byte in a string becomes U+FFFD, as encoding/json reads it, so the body stays valid",
			req:    &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: round("{\"city\":\"Par\xff\xfeis\"}", "ok")},
			want:   []string{"\"input\":{\"city\":\"Par\uFFFD\uFFFDis\"}"},
		},
		{
			name:   "json_tool_result",
			reason: "a JSON object result on Nova goes as a json block, as written",
			req:    &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, Messages: round(`{"city":"Paris"}`, ` {"temp": 18.50, "sky": "clear", "a": 1E2} `)},
			want:   []string{`{"json":{"temp":18.50,"sky":"clear","a":1E2}}`},
		},
		{
			name:   "tool_schema",
			reason: "a tool schema keeps its property order and literals through normalisation",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"))}, Tools: []llm.Tool{
				{Name: "order", InputSchema: json.RawMessage(`{"type":"object","properties":{"zeta":{"type":"string","description":"<z> & \u00e9"},"alpha":{"type":"number","maximum":1.0e400}},"required":["zeta"]}`)},
			}},
			want: []string{`"inputSchema":{"json":{"type":"object","properties":{"zeta":{"type":"string","description":"<z> & é"},"alpha":{"type":"number","maximum":1.0e400}},"required":["zeta"]}}`},
		},
		{
			name:   "stub_tool_schema",
			reason: "a tool called in the history but not declared gets the permissive schema",
			req:    &llm.Request{Model: rqClaude45, Messages: round(`{}`, "ok")},
			want:   []string{`"inputSchema":{"json":{"type":"object","properties":{}}}`},
		},
		{
			name:   "native_output_schema",
			reason: "the native output schema string keeps the property order",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"}}}`)}},
			want: []string{`"schema":"{\"type\":\"object\",\"properties\":{\"zeta\":{\"type\":\"string\"},\"alpha\":{\"type\":\"integer\"}},\"additionalProperties\":false}"`},
		},
		{
			name:   "additional_fields",
			reason: "the caller's additional fields keep their order and literals",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"))},
				Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(`{ "top_k": 40, "a": {"z": 0.10, "b": null} }`)}},
			want: []string{`"additionalModelRequestFields":{"top_k":40,"a":{"z":0.10,"b":null}}`},
		},
		{
			name:   "additional_fields_with_thinking",
			reason: "llmkit's thinking fields follow the caller's, which stay as written",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 8000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000}, Messages: []llm.Message{rqUser(rqText("Think."))},
				Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k":40,"a":1.0}`)}},
			want: []string{`"additionalModelRequestFields":{"top_k":40,"a":1.0,"thinking":{"budget_tokens":4000,"type":"enabled"}}`},
		},
		{
			name:   "thinking_without_caller_fields",
			reason: "llmkit's thinking fields alone make the object",
			req:    &llm.Request{Model: rqClaude45, MaxTokens: 8000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			want:   []string{`"additionalModelRequestFields":{"thinking":{"budget_tokens":4000,"type":"enabled"}}`},
		},
		{
			name:   "thinking_with_empty_caller_fields",
			reason: "an empty caller object takes llmkit's fields without a stray comma",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 8000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000}, Messages: []llm.Message{rqUser(rqText("Think."))},
				Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(` { } `)}},
			want: []string{`"additionalModelRequestFields":{"thinking":{"budget_tokens":4000,"type":"enabled"}}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := formatRequest(tc.req, capabilitiesFor(tc.req.Model, nil))
			if err != nil {
				t.Fatalf("FormatRequest(%s) = %v, want no error (%s)", tc.name, err, tc.reason)
			}
			for _, body := range [][]byte{first(wireConverse(t, p.input)), first(wireConverseStream(t, p.streamInput()))} {
				if !json.Valid(body) || !utf8.Valid(body) {
					t.Fatalf("FormatRequest(%s) body is not valid JSON in UTF-8: %q", tc.name, body)
				}
				for _, w := range tc.want {
					if !bytes.Contains(body, []byte(w)) {
						t.Errorf("FormatRequest(%s) body = %s, want it to hold %s (%s)", tc.name, body, w, tc.reason)
					}
				}
			}
		})
	}
}

func first[A, B any](a A, _ B) A { return a }

func TestRawDocument(t *testing.T) {
	const in = `{"b":12345678901234567890,"a":[1.50,"x",null,true]}`
	doc := newRawDocument([]byte(in))
	got, err := doc.MarshalSmithyDocument()
	if err != nil || string(got) != in {
		t.Errorf("MarshalSmithyDocument() = %s, %v, want %s, nil", got, err, in)
	}
	var v any
	if err := doc.UnmarshalSmithyDocument(&v); err != nil {
		t.Fatalf("UnmarshalSmithyDocument(&v) = %v, want no error", err)
	}
	want := map[string]any{"b": json.Number("12345678901234567890"), "a": []any{json.Number("1.50"), "x", nil, true}}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("UnmarshalSmithyDocument(&v) (-want +got):\n%s", diff)
	}
	var s struct {
		B uint64 `json:"b"`
	}
	if err := doc.UnmarshalSmithyDocument(&s); err != nil || s.B != 12345678901234567890 {
		t.Errorf("UnmarshalSmithyDocument(&struct) = %v, b = %d, want 12345678901234567890", err, s.B)
	}
}
