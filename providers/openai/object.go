package openai

import (
	"bytes"
	"encoding/json"

	"github.com/llmkit/llmkit/llm"
)

var (
	warnObjectTextDropped = llm.Warnf(llm.WarningDropped, "output", "text the model wrote beside the object was dropped")
	warnNoObject          = llm.Warnf(llm.WarningSkipped, "output", "the answer holds no JSON object")
)

func warnObjectCalls(name string, n int) llm.Warning {
	return llm.Warnf(llm.WarningDropped, "output", "the model called %s %d times; the first call is the object, the others were dropped", name, n)
}

// applyObject turns the answer of a structured-output request into its object form:
// the output tool's call becomes the text (and [llm.Response.Object]); with native
// output, the text is the object.
func applyObject(resp *llm.Response, p *chatParams) {
	switch {
	case p.objectTool != "":
		applyObjectTool(resp, p.objectTool)
	case p.native:
		setObjectFromText(resp)
	}
}

// applyObjectTool replaces the first call of the output tool by its input as text, in
// the text's place (after reasoning, before other tool calls); text beside it and
// further calls of it are dropped with a warning. Without such a call the text is read
// as the object.
func applyObjectTool(resp *llm.Response, name string) {
	at := -1
	for i, part := range resp.Message.Parts {
		if c, ok := part.(llm.ToolCall); ok && c.Name == name {
			at = i
			break
		}
	}
	if at < 0 {
		setObjectFromText(resp)
		return
	}
	input := resp.Message.Parts[at].(llm.ToolCall).Input
	parts := make([]llm.Part, 0, len(resp.Message.Parts))
	droppedText, calls, otherCalls := false, 0, false
	for _, part := range resp.Message.Parts {
		switch v := part.(type) {
		case llm.Text:
			droppedText = true
			continue
		case llm.ToolCall:
			if v.Name == name {
				calls++
				continue
			}
			if !otherCalls {
				parts = append(parts, llm.Text{Text: string(input)})
			}
			otherCalls = true
		}
		parts = append(parts, part)
	}
	if !otherCalls {
		parts = append(parts, llm.Text{Text: string(input)})
	}
	resp.Message.Parts = parts
	resp.Object = bytes.Clone(input)
	if droppedText {
		resp.Warnings = append(resp.Warnings, warnObjectTextDropped)
	}
	if calls > 1 {
		resp.Warnings = append(resp.Warnings, warnObjectCalls(name, calls))
	}
	resp.StopReason = objectStopReason(resp.RawStopReason, otherCalls)
}

// objectStopReason is the stop reason of an answer whose output-tool call was turned
// into text: a tool call finish reads end_turn unless other tools were called.
func objectStopReason(raw string, otherCalls bool) llm.StopReason {
	switch {
	case raw != "tool_calls" && raw != "stop" && raw != "function_call":
		return stopReason(raw, otherCalls, false)
	case otherCalls:
		return llm.StopReasonToolUse
	}
	return llm.StopReasonEndTurn
}

// objectOf returns text as an object when it is one JSON object, else nil.
func objectOf(text string) json.RawMessage {
	t := bytes.TrimSpace([]byte(text))
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return nil
	}
	return json.RawMessage(t)
}

// setObjectFromText sets Object from the text, or warns that it holds none.
func setObjectFromText(resp *llm.Response) {
	resp.Object = objectOf(resp.Text())
	if resp.Object == nil {
		resp.Warnings = append(resp.Warnings, warnNoObject)
	}
}
