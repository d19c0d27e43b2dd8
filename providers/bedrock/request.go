package bedrock

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// FormatRequest translates req into the input of the SDK's Converse call, using llmkit's
// built-in capability table for req.Model (see [CapabilitiesFor]). It does no I/O and
// keeps no state; the model id is sent exactly as given. The input shares image and
// document bytes with req; nothing in req is modified.
//
// The conversation is made into one Bedrock accepts, following the request rules listed,
// with where each was learned, in RULES.md beside this package's source; tests, error
// messages and comments cite them by ID, such as REQ-TOOL-PAIRS. What can be repaired
// without changing the conversation's meaning is repaired: system messages go to the
// system prompt, turns of one role are merged, tool results are gathered after their
// calls, blank text is dropped, tool-use ids and document names are made valid, schemas
// are normalised, and a setting the model cannot take is not sent. Every repair the
// model would notice is reported in the warnings. What cannot be repaired safely is an
// [*llm.InvalidRequestError] naming the message and part, or the field, at fault,
// returned before anything is sent.
//
// Structured output ([llm.Request.Output]) is native (outputConfig.textFormat) where the
// model has it and the mode is not [llm.OutputTool]; otherwise it is a synthetic tool
// named Output.Name ("structured_output" by default) that the model is forced to call
// (REQ-OUTPUT). Reasoning ([llm.Request.Reasoning]) goes in the additional model request
// fields in the model family's form (REQ-REASONING); for an id outside the table whose
// capabilities include reasoning, Anthropic's form is assumed (a warning).
//
// The second result lists the warnings: llmkit never drops a setting silently, and the
// caller of a pure translation function has no response to find them on. [Model] puts
// them in [llm.Response.Warnings].
func FormatRequest(req *llm.Request) (*bedrockruntime.ConverseInput, []llm.Warning, error) {
	p, err := formatExported(req, opConverse)
	if err != nil {
		return nil, nil, err
	}
	return p.input, p.warnings, nil
}

// FormatStreamRequest is [FormatRequest] for the SDK's ConverseStream call: the same
// translation, the same warnings, with the guardrail's stream processing mode applied.
// Its errors name the operation converse-stream.
func FormatStreamRequest(req *llm.Request) (*bedrockruntime.ConverseStreamInput, []llm.Warning, error) {
	p, err := formatExported(req, opConverseStream)
	if err != nil {
		return nil, nil, err
	}
	return p.streamInput(), p.warnings, nil
}

// formatExported is the translation of FormatRequest and FormatStreamRequest, with the
// built-in capability table and every error naming op: a request holding opaque Bedrock
// blocks, which the SDK input cannot carry, is an error.
func formatExported(req *llm.Request, op string) (*converseParams, error) {
	if req == nil {
		return nil, withOp(fieldError("request", "request is nil"), op)
	}
	p, err := formatRequest(req, capabilitiesFor(req.Model, nil))
	if err != nil {
		return nil, withOp(err, op)
	}
	if len(p.opaque) > 0 {
		return nil, withOp(fieldError("messages", "the history holds opaque Bedrock blocks (blocks the AWS SDK does not know), which only a bedrock.Model can send: the SDK input cannot carry them"), op)
	}
	return p, nil
}

// withOp names op in an [*llm.InvalidRequestError] (the passes name converse).
func withOp(err error, op string) error {
	var ire *llm.InvalidRequestError
	if errors.As(err, &ire) {
		ire.Op = op
	}
	return err
}

// converseParams is a request translated for Converse.
type converseParams struct {
	input      *bedrockruntime.ConverseInput
	warnings   []llm.Warning // settings not honoured, repairs made that the caller should know of
	objectTool string        // name of the synthetic structured-output tool when one was added, else ""
	native     bool          // native structured output (outputConfig.textFormat) was requested
	// dedupeCalls: the model is known to repeat a tool call under a new id (Llama); the
	// Model drops such repeats from the answer (see dropRepeatedToolCalls).
	dedupeCalls bool
	// streamGuardrail is the guardrail in ConverseStream's form (with its processing mode).
	streamGuardrail *types.GuardrailStreamConfiguration
	// opaque maps the placeholder text of each opaque Bedrock block to the block's JSON,
	// which only a Model can put on the wire (RESP-OPAQUE).
	opaque map[string][]byte
}

// streamInput returns the same request as the input of ConverseStream.
func (p *converseParams) streamInput() *bedrockruntime.ConverseStreamInput {
	in := p.input
	return &bedrockruntime.ConverseStreamInput{
		ModelId:                           in.ModelId,
		AdditionalModelRequestFields:      in.AdditionalModelRequestFields,
		AdditionalModelResponseFieldPaths: in.AdditionalModelResponseFieldPaths,
		GuardrailConfig:                   p.streamGuardrail,
		InferenceConfig:                   in.InferenceConfig,
		Messages:                          in.Messages,
		OutputConfig:                      in.OutputConfig,
		PerformanceConfig:                 in.PerformanceConfig,
		PromptVariables:                   in.PromptVariables,
		RequestMetadata:                   in.RequestMetadata,
		ServiceTier:                       in.ServiceTier,
		System:                            in.System,
		ToolConfig:                        in.ToolConfig,
	}
}

// defaultObjectTool is the name of the synthetic structured-output tool when
// [llm.Output.Name] is empty.
const defaultObjectTool = "structured_output"

