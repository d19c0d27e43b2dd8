package bedrock_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// This file runs the conformance suite (package conformance) against Bedrock in its
// three modes: scripted on the simulator, replaying the recorded fixtures, and live
// (opt-in).

// simHarness returns a harness on the real SDK client against a fresh simulator.
func simHarness(t *testing.T, model string) (*conformance.Harness, *bedrocktest.Server) {
	return simHarnessWith(t, model, nil)
}

// simHarnessWith is simHarness with the Model's options.
func simHarnessWith(t *testing.T, model string, opts *bedrock.Options) (*conformance.Harness, *bedrocktest.Server) {
	t.Helper()
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	return bedrocktest.ScriptedHarness(srv, bedrock.New(srv.Client(nil), opts), model), srv
}

// TestConformanceSimulator runs the suite on the simulator for models of four families,
// whose capabilities differ (named tool choice, streamed tool use, reasoning, native
// structured output), so that the skips show; each with both stream decoders.
func TestConformanceSimulator(t *testing.T) {
	for _, model := range []string{
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"us.meta.llama3-3-70b-instruct-v1:0",
		"cohere.command-r-plus-v1:0",
		"us.amazon.nova-pro-v1:0",
	} {
		for _, dec := range []bedrock.StreamDecoder{bedrock.DecoderLLMKit, bedrock.DecoderSDK} {
			t.Run(model+"/"+dec.String(), func(t *testing.T) {
				h, srv := simHarnessWith(t, model, &bedrock.Options{StreamDecoder: dec})
				conformance.Run(t, h)
				if err := srv.Check(); err != nil {
					t.Errorf("simulator: %v", err)
				}
				if n := srv.Pending(); n != 0 {
					t.Errorf("simulator: %d scripted replies left unused", n)
				}
			})
		}
	}
}

// TestConformanceSimulatorSkips: the capability table decides what is skipped; Llama
// 3.3 and Command R+ lack what the Claude 4.5 models have.
func TestConformanceSimulatorSkips(t *testing.T) {
	tests := []struct {
		model    string
		scenario string
		status   conformance.Status
		reason   string
	}{
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "reasoning_tool", conformance.StatusPass, "Claude 4.5 reasons and calls tools"},
		{"us.meta.llama3-3-70b-instruct-v1:0", "streaming_tool_call", conformance.StatusSkip, "Llama streams no tool use"},
		{"us.meta.llama3-3-70b-instruct-v1:0", "object", conformance.StatusPass, "Llama gets objects through the synthetic tool, unforced"},
		{"cohere.command-r-plus-v1:0", "tool_choice_required", conformance.StatusSkip, "Command R+ takes the auto choice only"},
		{"cohere.command-r-plus-v1:0", "reasoning", conformance.StatusSkip, "Command R+ does not reason"},
		{"us.amazon.nova-pro-v1:0", "tool_choice_named", conformance.StatusPass, "Nova takes a named tool choice"},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.scenario, func(t *testing.T) {
			h, _ := simHarness(t, tt.model)
			var picked []conformance.Scenario
			for _, s := range conformance.Scenarios() {
				if s.Name == tt.scenario {
					picked = append(picked, s)
				}
			}
			rep := conformance.Evaluate(t.Context(), picked, h)
			got, _ := rep.Result(tt.model, tt.scenario)
			if got.Status != tt.status {
				t.Errorf("Evaluate(%s, %s) = %s (%s), want %s: %s", tt.model, tt.scenario, got.Status, got.Reason, tt.status, tt.reason)
			}
		})
	}
}

// replayModels maps the recorded model ids to the names the report shows.
var replayModels = map[string]string{
	"global.anthropic.claude-haiku-4-5-20251001-v1:0": "Claude Haiku 4.5",
	"us.meta.llama3-3-70b-instruct-v1:0":              "Llama 3.3 70B",
	"cohere.command-r-plus-v1:0":                      "Command R+",
}

