package bedrock

import (
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/internal/toolname"
	"github.com/llmkit/llmkit/llm"
)

// outputPlan is what the structured-output pass returns: native output's configuration,
// or the synthetic tool that carries the object, with its name.
type outputPlan struct {
	config   *types.OutputConfig // native output (outputConfig.textFormat), else nil
	tool     types.Tool          // the synthetic structured-output tool, else nil
	toolName string
}

// structuredOutput translates [llm.Request.Output] (REQ-OUTPUT): native where the model has
// it and the mode allows it, else a synthetic tool that toolConfig forces. ts are the
// declared tools; thinking tells whether the reasoning pass switched thinking on. In
// auto mode a schema native output cannot take because it holds a map (an object with
// additionalProperties other than false, which strict schemas refuse) goes through the
// tool instead, with a warning.
func (b *requestBuilder) structuredOutput(ts toolSet, thinking bool) (outputPlan, error) {
	o := b.req.Output
	if o == nil {
		return outputPlan{}, nil
	}
	name := o.Name
	if name == "" {
		name = defaultObjectTool
	}
	if !toolname.Valid(name) {
		return outputPlan{}, fieldError("output.name", "%q: Bedrock takes 1 to 64 of a-z, A-Z, 0-9, _ and -", name)
	}
	switch o.Mode {
	case llm.OutputAuto:
		if b.caps.NativeOutput {
			warned := len(b.warnings)
			plan, err := b.nativeOutput(o, name)
			if err == nil || !isStrictMap(err) || !b.caps.Tools {
				return plan, err
			}
			// A map cannot be strict: the tool carries it instead, if it can. What the
			// strict attempt warned of (keywords it dropped) is not so of the tool's schema.
			b.warnings = b.warnings[:warned]
			tplan, terr := b.outputTool(o, name, ts, thinking)
			if terr != nil {
				return outputPlan{}, err
			}
			b.warn(llm.Warnf(llm.WarningUnsupported, "output.mode", "native structured output takes no map (additionalProperties other than false); the object is asked for through the %s tool instead", name))
			return tplan, nil
		}
	case llm.OutputNative:
		if !b.caps.NativeOutput {
			return outputPlan{}, fieldError("output.mode", "native structured output asked for, but model %s does not support it; use the tool mode", b.req.Model)
		}
		return b.nativeOutput(o, name)
	case llm.OutputTool:
	default:
		return outputPlan{}, fieldError("output.mode", "unknown mode %q", o.Mode)
	}
	return b.outputTool(o, name, ts, thinking)
}

// nativeOutput sends the output schema as outputConfig.textFormat, a string with its keys
// in their own order.
func (b *requestBuilder) nativeOutput(o *llm.Output, name string) (outputPlan, error) {
	schema, err := b.normalizeSchema(o.Schema, "output.schema", true)
	if err != nil {
		return outputPlan{}, err
	}
	def := types.JsonSchemaDefinition{Schema: aws.String(string(schema)), Name: aws.String(name)}
	if o.Description != "" {
		def.Description = aws.String(o.Description)
	}
	return outputPlan{
		config: &types.OutputConfig{TextFormat: &types.OutputFormat{
			Type:      types.OutputFormatTypeJsonSchema,
			Structure: &types.OutputFormatStructureMemberJsonSchema{Value: def},
		}},
	}, nil
}

// outputTool declares the synthetic tool whose input is the object.
func (b *requestBuilder) outputTool(o *llm.Output, name string, ts toolSet, thinking bool) (outputPlan, error) {
	req := b.req
	if !b.caps.Tools {
		return outputPlan{}, fieldError("output", "model %s supports neither native structured output nor tools", req.Model)
	}
	if ts.names[name] {
		return outputPlan{}, fieldError("output.name", "%q is also the name of a declared tool; name the output differently", name)
	}
	if m := req.ToolChoice.Mode; m == llm.ToolChoiceRequired || m == llm.ToolChoiceTool {
		return outputPlan{}, fieldError("toolChoice", "structured output through a forced tool call cannot be combined with tool choice %q", m)
	}
	if thinking {
		return outputPlan{}, fieldError("output", "structured output on model %s needs a forced tool call, which Bedrock does not allow with thinking on (see REQ-REASONING in providers/bedrock/RULES.md); drop Reasoning, or use a model with native structured output", req.Model)
	}
	schema, err := b.normalizeSchema(o.Schema, "output.schema", false)
	if err != nil {
		return outputPlan{}, err
	}
	desc := o.Description
	if desc == "" {
		desc = "Return the answer as the input of this tool, a JSON object matching its schema."
	}
	spec := types.ToolSpecification{
		Name:        aws.String(name),
		Description: aws.String(desc),
		InputSchema: &types.ToolInputSchemaMemberJson{Value: newRawDocument(schema)},
	}
	return outputPlan{tool: &types.ToolMemberToolSpec{Value: spec}, toolName: name}, nil
}

// isStrictMap reports whether err is the strict-schema check refusing an open object.
func isStrictMap(err error) bool {
	var ire *llm.InvalidRequestError
	return errors.As(err, &ire) && strings.Contains(ire.Reason, strictMapReason)
}
