package conformance

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// Scenarios returns the suite: one [Scenario] per behaviour every [llm.Model] should
// have, in a fixed order. The slice is new on each call.
func Scenarios() []Scenario {
	return []Scenario{
		{Name: "basic", Rule: "Generate answers a user turn with an assistant message holding text, stop reason end_turn, usage above zero and no warnings", run: basic},
		{Name: "system_prompt", Rule: "a system message reaches the model as its instructions and steers the answer", needs: needSystem, run: systemPrompt},
		{Name: "multi_turn", Rule: "earlier turns reach the model, and the assistant message a response holds can be sent back as history unchanged", run: multiTurn},
		{Name: "token_limit", Rule: "MaxTokens cuts the answer: stop reason max_tokens, the partial text kept, output tokens within the limit, streamed or not", run: tokenLimit},
		{Name: "truncated_tool_call", Rule: "a tool call cut by max_tokens is never returned as a call (its input is incomplete); the stop reason says max_tokens and a warning names the call", needs: needStreamingTools, run: truncatedToolCall},
		{Name: "stop_sequence", Rule: "a stop sequence ends the answer before it, with stop reason stop_sequence (end_turn from a model without StopSequenceReason)", needs: needStop, run: stopSequence},
		{Name: "streaming", Rule: "Stream yields a message start, text deltas that join into the answer and one message stop; Response returns the accumulated answer and a second pass replays the same events", run: streaming},
		{Name: "streaming_tool_call", Rule: "a streamed tool call arrives as a tool-call start with its id and name, then input fragments that join into its JSON object input", needs: needStreamingTools, run: streamingToolCall},
		{Name: "usage", Rule: "usage is the same streamed and not streamed for the same exchange, cache reads included (and cache writes, for a model with CachePoints)", run: usage},
		{Name: "stream_equivalence", Rule: "the accumulated response of Stream equals what Generate returns for the same answer: parts, stop reason, usage, warnings", run: streamEquivalence},
		{Name: "tool_round_trip", Rule: "a tool call with a JSON object input is answered with a tool result carrying its id, and the model uses the result in its next answer", needs: needTools, run: toolRoundTrip},
		{Name: "parallel_tools", Rule: "several tool calls in one turn all arrive, in order, each with its own id, and their results go back together in one turn", needs: needTools, run: parallelTools},
		{Name: "no_tool", Rule: "with tools offered and none fitting, the model answers in text and calls no tool", needs: needTools, run: noTool},
		{Name: "tool_choice_required", Rule: "tool choice required makes the model call one of the declared tools even when the prompt needs none", needs: needRequired, run: toolChoiceRequired},
		{Name: "tool_choice_named", Rule: "a named tool choice makes the model call that tool and no other", needs: needNamed, run: toolChoiceNamed},
		{Name: "object", Rule: "structured.Generate returns the object matching the schema; it is also the response's text and Object, no tool call shows, and the stop reason reads end_turn", needs: needObject, run: object},
		{Name: "object_streaming", Rule: "structured.Stream streams the object's JSON as text deltas, with no tool-call events, and decodes the same object", needs: needStreamingObject, run: objectStreaming},
		{Name: "reasoning", Rule: "with reasoning on, the answer starts with the model's reasoning (text, or redacted bytes) and then answers", needs: needReasoning, run: reasoning},
		{Name: "reasoning_streaming", Rule: "streamed reasoning arrives as reasoning deltas before the answer's text, and accumulates to the same reasoning, signature included", needs: needReasoning, run: reasoningStreaming},
		{Name: "reasoning_tool", Rule: "a reasoning turn that calls a tool goes back as history with its reasoning, and the model finishes the answer from the tool's result", needs: needReasoningReplayTools, run: reasoningTool},
		{Name: "reasoning_signature", Rule: "reasoning is kept byte for byte (text with its signature, redacted bytes) and accepted back as history in the next turn", needs: needReasoningReplay, run: reasoningSignature},
		{Name: "error_throttling", Rule: "throttling surfaces as llm.ErrRateLimited in a retryable *llm.ProviderError, from Generate and from Stream", faults: true, run: errorThrottling},
		{Name: "error_validation", Rule: "a request the provider refuses surfaces as llm.ErrInvalidRequest in a *llm.ProviderError that is not retryable, from Generate and from Stream", faults: true, run: errorValidation},
		{Name: "error_stream_exception", Rule: "a failure reported inside a stream ends it with a *llm.ProviderError (no HTTP status, category server or stream) after the text already sent, never a short success; the replay ends the same way", faults: true, run: errorStreamException},
		{Name: "error_stream_throttling", Rule: "throttling reported inside a stream is the same retryable llm.ErrRateLimited as throttling before it", faults: true, run: errorStreamThrottling},
		{Name: "cancel_stream", Rule: "cancelling the context mid-stream ends the stream with an error for which errors.Is(err, context.Canceled) holds, and leaves no goroutine behind", run: cancelStream},
	}
}

