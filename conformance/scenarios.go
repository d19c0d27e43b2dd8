package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/structured"
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
		{Name: "stop_sequence", Rule: "a stop sequence ends the answer before it, with stop reason stop_sequence", needs: needStop, run: stopSequence},
		{Name: "streaming", Rule: "Stream yields a message start, text deltas that join into the answer and one message stop; Response returns the accumulated answer and a second pass replays the same events", run: streaming},
		{Name: "streaming_tool_call", Rule: "a streamed tool call arrives as a tool-call start with its id and name, then input fragments that join into its JSON object input", needs: needStreamingTools, run: streamingToolCall},
		{Name: "usage", Rule: "usage is the same streamed and not streamed for the same exchange, cache reads and writes included", run: usage},
		{Name: "stream_equivalence", Rule: "the accumulated response of Stream equals what Generate returns for the same answer: parts, stop reason, usage, warnings", run: streamEquivalence},
		{Name: "tool_round_trip", Rule: "a tool call with a JSON object input is answered with a tool result carrying its id, and the model uses the result in its next answer", needs: needTools, run: toolRoundTrip},
		{Name: "parallel_tools", Rule: "several tool calls in one turn all arrive, in order, each with its own id, and their results go back together in one turn", needs: needTools, run: parallelTools},
		{Name: "no_tool", Rule: "with tools offered and none fitting, the model answers in text and calls no tool", needs: needTools, run: noTool},
		{Name: "tool_choice_required", Rule: "tool choice required makes the model call one of the declared tools even when the prompt needs none", needs: needRequired, run: toolChoiceRequired},
		{Name: "tool_choice_named", Rule: "a named tool choice makes the model call that tool and no other", needs: needNamed, run: toolChoiceNamed},
		{Name: "object", Rule: "GenerateObject returns the object matching the schema; it is also the response's text and Object, no tool call shows, and the stop reason reads end_turn", needs: needObject, run: object},
		{Name: "object_streaming", Rule: "StreamObject streams the object's JSON as text deltas, with no tool-call events, and decodes the same object", needs: needStreamingObject, run: objectStreaming},
		{Name: "reasoning", Rule: "with reasoning on, the answer starts with the model's reasoning (text, or redacted bytes) and then answers", needs: needReasoning, run: reasoning},
		{Name: "reasoning_streaming", Rule: "streamed reasoning arrives as reasoning deltas before the answer's text, and accumulates to the same reasoning, signature included", needs: needReasoning, run: reasoningStreaming},
		{Name: "reasoning_tool", Rule: "a reasoning turn that calls a tool goes back as history with its reasoning, and the model finishes the answer from the tool's result", needs: needReasoningTools, run: reasoningTool},
		{Name: "reasoning_signature", Rule: "reasoning is kept byte for byte (text with its signature, redacted bytes) and accepted back as history in the next turn", needs: needReasoning, run: reasoningSignature},
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

