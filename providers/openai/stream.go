package openai

import (
	"bytes"
	"fmt"
	"slices"

	oai "github.com/openai/openai-go/v3"

	"github.com/llmkit/llmkit/internal/outputtool"
	"github.com/llmkit/llmkit/llm"
)

// ParseStreamChunk translates one chunk of a streamed Chat Completions answer into
// neutral [llm.Event]s. It does no I/O and keeps no state between calls: feed its events,
// in order, to an [llm.Accumulator] to assemble the answer. For the first choice:
//   - a delta with the assistant role: [llm.MessageStart];
//   - reasoning or reasoning_content: [llm.ReasoningDelta] (block 0);
//   - content and refusal: [llm.TextDelta] (block 1), as they come — a <think> prefix
//     is not split here (that needs the chunks before; [Model.Stream] does it);
//   - a tool-call delta with an id: [llm.ToolCallStart] for block 2+index, and its
//     argument fragment, if any, as [llm.ToolInputDelta];
//   - a finish reason: [llm.MessageStop], mapped as [ParseResponse] maps it (without
//     knowing whether tool calls came before: "stop" reads end_turn here);
//   - usage: [llm.Metadata].
//
// Choices other than the first become a warning event.
func ParseStreamChunk(c *oai.ChatCompletionChunk) ([]llm.Event, error) {
	if c == nil {
		return nil, fmt.Errorf("openai: nil chunk")
	}
	return parseChunk(fromSDKChunk(c)), nil
}

// parseChunk is ParseStreamChunk on the decoded chunk.
func parseChunk(c *wireCompletion) []llm.Event {
	var evs []llm.Event
	for _, ch := range c.Choices {
		if ch.Index != 0 {
			evs = append(evs, llm.Warnf(llm.WarningDropped, "choices", "a delta for choice %d; only the first is read", ch.Index))
			continue
		}
		d := ch.Delta
		if d.Role == "assistant" {
			evs = append(evs, llm.MessageStart{Role: llm.RoleAssistant})
		}
		if r := d.reasoning(); r != "" {
			evs = append(evs, llm.ReasoningDelta{Index: blockReasoning, Text: r})
		}
		if d.Content != "" {
			evs = append(evs, llm.TextDelta{Index: blockText, Text: d.Content})
		}
		if d.Refusal != "" {
			evs = append(evs, llm.TextDelta{Index: blockText, Text: d.Refusal})
		}
		for _, tc := range d.ToolCalls {
			i := blockTools + int(tc.Index)
			if tc.ID != "" {
				evs = append(evs, llm.ToolCallStart{Index: i, ID: tc.ID, Name: tc.Function.Name})
			}
			if tc.Function.Arguments != "" {
				evs = append(evs, llm.ToolInputDelta{Index: i, Fragment: tc.Function.Arguments})
			}
		}
		if ch.FinishReason != "" {
			evs = append(evs, llm.MessageStop{StopReason: stopReason(ch.FinishReason, false, false), RawStopReason: ch.FinishReason})
		}
	}
	if c.Usage != nil {
		u, _ := parseUsage(c.Usage)
		evs = append(evs, llm.Metadata{Usage: u})
	}
	return evs
}

// streamCall is one tool call of a stream.
type streamCall struct {
	wire   int64  // the index the server gave it
	id     string // its id
	block  int    // its block index in the neutral answer
	object bool   // the synthetic output tool's call: its input is the answer's text
	name   string
}

// streamTranslator is the state a Model's stream keeps over the chunks: the split of
// <think> text, tool calls by index (a server that numbers every call 0 but gives each
// its own id is followed by id), the synthetic output tool, and what the final
// MessageStop and Metadata need. Its events make the same response as [ParseResponse]
// and the Model's Generate for the same answer.
type streamTranslator struct {
	p        *chatParams
	started  bool
	stopped  bool
	think    thinkSplitter
	calls    []streamCall
	refusal  bool
	realCall bool   // a tool call other than the output tool
	objects  int    // calls of the output tool
	held     []byte // text beside the object: given back if no object comes, else dropped
	usage    llm.Usage
	extra    ResponseExtra
	finish   string
	opened   []int // block indices that received content, for their BlockStops
}

func newStreamTranslator(p *chatParams) *streamTranslator { return &streamTranslator{p: p} }

func (t *streamTranslator) translate(dst []llm.Event, c *wireCompletion) ([]llm.Event, error) {
	if !t.started {
		t.started = true
		dst = append(dst, llm.MessageStart{Role: llm.RoleAssistant})
	}
	t.note(c)
	for _, ch := range c.Choices {
		if ch.Index != 0 {
			dst = append(dst, llm.Warnf(llm.WarningDropped, "choices", "a delta for choice %d; only the first is read", ch.Index))
			continue
		}
		if t.stopped && (ch.Delta.Content != "" || len(ch.Delta.ToolCalls) > 0 || ch.FinishReason != "") {
			return nil, fmt.Errorf("openai: a delta after the finish reason %q", t.finish)
		}
		d := ch.Delta
		if r := d.reasoning(); r != "" {
			dst = append(dst, llm.ReasoningDelta{Index: blockReasoning, Text: r})
		}
		if d.Content != "" {
			dst = t.text(dst, d.Content)
		}
		if d.Refusal != "" {
			t.refusal = true
			dst = append(dst, llm.TextDelta{Index: blockText, Text: d.Refusal})
		}
		var err error
		for _, tc := range d.ToolCalls {
			if dst, err = t.toolCall(dst, tc); err != nil {
				return nil, err
			}
		}
		if ch.FinishReason != "" {
			dst = t.stop(dst, ch.FinishReason)
		}
	}
	t.mark(dst)
	return dst, nil
}