// Capability requirements, each returning what is missing.

func needSystem(c llm.Capabilities) string { return missing(c.SystemPrompt, "SystemPrompt") }
func needStop(c llm.Capabilities) string   { return missing(c.StopSequences, "StopSequences") }
func needTools(c llm.Capabilities) string  { return missing(c.Tools, "Tools") }
func needRequired(c llm.Capabilities) string {
	return missing(c.Tools && c.ToolChoiceRequired, "Tools and ToolChoiceRequired")
}
func needNamed(c llm.Capabilities) string {
	return missing(c.Tools && c.ToolChoiceTool, "Tools and ToolChoiceTool")
}
func needReasoning(c llm.Capabilities) string { return missing(c.Reasoning, "Reasoning") }

func needStreamingTools(c llm.Capabilities) string {
	return missing(c.Tools && c.StreamingTools, "Tools and StreamingTools")
}

func needReasoningReplayTools(c llm.Capabilities) string {
	return missing(c.ReasoningReplay && c.Tools, "ReasoningReplay and Tools")
}

func needReasoningReplay(c llm.Capabilities) string {
	return missing(c.ReasoningReplay, "ReasoningReplay")
}

func needObject(c llm.Capabilities) string {
	return missing(c.NativeOutput || c.Tools, "NativeOutput or Tools (structured output)")
}

func needStreamingObject(c llm.Capabilities) string {
	return missing(c.NativeOutput || c.Tools && c.StreamingTools, "NativeOutput or StreamingTools (streamed structured output)")
}

func missing(ok bool, what string) string {
	if ok {
		return ""
	}
	return what
}