// formatRequest translates req for a model with the given capabilities.
func formatRequest(req *llm.Request, caps llm.Capabilities) (*converseParams, error) {
	return formatRequestCached(req, caps, "", nil)
}

// formatRequestCached is formatRequest with a cache of normalised schemas (nil: none)
// and the id whose row of the capability table applies (base; "" means req.Model); a
// Model passes its own cache and the base model of [Options.BaseModels].
func formatRequestCached(req *llm.Request, caps llm.Capabilities, base string, schemas *schemaCache) (*converseParams, error) {
	if req == nil {
		return nil, fieldError("request", "request is nil")
	}
	if req.Model == "" {
		return nil, fieldError("model", "no model id")
	}
	if base == "" {
		base = req.Model
	}
	b := &requestBuilder{req: req, caps: caps, fam: lookupFamily(base), schemas: schemas}
	p, err := b.build()
	if err != nil {
		return nil, err
	}
	p.dedupeCalls = b.fam != nil && b.fam.repeatsToolCalls()
	return p, nil
}

// requestBuilder holds what every pass of the translation reads — the request, the
// model's capabilities and family, the schema cache — and collects the warnings. It
// carries nothing from one pass to the next: each pass returns what later passes use.
type requestBuilder struct {
	req     *llm.Request
	caps    llm.Capabilities
	fam     *modelFamily // nil: a model outside llmkit's table
	schemas *schemaCache // nil: normalise every schema

	warnings []llm.Warning
	opaque   opaquePlaceholders // opaque Bedrock blocks of the history (RESP-OPAQUE)
}

func (b *requestBuilder) warn(w llm.Warning) {
	b.warnings = append(b.warnings, w)
}

// partError is an invalid-request error about one part (or, with part -1, one message).
func partError(msg, part int, format string, args ...any) error {
	return &llm.InvalidRequestError{
		Provider: "bedrock", Op: "converse", Message: msg, Part: part,
		Reason: fmt.Sprintf(format, args...),
	}
}

// build runs the passes in order. Each takes what it needs and returns what later
// passes use:
//
//  1. messages (messages.go, media.go, toolcalls.go): the system prompt and the turns,
//     with the tool ids and the tool history;
//  2. turn arrangement (turns.go, toolcalls.go): block order within turns, cache
//     points, tool-result pairing, the prefill;
//  3. inference configuration and reasoning (inference.go);
//  4. tools, tool choice and structured output (tools.go, output.go), which need the
//     tool history of pass 1 and whether pass 3 switched thinking on;
//  5. the additional model request fields: the caller's and pass 3's merged.
func (b *requestBuilder) build() (*converseParams, error) {
	req := b.req
	extra, err := extraFrom(req.Extra)
	if err != nil {
		return nil, err
	}
	for k, v := range extra.metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			delete(extra.metadata, k)
			k, v = strings.ToValidUTF8(k, "\uFFFD"), strings.ToValidUTF8(v, "\uFFFD")
			extra.metadata[k] = v
			b.warn(llm.Warnf(llm.WarningRepaired, "extra.requestMetadata", "invalid UTF-8 in the entry %q replaced with U+FFFD", k))
		}
	}
	conv, err := b.messages()
	if err != nil {
		return nil, err
	}
	if err := b.arrangeTurns(&conv); err != nil {
		return nil, err
	}
	if err := conv.pairToolResults(); err != nil {
		return nil, err
	}
	conv.trimPrefill()
	infer, err := b.inferenceConfig()
	if err != nil {
		return nil, err
	}
	reason, err := b.reasoning()
	if err != nil {
		return nil, err
	}
	tools, err := b.declareTools()
	if err != nil {
		return nil, err
	}
	output, err := b.structuredOutput(tools, reason.thinking)
	if err != nil {
		return nil, err
	}
	toolConfig, err := b.toolConfig(tools, output, conv.history, reason.thinking)
	if err != nil {
		return nil, err
	}
	toolCache := 0
	if toolConfig != nil && b.cacheTools(toolConfig) {
		toolCache = 1
	} else if toolConfig == nil && req.CacheTools != nil {
		b.warn(llm.Warnf(llm.WarningDropped, "cacheTools", "cache point after the tools dropped: the request sends no tools"))
	}
	if err := conv.countCachePoints(toolCache); err != nil {
		return nil, err
	}
	fields, err := mergeFields(extra.fields, reason.fields)
	if err != nil {
		return nil, err
	}

	in := &bedrockruntime.ConverseInput{
		ModelId:                           aws.String(req.Model),
		Messages:                          conv.wireMessages(),
		System:                            conv.system,
		InferenceConfig:                   infer,
		ToolConfig:                        toolConfig,
		OutputConfig:                      output.config,
		AdditionalModelResponseFieldPaths: extra.responsePaths,
		GuardrailConfig:                   extra.guardrail,
		PerformanceConfig:                 extra.performance,
		RequestMetadata:                   extra.metadata,
		ServiceTier:                       extra.serviceTier,
		PromptVariables:                   extra.promptVariables,
	}
	if fields != nil {
		in.AdditionalModelRequestFields = newRawDocument(fields)
	}
	return &converseParams{
		input:           in,
		opaque:          b.opaque.blocks,
		warnings:        b.warnings,
		objectTool:      output.toolName,
		native:          output.config != nil,
		streamGuardrail: extra.streamGuardrail,
	}, nil
}
