package openai_test

import (
	"testing"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// TestConformanceSimulator runs the whole conformance suite on openai.Model against the
// simulator, for models whose capabilities differ (native structured output and
// images; reasoning by effort; reasoning always on; tools only). A scenario a model
// cannot express is skipped by its capabilities (a distinct stop-sequence reason,
// signed reasoning sent back as history, cache writes). OpenAI's o-series is not among
// them: the suite sends a temperature, which those models refuse (the provider drops it
// with a warning, and the suite wants none).
func TestConformanceSimulator(t *testing.T) {
	for _, model := range []string{"gpt-4o", "openai/gpt-oss-120b", "qwen/qwen3-32b", "llama-3.3-70b-versatile"} {
		t.Run(model, func(t *testing.T) {
			srv := openaitest.NewServer()
			defer srv.Close()
			conformance.Run(t, openaitest.ScriptedHarness(srv, openai.New(srv.Client(), nil), model))
			if err := srv.Check(); err != nil {
				t.Errorf("simulator: %v", err)
			}
			if n := srv.Pending(); n != 0 {
				t.Errorf("simulator: %d scripted replies left unused", n)
			}
		})
	}
}

// TestConformanceReplay replays the recordings through openai.Model from the neutral
// requests of conformance.ReplayScenarios; the simulator compares each request with the
// recorded one, allowing the differences of openaitest.ConformanceAllow.
func TestConformanceReplay(t *testing.T) {
	recs, err := openaitest.LoadRecordings(openaitest.Fixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range recs.Models() {
		t.Run(id, func(t *testing.T) {
			rp := openaitest.NewReplayer(recs, id, openaitest.ConformanceAllow())
			srv := openaitest.NewServer()
			t.Cleanup(srv.Close)
			srv.SetFallback(rp.Reply())
			conformance.RunScenarios(t, openaitest.ReplayHarness(rp, openai.New(srv.Client(), nil)), conformance.ReplayScenarios())
			if err := srv.Check(); err != nil {
				t.Error(err)
			}
			if err := rp.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}
