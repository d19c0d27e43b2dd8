package bedrock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
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
func FormatStreamRequest(req *llm.Request) (*bedrockruntime.ConverseStreamInput, []llm.Warning, error) {
	if req == nil {
		return nil, nil, fieldError("request", "request is nil")
	}
	p, err := formatRequest(req, capabilitiesFor(req.Model, nil))
	if err != nil {
		return nil, nil, err
	}
	return p.streamInput(), p.warnings, nil
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

// maxCachePoints is the most cache points Bedrock accepts in one request.
const maxCachePoints = 4

// Limits on Anthropic thinking (rule 13).
const (
	minThinkingBudget = 1024
	minThinkingTopP   = 0.95
)

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

// origin is where a wire block came from: message and part index in the request.
type origin struct{ msg, part int }

type blockKind uint8

const (
	blockText blockKind = iota + 1
	blockImage
	blockDocument
	blockToolUse
	blockToolResult
	blockReasoning
	blockCache
)

// wireBlock is one content block on its way to the wire, with its origin.
type wireBlock struct {
	kind  blockKind
	at    origin
	block types.ContentBlock
	id    string // sanitised tool-use id of a tool use or result
	raw   string // the id as given
}

// wireTurn is one Bedrock message: consecutive neutral messages of one role merged.
type wireTurn struct {
	role   types.ConversationRole
	blocks []wireBlock
}

type requestBuilder struct {
	req     *llm.Request
	caps    llm.Capabilities
	fam     *modelFamily
	schemas *schemaCache // nil: normalise every schema

	warnings []llm.Warning

	system        []types.SystemContentBlock
	systemAt      []origin // origin of each system block
	systemTexts   []string // system text, kept for models without a system prompt
	systemHasText bool

	turns []*wireTurn

	toolIDs       map[string]origin // sanitised tool-use id → first tool use
	toolIDRaw     map[string]string // sanitised → raw id, to catch two ids mapped to one
	usedToolNames []string          // names of tools called in the history, in order
	toolBlocks    bool              // the history holds tool uses or results

	docCount int
	docNames map[string]int

	thinking bool // Anthropic thinking is switched on
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

func (b *requestBuilder) build() (*converseParams, error) {
	req := b.req
	extra, err := extraFrom(req.Extra)
	if err != nil {
		return nil, err
	}
	if err := b.messages(); err != nil {
		return nil, err
	}
	if err := b.arrangeTurns(); err != nil {
		return nil, err
	}
	if err := b.pairToolResults(); err != nil {
		return nil, err
	}
	b.trimPrefill()
	if err := b.countCachePoints(); err != nil {
		return nil, err
	}
	infer, err := b.inferenceConfig()
	if err != nil {
		return nil, err
	}
	reasoningFields, err := b.reasoning()
	if err != nil {
		return nil, err
	}
	p := &converseParams{streamGuardrail: extra.streamGuardrail}
	toolConfig, outputConfig, err := b.toolsAndOutput(p)
	if err != nil {
		return nil, err
	}
	fields, err := mergeFields(extra.fields, reasoningFields)
	if err != nil {
		return nil, err
	}

	in := &bedrockruntime.ConverseInput{
		ModelId:                           aws.String(req.Model),
		Messages:                          make([]types.Message, len(b.turns)),
		System:                            b.system,
		InferenceConfig:                   infer,
		ToolConfig:                        toolConfig,
		OutputConfig:                      outputConfig,
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
	for i, t := range b.turns {
		content := make([]types.ContentBlock, len(t.blocks))
		for j, wb := range t.blocks {
			content[j] = wb.block
		}
		in.Messages[i] = types.Message{Role: t.role, Content: content}
	}
	p.input = in
	p.warnings = b.warnings
	return p, nil
}

// messages walks the request's messages: system parts to the system prompt, the rest into
// turns, consecutive turns of one role merged (rules 1 and 2).
func (b *requestBuilder) messages() error {
	started := false
	for mi, m := range b.req.Messages {
		switch m.Role {
		case llm.RoleSystem:
			if started {
				b.warn(llm.WarnPartf(llm.WarningRepaired, mi, -1, "a system message after the conversation started was merged into the system prompt"))
			}
			if err := b.systemMessage(mi, m); err != nil {
				return err
			}
		case llm.RoleUser, llm.RoleTool, llm.RoleAssistant:
			role := types.ConversationRoleUser
			if m.Role == llm.RoleAssistant {
				role = types.ConversationRoleAssistant
				if !started {
					return partError(mi, -1, "the conversation starts with an assistant message; Bedrock requires the first message to be a user message (rule 2), so add the user turn that prompted it")
				}
			}
			started = true
			if len(m.Parts) == 0 {
				return partError(mi, -1, "message has no parts; Bedrock rejects a message with empty content")
			}
			blocks, err := b.turnBlocks(mi, m)
			if err != nil {
				return err
			}
			if len(blocks) == 0 {
				return partError(mi, -1, "message has no content left once blank text is dropped; Bedrock rejects a message with empty content")
			}
			if n := len(b.turns); n > 0 && b.turns[n-1].role == role {
				b.turns[n-1].blocks = append(b.turns[n-1].blocks, blocks...)
			} else {
				b.turns = append(b.turns, &wireTurn{role: role, blocks: blocks})
			}
		default:
			return partError(mi, -1, "unknown role %q", m.Role)
		}
	}
	if len(b.turns) == 0 {
		return fieldError("messages", "no user message; Bedrock needs at least one")
	}
	if !b.caps.SystemPrompt && len(b.systemTexts) > 0 {
		// The model has no system prompt: the system text opens the first user turn.
		pre := make([]wireBlock, 0, len(b.systemTexts)+len(b.turns[0].blocks))
		for i, s := range b.systemTexts {
			pre = append(pre, wireBlock{kind: blockText, at: b.systemAt[i], block: &types.ContentBlockMemberText{Value: s}})
		}
		b.turns[0].blocks = append(pre, b.turns[0].blocks...)
		b.warn(llm.Warnf(llm.WarningRepaired, "system", "model %s takes no system prompt: the system text was put at the start of the first user message", b.req.Model))
		b.system, b.systemAt, b.systemTexts = nil, nil, nil
	}
	return nil
}

func (b *requestBuilder) systemMessage(mi int, m llm.Message) error {
	for pi, part := range m.Parts {
		switch v := part.(type) {
		case llm.Text:
			if isBlank(v.Text) {
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "whitespace-only text dropped"))
				continue
			}
			if b.caps.SystemPrompt {
				b.system = append(b.system, &types.SystemContentBlockMemberText{Value: v.Text})
			}
			b.systemTexts = append(b.systemTexts, v.Text)
			b.systemAt = append(b.systemAt, origin{mi, pi})
			b.systemHasText = true
		case llm.CachePoint:
			if !b.caps.SystemPrompt {
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point in the system prompt dropped (model %s takes no system prompt)", b.req.Model))
				continue
			}
			if !b.systemHasText {
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point at the start of the system prompt dropped: there is nothing before it to cache"))
				continue
			}
			if _, last := b.system[len(b.system)-1].(*types.SystemContentBlockMemberCachePoint); last {
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point right after another cache point dropped"))
				continue
			}
			cp, ok := b.cachePoint(mi, pi, v)
			if !ok {
				continue
			}
			b.system = append(b.system, &types.SystemContentBlockMemberCachePoint{Value: cp})
			b.systemAt = append(b.systemAt, origin{mi, pi})
		case nil:
			return partError(mi, pi, "nil part")
		default:
			return partError(mi, pi, "a system message holds text and cache points only, not %s", partName(part))
		}
	}
	return nil
}

// turnBlocks converts the parts of a user, tool or assistant message.
func (b *requestBuilder) turnBlocks(mi int, m llm.Message) ([]wireBlock, error) {
	assistant := m.Role == llm.RoleAssistant
	blocks := make([]wireBlock, 0, len(m.Parts))
	for pi, part := range m.Parts {
		at := origin{mi, pi}
		switch v := part.(type) {
		case llm.Text:
			if isBlank(v.Text) {
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "whitespace-only text dropped"))
				continue
			}
			blocks = append(blocks, wireBlock{kind: blockText, at: at, block: &types.ContentBlockMemberText{Value: v.Text}})
		case llm.Image:
			if assistant {
				return nil, partError(mi, pi, "an assistant message cannot hold an image on Bedrock")
			}
			img, err := b.image(mi, pi, v)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wireBlock{kind: blockImage, at: at, block: &types.ContentBlockMemberImage{Value: img}})
		case llm.Document:
			if assistant {
				return nil, partError(mi, pi, "an assistant message cannot hold a document on Bedrock")
			}
			doc, err := b.document(mi, pi, v)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wireBlock{kind: blockDocument, at: at, block: &types.ContentBlockMemberDocument{Value: doc}})
		case llm.ToolCall:
			if !assistant {
				return nil, partError(mi, pi, "a tool call belongs in an assistant message, not a %s message", m.Role)
			}
			wb, err := b.toolUse(mi, pi, v)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wb)
		case llm.ToolResult:
			if assistant {
				return nil, partError(mi, pi, "a tool result belongs in a user or tool message, not an assistant message")
			}
			wb, err := b.toolResult(mi, pi, v)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wb)
		case llm.Reasoning:
			if !assistant {
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "reasoning in a %s message dropped: Bedrock accepts reasoning in assistant messages only", m.Role))
				continue
			}
			if !b.caps.Reasoning {
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "reasoning dropped: model %s does not take reasoning content", b.req.Model))
				continue
			}
			var rc types.ReasoningContentBlock
			switch {
			case len(v.Redacted) > 0:
				rc = &types.ReasoningContentBlockMemberRedactedContent{Value: v.Redacted}
			case v.Signature != "":
				rc = &types.ReasoningContentBlockMemberReasoningText{Value: types.ReasoningTextBlock{Text: aws.String(v.Text), Signature: aws.String(v.Signature)}}
			default:
				b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "reasoning without a signature or redacted content dropped: Bedrock replays only signed reasoning"))
				continue
			}
			blocks = append(blocks, wireBlock{kind: blockReasoning, at: at, block: &types.ContentBlockMemberReasoningContent{Value: rc}})
		case llm.CachePoint:
			cp, ok := b.cachePoint(mi, pi, v)
			if !ok {
				continue
			}
			blocks = append(blocks, wireBlock{kind: blockCache, at: at, block: &types.ContentBlockMemberCachePoint{Value: cp}})
		case nil:
			return nil, partError(mi, pi, "nil part")
		default:
			return nil, partError(mi, pi, "unknown part type %T", part)
		}
	}
	return blocks, nil
}

