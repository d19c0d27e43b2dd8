package openai_test

import (
	"testing"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// This file runs the conformance suite (package conformance) against the Chat
// Completions provider: scripted on the simulator, and replaying the recordings.

// TestConformanceSimulator runs every scenario on the simulator for models whose
// capabilities differ (native structured output and named tool choice on gpt-4o;
// reasoning on Qwen 3 through Groq; a local server's model the table does not know).
func TestConformanceSimulator(t *testing.T) {
	for _, model := range []string{"gpt-4o", "qwen/qwen3-32b", "llama-3.3-70b-versatile"} {
		t.Run(model, func(t *testing.T) {
			srv := openaitest.NewServer()
			t.Cleanup(srv.Close)
			conformance.Run(t, openaitest.ScriptedHarness(srv, openai.New(srv.Service(), nil), model))
			if err := srv.Check(); err != nil {
				t.Error(err)
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
			conformance.RunScenarios(t, openaitest.ReplayHarness(rp, openai.New(srv.Service(), nil)), conformance.ReplayScenarios())
			if err := srv.Check(); err != nil {
				t.Error(err)
			}
			if err := rp.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}