// Tools the scenarios declare.
var (
	addTool = llm.Tool{
		Name:        "add",
		Description: "Add two integers",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"],"additionalProperties":false}`),
	}
	weatherTool = llm.Tool{
		Name:        "get_weather",
		Description: "Get current weather information for a location",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}`),
	}
	timeTool = llm.Tool{
		Name:        "get_time",
		Description: "Get the current time",
		InputSchema: json.RawMessage(`{"type":"object","properties":{}}`),
	}
)

func basic(e *env) {
	req := e.request(llm.UserText("Reply with the single word: pong"))
	want := e.answer(textAnswer("pong", llm.StopReasonEndTurn, 14, 2))
	resp := e.generate("basic", req)
	e.exact("Generate(basic)", resp, want)
	if resp.Message.Role != llm.RoleAssistant {
		e.Errorf("Generate(basic) role = %q, want %q", resp.Message.Role, llm.RoleAssistant)
	}
	e.wantContains("Generate(basic)", resp.Text(), "pong")
	e.wantStop("Generate(basic)", resp, llm.StopReasonEndTurn)
	e.wantUsage("Generate(basic)", resp.Usage)
	if len(resp.Warnings) > 0 {
		e.Errorf("Generate(basic) warnings = %q, want none", resp.Warnings)
	}
}

func systemPrompt(e *env) {
	req := e.request(
		llm.SystemText("Whatever the user writes, answer with exactly one word: banana. Write nothing else."),
		llm.UserText("What colour is the sky on a clear day?"),
	)
	want := e.answer(textAnswer("banana", llm.StopReasonEndTurn, 30, 2))
	resp := e.generate("system_prompt", req)
	e.exact("Generate(system_prompt)", resp, want)
	e.wantContains("Generate(system_prompt)", resp.Text(), "banana")
	e.wantStop("Generate(system_prompt)", resp, llm.StopReasonEndTurn)
}

func multiTurn(e *env) {
	req := e.request(llm.UserText("My name is Zorblax. Reply with just: OK"))
	want := e.answer(textAnswer("OK", llm.StopReasonEndTurn, 16, 1))
	first := e.generate("multi_turn, turn 1", req)
	e.exact("Generate(multi_turn, turn 1)", first, want)
	e.wantText("Generate(multi_turn, turn 1)", first)

	req.Messages = append(req.Messages, first.Message, llm.UserText("What is my name? Reply with the name only."))
	want = e.answer(textAnswer("Zorblax", llm.StopReasonEndTurn, 30, 3))
	second := e.generate("multi_turn, turn 2", req)
	e.exact("Generate(multi_turn, turn 2)", second, want)
	e.wantContains("Generate(multi_turn, turn 2)", second.Text(), "Zorblax")
	e.wantStop("Generate(multi_turn, turn 2)", second, llm.StopReasonEndTurn)
}

func tokenLimit(e *env) {
	const limit = 16
	req := e.request(llm.UserText("Count from 1 to 200, separated by spaces. Do not stop early."))
	req.MaxTokens = limit
	want := textAnswer("1 2 3 4 5 6 7 8", llm.StopReasonMaxTokens, 22, limit)
	e.script(ScriptedAnswer{Response: want})
	e.script(ScriptedAnswer{Response: want})

	check := func(what string, resp *llm.Response) {
		e.Helper()
		e.exact(what, resp, want)
		e.wantStop(what, resp, llm.StopReasonMaxTokens)
		e.wantText(what, resp)
		if u := resp.Usage.OutputTokens; u <= 0 || u > limit {
			e.Errorf("%s output tokens = %d, want 1 to %d (MaxTokens)", what, u, limit)
		}
	}
	check("Generate(token_limit)", e.generate("token_limit", req))
	check("Stream(token_limit)", e.stream("token_limit", req).resp)
}

func truncatedToolCall(e *env) {
	req := e.request(llm.UserText("What's the weather like in Paris, France? Use the get_weather tool."))
	req.Tools = []llm.Tool{weatherTool}
	req.MaxTokens = 8
	if e.caps.ToolChoiceRequired {
		req.ToolChoice = llm.ToolChoice{Mode: llm.ToolChoiceRequired}
	}
	e.script(ScriptedAnswer{Events: []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "Let me look."},
		llm.BlockStop{Index: 0},
		llm.ToolCallStart{Index: 1, ID: "call_cut_1", Name: weatherTool.Name},
		llm.ToolInputDelta{Index: 1, Fragment: `{"location":"Par`},
		llm.BlockStop{Index: 1},
		llm.MessageStop{StopReason: llm.StopReasonMaxTokens, RawStopReason: "max_tokens"},
		llm.Metadata{Usage: llm.Usage{InputTokens: 40, OutputTokens: 8, TotalTokens: 48}},
	}})
	resp := e.stream("truncated_tool_call", req).resp
	const what = "Stream(truncated_tool_call)"
	for i, c := range resp.ToolCalls() {
		if !isObject(c.Input) {
			e.Errorf("%s tool call %d (%s) input = %s: a cut call was returned", what, i, c.Name, c.Input)
		}
	}
	if e.scripted() {
		e.wantStop(what, resp, llm.StopReasonMaxTokens)
		e.wantNoToolCalls(what, resp)
		if got := resp.Text(); got != "Let me look." {
			e.Errorf("%s text = %q, want the text before the cut call, %q", what, got, "Let me look.")
		}
		if !warns(resp, llm.WarningTruncated, "call_cut_1") {
			e.Errorf("%s warnings = %v, want a truncated warning naming the cut call call_cut_1", what, resp.Warnings)
		}
		return
	}
	// A live model may finish the call within the limit; it must then be complete.
	e.wantStop(what, resp, llm.StopReasonMaxTokens, llm.StopReasonToolUse)
}

func warns(resp *llm.Response, code llm.WarningCode, word string) bool {
	for _, w := range resp.Warnings {
		if w.Code == code && strings.Contains(w.Detail, word) {
			return true
		}
	}
	return false
}

func stopSequence(e *env) {
	req := e.request(llm.UserText("Write these words, one per line, and nothing else: alpha, beta, gamma, delta, epsilon."))
	req.StopSequences = []string{"gamma"}
	stop := llm.StopReasonStopSequence
	if !e.caps.StopSequenceReason {
		stop = llm.StopReasonEndTurn // the service reports the stop like a natural end
	}
	want := e.answer(textAnswer("alpha\nbeta\n", stop, 30, 4))
	resp := e.generate("stop_sequence", req)
	const what = "Generate(stop_sequence)"
	e.exact(what, resp, want)
	e.wantStop(what, resp, stop)
	e.wantContains(what, resp.Text(), "beta")
	if strings.Contains(resp.Text(), "delta") {
		e.Errorf("%s text = %q, want it to end before the stop sequence %q", what, resp.Text(), "gamma")
	}
}

