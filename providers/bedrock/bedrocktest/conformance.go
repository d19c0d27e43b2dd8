package bedrocktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/internal/simtest"
	"github.com/llmkit/llmkit/llm"
)

// This file adapts the simulator to the conformance suite (package conformance): once,
// for providers/bedrock's conformance test and for `llmkit conformance`.

// ScriptedHarness returns a conformance harness in scripted mode for the model id
// modelID on m, a model that sends to srv (for instance bedrock.New(srv.Client(nil),
// nil)). Its Scripter queues each scenario's answer on srv for modelID, with text,
// reasoning and tool input split into small deltas and stream events padded as Bedrock
// pads them, so that the provider's accumulation is exercised; a structured object is
// answered as Bedrock models answer it (see [conformance.ScriptedAnswer]). Its fault injector
// queues the suite's faults in Bedrock's real shapes: HTTP 429 ThrottlingException,
// HTTP 400 ValidationException, and modelStreamErrorException or throttlingException
// frames after the first text delta.
func ScriptedHarness(srv *Server, m llm.Model, modelID string) *conformance.Harness {
	return &conformance.Harness{
		Model:    m,
		ModelID:  modelID,
		Scripter: scripter{srv: srv, model: modelID},
		Faults:   faultInjector{srv: srv, model: modelID},
	}
}

// scripter queues the suite's scripted answers on a Server for one model id.
type scripter struct {
	srv   *Server
	model string
}

func (s scripter) Enqueue(r conformance.ScriptedAnswer) error {
	shape := func(reply ServerReply) ServerReply {
		reply = reply.Split(5).Padded()
		if r.Interval > 0 {
			reply = reply.Pace(0, r.Interval)
		}
		return reply
	}
	switch {
	case r.Events != nil:
		s.srv.EnqueueFor(s.model, shape(Events(r.Events...)))
	case r.Response == nil:
		return errors.New("bedrocktest: enqueue: scripted reply with neither a response nor events")
	case r.Response.Object != nil:
		s.srv.EnqueueFor(s.model, objectReply(r.Response, shape))
	default:
		s.srv.EnqueueFor(s.model, shape(Respond(r.Response)))
	}
	return nil
}

