package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// fixtures returns the recorded exchanges shipped with bedrocktest, keyed by
// "model/scenario".
func fixtures(t testing.TB) map[string]*bedrocktest.Fixture {
	t.Helper()
	fsys := bedrocktest.Fixtures()
	paths, err := fs.Glob(fsys, "*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no fixtures under bedrocktest/testdata/fixtures")
	}
	out := make(map[string]*bedrocktest.Fixture, len(paths))
	for _, p := range paths {
		f, err := bedrocktest.LoadFixture(fsys, p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(p, ".json")] = f
	}
	return out
}

// decodeConverse runs the real SDK client against a loopback server that answers with
// body, so that body is decoded exactly as Bedrock's answers are.
func decodeConverse(t testing.TB, body []byte, requestID string) *bedrockruntime.ConverseOutput {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if requestID != "" {
			w.Header().Set("X-Amzn-Requestid", requestID)
		}
		w.Write(body)
	}))
	defer srv.Close()
	out, err := testSDKClient(srv.URL).Converse(context.Background(), &bedrockruntime.ConverseInput{ModelId: aws.String("test-model")})
	if err != nil {
		t.Fatalf("Converse against a server answering %.200s: %v", body, err)
	}
	return out
}

// testSDKClient is a real Bedrock Runtime client for a loopback server: static
// credentials, no retries, and the request-body fix (RULES.md SDK-BODY-CLOSE).
func testSDKClient(url string) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   NewHTTPClient(nil),
	})
}

// goldenResponse is the JSON form of an [llm.Response] in golden files.
type goldenResponse struct {
	Role          llm.Role         `json:"role"`
	Parts         []map[string]any `json:"parts"`
	StopReason    llm.StopReason   `json:"stopReason"`
	RawStopReason string           `json:"rawStopReason"`
	Usage         llm.Usage        `json:"usage"`
	LatencyMs     int64            `json:"latencyMs"`
	Object        json.RawMessage  `json:"object,omitempty"`
	RequestID     string           `json:"requestId,omitempty"`
	Warnings      []llm.Warning    `json:"warnings,omitempty"`
	Extra         any              `json:"extra,omitempty"`
}

func goldenJSON(t testing.TB, r *llm.Response) []byte {
	t.Helper()
	g := goldenResponse{
		Role:          r.Message.Role,
		Parts:         []map[string]any{},
		StopReason:    r.StopReason,
		RawStopReason: r.RawStopReason,
		Usage:         r.Usage,
		LatencyMs:     r.Latency.Milliseconds(),
		Object:        r.Object,
		RequestID:     r.RequestID,
		Warnings:      r.Warnings,
		Extra:         r.Extra,
	}
	for _, p := range r.Message.Parts {
		var m map[string]any
		switch v := p.(type) {
		case llm.Text:
			m = map[string]any{"text": v.Text}
		case llm.ToolCall:
			m = map[string]any{"toolCall": map[string]any{"id": v.ID, "name": v.Name, "input": v.Input}}
		case llm.Reasoning:
			m = map[string]any{"reasoning": map[string]any{"text": v.Text, "signature": v.Signature, "redacted": v.Redacted}}
		case llm.Image:
			m = map[string]any{"image": map[string]any{"format": v.Format, "data": v.Data, "uri": v.URI}}
		case llm.Document:
			m = map[string]any{"document": map[string]any{"name": v.Name, "format": v.Format, "data": v.Data, "uri": v.URI}}
		default:
			t.Fatalf("response part %T has no golden form", p)
		}
		g.Parts = append(g.Parts, m)
	}
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestParseResponseFixtures decodes every recorded Converse answer with the SDK's own
// deserializer and compares ParseResponse's result with its golden file.
func TestParseResponseFixtures(t *testing.T) {
	n := 0
	for name, f := range fixtures(t) {
		if len(f.Chunks) > 0 || f.Response.Status != http.StatusOK {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			out := decodeConverse(t, f.Response.Body, f.Response.Headers.Get("x-amzn-requestid"))
			resp, err := ParseResponse(out)
			if err != nil {
				t.Fatalf("ParseResponse(%s) error: %v", name, err)
			}
			if resp.RequestID == "" || resp.RequestID != f.Response.Headers.Get("x-amzn-requestid") {
				t.Errorf("ParseResponse(%s).RequestID = %q, want %q", name, resp.RequestID, f.Response.Headers.Get("x-amzn-requestid"))
			}
			checkGolden(t, filepath.Join("testdata", "response", name+".json"), goldenJSON(t, resp))
		})
	}
	if n == 0 {
		t.Fatal("no non-stream fixtures")
	}
}