func streaming(e *env) {
	req := e.request(llm.UserText("Count from 1 to 10, separated by spaces. Write nothing else."))
	want := e.answer(textAnswer("1 2 3 4 5 6 7 8 9 10", llm.StopReasonEndTurn, 20, 20))
	s, err := e.h.Model.Stream(e.ctx, req)
	if err != nil {
		e.Fatalf("Stream(streaming) error: %v", err)
	}
	defer s.Close()
	got := e.drain("streaming", s)
	const what = "Stream(streaming)"
	e.exact(what, got.resp, want)
	deltas := 0
	for _, ev := range got.events {
		if _, ok := ev.(llm.TextDelta); ok {
			deltas++
		}
	}
	if deltas == 0 {
		e.Errorf("%s yielded no text delta", what)
	}
	e.wantContains(what, got.text, "10")
	e.wantStop(what, got.resp, llm.StopReasonEndTurn)
	e.wantUsage(what, got.resp.Usage)

	var replay []llm.Event
	for ev, err := range s.Events() {
		if err != nil {
			e.Fatalf("%s replay error: %v", what, err)
		}
		replay = append(replay, ev)
	}
	if len(replay) != len(got.events) {
		e.Errorf("%s replay yielded %d events, want the %d of the first pass", what, len(replay), len(got.events))
	}
}

func streamingToolCall(e *env) {
	req := e.request(llm.UserText("What's the weather like in Paris, France? Use the get_weather tool."))
	req.Tools = []llm.Tool{weatherTool, timeTool}
	want := e.answer(partsAnswer(llm.StopReasonToolUse, 60, 20,
		llm.ToolCall{ID: "call_weather_1", Name: weatherTool.Name, Input: json.RawMessage(`{"location":"Paris, France"}`)}))
	got := e.stream("streaming_tool_call", req)
	const what = "Stream(streaming_tool_call)"
	e.exact(what, got.resp, want)
	e.wantStop(what, got.resp, llm.StopReasonToolUse)
	calls := e.wantCalls(what, got.resp, req.Tools)
	call := calls[0]
	var in struct{ Location string }
	e.decodeInput(what, call, &in)
	e.wantContains(what+" location", in.Location, "Paris")

	index, started := -1, false
	var input strings.Builder
	stopped := false
	for _, ev := range got.events {
		switch ev := ev.(type) {
		case llm.ToolCallStart:
			if ev.ID == call.ID && !started {
				index, started = ev.Index, true
				if ev.Name != call.Name {
					e.Errorf("%s tool-call start name = %q, want %q", what, ev.Name, call.Name)
				}
			}
		case llm.ToolInputDelta:
			if started && ev.Index == index {
				input.WriteString(ev.Fragment)
			}
		case llm.BlockStop:
			if started && ev.Index == index {
				stopped = true
			}
		}
	}
	switch {
	case !started:
		e.Errorf("%s yielded no tool-call start for call %s", what, call.ID)
	case !stopped:
		e.Errorf("%s yielded no block stop for the tool call at index %d", what, index)
	case !sameJSON([]byte(input.String()), call.Input):
		e.Errorf("%s input fragments join into %q, want the call's input %s", what, input.String(), call.Input)
	}
}

func usage(e *env) {
	req := e.request(llm.UserText("Reply with the single word: pong"))
	want := textAnswer("pong", llm.StopReasonEndTurn, 12, 2)
	want.Usage = llm.Usage{InputTokens: 12, OutputTokens: 2, TotalTokens: 1214, CacheReadTokens: 1200}
	if e.caps.CachePoints { // a model with explicit cache points reports what it wrote
		want.Usage.CacheWriteTokens, want.Usage.TotalTokens = 320, 1534
	}
	e.script(ScriptedAnswer{Response: want})
	e.script(ScriptedAnswer{Response: want})
	gen := e.generate("usage", req)
	str := e.stream("usage", req).resp
	e.exact("Generate(usage)", gen, want)
	e.exact("Stream(usage)", str, want)
	e.wantUsage("Generate(usage)", gen.Usage)
	e.wantUsage("Stream(usage)", str.Usage)
	g, s := gen.Usage, str.Usage
	if g.InputTokens != s.InputTokens || g.CacheReadTokens != s.CacheReadTokens || g.CacheWriteTokens != s.CacheWriteTokens {
		e.Errorf("usage of the same request: Generate %+v, Stream %+v; want the same input, cache read and cache write tokens", g, s)
	}
	if gen.Text() == str.Text() && g != s {
		e.Errorf("usage of the same answer %q: Generate %+v, Stream %+v; want them equal", gen.Text(), g, s)
	}
}

