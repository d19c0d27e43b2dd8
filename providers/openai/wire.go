package openai

import (
	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/respjson"
)

// The answer types a Model decodes with encoding/json. openai-go's own response types
// decode through its reflective decoder, which cost a streaming caller several times
// what encoding/json into these small types costs (bench/RESULTS.md); they hold what
// the translation reads, no more. ParseResponse and ParseStreamChunk take openai-go's
// types and convert them to these, so that there is one translation.

type wireCompletion struct {
	ID          string       `json:"id"`
	Model       string       `json:"model"`
	ServiceTier string       `json:"service_tier"`
	Choices     []wireChoice `json:"choices"`
	Usage       *wireUsage   `json:"usage"`
}

type wireChoice struct {
	Index        int64       `json:"index"`
	FinishReason string      `json:"finish_reason"`
	Message      wireMessage `json:"message"`
	Delta        wireMessage `json:"delta"`
}

type wireMessage struct {
	Role             string         `json:"role"`
	Content          string         `json:"content"`
	Refusal          string         `json:"refusal"`
	Reasoning        string         `json:"reasoning"`
	ReasoningContent string         `json:"reasoning_content"`
	ToolCalls        []wireToolCall `json:"tool_calls"`
}

// reasoning is the message's reasoning field, whichever name the server uses.
func (m *wireMessage) reasoning() string {
	if m.ReasoningContent != "" {
		return m.ReasoningContent
	}
	return m.Reasoning
}

type wireToolCall struct {
	Index    int64  `json:"index"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireUsage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	TotalTokens         int64 `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens     int64 `json:"cached_tokens"`
		CacheWriteTokens int64 `json:"cache_write_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// fromSDKMessage converts openai-go's message or delta fields.
func fromSDKMessage(role, content, refusal string, extra map[string]respjson.Field) wireMessage {
	return wireMessage{Role: role, Content: content, Refusal: refusal, Reasoning: reasoningField(extra)}
}

func fromSDKUsage(valid bool, u *oai.CompletionUsage) *wireUsage {
	if !valid {
		return nil
	}
	w := &wireUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	w.PromptTokensDetails.CachedTokens = u.PromptTokensDetails.CachedTokens
	w.PromptTokensDetails.CacheWriteTokens = u.PromptTokensDetails.CacheWriteTokens
	w.CompletionTokensDetails.ReasoningTokens = u.CompletionTokensDetails.ReasoningTokens
	return w
}

// fromSDKCompletion converts an openai-go completion.
func fromSDKCompletion(c *oai.ChatCompletion) *wireCompletion {
	w := &wireCompletion{ID: c.ID, Model: c.Model, ServiceTier: string(c.ServiceTier), Usage: fromSDKUsage(c.JSON.Usage.Valid(), &c.Usage)}
	for _, ch := range c.Choices {
		m := ch.Message
		wc := wireChoice{Index: ch.Index, FinishReason: ch.FinishReason, Message: fromSDKMessage(string(m.Role), m.Content, m.Refusal, m.JSON.ExtraFields)}
		for _, tc := range m.ToolCalls {
			var t wireToolCall
			t.ID, t.Type, t.Function.Name, t.Function.Arguments = tc.ID, tc.Type, tc.Function.Name, tc.Function.Arguments
			wc.Message.ToolCalls = append(wc.Message.ToolCalls, t)
		}
		w.Choices = append(w.Choices, wc)
	}
	return w
}

// fromSDKChunk converts an openai-go stream chunk.
func fromSDKChunk(c *oai.ChatCompletionChunk) *wireCompletion {
	w := &wireCompletion{ID: c.ID, Model: c.Model, ServiceTier: string(c.ServiceTier), Usage: fromSDKUsage(c.JSON.Usage.Valid(), &c.Usage)}
	for _, ch := range c.Choices {
		d := ch.Delta
		wc := wireChoice{Index: ch.Index, FinishReason: ch.FinishReason, Delta: fromSDKMessage(d.Role, d.Content, d.Refusal, d.JSON.ExtraFields)}
		for _, tc := range d.ToolCalls {
			var t wireToolCall
			t.Index, t.ID, t.Type, t.Function.Name, t.Function.Arguments = tc.Index, tc.ID, tc.Type, tc.Function.Name, tc.Function.Arguments
			wc.Delta.ToolCalls = append(wc.Delta.ToolCalls, t)
		}
		w.Choices = append(w.Choices, wc)
	}
	return w
}
