package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

const conformanceSynopsis = `llmkit conformance --model ID [--model ID]... [--region REGION] [--profile PROFILE] [--endpoint URL] [--record DIR] [--run REGEXP] [--format md|json]
       llmkit conformance --replay [--fixtures DIR] [--model ID]... [--run REGEXP] [--format md|json]
       llmkit conformance --sim --model ID [--model ID]... [--run REGEXP] [--format md|json]`

const conformanceAbout = `
Runs llmkit's conformance suite (package conformance) and prints the matrix:
one row per scenario, one column per model, each cell pass, fail or skip with
the reason (a scenario is skipped when the model lacks what it needs, by
llmkit's capability table).

Modes:
  live (default)  against real Amazon Bedrock (AWS default credential chain), or
                  the Bedrock-compatible endpoint given with --endpoint: the
                  suite's scenarios, whose live checks assert what a real model
                  reliably does, then the recorded scenarios ("recorded/…"),
                  which send the requests of llmkit's recordings: a few dozen
                  calls per model. --record DIR saves the exchanges of
                  the recorded scenarios that pass as fixtures under DIR, one
                  directory per model, to replay later with --replay --fixtures DIR.
  --replay        no AWS: the recorded scenarios, answered by the recordings
                  shipped with llmkit (or those under --fixtures DIR) through the
                  simulator and the real SDK client; each request is compared
                  with the recorded one. --model picks recorded models (default:
                  all of them).
  --sim           no AWS: the whole suite on the simulator, which plays the
                  answers each scenario scripts; shows what llmkit does with each
                  model id's capabilities.

Exits with 1 when a scenario fails or, with --replay, a request differs from
its recording.`

// modelList is a flag that may be repeated and takes comma-separated values.
type modelList []string

func (m *modelList) String() string { return strings.Join(*m, ",") }

func (m *modelList) Set(v string) error {
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*m = append(*m, id)
		}
	}
	return nil
}

