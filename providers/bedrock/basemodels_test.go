package bedrock

import (
	"context"
	"errors"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestModelBaseModels: an application inference profile ARN mapped to its base model in
// Options.BaseModels gets the base model's whole row of the capability table — its
// capabilities and its other rules (REQ-SAMPLING: Claude Haiku 4.5 refuses temperature
// and topP together) — while the ARN is what is sent.
func TestModelBaseModels(t *testing.T) {
	const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
	const haiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	req := func() *llm.Request {
		r := userReq(arn, "hi")
		r.Temperature, r.TopP = new(float64), new(float64)
		*r.Temperature, *r.TopP = 0.5, 0.9
		return r
	}

	t.Run("without", func(t *testing.T) {
		m, _ := newTestModel(t, nil)
		if got := m.Capabilities(arn); got != unknownModelCaps {
			t.Errorf("Capabilities(arn) = %+v, want the conservative defaults", got)
		}
	})

	t.Run("with", func(t *testing.T) {
		m, srv := newTestModel(t, &Options{BaseModels: map[string]string{arn: haiku}})
		if got, want := m.Capabilities(arn), CapabilitiesFor(haiku); got != want {
			t.Errorf("Capabilities(arn) = %+v, want Haiku 4.5's %+v", got, want)
		}
		_, err := m.Generate(context.Background(), req())
		var ire *llm.InvalidRequestError
		if !errors.As(err, &ire) || ire.Field != "topP" {
			t.Fatalf("Generate(temperature and topP) = %v, want an invalid request naming topP (Haiku 4.5's rule)", err)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests sent, want none", n)
		}

		// Haiku 4.5's reasoning style applies: thinking with a budget.
		srv.Enqueue(bedrocktest.Text("ok"))
		r := userReq(arn, "hi")
		r.Reasoning = &llm.ReasoningConfig{BudgetTokens: 1024}
		r.MaxTokens = 4096
		if _, err := m.Generate(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		got := srv.Requests()[0]
		if got.Model != arn {
			t.Errorf("model sent %q, want the ARN %q", got.Model, arn)
		}
		body, _ := got.JSON.(map[string]any)
		if _, ok := body["additionalModelRequestFields"].(map[string]any)["thinking"]; !ok {
			t.Errorf("request %s has no additionalModelRequestFields.thinking, want Haiku 4.5's reasoning", got.Body)
		}
	})

	t.Run("capabilities_win", func(t *testing.T) {
		caps := llm.Capabilities{Tools: true}
		m, _ := newTestModel(t, &Options{BaseModels: map[string]string{arn: haiku}, Capabilities: map[string]llm.Capabilities{arn: caps}})
		if got := m.Capabilities(arn); got != caps {
			t.Errorf("Capabilities(arn) = %+v, want the override %+v", got, caps)
		}
	})
}
