package bedrock

import (
	"encoding/json"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
)

func TestExtraForms(t *testing.T) {
	base := llm.Request{Model: rqNova, Messages: []llm.Message{rqUser(rqText("Hi"))}}
	for _, extra := range []any{nil, (*Extra)(nil), Extra{}, &Extra{}} {
		req := base
		req.Extra = extra
		p, err := formatRequest(&req, capabilitiesFor(req.Model, nil))
		if err != nil {
			t.Fatalf("FormatRequest(Extra %T) = %v, want no error", extra, err)
		}
		in := p.input
		if in.AdditionalModelRequestFields != nil || in.GuardrailConfig != nil || in.PerformanceConfig != nil || in.ServiceTier != nil || in.RequestMetadata != nil {
			t.Errorf("FormatRequest(Extra %T) set Bedrock-specific fields, want none", extra)
		}
	}
}

// TestExtrasForSeveralProviders sends one request carrying Chat Completions' settings
// and Bedrock's in an llm.Extras: Bedrock takes its own and ignores the others', whether
// alone or in a list.
func TestExtrasForSeveralProviders(t *testing.T) {
	for _, extra := range []any{
		llm.Extras{&openai.Extra{Seed: llm.Ptr(int64(7))}, &Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k":40}`)}},
		[]any{map[string]any{"x": 1}, Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k":40}`)}},
	} {
		req := &llm.Request{Model: rqNova, Messages: []llm.Message{rqUser(rqText("Hi"))}, Extra: extra}
		p, err := formatRequest(req, capabilitiesFor(req.Model, nil))
		if err != nil {
			t.Fatalf("FormatRequest(Extra %#v) = %v", extra, err)
		}
		got, err := p.input.AdditionalModelRequestFields.MarshalSmithyDocument()
		if err != nil || string(got) != `{"top_k":40}` {
			t.Errorf("FormatRequest(Extra %#v) additional fields = %s (%v), want {\"top_k\":40}", extra, got, err)
		}
	}
	req := &llm.Request{Model: rqNova, Messages: []llm.Message{rqUser(rqText("Hi"))}, Extra: &openai.Extra{Seed: llm.Ptr(int64(7))}}
	if _, err := formatRequest(req, capabilitiesFor(req.Model, nil)); err != nil {
		t.Errorf("FormatRequest(only another provider's Extra) = %v, want it ignored", err)
	}
}
