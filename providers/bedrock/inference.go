package bedrock

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
)

// inferenceConfig translates the token limit, sampling and stop sequences.
func (b *requestBuilder) inferenceConfig() (*types.InferenceConfiguration, error) {
	req := b.req
	var ic types.InferenceConfiguration
	set := false
	switch {
	case req.MaxTokens < 0:
		return nil, fieldError("maxTokens", "%d is negative", req.MaxTokens)
	case req.MaxTokens > math.MaxInt32:
		return nil, fieldError("maxTokens", "%d is too large", req.MaxTokens)
	case req.MaxTokens > 0:
		ic.MaxTokens = aws.Int32(int32(req.MaxTokens))
		set = true
	}
	if req.Temperature != nil {
		t := *req.Temperature
		if math.IsNaN(t) || t < 0 || t > 1 {
			return nil, fieldError("temperature", "%v is outside [0, 1]", t)
		}
		ic.Temperature = aws.Float32(float32(t))
		set = true
	}
	if req.TopP != nil {
		p := *req.TopP
		if math.IsNaN(p) || p < 0 || p > 1 {
			return nil, fieldError("topP", "%v is outside [0, 1]", p)
		}
		ic.TopP = aws.Float32(float32(p))
		set = true
	}
	if req.Temperature != nil && req.TopP != nil && b.fam != nil && b.fam.tempXorTopP {
		return nil, fieldError("topP", "model %s takes temperature or topP, not both", req.Model)
	}
	if len(req.StopSequences) > 0 {
		for i, s := range req.StopSequences {
			if s == "" {
				return nil, fieldError(fmt.Sprintf("stopSequences[%d]", i), "empty stop sequence")
			}
		}
		if b.caps.StopSequences {
			ic.StopSequences = append([]string(nil), req.StopSequences...)
			set = true
		} else {
			b.warn(llm.Warnf(llm.WarningDropped, "stopSequences", "stop sequences dropped: model %s does not support them", req.Model))
		}
	}
	if !set {
		return nil, nil
	}
	return &ic, nil
}

// Limits on Anthropic thinking (REQ-REASONING).
const (
	minThinkingBudget = 1024
	minThinkingTopP   = 0.95
)

// reasoningFields is what the reasoning pass returns: the additional model request
// fields that switch reasoning on, and whether they switch Anthropic thinking on, which
// rules out a forced tool choice.
type reasoningFields struct {
	fields   map[string]any
	thinking bool
}

// reasoning checks the reasoning settings and returns the additional model request fields
// that switch reasoning on (REQ-REASONING). Anthropic models take a thinking budget of at
// least 1024 tokens, below MaxTokens, with temperature and topP left alone; Nova 2 and
// gpt-oss take an effort; DeepSeek-R1 always reasons.
func (b *requestBuilder) reasoning() (reasoningFields, error) {
	rc := b.req.Reasoning
	if rc == nil {
		return reasoningFields{}, nil
	}
	switch {
	case rc.BudgetTokens < 0:
		return reasoningFields{}, fieldError("reasoning.budgetTokens", "%d is negative", rc.BudgetTokens)
	case rc.BudgetTokens == 0 && rc.Effort == "":
		return reasoningFields{}, fieldError("reasoning", "set BudgetTokens or Effort")
	}
	switch rc.Effort {
	case "", llm.ReasoningLow, llm.ReasoningMedium, llm.ReasoningHigh:
	default:
		return reasoningFields{}, fieldError("reasoning.effort", "%q is not one of low, medium, high", rc.Effort)
	}
	model := b.req.Model
	if !b.caps.Reasoning {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning not enabled: model %s does not support it", model))
		return reasoningFields{}, nil
	}
	style := reasonBudget
	if b.fam != nil {
		style = b.fam.reasoning
	} else {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "model %s is not in llmkit's table: reasoning is asked for in Anthropic's form (thinking with budget_tokens)", model))
	}
	switch style {
	case reasonBudget:
		return b.thinkingBudget(rc)
	case reasonNovaEffort, reasonOpenAI:
		return b.reasoningEffort(rc, style)
	case reasonAlways:
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning settings ignored: model %s always reasons and takes no budget or effort", model))
		return reasoningFields{}, nil
	}
	b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning not enabled: llmkit does not know how to switch it on for model %s; pass the model's fields in Extra.AdditionalModelRequestFields", model))
	return reasoningFields{}, nil
}

