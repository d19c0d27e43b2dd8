package bedrock

import (
	"strings"

	"github.com/llmkit/llmkit/llm"
)

// The capability table. Bedrock serves many model families behind one API, and they differ
// in what the Converse API lets them do: which tool choices they take, whether a tool
// result may carry an error status, whether text may share a turn with tool results,
// how reasoning is switched on. The table below is matched on the model id without its
// inference-profile prefix (RULES.md REQ-MODEL-ID): an entry's prefix is the provider and the
// model family ("anthropic.claude-sonnet-4-5"), never a substring found anywhere in the id.
// Entries are tried in order, so a longer prefix comes before a shorter one it extends.
//
// Sources: the AWS user guide pages "Supported models and model features" (Converse),
// "Call a tool with the Converse API", "Prompt caching", "Get validated JSON results from
// models" (structured outputs, on Bedrock since 2026-02-04) and the model cards, as of
// early 2026. Where the documentation says nothing the table says no.

// reasoningStyle is how a model family is asked to reason.
type reasoningStyle uint8

const (
	reasonNone       reasoningStyle = iota // no reasoning, or none that can be configured
	reasonBudget                           // Anthropic: additionalModelRequestFields.thinking with budget_tokens
	reasonNovaEffort                       // Nova 2: additionalModelRequestFields.reasoningConfig.maxReasoningEffort
	reasonOpenAI                           // gpt-oss: additionalModelRequestFields.reasoning_effort
	reasonAlways                           // reasons on every call and takes no setting (DeepSeek-R1)
)

// modelFamily is one row of the capability table.
type modelFamily struct {
	prefix string
	caps   llm.Capabilities
	// reasoning says how to switch reasoning on; meaningful only when caps.Reasoning.
	reasoning reasoningStyle
	// cacheTTL: cache points may carry an explicit TTL (5m or 1h).
	cacheTTL bool
	// jsonResults: tool results may carry a JSON block rather than text.
	jsonResults bool
	// tempXorTopP: the model takes temperature or topP, not both.
	tempXorTopP bool
	// resultStatus: a tool result may carry an error status (toolResult.status).
	resultStatus bool
	// mixedResults: text may share a user turn with tool results
	// (RULES.md REQ-TOOL-RESULT-TURN); without it the text goes in a turn of its own.
	mixedResults bool
}

// Capability sets shared by several rows.
var (
	// Claude 3 and later: every Converse feature but reasoning, caching and native output.
	claudeCaps = llm.Capabilities{
		Tools: true, ToolChoiceRequired: true, ToolChoiceTool: true, StreamingTools: true,
		Images: true, Documents: true, SystemPrompt: true, StopSequences: true,
	}
	// Nova understanding models: named tool choice, tool-result status, caching.
	novaCaps = llm.Capabilities{
		Tools: true, ToolChoiceRequired: true, ToolChoiceTool: true, StreamingTools: true,
		Images: true, Documents: true, CachePoints: true, SystemPrompt: true,
		StopSequences: true,
	}
	// Llama 3.1+: tools without streaming tool use, without a forced choice, and no text
	// beside tool results (RULES.md REQ-TOOL-RESULT-TURN).
	llamaToolCaps = llm.Capabilities{
		Tools: true, Documents: true, SystemPrompt: true, StopSequences: true,
	}
	// Text-only chat without tools.
	plainCaps = llm.Capabilities{Documents: true, SystemPrompt: true, StopSequences: true}
	// Mistral Large and Small: tools and "any", no streaming tool use, no text beside tool
	// results (REQ-TOOL-RESULT-TURN).
	mistralToolCaps = llm.Capabilities{
		Tools: true, ToolChoiceRequired: true, Documents: true, SystemPrompt: true,
		StopSequences: true,
	}
	// Open-weight chat models with tool use: auto choice only.
	openToolCaps = llm.Capabilities{
		Tools: true, StreamingTools: true, Documents: true, SystemPrompt: true,
		StopSequences: true,
	}
)

// unknownModelCaps is what a model not in the table gets: tools with an automatic choice, a
// system prompt and stop sequences; no forced choice, no tool-result status, no native
// structured output, no reasoning, no cache points, and text kept out of tool-result turns
// (which every model accepts). Images and documents are left for Bedrock to judge, since
// an unknown id is most often an application inference profile or a custom model whose
// base model the id does not name.
var unknownModelCaps = llm.Capabilities{
	Tools: true, StreamingTools: true, Images: true, Documents: true, SystemPrompt: true,
	StopSequences: true,
}

func capsWith(c llm.Capabilities, f func(*llm.Capabilities)) llm.Capabilities {
	f(&c)
	return c
}