// replayHarnesses returns one harness per recorded model id, ordered by the name the
// report shows, each on its own simulator whose default reply is the harness's
// bedrocktest.Replayer, which allows the intended differences of
// bedrocktest.ConformanceAllow (each listed there with its reason, as
// bedrocktest/testdata/fixtures/README.md asks).
func replayHarnesses(t *testing.T) ([]*conformance.Harness, []*bedrocktest.Server, []*bedrocktest.Replayer) {
	t.Helper()
	recs, err := bedrocktest.LoadRecordings(bedrocktest.Fixtures())
	if err != nil {
		t.Fatal(err)
	}
	name := func(id string) string {
		if n := replayModels[id]; n != "" {
			return n
		}
		return id
	}
	ids := recs.Models()
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(name(a), name(b)) })
	var hs []*conformance.Harness
	var srvs []*bedrocktest.Server
	var rps []*bedrocktest.Replayer
	for _, id := range ids {
		rp := bedrocktest.NewReplayer(recs, id, bedrocktest.ConformanceAllow())
		srv := bedrocktest.NewServer(&bedrocktest.Options{Default: rp.Reply()})
		t.Cleanup(srv.Close)
		h := bedrocktest.ReplayHarness(rp, bedrock.New(srv.Client(nil), nil))
		h.Name = name(id)
		hs = append(hs, h)
		srvs = append(srvs, srv)
		rps = append(rps, rp)
	}
	return hs, srvs, rps
}

// checkReplay checks that every request matched its recording (beyond the intended
// differences), every recording a scenario asked for was replayed, and every fixture
// file was replayed.
func checkReplay(t *testing.T, srvs []*bedrocktest.Server, rps []*bedrocktest.Replayer) {
	t.Helper()
	for _, srv := range srvs {
		if err := srv.Check(); err != nil {
			t.Errorf("replay: %v", err)
		}
	}
	served := map[string]bool{}
	for _, rp := range rps {
		if err := rp.Check(); err != nil {
			t.Errorf("replay: %v", err)
		}
		for _, p := range rp.Served() {
			served[p] = true
		}
	}
	all, err := fs.Glob(bedrocktest.Fixtures(), "*/*.json")
	if err != nil || len(all) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range all {
		if !served[f] {
			t.Errorf("fixture %s was not replayed by any replay scenario", f)
		}
	}
}

// TestConformanceReplay replays every recorded exchange through bedrock.Model, from the
// neutral requests of conformance.ReplayScenarios; the simulator compares each request
// with the recorded one.
func TestConformanceReplay(t *testing.T) {
	hs, srvs, rps := replayHarnesses(t)
	for _, h := range hs {
		t.Run(h.Name, func(t *testing.T) {
			conformance.RunScenarios(t, h, conformance.ReplayScenarios())
		})
	}
	checkReplay(t, srvs, rps)
}

// TestConformanceLive runs the suite, and the replay scenarios, against real Bedrock.
// It is opt-in and reaches the network.
func TestConformanceLive(t *testing.T) {
	if os.Getenv("LLMKIT_LIVE_BEDROCK") != "1" {
		t.Skip("live Bedrock conformance is opt-in: set LLMKIT_LIVE_BEDROCK=1 and LLMKIT_LIVE_MODELS to comma-separated model ids, with AWS credentials and region in the default chain; LLMKIT_LIVE_RECORD=DIR also records the replay scenarios as fixtures under DIR")
	}
	var models []string
	for _, m := range strings.Split(os.Getenv("LLMKIT_LIVE_MODELS"), ",") {
		if m = strings.TrimSpace(m); m != "" {
			models = append(models, m)
		}
	}
	if len(models) == 0 {
		t.Fatal("LLMKIT_LIVE_BEDROCK=1 but LLMKIT_LIVE_MODELS names no model id")
	}
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatalf("AWS configuration: %v", err)
	}
	var rec *bedrocktest.Recorder
	recordDir := os.Getenv("LLMKIT_LIVE_RECORD")
	if recordDir != "" {
		rec = bedrocktest.NewRecorder(nil)
		cfg.HTTPClient = &http.Client{Transport: rec}
	}
	m := bedrock.NewFromConfig(cfg, nil)
	for _, id := range models {
		t.Run(id, func(t *testing.T) {
			h := &conformance.Harness{Model: m, ModelID: id, Timeout: 2 * time.Minute}
			if rec != nil {
				h.Recorder = bedrocktest.NewFixtureRecorder(rec, recordDir, id)
			}
			t.Run("suite", func(t *testing.T) { conformance.Run(t, h) })
			t.Run("replay", func(t *testing.T) { conformance.RunScenarios(t, h, conformance.ReplayScenarios()) })
		})
	}
}

