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
// The conversation is made into one Bedrock accepts. The rule numbers in parentheses are
// those of llmkit's list of Converse request rules; the tests are named after them.
//
// Repairs, each reported in the warnings unless it changes nothing the model sees:
//   - System messages go to the system prompt (1), one that comes after the conversation
//     started too (a warning). A model without a system prompt (Titan, Mistral 7B) gets
//     the system text at the start of the first user message (a warning).
//   - Consecutive messages of one role become one turn (2); tool messages are user
//     turns, so the results of parallel calls sent as separate messages, and text after
//     them, form one user turn, the results first (3). A model that takes nothing else
//     beside tool results (Llama, Mistral) gets that content appended to the turn's last
//     result (4, a warning).
//   - Whitespace-only text is dropped (5, a warning); a final assistant message (a
//     prefill) loses its trailing whitespace.
//   - A toolConfig is sent whenever the history holds tool calls or results; tools
//     called in the history but not declared are declared with a permissive schema (6, a
//     warning). Tool choice none sends no tools, or, when the history holds tool blocks,
//     the tools and no choice (a warning).
//   - Empty tool-call input is sent as {} (7). Tool input, JSON tool results, schemas and
//     additional model request fields keep the order of their members and the literals
//     of their numbers; only insignificant whitespace goes. Tool-call ids outside
//     [a-zA-Z0-9_.:-]{1,64} are mapped deterministically, the same on the call and on its
//     result (8).
//   - A failed tool result carries status error where the model takes one (Claude,
//     Nova); elsewhere its text starts with "Error: " (9). An empty result gets a short
//     text. A text result holding a JSON object goes as a json block to Claude and Nova.
//   - Tool and output schemas (10): type object added at the root when missing,
//     properties never null, $schema and $id dropped, local $ref into $defs or
//     definitions inlined. Strict tools (on models with structured outputs; elsewhere
//     strict is dropped with a warning) and native output get additionalProperties false
//     on every object; keywords Bedrock does not take there (minimum, maximum,
//     multipleOf, minLength, maxLength, maxItems, minItems above 1) are dropped, each with
//     a warning.
//   - Documents (11): the extension of a known format stripped from the name, characters
//     other than ASCII letters, digits, single spaces, hyphens, parentheses and square
//     brackets replaced by hyphens, at most 200 characters, "document-N" when nothing is
//     left, a repeated name numbered " (2)". A missing format is taken from the name or
//     URI; a missing image format from the image bytes.
//   - Cache points (12): dropped on models without prompt caching (a warning); a TTL
//     other than 5m or 1h, or 1h on a model that takes the default only, is dropped (a
//     warning); one with nothing before it is dropped (a warning); one leading a turn
//     moves to the end of the turn before; one right after another is dropped (a
//     warning). On a model outside the table whose given capabilities include cache
//     points, a TTL is sent as asked.
//   - Reasoning (13) is replayed only with its signature or its redacted bytes, first in
//     its assistant turn; unsigned reasoning, reasoning in a user or tool message, and
//     reasoning sent to a model without reasoning are dropped (a warning).
//   - A named tool choice on a model without one (14) is sent as "any" (a warning when
//     another tool could be called), "required" as "any"; on a model with neither, as
//     auto (a warning).
//   - Settings the model cannot take — stop sequences, reasoning, an effort where a
//     budget is needed or a budget where an effort is — are not sent (a warning).
//
// Errors, each an [*llm.InvalidRequestError] naming the message and part, or the field,
// at fault:
//   - no user message; a first message from the assistant (Bedrock requires a user turn
//     first, so the turn that prompted it must be included); an unknown role; a part in
//     the wrong role (a tool call in a user message, a tool result, image or document in
//     an assistant message, anything but text and cache points in a system message); a
//     nil or unknown part; a message with no parts or only blank text.
//   - A tool call without its result in the next user turn, a result that answers no
//     call of the turn before, a second result for a call, a conversation that ends with
//     unanswered calls, a tool-call id used twice or without an id (3, 8).
//   - Tool input that is not a JSON object (7); a tool name outside [a-zA-Z0-9_-]{1,64}
//     or declared twice (8); a schema that is not an object, whose root type is not
//     object, with a remote or recursive $ref, or, strict, with additionalProperties
//     other than false (10).
//   - An image format other than png, jpeg, gif, webp; a document format other than pdf,
//     csv, doc, docx, xls, xlsx, html, txt, md; a URI other than s3://bucket/key; a
//     document with no text in its user turn; images, documents or tools sent to a model
//     without them (11).
//   - A cache point alone in its turn; more than four cache points (12).
//   - Anthropic thinking with a budget under 1024 tokens, MaxTokens not above the
//     budget, a temperature other than 1, a topP under 0.95, or a forced tool choice —
//     structured output through a forced tool included; high effort on Nova 2 with
//     temperature, topP or MaxTokens set; a ReasoningConfig with neither budget nor
//     effort (13).
//   - A tool choice naming an undeclared tool, or required without tools; native output
//     on a model without it; an output name that is also a tool's; structured output
//     through a tool together with a forced tool choice.
//   - Temperature or topP outside [0, 1], or both on Claude Sonnet 4.5 and Haiku 4.5; a
//     negative MaxTokens; an empty stop sequence; an Extra that is not a *Extra or holds
//     invalid values; additional model request fields that set a key llmkit sets.
//
// Structured output ([llm.Request.Output]) is native — outputConfig.textFormat, the
// schema sent as a string with its keys in their own order — where the model has it and
// the mode is not [llm.OutputTool]; otherwise it is a synthetic tool named Output.Name
// ("structured_output" by default) forced by name, or with "any" where the model has no
// named choice.
//
// Reasoning ([llm.Request.Reasoning]) goes in additionalModelRequestFields: Claude 3.7
// and 4.x take a budget, {"thinking":{"type":"enabled","budget_tokens":N}}; Nova 2 Lite
// an effort, {"reasoningConfig":{"type":"enabled","maxReasoningEffort":E}}; gpt-oss an
// effort, {"reasoning_effort":E}; DeepSeek-R1 always reasons and takes nothing. For an id
// outside the table whose capabilities, given by the caller, include reasoning,
// Anthropic's form is assumed (a warning).
//
// The second result lists the warnings. DESIGN.md sketched FormatRequest without them;
// they are returned because llmkit never drops a setting silently, and the caller of a
// pure translation function has no response to find them on. [Model] puts them in
// [llm.Response.Warnings].
func FormatRequest(req *llm.Request) (*bedrockruntime.ConverseInput, []llm.Warning, error) {
	if req == nil {
		return nil, nil, fieldError("request", "request is nil")
	}
	p, err := formatRequest(req, capabilitiesFor(req.Model, nil))
	if err != nil {
		return nil, nil, err
	}
	return p.input, p.warnings, nil
}