// objectReply answers a structured-output request the way Bedrock models do: with
// native output (outputConfig), the object as text; through llmkit's synthetic tool, a
// call of that tool whose input is the object, stopping at tool_use.
func objectReply(resp *llm.Response, shape func(ServerReply) ServerReply) ServerReply {
	return Func(func(req Request) ServerReply {
		var body struct {
			OutputConfig json.RawMessage `json:"outputConfig"`
			ToolConfig   struct {
				Tools []struct {
					ToolSpec struct{ Name string } `json:"toolSpec"`
				} `json:"tools"`
			} `json:"toolConfig"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return Error(ValidationException, "bedrocktest: object reply: "+err.Error())
		}
		if body.OutputConfig == nil {
			for _, t := range body.ToolConfig.Tools {
				if t.ToolSpec.Name == "structured_output" {
					return shape(Respond(&llm.Response{
						Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
							llm.ToolCall{ID: "tooluse_object", Name: t.ToolSpec.Name, Input: resp.Object},
						}},
						StopReason: llm.StopReasonToolUse,
						Usage:      resp.Usage,
					}))
				}
			}
		}
		return shape(Respond(resp))
	})
}

// faultInjector injects the suite's faults on a Server for one model id.
type faultInjector struct {
	srv   *Server
	model string
}

func (f faultInjector) Inject(fault conformance.Fault) error {
	var reply ServerReply
	switch fault.Kind {
	case conformance.FaultThrottling:
		reply = Error(ThrottlingException, "Too many requests, please wait before trying again.")
	case conformance.FaultValidation:
		reply = Error(ValidationException, "Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again.")
	case conformance.FaultStreamException:
		// After the messageStart frame and the first text delta.
		reply = Respond(fault.Partial).Split(8).ExceptionAfter(2, ModelStreamErrorException, "The model failed to complete the stream.")
	case conformance.FaultStreamThrottling:
		reply = Respond(fault.Partial).Split(8).ExceptionAfter(2, ThrottlingException, "Too many tokens, please wait before trying again.")
	default:
		return fmt.Errorf("bedrocktest: inject: unknown fault %q", fault.Kind)
	}
	f.srv.EnqueueFor(f.model, reply)
	return nil
}

// ConformanceAllow returns, by recording name, the intended differences between the
// requests llmkit sends for [conformance.ReplayScenarios] and the recordings shipped in
// [Fixtures] (which ReqLLM made), each with its reason, for [NewReplayer].
// Every other part of every recorded request — prompts, system prompt, inference
// settings, tool declarations and schemas, the assistant turn and tool result sent back
// in tool_round_trip_2 — must match as parsed JSON. Recordings made by llmkit itself
// (with a [FixtureRecorder]) have none of these differences. Each call returns a new map.
func ConformanceAllow() map[string][]Allow {
	object := []Allow{{
		Path:   "$.toolConfig.toolChoice",
		Reason: "the shipped recordings (ReqLLM's) omit toolChoice where the structured_output tool should be forced; llmkit forces it by name where the model takes a forced choice (Claude), and sends none, with a warning, where it does not (Llama 3.3, Command R+; providers/bedrock/RULES.md REQ-TOOL-CHOICE)",
	}}
	return map[string][]Allow{
		"streaming": {{
			Path:   "$.inferenceConfig.topP",
			Absent: true,
			Reason: "the shipped recordings (ReqLLM's) sent topP 0.8 beside temperature 0.9 to the models that take both; the scenario sends one request to every model, and Claude Haiku 4.5 takes temperature or topP, not both, so llmkit sends temperature only",
		}},
		"object_basic":     object,
		"object_streaming": slices.Clone(object),
	}
}

// Recordings are recorded exchanges ([Fixture]s) grouped by the model id they were sent
// to, each named as [conformance.Scenario.Recordings] names them: by its file name
// without .json (e.g. "tool_round_trip_1").
type Recordings struct {
	recs *simtest.Recordings[*Fixture]
}

// LoadRecordings reads every *.json fixture under fsys, in any directory: [Fixtures]
// for the recordings shipped with this package, os.DirFS for those a [FixtureRecorder]
// wrote. Each fixture's Name is its path in fsys. It fails on a fixture that does not
// load, and on two fixtures recording the same name for the same model id.
func LoadRecordings(fsys fs.FS) (*Recordings, error) {
	recs, err := simtest.LoadRecordings("bedrocktest", fsys, true, LoadFixture, (*Fixture).ModelID,
		func(f *Fixture) string { return f.Name })
	if err != nil {
		return nil, err
	}
	return &Recordings{recs: recs}, nil
}

// Models returns the model ids that have recordings, sorted.
func (r *Recordings) Models() []string { return r.recs.Models() }

// Replayer is a [conformance.Replayer] that answers the [conformance.ReplayScenarios]
// of one model id with its [Recordings], comparing each request with the recorded one.
// It answers through a Server whose [Options.Default] is [Replayer.Reply]: each request
// takes the next recording of the current scenario, so that a scenario that fails early
// leaves nothing queued for the next one. It notes which recordings were served, and
// which a scenario queued but left unserved. A Replayer is safe for concurrent use.
type Replayer struct {
	rp *simtest.Replayer[*Fixture]
}

// NewReplayer returns a Replayer of the recordings of modelID in recs (none when recs
// has none: every replay scenario is then skipped). allow lists, by recording name, the
// intended differences between the requests sent and the recorded ones, as
// [ConformanceAllow] does for the recordings in [Fixtures]; it may be nil.
func NewReplayer(recs *Recordings, modelID string, allow map[string][]Allow) *Replayer {
	return &Replayer{rp: recs.recs.Replayer(modelID, allow, nil)}
}

// ReplayHarness returns a conformance harness in replay mode for rp's model id on m, a
// model that sends to a Server whose [Options.Default] is rp.Reply() (for instance
// bedrock.New(srv.Client(nil), nil)).
func ReplayHarness(rp *Replayer, m llm.Model) *conformance.Harness {
	return &conformance.Harness{Model: m, ModelID: rp.rp.ModelID(), Replayer: rp}
}

// Replay queues the recordings named names as the answers to the next requests,
// replacing those the previous scenario left unserved. When one is missing it queues
// none and returns an error wrapping [conformance.ErrNoRecording] that reads
// "no recording of NAME", the reason the suite gives for skipping the scenario.
func (r *Replayer) Replay(ctx context.Context, names ...string) error {
	return r.rp.Replay(ctx, names...)
}

// Reply returns the reply that answers each request with the next recording of the
// current scenario (see [Fixture.Reply]), or, when none is left, with a 400
// ValidationException saying so. Give it as the Server's [Options.Default].
func (r *Replayer) Reply() ServerReply { return Func(r.serve) }

func (r *Replayer) serve(Request) ServerReply {
	f, allow, ok := r.rp.Next()
	if !ok {
		return Error(ValidationException, "bedrocktest: replay: no recording left for this request")
	}
	return f.Reply(&ReplayOptions{Allow: allow})
}

// Served returns the Names of the recordings served so far (their paths, as
// [LoadRecordings] names them), sorted.
func (r *Replayer) Served() []string { return r.rp.Served() }

// Check returns an error naming the recordings a scenario queued but that no request
// used, or nil. Mismatches between requests and recordings are the Server's to report
// ([Server.Check]).
func (r *Replayer) Check() error { return r.rp.Check() }

// FixtureRecorder is a [conformance.Recorder] for a live harness: it saves the
// exchanges a [Recorder] captured during each replay scenario that passed as fixture
// files, one per recording, in a directory per model id, so that [LoadRecordings] can
// load them and a [Replayer] replay them. The suite calls it from one goroutine.
type FixtureRecorder struct {
	rec   *Recorder
	dir   string
	start int
}

// NewFixtureRecorder returns a FixtureRecorder that saves what rec captures for the
// model id modelID as root/DIR/NAME.json, NAME being the recording's name and DIR the
// model id as the shipped fixtures' directories are named: in lower case, each run of
// characters other than a-z and 0-9 an underscore (us.amazon.nova-pro-v1:0 becomes
// us_amazon_nova_pro_v1_0).
func NewFixtureRecorder(rec *Recorder, root, modelID string) *FixtureRecorder {
	return &FixtureRecorder{rec: rec, dir: filepath.Join(root, fixtureDir(modelID))}
}

// Begin marks the start of scenario's exchanges.
func (r *FixtureRecorder) Begin(scenario string) { r.start = len(r.rec.Fixtures()) }

// Save writes the exchanges captured since Begin, which must be one per name, as the
// fixture files of names, in order. A retried call records twice, and then Save fails.
func (r *FixtureRecorder) Save(names ...string) error {
	fx := r.rec.Fixtures()[r.start:]
	if len(fx) != len(names) {
		return fmt.Errorf("bedrocktest: save recordings: recorded %d exchanges, want %d (%s); a retried call records twice", len(fx), len(names), strings.Join(names, ", "))
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return fmt.Errorf("bedrocktest: save recordings: %w", err)
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
func fixtureDir(modelID string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(modelID), "_"), "_")
}
