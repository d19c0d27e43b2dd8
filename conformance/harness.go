package conformance

import (
	"context"
	"errors"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// Harness is what the suite runs against: one model id on one [llm.Model], and what the
// caller can do around it. Only Model and ModelID are required.
//
// What the scenarios assert depends on the harness's [Mode]:
//
//   - With a [Scripter] (ModeScripted), each scenario queues the answer it expects and
//     checks that the model hands it back exactly: content, stop reason, usage,
//     events. This is how a provider checks its own translation against a simulator.
//   - With a [Replayer] and no Scripter (ModeReplay), only the [ReplayScenarios] run,
//     each answered by recorded exchanges.
//   - With neither (ModeLive), the model is real: scenarios assert only what a real
//     model reliably does with their deterministic prompts (temperature 0) — the right
//     stop reason, a tool called with valid input, usage above zero, a word the prompt
//     asks for.
//
// Scenarios that need a capability the harness does not declare are skipped, naming it.
type Harness struct {
	// Name names the model in reports and subtests; empty means ModelID.
	Name string
	// Model is the model under test.
	Model llm.Model
	// ModelID is sent as [llm.Request.Model].
	ModelID string
	// Capabilities declares what the model supports. Nil means: ask Model, when it is an
	// [llm.CapabilityReporter]; otherwise nothing beyond plain text is assumed.
	Capabilities *llm.Capabilities
	// Scripter, when set, queues the scripted answers of a simulator or a fake model.
	Scripter Scripter
	// Faults, when set, injects failures for the error scenarios; without it they are
	// skipped.
	Faults FaultInjector
	// Replayer, when set, answers the [ReplayScenarios] with recorded exchanges.
	Replayer Replayer
	// Recorder, when set on a live harness, stores the exchanges of each replay scenario
	// that passed, so that they can be replayed later.
	Recorder Recorder
	// Timeout bounds each scenario; 0 means one minute.
	Timeout time.Duration
	// LeakWait bounds how long the cancellation scenario waits for the goroutines a
	// cancelled stream started to end (it stops waiting as soon as they have); those
	// still alive then are reported as left behind. 0 means five seconds.
	LeakWait time.Duration
}

// Mode says how a harness's model answers: scripted, replayed or live.
type Mode string

// The modes of a [Harness].
const (
	ModeScripted Mode = "scripted" // a Scripter queues each answer
	ModeReplay   Mode = "replay"   // recorded exchanges answer the replay scenarios
	ModeLive     Mode = "live"     // a real model answers
)

// Mode returns the harness's mode: [ModeScripted] with a Scripter, else [ModeReplay] with
// a Replayer, else [ModeLive].
func (h *Harness) Mode() Mode {
	switch {
	case h.Scripter != nil:
		return ModeScripted
	case h.Replayer != nil:
		return ModeReplay
	}
	return ModeLive
}

func (h *Harness) name() string {
	if h.Name != "" {
		return h.Name
	}
	return h.ModelID
}

func (h *Harness) caps() llm.Capabilities {
	if h.Capabilities != nil {
		return *h.Capabilities
	}
	if r, ok := h.Model.(llm.CapabilityReporter); ok {
		return r.Capabilities(h.ModelID)
	}
	return llm.Capabilities{}
}

func (h *Harness) leakWait() time.Duration {
	if h.LeakWait > 0 {
		return h.LeakWait
	}
	return 5 * time.Second
}

func (h *Harness) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return time.Minute
}

// ScriptedAnswer is one answer the suite scripts for the harness's model, given as the
// caller of the model should receive it; the [Scripter] turns it into the backend's
// form.
type ScriptedAnswer struct {
	// Response is the answer: Generate returns it, Stream streams it (its parts in order,
	// as [llm.ResponseEvents] does) and accumulates to it. When Object is set, the answer
	// is that structured object: a backend whose provider carries objects differently on
	// the wire (as a forced tool call, say) answers in that form, so that the provider
	// turns it back into this Response.
	Response *llm.Response
	// Events, when set, is streamed exactly as given instead, for answers no Response
	// describes (a tool call cut by the token limit). Only Stream calls get such a
	// reply.
	Events []llm.Event
	// Interval, when positive, paces a streamed answer: the backend waits that long
	// between events.
	Interval time.Duration
}

// Scripter queues scripted answers for a harness's model: a simulator's or fake model's
// queue. The suite calls it from one goroutine, before the call each reply answers.
type Scripter interface {
	// Enqueue queues r as the answer to the model's next call, whether Generate or Stream.
	Enqueue(r ScriptedAnswer) error
}

// FaultKind names a failure [FaultInjector] can inject.
type FaultKind string

// The faults of the error scenarios.
const (
	// FaultThrottling refuses the call as rate limited before any answer (e.g. HTTP 429:
	// Bedrock's ThrottlingException, OpenAI's rate_limit_exceeded). It must surface as
	// [llm.ErrRateLimited], retryable.
	FaultThrottling FaultKind = "throttling"
	// FaultValidation refuses the call as invalid (e.g. HTTP 400: Bedrock's
	// ValidationException, OpenAI's invalid_request_error). It must surface as
	// [llm.ErrInvalidRequest], not retryable.
	FaultValidation FaultKind = "validation"
	// FaultStreamException breaks a stream after its first text with a model failure
	// reported inside the stream (e.g. Bedrock's modelStreamErrorException frame, an
	// error object in a Chat Completions stream). It must surface as an
	// [*llm.ProviderError] with no HTTP status, of category [llm.ErrServer] or
	// [llm.ErrStream].
	FaultStreamException FaultKind = "stream_exception"
	// FaultStreamThrottling breaks a stream after its first text with throttling
	// reported inside the stream (e.g. Bedrock's throttlingException frame, a
	// rate_limit_exceeded error object in a Chat Completions stream). It must surface
	// as [llm.ErrRateLimited], retryable, as throttling before the stream does.
	FaultStreamThrottling FaultKind = "stream_throttling"
)

// Fault is one failure to inject.
type Fault struct {
	Kind FaultKind
	// Partial is the answer a stream fault interrupts: the stream delivers its start and
	// at least its first text delta, then fails. Unused by the other kinds.
	Partial *llm.Response
}

// FaultInjector makes a harness's model fail in the ways real providers fail. The suite
// calls it from one goroutine, before the call each fault is for.
type FaultInjector interface {
	// Inject makes the model's next call fail with f.
	Inject(f Fault) error
}

// ErrNoRecording is returned, wrapped, by a [Replayer] that has no recording of an
// exchange; the scenario that asked is skipped, with the error's text as the reason
// (e.g. "no recording of usage").
var ErrNoRecording = errors.New("no recording")

// Replayer answers the [ReplayScenarios] with recorded exchanges. The suite calls it from
// one goroutine.
type Replayer interface {
	// Replay queues the recorded exchanges named names (a scenario's
	// [Scenario.Recordings]), in order, as the answers to the model's next calls. It
	// returns an error wrapping [ErrNoRecording] when one is missing, and then queues
	// none.
	Replay(ctx context.Context, names ...string) error
}

// Recorder records the exchanges of a live harness's replay scenarios, in the
// replayer's format. The suite calls it from one goroutine.
type Recorder interface {
	// Begin is called before a replay scenario's first call.
	Begin(scenario string)
	// Save is called after the scenario passed, with its [Scenario.Recordings]: the
	// exchanges since Begin, in order, are to be stored under those names.
	Save(names ...string) error
}