// FormatStreamRequest is [FormatRequest] for the SDK's ConverseStream call: the same
// translation, the same warnings, with the guardrail's stream processing mode applied.
// Its errors name the operation converse-stream.
func FormatStreamRequest(req *llm.Request) (*bedrockruntime.ConverseStreamInput, []llm.Warning, error) {
	if req == nil {
		return nil, nil, withOp(fieldError("request", "request is nil"), opConverseStream)
	}
	p, err := formatRequest(req, capabilitiesFor(req.Model, nil))
	if err != nil {
		return nil, nil, withOp(err, opConverseStream)
	}
	return p.streamInput(), p.warnings, nil
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
	return formatRequestCached(req, caps, nil)
}

// formatRequestCached is formatRequest with a cache of normalised schemas (nil: none);
// a Model passes its own.
func formatRequestCached(req *llm.Request, caps llm.Capabilities, schemas *schemaCache) (*converseParams, error) {
	if req == nil {
		return nil, fieldError("request", "request is nil")
	}
	if req.Model == "" {
		return nil, fieldError("model", "no model id")
	}
	b := &requestBuilder{req: req, caps: caps, fam: lookupFamily(req.Model), schemas: schemas}
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
	if err := b.arrangeTurns(conv); err != nil {
		return nil, err
	}
	if err := conv.pairToolResults(); err != nil {
		return nil, err
	}
	conv.trimPrefill()
	if err := conv.countCachePoints(); err != nil {
		return nil, err
	}
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
		warnings:        b.warnings,
		objectTool:      output.toolName,
		native:          output.native,
		streamGuardrail: extra.streamGuardrail,
	}, nil
}
