package openaitest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/internal/simtest"
	"github.com/llmkit/llmkit/llm"
)

// ScriptedHarness returns a conformance harness for m, a provider on the Chat
// Completions protocol sending to srv, for the model id modelID: the suite's scripted
// answers are queued on srv (text in several deltas, tool-call arguments in several
// fragments), and its faults are injected in OpenAI's shapes (a 429 with Retry-After, a
// 400, an error object inside a stream). The provider is a parameter so that this
// package does not depend on it.
func ScriptedHarness(srv *Server, m llm.Model, modelID string) *conformance.Harness {
	return &conformance.Harness{
		Model:    m,
		ModelID:  modelID,
		Scripter: scripter{srv: srv},
		Faults:   faultInjector{srv: srv},
	}
}

type scripter struct{ srv *Server }

func (s scripter) Enqueue(r conformance.ScriptedAnswer) error {
	shape := func(reply Reply) Reply {
		reply = reply.Split(5)
		if r.Interval > 0 {
			reply = reply.Pace(r.Interval)
		}
		return reply
	}
	switch {
	case r.Events != nil:
		s.srv.Enqueue(shape(Events(r.Events...)))
	case r.Response == nil:
		return errors.New("openaitest: enqueue: scripted reply with neither a response nor events")
	case r.Response.Object != nil:
		s.srv.Enqueue(objectReply(r.Response, shape))
	default:
		s.srv.Enqueue(shape(Respond(r.Response)))
	}
	return nil
}