func streamEquivalence(e *env) {
	req := e.request(llm.UserText("Reply with the single word: pong"))
	want := textAnswer("pong", llm.StopReasonEndTurn, 12, 2)
	if e.caps.Tools && e.caps.StreamingTools {
		req = e.request(llm.UserText("What is the weather in Paris, France, and what time is it? Use the tools."))
		req.Tools = []llm.Tool{weatherTool, timeTool}
		want = partsAnswer(llm.StopReasonToolUse, 80, 40,
			llm.Text{Text: "I'll check the weather and the time."},
			llm.ToolCall{ID: "call_eq_1", Name: weatherTool.Name, Input: json.RawMessage(`{"location":"Paris, France"}`)},
			llm.ToolCall{ID: "call_eq_2", Name: timeTool.Name, Input: json.RawMessage(`{}`)},
		)
	}
	want.Latency = 420 * time.Millisecond
	e.script(ScriptedAnswer{Response: want})
	e.script(ScriptedAnswer{Response: want})
	gen := e.generate("stream_equivalence", req)
	str := e.stream("stream_equivalence", req).resp
	e.exact("Generate(stream_equivalence)", gen, want)
	type view struct {
		Message    llm.Message
		StopReason llm.StopReason
		Usage      llm.Usage
		Object     json.RawMessage
		Warnings   []llm.Warning
	}
	g := view{gen.Message, gen.StopReason, gen.Usage, gen.Object, gen.Warnings}
	s := view{str.Message, str.StopReason, str.Usage, str.Object, str.Warnings}
	if !e.scripted() {
		// A live model need not answer the same twice: compare what the request decides,
		// and the rest only when the answers agree (tool-call ids are the model's own).
		if g.StopReason != s.StopReason || g.Usage.InputTokens != s.Usage.InputTokens {
			e.Errorf("Generate and Stream of one request: stop %q and %d input tokens, then stop %q and %d; want the same", g.StopReason, g.Usage.InputTokens, s.StopReason, s.Usage.InputTokens)
		}
		g.Message, s.Message = withoutCallIDs(g.Message), withoutCallIDs(s.Message)
		if cmpDiff(g.Message, s.Message) != "" {
			return
		}
	}
	if diff := cmpDiff(g, s); diff != "" {
		e.Errorf("Stream(stream_equivalence).Response() differs from Generate (-generate +stream):\n%s", diff)
	}
}

// withoutCallIDs returns a copy of m whose tool calls have no id.
func withoutCallIDs(m llm.Message) llm.Message {
	m = m.Clone()
	for i, p := range m.Parts {
		if c, ok := p.(llm.ToolCall); ok {
			c.ID = ""
			m.Parts[i] = c
		}
	}
	return m
}

func toolRoundTrip(e *env) {
	req := e.request(llm.UserText("Use the add tool to compute 2 + 3. After the tool result arrives, respond with 'sum=<value>'."))
	req.Tools = []llm.Tool{addTool}
	want := e.answer(partsAnswer(llm.StopReasonToolUse, 600, 80,
		llm.Text{Text: "I'll use the add tool to compute 2 + 3."},
		llm.ToolCall{ID: "call_add_1", Name: addTool.Name, Input: json.RawMessage(`{"a":2,"b":3}`)}))
	first := e.generate("tool_round_trip, call", req)
	const what1 = "Generate(tool_round_trip, call)"
	e.exact(what1, first, want)
	e.wantStop(what1, first, llm.StopReasonToolUse)
	calls := e.wantCalls(what1, first, req.Tools)
	if len(calls) != 1 {
		e.Errorf("%s made %d tool calls, want 1", what1, len(calls))
	}
	var in struct{ A, B int }
	e.decodeInput(what1, calls[0], &in)
	if in.A+in.B != 5 || in.A*in.B != 6 {
		e.Errorf("%s add input = %s, want a=2 and b=3", what1, calls[0].Input)
	}

	req.Messages = append(req.Messages, first.Message, toolResults(calls[:1], "5"))
	want = e.answer(textAnswer("sum=5", llm.StopReasonEndTurn, 700, 6))
	second := e.generate("tool_round_trip, result", req)
	const what2 = "Generate(tool_round_trip, result)"
	e.exact(what2, second, want)
	e.wantStop(what2, second, llm.StopReasonEndTurn)
	e.wantNoToolCalls(what2, second)
	e.wantContains(what2, second.Text(), "5")
}

