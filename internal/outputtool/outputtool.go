// Package outputtool holds what the providers share about structured output: turning
// the answer of a request that asked for an object (through a forced "output" tool, or
// natively as text) into its object form, with the same warnings and stop reasons for
// every provider.
package outputtool

import (
	"bytes"
	"encoding/json"

	"github.com/llmkit/llmkit/llm"
)

// Warnings about structured output; a provider gives the same ones, in the same order,
// for the same answer, whether it was streamed or not.
var (
	WarnTextDropped = llm.Warnf(llm.WarningDropped, "output", "text the model wrote beside the object was dropped")
	WarnNoObject    = llm.Warnf(llm.WarningSkipped, "output", "the answer holds no JSON object")
)

// WarnCalls is the warning for an answer that called the output tool name n times.
func WarnCalls(name string, n int) llm.Warning {
	return llm.Warnf(llm.WarningDropped, "output", "the model called %s %d times; the first call is the object, the others were dropped", name, n)
}

// ObjectOf returns text, trimmed, when it is one JSON object, else nil.
func ObjectOf(text string) json.RawMessage {
	t := bytes.TrimSpace([]byte(text))
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return nil
	}
	return json.RawMessage(t)
}

// FromText sets resp.Object from the answer's text, or warns that it holds none.
func FromText(resp *llm.Response) {
	resp.Object = ObjectOf(resp.Text())
	if resp.Object == nil {
		resp.Warnings = append(resp.Warnings, WarnNoObject)
	}
}

// StopReason is the stop reason of an answer whose output-tool call became the object:
// the forced call is not a tool use the caller should act on, so tool_use or end_turn
// reads end_turn — unless a real tool was called too (otherCalls). Other reasons (a
// max_tokens cut, a content filter) are kept.
func StopReason(s llm.StopReason, otherCalls bool) llm.StopReason {
	if s != llm.StopReasonToolUse && s != llm.StopReasonEndTurn {
		return s
	}
	if otherCalls {
		return llm.StopReasonToolUse
	}
	return llm.StopReasonEndTurn
}

// Placement says where the object's text goes among the answer's parts.
type Placement int

const (
	// AtCall puts the text where the output tool's first call was.
	AtCall Placement = iota
	// BeforeOtherCalls puts the text before the first other tool call, or last: the
	// place of an answer's text in protocols that send text before tool calls.
	BeforeOtherCalls
)

// FromToolCall turns the first call of the output tool name into a text part holding
// its input, placed as place says, and sets resp.Object and its stop reason. Text the
// model wrote beside it (the "I will use the tool" preambles some models write) and
// further calls of the tool are dropped, with a warning. Without a call of the tool,
// the text is read as the object, as with native output.
func FromToolCall(resp *llm.Response, name string, place Placement) {
	at := -1
	for i, part := range resp.Message.Parts {
		if c, ok := part.(llm.ToolCall); ok && c.Name == name {
			at = i
			break
		}
	}
	if at < 0 {
		FromText(resp)
		return
	}
	input := resp.Message.Parts[at].(llm.ToolCall).Input
	object := llm.Text{Text: string(input)}
	parts := make([]llm.Part, 0, len(resp.Message.Parts))
	placed, droppedText, calls, otherCalls := false, false, 0, false
	for i, part := range resp.Message.Parts {
		switch v := part.(type) {
		case llm.Text:
			droppedText = true
			continue
		case llm.ToolCall:
			if v.Name == name {
				calls++
				if place == AtCall && i == at {
					parts, placed = append(parts, object), true
				}
				continue
			}
			if place == BeforeOtherCalls && !placed {
				parts, placed = append(parts, object), true
			}
			otherCalls = true
		}
		parts = append(parts, part)
	}
	if !placed {
		parts = append(parts, object)
	}
	resp.Message.Parts = parts
	resp.Object = bytes.Clone(input)
	if droppedText {
		resp.Warnings = append(resp.Warnings, WarnTextDropped)
	}
	if calls > 1 {
		resp.Warnings = append(resp.Warnings, WarnCalls(name, calls))
	}
	resp.StopReason = StopReason(resp.StopReason, otherCalls)
}
