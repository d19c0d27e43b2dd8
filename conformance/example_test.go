package conformance_test

import (
	"context"
	"fmt"
	"os"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// scripted adapts a scripted model of package llmtest to the suite: it is the
// harness's Scripter and FaultInjector. A provider's own adapter does the same over its
// simulator.
type scripted struct{ m *llmtest.Model }

// Enqueue queues r as the model's next answer.
func (s scripted) Enqueue(r conformance.ScriptedAnswer) error {
	s.m.Add(llmtest.Answer{Response: r.Response, Events: r.Events, Interval: r.Interval})
	return nil
}

// Inject queues a failure in the shape a provider reports it.
func (s scripted) Inject(f conformance.Fault) error {
	fail := func(code string, status int, cat error, retryable bool) *llm.ProviderError {
		return &llm.ProviderError{Provider: "llmtest", Op: "generate", Code: code, Message: "injected", StatusCode: status, Retryable: retryable, Category: cat}
	}
	switch f.Kind {
	case conformance.FaultThrottling:
		s.m.Add(llmtest.Fail(fail("Throttled", 429, llm.ErrRateLimited, true)))
	case conformance.FaultValidation:
		s.m.Add(llmtest.Fail(fail("Invalid", 400, llm.ErrInvalidRequest, false)))
	case conformance.FaultStreamException, conformance.FaultStreamThrottling:
		evs, err := llm.ResponseEvents(f.Partial)
		if err != nil {
			return err
		}
		cause := fail("ModelFailed", 0, llm.ErrServer, false)
		if f.Kind == conformance.FaultStreamThrottling {
			cause = fail("Throttled", 0, llm.ErrRateLimited, true)
		}
		s.m.Add(llmtest.Stream(evs[:2], cause)) // the message start and the first text
	default:
		return fmt.Errorf("scripted: unknown fault %q", f.Kind)
	}
	return nil
}

// Example evaluates a few scenarios against a scripted model that declares no tools and
// no reasoning, and prints the capability matrix.
func Example() {
	m := llmtest.New()
	caps := llm.Capabilities{SystemPrompt: true, StopSequences: true}
	h := &conformance.Harness{
		Name:         "scripted",
		Model:        m,
		ModelID:      "test-model",
		Capabilities: &caps,
		Scripter:     scripted{m},
		Faults:       scripted{m},
	}
	var picked []conformance.Scenario
	for _, s := range conformance.Scenarios() {
		switch s.Name {
		case "basic", "streaming", "usage", "tool_round_trip", "reasoning", "error_throttling", "cancel_stream":
			picked = append(picked, s)
		}
	}
	rep := conformance.Evaluate(context.Background(), picked, h)
	if err := rep.WriteMarkdown(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// | Scenario | scripted |
	// | --- | --- |
	// | `basic` | pass |
	// | `streaming` | pass |
	// | `usage` | pass |
	// | `tool_round_trip` | skip (1) |
	// | `reasoning` | skip (2) |
	// | `error_throttling` | pass |
	// | `cancel_stream` | pass |
	//
	// Notes:
	//
	// 1. skipped: model does not declare Tools
	// 2. skipped: model does not declare Reasoning
	//
	// Models:
	//
	// - scripted: `test-model` (scripted)
	//
	// Scenarios:
	//
	// - `basic`: Generate answers a user turn with an assistant message holding text, stop reason end_turn, usage above zero and no warnings
	// - `streaming`: Stream yields a message start, text deltas that join into the answer and one message stop; Response returns the accumulated answer and a second pass replays the same events
	// - `usage`: usage is the same streamed and not streamed for the same exchange, cache reads included (and cache writes, for a model with CachePoints)
	// - `tool_round_trip`: a tool call with a JSON object input is answered with a tool result carrying its id, and the model uses the result in its next answer
	// - `reasoning`: with reasoning on, the answer starts with the model's reasoning (text, or redacted bytes) and then answers
	// - `error_throttling`: throttling surfaces as llm.ErrRateLimited in a retryable *llm.ProviderError, from Generate and from Stream
	// - `cancel_stream`: cancelling the context mid-stream ends the stream with an error for which errors.Is(err, context.Canceled) holds, and leaves no goroutine behind
}