// TestParseResponseWire decodes hand-written bodies with the SDK, for behaviour that only
// the SDK's decoder produces.
func TestParseResponseWire(t *testing.T) {
	const usage = `"usage":{"inputTokens":3,"outputTokens":5,"totalTokens":8}`
	tests := []struct {
		name   string
		reason string
		body   string
		want   *llm.Response
	}{{
		name:   "unknown_block_first",
		reason: "SDK-UNKNOWN-UNION: an unknown first block decodes as nil; skip it with a warning",
		body:   `{"output":{"message":{"role":"assistant","content":[{"hologram":{"x":1}},{"text":"hi"}]}},"stopReason":"end_turn",` + usage + `}`,
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "hi"}}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Usage:    llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
			Warnings: []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, 0, "unknown block skipped")},
		},
	}, {
		name:   "unknown_block_repeats_previous",
		reason: "SDK-UNKNOWN-UNION: an unknown block after a known one decodes as the same pointer again; it is not a second copy",
		body:   `{"output":{"message":{"role":"assistant","content":[{"text":"a"},{"hologram":{}},{"text":"b"},{"hologram":{}},{"hologram":{}}]}},"stopReason":"end_turn",` + usage + `}`,
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "a"}, llm.Text{Text: "b"}}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
			Warnings: []llm.Warning{
				llm.WarnBlockf(llm.WarningSkipped, 1, "unknown block skipped"),
				llm.WarnBlockf(llm.WarningSkipped, 3, "unknown block skipped"),
				llm.WarnBlockf(llm.WarningSkipped, 4, "unknown block skipped"),
			},
		},
	}, {
		name:   "tool_input_numbers_verbatim",
		reason: "SDK-DOC-NUMBERS: tool input is the document's own JSON, numbers as written (no float64 round trip, no document.Number strings)",
		body:   `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"calc","input":{"big":12345678901234567890,"f":3.50,"e":2e3,"n":null,"s":"\u00e9"},"type":"tool_use"}}]}},"stopReason":"tool_use",` + usage + `}`,
		want: &llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.ToolCall{ID: "t1", Name: "calc", Input: json.RawMessage(`{"big":12345678901234567890,"e":2e3,"f":3.50,"n":null,"s":"é"}`)},
			}},
			StopReason: llm.StopReasonToolUse, RawStopReason: "tool_use",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
		},
	}, {
		name:   "tool_input_empty_object",
		reason: "REQ-TOOL-INPUT mirrored: a tool call with {} input stays {}",
		body:   `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"now","input":{}}}]}},"stopReason":"tool_use",` + usage + `}`,
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "t1", Name: "now", Input: json.RawMessage(`{}`)}}},
			StopReason: llm.StopReasonToolUse, RawStopReason: "tool_use",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
		},
	}, {
		name:   "end_turn_with_tool_calls",
		reason: "RESP-STOP: end_turn with tool calls reads as tool_use, raw value kept",
		body:   `{"output":{"message":{"role":"assistant","content":[{"text":"calling"},{"toolUse":{"toolUseId":"t1","name":"add","input":{"a":1}}}]}},"stopReason":"end_turn",` + usage + `}`,
		want: &llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.Text{Text: "calling"}, llm.ToolCall{ID: "t1", Name: "add", Input: json.RawMessage(`{"a":1}`)},
			}},
			StopReason: llm.StopReasonToolUse, RawStopReason: "end_turn",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
		},
	}, {
		name:   "unknown_stop_reason",
		reason: "RESP-STOP and SDK-UNKNOWN-UNION: unknown enum strings pass through; kept raw, read as unknown",
		body:   `{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"solar_flare",` + usage + `}`,
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "x"}}},
			StopReason: llm.StopReasonUnknown, RawStopReason: "solar_flare",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
		},
	}, {
		name:   "cache_usage_and_extra",
		reason: "STREAM-METADATA: cache reads/writes counted apart from input; latency, trace, service tier, performance and additional fields kept",
		body: `{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"end_turn",` +
			`"usage":{"inputTokens":3,"outputTokens":5,"totalTokens":1032,"cacheReadInputTokens":1000,"cacheWriteInputTokens":24,"cacheReadInputTokenCount":1000},` +
			`"metrics":{"latencyMs":1234},"performanceConfig":{"latency":"optimized"},"serviceTier":{"type":"flex"},` +
			`"trace":{"promptRouter":{"invokedModelId":"arn:aws:bedrock:us-east-1::foundation-model/x"}},` +
			`"additionalModelResponseFields":{"stop_sequence":null,"z":[1.0]}}`,
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "x"}}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Usage:   llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 1032, CacheReadTokens: 1000, CacheWriteTokens: 24},
			Latency: 1234 * time.Millisecond,
			Extra: &ResponseExtra{
				Trace:                         &ResponseTrace{PromptRouter: &types.PromptRouterTrace{InvokedModelId: aws.String("arn:aws:bedrock:us-east-1::foundation-model/x")}},
				PerformanceConfig:             &types.PerformanceConfiguration{Latency: types.PerformanceConfigLatencyOptimized},
				ServiceTier:                   &types.ServiceTier{Type: types.ServiceTierTypeFlex},
				AdditionalModelResponseFields: json.RawMessage(`{"stop_sequence":null,"z":[1.0]}`),
			},
		},
	}, {
		name:   "reasoning_then_text",
		reason: "RESP-REASONING: reasoning text and signature, and redacted bytes, kept exactly for replay",
		body: `{"output":{"message":{"role":"assistant","content":[` +
			`{"reasoningContent":{"reasoningText":{"text":"think","signature":"c2ln"}}},` +
			`{"reasoningContent":{"redactedContent":"AAEC"}},{"text":"answer"}]}},"stopReason":"end_turn",` + usage + `}`,
		want: &llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.Reasoning{Text: "think", Signature: "c2ln"}, llm.Reasoning{Redacted: []byte{0, 1, 2}}, llm.Text{Text: "answer"},
			}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
		},
	}, {
		name:   "server_tool_use_kept",
		reason: "REQ-SERVER-TOOLS: a server-side tool call, run by Bedrock, is kept with Server set (so that Message.ToolCalls and the agent loop leave it alone), with its result; end_turn stays end_turn",
		body: `{"output":{"message":{"role":"assistant","content":[` +
			`{"toolUse":{"toolUseId":"s1","name":"nova_grounding","input":{"q":"x"},"type":"server_tool_use"}},` +
			`{"toolResult":{"toolUseId":"s1","content":[{"text":"found"}]}},{"text":"done"}]}},"stopReason":"end_turn",` + usage + `}`,
		want: &llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.ToolCall{ID: "s1", Name: "nova_grounding", Input: json.RawMessage(`{"q":"x"}`), Server: true},
				llm.ToolResult{CallID: "s1", Server: true, Content: []llm.Part{llm.Text{Text: "found"}}},
				llm.Text{Text: "done"},
			}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.RequestID = "req-" + tt.name
			got, err := ParseResponse(decodeConverse(t, []byte(tt.body), tt.want.RequestID))
			if err != nil {
				t.Fatalf("ParseResponse(%s) error: %v (%s)", tt.name, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got, jsonBytes, sdkFields); diff != "" {
				t.Errorf("ParseResponse(%s) mismatch (-want +got), %s:\n%s", tt.name, tt.reason, diff)
			}
		})
	}
}

