package bedrock

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/internal/outputtool"
	"github.com/llmkit/llmkit/llm"
)

// ParseStreamChunk translates one event of the SDK's ConverseStream into neutral
// [llm.Event]s. It does no I/O and keeps no state between calls, so it cannot know what
// came before: feed its events, in order, to an [llm.Accumulator] (as [Model.Stream]
// does) to assemble and check the answer.
//
// The mapping, by SDK event:
//   - messageStart: [llm.MessageStart].
//   - contentBlockStart with a tool use: [llm.ToolCallStart], with Server set for a
//     server-side tool. Text and reasoning blocks have no start event on Bedrock; their
//     first delta opens them.
//   - contentBlockDelta: text as [llm.TextDelta]; a tool input fragment as
//     [llm.ToolInputDelta]; reasoning text, signature or redacted bytes as
//     [llm.ReasoningDelta]; a citation as [llm.CitationDelta].
//   - contentBlockStop: [llm.BlockStop].
//   - messageStop: [llm.MessageStop], its stop reason mapped as [ParseResponse] maps it.
//     Being stateless, it cannot see tool calls, so an end_turn stays end_turn here;
//     [Model.Stream] turns an end_turn after tool calls into tool_use. The stop's
//     additional model response fields are not in these events; [Model.Stream] carries
//     them into the [ResponseExtra] of its [llm.Metadata].
//   - metadata: [llm.Metadata] with usage, latency, and a [*ResponseExtra] when Bedrock
//     sent a trace, performance configuration or service tier.
//
// What llmkit does not represent becomes an [llm.Warning] event: an unknown event type
// (an *types.UnknownUnionMember) and an unknown block start or delta member. The start
// of a server-side tool's result or of a streamed image is a warning too: their content
// arrives in deltas, which need memory of earlier events, so they give no event here;
// [Model.Stream] assembles them into one [llm.BlockPart]. A block start or a delta
// without a member the SDK knows (nil, or an *types.UnknownUnionMember) is skipped with
// a [llm.WarningSkipped] warning, never an error, so a delta type newer than the SDK
// does not break every stream; [Model.Stream] then drops that block's other events, as
// [ParseResponse] drops an unknown block. An event without a block index is an error.
func ParseStreamChunk(ev types.ConverseStreamOutput) ([]llm.Event, error) {
	return appendStreamChunk(nil, ev)
}

// appendStreamChunk is [ParseStreamChunk] appending to dst, so that the Model's stream
// loop reuses one slice for every event.
func appendStreamChunk(dst []llm.Event, ev types.ConverseStreamOutput) ([]llm.Event, error) {
	switch e := ev.(type) {
	case *types.ConverseStreamOutputMemberContentBlockDelta:
		if e.Value.ContentBlockIndex == nil {
			return dst, errors.New("bedrock: parse stream chunk: contentBlockDelta without contentBlockIndex")
		}
		return appendDelta(dst, int(*e.Value.ContentBlockIndex), e.Value.Delta)

	case *types.ConverseStreamOutputMemberContentBlockStart:
		if e.Value.ContentBlockIndex == nil {
			return dst, errors.New("bedrock: parse stream chunk: contentBlockStart without contentBlockIndex")
		}
		i := int(*e.Value.ContentBlockIndex)
		switch s := e.Value.Start.(type) {
		case *types.ContentBlockStartMemberToolUse:
			server := s.Value.Type == types.ToolUseTypeServerToolUse
			return append(dst, llm.ToolCallStart{Index: i, ID: outStr(s.Value.ToolUseId), Name: outStr(s.Value.Name), Server: server}), nil
		case *types.ContentBlockStartMemberToolResult:
			return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "server tool result for %s: its content arrives in deltas, which only a Model's stream assembles", outStr(s.Value.ToolUseId))), nil
		case *types.ContentBlockStartMemberImage:
			return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "streamed %s image: its bytes arrive in deltas, which only a Model's stream assembles", s.Value.Format)), nil
		case *types.UnknownUnionMember:
			return append(dst, unknownBlockWarning(i, s.Tag)), nil
		case nil:
			// A start member the SDK does not know may reach us as no start at all.
			return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "block start of an unknown kind skipped")), nil
		default:
			return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "unsupported block start %T skipped", s)), nil
		}

	case *types.ConverseStreamOutputMemberContentBlockStop:
		if e.Value.ContentBlockIndex == nil {
			return dst, errors.New("bedrock: parse stream chunk: contentBlockStop without contentBlockIndex")
		}
		return append(dst, llm.BlockStop{Index: int(*e.Value.ContentBlockIndex)}), nil

	case *types.ConverseStreamOutputMemberMessageStart:
		role := llm.RoleAssistant
		if e.Value.Role != "" && e.Value.Role != types.ConversationRoleAssistant {
			dst = append(dst, roleWarning(string(e.Value.Role)))
		}
		return append(dst, llm.MessageStart{Role: role}), nil

	case *types.ConverseStreamOutputMemberMessageStop:
		stop, raw := parseStopReason(e.Value.StopReason, false)
		return append(dst, llm.MessageStop{StopReason: stop, RawStopReason: raw}), nil

	case *types.ConverseStreamOutputMemberMetadata:
		md := llm.Metadata{Usage: parseUsage(e.Value.Usage)}
		if e.Value.Metrics != nil && e.Value.Metrics.LatencyMs != nil {
			md.Latency = time.Duration(*e.Value.Metrics.LatencyMs) * time.Millisecond
		}
		if e.Value.Trace != nil || e.Value.PerformanceConfig != nil || e.Value.ServiceTier != nil {
			extra := &ResponseExtra{PerformanceConfig: e.Value.PerformanceConfig, ServiceTier: e.Value.ServiceTier}
			if e.Value.Trace != nil {
				extra.Trace = &ResponseTrace{Guardrail: e.Value.Trace.Guardrail, PromptRouter: e.Value.Trace.PromptRouter}
			}
			md.Extra = extra
		}
		return append(dst, md), nil

	case *types.UnknownUnionMember:
		return append(dst, llm.Warnf(llm.WarningSkipped, "", "unknown stream event %q skipped", e.Tag)), nil
	case nil:
		return dst, errors.New("bedrock: parse stream chunk: nil event")
	default:
		return dst, fmt.Errorf("bedrock: parse stream chunk: unexpected event type %T", ev)
	}
}