// modelFamilies is the capability table, longest prefixes first within a family.
var modelFamilies = []modelFamily{
	// Claude 4.5 and later: structured outputs (Sonnet 4.5, Haiku 4.5, Opus 4.5, Opus 4.6,
	// Sonnet 4.6), thinking with a budget, cache points with a 1h TTL. Sonnet 4.5 and
	// Haiku 4.5 take temperature or topP, not both.
	{prefix: "anthropic.claude-sonnet-4-5", caps: claude45Caps(), reasoning: reasonBudget, cacheTTL: true, jsonResults: true, tempXorTopP: true, resultStatus: true, mixedResults: true},
	{prefix: "anthropic.claude-haiku-4-5", caps: claude45Caps(), reasoning: reasonBudget, cacheTTL: true, jsonResults: true, tempXorTopP: true, resultStatus: true, mixedResults: true},
	{prefix: "anthropic.claude-opus-4-5", caps: claude45Caps(), reasoning: reasonBudget, cacheTTL: true, jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "anthropic.claude-opus-4-6", caps: claude45Caps(), reasoning: reasonBudget, cacheTTL: true, jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "anthropic.claude-sonnet-4-6", caps: claude45Caps(), reasoning: reasonBudget, cacheTTL: true, jsonResults: true, resultStatus: true, mixedResults: true},
	// Claude Sonnet 4, Opus 4 and 4.1, and Claude 3.7 Sonnet: thinking and caching.
	{prefix: "anthropic.claude-sonnet-4", caps: capsWith(claudeCaps, reasoningAndCache), reasoning: reasonBudget, jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "anthropic.claude-opus-4", caps: capsWith(claudeCaps, reasoningAndCache), reasoning: reasonBudget, jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "anthropic.claude-3-7-sonnet", caps: capsWith(claudeCaps, reasoningAndCache), reasoning: reasonBudget, jsonResults: true, resultStatus: true, mixedResults: true},
	// Claude 3.5 Haiku caches; it takes no images.
	{prefix: "anthropic.claude-3-5-haiku", caps: capsWith(claudeCaps, func(c *llm.Capabilities) { c.CachePoints = true; c.Images = false }), jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "anthropic.claude-3", caps: claudeCaps, jsonResults: true, resultStatus: true, mixedResults: true},
	// Claude 2 and Instant: chat and documents, no tools, no images.
	{prefix: "anthropic.claude-v2", caps: plainCaps},
	{prefix: "anthropic.claude-instant", caps: plainCaps},
	// Any other Claude: a newer model the table does not know yet gets the Claude 3 set.
	{prefix: "anthropic.claude-", caps: claudeCaps, jsonResults: true, resultStatus: true, mixedResults: true},

	// Nova 2 Lite reasons with an effort.
	{prefix: "amazon.nova-2-lite", caps: capsWith(novaCaps, func(c *llm.Capabilities) { c.Reasoning = true }), reasoning: reasonNovaEffort, jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "amazon.nova-premier", caps: novaCaps, jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "amazon.nova-pro", caps: novaCaps, jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "amazon.nova-lite", caps: novaCaps, jsonResults: true, resultStatus: true, mixedResults: true},
	// Nova Micro is text only.
	{prefix: "amazon.nova-micro", caps: capsWith(novaCaps, func(c *llm.Capabilities) { c.Images = false; c.Documents = false }), jsonResults: true, resultStatus: true, mixedResults: true},
	{prefix: "amazon.nova-", caps: capsWith(novaCaps, func(c *llm.Capabilities) { c.CachePoints = false }), jsonResults: true, resultStatus: true, mixedResults: true},
	// Titan Text: no system prompt, no tools.
	{prefix: "amazon.titan-text", caps: llm.Capabilities{Documents: true, StopSequences: true}},

	// Llama: 3.2 1B/3B and 3.0 and earlier have no tools; 3.2 11B/90B and 4 see images.
	{prefix: "meta.llama3-2-11b", caps: capsWith(llamaToolCaps, func(c *llm.Capabilities) { c.Images = true })},
	{prefix: "meta.llama3-2-90b", caps: capsWith(llamaToolCaps, func(c *llm.Capabilities) { c.Images = true })},
	{prefix: "meta.llama3-2-", caps: plainCaps},
	{prefix: "meta.llama3-1-", caps: llamaToolCaps},
	{prefix: "meta.llama3-3-", caps: llamaToolCaps},
	{prefix: "meta.llama4-", caps: capsWith(llamaToolCaps, func(c *llm.Capabilities) { c.Images = true })},
	{prefix: "meta.llama3-", caps: plainCaps},
	{prefix: "meta.llama2", caps: plainCaps},
	{prefix: "meta.llama", caps: llamaToolCaps},

	// Mistral: 7B Instruct and Mixtral take no system prompt and no tools; Pixtral sees
	// images.
	{prefix: "mistral.mistral-7b-instruct", caps: llm.Capabilities{Documents: true, StopSequences: true}},
	{prefix: "mistral.mixtral-8x7b", caps: llm.Capabilities{Documents: true, StopSequences: true}},
	{prefix: "mistral.pixtral-large", caps: capsWith(mistralToolCaps, func(c *llm.Capabilities) { c.Images = true })},
	{prefix: "mistral.mistral-large", caps: mistralToolCaps},
	{prefix: "mistral.mistral-small", caps: mistralToolCaps},
	{prefix: "mistral.", caps: capsWith(mistralToolCaps, func(c *llm.Capabilities) { c.ToolChoiceRequired = false })},

	// Cohere Command R and R+ stream tool use; the older Command models do not chat.
	{prefix: "cohere.command-r", caps: openToolCaps, mixedResults: true},
	{prefix: "cohere.command", caps: llm.Capabilities{StopSequences: true}},

	// AI21 Jamba 1.5 has tools; Jamba-Instruct does not.
	{prefix: "ai21.jamba-1-5", caps: openToolCaps, mixedResults: true},
	{prefix: "ai21.", caps: plainCaps},

	// DeepSeek-R1 always reasons and has no tools on Converse.
	{prefix: "deepseek.r1", caps: capsWith(plainCaps, func(c *llm.Capabilities) { c.Reasoning = true }), reasoning: reasonAlways},
	{prefix: "deepseek.", caps: openToolCaps, mixedResults: true},

	// gpt-oss reasons with an effort.
	{prefix: "openai.gpt-oss", caps: capsWith(openToolCaps, func(c *llm.Capabilities) { c.Reasoning = true }), reasoning: reasonOpenAI, mixedResults: true},

	{prefix: "qwen.", caps: openToolCaps, mixedResults: true},
	{prefix: "writer.palmyra", caps: openToolCaps, mixedResults: true},
}