func partName(p llm.Part) string {
	switch p.(type) {
	case llm.Text:
		return "text"
	case llm.Image:
		return "an image"
	case llm.Document:
		return "a document"
	case llm.ToolCall:
		return "a tool call"
	case llm.ToolResult:
		return "a tool result"
	case llm.Reasoning:
		return "reasoning"
	case llm.CachePoint:
		return "a cache point"
	}
	return fmt.Sprintf("%T", p)
}

func isBlank(s string) bool {
	return strings.TrimFunc(s, unicode.IsSpace) == ""
}

// cachePoint converts a cache point (rule 12). ok is false when it was dropped.
func (b *requestBuilder) cachePoint(mi, pi int, v llm.CachePoint) (types.CachePointBlock, bool) {
	if !b.caps.CachePoints {
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point dropped: model %s does not support prompt caching", b.req.Model))
		return types.CachePointBlock{}, false
	}
	cp := types.CachePointBlock{Type: types.CachePointTypeDefault}
	ttlOK := b.fam == nil || b.fam.cacheTTL
	switch v.TTL {
	case 0:
	case 5 * time.Minute:
		// Five minutes is the default: sent only where a TTL is accepted.
		if ttlOK {
			cp.Ttl = types.CacheTTLFiveMinutes
		}
	case time.Hour:
		if ttlOK {
			cp.Ttl = types.CacheTTLOneHour
		} else {
			b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache TTL 1h dropped: model %s supports the default TTL only", b.req.Model))
		}
	default:
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache TTL %v dropped: Bedrock takes 5m or 1h", v.TTL))
	}
	return cp, true
}

var imageFormats = map[string]types.ImageFormat{
	"png": types.ImageFormatPng, "jpeg": types.ImageFormatJpeg, "jpg": types.ImageFormatJpeg,
	"gif": types.ImageFormatGif, "webp": types.ImageFormatWebp,
}

// image converts an image (rule 11): png, jpeg, gif or webp, inline or from S3.
func (b *requestBuilder) image(mi, pi int, v llm.Image) (types.ImageBlock, error) {
	if !b.caps.Images {
		return types.ImageBlock{}, partError(mi, pi, "model %s does not accept images", b.req.Model)
	}
	name := strings.ToLower(strings.TrimPrefix(v.Format, "image/"))
	if name == "" {
		switch {
		case len(v.Data) > 0:
			name = strings.TrimPrefix(http.DetectContentType(v.Data), "image/")
		case v.URI != "":
			name = strings.ToLower(strings.TrimPrefix(path.Ext(v.URI), "."))
		}
	}
	format, ok := imageFormats[name]
	switch {
	case !ok && v.Format == "":
		return types.ImageBlock{}, partError(mi, pi, "cannot tell the image format; set Format to png, jpeg, gif or webp")
	case !ok:
		return types.ImageBlock{}, partError(mi, pi, "image format %q is not one of png, jpeg, gif, webp", v.Format)
	}
	src, err := mediaSource(mi, pi, "image", v.Data, v.URI)
	if err != nil {
		return types.ImageBlock{}, err
	}
	img := types.ImageBlock{Format: format}
	if src.uri != "" {
		img.Source = &types.ImageSourceMemberS3Location{Value: types.S3Location{Uri: aws.String(src.uri)}}
	} else {
		img.Source = &types.ImageSourceMemberBytes{Value: src.data}
	}
	return img, nil
}

type mediaSrc struct {
	data []byte
	uri  string
}

func mediaSource(mi, pi int, what string, data []byte, uri string) (mediaSrc, error) {
	switch {
	case len(data) > 0 && uri != "":
		return mediaSrc{}, partError(mi, pi, "%s has both data and a URI; give one", what)
	case len(data) > 0:
		return mediaSrc{data: data}, nil
	case uri == "":
		return mediaSrc{}, partError(mi, pi, "%s has neither data nor a URI", what)
	}
	rest, ok := strings.CutPrefix(uri, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return mediaSrc{}, partError(mi, pi, "%s URI %q: Bedrock takes s3://bucket/key URIs only", what, uri)
	}
	return mediaSrc{uri: uri}, nil
}

var documentFormats = map[string]types.DocumentFormat{
	"pdf": types.DocumentFormatPdf, "csv": types.DocumentFormatCsv, "doc": types.DocumentFormatDoc,
	"docx": types.DocumentFormatDocx, "xls": types.DocumentFormatXls, "xlsx": types.DocumentFormatXlsx,
	"html": types.DocumentFormatHtml, "htm": types.DocumentFormatHtml, "txt": types.DocumentFormatTxt,
	"md": types.DocumentFormatMd, "markdown": types.DocumentFormatMd,
}

