package bedrock

import (
	"testing"

	"github.com/llmkit/llmkit/llm"
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
