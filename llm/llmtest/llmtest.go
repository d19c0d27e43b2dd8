// Package llmtest provides a scripted, in-memory [llm.Model] for tests: it answers from a
// queue of [Answer] values (responses, errors, event streams that may break midway),
// records every request it receives, and can compute replies from the request. Agents,
// sessions and anything else built on [llm.Model] can be tested with it, fast and
// deterministically, without a provider.
package llmtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// ErrNoReply is returned (wrapped) by a call that finds the script empty and no handler
// set.
var ErrNoReply = errors.New("llmtest: no reply scripted")

// Answer is one scripted answer of a [Model]: a response, an event stream (which may
// break midway) or an error.
//
//   - With Response set, Generate returns a copy of it and Stream streams
//     [llm.ResponseEvents] of it; the streamed response accumulates to the same value.
//   - With Events set, Stream yields them as given and Generate returns what they
//     accumulate to (or the accumulation's error). Events wins over Response for the
//     events; Response still supplies the request id, model, warnings, object and
//     extra.
//   - Err alone makes the call fail before anything is streamed. With Response or Events,
//     Err breaks the stream after its events (a mid-stream failure), and Generate
//     returns Err.
//
// Delay makes the call wait before it answers (Generate) or before its stream opens
// (Stream); Interval makes a stream wait between events. Both end early, with the
// context's error, when the context is cancelled.
type Answer struct {
	Response *llm.Response
	Events   []llm.Event
	Err      error
	Delay    time.Duration
	Interval time.Duration
}

// Text returns a reply whose answer is text, stopping at end_turn.
func Text(text string) Answer {
	return Answer{Response: &llm.Response{Message: llm.AssistantText(text), StopReason: llm.StopReasonEndTurn}}
}

// ToolCalls returns a reply whose answer calls the given tools, stopping at tool_use. A
// call without Input gets {}.
func ToolCalls(calls ...llm.ToolCall) Answer {
	parts := make([]llm.Part, len(calls))
	for i, c := range calls {
		if len(c.Input) == 0 {
			c.Input = json.RawMessage("{}")
		}
		parts[i] = c
	}
	return Answer{Response: &llm.Response{
		Message:    llm.Message{Role: llm.RoleAssistant, Parts: parts},
		StopReason: llm.StopReasonToolUse,
	}}
}

// Respond returns a reply with resp as the answer.
func Respond(resp *llm.Response) Answer { return Answer{Response: resp} }

// Fail returns a reply that fails the call with err before anything is streamed.
func Fail(err error) Answer { return Answer{Err: err} }

// Stream returns a reply that streams events and then, if err is not nil, breaks with
// err.
func Stream(events []llm.Event, err error) Answer { return Answer{Events: events, Err: err} }

// Handler computes a reply from a request. The request is the model's own copy, which
// the handler may read but should not keep.
type Handler func(ctx context.Context, req *llm.Request) Answer

// Model is a scripted [llm.Model]. Each call to Generate or Stream takes the next
// [Answer] from its queue; when the queue is empty it asks its [Handler], and without one
// the call fails with an error wrapping [ErrNoReply]. A call whose context is already
// done fails with the context's error and takes no reply. Every request that takes a
// reply is recorded as a deep copy. Model implements [llm.CapabilityReporter]; it
// reports every capability unless told otherwise. A Model is safe for concurrent use.
type Model struct {
	mu       sync.Mutex
	replies  []Answer
	handler  Handler
	caps     llm.Capabilities
	requests []*llm.Request
}

// AllCapabilities returns the capability set with everything supported, a Model's
// default.
func AllCapabilities() llm.Capabilities {
	return llm.Capabilities{
		Tools:              true,
		ToolChoiceRequired: true,
		ToolChoiceTool:     true,
		StreamingTools:     true,
		NativeOutput:       true,
		Reasoning:          true,
		ReasoningReplay:    true,
		Images:             true,
		Documents:          true,
		CachePoints:        true,
		SystemPrompt:       true,
		StopSequences:      true,
		StopSequenceReason: true,
	}
}

// New returns a Model that answers with replies, in order.
func New(replies ...Answer) *Model {
	return &Model{replies: append([]Answer(nil), replies...), caps: AllCapabilities()}
}

// Add appends replies to the queue.
func (m *Model) Add(replies ...Answer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.replies = append(m.replies, replies...)
}

// SetHandler sets the handler that answers once the queue is empty; nil removes it.
func (m *Model) SetHandler(h Handler) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handler = h
}

// SetCapabilities sets what [Model.Capabilities] reports.
func (m *Model) SetCapabilities(c llm.Capabilities) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.caps = c
}

// Capabilities reports the model's capabilities, the same for every model id.
func (m *Model) Capabilities(model string) llm.Capabilities {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.caps
}

// Requests returns deep copies of the requests received so far, in order.
func (m *Model) Requests() []*llm.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*llm.Request, len(m.requests))
	for i, r := range m.requests {
		out[i] = cloneRequest(r)
	}
	return out
}

// Remaining returns how many scripted replies have not been used.
func (m *Model) Remaining() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.replies)
}