func parallelTools(e *env) {
	req := e.request(llm.UserText("What is the weather right now in Paris and in Tokyo? Call get_weather once for each city, both calls in this one turn, before answering."))
	req.Tools = []llm.Tool{weatherTool}
	want := e.answer(partsAnswer(llm.StopReasonToolUse, 400, 90,
		llm.ToolCall{ID: "call_w_1", Name: weatherTool.Name, Input: json.RawMessage(`{"location":"Paris"}`)},
		llm.ToolCall{ID: "call_w_2", Name: weatherTool.Name, Input: json.RawMessage(`{"location":"Tokyo"}`)}))
	first := e.generate("parallel_tools, calls", req)
	const what1 = "Generate(parallel_tools, calls)"
	e.exact(what1, first, want)
	e.wantStop(what1, first, llm.StopReasonToolUse)
	calls := e.wantCalls(what1, first, req.Tools)
	if len(calls) < 2 {
		e.Fatalf("%s made %d tool call, want one per city, 2, in one turn", what1, len(calls))
	}
	var places []string
	for _, c := range calls {
		var in struct{ Location string }
		e.decodeInput(what1, c, &in)
		places = append(places, in.Location)
	}
	e.wantContains(what1+" locations", strings.Join(places, "; "), "Paris", "Tokyo")

	results := make([]string, len(calls))
	for i, p := range places {
		results[i] = p + ": sunny, 21 °C"
		if strings.Contains(strings.ToLower(p), "tokyo") {
			results[i] = p + ": rainy, 17 °C"
		}
	}
	req.Messages = append(req.Messages, first.Message, toolResults(calls, results...))
	want = e.answer(textAnswer("Paris is sunny at 21 °C; Tokyo is rainy at 17 °C.", llm.StopReasonEndTurn, 520, 30))
	second := e.generate("parallel_tools, results", req)
	const what2 = "Generate(parallel_tools, results)"
	e.exact(what2, second, want)
	e.wantStop(what2, second, llm.StopReasonEndTurn)
	e.wantContains(what2, second.Text(), "Paris", "Tokyo")
}

func noTool(e *env) {
	req := e.request(llm.UserText("Tell me a one-sentence joke about cats."))
	req.Tools = []llm.Tool{weatherTool}
	want := e.answer(textAnswer("Why don't cats play poker in the jungle? Too many cheetahs.", llm.StopReasonEndTurn, 570, 20))
	resp := e.generate("no_tool", req)
	const what = "Generate(no_tool)"
	e.exact(what, resp, want)
	e.wantNoToolCalls(what, resp)
	e.wantStop(what, resp, llm.StopReasonEndTurn)
	e.wantText(what, resp)
}

func toolChoiceRequired(e *env) {
	req := e.request(llm.UserText("Hello! How are you today?"))
	req.Tools = []llm.Tool{weatherTool, timeTool}
	req.ToolChoice = llm.ToolChoice{Mode: llm.ToolChoiceRequired}
	want := e.answer(partsAnswer(llm.StopReasonToolUse, 500, 20,
		llm.ToolCall{ID: "call_time_1", Name: timeTool.Name, Input: json.RawMessage(`{}`)}))
	resp := e.generate("tool_choice_required", req)
	const what = "Generate(tool_choice_required)"
	e.exact(what, resp, want)
	e.wantStop(what, resp, llm.StopReasonToolUse)
	e.wantCalls(what, resp, req.Tools)
}

func toolChoiceNamed(e *env) {
	req := e.request(llm.UserText("What's the weather like in Paris, France?"))
	req.Tools = []llm.Tool{weatherTool, timeTool}
	req.ToolChoice = llm.UseTool(timeTool.Name)
	want := e.answer(partsAnswer(llm.StopReasonToolUse, 500, 20,
		llm.ToolCall{ID: "call_time_2", Name: timeTool.Name, Input: json.RawMessage(`{}`)}))
	resp := e.generate("tool_choice_named", req)
	const what = "Generate(tool_choice_named)"
	e.exact(what, resp, want)
	e.wantStop(what, resp, llm.StopReasonToolUse)
	for i, c := range e.wantCalls(what, resp, req.Tools) {
		if c.Name != timeTool.Name {
			e.Errorf("%s tool call %d names %q, want only %q", what, i, c.Name, timeTool.Name)
		}
	}
}