func runConformance(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "conformance", conformanceSynopsis, conformanceAbout)
	var aws awsFlags
	var models modelList
	fs.Var(&models, "model", "model `ID` to test; repeat it or separate ids with commas")
	replay := fs.Bool("replay", false, "replay recorded exchanges instead of calling Bedrock (no AWS needed)")
	sim := fs.Bool("sim", false, "run the suite on the simulator with scripted answers (no AWS needed)")
	fixtures := fs.String("fixtures", "", "with --replay, the recordings under `DIR` instead of those shipped with llmkit")
	record := fs.String("record", "", "live: save the recorded scenarios' exchanges as fixtures under `DIR`")
	run := fs.String("run", "", "run only the scenarios whose names match `REGEXP`")
	format := fs.String("format", "md", "output `md|json`: a Markdown table, or the report as JSON")
	aws.register(fs)
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	live := !*replay && !*sim
	var filter *regexp.Regexp
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			return usageError(e, fs, "--run %q: %v", *run, err)
		}
		filter = re
	}
	switch {
	case fs.NArg() > 0:
		return usageError(e, fs, "unexpected argument %q", fs.Arg(0))
	case *format != "md" && *format != "json":
		return usageError(e, fs, "--format %q: want md or json", *format)
	case *replay && *sim:
		return usageError(e, fs, "--replay and --sim exclude each other")
	case !*replay && len(models) == 0:
		return usageError(e, fs, "--model is required (e.g. --model us.anthropic.claude-haiku-4-5-20251001-v1:0), or use --replay")
	case *fixtures != "" && !*replay:
		return usageError(e, fs, "--fixtures goes with --replay")
	case *record != "" && !live:
		return usageError(e, fs, "--record records live exchanges; it does not go with --replay or --sim")
	case !live && (aws.region != "" || aws.profile != "" || aws.endpoint != ""):
		return usageError(e, fs, "--region, --profile and --endpoint are for live runs; --replay and --sim use the local simulator")
	}

	var (
		hs        []*conformance.Harness
		scenarios []conformance.Scenario
		servers   []*bedrocktest.Server
	)
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	switch {
	case *replay:
		fsys, where := bedrocktest.Fixtures(), "the recordings shipped with llmkit"
		if *fixtures != "" {
			fsys, where = os.DirFS(*fixtures), *fixtures
		}
		recs, err := loadRecordings(fsys)
		if err != nil {
			return usageError(e, fs, "loading %s: %v", where, err)
		}
		ids := models
		if len(ids) == 0 {
			ids = recs.models()
		}
		if len(ids) == 0 {
			return usageError(e, fs, "no recording (*.json) found in %s", where)
		}
		for _, id := range ids {
			if len(recs.byModel[id]) == 0 {
				return usageError(e, fs, "--model %s: %s hold no recording of it; recorded: %s", id, where, strings.Join(recs.models(), ", "))
			}
			srv := bedrocktest.NewServer(nil)
			servers = append(servers, srv)
			hs = append(hs, &conformance.Harness{
				Model:    bedrock.New(srv.Client(nil), nil),
				ModelID:  id,
				Replayer: &fixtureReplayer{srv: srv, recordings: recs.byModel[id]},
			})
		}
		scenarios = conformance.ReplayScenarios()
	case *sim:
		for _, id := range models {
			srv := bedrocktest.NewServer(nil)
			servers = append(servers, srv)
			hs = append(hs, &conformance.Harness{
				Model:    bedrock.New(srv.Client(nil), nil),
				ModelID:  id,
				Scripter: simScripter{srv: srv, model: id},
				Faults:   simFaults{srv: srv, model: id},
			})
		}
		scenarios = conformance.Scenarios()
	default:
		var rec *bedrocktest.Recorder
		var wrap func(http.RoundTripper) http.RoundTripper
		if *record != "" {
			wrap = func(next http.RoundTripper) http.RoundTripper {
				rec = bedrocktest.NewRecorder(next)
				return rec
			}
		}
		cctx, stop := interruptible(ctx, e)
		cl, err := aws.connect(cctx, wrap)
		stop()
		if err != nil {
			return report(e.stderr, "conformance", err)
		}
		for _, id := range models {
			h := &conformance.Harness{Model: cl.model, ModelID: id, Timeout: 2 * time.Minute}
			if rec != nil {
				h.Recorder = &fixtureRecorder{rec: rec, dir: filepath.Join(*record, fixtureDir(id))}
			}
			hs = append(hs, h)
		}
		scenarios = conformance.Scenarios()
		for _, s := range conformance.ReplayScenarios() {
			s.Name = "recorded/" + s.Name
			scenarios = append(scenarios, s)
		}
	}
	if filter != nil {
		scenarios = slices.DeleteFunc(scenarios, func(s conformance.Scenario) bool { return !filter.MatchString(s.Name) })
		if len(scenarios) == 0 {
			return usageError(e, fs, "--run %q matches no scenario", *run)
		}
	}

	ctx, stop := interruptible(ctx, e)
	defer stop()
	if live {
		where := "Amazon Bedrock"
		if aws.endpoint != "" {
			where = aws.endpoint
		}
		fmt.Fprintf(e.stderr, "llmkit conformance: running %d scenarios against %d model(s) on %s; this takes a while.\n", len(scenarios), len(hs), where)
	}
	rep := conformance.Evaluate(ctx, scenarios, hs...)
	if ctx.Err() != nil {
		return report(e.stderr, "conformance", ctx.Err())
	}
	if *format == "json" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return report(e.stderr, "conformance", err)
		}
		fmt.Fprintf(e.stdout, "%s\n", data)
	} else if err := rep.WriteMarkdown(e.stdout); err != nil {
		return report(e.stderr, "conformance", err)
	}

	code := exitOK
	if rep.Failed() {
		code = exitFailure
	}
	for _, s := range servers {
		if err := s.Check(); err != nil {
			fmt.Fprintf(e.stderr, "llmkit conformance: %v\n", err)
			code = exitFailure
		}
	}
	return code
}

// simScripter queues the suite's scripted answers on the simulator for one model id,
// split into small deltas and padded as Bedrock pads stream events.
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
		return errors.New("llmkit conformance: scripted reply with neither a response nor events")
	case r.Response.Object != nil:
		s.srv.EnqueueFor(s.model, objectReply(r.Response, shape))
	default:
		s.srv.EnqueueFor(s.model, shape(bedrocktest.Respond(r.Response)))
	}
	return nil
}