// document converts a document (rule 11): a known format, inline or from S3, with a
// sanitised name.
func (b *requestBuilder) document(mi, pi int, v llm.Document) (types.DocumentBlock, error) {
	if !b.caps.Documents {
		return types.DocumentBlock{}, partError(mi, pi, "model %s does not accept documents", b.req.Model)
	}
	name := strings.ToLower(v.Format)
	if name == "" {
		ext := path.Ext(v.Name)
		if ext == "" {
			ext = path.Ext(v.URI)
		}
		name = strings.ToLower(strings.TrimPrefix(ext, "."))
	}
	format, ok := documentFormats[name]
	if !ok && v.Format == "" {
		return types.DocumentBlock{}, partError(mi, pi, "cannot tell the document format from its name or URI; set Format to pdf, csv, doc, docx, xls, xlsx, html, txt or md")
	}
	if !ok {
		return types.DocumentBlock{}, partError(mi, pi, "document format %q is not one of pdf, csv, doc, docx, xls, xlsx, html, txt, md", v.Format)
	}
	src, err := mediaSource(mi, pi, "document", v.Data, v.URI)
	if err != nil {
		return types.DocumentBlock{}, err
	}
	b.docCount++
	doc := types.DocumentBlock{Format: format, Name: aws.String(b.documentName(v.Name))}
	if src.uri != "" {
		doc.Source = &types.DocumentSourceMemberS3Location{Value: types.S3Location{Uri: aws.String(src.uri)}}
	} else {
		doc.Source = &types.DocumentSourceMemberBytes{Value: src.data}
	}
	return doc, nil
}

// documentName makes a name Bedrock accepts (rule 11): the extension of a known format
// stripped; characters other than ASCII letters, digits, hyphens, parentheses and square
// brackets replaced by a hyphen; runs of whitespace made one space; at most 200
// characters. A name left without a letter or digit becomes "document-N", N counting the
// request's documents from 1. A name used twice gets " (2)", " (3)"… appended.
func (b *requestBuilder) documentName(raw string) string {
	name := raw
	if ext := path.Ext(name); ext != "" {
		if _, ok := documentFormats[strings.ToLower(ext[1:])]; ok {
			name = name[:len(name)-len(ext)]
		}
	}
	out := make([]byte, 0, len(name))
	alnum := false
	space := false
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			alnum = true
			out = append(out, byte(r))
		case r == '-' || r == '(' || r == ')' || r == '[' || r == ']':
			out = append(out, byte(r))
		case unicode.IsSpace(r):
			if len(out) > 0 && !space {
				out = append(out, ' ')
			}
			space = true
			continue
		default:
			out = append(out, '-')
		}
		space = false
	}
	s := strings.TrimRight(string(out), " ")
	if len(s) > 200 {
		s = strings.TrimRight(s[:200], " ")
	}
	if !alnum {
		s = "document-" + strconv.Itoa(b.docCount)
	}
	if b.docNames == nil {
		b.docNames = make(map[string]int)
	}
	b.docNames[s]++
	if n := b.docNames[s]; n > 1 {
		suffix := " (" + strconv.Itoa(n) + ")"
		if len(s)+len(suffix) > 200 {
			s = strings.TrimRight(s[:200-len(suffix)], " ")
		}
		s += suffix
	}
	return s
}

// validToolName reports whether s is a tool name Bedrock accepts: [a-zA-Z0-9_-]{1,64}
// (rule 8).
func validToolName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func toolUseIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':'
}

// toolUseID maps a tool-call id to one Bedrock accepts, [a-zA-Z0-9_.:-]{1,64} (rule 8).
// A valid id is kept as is. Another has each invalid character replaced by "_", is cut
// to 55 bytes and gets "-" and 8 hex digits of the FNV-1a hash of the original id, so the
// mapping is deterministic — the same on a tool call and on its result — and two ids
// differing only in invalid characters stay apart.
func toolUseID(id string) string {
	valid := len(id) > 0 && len(id) <= 64
	for i := 0; valid && i < len(id); i++ {
		valid = toolUseIDByte(id[i])
	}
	if valid {
		return id
	}
	out := make([]byte, 0, 64)
	for _, r := range id {
		if len(out) == 55 {
			break
		}
		if r < utf8.RuneSelf && toolUseIDByte(byte(r)) {
			out = append(out, byte(r))
		} else {
			out = append(out, '_')
		}
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	out = append(out, '-')
	out = fmt.Appendf(out, "%08x", h.Sum32())
	return string(out)
}

// toolUse converts an assistant's tool call (rules 7 and 8).
func (b *requestBuilder) toolUse(mi, pi int, v llm.ToolCall) (wireBlock, error) {
	if !b.caps.Tools {
		return wireBlock{}, partError(mi, pi, "model %s does not support tools", b.req.Model)
	}
	if !validToolName(v.Name) {
		return wireBlock{}, partError(mi, pi, "tool name %q: Bedrock takes 1 to 64 of a-z, A-Z, 0-9, _ and -", v.Name)
	}
	if v.ID == "" {
		return wireBlock{}, partError(mi, pi, "tool call has no id")
	}
	id := toolUseID(v.ID)
	if prev, dup := b.toolIDs[id]; dup {
		if raw := b.toolIDRaw[id]; raw != v.ID {
			return wireBlock{}, partError(mi, pi, "tool call id %q and %q (message %d part %d) map to the same Bedrock id %q", v.ID, raw, prev.msg, prev.part, id)
		}
		return wireBlock{}, partError(mi, pi, "tool call id %q is used twice (first at message %d part %d)", v.ID, prev.msg, prev.part)
	}
	if b.toolIDs == nil {
		b.toolIDs = make(map[string]origin)
		b.toolIDRaw = make(map[string]string)
	}
	b.toolIDs[id] = origin{mi, pi}
	b.toolIDRaw[id] = v.ID
	input, err := toolInputJSON(v.Input)
	if err != nil {
		return wireBlock{}, partError(mi, pi, "tool call input: %v", err)
	}
	b.toolBlocks = true
	b.noteToolName(v.Name)
	return wireBlock{kind: blockToolUse, at: origin{mi, pi}, id: id, raw: v.ID, block: &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
		ToolUseId: aws.String(id),
		Name:      aws.String(v.Name),
		Input:     newRawDocument(input),
	}}}, nil
}

func (b *requestBuilder) noteToolName(name string) {
	for _, n := range b.usedToolNames {
		if n == name {
			return
		}
	}
	b.usedToolNames = append(b.usedToolNames, name)
}

// toolInputJSON returns a tool call's input as it goes to Bedrock (rule 7): empty is {},
// a JSON object is kept as written (compacted), anything else is an error.
func toolInputJSON(raw json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("{}"), nil
	}
	b, err := compactJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if b[0] != '{' {
		return nil, fmt.Errorf("must be a JSON object, got %s", jsonKindName(b))
	}
	return b, nil
}

