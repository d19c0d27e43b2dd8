package otelllm_test

import (
	"context"
	"testing"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/fallback"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/otelllm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// TestStackConformance runs the whole conformance suite through a stack of every
// middleware — tracing and metrics, a fallback, and a relaying middleware of the
// user's — over each provider on its simulator: the stack keeps the model's contract
// (streams equal to Generate, error categories, cancellation, no goroutine left behind:
// the package's TestMain checks), and its capabilities, which the suite reads to know
// what to skip. The fallback has no other candidate, so the suite's faults reach it.
func TestStackConformance(t *testing.T) {
	relay := func(next llm.Model) llm.Model {
		return llm.ModelFuncs{
			GenerateFunc: next.Generate,
			StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
				s, err := next.Stream(ctx, req)
				if err != nil {
					return nil, err
				}
				return llm.RelayStream(ctx, s, &llm.RelayHooks{Event: func(llm.Event) {}}), nil
			},
		}
	}
	for _, c := range []struct {
		provider string
		harness  func(t *testing.T, stack func(llm.Model) llm.Model) *conformance.Harness
	}{
		{otelllm.ProviderAWSBedrock, func(t *testing.T, stack func(llm.Model) llm.Model) *conformance.Harness {
			srv := bedrocktest.NewServer(nil)
			t.Cleanup(srv.Close)
			return bedrocktest.ScriptedHarness(srv, stack(bedrock.New(srv.Client(nil), nil)), "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
		}},
		{otelllm.ProviderOpenAI, func(t *testing.T, stack func(llm.Model) llm.Model) *conformance.Harness {
			srv := openaitest.NewServer()
			t.Cleanup(srv.Close)
			return openaitest.ScriptedHarness(srv, stack(openai.New(srv.Client(), nil)), "gpt-4o")
		}},
	} {
		t.Run(c.provider, func(t *testing.T) {
			r := newRecorder(t, true)
			h := c.harness(t, func(m llm.Model) llm.Model {
				return llm.Wrap(m, r.tel.Middleware(c.provider), fallback.Middleware(nil, nil), relay)
			})
			if _, ok := h.Model.(llm.CapabilityReporter); !ok {
				t.Fatal("the stack lost the provider's capabilities")
			}
			conformance.Run(t, h)
			if len(r.spans.GetSpans()) == 0 {
				t.Error("no span exported")
			}
		})
	}
}