// jsonBytes compares json.RawMessage byte for byte: the tests above check that the
// bytes Bedrock sent are kept as written.
var jsonBytes = cmp.Comparer(func(a, b json.RawMessage) bool { return bytes.Equal(a, b) })

// sdkFields lets go-cmp look into SDK types, whose only unexported field is an empty
// marker.
var sdkFields = cmp.Exporter(func(t reflect.Type) bool { return strings.HasPrefix(t.PkgPath(), "github.com/aws/") })

// jsonEqual compares json.RawMessage as parsed JSON.
var jsonEqual = cmp.Comparer(func(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return cmp.Equal(x, y)
})

func msgOutput(blocks ...types.ContentBlock) *bedrockruntime.ConverseOutput {
	return &bedrockruntime.ConverseOutput{
		Output:     &types.ConverseOutputMemberMessage{Value: types.Message{Role: types.ConversationRoleAssistant, Content: blocks}},
		StopReason: types.StopReasonEndTurn,
	}
}

// TestParseResponseBlocks covers content blocks built as SDK values.
func TestParseResponseBlocks(t *testing.T) {
	text := &types.ContentBlockMemberText{Value: "t"}
	tests := []struct {
		name      string
		reason    string
		blocks    []types.ContentBlock
		wantParts []llm.Part
		wantWarn  []llm.Warning
	}{{
		name:      "nil_block",
		reason:    "SDK-UNKNOWN-UNION: an unknown block may decode as nil",
		blocks:    []types.ContentBlock{text, nil},
		wantParts: []llm.Part{llm.Text{Text: "t"}},
		wantWarn:  []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, 1, "unknown block skipped")},
	}, {
		name:      "repeated_pointer",
		reason:    "SDK-UNKNOWN-UNION: the same pointer twice in a row is an unknown block, not a duplicate",
		blocks:    []types.ContentBlock{text, text},
		wantParts: []llm.Part{llm.Text{Text: "t"}},
		wantWarn:  []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, 1, "unknown block skipped")},
	}, {
		name:      "equal_values_distinct_pointers",
		reason:    "two equal text blocks that are distinct pointers are both real",
		blocks:    []types.ContentBlock{&types.ContentBlockMemberText{Value: "t"}, &types.ContentBlockMemberText{Value: "t"}},
		wantParts: []llm.Part{llm.Text{Text: "t"}, llm.Text{Text: "t"}},
	}, {
		name:     "unknown_union_member",
		reason:   "SDK-UNKNOWN-UNION: an UnknownUnionMember is skipped with a warning naming its tag",
		blocks:   []types.ContentBlock{&types.UnknownUnionMember{Tag: "hologram"}},
		wantWarn: []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, 0, "unknown block %q skipped", "hologram")},
	}, {
		name:   "image_and_document",
		reason: "images and documents returned by a model become parts (bytes or s3 URI)",
		blocks: []types.ContentBlock{
			&types.ContentBlockMemberImage{Value: types.ImageBlock{Format: types.ImageFormatPng, Source: &types.ImageSourceMemberBytes{Value: []byte{1}}}},
			&types.ContentBlockMemberImage{Value: types.ImageBlock{Format: types.ImageFormatJpeg, Source: &types.ImageSourceMemberS3Location{Value: types.S3Location{Uri: aws.String("s3://b/k.jpg")}}}},
			&types.ContentBlockMemberDocument{Value: types.DocumentBlock{Name: aws.String("report"), Format: types.DocumentFormatTxt, Source: &types.DocumentSourceMemberText{Value: "body"}}},
			&types.ContentBlockMemberImage{Value: types.ImageBlock{Format: types.ImageFormatPng}},
		},
		wantParts: []llm.Part{
			llm.Image{Format: "png", Data: []byte{1}},
			llm.Image{Format: "jpeg", URI: "s3://b/k.jpg"},
			llm.Document{Name: "report", Format: "txt", Data: []byte("body")},
		},
		wantWarn: []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, 3, "%s", "image without a usable source skipped")},
	}, {
		name:   "citations",
		reason: "RESP-CITATIONS: cited text is kept as text with its citations",
		blocks: []types.ContentBlock{&types.ContentBlockMemberCitationsContent{Value: types.CitationsContentBlock{
			Content:   []types.CitationGeneratedContent{&types.CitationGeneratedContentMemberText{Value: "Paris "}, &types.CitationGeneratedContentMemberText{Value: "is big"}},
			Citations: []types.Citation{{Title: aws.String("atlas")}},
		}}},
		wantParts: []llm.Part{llm.Text{Text: "Paris is big", Citations: []llm.Citation{{Title: "atlas"}}}},
	}, {
		name:   "request_only_blocks",
		reason: "guard content, cache points and other request-side blocks are skipped, never silently",
		blocks: []types.ContentBlock{
			&types.ContentBlockMemberGuardContent{},
			&types.ContentBlockMemberCachePoint{},
			&types.ContentBlockMemberReasoningContent{Value: &types.UnknownUnionMember{Tag: "future"}},
		},
		wantWarn: []llm.Warning{
			llm.WarnBlockf(llm.WarningSkipped, 0, "%s", "empty guardContent block skipped"),
			llm.WarnBlockf(llm.WarningSkipped, 1, "%s", "unsupported cachePoint block skipped"),
			llm.WarnBlockf(llm.WarningSkipped, 2, "%s", "unknown reasoning content \"future\" skipped"),
		},
	}, {
		name:      "tool_use_without_input",
		reason:    "a tool call with no input document gets {}",
		blocks:    []types.ContentBlock{&types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{ToolUseId: aws.String("t"), Name: aws.String("n")}}},
		wantParts: []llm.Part{llm.ToolCall{ID: "t", Name: "n", Input: json.RawMessage("{}")}},
	}, {
		name:      "tool_use_lazy_document",
		reason:    "a document built by a caller (not decoded from the wire) renders through its own marshaler",
		blocks:    []types.ContentBlock{&types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{ToolUseId: aws.String("t"), Name: aws.String("n"), Input: document.NewLazyDocument(map[string]any{"a": 1})}}},
		wantParts: []llm.Part{llm.ToolCall{ID: "t", Name: "n", Input: json.RawMessage(`{"a":1}`)}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResponse(msgOutput(tt.blocks...))
			if err != nil {
				t.Fatalf("ParseResponse(%s) error: %v", tt.name, err)
			}
			want := tt.wantParts
			if want == nil {
				want = []llm.Part{}
			}
			if diff := cmp.Diff(want, got.Message.Parts, jsonEqual); diff != "" {
				t.Errorf("ParseResponse(%s) parts mismatch (-want +got), %s:\n%s", tt.name, tt.reason, diff)
			}
			if diff := cmp.Diff(tt.wantWarn, got.Warnings); diff != "" {
				t.Errorf("ParseResponse(%s) warnings mismatch (-want +got), %s:\n%s", tt.name, tt.reason, diff)
			}
		})
	}
}

