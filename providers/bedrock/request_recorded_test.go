package bedrock

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
)

// TestFormatRequestMatchesRecordings rebuilds recorded requests — sent to the real
// Bedrock and answered — from neutral requests, and compares the bodies semantically.
// The recordings are ReqLLM's; where llmkit deliberately differs, the case says how.
func TestFormatRequestMatchesRecordings(t *testing.T) {
	addTool := llm.Tool{Name: "add", Description: "Add two integers",
		InputSchema: json.RawMessage(`{"additionalProperties":false,"properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"],"type":"object"}`)}
	roundTrip := func(model, said, id string) *llm.Request {
		return &llm.Request{Model: model, MaxTokens: 150, Temperature: llm.Ptr(0.0), Tools: []llm.Tool{addTool}, Messages: []llm.Message{
			llm.UserText("Use the add tool to compute 2 + 3. After the tool result arrives, respond with 'sum=<value>'."),
			rqAsst(rqText(said), rqCall(id, "add", `{"a": 2, "b": 3}`)),
			rqTool(rqResult(id, "5")),
		}}
	}
	tests := []struct {
		fixture string
		stream  bool
		req     *llm.Request
		// differ edits the recorded body into what llmkit sends, documenting the difference.
		differ func(map[string]any)
	}{
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/basic",
			req:     &llm.Request{Model: "global.anthropic.claude-haiku-4-5-20251001-v1:0", MaxTokens: 50, Temperature: llm.Ptr(0.0), Messages: []llm.Message{llm.UserText("Hello world!")}},
		},
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/streaming",
			stream:  true,
			req: &llm.Request{Model: "global.anthropic.claude-haiku-4-5-20251001-v1:0", MaxTokens: 100, Temperature: llm.Ptr(0.9), Messages: []llm.Message{
				llm.SystemText("You are a helpful, creative assistant."), llm.UserText("Say hello in one short, imaginative sentence.")}},
		},
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/tool_round_trip_2",
			req:     roundTrip("global.anthropic.claude-haiku-4-5-20251001-v1:0", "I'll use the add tool to compute 2 + 3.", "tooluse_pr4l8my1R9Sd9YccZuSb3Q"),
		},
		{
			fixture: "cohere_command_r_plus_v1_0/tool_round_trip_2",
			req:     roundTrip("cohere.command-r-plus-v1:0", "I will use the add tool to calculate the sum of 2 and 3, and then respond with the answer in the format requested by the user.", "tooluse_0eR3xlEnSuC12ItLoveTGw"),
		},
		{
			fixture: "meta_llama3_3_70b_instruct_v1_0/multi_tool",
			req: &llm.Request{Model: "us.meta.llama3-3-70b-instruct-v1:0", MaxTokens: 150, Temperature: llm.Ptr(0.0), Messages: []llm.Message{llm.UserText("What's the weather like in Paris, France?")},
				Tools: []llm.Tool{
					{Name: "get_weather", Description: "Get current weather information for a location", InputSchema: json.RawMessage(`{"additionalProperties":false,"properties":{"location":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"],"type":"string"}},"required":["location"],"type":"object"}`)},
					{Name: "tell_joke", Description: "Tell a funny joke", InputSchema: json.RawMessage(`{"additionalProperties":false,"properties":{"topic":{"description":"Topic for the joke","type":"string"}},"type":"object"}`)},
					{Name: "get_time", Description: "Get the current time", InputSchema: json.RawMessage(`{"properties":{},"type":"object"}`)},
				}},
		},
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/object_basic",
			req: &llm.Request{Model: "global.anthropic.claude-haiku-4-5-20251001-v1:0", MaxTokens: 500, Temperature: llm.Ptr(0.0), Messages: []llm.Message{llm.UserText("Generate a software engineer profile")},
				Output: &llm.Output{Mode: llm.OutputTool, Description: "Generate structured output matching the provided schema",
					Schema: json.RawMessage(`{"additionalProperties":false,"properties":{"age":{"description":"Person's age in years","minimum":1,"type":"integer"},"name":{"description":"Person's full name","type":"string"},"occupation":{"description":"Person's job or profession","type":"string"}},"required":["name","age"],"type":"object"}`)}},
			differ: func(body map[string]any) {
				// ReqLLM meant to force the synthetic tool but sent no toolChoice (a known
				// ReqLLM bug); llmkit forces it by name.
				body["toolConfig"].(map[string]any)["toolChoice"] = map[string]any{"tool": map[string]any{"name": "structured_output"}}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("bedrocktest", "testdata", "fixtures", tc.fixture+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Request struct {
					URL           string          `json:"url"`
					CanonicalJSON json.RawMessage `json:"canonical_json"`
				} `json:"request"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal(rec.Request.CanonicalJSON, &want); err != nil {
				t.Fatal(err)
			}
			if tc.differ != nil {
				tc.differ(want)
			}
			var body []byte
			var path string
			if tc.stream {
				in, warnings, err := FormatStreamRequest(tc.req)
				if err != nil || len(warnings) > 0 {
					t.Fatalf("FormatStreamRequest(%s) = %v, %q, want no error and no warnings", tc.fixture, err, warnings)
				}
				body, path = wireConverseStream(t, in)
			} else {
				in, warnings, err := FormatRequest(tc.req)
				if err != nil || len(warnings) > 0 {
					t.Fatalf("FormatRequest(%s) = %v, %q, want no error and no warnings", tc.fixture, err, warnings)
				}
				body, path = wireConverse(t, in)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FormatRequest(%s) body differs from the recording (-recorded +llmkit):\n%s", tc.fixture, diff)
			}
			u, err := url.Parse(rec.Request.URL)
			if err != nil {
				t.Fatal(err)
			}
			if gotID, wantID := strings.TrimPrefix(path, "/model/"), strings.TrimPrefix(u.Path, "/model/"); unescapeOrSelf(gotID) != unescapeOrSelf(wantID) {
				t.Errorf("FormatRequest(%s) path = %s, recorded %s", tc.fixture, path, u.Path)
			}
		})
	}
}

func unescapeOrSelf(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
