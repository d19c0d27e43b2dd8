package openai

import (
	"encoding/json"
	"fmt"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/respjson"

	"github.com/llmkit/llmkit/llm"
)

// Block indices of the neutral answer. Chat Completions has no content blocks: an
// answer has reasoning, text and tool calls, and llmkit gives them fixed places, so
// that a stream's events (which arrive in any order) and a whole answer make the same
// parts in the same order: reasoning, text, then the tool calls in their order.
const (
	blockReasoning = 0
	blockText      = 1
	blockTools     = 2 // tool call i is block blockTools+i
)

// ResponseExtra is what a Chat Completions answer holds beyond the neutral response, in
// [llm.Response.Extra] (and the [llm.Metadata] of a stream).
type ResponseExtra struct {
	ID          string `json:"id,omitempty"`    // the completion id, "chatcmpl-…"
	Model       string `json:"model,omitempty"` // the model that answered, e.g. "gpt-4o-2024-08-06"
	ServiceTier string `json:"service_tier,omitempty"`
	// ReasoningTokens is how many of the output tokens were reasoning
	// (completion_tokens_details.reasoning_tokens).
	ReasoningTokens int `json:"reasoning_tokens,omitempty"`
}

// ParseResponse translates a Chat Completions answer into an [llm.Response]. It reads
// the first choice: its reasoning (a reasoning or reasoning_content field, or
// <think>…</think> at the start of the content, as compatible servers return it) as an
// [llm.Reasoning] part, its content (and refusal) as an [llm.Text] part, its tool calls
// as [llm.ToolCall]s with their arguments compacted. Usage: InputTokens excludes the
// cached prompt tokens, which are CacheReadTokens. Finish reasons map to [llm.StopReason]
// with the raw value kept; see the package documentation. Further choices are dropped
// with a warning; a tool call without an id, name or a JSON-object input is an error.
func ParseResponse(c *oai.ChatCompletion) (*llm.Response, error) {
	if c == nil {
		return nil, fmt.Errorf("openai: nil completion")
	}
	return parseCompletion(fromSDKCompletion(c))
}

// parseCompletion is ParseResponse on the decoded answer.
func parseCompletion(c *wireCompletion) (*llm.Response, error) {
	if len(c.Choices) == 0 {
		return nil, fmt.Errorf("openai: completion %s has no choices", c.ID)
	}
	resp := &llm.Response{Message: llm.Message{Role: llm.RoleAssistant}}
	if len(c.Choices) > 1 {
		resp.Warnings = append(resp.Warnings, llm.Warnf(llm.WarningDropped, "choices", "%d choices; only the first is read", len(c.Choices)))
	}
	ch := c.Choices[0]
	m := ch.Message
	var reasoning, text []byte
	reasoning = append(reasoning, m.reasoning()...)
	var sp thinkSplitter
	var events []llm.Event
	events = sp.feed(events, m.Content)
	events = sp.flush(events)
	for _, ev := range events {
		switch e := ev.(type) {
		case llm.ReasoningDelta:
			reasoning = append(reasoning, e.Text...)
		case llm.TextDelta:
			text = append(text, e.Text...)
		}
	}
	text = append(text, m.Refusal...)
	if len(reasoning) > 0 {
		resp.Message.Parts = append(resp.Message.Parts, llm.Reasoning{Text: string(reasoning)})
	}
	if len(text) > 0 {
		resp.Message.Parts = append(resp.Message.Parts, llm.Text{Text: string(text)})
	}
	for i, tc := range m.ToolCalls {
		if tc.Type != "" && tc.Type != "function" {
			resp.Warnings = append(resp.Warnings, llm.WarnBlockf(llm.WarningSkipped, blockTools+i, "tool call %s of type %q is not a function call; skipped", tc.ID, tc.Type))
			continue
		}
		if tc.ID == "" || tc.Function.Name == "" {
			return nil, fmt.Errorf("openai: tool call %d has no id or no name", i)
		}
		input, err := llm.ObjectInput([]byte(tc.Function.Arguments))
		if err != nil {
			if ch.FinishReason == "length" {
				resp.Warnings = append(resp.Warnings, llm.WarnBlockf(llm.WarningTruncated, blockTools+i, "tool call %s (%s) was cut by max_tokens and left out: its input is incomplete", tc.ID, tc.Function.Name))
				continue
			}
			return nil, fmt.Errorf("openai: tool call %s (%s): %w", tc.ID, tc.Function.Name, err)
		}
		resp.Message.Parts = append(resp.Message.Parts, llm.ToolCall{ID: tc.ID, Name: tc.Function.Name, Input: input})
	}
	resp.RawStopReason = ch.FinishReason
	resp.StopReason = stopReason(ch.FinishReason, len(resp.ToolCalls()) > 0, m.Refusal != "")
	extra := &ResponseExtra{ID: c.ID, Model: c.Model, ServiceTier: c.ServiceTier}
	if c.Usage != nil {
		resp.Usage, extra.ReasoningTokens = parseUsage(c.Usage)
	}
	resp.Extra = extra
	return resp, nil
}

// reasoningField returns the text of a reasoning or reasoning_content field (Groq,
// DeepSeek, vLLM, OpenRouter), or "".
func reasoningField(extra map[string]respjson.Field) string {
	for _, k := range [...]string{"reasoning_content", "reasoning"} {
		// openai-go marks fields it has no type for as not Valid; their raw JSON is kept.
		raw := extra[k].Raw()
		if len(raw) < 2 || raw[0] != '"' {
			continue
		}
		var s string
		if json.Unmarshal([]byte(raw), &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// stopReason maps a finish reason. Chat Completions says "stop" both at the end of a
// turn and at a stop sequence: both read end_turn. A forced tool call may come with
// "stop": a turn with tool calls reads tool_use. A refusal reads content_filtered.
func stopReason(raw string, toolCalls, refusal bool) llm.StopReason {
	switch {
	case refusal:
		return llm.StopReasonContentFiltered
	case raw == "tool_calls" || raw == "function_call" || toolCalls && raw == "stop":
		return llm.StopReasonToolUse
	case raw == "stop" || raw == "eos" || raw == "end_turn":
		return llm.StopReasonEndTurn
	case raw == "length" || raw == "max_tokens":
		return llm.StopReasonMaxTokens
	case raw == "content_filter":
		return llm.StopReasonContentFiltered
	}
	return llm.StopReasonUnknown
}

// parseUsage maps usage: InputTokens are the prompt tokens not read from the cache
// (prompt_tokens counts cached tokens too), CacheReadTokens the cached ones;
// OutputTokens include reasoning tokens, which are also returned apart.
func parseUsage(u *wireUsage) (llm.Usage, int) {
	cached := int(u.PromptTokensDetails.CachedTokens)
	return llm.Usage{
		InputTokens:      int(u.PromptTokens) - cached,
		OutputTokens:     int(u.CompletionTokens),
		TotalTokens:      int(u.TotalTokens),
		CacheReadTokens:  cached,
		CacheWriteTokens: int(u.PromptTokensDetails.CacheWriteTokens),
	}, int(u.CompletionTokensDetails.ReasoningTokens)
}
