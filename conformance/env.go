package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/llmkit/llmkit/llm"
)

// env is what a scenario runs with: where to report, the harness, the mode it runs in
// and a context bounded by the harness's timeout.
type env struct {
	testingT
	h    *Harness
	ctx  context.Context
	caps llm.Capabilities
	mode Mode
}

func (e *env) scripted() bool { return e.mode == ModeScripted }

// script queues r in scripted mode; in the other modes the model answers on its own.
func (e *env) script(r ScriptedAnswer) {
	e.Helper()
	if !e.scripted() {
		return
	}
	if err := e.h.Scripter.Enqueue(r); err != nil {
		e.Fatalf("Scripter.Enqueue: %v", err)
	}
}

// answer queues resp as the next answer in scripted mode, and returns it.
func (e *env) answer(resp *llm.Response) *llm.Response {
	e.Helper()
	e.script(ScriptedAnswer{Response: resp})
	return resp
}

func (e *env) inject(f Fault) {
	e.Helper()
	if err := e.h.Faults.Inject(f); err != nil {
		e.Fatalf("FaultInjector.Inject(%s): %v", f.Kind, err)
	}
}

// request returns a deterministic request: temperature 0 and room for a short answer.
func (e *env) request(msgs ...llm.Message) *llm.Request {
	return &llm.Request{Model: e.h.ModelID, Messages: msgs, MaxTokens: 256, Temperature: llm.Ptr(0.0)}
}

// reasoningRequest returns a request with reasoning on: a budget of 1024 tokens, and no
// temperature, which reasoning models refuse to take.
func (e *env) reasoningRequest(msgs ...llm.Message) *llm.Request {
	return &llm.Request{
		Model: e.h.ModelID, Messages: msgs, MaxTokens: 2048,
		Reasoning: &llm.ReasoningConfig{BudgetTokens: 1024},
	}
}

func (e *env) generate(what string, req *llm.Request) *llm.Response {
	e.Helper()
	resp, err := e.h.Model.Generate(e.ctx, req)
	if err != nil {
		e.Fatalf("Generate(%s) error: %v", what, err)
	}
	if resp == nil {
		e.Fatalf("Generate(%s) = nil, nil; want a response", what)
	}
	return resp
}

// streamed is a stream read to its end: its events, the text of its text deltas, and
// the accumulated response.
type streamed struct {
	events []llm.Event
	text   string
	resp   *llm.Response
}

func (e *env) stream(what string, req *llm.Request) streamed {
	e.Helper()
	s, err := e.h.Model.Stream(e.ctx, req)
	if err != nil {
		e.Fatalf("Stream(%s) error: %v", what, err)
	}
	defer s.Close()
	return e.drain(what, s)
}

func (e *env) drain(what string, s *llm.Stream) streamed {
	e.Helper()
	var out streamed
	var text strings.Builder
	for ev, err := range s.Events() {
		if err != nil {
			e.Fatalf("Stream(%s) ended with error after %d events: %v", what, len(out.events), err)
		}
		out.events = append(out.events, ev)
		if d, ok := ev.(llm.TextDelta); ok {
			text.WriteString(d.Text)
		}
	}
	out.text = text.String()
	resp, err := s.Response()
	if err != nil {
		e.Fatalf("Stream(%s).Response() error: %v", what, err)
	}
	out.resp = resp
	e.checkEvents(what, out)
	return out
}

// checkEvents checks the shape every stream has: a message start first, text deltas
// adding up to the text, one message stop carrying the stop reason.
func (e *env) checkEvents(what string, s streamed) {
	e.Helper()
	if len(s.events) == 0 {
		e.Errorf("Stream(%s) yielded no events", what)
		return
	}
	if _, ok := s.events[0].(llm.MessageStart); !ok {
		e.Errorf("Stream(%s) first event = %T, want llm.MessageStart", what, s.events[0])
	}
	var stops []llm.MessageStop
	for _, ev := range s.events {
		if m, ok := ev.(llm.MessageStop); ok {
			stops = append(stops, m)
		}
	}
	if len(stops) != 1 {
		e.Errorf("Stream(%s) yielded %d message stops, want 1", what, len(stops))
	} else if stops[0].StopReason != s.resp.StopReason {
		e.Errorf("Stream(%s) message stop = %q, but Response().StopReason = %q", what, stops[0].StopReason, s.resp.StopReason)
	}
	if got := s.resp.Text(); got != s.text {
		e.Errorf("Stream(%s).Response().Text() = %q, want the text deltas joined, %q", what, got, s.text)
	}
}

// exact checks, in scripted mode, that got is the scripted answer want: same message,
// stop reason and usage (and object, when want has one).
func (e *env) exact(what string, got, want *llm.Response) {
	e.Helper()
	if !e.scripted() {
		return
	}
	type view struct {
		Message    llm.Message
		StopReason llm.StopReason
		Usage      llm.Usage
		Object     json.RawMessage
	}
	w := view{want.Message, want.StopReason, want.Usage, want.Object}
	g := view{got.Message, got.StopReason, got.Usage, got.Object}
	if w.Message.Role == "" {
		w.Message.Role = llm.RoleAssistant
	}
	if want.Object == nil {
		g.Object = nil
	} else {
		// An object may reach the provider as a tool call's input, whose member order
		// the provider's JSON decoding need not keep: the text is compared as JSON.
		if !sameJSON([]byte(got.Text()), []byte(want.Text())) {
			e.Errorf("%s text = %q, want the scripted object %s", what, got.Text(), want.Text())
		}
		w.Message.Parts, g.Message.Parts = nil, nil
	}
	if diff := cmpDiff(w, g); diff != "" {
		e.Errorf("%s answer differs from the scripted one (-want +got):\n%s", what, diff)
	}
}