// toolResult converts a tool result (rules 8 and 9).
func (b *requestBuilder) toolResult(mi, pi int, v llm.ToolResult) (wireBlock, error) {
	if !b.caps.Tools {
		return wireBlock{}, partError(mi, pi, "model %s does not support tools", b.req.Model)
	}
	if v.CallID == "" {
		return wireBlock{}, partError(mi, pi, "tool result has no call id")
	}
	id := toolUseID(v.CallID)
	content := make([]types.ToolResultContentBlock, 0, len(v.Content)+1)
	for _, part := range v.Content {
		switch c := part.(type) {
		case llm.Text:
			if isBlank(c.Text) {
				continue
			}
			if b.fam != nil && b.fam.jsonResults {
				if doc, ok := jsonObjectText(c.Text); ok {
					content = append(content, &types.ToolResultContentBlockMemberJson{Value: newRawDocument(doc)})
					continue
				}
			}
			content = append(content, &types.ToolResultContentBlockMemberText{Value: c.Text})
		case llm.Image:
			img, err := b.image(mi, pi, c)
			if err != nil {
				return wireBlock{}, err
			}
			content = append(content, &types.ToolResultContentBlockMemberImage{Value: img})
		case llm.Document:
			doc, err := b.document(mi, pi, c)
			if err != nil {
				return wireBlock{}, err
			}
			content = append(content, &types.ToolResultContentBlockMemberDocument{Value: doc})
		case nil:
			return wireBlock{}, partError(mi, pi, "tool result content holds a nil part")
		default:
			return wireBlock{}, partError(mi, pi, "tool result content holds text, images and documents only, not %s", partName(part))
		}
	}
	tr := types.ToolResultBlock{ToolUseId: aws.String(id)}
	switch {
	case v.IsError && b.caps.ToolResultStatus:
		tr.Status = types.ToolResultStatusError
		if len(content) == 0 {
			content = append(content, &types.ToolResultContentBlockMemberText{Value: "the tool call failed"})
		}
	case v.IsError:
		// No status field on this model: the error is said in the text (rule 9).
		if t, ok := firstText(content); ok {
			content[0] = &types.ToolResultContentBlockMemberText{Value: "Error: " + t}
		} else if len(content) == 0 {
			content = append(content, &types.ToolResultContentBlockMemberText{Value: "Error: the tool call failed"})
		} else {
			content = append([]types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: "Error:"}}, content...)
		}
	case len(content) == 0:
		content = append(content, &types.ToolResultContentBlockMemberText{Value: "(no output)"})
	}
	tr.Content = content
	b.toolBlocks = true
	return wireBlock{kind: blockToolResult, at: origin{mi, pi}, id: id, raw: v.CallID, block: &types.ContentBlockMemberToolResult{Value: tr}}, nil
}

func firstText(c []types.ToolResultContentBlock) (string, bool) {
	if len(c) == 0 {
		return "", false
	}
	t, ok := c[0].(*types.ToolResultContentBlockMemberText)
	if !ok {
		return "", false
	}
	return t.Value, true
}

// jsonObjectText returns s compacted when it is one JSON object.
func jsonObjectText(s string) ([]byte, bool) {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return nil, false
	}
	b, err := compactJSON([]byte(t))
	return b, err == nil
}

// arrangeTurns applies the per-turn rules: a turn of nothing but cache points is an error
// and a cache point leads no turn (rule 12); tool results come first in their turn, and
// for models that take no text beside tool results the rest of the turn moves into the
// last result (rule 4); a document needs text in its turn (rule 11); reasoning comes first
// in an assistant turn (rule 13).
func (b *requestBuilder) arrangeTurns() error {
	for ti, t := range b.turns {
		only := true
		for _, wb := range t.blocks {
			if wb.kind != blockCache {
				only = false
				break
			}
		}
		if only {
			at := t.blocks[0].at
			return partError(at.msg, at.part, "a cache point alone in its turn: Bedrock finds nothing to cache in it; put it after the content it should cache")
		}
		if t.role == types.ConversationRoleUser {
			if err := b.arrangeUserTurn(t); err != nil {
				return err
			}
		} else {
			stableFront(t.blocks, blockReasoning)
		}
		// Cache points: no two in a row, none leading a turn.
		kept := t.blocks[:0]
		for _, wb := range t.blocks {
			if wb.kind == blockCache && len(kept) > 0 && kept[len(kept)-1].kind == blockCache {
				b.warn(llm.WarnPartf(llm.WarningDropped, wb.at.msg, wb.at.part, "cache point right after another cache point dropped"))
				continue
			}
			kept = append(kept, wb)
		}
		t.blocks = kept
		for len(t.blocks) > 0 && t.blocks[0].kind == blockCache {
			lead := t.blocks[0]
			t.blocks = t.blocks[1:]
			switch {
			case ti > 0:
				// The prefix up to the start of this turn is the prefix up to the end of
				// the one before: the cache point moves there.
				prev := b.turns[ti-1]
				if prev.blocks[len(prev.blocks)-1].kind == blockCache {
					b.warn(llm.WarnPartf(llm.WarningDropped, lead.at.msg, lead.at.part, "cache point right after another cache point dropped"))
				} else {
					prev.blocks = append(prev.blocks, lead)
				}
			case b.systemHasText && b.caps.SystemPrompt:
				if _, last := b.system[len(b.system)-1].(*types.SystemContentBlockMemberCachePoint); last {
					b.warn(llm.WarnPartf(llm.WarningDropped, lead.at.msg, lead.at.part, "cache point right after another cache point dropped"))
				} else {
					b.system = append(b.system, &types.SystemContentBlockMemberCachePoint{Value: lead.block.(*types.ContentBlockMemberCachePoint).Value})
					b.systemAt = append(b.systemAt, lead.at)
				}
			default:
				b.warn(llm.WarnPartf(llm.WarningDropped, lead.at.msg, lead.at.part, "cache point at the start of the conversation dropped: there is nothing before it to cache"))
			}
		}
	}
	return nil
}

func (b *requestBuilder) arrangeUserTurn(t *wireTurn) error {
	results := stableFront(t.blocks, blockToolResult)
	if results > 0 && !b.caps.MixedToolResults {
		var moved []wireBlock
		kept := t.blocks[:results]
		for _, wb := range t.blocks[results:] {
			switch wb.kind {
			case blockText, blockImage, blockDocument:
				moved = append(moved, wb)
			default:
				kept = append(kept, wb)
			}
		}
		if len(moved) > 0 {
			last := kept[results-1].block.(*types.ContentBlockMemberToolResult)
			for _, wb := range moved {
				switch c := wb.block.(type) {
				case *types.ContentBlockMemberText:
					last.Value.Content = append(last.Value.Content, &types.ToolResultContentBlockMemberText{Value: c.Value})
				case *types.ContentBlockMemberImage:
					last.Value.Content = append(last.Value.Content, &types.ToolResultContentBlockMemberImage{Value: c.Value})
				case *types.ContentBlockMemberDocument:
					last.Value.Content = append(last.Value.Content, &types.ToolResultContentBlockMemberDocument{Value: c.Value})
				}
			}
			at := moved[0].at
			b.warn(llm.WarnPartf(llm.WarningRepaired, at.msg, at.part, "content beside tool results moved into the result for tool call %q: model %s takes no text, images or documents in a turn with tool results", kept[results-1].raw, b.req.Model))
		}
		t.blocks = kept
	}
	hasText := false
	for _, wb := range t.blocks {
		if wb.kind == blockText {
			hasText = true
			break
		}
	}
	if !hasText {
		for _, wb := range t.blocks {
			if wb.kind == blockDocument {
				return partError(wb.at.msg, wb.at.part, "a document needs a text part in the same user turn on Bedrock; add a Text part saying what to do with it")
			}
		}
	}
	return nil
}

// stableFront moves the blocks of kind k to the front, keeping the order within both
// groups, and returns how many there are.
func stableFront(blocks []wireBlock, k blockKind) int {
	n := 0
	for _, wb := range blocks {
		if wb.kind == k {
			n++
		}
	}
	if n == 0 || n == len(blocks) {
		return n
	}
	sorted := true
	for i := range n {
		if blocks[i].kind != k {
			sorted = false
			break
		}
	}
	if sorted {
		return n
	}
	out := make([]wireBlock, 0, len(blocks))
	for _, wb := range blocks {
		if wb.kind == k {
			out = append(out, wb)
		}
	}
	for _, wb := range blocks {
		if wb.kind != k {
			out = append(out, wb)
		}
	}
	copy(blocks, out)
	return n
}