func appendDelta(dst []llm.Event, i int, delta types.ContentBlockDelta) ([]llm.Event, error) {
	switch d := delta.(type) {
	case *types.ContentBlockDeltaMemberText:
		return append(dst, llm.TextDelta{Index: i, Text: d.Value}), nil
	case *types.ContentBlockDeltaMemberToolUse:
		return append(dst, llm.ToolInputDelta{Index: i, Fragment: outStr(d.Value.Input)}), nil
	case *types.ContentBlockDeltaMemberReasoningContent:
		switch r := d.Value.(type) {
		case *types.ReasoningContentBlockDeltaMemberText:
			return append(dst, llm.ReasoningDelta{Index: i, Text: r.Value}), nil
		case *types.ReasoningContentBlockDeltaMemberSignature:
			return append(dst, llm.ReasoningDelta{Index: i, Signature: r.Value}), nil
		case *types.ReasoningContentBlockDeltaMemberRedactedContent:
			return append(dst, llm.ReasoningDelta{Index: i, Redacted: r.Value}), nil
		case *types.UnknownUnionMember:
			return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "unknown reasoning delta %q skipped", r.Tag)), nil
		default:
			return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "reasoning delta of an unknown kind skipped")), nil
		}
	case *types.ContentBlockDeltaMemberCitation:
		return append(dst, llm.CitationDelta{Index: i, Citation: parseCitationDelta(&d.Value)}), nil
	case *types.ContentBlockDeltaMemberToolResult, *types.ContentBlockDeltaMemberImage:
		// Assembled by the Model's stream (streamTranslator), which keeps state.
		return dst, nil
	case *types.UnknownUnionMember:
		return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "unknown delta %q skipped", d.Tag)), nil
	case nil:
		// A delta member the SDK does not know may reach us as no delta at all; like an
		// unknown member, it is skipped, as ParseResponse skips an unknown block.
		return append(dst, llm.WarnBlockf(llm.WarningSkipped, i, "delta of an unknown kind skipped")), nil
	default:
		return dst, fmt.Errorf("bedrock: parse stream chunk: contentBlockDelta %d: unexpected delta type %T", i, d)
	}
}

