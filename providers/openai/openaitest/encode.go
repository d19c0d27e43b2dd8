package openaitest

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/llmkit/llmkit/llm"
)

// finishReason is the Chat Completions finish reason of resp.
func finishReason(resp *llm.Response) string {
	if resp.RawStopReason != "" {
		return resp.RawStopReason
	}
	switch resp.StopReason {
	case llm.StopReasonToolUse:
		return "tool_calls"
	case llm.StopReasonMaxTokens:
		return "length"
	case llm.StopReasonContentFiltered:
		return "content_filter"
	}
	return "stop"
}

type wireUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens     int `json:"cached_tokens"`
		CacheWriteTokens int `json:"cache_write_tokens,omitempty"`
	} `json:"prompt_tokens_details"`
}

func usageOf(u llm.Usage) wireUsage {
	w := wireUsage{PromptTokens: u.InputTokens + u.CacheReadTokens, CompletionTokens: u.OutputTokens, TotalTokens: u.TotalTokens}
	if w.TotalTokens == 0 {
		w.TotalTokens = w.PromptTokens + w.CompletionTokens
	}
	w.PromptTokensDetails.CachedTokens = u.CacheReadTokens
	w.PromptTokensDetails.CacheWriteTokens = u.CacheWriteTokens
	return w
}

type wireFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type wireToolCall struct {
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function wireFunction `json:"function"`
}

type wireMessage struct {
	Role      string         `json:"role,omitempty"`
	Content   *string        `json:"content,omitempty"`
	Reasoning string         `json:"reasoning,omitempty"`
	ToolCalls []wireToolCall `json:"tool_calls,omitempty"`
}

// parts splits a response's message into its reasoning, text and tool calls.
func parts(resp *llm.Response) (reasoning, text string, calls []llm.ToolCall) {
	for _, p := range resp.Message.Parts {
		switch v := p.(type) {
		case llm.Reasoning:
			reasoning += v.Text
		case llm.Text:
			text += v.Text
		case llm.ToolCall:
			calls = append(calls, v)
		}
	}
	return reasoning, text, calls
}

// completionJSON is resp as a JSON chat completion for model.
func completionJSON(resp *llm.Response, model, id string) []byte {
	reasoning, text, calls := parts(resp)
	msg := wireMessage{Role: "assistant", Reasoning: reasoning}
	if text != "" || len(calls) == 0 {
		msg.Content = &text
	}
	for _, c := range calls {
		input := string(c.Input)
		if input == "" {
			input = "{}"
		}
		msg.ToolCalls = append(msg.ToolCalls, wireToolCall{ID: c.ID, Type: "function", Function: wireFunction{Name: c.Name, Arguments: input}})
	}
	b, _ := json.Marshal(map[string]any{
		"id": id, "object": "chat.completion", "created": 1762105819, "model": model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finishReason(resp), "logprobs": nil}},
		"usage":   usageOf(resp.Usage),
	})
	return b
}

// chunkEvents is resp as the data payloads of a stream for model, text and arguments
// split in n pieces, ending with [DONE].
func chunkEvents(resp *llm.Response, model, id string, n int) []string {
	reasoning, text, calls := parts(resp)
	var out []string
	chunk := func(delta any, finish any, usage any) {
		m := map[string]any{"id": id, "object": "chat.completion.chunk", "created": 1762105819, "model": model}
		if delta != nil {
			m["choices"] = []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}
		} else {
			m["choices"] = []any{}
		}
		if usage != nil {
			m["usage"] = usage
		}
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	empty := ""
	chunk(wireMessage{Role: "assistant", Content: &empty}, nil, nil)
	for _, s := range splitN(reasoning, n) {
		chunk(wireMessage{Reasoning: s}, nil, nil)
	}
	for _, s := range splitN(text, n) {
		s := s
		chunk(wireMessage{Content: &s}, nil, nil)
	}
	for i, c := range calls {
		input := string(c.Input)
		if input == "" {
			input = "{}"
		}
		for j, frag := range splitN(input, n) {
			idx := i
			tc := wireToolCall{Index: &idx, Function: wireFunction{Arguments: frag}}
			if j == 0 {
				tc.ID, tc.Type, tc.Function.Name = c.ID, "function", c.Name
			}
			chunk(wireMessage{ToolCalls: []wireToolCall{tc}}, nil, nil)
		}
	}
	chunk(struct{}{}, finishReason(resp), nil)
	chunk(nil, nil, usageOf(resp.Usage))
	return append(out, "[DONE]")
}

// splitN cuts s into n pieces of about equal size, never inside a UTF-8 sequence; an
// empty s gives none, n < 1 one.
func splitN(s string, n int) []string {
	if s == "" {
		return nil
	}
	if n <= 1 {
		return []string{s}
	}
	out := make([]string, 0, n)
	size := max(len(s)/n, 1)
	for len(s) > 0 && len(out) < n-1 {
		cut := min(size, len(s))
		for cut < len(s) && !utf8.RuneStart(s[cut]) {
			cut++
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// eventChunks is a neutral event script as the data payloads of a stream, ending with
// [DONE]. Tool calls are numbered in the order they start.
func eventChunks(evs []llm.Event, model, id string) []string {
	var out []string
	put := func(m map[string]any) {
		m["id"], m["object"], m["created"], m["model"] = id, "chat.completion.chunk", 1762105819, model
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	delta := func(d any, finish any) {
		put(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": d, "finish_reason": finish}}})
	}
	calls := map[int]int{}
	for _, ev := range evs {
		switch e := ev.(type) {
		case llm.MessageStart:
			empty := ""
			delta(wireMessage{Role: "assistant", Content: &empty}, nil)
		case llm.TextDelta:
			text := e.Text
			delta(wireMessage{Content: &text}, nil)
		case llm.ReasoningDelta:
			delta(wireMessage{Reasoning: e.Text}, nil)
		case llm.ToolCallStart:
			n := len(calls)
			calls[e.Index] = n
			delta(wireMessage{ToolCalls: []wireToolCall{{Index: &n, ID: e.ID, Type: "function", Function: wireFunction{Name: e.Name}}}}, nil)
		case llm.ToolInputDelta:
			n := calls[e.Index]
			delta(wireMessage{ToolCalls: []wireToolCall{{Index: &n, Function: wireFunction{Arguments: e.Fragment}}}}, nil)
		case llm.MessageStop:
			resp := &llm.Response{StopReason: e.StopReason}
			delta(struct{}{}, finishReason(resp))
		case llm.Metadata:
			put(map[string]any{"choices": []any{}, "usage": usageOf(e.Usage)})
		}
	}
	return append(out, "[DONE]")
}
