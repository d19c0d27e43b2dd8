// Package workload defines the benchmark workloads once, independent of any client
// library: the conversation each contender sends, the reply the simulator answers with
// (rendered into the four wire forms Bedrock uses: Converse, ConverseStream, InvokeModel
// and InvokeModelWithResponseStream in the Anthropic messages format), the answer every
// contender must arrive at, and the checks on the requests the simulator receives.
package workload

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ModelID is the model every contender asks for: a real inference profile id, so that
// each library takes its production code path for Claude on Bedrock.
const ModelID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"

// MaxTokens is the output limit every request sets.
const MaxTokens = 1024

// Msg is one message of a conversation in library-neutral form. Role is "user",
// "assistant" or "tool"; an assistant message may carry tool calls, a tool message
// carries the result of one call.
type Msg struct {
	Role      string
	Text      string
	ToolCalls []Call
	Result    *Result
}

// Call is a tool call: its id, the tool's name, and its input as a JSON object.
type Call struct {
	ID    string
	Name  string
	Input json.RawMessage
}

// Result is the answer to a tool call: the call's id and the tool's output as text.
type Result struct {
	CallID  string
	Content string
}

// Tool declares a tool: its name, description and JSON Schema.
type Tool struct {
	Name        string
	Description string
	Schema      json.RawMessage
}

// Block is one content block of a reply: text that streams in Deltas, or a tool call
// whose input streams in Fragments.
type Block struct {
	Deltas    []string
	Call      *Call
	Fragments []string
}

// Reply is what the simulator answers with: content blocks, a stop reason and usage.
type Reply struct {
	Blocks       []Block
	StopReason   string // Bedrock form: end_turn, tool_use
	InputTokens  int
	OutputTokens int
}

// Answer is what a contender must arrive at: the assistant's text (all text blocks
// joined) and its tool calls, in order.
type Answer struct {
	Text      string
	ToolCalls []Call
}

// Answer returns the answer a client must extract from r.
func (r *Reply) Answer() Answer {
	var a Answer
	var sb strings.Builder
	for _, b := range r.Blocks {
		if b.Call != nil {
			a.ToolCalls = append(a.ToolCalls, *b.Call)
			continue
		}
		for _, d := range b.Deltas {
			sb.WriteString(d)
		}
	}
	a.Text = sb.String()
	return a
}

// Events returns the number of stream events r is sent as on ConverseStream.
func (r *Reply) Events() int {
	n := 3 // messageStart, messageStop, metadata
	for _, b := range r.Blocks {
		if b.Call != nil {
			n += 2 + len(b.Fragments) // start, fragments, stop
		} else {
			n += 1 + len(b.Deltas) // deltas, stop
		}
	}
	return n
}

// Workload is one benchmark workload.
type Workload struct {
	// ID is the marker ("w1" ...) the simulator finds in the request to pick the reply.
	ID string
	// Name names the benchmark.
	Name     string
	System   string
	Messages []Msg
	Tools    []Tool
	Stream   bool
	// Replies holds one reply per call; a tool round trip has two.
	Replies []Reply
	// ToolOutput is what the tool returns in a round trip.
	ToolOutput string
}

// Marker returns the text that identifies w in a request body.
func (w *Workload) Marker() string { return "(bench:" + w.ID + ")" }

// Want returns the answer a contender must produce for w: the final reply's text, and
// the tool calls of every reply.
func (w *Workload) Want() Answer {
	var a Answer
	for i := range w.Replies {
		ra := w.Replies[i].Answer()
		a.ToolCalls = append(a.ToolCalls, ra.ToolCalls...)
		if i == len(w.Replies)-1 {
			a.Text = ra.Text
		}
	}
	return a
}

// RunTool is the tool every round trip runs: it returns the workload's tool output for
// the call the model asked for, or an error for an unexpected call.
func (w *Workload) RunTool(name string, input json.RawMessage) (string, error) {
	want := w.Replies[0].Answer().ToolCalls
	if len(want) == 0 || want[0].Name != name {
		return "", fmt.Errorf("workload %s: unexpected tool %q", w.ID, name)
	}
	var got, exp any
	if err := json.Unmarshal(input, &got); err != nil {
		return "", fmt.Errorf("workload %s: tool input: %w", w.ID, err)
	}
	if err := json.Unmarshal(want[0].Input, &exp); err != nil {
		return "", err
	}
	if !jsonEqual(got, exp) {
		return "", fmt.Errorf("workload %s: tool input %s, want %s", w.ID, input, want[0].Input)
	}
	return w.ToolOutput, nil
}

// The workloads.
var (
	Converse   = converse()
	ToolTrip   = toolTrip()
	Stream1k   = textStream("w3", "Stream1k", 1000)
	StreamTool = toolStream()
	Stream100k = textStream("w6", "Stream100k", 100_000)
)

// All lists the workloads the simulator serves.
var All = []*Workload{Converse, ToolTrip, Stream1k, StreamTool, Stream100k}

// ByID returns the workload with the given id, or nil.
func ByID(id string) *Workload {
	for _, w := range All {
		if w.ID == id {
			return w
		}
	}
	return nil
}

const system = "You are a concise travel assistant. Answer in plain prose, use the tools when a fact needs checking, and never invent numbers."