// mark notes the blocks evs open.
func (t *streamTranslator) mark(evs []llm.Event) {
	for _, ev := range evs {
		i := -1
		switch e := ev.(type) {
		case llm.TextDelta:
			i = e.Index
		case llm.ReasoningDelta:
			i = e.Index
		case llm.ToolCallStart:
			i = e.Index
		}
		if i >= 0 && !slices.Contains(t.opened, i) {
			t.opened = append(t.opened, i)
		}
	}
}

// note keeps the chunk's usage and metadata for the final Metadata event.
func (t *streamTranslator) note(c *wireCompletion) {
	if c.ID != "" {
		t.extra.ID = c.ID
	}
	if c.Model != "" {
		t.extra.Model = c.Model
	}
	if c.ServiceTier != "" {
		t.extra.ServiceTier = c.ServiceTier
	}
	if c.Usage != nil {
		t.usage, t.extra.ReasoningTokens = parseUsage(c.Usage)
	}
}

func (t *streamTranslator) text(dst []llm.Event, text string) []llm.Event {
	if t.p.objectTool == "" {
		return t.think.feed(dst, text)
	}
	// With the output tool, the object is the text; what the model wrote beside it is
	// dropped (with a warning at the end), reasoning kept.
	n := len(dst)
	dst = t.think.feed(dst, text)
	return t.dropText(dst, n)
}

// dropText removes the text deltas from dst[n:] (the output tool's mode), noting it.
func (t *streamTranslator) dropText(dst []llm.Event, n int) []llm.Event {
	out := dst[:n]
	for _, ev := range dst[n:] {
		if td, ok := ev.(llm.TextDelta); ok {
			t.held = append(t.held, td.Text...)
			continue
		}
		out = append(out, ev)
	}
	return out
}

func (t *streamTranslator) toolCall(dst []llm.Event, tc wireToolCall) ([]llm.Event, error) {
	var call *streamCall
	for i := len(t.calls) - 1; i >= 0; i-- {
		if t.calls[i].wire == tc.Index {
			call = &t.calls[i]
			break
		}
	}
	if call == nil || tc.ID != "" && tc.ID != call.id {
		if tc.ID == "" || tc.Function.Name == "" {
			return nil, fmt.Errorf("openai: tool call %d starts without an id or a name", tc.Index)
		}
		t.calls = append(t.calls, streamCall{wire: tc.Index, id: tc.ID, name: tc.Function.Name, block: blockTools + len(t.calls)})
		call = &t.calls[len(t.calls)-1]
		switch {
		case t.p.objectTool != "" && call.name == t.p.objectTool:
			call.object = true
			t.objects++
		default:
			t.realCall = true
			dst = append(dst, llm.ToolCallStart{Index: call.block, ID: call.id, Name: call.name})
		}
	}
	if frag := tc.Function.Arguments; frag != "" {
		switch {
		case call.object && t.objects == 1:
			dst = append(dst, llm.TextDelta{Index: blockText, Text: frag})
		case call.object:
			// A second call of the output tool: the first is the object.
		default:
			dst = append(dst, llm.ToolInputDelta{Index: call.block, Fragment: frag})
		}
	}
	return dst, nil
}

func (t *streamTranslator) stop(dst []llm.Event, raw string) []llm.Event {
	n := len(dst)
	dst = t.think.flush(dst)
	if t.p.objectTool != "" {
		dst = t.dropText(dst, n)
		if t.objects == 0 && len(t.held) > 0 {
			// The model did not call the output tool: its text is the answer.
			dst = append(dst, llm.TextDelta{Index: blockText, Text: string(t.held)})
		}
	}
	// Chat Completions has no block stops: every block ends with the answer.
	t.mark(dst)
	slices.Sort(t.opened)
	for _, i := range t.opened {
		dst = append(dst, llm.BlockStop{Index: i})
	}
	t.stopped = true
	t.finish = raw
	reason := stopReason(raw, t.realCall, t.refusal)
	if t.p.objectTool != "" && t.objects > 0 {
		reason = outputtool.StopReason(reason, t.realCall)
	}
	return append(dst, llm.MessageStop{StopReason: reason, RawStopReason: raw})
}

// end closes the stream's events: the usage and metadata gathered. A stream without a
// finish reason is cut short.
func (t *streamTranslator) end(dst []llm.Event) ([]llm.Event, error) {
	if !t.stopped {
		return nil, fmt.Errorf("openai: the stream ended without a finish reason")
	}
	extra := t.extra
	return append(dst, llm.Metadata{Usage: t.usage, Extra: &extra}), nil
}

// complete adds to the accumulated response what only the whole stream tells: the
// object of structured output and the warnings about text or calls beside it.
func (t *streamTranslator) complete(resp *llm.Response) {
	switch {
	case t.p.objectTool != "" && t.objects > 0:
		for i, part := range resp.Message.Parts {
			if txt, ok := part.(llm.Text); ok {
				if obj, err := llm.ObjectInput([]byte(txt.Text)); err == nil {
					resp.Message.Parts[i] = llm.Text{Text: string(obj)}
					resp.Object = bytes.Clone(obj)
				}
				break
			}
		}
		if len(t.held) > 0 {
			resp.Warnings = append(resp.Warnings, outputtool.WarnTextDropped)
		}
		if t.objects > 1 {
			resp.Warnings = append(resp.Warnings, outputtool.WarnCalls(t.p.objectTool, t.objects))
		}
	case t.p.objectTool != "" || t.p.native:
		outputtool.FromText(resp)
	}
}