func claude45Caps() llm.Capabilities {
	return capsWith(claudeCaps, func(c *llm.Capabilities) {
		c.Reasoning = true
		c.CachePoints = true
		c.NativeOutput = true
	})
}

func reasoningAndCache(c *llm.Capabilities) {
	c.Reasoning = true
	c.CachePoints = true
}

// inferenceProfilePrefixes are the geographic prefixes of system-defined cross-region
// inference profiles.
var inferenceProfilePrefixes = []string{"us.", "us-gov.", "eu.", "apac.", "jp.", "au.", "ca.", "global."}

// baseModelID returns the foundation-model id that model names, and whether it names one.
// It strips an inference-profile prefix ("us.anthropic.claude-…" → "anthropic.claude-…")
// and takes the resource of an ARN: foundation-model/ID, inference-profile/ID. Other
// ARNs — application inference profiles, provisioned throughput, custom and imported
// models, prompts — do not say which model they run: ok is false.
func baseModelID(model string) (string, bool) {
	id := model
	if strings.HasPrefix(id, "arn:") {
		// arn:partition:bedrock:region:account:resource-type/resource-id
		parts := strings.SplitN(id, ":", 6)
		if len(parts) != 6 {
			return "", false
		}
		typ, res, ok := strings.Cut(parts[5], "/")
		if !ok {
			return "", false
		}
		switch typ {
		case "foundation-model", "inference-profile":
			id = res
		default:
			return "", false
		}
	}
	for _, p := range inferenceProfilePrefixes {
		if rest, ok := strings.CutPrefix(id, p); ok {
			id = rest
			break
		}
	}
	if id == "" {
		return "", false
	}
	return id, true
}

// lookupFamily returns the table row for model, or nil.
func lookupFamily(model string) *modelFamily {
	base, ok := baseModelID(model)
	if !ok {
		return nil
	}
	for i := range modelFamilies {
		if strings.HasPrefix(base, modelFamilies[i].prefix) {
			return &modelFamilies[i]
		}
	}
	return nil
}

// capabilitiesFor returns what model supports. An entry of overrides keyed by the model id
// as given wins, then one keyed by its base id (the id without its inference-profile
// prefix, or the model of a foundation-model or inference-profile ARN), then the built-in
// table, then the conservative defaults.
func capabilitiesFor(model string, overrides map[string]llm.Capabilities) llm.Capabilities {
	if c, ok := overrides[model]; ok {
		return c
	}
	base, ok := baseModelID(model)
	if ok && base != model {
		if c, ok := overrides[base]; ok {
			return c
		}
	}
	if f := lookupFamily(model); f != nil {
		return f.caps
	}
	return unknownModelCaps
}

// init completes the table with what holds for every Bedrock model: Converse reports a
// stop sequence as stop_sequence, and Anthropic's reasoning carries a signature and
// goes back as history.
func init() {
	for i := range modelFamilies {
		f := &modelFamilies[i]
		f.caps.StopSequenceReason = f.caps.StopSequences
		f.caps.ReasoningReplay = f.caps.Reasoning && f.reasoning == reasonBudget
	}
	unknownModelCaps.StopSequenceReason = unknownModelCaps.StopSequences
}

// CapabilitiesFor returns what the Bedrock model with the given id supports, from
// llmkit's built-in table. The id may be a base model id ("anthropic.claude-sonnet-4-5-
// 20250929-v1:0"), a cross-region inference profile ("us.…", "eu.…", "apac.…",
// "global.…"), or a foundation-model or inference-profile ARN; it is matched on its
// provider and model family, never on a substring. An id the table does not know — among
// them application inference profiles, provisioned and custom model ARNs, which do not
// name their base model — gets conservative defaults: tools with an automatic choice, no
// forced or named choice, no tool-result status, no native structured output, no
// reasoning, no cache points. Callers who know better pass their own capabilities in the
// Model's options.
func CapabilitiesFor(model string) llm.Capabilities {
	return capabilitiesFor(model, nil)
}