func TestParseResponseErrors(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		out    *bedrockruntime.ConverseOutput
		want   string
	}{
		{"nil_output", "nothing to parse", nil, "bedrock: parse response: nil output"},
		{"no_message", "an answer without a message cannot be read as an empty success", &bedrockruntime.ConverseOutput{}, "bedrock: parse response: response has no output message"},
		{"unknown_output", "an unknown output member is not a message", &bedrockruntime.ConverseOutput{Output: &types.UnknownUnionMember{Tag: "video"}}, `bedrock: parse response: unknown output member "video"`},
		{"tool_input_not_object", "tool input must be a JSON object", msgOutput(&types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{ToolUseId: aws.String("t"), Name: aws.String("n"), Input: document.NewLazyDocument([]any{1})}}),
			`bedrock: parse response: content block 0: tool t (n): input is not a JSON object: "[1]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResponse(tt.out)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseResponse(%s) = %v, %v; want error %q (%s)", tt.name, got, err, tt.want, tt.reason)
			}
		})
	}
}

// TestParseStopReason covers every stop reason of RULES.md RESP-STOP.
func TestParseStopReason(t *testing.T) {
	tests := []struct {
		raw      types.StopReason
		tools    bool
		want     llm.StopReason
		reason   string
		wantsRaw string
	}{
		{types.StopReasonEndTurn, false, llm.StopReasonEndTurn, "plain end of turn", "end_turn"},
		{types.StopReasonEndTurn, true, llm.StopReasonToolUse, "end_turn with tool calls is tool use [strands]", "end_turn"},
		{types.StopReasonToolUse, true, llm.StopReasonToolUse, "tool use", "tool_use"},
		{types.StopReasonToolUse, false, llm.StopReasonToolUse, "tool_use is kept even without a parsed call", "tool_use"},
		{types.StopReasonMaxTokens, true, llm.StopReasonMaxTokens, "max_tokens wins over tool calls: the call may be cut (RESP-CUT-CALL)", "max_tokens"},
		{types.StopReasonStopSequence, false, llm.StopReasonStopSequence, "stop sequence", "stop_sequence"},
		{types.StopReasonGuardrailIntervened, false, llm.StopReasonContentFiltered, "guardrail", "guardrail_intervened"},
		{types.StopReasonContentFiltered, false, llm.StopReasonContentFiltered, "content filter", "content_filtered"},
		{types.StopReasonMalformedModelOutput, false, llm.StopReasonMalformedOutput, "malformed model output", "malformed_model_output"},
		{types.StopReasonMalformedToolUse, false, llm.StopReasonMalformedOutput, "malformed tool use", "malformed_tool_use"},
		{types.StopReasonModelContextWindowExceeded, false, llm.StopReasonContextWindowExceeded, "context window", "model_context_window_exceeded"},
		{"brand_new_reason", false, llm.StopReasonUnknown, "unknown values are kept raw", "brand_new_reason"},
		{"", false, llm.StopReasonUnknown, "a missing stop reason is unknown, not end_turn", ""},
	}
	for _, tt := range tests {
		got, raw := parseStopReason(tt.raw, tt.tools)
		if got != tt.want || raw != tt.wantsRaw {
			t.Errorf("parseStopReason(%q, tools=%v) = %q, %q; want %q, %q (%s)", tt.raw, tt.tools, got, raw, tt.want, tt.wantsRaw, tt.reason)
		}
	}
	// Every value the SDK knows is covered above.
	for _, v := range types.StopReason("").Values() {
		if got, _ := parseStopReason(v, false); got == llm.StopReasonUnknown {
			t.Errorf("parseStopReason(%q) = unknown, want a mapping for every SDK stop reason", v)
		}
	}
}

// BenchmarkParseResponse parses a recorded answer (text and a tool call) and a large one
// (40 blocks: text, tool calls with nested input, reasoning), both decoded by the SDK.
func BenchmarkParseResponse(b *testing.B) {
	f := fixtures(b)["anthropic_claude_haiku_4_5_20251001_v1_0/tool_round_trip_1"]
	if f == nil {
		b.Fatal("fixture tool_round_trip_1 missing")
	}
	var big strings.Builder
	big.WriteString(`{"output":{"message":{"role":"assistant","content":[`)
	for i := range 40 {
		if i > 0 {
			big.WriteByte(',')
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&big, `{"reasoningContent":{"reasoningText":{"text":"step %d: %s","signature":"sig%d"}}}`, i, strings.Repeat("think ", 30), i)
		case 1, 2:
			fmt.Fprintf(&big, `{"text":"paragraph %d: %s"}`, i, strings.Repeat("lorem ipsum ", 40))
		case 3:
			fmt.Fprintf(&big, `{"toolUse":{"toolUseId":"tooluse_%d","name":"search","input":{"query":"q%d","filters":{"year":[2020,2021,2022],"lang":"en","score":0.75},"limit":10}}}`, i, i)
		}
	}
	big.WriteString(`]}},"stopReason":"tool_use","usage":{"inputTokens":5000,"outputTokens":4000,"totalTokens":9000},"metrics":{"latencyMs":4321}}`)

	for _, bc := range []struct {
		name string
		out  *bedrockruntime.ConverseOutput
	}{
		{"recorded", decodeConverse(b, f.Response.Body, "rid")},
		{"40blocks", decodeConverse(b, []byte(big.String()), "rid")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseResponse(bc.out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
