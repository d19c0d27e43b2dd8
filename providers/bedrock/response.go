package bedrock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	smithydocument "github.com/aws/smithy-go/document"

	"github.com/llmkit/llmkit/llm"
)

// ResponseExtra is the Bedrock-specific part of a response, found in [llm.Response.Extra]
// (and in the Extra of a streamed [llm.Metadata] event) when Bedrock returned any of it.
// A response with none of these fields has a nil Extra.
type ResponseExtra struct {
	// Trace is the guardrail and prompt-router trace, present when the request asked for
	// a guardrail trace or used a prompt router.
	Trace *ResponseTrace
	// PerformanceConfig and ServiceTier echo the latency setting and service tier that
	// served the request.
	PerformanceConfig *types.PerformanceConfiguration
	ServiceTier       *types.ServiceTier
	// AdditionalModelResponseFields holds, as JSON, the model-specific fields asked for
	// with the request's additional model response field paths.
	AdditionalModelResponseFields json.RawMessage
}

func (e *ResponseExtra) empty() bool {
	return e.Trace == nil && e.PerformanceConfig == nil && e.ServiceTier == nil && e.AdditionalModelResponseFields == nil
}

// ResponseTrace is Bedrock's trace of a call: the guardrail assessment and the model a
// prompt router chose. The Converse and ConverseStream operations report the same
// fields under two SDK types; both end up here.
type ResponseTrace struct {
	Guardrail    *types.GuardrailTraceAssessment
	PromptRouter *types.PromptRouterTrace
}

// ParseResponse translates the output of the SDK's Converse call into a neutral
// [llm.Response]. It does no I/O and keeps no state.
//
// Content blocks become parts: text (a citationsContent block's with its citations),
// tool use (its input kept as the exact JSON Bedrock sent; a server-side tool's with
// Server set) and a server-side tool's result, reasoning (text and signature, or
// redacted bytes), images, documents, video, audio and search results; guard content
// becomes the [llm.Opaque] part that sends it back, with a warning. Blocks llmkit does
// not represent — unknown blocks, which the SDK decodes as nil or as a repeated pointer
// to the block before, cache points, tool additions and removals — are skipped, each
// with a warning in [llm.Response.Warnings] naming its position. Stop reasons map to
// [llm.StopReason] (the raw value is kept in [llm.Response.RawStopReason]); end_turn
// with tool calls reads as tool_use. Usage includes cache reads and writes; Latency is
// Bedrock's reported latency; RequestID comes from the output's result metadata; trace,
// performance, service tier and additional response fields go to a [*ResponseExtra].
//
// It fails only when out holds no message, or a document in it (a tool input, a server
// tool's JSON result, the additional response fields) cannot be rendered as JSON.
func ParseResponse(out *bedrockruntime.ConverseOutput) (*llm.Response, error) {
	return parseResponse(out, nil)
}

// parseResponse is [ParseResponse] with the answer's body as it came, when a Model
// captured it: the blocks the SDK could not decode are then kept as [llm.Opaque] parts
// (RULES.md RESP-OPAQUE).
func parseResponse(out *bedrockruntime.ConverseOutput, body []byte) (*llm.Response, error) {
	if out == nil {
		return nil, errors.New("bedrock: parse response: nil output")
	}
	var msg *types.Message
	switch o := out.Output.(type) {
	case *types.ConverseOutputMemberMessage:
		msg = &o.Value
	case *types.UnknownUnionMember:
		return nil, fmt.Errorf("bedrock: parse response: unknown output member %q", o.Tag)
	case nil:
		return nil, errors.New("bedrock: parse response: response has no output message")
	default:
		return nil, fmt.Errorf("bedrock: parse response: unexpected output type %T", o)
	}

	resp := &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: make([]llm.Part, 0, len(msg.Content))},
		Usage:   parseUsage(out.Usage),
	}
	if msg.Role != "" && msg.Role != types.ConversationRoleAssistant {
		resp.Warnings = append(resp.Warnings, roleWarning(string(msg.Role)))
	}
	if out.Metrics != nil && out.Metrics.LatencyMs != nil {
		resp.Latency = time.Duration(*out.Metrics.LatencyMs) * time.Millisecond
	}
	if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); ok {
		resp.RequestID = id
	}

	hasToolCall := false
	var raw []json.RawMessage
	for i, block := range msg.Content {
		if block == nil || (i > 0 && sameBlock(block, msg.Content[i-1])) {
			if raw == nil && body != nil {
				raw = rawContent(body)
			}
			part, w := unknownBlock(i, raw, len(msg.Content))
			if part != nil {
				resp.Message.Parts = append(resp.Message.Parts, part)
			}
			resp.Warnings = append(resp.Warnings, w)
			continue
		}
		part, warnings, err := parseBlock(i, block)
		if err != nil {
			return nil, err
		}
		resp.Warnings = append(resp.Warnings, warnings...)
		if part == nil {
			continue
		}
		if c, ok := part.(llm.ToolCall); ok && !c.Server {
			hasToolCall = true
		}
		resp.Message.Parts = append(resp.Message.Parts, part)
	}

	resp.StopReason, resp.RawStopReason = parseStopReason(out.StopReason, hasToolCall)

	extra := ResponseExtra{PerformanceConfig: out.PerformanceConfig, ServiceTier: out.ServiceTier}
	if out.Trace != nil {
		extra.Trace = &ResponseTrace{Guardrail: out.Trace.Guardrail, PromptRouter: out.Trace.PromptRouter}
	}
	if out.AdditionalModelResponseFields != nil {
		raw, err := responseDocJSON(out.AdditionalModelResponseFields)
		if err != nil {
			return nil, fmt.Errorf("bedrock: parse response: additional model response fields: %w", err)
		}
		extra.AdditionalModelResponseFields = raw
	}
	if !extra.empty() {
		x := extra
		resp.Extra = &x
	}
	return resp, nil
}