// TestConformanceRecorder: in live mode, the replay scenarios' exchanges, captured by a
// bedrocktest.Recorder under the SDK client, are saved as fixture files named after
// their recordings, and those files replay through the same scenario. The "live" model
// here is the simulator, so that no network is used.
func TestConformanceRecorder(t *testing.T) {
	const model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	srv.Enqueue(
		bedrocktest.Respond(&llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.Text{Text: "Adding."},
				llm.ToolCall{ID: "tooluse_rec1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)},
			}},
			StopReason: llm.StopReasonToolUse,
			Usage:      llm.Usage{InputTokens: 600, OutputTokens: 40, TotalTokens: 640},
		}),
		bedrocktest.Text("sum=5"),
	)
	rec := bedrocktest.NewRecorder(nil)
	client := srv.Client(&bedrocktest.ClientOptions{HTTPClient: bedrock.NewHTTPClient(&http.Client{Transport: rec})})
	dir := t.TempDir()
	live := &conformance.Harness{
		Model:    bedrock.New(client, nil),
		ModelID:  model,
		Recorder: bedrocktest.NewFixtureRecorder(rec, dir, model),
	}
	var roundTrip []conformance.Scenario
	for _, s := range conformance.ReplayScenarios() {
		if s.Name == "tool_round_trip" {
			roundTrip = append(roundTrip, s)
		}
	}
	if res := conformance.Evaluate(t.Context(), roundTrip, live).Models[0].Results[0]; res.Status != conformance.StatusPass {
		t.Fatalf("Evaluate(tool_round_trip, live on the simulator) = %s (%s), want pass", res.Status, res.Reason)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "us_anthropic_claude_haiku_4_5_20251001_v1_0", "tool_round_trip_1.json"),
		filepath.Join(dir, "us_anthropic_claude_haiku_4_5_20251001_v1_0", "tool_round_trip_2.json"),
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Fatalf("recorded files mismatch (-want +got):\n%s", diff)
	}

	recs, err := bedrocktest.LoadRecordings(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{model}, recs.Models()); diff != "" {
		t.Fatalf("LoadRecordings(the new recordings) models mismatch (-want +got):\n%s", diff)
	}
	rp := bedrocktest.NewReplayer(recs, model, nil)
	replaySrv := bedrocktest.NewServer(&bedrocktest.Options{Default: rp.Reply()})
	t.Cleanup(replaySrv.Close)
	replay := bedrocktest.ReplayHarness(rp, bedrock.New(replaySrv.Client(nil), nil))
	if res := conformance.Evaluate(t.Context(), roundTrip, replay).Models[0].Results[0]; res.Status != conformance.StatusPass {
		t.Errorf("Evaluate(tool_round_trip, replaying the new recordings) = %s (%s), want pass", res.Status, res.Reason)
	}
	if err := replaySrv.Check(); err != nil {
		t.Errorf("replay of the new recordings: %v", err)
	}
	if err := rp.Check(); err != nil {
		t.Errorf("replay of the new recordings: %v", err)
	}
}