func needReasoningTools(c llm.Capabilities) string {
	return missing(c.Reasoning && c.Tools, "Reasoning and Tools")
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
	want := e.answer(textAnswer("alpha\nbeta\n", llm.StopReasonStopSequence, 30, 4))
	resp := e.generate("stop_sequence", req)
	const what = "Generate(stop_sequence)"
	e.exact(what, resp, want)
	e.wantStop(what, resp, llm.StopReasonStopSequence)
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
	want.Usage = llm.Usage{InputTokens: 12, OutputTokens: 2, TotalTokens: 1534, CacheReadTokens: 1200, CacheWriteTokens: 320}
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

// engineer is the object the structured-output scenarios ask for.
type engineer struct {
	Name       string `json:"name" jsonschema:"description=The person's full name"`
	Age        int    `json:"age" jsonschema:"description=Age in years,minimum=1"`
	Occupation string `json:"occupation,omitempty" jsonschema:"description=The person's job"`
}

const engineerJSON = `{"name":"Ada Byte","age":36,"occupation":"software engineer"}`

func objectAnswer(raw string) *llm.Response {
	resp := textAnswer(raw, llm.StopReasonEndTurn, 300, 30)
	resp.Object = json.RawMessage(raw)
	return resp
}

// checkObject checks what GenerateObject and StreamObject return: the object asked for,
// which is also the response's text and Object, with no tool call and stop end_turn.
func (e *env) checkObject(what string, v engineer, resp *llm.Response, want *llm.Response) {
	e.Helper()
	e.exact(what, resp, want)
	if !strings.Contains(v.Name, "Ada") || v.Age != 36 {
		e.Errorf("%s object = %+v, want Ada Byte, aged 36", what, v)
	}
	e.wantNoToolCalls(what, resp)
	e.wantStop(what, resp, llm.StopReasonEndTurn)
	if !sameJSON([]byte(resp.Text()), resp.Object) {
		e.Errorf("%s text = %q, Object = %s; want the text to be the object", what, resp.Text(), resp.Object)
	}
}

var objectPrompt = "Invent a profile of a software engineer named Ada Byte, aged 36."

func object(e *env) {
	req := e.request(llm.UserText(objectPrompt))
	want := e.answer(objectAnswer(engineerJSON))
	v, resp, err := structured.Generate[engineer](e.ctx, e.h.Model, req, &structured.Options{Coerce: true})
	if err != nil {
		e.Fatalf("GenerateObject(object) error: %v", err)
	}
	e.checkObject("GenerateObject(object)", v, resp, want)
}

func objectStreaming(e *env) {
	req := e.request(llm.UserText(objectPrompt))
	want := e.answer(objectAnswer(engineerJSON))
	streamObject(e, "object_streaming", req, &structured.Options{Coerce: true}, func(what string, v engineer, resp *llm.Response, text string) {
		e.checkObject(what, v, resp, want)
		if !sameJSON([]byte(text), resp.Object) {
			e.Errorf("%s text deltas join into %q, want the object %s", what, text, resp.Object)
		}
	})
}

// streamObject streams the object req asks for (structured.Stream with opts), reading
// its text deltas and then its object, and fails the scenario named name on any error.
// It hands check the object, the response and the text deltas joined, with what naming
// the call in messages ("StreamObject(name)"); then it checks that the stream yielded no
// tool-call event, since the object must arrive as text.
func streamObject[T any](e *env, name string, req *llm.Request, opts *structured.Options, check func(what string, v T, resp *llm.Response, text string)) {
	e.Helper()
	what := "StreamObject(" + name + ")"
	os, err := structured.Stream[T](e.ctx, e.h.Model, req, opts)
	if err != nil {
		e.Fatalf("%s error: %v", what, err)
	}
	defer os.Close()
	var text strings.Builder
	for t, err := range os.Text() {
		if err != nil {
			e.Fatalf("%s text error: %v", what, err)
		}
		text.WriteString(t)
	}
	v, resp, err := os.Object()
	if err != nil {
		e.Fatalf("%s.Object() error: %v", what, err)
	}
	check(what, v, resp, text.String())
	for ev, err := range os.Stream().Events() {
		if err != nil {
			e.Fatalf("%s replay error: %v", what, err)
		}
		if c, ok := ev.(llm.ToolCallStart); ok {
			e.Errorf("%s yielded a tool-call start (%s %s); the object must arrive as text", what, c.ID, c.Name)
		}
	}
}

var reasoningPrompt = "What is 17 × 23? Work it out step by step, then answer with just the number."

func reasoningAnswer() *llm.Response {
	return partsAnswer(llm.StopReasonEndTurn, 60, 300,
		llm.Reasoning{Text: "17 × 23 = 17 × 20 + 17 × 3 = 340 + 51 = 391.", Signature: "c2lnbmF0dXJlLTM5MQ=="},
		llm.Text{Text: "391"})
}

// checkReasoning checks that resp starts with reasoning and answers 391.
func (e *env) checkReasoning(what string, resp *llm.Response) {
	e.Helper()
	parts := resp.Message.Parts
	if len(parts) == 0 {
		e.Fatalf("%s message has no parts", what)
	}
	r, ok := parts[0].(llm.Reasoning)
	switch {
	case !ok:
		e.Errorf("%s first part = %T, want llm.Reasoning", what, parts[0])
	case r.Text == "" && len(r.Redacted) == 0:
		e.Errorf("%s reasoning is empty: no text, no redacted bytes", what)
	}
	e.wantContains(what, resp.Text(), "391")
	e.wantStop(what, resp, llm.StopReasonEndTurn)
}

func reasoning(e *env) {
	req := e.reasoningRequest(llm.UserText(reasoningPrompt))
	want := e.answer(reasoningAnswer())
	resp := e.generate("reasoning", req)
	e.exact("Generate(reasoning)", resp, want)
	e.checkReasoning("Generate(reasoning)", resp)
}

func reasoningStreaming(e *env) {
	req := e.reasoningRequest(llm.UserText(reasoningPrompt))
	want := e.answer(reasoningAnswer())
	got := e.stream("reasoning_streaming", req)
	const what = "Stream(reasoning_streaming)"
	e.exact(what, got.resp, want)
	e.checkReasoning(what, got.resp)

	var text, sig strings.Builder
	firstText, firstReasoning := -1, -1
	for i, ev := range got.events {
		switch ev := ev.(type) {
		case llm.ReasoningDelta:
			if firstReasoning < 0 {
				firstReasoning = i
			}
			text.WriteString(ev.Text)
			sig.WriteString(ev.Signature)
		case llm.TextDelta:
			if firstText < 0 {
				firstText = i
			}
		}
	}
	if firstReasoning < 0 {
		e.Fatalf("%s yielded no reasoning delta", what)
	}
	if firstText >= 0 && firstText < firstReasoning {
		e.Errorf("%s yielded text (event %d) before reasoning (event %d)", what, firstText, firstReasoning)
	}
	var acc strings.Builder
	var accSig strings.Builder
	for _, p := range got.resp.Message.Parts {
		if r, ok := p.(llm.Reasoning); ok {
			acc.WriteString(r.Text)
			accSig.WriteString(r.Signature)
		}
	}
	if acc.String() != text.String() || accSig.String() != sig.String() {
		e.Errorf("%s reasoning = %q (signature %q), want the deltas joined, %q (signature %q)", what, acc.String(), accSig.String(), text.String(), sig.String())
	}
}

func reasoningTool(e *env) {
	req := e.reasoningRequest(llm.UserText("Use the add tool to compute 17 + 25, then answer with just the sum."))
	req.Tools = []llm.Tool{addTool}
	want := e.answer(partsAnswer(llm.StopReasonToolUse, 600, 120,
		llm.Reasoning{Text: "I should call add with 17 and 25.", Signature: "c2lnbmF0dXJlLWFkZA=="},
		llm.ToolCall{ID: "call_add_2", Name: addTool.Name, Input: json.RawMessage(`{"a":17,"b":25}`)}))
	first := e.generate("reasoning_tool, call", req)
	const what1 = "Generate(reasoning_tool, call)"
	e.exact(what1, first, want)
	e.wantStop(what1, first, llm.StopReasonToolUse)
	if _, ok := first.Message.Parts[0].(llm.Reasoning); !ok {
		e.Errorf("%s first part = %T, want llm.Reasoning before the call", what1, first.Message.Parts[0])
	}
	calls := e.wantCalls(what1, first, req.Tools)
	var in struct{ A, B int }
	e.decodeInput(what1, calls[0], &in)
	if in.A+in.B != 42 {
		e.Errorf("%s add input = %s, want a=17 and b=25", what1, calls[0].Input)
	}

	req.Messages = append(req.Messages, first.Message, toolResults(calls[:1], "42"))
	want = e.answer(textAnswer("42", llm.StopReasonEndTurn, 700, 10))
	second := e.generate("reasoning_tool, result", req)
	const what2 = "Generate(reasoning_tool, result)"
	e.exact(what2, second, want)
	e.wantStop(what2, second, llm.StopReasonEndTurn)
	e.wantContains(what2, second.Text(), "42")
}

func reasoningSignature(e *env) {
	req := e.reasoningRequest(llm.UserText(reasoningPrompt))
	want := reasoningAnswer()
	want.Message.Parts = append([]llm.Part{llm.Reasoning{Redacted: []byte{0x00, 0x9f, 0xff, 'r', 'e', 'd'}}}, want.Message.Parts...)
	e.script(ScriptedAnswer{Response: want})
	first := e.generate("reasoning_signature, turn 1", req)
	const what1 = "Generate(reasoning_signature, turn 1)"
	e.exact(what1, first, want)
	e.checkReasoning(what1, first)
	for i, p := range first.Message.Parts {
		if r, ok := p.(llm.Reasoning); ok && r.Text != "" && r.Signature == "" && len(r.Redacted) == 0 && e.scripted() {
			e.Errorf("%s reasoning part %d lost its signature", what1, i)
		}
	}

	kept := first.Message.Clone()
	req.Messages = append(req.Messages, first.Message, llm.UserText("Add 9 to that number. Answer with just the number."))
	want = e.answer(textAnswer("400", llm.StopReasonEndTurn, 400, 5))
	second := e.generate("reasoning_signature, turn 2", req)
	const what2 = "Generate(reasoning_signature, turn 2)"
	e.exact(what2, second, want)
	e.wantContains(what2, second.Text(), "400")
	if diff := cmpDiff(kept, req.Messages[1]); diff != "" {
		e.Errorf("Generate changed the history it was given (-before +after):\n%s", diff)
	}
}

// providerError checks that err is a *llm.ProviderError of category cat, and returns it.
func (e *env) providerError(what string, err error, cat error) *llm.ProviderError {
	e.Helper()
	if err == nil {
		e.Fatalf("%s error = nil, want %v", what, cat)
	}
	if !errors.Is(err, cat) {
		e.Errorf("%s error = %v, want errors.Is(err, %v)", what, err, cat)
	}
	var pe *llm.ProviderError
	if !errors.As(err, &pe) {
		e.Fatalf("%s error = %v (%T), want a *llm.ProviderError", what, err, err)
	}
	return pe
}

// failedCall checks a call refused before its answer: Generate fails, and Stream fails,
// either at once or with an error before any content.
func (e *env) failedCall(name string, kind FaultKind, cat error, retryable bool) {
	e.Helper()
	req := e.request(llm.UserText("Reply with the single word: pong"))
	e.inject(Fault{Kind: kind})
	_, err := e.h.Model.Generate(e.ctx, req)
	pe := e.providerError("Generate("+name+")", err, cat)
	if pe.Retryable != retryable {
		e.Errorf("Generate(%s) error retryable = %v, want %v", name, pe.Retryable, retryable)
	}

	e.inject(Fault{Kind: kind})
	s, err := e.h.Model.Stream(e.ctx, req)
	if err == nil {
		defer s.Close()
		for ev, serr := range s.Events() {
			if serr != nil {
				err = serr
				break
			}
			switch ev.(type) {
			case llm.MessageStart, llm.Warning:
			default:
				e.Errorf("Stream(%s) yielded %T before its error; a refused call has no content", name, ev)
			}
		}
	}
	pe = e.providerError("Stream("+name+")", err, cat)
	if pe.Retryable != retryable {
		e.Errorf("Stream(%s) error retryable = %v, want %v", name, pe.Retryable, retryable)
	}
}

func errorThrottling(e *env) {
	e.failedCall("error_throttling", FaultThrottling, llm.ErrRateLimited, true)
}

func errorValidation(e *env) {
	e.failedCall("error_validation", FaultValidation, llm.ErrInvalidRequest, false)
}

// brokenStream checks a stream that fails after its first text: the text arrives, then
// the error; Response returns the error, and a second pass replays both.
func (e *env) brokenStream(name string, kind FaultKind) error {
	e.Helper()
	partial := textAnswer("The answer is forty-two, because six times seven is forty-two.", llm.StopReasonEndTurn, 20, 15)
	req := e.request(llm.UserText("What is six times seven? Explain in one sentence."))
	e.inject(Fault{Kind: kind, Partial: partial})
	s, err := e.h.Model.Stream(e.ctx, req)
	if err != nil {
		e.Fatalf("Stream(%s) error = %v; want the stream to open and break later", name, err)
	}
	defer s.Close()
	var text strings.Builder
	var serr error
	n := 0
	for ev, err := range s.Events() {
		if err != nil {
			serr = err
			break
		}
		n++
		if d, ok := ev.(llm.TextDelta); ok {
			text.WriteString(d.Text)
		}
	}
	what := "Stream(" + name + ")"
	if serr == nil {
		e.Fatalf("%s ended without an error after %d events; want the injected failure", what, n)
	}
	if got := text.String(); got == "" || !strings.HasPrefix(partial.Text(), got) {
		e.Errorf("%s text before the error = %q, want a non-empty start of %q", what, got, partial.Text())
	}
	resp, rerr := s.Response()
	if resp != nil || rerr == nil || rerr.Error() != serr.Error() {
		e.Errorf("%s.Response() = %v, %v; want nil and the stream's error %v", what, resp, rerr, serr)
	}
	var last error
	for _, err := range s.Events() {
		last = err
	}
	if last == nil || last.Error() != serr.Error() {
		e.Errorf("%s replay ended with %v, want the stream's error %v", what, last, serr)
	}
	return serr
}

func errorStreamException(e *env) {
	const name = "error_stream_exception"
	err := e.brokenStream(name, FaultStreamException)
	var pe *llm.ProviderError
	if !errors.As(err, &pe) {
		e.Fatalf("Stream(%s) error = %v (%T), want a *llm.ProviderError", name, err, err)
	}
	if pe.StatusCode != 0 {
		e.Errorf("Stream(%s) error status = %d, want 0 for a failure inside the stream", name, pe.StatusCode)
	}
	if !errors.Is(err, llm.ErrServer) && !errors.Is(err, llm.ErrStream) {
		e.Errorf("Stream(%s) error = %v, want category %v or %v", name, err, llm.ErrServer, llm.ErrStream)
	}
}

func errorStreamThrottling(e *env) {
	const name = "error_stream_throttling"
	err := e.brokenStream(name, FaultStreamThrottling)
	pe := e.providerError("Stream("+name+")", err, llm.ErrRateLimited)
	if !pe.Retryable {
		e.Errorf("Stream(%s) error retryable = false, want true", name)
	}
}

func cancelStream(e *env) {
	const name = "cancel_stream"
	what := "Stream(" + name + ")"
	req := e.request(llm.UserText("Count from 1 to 500, one number per line. Write nothing else."))
	req.MaxTokens = 2048
	var count strings.Builder
	for i := 1; i <= 40; i++ {
		count.WriteString(strconv.Itoa(i))
		count.WriteString("\n")
	}
	e.script(ScriptedAnswer{Response: textAnswer(count.String(), llm.StopReasonEndTurn, 20, 120), Interval: 20 * time.Millisecond})

	before := goroutines()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	s, err := e.h.Model.Stream(ctx, req)
	if err != nil {
		e.Fatalf("%s error: %v", what, err)
	}
	var serr error
	cancelled := false
	for ev, err := range s.Events() {
		if err != nil {
			serr = err
			break
		}
		if _, ok := ev.(llm.TextDelta); ok && !cancelled {
			cancel()
			cancelled = true
		}
	}
	s.Close()
	switch {
	case !cancelled:
		e.Fatalf("%s ended (error %v) before its first text delta; want text to cancel after", what, serr)
	case serr == nil:
		e.Errorf("%s ended normally after its context was cancelled; want an error", what)
	case !errors.Is(serr, context.Canceled):
		e.Errorf("%s error = %v, want errors.Is(err, context.Canceled)", what, serr)
	}
	if _, err := s.Response(); !errors.Is(err, context.Canceled) {
		e.Errorf("%s.Response() error = %v, want errors.Is(err, context.Canceled)", what, err)
	}
	if left := leaked(e.ctx, before, e.h.leakWait()); len(left) > 0 {
		e.Errorf("%s left %d goroutines behind after cancellation; the first:\n%s", what, len(left), left[0])
	}
}
