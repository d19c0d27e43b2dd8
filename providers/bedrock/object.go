package bedrock

import (
	"bytes"
	"encoding/json"

	"github.com/llmkit/llmkit/llm"
)

// Structured output (llm.Request.Output) reaches the caller the same way whichever
// mechanism carried it: the object is the text of the assistant message — streamed as
// text deltas — and, when it is a well-formed JSON object, also Response.Object. Model
// does not validate the object against the schema and never fails a call for a missing
// or malformed object: the response comes back with Object nil and a warning, and
// structured.Generate (which has the schema, the raw text and a retry loop) decides.

// Warnings about structured output. Generate and Stream give the same ones, in the same
// order, for the same answer.
var (
	warnObjectTextDropped = llm.Warnf(llm.WarningDropped, "output", "text the model wrote beside the object was dropped")
	warnNoObject          = llm.Warnf(llm.WarningSkipped, "output", "the answer holds no JSON object")
)

func warnObjectCalls(name string, n int) llm.Warning {
	return llm.Warnf(llm.WarningDropped, "output", "the model called %s %d times; the first call is the object, the others were dropped", name, n)
}

// applyObject fills resp for a request that asked for structured output: for the
// synthetic tool, its call becomes the text and the object; for native output, the text
// is the object.
func applyObject(resp *llm.Response, p *converseParams) {
	switch {
	case p.objectTool != "":
		applyObjectTool(resp, p.objectTool)
	case p.native:
		setObjectFromText(resp)
	}
}

// applyObjectTool turns the first call of the synthetic tool into a [llm.Text] part
// holding its input, at the call's place, and sets Object. The other text parts (the
// "I will use the tool" preambles some models write) and any further calls of the
// synthetic tool are dropped, with a warning. The stop reason reads end_turn, or
// tool_use if the model also called one of the request's real tools. Without a call of
// the synthetic tool, the text is tried as the object, as for native output.
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
	for i, part := range resp.Message.Parts {
		switch v := part.(type) {
		case llm.Text:
			droppedText = true
			continue
		case llm.ToolCall:
			if v.Name == name {
				calls++
				if i == at {
					parts = append(parts, llm.Text{Text: string(input)})
				}
				continue
			}
			otherCalls = true
		}
		parts = append(parts, part)
	}
	resp.Message.Parts = parts
	resp.Object = bytes.Clone(input)
	if droppedText {
		resp.Warnings = append(resp.Warnings, warnObjectTextDropped)
	}
	if calls > 1 {
		resp.Warnings = append(resp.Warnings, warnObjectCalls(name, calls))
	}
	resp.StopReason = objectStopReason(resp.StopReason, resp.RawStopReason, otherCalls)
}

// objectStopReason is the stop reason of an answer whose synthetic tool call became the
// object: the forced call is not a tool use the caller should act on, so tool_use (or
// end_turn) reads end_turn — unless a real tool was called too. Other reasons (a
// max_tokens cut, a guardrail) are kept.
func objectStopReason(s llm.StopReason, raw string, otherCalls bool) llm.StopReason {
	if raw != "tool_use" && raw != "end_turn" {
		return s
	}
	if otherCalls {
		return llm.StopReasonToolUse
	}
	return llm.StopReasonEndTurn
}

// setObjectFromText sets Object to the message text when that text is one JSON object,
// and warns otherwise.
func setObjectFromText(resp *llm.Response) {
	text := bytes.TrimSpace([]byte(resp.Text()))
	if len(text) > 0 && text[0] == '{' && json.Valid(text) {
		resp.Object = json.RawMessage(text)
		return
	}
	resp.Warnings = append(resp.Warnings, warnNoObject)
}
