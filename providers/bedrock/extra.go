package bedrock

import (
	"encoding/json"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
)

// Extra carries the Bedrock-specific settings of a request. Put a *Extra (or an Extra) in
// [llm.Request.Extra], alone or in an [llm.Extras] beside other providers' settings;
// values of other types are other providers' and are ignored. Two values of this type in
// one request are an error. The zero value sets nothing.
type Extra struct {
	// AdditionalModelRequestFields is a JSON object of model-specific request fields,
	// sent as Converse's additionalModelRequestFields (for example {"top_k": 40} for a
	// Claude model). llmkit adds its own fields to the same object for reasoning
	// ("thinking", "reasoningConfig", "reasoning_effort"); a key set both here and by
	// llmkit is an error, never a silent overwrite.
	AdditionalModelRequestFields json.RawMessage
	// AdditionalModelResponseFieldPaths are JSON pointers to model-specific response
	// fields Bedrock should return (e.g. "/stop_sequence"); they arrive in the response's
	// Extra.
	AdditionalModelResponseFieldPaths []string
	// Guardrail applies a Bedrock guardrail to the call.
	Guardrail *GuardrailConfig
	// PerformanceLatency is "standard" or "optimized" (latency-optimised inference, on
	// the models that offer it); empty leaves it to Bedrock.
	PerformanceLatency string
	// RequestMetadata is a set of key-value pairs Bedrock records in invocation logs.
	RequestMetadata map[string]string
	// ServiceTier is "priority", "default", "flex" or "reserved"; empty leaves it to
	// Bedrock.
	ServiceTier string
	// PromptVariables fill the variables of a Prompt Management prompt, when the model id
	// is a prompt ARN.
	PromptVariables map[string]string
}

// GuardrailConfig names a Bedrock guardrail and how to report its work.
type GuardrailConfig struct {
	// Identifier is the guardrail's id or ARN; Version its version ("1", "DRAFT").
	Identifier string
	Version    string
	// Trace is "enabled", "disabled" or "enabled_full"; empty is disabled.
	Trace string
	// StreamProcessingMode is "sync" or "async" and applies to ConverseStream only;
	// Converse ignores it. Empty leaves it to Bedrock (sync).
	StreamProcessingMode string
}

// requestExtra is an Extra checked and translated for the SDK.
type requestExtra struct {
	fields          []byte // additionalModelRequestFields, a compact JSON object; nil when unset
	responsePaths   []string
	guardrail       *types.GuardrailConfiguration
	streamGuardrail *types.GuardrailStreamConfiguration
	performance     *types.PerformanceConfiguration
	metadata        map[string]string
	serviceTier     *types.ServiceTier
	promptVariables map[string]types.PromptVariableValues
}

// extraFrom finds this provider's value among the request's extras — one *Extra or
// Extra; values of other types are other providers' settings and are ignored — and
// translates it.
func extraFrom(v any) (*requestExtra, error) {
	e, err := llm.ExtraOf[Extra](v)
	if err != nil {
		return nil, fieldError("extra", "%v", err)
	}
	if e == nil {
		return &requestExtra{}, nil
	}
	out := &requestExtra{}
	if len(e.AdditionalModelRequestFields) > 0 {
		b, err := jsonx.Compact(e.AdditionalModelRequestFields)
		if err != nil {
			return nil, fieldError("extra.additionalModelRequestFields", "not valid JSON: %v", err)
		}
		if b[0] != '{' {
			return nil, fieldError("extra.additionalModelRequestFields", "must be a JSON object, got %s", jsonx.KindOf(b).Name())
		}
		out.fields = b
	}
	for i, p := range e.AdditionalModelResponseFieldPaths {
		if p == "" || p[0] != '/' {
			return nil, fieldError(fmt.Sprintf("extra.additionalModelResponseFieldPaths[%d]", i), "%q is not a JSON pointer (it must start with /)", p)
		}
	}
	if e.AdditionalModelResponseFieldPaths != nil {
		out.responsePaths = append([]string(nil), e.AdditionalModelResponseFieldPaths...)
	}
	if g := e.Guardrail; g != nil {
		if g.Identifier == "" || g.Version == "" {
			return nil, fieldError("extra.guardrail", "identifier and version are both required")
		}
		var trace types.GuardrailTrace
		switch g.Trace {
		case "", "disabled", "enabled", "enabled_full":
			trace = types.GuardrailTrace(g.Trace)
		default:
			return nil, fieldError("extra.guardrail.trace", "%q is not one of enabled, disabled, enabled_full", g.Trace)
		}
		var mode types.GuardrailStreamProcessingMode
		switch g.StreamProcessingMode {
		case "", "sync", "async":
			mode = types.GuardrailStreamProcessingMode(g.StreamProcessingMode)
		default:
			return nil, fieldError("extra.guardrail.streamProcessingMode", "%q is not one of sync, async", g.StreamProcessingMode)
		}
		out.guardrail = &types.GuardrailConfiguration{
			GuardrailIdentifier: aws.String(g.Identifier),
			GuardrailVersion:    aws.String(g.Version),
			Trace:               trace,
		}
		out.streamGuardrail = &types.GuardrailStreamConfiguration{
			GuardrailIdentifier:  aws.String(g.Identifier),
			GuardrailVersion:     aws.String(g.Version),
			Trace:                trace,
			StreamProcessingMode: mode,
		}
	}
	switch e.PerformanceLatency {
	case "":
	case "standard", "optimized":
		out.performance = &types.PerformanceConfiguration{Latency: types.PerformanceConfigLatency(e.PerformanceLatency)}
	default:
		return nil, fieldError("extra.performanceLatency", "%q is not one of standard, optimized", e.PerformanceLatency)
	}
	switch e.ServiceTier {
	case "":
	case "priority", "default", "flex", "reserved":
		out.serviceTier = &types.ServiceTier{Type: types.ServiceTierType(e.ServiceTier)}
	default:
		return nil, fieldError("extra.serviceTier", "%q is not one of priority, default, flex, reserved", e.ServiceTier)
	}
	if e.RequestMetadata != nil {
		out.metadata = maps.Clone(e.RequestMetadata)
	}
	if e.PromptVariables != nil {
		out.promptVariables = make(map[string]types.PromptVariableValues, len(e.PromptVariables))
		for k, v := range e.PromptVariables {
			out.promptVariables[k] = &types.PromptVariableValuesMemberText{Value: v}
		}
	}
	return out, nil
}

// fieldError is an invalid-request error about a request field rather than a message.
func fieldError(field, format string, args ...any) error {
	return &llm.InvalidRequestError{
		Provider: "bedrock", Op: "converse", Message: -1, Part: -1,
		Field: field, Reason: fmt.Sprintf(format, args...),
	}
}