// sameBlock reports whether a and b are the same pointer: the SDK decodes an unknown
// union member of a list as a repeat of the member before it (RULES.md SDK-UNKNOWN-UNION).
func sameBlock(a, b types.ContentBlock) bool {
	// Every ContentBlock member type is a pointer: interface equality is pointer
	// identity, and comparing cannot panic.
	return a == b
}

// unknownBlock keeps block i, which the SDK could not decode, as an opaque part when
// the answer's raw content (of n blocks) is known (RESP-OPAQUE); else it is skipped.
func unknownBlock(i int, raw []json.RawMessage, n int) (llm.Part, llm.Warning) {
	if len(raw) == n {
		if o, ok := opaqueBlock(raw[i]); ok {
			return o, llm.WarnBlockf(llm.WarningOpaque, i, "unknown block %q kept as an opaque Bedrock part", o.Kind)
		}
	}
	return nil, unknownBlockWarning(i, "")
}

func unknownBlockWarning(i int, tag string) llm.Warning {
	if tag != "" {
		return llm.WarnBlockf(llm.WarningSkipped, i, "unknown block %q skipped", tag)
	}
	return llm.WarnBlockf(llm.WarningSkipped, i, "unknown block skipped")
}

func roleWarning(role string) llm.Warning {
	return llm.Warnf(llm.WarningRepaired, "role", "output message has role %q, read as assistant", role)
}

// parseBlock translates content block i. A nil part with no error means the block was
// skipped; warnings say why.
func parseBlock(i int, block types.ContentBlock) (llm.Part, []llm.Warning, error) {
	switch b := block.(type) {
	case *types.ContentBlockMemberText:
		return llm.Text{Text: b.Value}, nil, nil
	case *types.ContentBlockMemberToolUse:
		input, err := toolInput(b.Value.Input)
		if err != nil {
			return nil, nil, fmt.Errorf("bedrock: parse response: content block %d: tool %s (%s): %w", i, outStr(b.Value.ToolUseId), outStr(b.Value.Name), err)
		}
		server := b.Value.Type == types.ToolUseTypeServerToolUse
		return llm.ToolCall{ID: outStr(b.Value.ToolUseId), Name: outStr(b.Value.Name), Input: input, Server: server}, nil, nil
	case *types.ContentBlockMemberReasoningContent:
		switch r := b.Value.(type) {
		case *types.ReasoningContentBlockMemberReasoningText:
			return llm.Reasoning{Text: outStr(r.Value.Text), Signature: outStr(r.Value.Signature)}, nil, nil
		case *types.ReasoningContentBlockMemberRedactedContent:
			return llm.Reasoning{Redacted: r.Value}, nil, nil
		case *types.UnknownUnionMember:
			return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "unknown reasoning content %q skipped", r.Tag)}, nil
		default:
			return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "empty reasoning content skipped")}, nil
		}
	case *types.ContentBlockMemberImage:
		img := llm.Image{Format: string(b.Value.Format)}
		switch s := b.Value.Source.(type) {
		case *types.ImageSourceMemberBytes:
			img.Data = s.Value
		case *types.ImageSourceMemberS3Location:
			img.URI = outStr(s.Value.Uri)
		default:
			return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "image without a usable source skipped")}, nil
		}
		return img, nil, nil
	case *types.ContentBlockMemberDocument:
		doc := llm.Document{Name: outStr(b.Value.Name), Format: string(b.Value.Format)}
		var warnings []llm.Warning
		if b.Value.Context != nil {
			warnings = append(warnings, llm.WarnBlockf(llm.WarningSkipped, i, "document context not represented"))
		}
		switch s := b.Value.Source.(type) {
		case *types.DocumentSourceMemberBytes:
			doc.Data = s.Value
		case *types.DocumentSourceMemberS3Location:
			doc.URI = outStr(s.Value.Uri)
		case *types.DocumentSourceMemberText:
			doc.Data = []byte(s.Value)
		default:
			return nil, append(warnings, llm.WarnBlockf(llm.WarningSkipped, i, "document without a usable source skipped")), nil
		}
		return doc, warnings, nil
	case *types.ContentBlockMemberCitationsContent:
		t, warnings := parseCitations(i, b.Value)
		return t, warnings, nil
	case *types.ContentBlockMemberVideo:
		part, w := parseVideo(i, b.Value)
		return part, w, nil
	case *types.ContentBlockMemberAudio:
		part, w := parseAudio(i, b.Value)
		return part, w, nil
	case *types.ContentBlockMemberGuardContent:
		part, w := parseGuardBlock(i, b.Value)
		return part, w, nil
	case *types.ContentBlockMemberSearchResult:
		return parseSearchResult(b.Value), nil, nil
	case *types.ContentBlockMemberToolResult:
		return parseServerToolResult(i, b.Value)
	case *types.UnknownUnionMember:
		return nil, []llm.Warning{unknownBlockWarning(i, b.Tag)}, nil
	default:
		// Cache points, tool additions and removals: valid in requests, not represented
		// in a neutral answer.
		return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "unsupported %s block skipped", blockName(block))}, nil
	}
}