// thinkingBudget switches Anthropic thinking on: a budget of at least 1024 tokens, below
// MaxTokens, with temperature and topP left alone (REQ-REASONING).
func (b *requestBuilder) thinkingBudget(rc *llm.ReasoningConfig) (reasoningFields, error) {
	model := b.req.Model
	if rc.BudgetTokens == 0 {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning not enabled: model %s takes a thinking budget (BudgetTokens), not an effort", model))
		return reasoningFields{}, nil
	}
	if rc.Effort != "" {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning effort %q ignored: model %s takes the thinking budget only", rc.Effort, model))
	}
	if rc.BudgetTokens < minThinkingBudget {
		return reasoningFields{}, fieldError("reasoning.budgetTokens", "%d is below Bedrock's minimum thinking budget of %d", rc.BudgetTokens, minThinkingBudget)
	}
	if b.req.MaxTokens <= rc.BudgetTokens {
		return reasoningFields{}, fieldError("maxTokens", "must be set above the thinking budget (%d) when reasoning is on, got %d", rc.BudgetTokens, b.req.MaxTokens)
	}
	if t := b.req.Temperature; t != nil && *t != 1 {
		return reasoningFields{}, fieldError("temperature", "thinking does not allow changing the temperature (got %v); leave it unset", *t)
	}
	if p := b.req.TopP; p != nil && *p < minThinkingTopP {
		return reasoningFields{}, fieldError("topP", "thinking allows topP between %v and 1 only, got %v", minThinkingTopP, *p)
	}
	return reasoningFields{
		fields:   map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": rc.BudgetTokens}},
		thinking: true,
	}, nil
}

// reasoningEffort switches reasoning on with an effort: Nova 2's reasoningConfig or
// gpt-oss's reasoning_effort (REQ-REASONING).
func (b *requestBuilder) reasoningEffort(rc *llm.ReasoningConfig, style reasoningStyle) (reasoningFields, error) {
	model := b.req.Model
	effort := rc.Effort
	if effort == "" {
		effort = llm.ReasoningMedium
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning budget %d ignored: model %s takes an effort; medium used", rc.BudgetTokens, model))
	} else if rc.BudgetTokens > 0 {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning budget %d ignored: model %s takes the effort only", rc.BudgetTokens, model))
	}
	if style == reasonOpenAI {
		return reasoningFields{fields: map[string]any{"reasoning_effort": string(effort)}}, nil
	}
	if effort == llm.ReasoningHigh && (b.req.Temperature != nil || b.req.TopP != nil || b.req.MaxTokens > 0) {
		return reasoningFields{}, fieldError("reasoning.effort", "high reasoning effort on model %s needs temperature, topP and maxTokens unset", model)
	}
	return reasoningFields{fields: map[string]any{"reasoningConfig": map[string]any{"type": "enabled", "maxReasoningEffort": string(effort)}}}, nil
}

// mergeFields adds llmkit's fields to the caller's additional model request fields (a
// compact JSON object, or nil) and returns the result as compact JSON: the caller's members
// first, as written, then llmkit's. A key set by both is an error.
func mergeFields(user []byte, ours map[string]any) ([]byte, error) {
	if len(ours) == 0 {
		return user, nil
	}
	var taken map[string]json.RawMessage
	if user != nil {
		if err := json.Unmarshal(user, &taken); err != nil {
			return nil, fieldError("extra.additionalModelRequestFields", "not a JSON object: %v", err)
		}
	} else {
		user = []byte("{}")
	}
	out := append(make([]byte, 0, len(user)+64), user[:len(user)-1]...) // without the closing brace
	for _, k := range slices.Sorted(maps.Keys(ours)) {
		if _, dup := taken[k]; dup {
			return nil, fieldError("extra.additionalModelRequestFields."+k, "set both here and by llmkit for the request's reasoning settings; set one")
		}
		v, err := json.Marshal(ours[k])
		if err != nil {
			return nil, fmt.Errorf("bedrock: converse: encode %s: %w", k, err)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = jsonx.AppendString(out, k)
		out = append(out, ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}