// streamTranslator is the state [Model.Stream] keeps over a stream so that its events
// accumulate to what [Model.Generate] returns for the same answer: it is
// [ParseStreamChunk] plus what needs memory of earlier events.
//   - An end_turn after a tool call reads tool_use, as in [ParseResponse].
//   - The blocks ParseResponse skips (server-side tool use and results, images, unknown
//     block starts) lose their deltas and stops too, not only their start.
//   - The additional model response fields of messageStop join the [ResponseExtra] of
//     the metadata event, or of one added at the end.
//   - Structured output through the synthetic tool streams as text: the call's start is
//     dropped, its input fragments become [llm.TextDelta]s at the same index, further
//     calls of the tool are dropped, and the stop reason reads as outputtool.FromToolCall
//     makes it. Other text is held back until messageStop and then dropped when the
//     object came (with the warning Generate gives) or released when it did not.
type streamTranslator struct {
	objectTool  string
	objectIndex int // block index of the synthetic tool's first call, or -1
	objectCalls int
	toolCalls   bool  // a client tool call (not the synthetic tool) started
	skip        []int // block indexes whose events are dropped

	held    []llm.Event // text events held back in synthetic-tool mode
	heldIdx []int       // block indexes of held text

	fields     json.RawMessage // messageStop's additional model response fields
	fieldsSent bool
	meta       llm.Metadata  // the last metadata event
	native     bool          // native structured output was asked for
	parts      []pendingPart // blocks assembled from deltas, delivered whole at their stop
	stopped    bool          // messageStop arrived
	metadata   bool          // a metadata event arrived
	scratch    []llm.Event   // ParseStreamChunk's events before rewriting
}

func newStreamTranslator(p *converseParams) *streamTranslator {
	return &streamTranslator{objectTool: p.objectTool, native: p.native, objectIndex: -1}
}

// translate appends the events of ev to dst.
func (t *streamTranslator) translate(dst []llm.Event, ev types.ConverseStreamOutput) ([]llm.Event, error) {
	switch e := ev.(type) {
	case *types.ConverseStreamOutputMemberContentBlockStart:
		if e.Value.ContentBlockIndex != nil {
			i := int(*e.Value.ContentBlockIndex)
			switch s := e.Value.Start.(type) {
			case *types.ContentBlockStartMemberToolResult:
				t.parts = append(t.parts, pendingPart{index: i, part: llm.ToolResult{
					CallID: outStr(s.Value.ToolUseId), IsError: s.Value.Status == types.ToolResultStatusError, Server: true}})
				return dst, nil
			case *types.ContentBlockStartMemberImage:
				t.parts = append(t.parts, pendingPart{index: i, part: llm.Image{Format: string(s.Value.Format)}})
				return dst, nil
			case *types.UnknownUnionMember, nil:
				t.skip = append(t.skip, i)
			}
		}
	case *types.ConverseStreamOutputMemberContentBlockDelta:
		if p := t.pending(e.Value.ContentBlockIndex); p != nil {
			return dst, p.add(e.Value.Delta)
		}
	case *types.ConverseStreamOutputMemberContentBlockStop:
		if p := t.pending(e.Value.ContentBlockIndex); p != nil {
			return append(dst, llm.BlockPart{Index: p.index, Part: p.part}, llm.BlockStop{Index: p.index}), nil
		}
	case *types.ConverseStreamOutputMemberMetadata:
		t.metadata = true
	case *types.ConverseStreamOutputMemberMessageStop:
		t.stopped = true
		if e.Value.AdditionalModelResponseFields != nil {
			raw, err := responseDocJSON(e.Value.AdditionalModelResponseFields)
			if err != nil {
				return dst, fmt.Errorf("bedrock: parse stream chunk: additional model response fields: %w", err)
			}
			t.fields = raw
		}
	}
	var err error
	t.scratch, err = appendStreamChunk(t.scratch[:0], ev)
	if err != nil {
		return dst, err
	}
	for _, e := range t.scratch {
		dst = t.event(dst, e)
	}
	clear(t.scratch) // let the events be collected once the caller is done with them
	return dst, nil
}

func (t *streamTranslator) skipped(i int) bool {
	for _, s := range t.skip {
		if s == i {
			return true
		}
	}
	return false
}

func (t *streamTranslator) isHeld(i int) bool {
	for _, h := range t.heldIdx {
		if h == i {
			return true
		}
	}
	return false
}