// blockName names a content block member type the way the wire does.
func blockName(block types.ContentBlock) string {
	switch block.(type) {
	case *types.ContentBlockMemberCachePoint:
		return "cachePoint"
	case *types.ContentBlockMemberToolAddition:
		return "toolAddition"
	case *types.ContentBlockMemberToolRemoval:
		return "toolRemoval"
	}
	return fmt.Sprintf("%T", block)
}

// toolInput renders a tool-use input document as the JSON object Bedrock sent. It uses
// the document's own JSON (numbers kept as written), never a decode into any
// (RULES.md SDK-DOC-NUMBERS). A missing input is {}.
func toolInput(doc smithydocument.Marshaler) (json.RawMessage, error) {
	if doc == nil {
		return json.RawMessage("{}"), nil
	}
	raw, err := doc.MarshalSmithyDocument()
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return json.RawMessage("{}"), nil
	case raw[0] != '{' || !json.Valid(raw):
		return nil, fmt.Errorf("input is not a JSON object: %.64q", raw)
	}
	// raw is the marshaler's own fresh buffer: no copy needed.
	return raw, nil
}

// responseDocJSON returns the JSON form of an SDK document.
func responseDocJSON(doc smithydocument.Marshaler) (json.RawMessage, error) {
	raw, err := doc.MarshalSmithyDocument()
	if err != nil {
		return nil, err
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("document is not valid JSON: %.64q", raw)
	}
	return raw, nil
}

// parseStopReason maps Bedrock's stop reason to the neutral one, returning the raw
// value too. An end_turn whose turn holds tool calls reads as tool_use (RULES.md
// RESP-STOP). ParseResponse, ParseStreamChunk and the Model's stream share it.
func parseStopReason(r types.StopReason, hasToolCall bool) (llm.StopReason, string) {
	var s llm.StopReason
	switch r {
	case types.StopReasonEndTurn:
		s = llm.StopReasonEndTurn
		if hasToolCall {
			s = llm.StopReasonToolUse
		}
	case types.StopReasonToolUse:
		s = llm.StopReasonToolUse
	case types.StopReasonMaxTokens:
		s = llm.StopReasonMaxTokens
	case types.StopReasonStopSequence:
		s = llm.StopReasonStopSequence
	case types.StopReasonGuardrailIntervened, types.StopReasonContentFiltered:
		s = llm.StopReasonContentFiltered
	case types.StopReasonMalformedModelOutput, types.StopReasonMalformedToolUse:
		s = llm.StopReasonMalformedOutput
	case types.StopReasonModelContextWindowExceeded:
		s = llm.StopReasonContextWindowExceeded
	default:
		s = llm.StopReasonUnknown
	}
	return s, string(r)
}

// parseUsage converts Bedrock's token counts. Bedrock's inputTokens already excludes
// cache reads and writes, which is what [llm.Usage] documents.
func parseUsage(u *types.TokenUsage) llm.Usage {
	if u == nil {
		return llm.Usage{}
	}
	return llm.Usage{
		InputTokens:      int(outInt(u.InputTokens)),
		OutputTokens:     int(outInt(u.OutputTokens)),
		TotalTokens:      int(outInt(u.TotalTokens)),
		CacheReadTokens:  int(outInt(u.CacheReadInputTokens)),
		CacheWriteTokens: int(outInt(u.CacheWriteInputTokens)),
	}
}

func outStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func outInt(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