// pairToolResults checks rule 3: every tool use of an assistant turn is answered by
// exactly one tool result in the very next user turn, which holds no other result, and
// the conversation does not end with unanswered tool calls.
func (b *requestBuilder) pairToolResults() error {
	var pending []wireBlock // tool uses of the previous assistant turn
	for _, t := range b.turns {
		if t.role == types.ConversationRoleAssistant {
			pending = pending[:0]
			for _, wb := range t.blocks {
				if wb.kind == blockToolUse {
					pending = append(pending, wb)
				}
			}
			continue
		}
		answered := make([]bool, len(pending))
		for _, wb := range t.blocks {
			if wb.kind != blockToolResult {
				continue
			}
			k := -1
			for i, u := range pending {
				if u.id == wb.id {
					k = i
					break
				}
			}
			switch {
			case k < 0:
				if use, ok := b.toolIDs[wb.id]; ok {
					return partError(wb.at.msg, wb.at.part, "tool result for call %q does not follow its call: the call (message %d part %d) must be answered in the user turn right after it", wb.raw, use.msg, use.part)
				}
				return partError(wb.at.msg, wb.at.part, "tool result for call %q answers no tool call of the assistant turn before it", wb.raw)
			case answered[k]:
				return partError(wb.at.msg, wb.at.part, "second tool result for call %q; each tool call takes exactly one result", wb.raw)
			}
			answered[k] = true
		}
		for i, u := range pending {
			if !answered[i] {
				return partError(u.at.msg, u.at.part, "tool call %q has no result in the user turn that follows it; Bedrock needs one result per call", u.raw)
			}
		}
		pending = pending[:0]
	}
	if len(pending) > 0 {
		u := pending[0]
		return partError(u.at.msg, u.at.part, "the conversation ends with unanswered tool call %q; add a tool message with its result", u.raw)
	}
	return nil
}

// trimPrefill trims trailing whitespace from a final assistant turn (rule 5).
func (b *requestBuilder) trimPrefill() {
	t := b.turns[len(b.turns)-1]
	if t.role != types.ConversationRoleAssistant {
		return
	}
	// The last text, cache points after it aside.
	i := len(t.blocks) - 1
	for i > 0 && t.blocks[i].kind == blockCache {
		i--
	}
	if txt, ok := t.blocks[i].block.(*types.ContentBlockMemberText); ok {
		trimmed := strings.TrimRightFunc(txt.Value, unicode.IsSpace)
		if trimmed != txt.Value {
			t.blocks[i].block = &types.ContentBlockMemberText{Value: trimmed}
		}
	}
}

// countCachePoints enforces Bedrock's limit of four cache points (rule 12).
func (b *requestBuilder) countCachePoints() error {
	n := 0
	for i, blk := range b.system {
		if _, ok := blk.(*types.SystemContentBlockMemberCachePoint); ok {
			n++
			if n > maxCachePoints {
				at := b.systemAt[i]
				return partError(at.msg, at.part, "more than %d cache points; Bedrock takes at most %d per request", maxCachePoints, maxCachePoints)
			}
		}
	}
	for _, t := range b.turns {
		for _, wb := range t.blocks {
			if wb.kind == blockCache {
				n++
				if n > maxCachePoints {
					return partError(wb.at.msg, wb.at.part, "more than %d cache points; Bedrock takes at most %d per request", maxCachePoints, maxCachePoints)
				}
			}
		}
	}
	return nil
}

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

