package bedrock_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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

// confUpdate is the -update flag of the package's golden files, defined by the
// package's internal tests; it rewrites the replay report under conformance/testdata.
func confUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// simScripter queues the suite's scripted answers on the simulator, for one model id.
// Streams are split into small deltas and padded as real Bedrock pads them, so that the
// provider's accumulation is exercised.
type simScripter struct {
	srv   *bedrocktest.Server
	model string
}

func (s simScripter) Enqueue(r conformance.Reply) error {
	shape := func(reply bedrocktest.Reply) bedrocktest.Reply {
		reply = reply.Split(5).Padded()
		if r.Interval > 0 {
			reply = reply.Pace(0, r.Interval)
		}
		return reply
	}
	switch {
	case r.Events != nil:
		s.srv.EnqueueFor(s.model, shape(bedrocktest.Events(r.Events...)))
	case r.Response == nil:
		return errors.New("simScripter: reply has neither a response nor events")
	case r.Response.Object != nil:
		s.srv.EnqueueFor(s.model, objectReply(r.Response, shape))
	default:
		s.srv.EnqueueFor(s.model, shape(bedrocktest.Respond(r.Response)))
	}
	return nil
}

// objectReply answers a structured-output request the way Bedrock models do: with
// native output (outputConfig), the object as text; through llmkit's synthetic tool, a
// call of that tool whose input is the object, stopping at tool_use.
func objectReply(resp *llm.Response, shape func(bedrocktest.Reply) bedrocktest.Reply) bedrocktest.Reply {
	return bedrocktest.Func(func(req bedrocktest.Request) bedrocktest.Reply {
		var body struct {
			OutputConfig json.RawMessage `json:"outputConfig"`
			ToolConfig   struct {
				Tools []struct {
					ToolSpec struct{ Name string } `json:"toolSpec"`
				} `json:"tools"`
			} `json:"toolConfig"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return bedrocktest.Error(bedrocktest.ValidationException, "simScripter: "+err.Error())
		}
		if body.OutputConfig == nil {
			for _, t := range body.ToolConfig.Tools {
				if t.ToolSpec.Name == "structured_output" {
					return shape(bedrocktest.Respond(&llm.Response{
						Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
							llm.ToolCall{ID: "tooluse_object", Name: t.ToolSpec.Name, Input: resp.Object},
						}},
						StopReason: llm.StopReasonToolUse,
						Usage:      resp.Usage,
					}))
				}
			}
		}
		return shape(bedrocktest.Respond(resp))
	})
}

// simFaults injects the suite's faults in Bedrock's real shapes.
type simFaults struct {
	srv   *bedrocktest.Server
	model string
}

func (f simFaults) Inject(fault conformance.Fault) error {
	var reply bedrocktest.Reply
	switch fault.Kind {
	case conformance.FaultThrottling:
		reply = bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests, please wait before trying again.")
	case conformance.FaultValidation:
		reply = bedrocktest.Error(bedrocktest.ValidationException, "Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again.")
	case conformance.FaultStreamException:
		// After the messageStart frame and the first text delta.
		reply = bedrocktest.Respond(fault.Partial).Split(8).ExceptionAfter(2, bedrocktest.ModelStreamErrorException, "The model failed to complete the stream.")
	case conformance.FaultStreamThrottling:
		reply = bedrocktest.Respond(fault.Partial).Split(8).ExceptionAfter(2, bedrocktest.ThrottlingException, "Too many tokens, please wait before trying again.")
	default:
		return fmt.Errorf("simFaults: unknown fault %q", fault.Kind)
	}
	f.srv.EnqueueFor(f.model, reply)
	return nil
}

// simHarness returns a harness on the real SDK client against a fresh simulator.
func simHarness(t *testing.T, model string) (*conformance.Harness, *bedrocktest.Server) {
	t.Helper()
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	return &conformance.Harness{
		Model:    bedrock.New(srv.Client(nil), nil),
		ModelID:  model,
		Scripter: simScripter{srv, model},
		Faults:   simFaults{srv, model},
	}, srv
}

// TestConformanceSimulator runs the suite on the simulator for models of four families,
// whose capabilities differ (named tool choice, streamed tool use, reasoning, native
// structured output), so that the skips show.
func TestConformanceSimulator(t *testing.T) {
	for _, model := range []string{
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"us.meta.llama3-3-70b-instruct-v1:0",
		"cohere.command-r-plus-v1:0",
		"us.amazon.nova-pro-v1:0",
	} {
		t.Run(model, func(t *testing.T) {
			h, srv := simHarness(t, model)
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

// replayAllow lists, by fixture name, the intended differences between the requests
// llmkit sends for the replay scenarios and those ReqLLM recorded, each with its reason
// (bedrocktest/testdata/fixtures/README.md asks for them to be listed). Every other part
// of every recorded request — prompts, system prompt, inference settings, tool
// declarations and schemas, the assistant turn and tool result sent back in
// tool_round_trip_2 — must match as parsed JSON.
var replayAllow = map[string][]bedrocktest.Allow{
	"streaming": {{
		Path:   "$.inferenceConfig.topP",
		Absent: true,
		Reason: "ReqLLM sent topP 0.8 beside temperature 0.9 to the models that take both; the scenario sends one request to every model, and Claude Haiku 4.5 takes temperature or topP, not both, so it sends temperature only",
	}},
	"object_basic":     objectAllow,
	"object_streaming": objectAllow,
}

var objectAllow = []bedrocktest.Allow{{
	Path:   "$.toolConfig.toolChoice",
	Reason: "ReqLLM omitted toolChoice where the structured_output tool should be forced; llmkit forces it by name (Claude), or sends none, with a warning, where the model takes no forced choice (Llama 3.3, Command R+; BEDROCK.md request rule 14)",
}}

// fixtureReplayer answers the replay scenarios of one model with its recorded fixtures,
// comparing each request with the recorded one. It is the simulator's default reply:
// each request takes the next recording of the current scenario, so that a scenario
// that fails early leaves nothing queued for the next one. It notes which fixtures were
// served, and which a scenario left unserved.
type fixtureReplayer struct {
	dir   string // the model's fixture directory
	fsys  fs.FS
	allow map[string][]bedrocktest.Allow

	mu       sync.Mutex
	pending  []string // fixture paths of the current scenario, not served yet
	served   map[string]bool
	unserved []string
}

func (r *fixtureReplayer) Replay(_ context.Context, names ...string) error {
	var paths []string
	for _, name := range names {
		p := path.Join(r.dir, name+".json")
		if _, err := fs.Stat(r.fsys, p); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w of %s", conformance.ErrNoRecording, name)
		} else if err != nil {
			return err
		}
		paths = append(paths, p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unserved = append(r.unserved, r.pending...)
	r.pending = paths
	return nil
}

// serve answers a request with the next recording of the current scenario.
func (r *fixtureReplayer) serve(bedrocktest.Request) bedrocktest.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		return bedrocktest.Error(bedrocktest.ValidationException, "fixtureReplayer: no recording left for this request")
	}
	p := r.pending[0]
	r.pending = r.pending[1:]
	f, err := bedrocktest.LoadFixture(r.fsys, p)
	if err != nil {
		return bedrocktest.Error(bedrocktest.ValidationException, "fixtureReplayer: "+err.Error())
	}
	r.served[p] = true
	return f.Reply(&bedrocktest.ReplayOptions{Allow: r.allow[strings.TrimSuffix(path.Base(p), ".json")]})
}

// check reports recordings a scenario queued but never used.
func (r *fixtureReplayer) check() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if left := append(r.unserved, r.pending...); len(left) > 0 {
		return fmt.Errorf("recordings queued but not replayed: %s", strings.Join(left, ", "))
	}
	return nil
}

// replayModels maps the fixture directories to the names the report shows.
var replayModels = map[string]string{
	"anthropic_claude_haiku_4_5_20251001_v1_0": "Claude Haiku 4.5",
	"meta_llama3_3_70b_instruct_v1_0":          "Llama 3.3 70B",
	"cohere_command_r_plus_v1_0":               "Command R+",
}

// replayHarnesses returns one harness per fixture directory, each on its own
// simulator whose default reply is the harness's fixtureReplayer.
func replayHarnesses(t *testing.T) ([]*conformance.Harness, []*bedrocktest.Server, []*fixtureReplayer) {
	t.Helper()
	fsys := bedrocktest.Fixtures()
	dirs, err := fs.Glob(fsys, "*")
	if err != nil {
		t.Fatal(err)
	}
	var hs []*conformance.Harness
	var srvs []*bedrocktest.Server
	var rps []*fixtureReplayer
	for _, dir := range dirs {
		files, _ := fs.Glob(fsys, dir+"/*.json")
		if len(files) == 0 {
			continue
		}
		f, err := bedrocktest.LoadFixture(fsys, files[0])
		if err != nil {
			t.Fatal(err)
		}
		rp := &fixtureReplayer{dir: dir, fsys: fsys, allow: replayAllow, served: map[string]bool{}}
		srv := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Func(rp.serve)})
		t.Cleanup(srv.Close)
		name := replayModels[dir]
		if name == "" {
			name = dir
		}
		hs = append(hs, &conformance.Harness{
			Name:     name,
			Model:    bedrock.New(srv.Client(nil), nil),
			ModelID:  f.ModelID(),
			Replayer: rp,
		})
		srvs = append(srvs, srv)
		rps = append(rps, rp)
	}
	return hs, srvs, rps
}

// checkReplay checks that every request matched its recording (beyond the intended
// differences), every recording a scenario asked for was replayed, and every fixture
// file was replayed.
func checkReplay(t *testing.T, srvs []*bedrocktest.Server, rps []*fixtureReplayer) {
	t.Helper()
	for _, srv := range srvs {
		if err := srv.Check(); err != nil {
			t.Errorf("replay: %v", err)
		}
	}
	served := map[string]bool{}
	for _, rp := range rps {
		if err := rp.check(); err != nil {
			t.Errorf("replay: %s: %v", rp.dir, err)
		}
		for p := range rp.served {
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

// TestConformanceReplayReport writes the replay matrix of the recorded models to
// conformance/testdata (report.md, report.json) with -update, and compares it with
// them otherwise.
func TestConformanceReplayReport(t *testing.T) {
	hs, srvs, rps := replayHarnesses(t)
	rep := conformance.Evaluate(t.Context(), conformance.ReplayScenarios(), hs...)
	checkReplay(t, srvs, rps)
	if rep.Failed() {
		t.Errorf("replay report has failures")
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	js = append(js, '\n')
	dir := filepath.Join("..", "..", "conformance", "testdata")
	mdPath, jsPath := filepath.Join(dir, "report.md"), filepath.Join(dir, "report.json")
	if confUpdate() {
		for p, b := range map[string][]byte{mdPath: md.Bytes(), jsPath: js} {
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	wantJS, err := os.ReadFile(jsPath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var want, got any
	if err := json.Unmarshal(wantJS, &want); err != nil {
		t.Fatalf("%s: %v", jsPath, err)
	}
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replay report differs from %s (-want +got); run with -update if intended:\n%s", jsPath, diff)
	}
	wantMD, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(lines(string(wantMD)), lines(md.String())); diff != "" {
		t.Errorf("replay report differs from %s (-want +got); run with -update if intended:\n%s", mdPath, diff)
	}
}

func lines(s string) []string {
	out := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range out {
		out[i] = strings.TrimRight(l, " \t")
	}
	return out
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
				h.Recorder = &fixtureRecorder{rec: rec, dir: filepath.Join(recordDir, fixtureDir(id))}
			}
			t.Run("suite", func(t *testing.T) { conformance.Run(t, h) })
			t.Run("replay", func(t *testing.T) { conformance.RunScenarios(t, h, conformance.ReplayScenarios()) })
		})
	}
}

// fixtureRecorder stores the exchanges a bedrocktest.Recorder captured during a replay
// scenario as fixture files named after the scenario's recordings.
type fixtureRecorder struct {
	rec   *bedrocktest.Recorder
	dir   string
	start int
}

func (r *fixtureRecorder) Begin(string) { r.start = len(r.rec.Fixtures()) }

func (r *fixtureRecorder) Save(names ...string) error {
	fx := r.rec.Fixtures()[r.start:]
	if len(fx) != len(names) {
		return fmt.Errorf("recorded %d exchanges, want %d (%s)", len(fx), len(names), strings.Join(names, ", "))
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	for i, f := range fx {
		if err := f.WriteFile(filepath.Join(r.dir, names[i]+".json")); err != nil {
			return err
		}
	}
	return nil
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// fixtureDir names a model's fixture directory as the shipped ones are named.
func fixtureDir(model string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(model), "_"), "_")
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
		Recorder: &fixtureRecorder{rec: rec, dir: filepath.Join(dir, fixtureDir(model))},
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

	rp := &fixtureReplayer{dir: fixtureDir(model), fsys: os.DirFS(dir), served: map[string]bool{}}
	replaySrv := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Func(rp.serve)})
	t.Cleanup(replaySrv.Close)
	replay := &conformance.Harness{Model: bedrock.New(replaySrv.Client(nil), nil), ModelID: model, Replayer: rp}
	if res := conformance.Evaluate(t.Context(), roundTrip, replay).Models[0].Results[0]; res.Status != conformance.StatusPass {
		t.Errorf("Evaluate(tool_round_trip, replaying the new recordings) = %s (%s), want pass", res.Status, res.Reason)
	}
	if err := replaySrv.Check(); err != nil {
		t.Errorf("replay of the new recordings: %v", err)
	}
	if err := rp.check(); err != nil {
		t.Errorf("replay of the new recordings: %v", err)
	}
}
