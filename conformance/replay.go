package conformance

import (
	"encoding/json"
	"strings"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/structured"
)

// ReplayScenarios returns the scenarios of recorded exchanges: each sends the requests of
// a recording in llmkit's shared fixture format (basic, streaming, token_limit, usage,
// multi_tool, no_tool, tool_round_trip_1 and _2, object_basic, object_streaming) as
// neutral requests, and checks the answers as it would a live model's. A harness's
// [Replayer] answers them with the recordings, and a provider's test compares the
// requests it sent with the recorded ones; against a live model they record new
// exchanges through the harness's [Recorder]. [Scenario.Recordings] names the exchanges
// of each.
func ReplayScenarios() []Scenario {
	return []Scenario{
		{Name: "basic", Recordings: []string{"basic"}, Rule: "a greeting gets a text answer with stop reason end_turn and usage above zero", run: replayBasic},
		{Name: "streaming", Recordings: []string{"streaming"}, Rule: "a streamed answer to a system prompt and a user turn, at temperature 0.9, is text that ends with end_turn", needs: needSystem, run: replayStreaming},
		{Name: "token_limit", Recordings: []string{"token_limit"}, Rule: "a long story asked for with MaxTokens 100 stops with max_tokens, keeping its text, within the limit", run: replayTokenLimit},
		{Name: "usage", Recordings: []string{"usage"}, Rule: "usage reports input and output tokens, and the output stays within MaxTokens 10", run: replayUsage},
		{Name: "multi_tool", Recordings: []string{"multi_tool"}, Rule: "offered three tools, the model calls the one that fits (get_weather for Paris) with valid input", needs: needTools, run: replayMultiTool},
		{Name: "no_tool", Recordings: []string{"no_tool"}, Rule: "offered a tool that does not fit, the model answers in text with no call", needs: needTools, run: replayNoTool},
		{Name: "tool_round_trip", Recordings: []string{"tool_round_trip_1", "tool_round_trip_2"}, Rule: "the model calls add for 2 + 3, and answers sum=5 from the tool result sent back with the call's id", needs: needTools, run: replayToolRoundTrip},
		{Name: "object_basic", Recordings: []string{"object_basic"}, Rule: "structured.Generate through the synthetic structured_output tool returns a valid profile as the response's text and Object, with no tool call and stop end_turn", needs: needTools, run: replayObjectBasic},
		{Name: "object_streaming", Recordings: []string{"object_streaming"}, Rule: "structured.Stream through the synthetic tool streams the profile as text and decodes it, with no tool-call events", needs: needStreamingTools, run: replayObjectStreaming},
	}
}

// replayRequest is a request as the recordings sent it: MaxTokens and temperature given.
func (e *env) replayRequest(maxTokens int, temperature float64, msgs ...llm.Message) *llm.Request {
	return &llm.Request{Model: e.h.ModelID, Messages: msgs, MaxTokens: maxTokens, Temperature: llm.Ptr(temperature)}
}

func replayBasic(e *env) {
	resp := e.generate("basic", e.replayRequest(50, 0, llm.UserText("Hello world!")))
	e.wantText("Generate(basic)", resp)
	e.wantStop("Generate(basic)", resp, llm.StopReasonEndTurn)
	e.wantUsage("Generate(basic)", resp.Usage)
}

func replayStreaming(e *env) {
	req := e.replayRequest(100, 0.9,
		llm.SystemText("You are a helpful, creative assistant."),
		llm.UserText("Say hello in one short, imaginative sentence."))
	got := e.stream("streaming", req)
	e.wantText("Stream(streaming)", got.resp)
	e.wantStop("Stream(streaming)", got.resp, llm.StopReasonEndTurn)
	e.wantUsage("Stream(streaming)", got.resp.Usage)
}

func replayTokenLimit(e *env) {
	const limit = 100
	resp := e.generate("token_limit", e.replayRequest(limit, 0.5, llm.UserText("Write a very long story about dragons and adventures")))
	const what = "Generate(token_limit)"
	e.wantStop(what, resp, llm.StopReasonMaxTokens)
	e.wantText(what, resp)
	if u := resp.Usage.OutputTokens; u <= 0 || u > limit {
		e.Errorf("%s output tokens = %d, want 1 to %d (MaxTokens)", what, u, limit)
	}
}

func replayUsage(e *env) {
	const limit = 10
	resp := e.generate("usage", e.replayRequest(limit, 0, llm.UserText("Hi there!")))
	const what = "Generate(usage)"
	e.wantUsage(what, resp.Usage)
	if u := resp.Usage.OutputTokens; u > limit {
		e.Errorf("%s output tokens = %d, want at most %d (MaxTokens)", what, u, limit)
	}
	e.wantStop(what, resp, llm.StopReasonEndTurn, llm.StopReasonMaxTokens)
}