// jsonEqual compares JSON documents as parsed values.
var jsonEqual = cmp.FilterValues(func(x, y json.RawMessage) bool {
	return json.Valid(x) && json.Valid(y)
}, cmp.Comparer(func(x, y json.RawMessage) bool {
	var a, b any
	_ = json.Unmarshal(x, &a)
	_ = json.Unmarshal(y, &b)
	return cmp.Equal(a, b)
}))

func (e *env) wantStop(what string, resp *llm.Response, want ...llm.StopReason) {
	e.Helper()
	for _, w := range want {
		if resp.StopReason == w {
			return
		}
	}
	if len(want) == 1 {
		e.Errorf("%s stop reason = %q (raw %q), want %q", what, resp.StopReason, resp.RawStopReason, want[0])
		return
	}
	e.Errorf("%s stop reason = %q (raw %q), want one of %q", what, resp.StopReason, resp.RawStopReason, want)
}

// wantUsage checks that usage was reported: input and output tokens above zero, and a
// total no smaller than their sum.
func (e *env) wantUsage(what string, u llm.Usage) {
	e.Helper()
	if u.InputTokens <= 0 || u.OutputTokens <= 0 {
		e.Errorf("%s usage = %+v, want input and output tokens above 0", what, u)
	}
	if u.TotalTokens < u.InputTokens+u.OutputTokens {
		e.Errorf("%s usage total = %d, want at least input + output = %d", what, u.TotalTokens, u.InputTokens+u.OutputTokens)
	}
}

func (e *env) wantText(what string, resp *llm.Response) {
	e.Helper()
	if strings.TrimSpace(resp.Text()) == "" {
		e.Errorf("%s text = %q, want some text", what, resp.Text())
	}
}

func (e *env) wantContains(what, text string, words ...string) {
	e.Helper()
	for _, w := range words {
		if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
			e.Errorf("%s text = %q, want it to contain %q", what, text, w)
		}
	}
}

func (e *env) wantNoToolCalls(what string, resp *llm.Response) {
	e.Helper()
	if calls := resp.ToolCalls(); len(calls) > 0 {
		e.Errorf("%s made %d tool calls (first %s %s), want none", what, len(calls), calls[0].Name, calls[0].Input)
	}
}

// wantCalls checks that resp calls tools, each declared in tools with a JSON object as
// its input and an id, no two with the same id, and returns the calls.
func (e *env) wantCalls(what string, resp *llm.Response, tools []llm.Tool) []llm.ToolCall {
	e.Helper()
	calls := resp.ToolCalls()
	if len(calls) == 0 {
		e.Fatalf("%s made no tool call (stop reason %q, text %q), want one", what, resp.StopReason, resp.Text())
	}
	ids := map[string]bool{}
	for i, c := range calls {
		if !declared(tools, c.Name) {
			e.Errorf("%s tool call %d names %q, which the request does not declare", what, i, c.Name)
		}
		if c.ID == "" {
			e.Errorf("%s tool call %d (%s) has no id", what, i, c.Name)
		} else if ids[c.ID] {
			e.Errorf("%s tool call %d (%s) repeats the id %q", what, i, c.Name, c.ID)
		}
		ids[c.ID] = true
		if !isObject(c.Input) {
			e.Errorf("%s tool call %d (%s) input = %s, want a JSON object", what, i, c.Name, c.Input)
		}
	}
	return calls
}

func declared(tools []llm.Tool, name string) bool {
	for _, t := range tools {
		if t.Name == name {
			return true
		}
	}
	return false
}

func isObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{' && json.Valid(raw)
}

// decodeInput decodes a tool call's input into v.
func (e *env) decodeInput(what string, c llm.ToolCall, v any) {
	e.Helper()
	if err := json.Unmarshal(c.Input, v); err != nil {
		e.Fatalf("%s tool call %s (%s) input %s: %v", what, c.ID, c.Name, c.Input, err)
	}
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

// toolResults returns the tool message answering calls with results, in the calls'
// order.
func toolResults(calls []llm.ToolCall, results ...string) llm.Message {
	parts := make([]llm.Part, len(calls))
	for i, c := range calls {
		r := ""
		if i < len(results) {
			r = results[i]
		}
		parts[i] = llm.ToolResult{CallID: c.ID, Content: []llm.Part{llm.Text{Text: r}}}
	}
	return llm.Message{Role: llm.RoleTool, Parts: parts}
}

func textAnswer(text string, stop llm.StopReason, in, out int) *llm.Response {
	return &llm.Response{
		Message:    llm.AssistantText(text),
		StopReason: stop,
		Usage:      llm.Usage{InputTokens: in, OutputTokens: out, TotalTokens: in + out},
	}
}

func partsAnswer(stop llm.StopReason, in, out int, parts ...llm.Part) *llm.Response {
	return &llm.Response{
		Message:    llm.Message{Role: llm.RoleAssistant, Parts: parts},
		StopReason: stop,
		Usage:      llm.Usage{InputTokens: in, OutputTokens: out, TotalTokens: in + out},
	}
}

// cmpDiff diffs two values, JSON compared as parsed and empty slices as nil.
func cmpDiff(x, y any) string { return cmp.Diff(x, y, jsonEqual, cmpopts.EquateEmpty()) }
