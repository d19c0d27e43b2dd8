package openai

import (
	"strings"

	"github.com/llmkit/llmkit/llm"
)

// reasoningStyle says how a model family reasons and how a request asks for it.
type reasoningStyle uint8

const (
	reasonNone   reasoningStyle = iota
	reasonEffort                // reasoning_effort low/medium/high (OpenAI o-series and gpt-5, gpt-oss)
	reasonAlways                // always reasons, returned as <think> text or a reasoning field; no effort setting
)

// family is one row of the capability table: the model ids it matches and what they
// take.
type family struct {
	prefixes []string // matched against the id's last path segment, lowercased
	caps     llm.Capabilities
	style    reasoningStyle
	// completionTokens sends max_tokens as max_completion_tokens (OpenAI reasoning
	// models reject max_tokens).
	completionTokens bool
	// noSampling: temperature and top_p are rejected by the model (OpenAI reasoning
	// models), so they are dropped with a warning.
	noSampling bool
}

// toolCaps are the capabilities every tool-calling Chat Completions model has.
var toolCaps = llm.Capabilities{
	Tools: true, ToolChoiceRequired: true, ToolChoiceTool: true, StreamingTools: true,
	SystemPrompt: true, StopSequences: true,
}

func with(c llm.Capabilities, f func(*llm.Capabilities)) llm.Capabilities {
	f(&c)
	return c
}

// families is the capability table, most specific prefix first within a vendor. An id
// is matched on its last path segment ("openai/gpt-oss-120b" → "gpt-oss-120b"), so the
// same row serves OpenAI, Groq, OpenRouter and local servers.
var families = []family{
	// OpenAI reasoning models: effort, max_completion_tokens, no sampling settings, no stop.
	{prefixes: []string{"o1", "o3", "o4", "gpt-5"}, style: reasonEffort, completionTokens: true, noSampling: true,
		caps: with(toolCaps, func(c *llm.Capabilities) {
			c.NativeOutput, c.Reasoning, c.Images, c.StopSequences = true, true, true, false
		})},
	// OpenAI GPT-4o and GPT-4.1 families: images and native structured output.
	{prefixes: []string{"gpt-4o", "gpt-4.1", "chatgpt-4o"},
		caps: with(toolCaps, func(c *llm.Capabilities) { c.NativeOutput, c.Images = true, true })},
	{prefixes: []string{"gpt-4-turbo", "gpt-4", "gpt-3.5-turbo"}, caps: toolCaps},
	// gpt-oss (OpenAI's open-weight models, on Groq and elsewhere): a reasoning field, effort.
	{prefixes: []string{"gpt-oss"}, style: reasonEffort,
		caps: with(toolCaps, func(c *llm.Capabilities) { c.NativeOutput, c.Reasoning = true, true })},
	// Qwen 3 and QwQ, DeepSeek R1: reasoning always on, as <think> text or a reasoning field.
	{prefixes: []string{"qwen3", "qwq", "deepseek-r1", "deepseek-reasoner"}, style: reasonAlways,
		caps: with(toolCaps, func(c *llm.Capabilities) { c.Reasoning = true })},
	// Llama 4 takes images; Llama 3.x and other open models take tools.
	{prefixes: []string{"llama-4", "meta-llama/llama-4"},
		caps: with(toolCaps, func(c *llm.Capabilities) { c.Images = true })},
	{prefixes: []string{"llama", "qwen", "mistral", "mixtral", "deepseek", "kimi", "gemma"}, caps: toolCaps},
}

// defaultCaps is what an unknown model id gets: text, a system prompt, stop sequences
// and tools (which nearly every Chat Completions server takes), nothing more.
var defaultCaps = toolCaps

// familyKey is the part of a model id the table is matched on.
func familyKey(model string) string {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:]
	}
	return strings.ToLower(model)
}

// lookupFamily returns the table row for model, or nil.
func lookupFamily(model string) *family {
	key := familyKey(model)
	for i := range families {
		for _, p := range families[i].prefixes {
			if strings.HasPrefix(key, p) {
				return &families[i]
			}
		}
	}
	return nil
}

// CapabilitiesFor reports what llmkit's built-in table says model supports. The id is
// matched on its last path segment ("openai/gpt-oss-120b", "meta-llama/llama-4-scout…"),
// lowercased, by family prefix: o1/o3/o4/gpt-5 (reasoning by effort, images, native
// structured output, no stop sequences), gpt-4o and gpt-4.1 (images, native structured
// output), gpt-4 and gpt-3.5, gpt-oss (reasoning by effort, native structured output),
// qwen3/qwq/deepseek-r1 (reasoning always on), llama-4 (images), and other open models
// (tools). Every row takes tools, every tool choice, tool calls while streaming, a
// system prompt and text beside tool results; none takes documents, cache points or an
// error status on tool results (Chat Completions has no field for them). Unknown ids
// get the tool-calling defaults; [Options.Capabilities] says better.
func CapabilitiesFor(model string) llm.Capabilities {
	if f := lookupFamily(model); f != nil {
		return f.caps
	}
	return defaultCaps
}

func capabilitiesFor(model string, overrides map[string]llm.Capabilities) llm.Capabilities {
	if c, ok := overrides[model]; ok {
		return c
	}
	return CapabilitiesFor(model)
}