// objectReply answers a structured-output request as Bedrock models do: with native
// output (outputConfig) the object as text; through llmkit's synthetic tool, a call of
// that tool whose input is the object.
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
			return bedrocktest.Error(bedrocktest.ValidationException, "llmkit conformance: "+err.Error())
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
		reply = bedrocktest.Respond(fault.Partial).Split(8).ExceptionAfter(2, bedrocktest.ModelStreamErrorException, "The model failed to complete the stream.")
	case conformance.FaultStreamThrottling:
		reply = bedrocktest.Respond(fault.Partial).Split(8).ExceptionAfter(2, bedrocktest.ThrottlingException, "Too many tokens, please wait before trying again.")
	default:
		return fmt.Errorf("llmkit conformance: unknown fault %q", fault.Kind)
	}
	f.srv.EnqueueFor(f.model, reply)
	return nil
}

// recordings are fixtures grouped by the model id they were recorded for, each
// named by its file name without .json (e.g. "tool_round_trip_1").
type recordings struct {
	byModel map[string]map[string]*bedrocktest.Fixture
}

// loadRecordings reads every *.json fixture under fsys.
func loadRecordings(fsys iofs.FS) (*recordings, error) {
	r := &recordings{byModel: map[string]map[string]*bedrocktest.Fixture{}}
	err := iofs.WalkDir(fsys, ".", func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(path.Ext(p), ".json") {
			return nil
		}
		f, err := bedrocktest.LoadFixture(fsys, p)
		if err != nil {
			return err
		}
		f.Name = p
		id := f.ModelID()
		if r.byModel[id] == nil {
			r.byModel[id] = map[string]*bedrocktest.Fixture{}
		}
		name := strings.TrimSuffix(path.Base(p), path.Ext(p))
		if prev := r.byModel[id][name]; prev != nil {
			return fmt.Errorf("%s and %s both record %s for %s", prev.Name, p, name, id)
		}
		r.byModel[id][name] = f
		return nil
	})
	return r, err
}

func (r *recordings) models() []string {
	ids := make([]string, 0, len(r.byModel))
	for id := range r.byModel {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// replayAllow lists the intended differences between the requests llmkit sends for the
// recorded scenarios and the shipped recordings (ReqLLM's), by recording; the same list
// as providers/bedrock's conformance test. Recordings made by llmkit itself (--record)
// have none of these differences.
var replayAllow = map[string][]bedrocktest.Allow{
	"streaming": {{
		Path:   "$.inferenceConfig.topP",
		Absent: true,
		Reason: "the recordings sent topP 0.8 beside temperature 0.9 to the models that take both; the scenario sends one request to every model, and Claude Haiku 4.5 takes temperature or topP, not both, so it sends temperature only",
	}},
	"object_basic":     objectAllow,
	"object_streaming": objectAllow,
}

var objectAllow = []bedrocktest.Allow{{
	Path:   "$.toolConfig.toolChoice",
	Reason: "the shipped recordings (ReqLLM's) omit toolChoice where the structured_output tool should be forced; llmkit forces it where the model takes a forced choice, and sends none, with a warning, where it does not",
}}

// fixtureReplayer answers the recorded scenarios of one model with its recordings.
type fixtureReplayer struct {
	srv        *bedrocktest.Server
	recordings map[string]*bedrocktest.Fixture
}

func (r *fixtureReplayer) Replay(_ context.Context, names ...string) error {
	replies := make([]bedrocktest.Reply, 0, len(names))
	for _, name := range names {
		f := r.recordings[name]
		if f == nil {
			return fmt.Errorf("no %s recording: %w", name, conformance.ErrNoRecording)
		}
		allow := replayAllow[strings.TrimSuffix(strings.TrimSuffix(name, "_1"), "_2")]
		replies = append(replies, f.Reply(&bedrocktest.ReplayOptions{Allow: allow}))
	}
	r.srv.Enqueue(replies...)
	return nil
}

// fixtureRecorder stores the exchanges a bedrocktest.Recorder captured during a
// recorded scenario as fixture files named after the scenario's recordings.
type fixtureRecorder struct {
	rec   *bedrocktest.Recorder
	dir   string
	start int
}

func (r *fixtureRecorder) Begin(string) { r.start = len(r.rec.Fixtures()) }

func (r *fixtureRecorder) Save(names ...string) error {
	fx := r.rec.Fixtures()[r.start:]
	if len(fx) != len(names) {
		return fmt.Errorf("recorded %d exchanges, want %d (%s); a retried call records twice", len(fx), len(names), strings.Join(names, ", "))
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

// fixtureDir names a model's fixture directory as the shipped ones are named: the model
// id in lower case, each run of other characters an underscore.
func fixtureDir(model string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(model), "_"), "_")
}