// reasoning checks the reasoning settings and returns the additional model request fields
// that switch reasoning on (rule 13). Anthropic models take a thinking budget of at least
// 1024 tokens, below MaxTokens, with temperature and topP left alone; Nova 2 and gpt-oss
// take an effort; DeepSeek-R1 always reasons.
func (b *requestBuilder) reasoning() (map[string]any, error) {
	rc := b.req.Reasoning
	if rc == nil {
		return nil, nil
	}
	switch {
	case rc.BudgetTokens < 0:
		return nil, fieldError("reasoning.budgetTokens", "%d is negative", rc.BudgetTokens)
	case rc.BudgetTokens == 0 && rc.Effort == "":
		return nil, fieldError("reasoning", "set BudgetTokens or Effort")
	}
	switch rc.Effort {
	case "", llm.ReasoningLow, llm.ReasoningMedium, llm.ReasoningHigh:
	default:
		return nil, fieldError("reasoning.effort", "%q is not one of low, medium, high", rc.Effort)
	}
	model := b.req.Model
	if !b.caps.Reasoning {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning not enabled: model %s does not support it", model))
		return nil, nil
	}
	style := reasonBudget
	if b.fam != nil {
		style = b.fam.reasoning
	} else {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "model %s is not in llmkit's table: reasoning is asked for in Anthropic's form (thinking with budget_tokens)", model))
	}
	switch style {
	case reasonBudget:
		if rc.BudgetTokens == 0 {
			b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning not enabled: model %s takes a thinking budget (BudgetTokens), not an effort", model))
			return nil, nil
		}
		if rc.Effort != "" {
			b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning effort %q ignored: model %s takes the thinking budget only", rc.Effort, model))
		}
		if rc.BudgetTokens < minThinkingBudget {
			return nil, fieldError("reasoning.budgetTokens", "%d is below Bedrock's minimum thinking budget of %d", rc.BudgetTokens, minThinkingBudget)
		}
		if b.req.MaxTokens <= rc.BudgetTokens {
			return nil, fieldError("maxTokens", "must be set above the thinking budget (%d) when reasoning is on, got %d", rc.BudgetTokens, b.req.MaxTokens)
		}
		if t := b.req.Temperature; t != nil && *t != 1 {
			return nil, fieldError("temperature", "thinking does not allow changing the temperature (got %v); leave it unset", *t)
		}
		if p := b.req.TopP; p != nil && *p < minThinkingTopP {
			return nil, fieldError("topP", "thinking allows topP between %v and 1 only, got %v", minThinkingTopP, *p)
		}
		b.thinking = true
		return map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": rc.BudgetTokens}}, nil
	case reasonNovaEffort, reasonOpenAI:
		effort := rc.Effort
		if effort == "" {
			effort = llm.ReasoningMedium
			b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning budget %d ignored: model %s takes an effort; medium used", rc.BudgetTokens, model))
		} else if rc.BudgetTokens > 0 {
			b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning budget %d ignored: model %s takes the effort only", rc.BudgetTokens, model))
		}
		if style == reasonOpenAI {
			return map[string]any{"reasoning_effort": string(effort)}, nil
		}
		if effort == llm.ReasoningHigh && (b.req.Temperature != nil || b.req.TopP != nil || b.req.MaxTokens > 0) {
			return nil, fieldError("reasoning.effort", "high reasoning effort on model %s needs temperature, topP and maxTokens unset", model)
		}
		return map[string]any{"reasoningConfig": map[string]any{"type": "enabled", "maxReasoningEffort": string(effort)}}, nil
	case reasonAlways:
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning settings ignored: model %s always reasons and takes no budget or effort", model))
		return nil, nil
	}
	b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "reasoning not enabled: llmkit does not know how to switch it on for model %s; pass the model's fields in Extra.AdditionalModelRequestFields", model))
	return nil, nil
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
		out = appendJSONString(out, k)
		out = append(out, ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

// toolsAndOutput builds the tool configuration and the structured-output configuration
// (rules 6, 8, 10, 13, 14).
func (b *requestBuilder) toolsAndOutput(p *converseParams) (*types.ToolConfiguration, *types.OutputConfig, error) {
	req := b.req
	if len(req.Tools) > 0 && !b.caps.Tools && req.ToolChoice.Mode != llm.ToolChoiceNone {
		return nil, nil, fieldError("tools", "model %s does not support tools", req.Model)
	}
	declared := make([]types.Tool, 0, len(req.Tools)+1)
	names := make(map[string]bool, len(req.Tools)+1)
	for i, t := range req.Tools {
		if !validToolName(t.Name) {
			return nil, nil, fieldError(fmt.Sprintf("tools[%d].name", i), "%q: Bedrock takes 1 to 64 of a-z, A-Z, 0-9, _ and -", t.Name)
		}
		if names[t.Name] {
			return nil, nil, fieldError(fmt.Sprintf("tools[%d].name", i), "tool %q declared twice", t.Name)
		}
		names[t.Name] = true
		strict := t.Strict
		if strict && !b.caps.NativeOutput {
			b.warn(llm.Warnf(llm.WarningDropped, fmt.Sprintf("tools[%d].strict", i), "strict dropped: model %s does not support strict tool use", req.Model))
			strict = false
		}
		where := fmt.Sprintf("tools[%d].inputSchema", i)
		schema, err := b.normalizeSchema(t.InputSchema, where, strict)
		if err != nil {
			return nil, nil, err
		}
		spec := types.ToolSpecification{
			Name:        aws.String(t.Name),
			InputSchema: &types.ToolInputSchemaMemberJson{Value: newRawDocument(schema)},
		}
		if t.Description != "" {
			spec.Description = aws.String(t.Description)
		}
		if strict {
			spec.Strict = aws.Bool(true)
		}
		declared = append(declared, &types.ToolMemberToolSpec{Value: spec})
	}

	choice := req.ToolChoice
	switch choice.Mode {
	case "", llm.ToolChoiceAuto, llm.ToolChoiceNone:
	case llm.ToolChoiceRequired:
		if len(req.Tools) == 0 {
			return nil, nil, fieldError("toolChoice", "required, but the request declares no tools")
		}
	case llm.ToolChoiceTool:
		if !names[choice.Name] {
			return nil, nil, fieldError("toolChoice", "names tool %q, which the request does not declare", choice.Name)
		}
	default:
		return nil, nil, fieldError("toolChoice", "unknown mode %q", choice.Mode)
	}

	// Structured output: native where the model has it, else a forced synthetic tool.
	var output *types.OutputConfig
	var objectTool *types.ToolMemberToolSpec
	if o := req.Output; o != nil {
		name := o.Name
		if name == "" {
			name = defaultObjectTool
		}
		if !validToolName(name) {
			return nil, nil, fieldError("output.name", "%q: Bedrock takes 1 to 64 of a-z, A-Z, 0-9, _ and -", name)
		}
		native := false
		switch o.Mode {
		case llm.OutputAuto:
			native = b.caps.NativeOutput
		case llm.OutputNative:
			if !b.caps.NativeOutput {
				return nil, nil, fieldError("output.mode", "native structured output asked for, but model %s does not support it; use the tool mode", req.Model)
			}
			native = true
		case llm.OutputTool:
		default:
			return nil, nil, fieldError("output.mode", "unknown mode %q", o.Mode)
		}
		if native {
			schema, err := b.normalizeSchema(o.Schema, "output.schema", true)
			if err != nil {
				return nil, nil, err
			}
			def := types.JsonSchemaDefinition{Schema: aws.String(string(schema)), Name: aws.String(name)}
			if o.Description != "" {
				def.Description = aws.String(o.Description)
			}
			output = &types.OutputConfig{TextFormat: &types.OutputFormat{
				Type:      types.OutputFormatTypeJsonSchema,
				Structure: &types.OutputFormatStructureMemberJsonSchema{Value: def},
			}}
			p.native = true
		} else {
			if !b.caps.Tools {
				return nil, nil, fieldError("output", "model %s supports neither native structured output nor tools", req.Model)
			}
			if names[name] {
				return nil, nil, fieldError("output.name", "%q is also the name of a declared tool; name the output differently", name)
			}
			if choice.Mode == llm.ToolChoiceRequired || choice.Mode == llm.ToolChoiceTool {
				return nil, nil, fieldError("toolChoice", "structured output through a forced tool call cannot be combined with tool choice %q", choice.Mode)
			}
			if b.thinking {
				return nil, nil, fieldError("output", "structured output on model %s needs a forced tool call, which Bedrock does not allow with thinking on (rule 13); drop Reasoning, or use a model with native structured output", req.Model)
			}
			schema, err := b.normalizeSchema(o.Schema, "output.schema", false)
			if err != nil {
				return nil, nil, err
			}
			spec := types.ToolSpecification{
				Name:        aws.String(name),
				InputSchema: &types.ToolInputSchemaMemberJson{Value: newRawDocument(schema)},
			}
			desc := o.Description
			if desc == "" {
				desc = "Return the answer as the input of this tool, a JSON object matching its schema."
			}
			spec.Description = aws.String(desc)
			objectTool = &types.ToolMemberToolSpec{Value: spec}
			p.objectTool = name
		}
	}

	// Which tools go on the wire.
	var tools []types.Tool
	switch {
	case choice.Mode == llm.ToolChoiceNone && !b.toolBlocks:
		// No tools at all: the model cannot call one (rule 6).
	case choice.Mode == llm.ToolChoiceNone:
		tools = declared
		b.warn(llm.Warnf(llm.WarningUnsupported, "toolChoice", "tool choice none cannot be sent to Bedrock while the history holds tool calls: the tools are declared and the model may call one"))
	default:
		tools = declared
	}
	if b.toolBlocks {
		var stubs []string
		for _, n := range b.usedToolNames {
			if !names[n] && n != p.objectTool {
				stubs = append(stubs, n)
				tools = append(tools, &types.ToolMemberToolSpec{Value: types.ToolSpecification{
					Name:        aws.String(n),
					Description: aws.String("A tool used earlier in this conversation."),
					InputSchema: &types.ToolInputSchemaMemberJson{Value: newRawDocument([]byte(`{"type":"object","properties":{}}`))},
				}})
			}
		}
		if len(stubs) > 0 {
			b.warn(llm.Warnf(llm.WarningRepaired, "tools", "%s called in the history but not declared: declared with a permissive schema, since Bedrock needs a toolConfig whenever the history holds tool blocks", strings.Join(stubs, ", ")))
		}
	}
	if objectTool != nil {
		tools = append(tools, objectTool)
	}
	if len(tools) == 0 {
		return nil, output, nil
	}

	var tc types.ToolChoice
	switch {
	case objectTool != nil:
		tc = b.forcedChoice(p.objectTool, len(tools), "structured output")
	case choice.Mode == llm.ToolChoiceRequired:
		if b.caps.ToolChoiceRequired {
			tc = &types.ToolChoiceMemberAny{}
		} else {
			b.warn(llm.Warnf(llm.WarningUnsupported, "toolChoice", "tool choice required sent as auto: model %s cannot be made to call a tool", req.Model))
		}
	case choice.Mode == llm.ToolChoiceTool:
		tc = b.forcedChoice(choice.Name, len(tools), "tool choice")
	}
	if b.thinking && tc != nil {
		return nil, nil, fieldError("toolChoice", "thinking cannot be combined with a forced tool choice on Bedrock (rule 13); use auto, or drop Reasoning")
	}
	return &types.ToolConfiguration{Tools: tools, ToolChoice: tc}, output, nil
}

// forcedChoice forces the tool name (rule 14): by name where the model allows it, else
// with "any", else not at all.
func (b *requestBuilder) forcedChoice(name string, ntools int, what string) types.ToolChoice {
	switch {
	case b.caps.ToolChoiceTool:
		return &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(name)}}
	case b.caps.ToolChoiceRequired:
		if ntools > 1 {
			b.warn(llm.Warnf(llm.WarningUnsupported, what, "model %s cannot be made to call a named tool; sent as any, so it may call another tool than %q", b.req.Model, name))
		}
		return &types.ToolChoiceMemberAny{}
	}
	b.warn(llm.Warnf(llm.WarningUnsupported, what, "model %s cannot be made to call a tool; sent as auto, so it may answer without calling %q", b.req.Model, name))
	return nil
}

// JSON values.