// objectReply answers a structured-output request the way Chat Completions models do:
// with response_format json_schema, the object as the text; through a forced output
// tool, a call of that tool whose input is the object.
func objectReply(resp *llm.Response, shape func(Reply) Reply) Reply {
	return Func(func(req Request) Reply {
		var body struct {
			ResponseFormat json.RawMessage `json:"response_format"`
			ToolChoice     struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			} `json:"tool_choice"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return Error(400, "invalid_request_error", "", "openaitest: object reply: "+err.Error())
		}
		if name := body.ToolChoice.Function.Name; body.ResponseFormat == nil && name != "" {
			return shape(Respond(&llm.Response{
				Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "call_object", Name: name, Input: resp.Object}}},
				StopReason: llm.StopReasonEndTurn, RawStopReason: "stop",
				Usage: resp.Usage,
			}))
		}
		return shape(Respond(resp))
	})
}

type faultInjector struct{ srv *Server }

func (f faultInjector) Inject(fault conformance.Fault) error {
	var reply Reply
	switch fault.Kind {
	case conformance.FaultThrottling:
		reply = Error(429, "requests", "rate_limit_exceeded", "Rate limit reached for requests").WithHeader("Retry-After", "1")
	case conformance.FaultValidation:
		reply = Error(400, "invalid_request_error", "", "Additional properties are not allowed ('foo' was unexpected)")
	case conformance.FaultStreamException:
		// After the role chunk and the first text delta.
		reply = Respond(fault.Partial).Split(8).ErrorAfter(2, "server_error", "", "The server had an error while processing your request.")
	case conformance.FaultStreamThrottling:
		reply = Respond(fault.Partial).Split(8).ErrorAfter(2, "tokens", "rate_limit_exceeded", "Rate limit reached for tokens")
	default:
		return fmt.Errorf("openaitest: inject: unknown fault %q", fault.Kind)
	}
	f.srv.Enqueue(reply)
	return nil
}

// Recordings are the recorded exchanges of a fixture tree, by model and by name.
type Recordings struct {
	recs *simtest.Recordings[*Fixture]
}

// LoadRecordings loads every fixture of fsys (such as [Fixtures]()), keyed by the
// recorded request's model and the file's name without .json. Two files recording one
// name for one model are an error.
func LoadRecordings(fsys fs.FS) (*Recordings, error) {
	recs, err := simtest.LoadRecordings("openaitest", fsys, false, LoadFixture, (*Fixture).Model,
		func(f *Fixture) string { return f.Name })
	if err != nil {
		return nil, err
	}
	return &Recordings{recs: recs}, nil
}

// Models returns the model ids that have recordings, sorted.
func (r *Recordings) Models() []string { return r.recs.Models() }

// Dir returns the directory holding the recordings of modelID ("groq_qwen_qwen3_32b"),
// which names the service they were recorded on; "" when there is none.
func (r *Recordings) Dir(modelID string) string { return r.recs.Dir(modelID) }

// Replayer is a [conformance.Replayer] over one model's recordings: each scenario's
// recordings answer the next requests in order. Install [Replayer.Reply] as the
// server's fallback. It is safe for concurrent use.
type Replayer struct {
	rp *simtest.Replayer[*Fixture]
}

// NewReplayer returns a Replayer of recs' recordings of modelID; allow lists, by
// recording name, the intended differences between the requests sent and recorded.
// Recordings [ConformanceUnfit] names for modelID are not replayed: the scenario that
// asks for one is skipped with the reason.
func NewReplayer(recs *Recordings, modelID string, allow map[string][]Allow) *Replayer {
	return &Replayer{rp: recs.recs.Replayer(modelID, allow, ConformanceUnfit()[modelID])}
}

// ConformanceUnfit returns, by model id and recording name, the recordings that do not
// record what the replay scenario of that name asks, with the reason: ReqLLM gave
// Groq's reasoning models token limits of their own (3000, 500), far above the
// scenarios' (100 for token_limit, 10 for usage), so their answers cannot show the
// limit the scenario checks.
func ConformanceUnfit() map[string]map[string]string {
	limit := func(n int) string {
		return fmt.Sprintf("recorded with max_tokens %d, not the scenario's limit, so the answer cannot show it", n)
	}
	return map[string]map[string]string{
		"openai/gpt-oss-120b": {"token_limit": limit(3000), "usage": limit(500)},
		"qwen/qwen3-32b":      {"token_limit": limit(3000), "usage": limit(500)},
	}
}

// ReplayHarness returns the harness that replays rp's recordings through m.
func ReplayHarness(rp *Replayer, m llm.Model) *conformance.Harness {
	return &conformance.Harness{Model: m, ModelID: rp.rp.ModelID(), Replayer: rp}
}

// Replay queues the recordings names, or none and an error wrapping
// [conformance.ErrNoRecording] when one is missing.
func (r *Replayer) Replay(ctx context.Context, names ...string) error {
	return r.rp.Replay(ctx, names...)
}

// Reply returns the reply that answers each request with the next queued recording,
// or with a 400 saying none is left.
func (r *Replayer) Reply() Reply { return Func(r.serve) }

func (r *Replayer) serve(Request) Reply {
	f, allow, ok := r.rp.Next()
	if !ok {
		return Error(http.StatusBadRequest, "invalid_request_error", "", "openaitest: replay: no recording left for this request")
	}
	return f.Reply(&ReplayOptions{Allow: allow})
}

// Served returns the names of the recordings served so far, sorted.
func (r *Replayer) Served() []string { return r.rp.Served() }

// Check returns an error naming the recordings queued but never replayed, or nil.
func (r *Replayer) Check() error { return r.rp.Check() }

// ConformanceAllow returns, by recording name, the intended differences between the
// requests of [conformance.ReplayScenarios] and the recorded ones, each with its reason.
// The replay scenarios send one neutral request per scenario to every provider; the
// recordings (ReqLLM's) were made with settings of their own for each service.
func ConformanceAllow() map[string][]Allow {
	var (
		stream = Allow{Path: "$.stream", Absent: true, Reason: "ReqLLM sends stream: false; openai-go sends no stream field on a plain call (false is the default)"}
		seed   = Allow{Path: "$.seed", Absent: true, Reason: "ReqLLM sent seed 42; a seed is a provider setting (openai.Extra.Seed), which the neutral scenarios do not set"}
		maxTok = Allow{Path: "$.max_tokens", Reason: "ReqLLM chose its own max_tokens per recording (1638, or none); the scenarios ask every provider for the same limit"}
		effort = Allow{Path: "$.reasoning_effort", Absent: true, Reason: "ReqLLM asked Groq's reasoning models for an effort in every recording; the scenarios ask for no reasoning"}
		object = []Allow{
			{Path: "$.tools", Reason: "ReqLLM's object recordings use their own person schema (name, age, occupation) and strict flag; the scenario's schema is the neutral suite's"},
			{Path: "$.tool_choice", Reason: "with the synthetic output tool llmkit forces it by name, as ReqLLM did; where ReqLLM used response_format, llmkit's capability table decides"},
			{Path: "$.response_format", Reason: "ReqLLM asked some models for response_format json_schema with its own schema; llmkit uses native output only where its capability table says the model has it, and the scenario's schema"},
		}
	)
	plain := []Allow{stream, seed, maxTok, effort}
	return map[string][]Allow{
		"basic":             plain,
		"token_limit":       plain,
		"usage":             plain,
		"multi_tool":        plain,
		"no_tool":           plain,
		"streaming":         {maxTok, {Path: "$.top_p", Absent: true, Reason: "ReqLLM sent top_p 0.8 beside temperature; the scenario sends one request to every provider, temperature only (some models take one of the two)"}},
		"tool_round_trip_1": append(slices.Clone(plain), Allow{Path: "$.tool_choice", Absent: true, Reason: "ReqLLM forced the add tool in its first round trip; the scenario leaves the choice to the model, as with the Bedrock recordings"}),
		"tool_round_trip_2": append(slices.Clone(plain),
			Allow{Path: "$.tools", Reason: "ReqLLM declared no tools in the second round trip; the scenario declares them on every turn, as an agent loop does"},
			Allow{Path: "$.messages[1].content", Absent: true, Reason: "ReqLLM sends content: [] beside tool calls; llmkit sends no content when the turn has no text"},
			Allow{Path: "$.messages[2].name", Absent: true, Reason: "ReqLLM names the tool in a tool message; Chat Completions defines no name there (openai-go's ToolMessageParam has none)"}),
		"object_basic":     append(slices.Clone(plain), object...),
		"object_streaming": append([]Allow{seed}, object...),
	}
}