var tools = []Tool{
	{
		Name:        "get_weather",
		Description: "Current weather and a short forecast for a city.",
		Schema:      json.RawMessage(`{"type":"object","properties":{"city":{"type":"string","description":"City name, in English."},"unit":{"type":"string","enum":["celsius","fahrenheit"]},"include":{"type":"array","items":{"type":"string"},"description":"Extra fields to return."}},"required":["city"]}`),
	},
	{
		Name:        "get_time",
		Description: "The current local time in an IANA time zone.",
		Schema:      json.RawMessage(`{"type":"object","properties":{"timezone":{"type":"string","description":"IANA zone such as Europe/Lisbon."}},"required":["timezone"]}`),
	},
	{
		Name:        "search_docs",
		Description: "Search the travel guide for passages matching a query.",
		Schema:      json.RawMessage(`{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":50},"filters":{"type":"object","properties":{"lang":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}}}},"required":["query"]}`),
	},
}

var vocab = strings.Fields(`the a of to and in harbour city river old tram bridge market
morning evening light stone street hill view coffee museum garden quiet busy walk train
north south coast island wind rain sun cloud warm cool bright narrow wide tower square
church palace night music food fish bread wine tile blue yellow green ferry station port
early late slow quick`)

// words returns n deterministic words, each with a leading space except the first.
func words(seed, n int) []string {
	out := make([]string, n)
	for i := range out {
		w := vocab[(seed+i*7+i/len(vocab))%len(vocab)]
		if i > 0 {
			w = " " + w
		}
		out[i] = w
	}
	return out
}

// plain returns n deterministic words without spaces, for lists.
func plain(seed, n int) []string {
	out := words(seed, n)
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

func sentence(seed, n int) string { return strings.Join(words(seed, n), "") + "." }

func converse() *Workload {
	w := &Workload{ID: "w1", Name: "Converse", System: system, Tools: tools}
	weather := Call{ID: "tooluse_hist_0001", Name: "get_weather", Input: json.RawMessage(`{"city":"Lisbon","unit":"celsius"}`)}
	// 19 turns after the system prompt make the 20-message history; one earlier round
	// used a tool, as agent histories do.
	for i := 0; i < 19; i++ {
		switch {
		case i == 3:
			w.Messages = append(w.Messages, Msg{Role: "assistant", Text: "Let me check the weather first.", ToolCalls: []Call{weather}})
		case i == 4:
			w.Messages = append(w.Messages, Msg{Role: "tool", Result: &Result{CallID: weather.ID, Content: `{"temp_c":21,"conditions":"sunny","wind_kmh":12}`}})
		case i%2 == 0:
			w.Messages = append(w.Messages, Msg{Role: "user", Text: sentence(i, 40+i)})
		default:
			w.Messages = append(w.Messages, Msg{Role: "assistant", Text: sentence(i*3, 70+i)})
		}
	}
	last := &w.Messages[len(w.Messages)-1]
	last.Text += " " + w.Marker()
	text := words(11, 120)
	w.Replies = []Reply{{
		Blocks:       []Block{{Deltas: []string{strings.Join(text, "") + "."}}},
		StopReason:   "end_turn",
		InputTokens:  2140,
		OutputTokens: 160,
	}}
	return w
}

func toolTrip() *Workload {
	w := &Workload{ID: "w2", Name: "ToolRoundTrip", System: system, Tools: tools}
	w.Messages = []Msg{{Role: "user", Text: "What is the weather in Paris right now? " + w.Marker()}}
	call := Call{ID: "tooluse_bench_0001", Name: "get_weather", Input: json.RawMessage(`{"city":"Paris","unit":"celsius"}`)}
	w.ToolOutput = `{"temp_c":18,"conditions":"cloudy","wind_kmh":9}`
	w.Replies = []Reply{
		{
			Blocks:       []Block{{Deltas: []string{"I'll check the current weather in Paris."}}, {Call: &call}},
			StopReason:   "tool_use",
			InputTokens:  612,
			OutputTokens: 71,
		},
		{
			Blocks:       []Block{{Deltas: []string{"It is 18 °C and cloudy in Paris, with a light wind of 9 km/h."}}},
			StopReason:   "end_turn",
			InputTokens:  720,
			OutputTokens: 24,
		},
	}
	return w
}

func textStream(id, name string, n int) *Workload {
	w := &Workload{ID: id, Name: name, System: system, Stream: true}
	w.Messages = []Msg{{Role: "user", Text: "Describe a long walk through Lisbon, street by street. " + w.Marker()}}
	w.Replies = []Reply{{
		Blocks:       []Block{{Deltas: words(5, n)}},
		StopReason:   "end_turn",
		InputTokens:  48,
		OutputTokens: n,
	}}
	return w
}

func toolStream() *Workload {
	w := &Workload{ID: "w4", Name: "StreamTools", System: system, Tools: tools, Stream: true}
	w.Messages = []Msg{{Role: "user", Text: "Check the weather in Reykjavik and find guide passages about the harbour. " + w.Marker()}}
	weather, _ := json.Marshal(map[string]any{
		"city":    "Reykjavik",
		"unit":    "celsius",
		"include": plain(2, 40),
	})
	search, _ := json.Marshal(map[string]any{
		"query":   strings.Join(words(9, 60), ""),
		"limit":   10,
		"filters": map[string]any{"lang": "en", "tags": plain(4, 20)},
	})
	c1 := Call{ID: "tooluse_bench_0101", Name: "get_weather", Input: weather}
	c2 := Call{ID: "tooluse_bench_0102", Name: "search_docs", Input: search}
	w.Replies = []Reply{{
		Blocks: []Block{
			{Deltas: words(30, 8)},
			{Call: &c1, Fragments: split(string(weather), 50)},
			{Call: &c2, Fragments: split(string(search), 50)},
		},
		StopReason:   "tool_use",
		InputTokens:  690,
		OutputTokens: 260,
	}}
	return w
}

// split cuts s into n pieces of near-equal length.
func split(s string, n int) []string {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, s[i*len(s)/n:(i+1)*len(s)/n])
	}
	return out
}