// event appends e, rewritten, to dst.
func (t *streamTranslator) event(dst []llm.Event, e llm.Event) []llm.Event {
	switch v := e.(type) {
	case llm.ToolCallStart:
		return t.toolCallStart(dst, v)
	case llm.ToolInputDelta:
		if v.Index == t.objectIndex {
			return append(dst, llm.TextDelta{Index: v.Index, Text: v.Fragment})
		}
		if t.skipped(v.Index) {
			return dst
		}
	case llm.TextDelta:
		if t.skipped(v.Index) {
			return dst
		}
		if t.objectTool != "" {
			if !t.isHeld(v.Index) {
				t.heldIdx = append(t.heldIdx, v.Index)
			}
			t.held = append(t.held, e)
			return dst
		}
	case llm.ReasoningDelta:
		if t.skipped(v.Index) {
			return dst
		}
	case llm.BlockStop:
		if t.skipped(v.Index) {
			return dst
		}
		if t.objectTool != "" && t.isHeld(v.Index) {
			t.held = append(t.held, e)
			return dst
		}
	case llm.MessageStop:
		if t.objectIndex >= 0 {
			if len(t.held) > 0 {
				dst = append(dst, outputtool.WarnTextDropped)
			}
			if t.objectCalls > 1 {
				dst = append(dst, outputtool.WarnCalls(t.objectTool, t.objectCalls))
			}
			v.StopReason = outputtool.StopReason(v.StopReason, t.toolCalls)
		} else {
			dst = append(dst, t.held...)
			if t.toolCalls && v.StopReason == llm.StopReasonEndTurn {
				v.StopReason = llm.StopReasonToolUse
			}
		}
		t.held, t.heldIdx = nil, nil
		return append(dst, v)
	case llm.Metadata:
		t.meta = v
		if t.fields != nil {
			v.Extra = t.withFields(v.Extra)
			t.fieldsSent = true
		}
		return append(dst, v)
	}
	return append(dst, e)
}

// toolCallStart appends a tool call's start: a server-side tool's as it is; the
// synthetic structured-output tool's is dropped (its first call's input becomes text).
func (t *streamTranslator) toolCallStart(dst []llm.Event, v llm.ToolCallStart) []llm.Event {
	if !v.Server && t.objectTool != "" && v.Name == t.objectTool {
		t.objectCalls++
		if t.objectIndex < 0 {
			t.objectIndex = v.Index
		} else {
			t.skip = append(t.skip, v.Index)
		}
		return dst
	}
	if !v.Server {
		t.toolCalls = true
	}
	return append(dst, v)
}

// withFields returns extra (a *ResponseExtra or nil) with the additional fields added.
func (t *streamTranslator) withFields(extra any) *ResponseExtra {
	var x ResponseExtra
	if e, ok := extra.(*ResponseExtra); ok && e != nil {
		x = *e
	}
	x.AdditionalModelResponseFields = t.fields
	return &x
}

// end appends the events due when the stream ended cleanly: held text that never met a
// messageStop (the accumulator then reports the missing stop), and the additional model
// response fields when no metadata event followed the messageStop that carried them.
func (t *streamTranslator) end(dst []llm.Event) []llm.Event {
	dst = append(dst, t.held...)
	t.held, t.heldIdx = nil, nil
	if t.fields != nil && !t.fieldsSent {
		md := t.meta // the usage of an earlier metadata event, if any, is kept
		md.Extra = t.withFields(md.Extra)
		t.fieldsSent = true
		dst = append(dst, md)
	}
	return dst
}

// endErr is the error of a stream that ended cleanly after its messageStop but without
// its metadata event (RULES.md STREAM-NO-METADATA): the answer arrived, its usage did
// not.
func (t *streamTranslator) endErr(rid string) error {
	if !t.stopped || t.metadata {
		return nil
	}
	return &llm.ProviderError{Provider: "bedrock", Op: opConverseStream, RequestID: rid, Category: llm.ErrStream,
		Err: errors.New("bedrock: converse-stream: the stream ended after messageStop without its metadata event: usage unknown")}
}

// yieldEnd yields, once the stream's frames ended cleanly, the events of end and then
// the error of endErr, if any. Both decoders end with it; buf is their spare slice.
func (t *streamTranslator) yieldEnd(yield func(llm.Event, error) bool, buf []llm.Event, rid string) {
	for _, e := range t.end(buf[:0]) {
		if !yield(e, nil) {
			return
		}
	}
	if err := t.endErr(rid); err != nil {
		yield(nil, err)
	}
}

// finish completes the accumulated response of a stream that asked for structured
// output, as [applyObject] does for Generate: by then the synthetic tool's call is
// already the message text, so both mechanisms take the object from the text.
func (t *streamTranslator) finish(resp *llm.Response) {
	if t.objectTool != "" || t.native {
		outputtool.FromText(resp)
	}
}
