package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
)

// Model ids used by the request tests, one per family the rules tell apart.
const (
	rqClaude45  = "anthropic.claude-sonnet-4-5-20250929-v1:0"
	rqOpus45    = "global.anthropic.claude-opus-4-5-20251101-v1:0"
	rqClaude37  = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
	rqNova      = "us.amazon.nova-pro-v1:0"
	rqNova2     = "us.amazon.nova-2-lite-v1:0"
	rqLlama     = "us.meta.llama3-3-70b-instruct-v1:0"
	rqMistral   = "mistral.mistral-large-2407-v1:0"
	rqMistral7B = "mistral.mistral-7b-instruct-v0:2"
	rqGPTOSS    = "openai.gpt-oss-120b-1:0"
	rqTitan     = "amazon.titan-text-express-v1"
	rqR1        = "us.deepseek.r1-v1:0"
	rqAppARN    = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdef123456"
)

func rqText(s string) llm.Text { return llm.Text{Text: s} }

func rqUser(parts ...llm.Part) llm.Message { return llm.Message{Role: llm.RoleUser, Parts: parts} }

func rqAsst(parts ...llm.Part) llm.Message { return llm.Message{Role: llm.RoleAssistant, Parts: parts} }

func rqTool(parts ...llm.Part) llm.Message { return llm.Message{Role: llm.RoleTool, Parts: parts} }

func rqSys(parts ...llm.Part) llm.Message { return llm.Message{Role: llm.RoleSystem, Parts: parts} }

func rqCall(id, name, input string) llm.ToolCall {
	return llm.ToolCall{ID: id, Name: name, Input: json.RawMessage(input)}
}

func rqResult(id, text string) llm.ToolResult {
	return llm.ToolResult{CallID: id, Content: []llm.Part{rqText(text)}}
}

var rqWeatherTool = llm.Tool{
	Name:        "get_weather",
	Description: "Current weather for a city.",
	InputSchema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
}

var rqTimeTool = llm.Tool{
	Name:        "get_time",
	Description: "Current time in a time zone.",
	InputSchema: json.RawMessage(`{"type":"object","properties":{"zone":{"type":"string"}}}`),
}

// rqToolRound is a user question, an assistant turn calling get_weather, and its result.
func rqToolRound() []llm.Message {
	return []llm.Message{
		rqUser(rqText("Weather in Paris?")),
		rqAsst(rqText("Let me look."), rqCall("call_1", "get_weather", `{"city":"Paris"}`)),
		rqTool(rqResult("call_1", "18C, sunny")),
	}
}

// captureDoer is the HTTP client of a real SDK client: it keeps the request and fails it,
// so no test reaches the network and the body is exactly what the SDK would send.
type captureDoer struct {
	body []byte
	path string
}

var errCaptured = errors.New("request captured")

func (d *captureDoer) Do(r *http.Request) (*http.Response, error) {
	d.path = r.URL.EscapedPath()
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		d.body = b
	}
	return nil, errCaptured
}

func captureClient(d *captureDoer) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		HTTPClient:  d,
		Retryer:     aws.NopRetryer{},
	})
}

// wireConverse serialises in with the SDK's own Converse serializer (and validators) and
// returns the body and the escaped request path.
func wireConverse(t testing.TB, in *bedrockruntime.ConverseInput) ([]byte, string) {
	t.Helper()
	d := &captureDoer{}
	_, err := captureClient(d).Converse(context.Background(), in)
	if !errors.Is(err, errCaptured) {
		t.Fatalf("Converse did not reach the HTTP client: %v", err)
	}
	return d.body, d.path
}

// wireConverseStream is [wireConverse] for ConverseStream.
func wireConverseStream(t testing.TB, in *bedrockruntime.ConverseStreamInput) ([]byte, string) {
	t.Helper()
	d := &captureDoer{}
	_, err := captureClient(d).ConverseStream(context.Background(), in)
	if !errors.Is(err, errCaptured) {
		t.Fatalf("ConverseStream did not reach the HTTP client: %v", err)
	}
	return d.body, d.path
}

// decodeExact decodes JSON keeping numbers as their literals, so 1e400 and 0.10 compare
// as written.
func decodeExact(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// checkWarnings checks got against want, whose entries are a warning code, a space, and a
// substring of the warning's String form.
func checkWarnings(t *testing.T, name string, got []llm.Warning, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		code, text, _ := strings.Cut(want[i], " ")
		ok = string(got[i].Code) == code && strings.Contains(got[i].String(), text)
	}
	if !ok {
		t.Errorf("FormatRequest(%s) warnings = %q, want ones matching %q", name, got, want)
	}
}

func TestFormatRequestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range requestCases() {
		if seen[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			caps := capabilitiesFor(tc.req.Model, nil)
			if tc.caps != nil {
				caps = *tc.caps
			}
			before := tc.req.Clone()
			p, err := formatRequest(tc.req, caps)
			if err != nil {
				t.Fatalf("FormatRequest(%s) = %v, want no error (%s)", tc.name, err, tc.reason)
			}
			if diff := cmp.Diff(before, tc.req); diff != "" {
				t.Errorf("FormatRequest(%s) modified the request (-before +after):\n%s", tc.name, diff)
			}
			if got := aws.ToString(p.input.ModelId); got != tc.req.Model {
				t.Errorf("FormatRequest(%s) model id = %q, want %q (sent untouched)", tc.name, got, tc.req.Model)
			}
			checkWarnings(t, tc.name, p.warnings, tc.warnings)
			if p.objectTool != tc.objectTool || p.native != tc.native {
				t.Errorf("FormatRequest(%s) objectTool, native = %q, %v, want %q, %v", tc.name, p.objectTool, p.native, tc.objectTool, tc.native)
			}
			body, _ := wireConverse(t, p.input)
			compareRequestGolden(t, tc.name, body)

			// The stream input is the same request: same body but for the guardrail's
			// stream processing mode.
			sbody, _ := wireConverseStream(t, p.streamInput())
			conv, err := decodeExact(body)
			if err != nil {
				t.Fatal(err)
			}
			stream, err := decodeExact(sbody)
			if err != nil {
				t.Fatal(err)
			}
			if g, ok := stream.(map[string]any)["guardrailConfig"].(map[string]any); ok {
				delete(g, "streamProcessingMode")
			}
			if diff := cmp.Diff(conv, stream); diff != "" {
				t.Errorf("streamInput(%s) differs from the Converse input (-converse +stream):\n%s", tc.name, diff)
			}
		})
	}
}

func TestFormatRequestGoldenFilesUsed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "request", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if flat, _ := filepath.Glob(filepath.Join("testdata", "request", "*.json")); len(flat) > 0 {
		t.Errorf("golden files %v are outside a rule's folder; name each case <rule ID>/<case>", flat)
	}
	names := map[string]bool{}
	for _, tc := range requestCases() {
		names[tc.name] = true
	}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join("testdata", "request"), f)
		name := filepath.ToSlash(strings.TrimSuffix(rel, ".json"))
		if !names[name] {
			t.Errorf("golden file %s belongs to no case; delete it", f)
		}
	}
}

func TestFormatStreamRequestGuardrailMode(t *testing.T) {
	req := &llm.Request{Model: rqNova, Messages: []llm.Message{rqUser(rqText("Hi"))},
		Extra: &Extra{Guardrail: &GuardrailConfig{Identifier: "gr-1", Version: "DRAFT", StreamProcessingMode: "async"}}}
	in, warnings, err := FormatStreamRequest(req)
	if err != nil {
		t.Fatalf("FormatStreamRequest = %v, want no error", err)
	}
	if len(warnings) != 0 {
		t.Errorf("FormatStreamRequest warnings = %q, want none", warnings)
	}
	want := &types.GuardrailStreamConfiguration{GuardrailIdentifier: aws.String("gr-1"), GuardrailVersion: aws.String("DRAFT"), StreamProcessingMode: types.GuardrailStreamProcessingModeAsync}
	if diff := cmp.Diff(want, in.GuardrailConfig, cmp.AllowUnexported(types.GuardrailStreamConfiguration{})); diff != "" {
		t.Errorf("FormatStreamRequest guardrail (-want +got):\n%s", diff)
	}
	body, path := wireConverseStream(t, in)
	if !strings.HasSuffix(path, "/converse-stream") {
		t.Errorf("ConverseStream path = %q, want …/converse-stream", path)
	}
	if !bytes.Contains(body, []byte(`"streamProcessingMode":"async"`)) {
		t.Errorf("ConverseStream body = %s, want streamProcessingMode async", body)
	}
}

func TestFormatRequestExported(t *testing.T) {
	req := &llm.Request{Model: rqLlama, Messages: []llm.Message{rqUser(rqText("Hi"), llm.CachePoint{})}}
	in, warnings, err := FormatRequest(req)
	if err != nil {
		t.Fatalf("FormatRequest = %v, want no error", err)
	}
	if len(in.Messages) != 1 || len(in.Messages[0].Content) != 1 {
		t.Errorf("FormatRequest messages = %+v, want one message with one block", in.Messages)
	}
	if len(warnings) != 1 || warnings[0].Code != llm.WarningDropped || !strings.Contains(warnings[0].Detail, "cache point dropped") {
		t.Errorf("FormatRequest warnings = %q, want the dropped cache point", warnings)
	}
	if _, _, err := FormatRequest(nil); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("FormatRequest(nil) = %v, want an invalid-request error", err)
	}
	if _, _, err := FormatStreamRequest(nil); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("FormatStreamRequest(nil) = %v, want an invalid-request error", err)
	}
}

// TestModelIDSentUntouched checks REQ-MODEL-ID: whatever form the id takes, it reaches the
// wire as given (one path segment, percent-escaped by the SDK).
func TestModelIDSentUntouched(t *testing.T) {
	ids := []string{
		rqClaude45,
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"eu.amazon.nova-pro-v1:0",
		"apac.meta.llama3-2-90b-instruct-v1:0",
		"global.anthropic.claude-opus-4-5-20251101-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		rqAppARN,
		"my-custom-model",
	}
	for _, id := range ids {
		req := &llm.Request{Model: id, Messages: []llm.Message{rqUser(rqText("Hi"))}}
		in, _, err := FormatRequest(req)
		if err != nil {
			t.Fatalf("FormatRequest(%s) = %v, want no error", id, err)
		}
		if got := aws.ToString(in.ModelId); got != id {
			t.Errorf("FormatRequest(%s) ModelId = %q, want it untouched", id, got)
		}
		_, path := wireConverse(t, in)
		seg := strings.TrimSuffix(strings.TrimPrefix(path, "/model/"), "/converse")
		got, err := url.PathUnescape(seg)
		if err != nil || got != id || strings.Contains(seg, "/") {
			t.Errorf("Converse path for %s = %q, want the id as one escaped segment", id, path)
		}
	}
}