// rawDocument is a document the SDK sends exactly as given: key order and number
// literals kept.
//
// The SDK's own documents cannot carry raw JSON: given to document.NewLazyDocument, a
// json.RawMessage is encoded as an array of bytes and a json.Number as a string, and map
// keys come out sorted. But bedrockruntime (v1.63.11) writes every document member of a
// request as a smithydocument.Opaque (api_op_Converse.go, types/types.go), and smithy-go's
// JSON shape serializer writes an Opaque whose value is a smithydocument.Marshaler as the
// bytes of MarshalSmithyDocument, unchanged (writeOpaqueDocument in
// transport/http/protocol/internal/json/shape_serializer.go). document.Interface is sealed
// by an unexported method; a struct embedding an Interface value gets that method
// promoted, and its own MarshalSmithyDocument and UnmarshalSmithyDocument take precedence
// over the embedded ones.
type rawDocument struct {
	document.Interface        // satisfies the SDK's sealed interface; never used otherwise
	json               []byte // compact, valid JSON
}

// sealDocument is the value every rawDocument embeds. Only its unexported marker method is
// reachable through a rawDocument; it is not nil so that the SDK's validity check
// (internal/document.IsInterface, which calls that method) holds. It is never changed.
var sealDocument = document.NewLazyDocument(nil)

// newRawDocument returns compact, valid JSON as a document the SDK sends as it is.
func newRawDocument(compact []byte) document.Interface {
	return rawDocument{Interface: sealDocument, json: compact}
}

// MarshalSmithyDocument returns the JSON, which the SDK writes into the request body as it
// is. The caller must not modify it.
func (d rawDocument) MarshalSmithyDocument() ([]byte, error) { return d.json, nil }

// UnmarshalSmithyDocument decodes the JSON into v with encoding/json; numbers decoded into
// an interface value become json.Number, so that none is rounded.
func (d rawDocument) UnmarshalSmithyDocument(v any) error {
	dec := json.NewDecoder(bytes.NewReader(d.json))
	dec.UseNumber()
	return dec.Decode(v)
}

// compactJSON checks that data is one JSON value and returns it in a new slice without
// insignificant whitespace, its keys and number literals as written. Each byte of invalid
// UTF-8 in a string becomes U+FFFD, as encoding/json reads it, so that the body stays
// valid JSON.
func compactJSON(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, jsonError(data, err)
	}
	out := buf.Bytes()
	if utf8.Valid(out) {
		return out, nil
	}
	// Outside strings the scanner takes ASCII only, so every invalid byte is in a string.
	fixed := make([]byte, 0, len(out)+16)
	for len(out) > 0 {
		r, size := utf8.DecodeRune(out)
		if r == utf8.RuneError && size == 1 {
			fixed = utf8.AppendRune(fixed, utf8.RuneError)
		} else {
			fixed = append(fixed, out[:size]...)
		}
		out = out[size:]
	}
	return fixed, nil
}

// jsonError returns the error encoding/json finds in data, which is not valid JSON, with
// its offset: the errors of json.Compact carry none, and the check json.Unmarshal makes of
// the same bytes gives the same error with one. err is returned when that check passes.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(json.Unmarshal(data, new(json.RawMessage)), &se) {
		return fmt.Errorf("%v (after %d bytes)", se, se.Offset)
	}
	return err
}

// jsonKindName names the kind of the compact JSON value b.
func jsonKindName(b []byte) string {
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// jsonNode is a JSON value that keeps the order of object members and the literals of
// numbers, used to normalise schemas: the order of a schema's properties is the order the
// model writes them in.
type jsonNode struct {
	kind    jsonKind
	str     string // a string, or a number's literal
	boolean bool
	items   []*jsonNode
	members []jsonMember
}

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

type jsonMember struct {
	key   string
	value *jsonNode
}

// parseJSONTree parses one JSON value with encoding/json, keeping the order of object
// members and the literals of numbers; a key given twice keeps its first place and its
// last value.
func parseJSONTree(data []byte) (*jsonNode, error) {
	// Checking the whole value first (syntax, and encoding/json's nesting limit) leaves
	// the token walk valid JSON only, and bounds its recursion.
	if !json.Valid(data) {
		return nil, jsonError(data, errors.New("not valid JSON"))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeJSONNode(dec)
}

// decodeJSONNode reads the next value from dec.
func decodeJSONNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			n := &jsonNode{kind: jsonArray, items: []*jsonNode{}}
			for dec.More() {
				it, err := decodeJSONNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, it)
			}
			_, err := dec.Token() // ]
			return n, err
		}
		n := &jsonNode{kind: jsonObject, members: []jsonMember{}}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := tok.(string) // the decoder yields object keys as strings
			val, err := decodeJSONNode(dec)
			if err != nil {
				return nil, err
			}
			n.set(key, val)
		}
		_, err := dec.Token() // }
		return n, err
	case string:
		return &jsonNode{kind: jsonString, str: v}, nil
	case json.Number:
		return &jsonNode{kind: jsonNumber, str: string(v)}, nil
	case bool:
		return &jsonNode{kind: jsonBool, boolean: v}, nil
	}
	return &jsonNode{kind: jsonNull}, nil
}

func (n *jsonNode) kindName() string {
	switch n.kind {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	}
	return "an object"
}