var (
	recordedWeather = llm.Tool{
		Name:        "get_weather",
		Description: "Get current weather information for a location",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"],"additionalProperties":false}`),
	}
	recordedJoke = llm.Tool{
		Name:        "tell_joke",
		Description: "Tell a funny joke",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"topic":{"type":"string","description":"Topic for the joke"}},"additionalProperties":false}`),
	}
	recordedTime = llm.Tool{
		Name:        "get_time",
		Description: "Get the current time",
		InputSchema: json.RawMessage(`{"type":"object","properties":{}}`),
	}
)

func replayMultiTool(e *env) {
	req := e.replayRequest(150, 0, llm.UserText("What's the weather like in Paris, France?"))
	req.Tools = []llm.Tool{recordedWeather, recordedJoke, recordedTime}
	resp := e.generate("multi_tool", req)
	const what = "Generate(multi_tool)"
	e.wantStop(what, resp, llm.StopReasonToolUse)
	found := false
	for _, c := range e.wantCalls(what, resp, req.Tools) {
		if c.Name != recordedWeather.Name {
			continue
		}
		var in struct{ Location string }
		e.decodeInput(what, c, &in)
		e.wantContains(what+" location", in.Location, "Paris")
		found = true
	}
	if !found {
		e.Errorf("%s calls %v, want a call of get_weather", what, callNames(resp))
	}
}

func callNames(resp *llm.Response) []string {
	var names []string
	for _, c := range resp.ToolCalls() {
		names = append(names, c.Name)
	}
	return names
}

func replayNoTool(e *env) {
	req := e.replayRequest(150, 0, llm.UserText("Tell me a joke about cats"))
	req.Tools = []llm.Tool{{
		Name:        recordedWeather.Name,
		Description: recordedWeather.Description,
		InputSchema: json.RawMessage(`{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}`),
	}}
	resp := e.generate("no_tool", req)
	const what = "Generate(no_tool)"
	e.wantNoToolCalls(what, resp)
	e.wantStop(what, resp, llm.StopReasonEndTurn)
	e.wantText(what, resp)
}

func replayToolRoundTrip(e *env) {
	req := e.replayRequest(150, 0, llm.UserText("Use the add tool to compute 2 + 3. After the tool result arrives, respond with 'sum=<value>'."))
	req.Tools = []llm.Tool{addTool}
	first := e.generate("tool_round_trip_1", req)
	const what1 = "Generate(tool_round_trip_1)"
	e.wantStop(what1, first, llm.StopReasonToolUse)
	calls := e.wantCalls(what1, first, req.Tools)
	var in struct{ A, B int }
	e.decodeInput(what1, calls[0], &in)
	if in.A+in.B != 5 || in.A*in.B != 6 {
		e.Errorf("%s add input = %s, want a=2 and b=3", what1, calls[0].Input)
	}
	req.Messages = append(req.Messages, first.Message, toolResults(calls[:1], "5"))
	second := e.generate("tool_round_trip_2", req)
	const what2 = "Generate(tool_round_trip_2)"
	e.wantStop(what2, second, llm.StopReasonEndTurn)
	e.wantNoToolCalls(what2, second)
	e.wantContains(what2, second.Text(), "sum=5")
}

// profile is the object of the recorded structured-output exchanges.
type profile struct {
	Name       string `json:"name" jsonschema:"description=Person's full name"`
	Age        int    `json:"age" jsonschema:"description=Person's age in years,minimum=1"`
	Occupation string `json:"occupation,omitempty" jsonschema:"description=Person's job or profession"`
}

// profileOptions ask for the object as the recordings did: through a tool, described as
// they described it. Coercion is on, since some Llama deployments send numbers as
// strings.
var profileOptions = structured.Options{
	Mode:        llm.OutputTool,
	Description: "Generate structured output matching the provided schema",
	Coerce:      true,
}

func (e *env) checkProfile(what string, v profile, resp *llm.Response) {
	e.Helper()
	if strings.TrimSpace(v.Name) == "" || v.Age < 1 {
		e.Errorf("%s object = %+v, want a name and an age of at least 1", what, v)
	}
	e.wantNoToolCalls(what, resp)
	e.wantStop(what, resp, llm.StopReasonEndTurn)
	if !sameJSON([]byte(resp.Text()), resp.Object) {
		e.Errorf("%s text = %q, Object = %s; want the text to be the object", what, resp.Text(), resp.Object)
	}
}

func replayObjectBasic(e *env) {
	req := e.replayRequest(500, 0, llm.UserText("Generate a software engineer profile"))
	opts := profileOptions
	v, resp, err := structured.Generate[profile](e.ctx, e.h.Model, req, &opts)
	if err != nil {
		e.Fatalf("structured.Generate(object_basic) error: %v", err)
	}
	e.checkProfile("structured.Generate(object_basic)", v, resp)
}

func replayObjectStreaming(e *env) {
	req := e.replayRequest(500, 0, llm.UserText("Generate a software engineer profile"))
	opts := profileOptions
	streamObject(e, "object_streaming", req, &opts, func(what string, v profile, resp *llm.Response, text string) {
		e.checkProfile(what, v, resp)
		if text != resp.Text() {
			e.Errorf("%s text deltas join into %q, want the response's text %q", what, text, resp.Text())
		}
	})
}