// next records req and returns the reply for it.
func (m *Model) next(ctx context.Context, op string, req *llm.Request) (Answer, error) {
	if req == nil {
		return Answer{}, fmt.Errorf("llmtest: %s: nil request", op)
	}
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	rec := cloneRequest(req)
	m.mu.Lock()
	m.requests = append(m.requests, rec)
	n := len(m.requests)
	if len(m.replies) > 0 {
		r := m.replies[0]
		m.replies[0] = Answer{}
		m.replies = m.replies[1:]
		m.mu.Unlock()
		return r, nil
	}
	h := m.handler
	m.mu.Unlock()
	if h == nil {
		return Answer{}, fmt.Errorf("llmtest: %s: call %d: %w (the script had %d replies)", op, n, ErrNoReply, n-1)
	}
	return h(ctx, cloneRequest(req)), nil
}

// Generate answers with the next reply.
func (m *Model) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	r, err := m.next(ctx, "generate", req)
	if err != nil {
		return nil, err
	}
	if err := sleep(ctx, r.Delay); err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, r.Err
	}
	if r.Events != nil {
		var acc llm.Accumulator
		for _, ev := range r.Events {
			if err := acc.Add(ev); err != nil {
				return nil, err
			}
		}
		resp, err := acc.Response()
		if err != nil {
			return nil, err
		}
		finish(resp, r.Response)
		if r.Response != nil && len(r.Response.Warnings) > 0 {
			resp.Warnings = append(append([]llm.Warning(nil), r.Response.Warnings...), resp.Warnings...)
		}
		return resp, nil
	}
	if r.Response == nil {
		return nil, errors.New("llmtest: generate: reply has no response, events or error")
	}
	resp := cloneResponse(r.Response)
	// Fill what a stream of the same reply reports (see llm.ResponseEvents), so that
	// Generate and Stream of one reply give equal responses.
	if resp.StopReason == "" {
		resp.StopReason = llm.StopReasonEndTurn
	}
	if resp.RawStopReason == "" {
		resp.RawStopReason = string(resp.StopReason)
	}
	if resp.Message.Role == "" {
		resp.Message.Role = llm.RoleAssistant
	}
	return resp, nil
}

// Stream answers with the next reply as a stream. The stream ends early when its context
// is cancelled, when the caller stops ranging, or when it is closed.
func (m *Model) Stream(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
	r, err := m.next(ctx, "stream", req)
	if err != nil {
		return nil, err
	}
	if err := sleep(ctx, r.Delay); err != nil {
		return nil, err
	}
	evs := r.Events
	switch {
	case evs != nil:
	case r.Response != nil:
		evs, err = llm.ResponseEvents(r.Response)
		if err != nil {
			return nil, fmt.Errorf("llmtest: stream: %w", err)
		}
	case r.Err != nil:
		return nil, r.Err
	default:
		return nil, errors.New("llmtest: stream: reply has no response, events or error")
	}
	evs = cloneEvents(evs)
	done := make(chan struct{})
	var closeOnce sync.Once
	src := func(yield func(llm.Event, error) bool) {
		for i, ev := range evs {
			if i > 0 && r.Interval > 0 {
				t := time.NewTimer(r.Interval)
				select {
				case <-t.C:
				case <-done:
					t.Stop()
					return
				case <-ctx.Done():
					t.Stop()
					yield(nil, ctx.Err())
					return
				}
			}
			select {
			case <-done:
				return
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			default:
			}
			if !yield(ev, nil) {
				return
			}
		}
		if r.Err != nil {
			yield(nil, r.Err)
		}
	}
	opts := &llm.StreamOptions{
		Close: func() error {
			closeOnce.Do(func() { close(done) })
			return nil
		},
	}
	if r.Response != nil {
		opts.RequestID = r.Response.RequestID
		opts.Warnings = append([]llm.Warning(nil), r.Response.Warnings...)
		resp := r.Response
		opts.Finish = func(out *llm.Response) error {
			finish(out, resp)
			return nil
		}
	}
	return llm.NewStream(ctx, src, opts), nil
}

// finish copies into out what events do not carry: the request id, model, object and
// extra.
func finish(out, from *llm.Response) {
	if from == nil {
		return
	}
	if out.RequestID == "" {
		out.RequestID = from.RequestID
	}
	if out.Model == "" {
		out.Model = from.Model
	}
	if from.Object != nil {
		out.Object = append(json.RawMessage(nil), from.Object...)
	}
	if from.Extra != nil {
		out.Extra = from.Extra
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cloneRequest deep-copies r, including the tools' schemas and the output schema, which
// [llm.Request.Clone] shares.
func cloneRequest(r *llm.Request) *llm.Request {
	c := r.Clone()
	for i := range c.Tools {
		c.Tools[i].InputSchema = append(json.RawMessage(nil), c.Tools[i].InputSchema...)
	}
	if c.Output != nil {
		c.Output.Schema = append(json.RawMessage(nil), c.Output.Schema...)
	}
	return c
}

func cloneResponse(r *llm.Response) *llm.Response {
	c := *r
	c.Message = r.Message.Clone()
	if c.Message.Role == "" {
		c.Message.Role = llm.RoleAssistant
	}
	if r.Object != nil {
		c.Object = append(json.RawMessage(nil), r.Object...)
	}
	if r.Warnings != nil {
		c.Warnings = append([]llm.Warning(nil), r.Warnings...)
	}
	return &c
}

func cloneEvents(evs []llm.Event) []llm.Event {
	out := make([]llm.Event, len(evs))
	for i, ev := range evs {
		if d, ok := ev.(llm.ReasoningDelta); ok && d.Redacted != nil {
			d.Redacted = append([]byte(nil), d.Redacted...)
			ev = d
		}
		out[i] = ev
	}
	return out
}
