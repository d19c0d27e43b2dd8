package openai_test

import (
	"slices"
	"testing"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// bedrockOnly are the scenarios of the suite that script values only Bedrock
// expresses; an honest Chat Completions provider cannot pass them, and they are left
// out here until the suite is made neutral:
//   - stop_sequence wants a stop reason distinct from end_turn at a stop sequence;
//     Chat Completions says "stop" for both.
//   - reasoning, reasoning_streaming, reasoning_tool and reasoning_signature script
//     reasoning with a signature (Anthropic's on Bedrock); Chat Completions has none.
var bedrockOnly = []string{"stop_sequence", "reasoning", "reasoning_streaming", "reasoning_tool", "reasoning_signature"}

// TestConformanceSimulator runs the neutral conformance suite on openai.Model against
// the simulator, for models whose capabilities differ (native structured output and
// images; reasoning by effort; reasoning always on; tools only). OpenAI's o-series is
// not among them: the suite sends a temperature, which those models refuse (the
// provider drops it with a warning, and the suite wants none).
func TestConformanceSimulator(t *testing.T) {
	var scenarios []conformance.Scenario
	for _, s := range conformance.Scenarios() {
		if !slices.Contains(bedrockOnly, s.Name) {
			scenarios = append(scenarios, s)
		}
	}
	for _, model := range []string{"gpt-4o", "openai/gpt-oss-120b", "qwen/qwen3-32b", "llama-3.3-70b-versatile"} {
		t.Run(model, func(t *testing.T) {
			srv := openaitest.NewServer()
			defer srv.Close()
			conformance.RunScenarios(t, openaitest.ScriptedHarness(srv, openai.New(srv.Client(), nil), model), scenarios)
			if err := srv.Check(); err != nil {
				t.Errorf("simulator: %v", err)
			}
			if n := srv.Pending(); n != 0 {
				t.Errorf("simulator: %d scripted replies left unused", n)
			}
		})
	}
}
