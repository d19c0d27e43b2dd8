package bedrock

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
)

// TestSchemaCache: a Model normalises each tool schema once and reuses the result; the
// cached translation equals the uncached one, and a schema whose normalisation warns is
// not cached, so that every call still says what it dropped.
func TestSchemaCache(t *testing.T) {
	req := &llm.Request{
		Model:    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		Messages: []llm.Message{llm.UserText("hi")},
		Tools: []llm.Tool{
			{Name: "plain", InputSchema: json.RawMessage(`{"type":"object","properties":{"b":{"type":"string"},"a":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"integer"}}}`)},
			{Name: "strict", Strict: true, InputSchema: json.RawMessage(`{"type":"object","properties":{"xs":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["xs"],"additionalProperties":false}`)},
		},
	}
	caps := capabilitiesFor(req.Model, nil)
	want, err := formatRequest(req, caps)
	if err != nil {
		t.Fatal(err)
	}
	var cache schemaCache
	for call := range 3 {
		got, err := formatRequestCached(req, caps, &cache)
		if err != nil {
			t.Fatalf("call %d: %v", call, err)
		}
		if diff := cmp.Diff(wireJSON(t, want), wireJSON(t, got)); diff != "" {
			t.Errorf("call %d: cached translation differs (-uncached +cached):\n%s", call, diff)
		}
		if !slices.Equal(want.warnings, got.warnings) {
			t.Errorf("call %d: warnings %q, want %q (a warning schema is never cached)", call, got.warnings, want.warnings)
		}
	}
	if len(cache.loose) != 1 || len(cache.strict) != 0 {
		t.Errorf("cache holds %d plain and %d strict schemas, want 1 and 0 (the strict one warns)", len(cache.loose), len(cache.strict))
	}
	if !slices.ContainsFunc(want.warnings, func(w llm.Warning) bool { return strings.Contains(w.Detail, "maxItems") }) {
		t.Fatalf("warnings %q: the strict schema's maxItems should be dropped with a warning", want.warnings)
	}
}

func wireJSON(t *testing.T, p *converseParams) any {
	t.Helper()
	body, _ := wireConverse(t, p.input)
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// BenchmarkFormatRequestCached is [BenchmarkFormatRequest] as a Model runs it, with its
// schema cache warm.
func BenchmarkFormatRequestCached(b *testing.B) {
	req := benchRequest(b)
	caps := capabilitiesFor(req.Model, nil)
	var cache schemaCache
	b.ReportAllocs()
	for b.Loop() {
		if _, err := formatRequestCached(req, caps, &cache); err != nil {
			b.Fatal(err)
		}
	}
}