func (n *jsonNode) get(key string) *jsonNode {
	for _, m := range n.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// set replaces the member key, or appends it.
func (n *jsonNode) set(key string, v *jsonNode) {
	for i := range n.members {
		if n.members[i].key == key {
			n.members[i].value = v
			return
		}
	}
	n.members = append(n.members, jsonMember{key, v})
}

// setFirst replaces the member key, or puts it first.
func (n *jsonNode) setFirst(key string, v *jsonNode) {
	if n.get(key) != nil {
		n.set(key, v)
		return
	}
	n.members = append([]jsonMember{{key, v}}, n.members...)
}

func (n *jsonNode) del(key string) {
	for i := range n.members {
		if n.members[i].key == key {
			n.members = append(n.members[:i], n.members[i+1:]...)
			return
		}
	}
}

func (n *jsonNode) clone() *jsonNode {
	c := *n
	if n.items != nil {
		c.items = make([]*jsonNode, len(n.items))
		for i, it := range n.items {
			c.items[i] = it.clone()
		}
	}
	if n.members != nil {
		c.members = make([]jsonMember, len(n.members))
		for i, m := range n.members {
			c.members[i] = jsonMember{m.key, m.value.clone()}
		}
	}
	return &c
}

// appendJSON appends n as compact JSON, object members in order.
func (n *jsonNode) appendJSON(b []byte) []byte {
	switch n.kind {
	case jsonNull:
		return append(b, "null"...)
	case jsonBool:
		return strconv.AppendBool(b, n.boolean)
	case jsonNumber:
		return append(b, n.str...)
	case jsonString:
		return appendJSONString(b, n.str)
	case jsonArray:
		b = append(b, '[')
		for i, it := range n.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = it.appendJSON(b)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, m := range n.members {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.key)
		b = append(b, ':')
		b = m.value.appendJSON(b)
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Schemas.

// schemaWalker normalises one schema (rule 10).
type schemaWalker struct {
	b      *requestBuilder
	where  string
	strict bool
	defs   map[string]*jsonNode // "#/$defs/x" and "#/definitions/x" → definition
	stack  []string             // refs being inlined
	nodes  int
}

// maxSchemaNodes bounds a schema once its references are inlined.
const maxSchemaNodes = 20000

// Keywords strict schemas do not support on Bedrock; they are dropped with a warning.
var strictUnsupported = []string{
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "maxItems",
}

// normalizeSchema makes a tool or output schema Bedrock accepts: a JSON object whose root
// has type object (added when missing) and properties (an empty object when missing or
// null, and never null below); $schema and $id dropped; local references into $defs or
// definitions inlined and those sections removed (a recursive or non-local reference is
// an error). For strict tools and native output every object schema gets
// additionalProperties false (any other value is an error), and keywords Bedrock does
// not take there are dropped with a warning. An empty schema is an object with no
// declared properties. The result is compact JSON, object members in the order given.
func (b *requestBuilder) normalizeSchema(raw json.RawMessage, where string, strict bool) ([]byte, error) {
	if b.schemas == nil {
		return b.normalizeSchemaNow(raw, where, strict)
	}
	if out, ok := b.schemas.get(raw, strict); ok {
		return out, nil
	}
	warned := len(b.warnings)
	out, err := b.normalizeSchemaNow(raw, where, strict)
	if err == nil && len(b.warnings) == warned {
		b.schemas.put(raw, strict, out)
	}
	return out, err
}

// normalizeSchemaNow does the work of normalizeSchema, without the cache.
func (b *requestBuilder) normalizeSchemaNow(raw json.RawMessage, where string, strict bool) ([]byte, error) {
	var root *jsonNode
	if len(bytes.TrimSpace(raw)) == 0 {
		root = &jsonNode{kind: jsonObject, members: []jsonMember{{"type", &jsonNode{kind: jsonString, str: "object"}}}}
	} else {
		n, err := parseJSONTree(raw)
		if err != nil {
			return nil, fieldError(where, "not valid JSON: %v", err)
		}
		root = n
	}
	if root.kind != jsonObject {
		return nil, fieldError(where, "a schema must be a JSON object, got %s", root.kindName())
	}
	w := &schemaWalker{b: b, where: where, strict: strict}
	for _, section := range []string{"$defs", "definitions"} {
		d := root.get(section)
		if d == nil {
			continue
		}
		if d.kind != jsonObject {
			return nil, fieldError(where, "%s must be an object", section)
		}
		if w.defs == nil {
			w.defs = make(map[string]*jsonNode)
		}
		for _, m := range d.members {
			w.defs["#/"+section+"/"+escapePointer(m.key)] = m.value
		}
		root.del(section)
	}
	switch t := root.get("type"); {
	case t == nil:
		root.setFirst("type", &jsonNode{kind: jsonString, str: "object"})
	case t.kind != jsonString || t.str != "object":
		return nil, fieldError(where, "the root of a tool or output schema must have type object (rule 10)")
	}
	out, err := w.walk(root, "")
	if err != nil {
		return nil, err
	}
	if out.kind != jsonObject {
		return nil, fieldError(where, "a schema must be a JSON object")
	}
	if p := out.get("properties"); p == nil {
		out.set("properties", &jsonNode{kind: jsonObject, members: []jsonMember{}})
	}
	return out.appendJSON(nil), nil
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (w *schemaWalker) fail(at, format string, args ...any) error {
	where := w.where
	if at != "" {
		where += " at " + at
	}
	return fieldError(where, format, args...)
}

// walk normalises the schema n found at JSON pointer at, and returns it (a new node when
// a reference was inlined).
func (w *schemaWalker) walk(n *jsonNode, at string) (*jsonNode, error) {
	w.nodes++
	if w.nodes > maxSchemaNodes {
		return nil, w.fail("", "schema too large once its references are inlined (over %d nodes)", maxSchemaNodes)
	}
	if n.kind == jsonBool {
		return n, nil
	}
	if n.kind != jsonObject {
		return nil, w.fail(at, "a schema must be an object or a boolean, got %s", n.kindName())
	}
	if ref := n.get("$ref"); ref != nil {
		resolved, err := w.inline(n, ref, at)
		if err != nil {
			return nil, err
		}
		n = resolved
	}
	n.del("$schema")
	n.del("$id")
	n.del("$defs")
	n.del("definitions")
	if w.strict {
		if err := w.strictObject(n, at); err != nil {
			return nil, err
		}
	}
	for i := 0; i < len(n.members); i++ {
		m := &n.members[i]
		var err error
		switch m.key {
		case "properties", "patternProperties", "dependentSchemas":
			switch m.value.kind {
			case jsonNull:
				m.value = &jsonNode{kind: jsonObject, members: []jsonMember{}}
			case jsonObject:
				for j := range m.value.members {
					pm := &m.value.members[j]
					if pm.value, err = w.walk(pm.value, at+"/"+m.key+"/"+escapePointer(pm.key)); err != nil {
						return nil, err
					}
				}
			default:
				return nil, w.fail(at, "%s must be an object, got %s", m.key, m.value.kindName())
			}
		case "items", "additionalProperties", "not", "if", "then", "else", "contains",
			"propertyNames", "unevaluatedProperties", "unevaluatedItems", "additionalItems":
			switch m.value.kind {
			case jsonObject, jsonBool:
				m.value, err = w.walk(m.value, at+"/"+m.key)
			case jsonArray:
				if m.key != "items" {
					return nil, w.fail(at, "%s must be a schema, got an array", m.key)
				}
				err = w.walkAll(m.value, at+"/"+m.key)
			default:
				return nil, w.fail(at, "%s must be a schema, got %s", m.key, m.value.kindName())
			}
		case "anyOf", "allOf", "oneOf", "prefixItems":
			if m.value.kind != jsonArray {
				return nil, w.fail(at, "%s must be an array of schemas, got %s", m.key, m.value.kindName())
			}
			err = w.walkAll(m.value, at+"/"+m.key)
		}
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (w *schemaWalker) walkAll(arr *jsonNode, at string) error {
	for i, it := range arr.items {
		v, err := w.walk(it, at+"/"+strconv.Itoa(i))
		if err != nil {
			return err
		}
		arr.items[i] = v
	}
	return nil
}

// inline replaces a node holding $ref by a copy of its definition, with the node's other
// keywords laid over it.
func (w *schemaWalker) inline(n, ref *jsonNode, at string) (*jsonNode, error) {
	if ref.kind != jsonString {
		return nil, w.fail(at, "$ref must be a string")
	}
	def, ok := w.defs[ref.str]
	if !ok {
		return nil, w.fail(at, "$ref %q cannot be inlined: only references to the root's $defs or definitions can (Bedrock rejects $ref)", ref.str)
	}
	for _, s := range w.stack {
		if s == ref.str {
			return nil, w.fail(at, "$ref %q is recursive; Bedrock takes no $ref and a recursive schema cannot be inlined", ref.str)
		}
	}
	if def.kind == jsonBool {
		return def, nil
	}
	if def.kind != jsonObject {
		return nil, w.fail(at, "definition %q must be a schema object", ref.str)
	}
	w.stack = append(w.stack, ref.str)
	resolved, err := w.walk(def.clone(), at)
	w.stack = w.stack[:len(w.stack)-1]
	if err != nil {
		return nil, err
	}
	for _, m := range n.members {
		if m.key != "$ref" {
			resolved.set(m.key, m.value)
		}
	}
	return resolved, nil
}

// strictObject applies the strict-schema rules to one schema node.
func (w *schemaWalker) strictObject(n *jsonNode, at string) error {
	t := n.get("type")
	isObject := n.get("properties") != nil || (t != nil && (t.kind == jsonString && t.str == "object" || t.kind == jsonArray && containsString(t, "object")))
	if isObject {
		switch ap := n.get("additionalProperties"); {
		case ap == nil:
			n.set("additionalProperties", &jsonNode{kind: jsonBool})
		case ap.kind != jsonBool || ap.boolean:
			return w.fail(at, "strict schemas need additionalProperties false")
		}
	}
	for _, k := range strictUnsupported {
		if n.get(k) != nil {
			n.del(k)
			w.b.warn(llm.Warnf(llm.WarningDropped, w.where, "keyword %s at %q dropped: Bedrock does not support it in strict schemas", k, "#"+at))
		}
	}
	if mi := n.get("minItems"); mi != nil && mi.kind == jsonNumber && mi.str != "0" && mi.str != "1" {
		n.del("minItems")
		w.b.warn(llm.Warnf(llm.WarningDropped, w.where, "keyword minItems at %q dropped: Bedrock supports only 0 or 1 in strict schemas", "#"+at))
	}
	return nil
}

func containsString(arr *jsonNode, s string) bool {
	for _, it := range arr.items {
		if it.kind == jsonString && it.str == s {
			return true
		}
	}
	return false
}
