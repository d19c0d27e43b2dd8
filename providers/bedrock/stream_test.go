package bedrock

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
)

func idx(i int32) *int32 { return &i }

// Constructors for SDK stream events.
func evMessageStart() types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberMessageStart{Value: types.MessageStartEvent{Role: types.ConversationRoleAssistant}}
}

func evText(i int32, s string) types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{ContentBlockIndex: idx(i), Delta: &types.ContentBlockDeltaMemberText{Value: s}}}
}

func evToolStart(i int32, id, name string) types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberContentBlockStart{Value: types.ContentBlockStartEvent{ContentBlockIndex: idx(i), Start: &types.ContentBlockStartMemberToolUse{Value: types.ToolUseBlockStart{ToolUseId: aws.String(id), Name: aws.String(name)}}}}
}

func evToolInput(i int32, frag string) types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{ContentBlockIndex: idx(i), Delta: &types.ContentBlockDeltaMemberToolUse{Value: types.ToolUseBlockDelta{Input: aws.String(frag)}}}}
}

func evReasoning(i int32, d types.ReasoningContentBlockDelta) types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{ContentBlockIndex: idx(i), Delta: &types.ContentBlockDeltaMemberReasoningContent{Value: d}}}
}

func evStop(i int32) types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberContentBlockStop{Value: types.ContentBlockStopEvent{ContentBlockIndex: idx(i)}}
}

func evMessageStop(r types.StopReason) types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberMessageStop{Value: types.MessageStopEvent{StopReason: r}}
}

func evMetadata(in, out int32, latencyMs int64) types.ConverseStreamOutput {
	return &types.ConverseStreamOutputMemberMetadata{Value: types.ConverseStreamMetadataEvent{
		Usage:   &types.TokenUsage{InputTokens: aws.Int32(in), OutputTokens: aws.Int32(out), TotalTokens: aws.Int32(in + out)},
		Metrics: &types.ConverseStreamMetrics{LatencyMs: aws.Int64(latencyMs)},
	}}
}

// TestParseStreamChunk maps each SDK stream event type.
func TestParseStreamChunk(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		ev     types.ConverseStreamOutput
		want   []llm.Event
	}{
		{"message_start", "opens the answer", evMessageStart(), []llm.Event{llm.MessageStart{Role: llm.RoleAssistant}}},
		{"message_start_other_role", "a role other than assistant is read as assistant, with a warning",
			&types.ConverseStreamOutputMemberMessageStart{Value: types.MessageStartEvent{Role: types.ConversationRoleUser}},
			[]llm.Event{roleWarning("user"), llm.MessageStart{Role: llm.RoleAssistant}}},
		{"text_delta", "STREAM-BLOCKS: text arrives without a block start", evText(0, "Hel"), []llm.Event{llm.TextDelta{Index: 0, Text: "Hel"}}},
		{"tool_start", "STREAM-BLOCKS: a tool block opens with its id and name", evToolStart(2, "t1", "add"), []llm.Event{llm.ToolCallStart{Index: 2, ID: "t1", Name: "add"}}},
		{"tool_input", "STREAM-BLOCKS: tool input arrives as JSON fragments", evToolInput(2, `{"a":`), []llm.Event{llm.ToolInputDelta{Index: 2, Fragment: `{"a":`}}},
		{"tool_input_nil", "a delta with no input is an empty fragment", evToolInput(2, ""), []llm.Event{llm.ToolInputDelta{Index: 2}}},
		{"reasoning_text", "RESP-REASONING: reasoning text", evReasoning(0, &types.ReasoningContentBlockDeltaMemberText{Value: "hmm"}), []llm.Event{llm.ReasoningDelta{Index: 0, Text: "hmm"}}},
		{"reasoning_signature", "RESP-REASONING: the signature follows the text", evReasoning(0, &types.ReasoningContentBlockDeltaMemberSignature{Value: "sig"}), []llm.Event{llm.ReasoningDelta{Index: 0, Signature: "sig"}}},
		{"reasoning_redacted", "RESP-REASONING: redacted reasoning arrives as bytes", evReasoning(1, &types.ReasoningContentBlockDeltaMemberRedactedContent{Value: []byte{9, 8}}), []llm.Event{llm.ReasoningDelta{Index: 1, Redacted: []byte{9, 8}}}},
		{"reasoning_unknown", "SDK-UNKNOWN-UNION: an unknown reasoning member is a warning", evReasoning(1, &types.UnknownUnionMember{Tag: "dream"}), []llm.Event{llm.WarnBlockf(llm.WarningSkipped, 1, "%s", "unknown reasoning delta \"dream\" skipped")}},
		{"block_stop", "closes the block", evStop(3), []llm.Event{llm.BlockStop{Index: 3}}},
		{"message_stop", "RESP-STOP: the stop reason maps as in ParseResponse", evMessageStop(types.StopReasonMaxTokens), []llm.Event{llm.MessageStop{StopReason: llm.StopReasonMaxTokens, RawStopReason: "max_tokens"}}},
		{"message_stop_unknown", "RESP-STOP: an unknown stop reason is kept raw", evMessageStop("meteor"), []llm.Event{llm.MessageStop{StopReason: llm.StopReasonUnknown, RawStopReason: "meteor"}}},
		{"metadata", "STREAM-METADATA: usage with cache counts and latency",
			&types.ConverseStreamOutputMemberMetadata{Value: types.ConverseStreamMetadataEvent{
				Usage:   &types.TokenUsage{InputTokens: aws.Int32(1), OutputTokens: aws.Int32(2), TotalTokens: aws.Int32(13), CacheReadInputTokens: aws.Int32(7), CacheWriteInputTokens: aws.Int32(3)},
				Metrics: &types.ConverseStreamMetrics{LatencyMs: aws.Int64(250)},
			}},
			[]llm.Event{llm.Metadata{Usage: llm.Usage{InputTokens: 1, OutputTokens: 2, TotalTokens: 13, CacheReadTokens: 7, CacheWriteTokens: 3}, Latency: 250 * time.Millisecond}}},
		{"metadata_trace", "a guardrail trace, service tier and performance setting go to ResponseExtra",
			&types.ConverseStreamOutputMemberMetadata{Value: types.ConverseStreamMetadataEvent{
				Trace:             &types.ConverseStreamTrace{Guardrail: &types.GuardrailTraceAssessment{ActionReason: aws.String("blocked")}},
				ServiceTier:       &types.ServiceTier{Type: types.ServiceTierTypePriority},
				PerformanceConfig: &types.PerformanceConfiguration{Latency: types.PerformanceConfigLatencyStandard},
			}},
			[]llm.Event{llm.Metadata{Extra: &ResponseExtra{
				Trace:             &ResponseTrace{Guardrail: &types.GuardrailTraceAssessment{ActionReason: aws.String("blocked")}},
				ServiceTier:       &types.ServiceTier{Type: types.ServiceTierTypePriority},
				PerformanceConfig: &types.PerformanceConfiguration{Latency: types.PerformanceConfigLatencyStandard},
			}}}},
		{"unknown_event", "SDK-UNKNOWN-UNION: an unknown event type is a warning, not an error", &types.UnknownUnionMember{Tag: "weather", Value: []byte("x")},
			[]llm.Event{llm.Warnf(llm.WarningSkipped, "", "unknown stream event %q skipped", "weather")}},
		{"unknown_delta", "SDK-UNKNOWN-UNION: an unknown delta member is a warning",
			&types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{ContentBlockIndex: idx(4), Delta: &types.UnknownUnionMember{Tag: "smell"}}},
			[]llm.Event{llm.WarnBlockf(llm.WarningSkipped, 4, "%s", "unknown delta \"smell\" skipped")}},
		{"unknown_start", "SDK-UNKNOWN-UNION: an unknown block start is a warning",
			&types.ConverseStreamOutputMemberContentBlockStart{Value: types.ContentBlockStartEvent{ContentBlockIndex: idx(1), Start: &types.UnknownUnionMember{Tag: "hologram"}}},
			[]llm.Event{llm.WarnBlockf(llm.WarningSkipped, 1, "unknown block %q skipped", "hologram")}},
		{"citation_delta", "RESP-CITATIONS: a citation delta is a CitationDelta for its text block",
			&types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{ContentBlockIndex: idx(0), Delta: &types.ContentBlockDeltaMemberCitation{Value: types.CitationsDelta{Title: aws.String("atlas"),
				Location: &types.CitationLocationMemberWeb{Value: types.WebLocation{Url: aws.String("https://a.example/x"), Domain: aws.String("a.example")}}}}}},
			[]llm.Event{llm.CitationDelta{Index: 0, Citation: llm.Citation{Title: "atlas", Location: llm.CitationLocation{Kind: llm.CiteWeb, URL: "https://a.example/x", Domain: "a.example"}}}}},
		{"server_tool_start", "REQ-SERVER-TOOLS: a server-side tool call starts with Server set",
			&types.ConverseStreamOutputMemberContentBlockStart{Value: types.ContentBlockStartEvent{ContentBlockIndex: idx(0), Start: &types.ContentBlockStartMemberToolUse{Value: types.ToolUseBlockStart{ToolUseId: aws.String("s"), Name: aws.String("nova_grounding"), Type: types.ToolUseTypeServerToolUse}}}},
			[]llm.Event{llm.ToolCallStart{Index: 0, ID: "s", Name: "nova_grounding", Server: true}}},
		{"server_tool_result_delta", "the content of a server tool result is assembled by the Model's stream, which keeps state; the stateless parser gives nothing",
			&types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{ContentBlockIndex: idx(1), Delta: &types.ContentBlockDeltaMemberToolResult{}}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStreamChunk(tt.ev)
			if err != nil {
				t.Fatalf("ParseStreamChunk(%s) error: %v (%s)", tt.name, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got, sdkFields); diff != "" {
				t.Errorf("ParseStreamChunk(%s) mismatch (-want +got), %s:\n%s", tt.name, tt.reason, diff)
			}
		})
	}
}

func TestParseStreamChunkErrors(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		ev     types.ConverseStreamOutput
		want   string
	}{
		{"nil", "no event", nil, "bedrock: parse stream chunk: nil event"},
		{"delta_no_index", "a delta must name its block",
			&types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{Delta: &types.ContentBlockDeltaMemberText{Value: "x"}}},
			"bedrock: parse stream chunk: contentBlockDelta without contentBlockIndex"},
		{"start_no_index", "a start must name its block", &types.ConverseStreamOutputMemberContentBlockStart{},
			"bedrock: parse stream chunk: contentBlockStart without contentBlockIndex"},
		{"stop_no_index", "a stop must name its block", &types.ConverseStreamOutputMemberContentBlockStop{},
			"bedrock: parse stream chunk: contentBlockStop without contentBlockIndex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStreamChunk(tt.ev)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseStreamChunk(%s) = %v, %v; want error %q (%s)", tt.name, got, err, tt.want, tt.reason)
			}
		})
	}
}

// accumulate runs SDK events through ParseStreamChunk and an llm.Accumulator.
func accumulate(evs []types.ConverseStreamOutput) (*llm.Response, error) {
	var acc llm.Accumulator
	for _, ev := range evs {
		out, err := ParseStreamChunk(ev)
		if err != nil {
			return nil, err
		}
		for _, e := range out {
			if err := acc.Add(e); err != nil {
				return nil, err
			}
		}
	}
	return acc.Response()
}

// TestStreamSequences accumulates whole event sequences: the stream rules of RULES.md
// (STREAM-*), and the response rules a stream shares.
func TestStreamSequences(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		evs     []types.ConverseStreamOutput
		want    *llm.Response
		wantErr string
	}{{
		name:   "text_without_block_start",
		reason: "STREAM-BLOCKS: text blocks may arrive without contentBlockStart",
		evs:    []types.ConverseStreamOutput{evMessageStart(), evText(0, "Hel"), evText(0, "lo"), evStop(0), evMessageStop(types.StopReasonEndTurn), evMetadata(3, 2, 10)},
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "Hello"}}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 2, TotalTokens: 5}, Latency: 10 * time.Millisecond,
		},
	}, {
		name:   "two_tools_interleaved",
		reason: "STREAM-BLOCKS: several tool blocks per turn, fragments keyed by block index, parsed at the end",
		evs: []types.ConverseStreamOutput{
			evMessageStart(), evText(0, "ok"), evStop(0),
			evToolStart(1, "a", "f"), evToolStart(2, "b", "g"),
			evToolInput(2, `{"y"`), evToolInput(1, `{"x":`), evToolInput(1, `1}`), evToolInput(2, `:2}`),
			evStop(1), evStop(2), evMessageStop(types.StopReasonToolUse), evMetadata(1, 1, 1),
		},
		want: &llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.Text{Text: "ok"}, llm.ToolCall{ID: "a", Name: "f", Input: json.RawMessage(`{"x":1}`)}, llm.ToolCall{ID: "b", Name: "g", Input: json.RawMessage(`{"y":2}`)},
			}},
			StopReason: llm.StopReasonToolUse, RawStopReason: "tool_use",
			Usage: llm.Usage{InputTokens: 1, OutputTokens: 1, TotalTokens: 2}, Latency: time.Millisecond,
		},
	}, {
		name:   "metadata_before_message_stop",
		reason: "STREAM-METADATA: metadata may come before messageStop",
		evs:    []types.ConverseStreamOutput{evMessageStart(), evText(0, "x"), evMetadata(4, 4, 4), evMessageStop(types.StopReasonEndTurn)},
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "x"}}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Usage: llm.Usage{InputTokens: 4, OutputTokens: 4, TotalTokens: 8}, Latency: 4 * time.Millisecond,
		},
	}, {
		name:   "reasoning_text_signature_redacted",
		reason: "RESP-REASONING: reasoning text, then its signature; redacted bytes in their own block",
		evs: []types.ConverseStreamOutput{
			evMessageStart(),
			evReasoning(0, &types.ReasoningContentBlockDeltaMemberText{Value: "let me "}),
			evReasoning(0, &types.ReasoningContentBlockDeltaMemberText{Value: "think"}),
			evReasoning(0, &types.ReasoningContentBlockDeltaMemberSignature{Value: "SIG"}), evStop(0),
			evReasoning(1, &types.ReasoningContentBlockDeltaMemberRedactedContent{Value: []byte{1, 2}}), evStop(1),
			evText(2, "done"), evStop(2), evMessageStop(types.StopReasonEndTurn),
		},
		want: &llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.Reasoning{Text: "let me think", Signature: "SIG"}, llm.Reasoning{Redacted: []byte{1, 2}}, llm.Text{Text: "done"},
			}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
		},
	}, {
		name:   "max_tokens_inside_tool_call",
		reason: "RESP-CUT-CALL: a call cut by max_tokens is never returned as a call; the truncation is reported",
		evs:    []types.ConverseStreamOutput{evMessageStart(), evToolStart(0, "t", "f"), evToolInput(0, `{"a":`), evMessageStop(types.StopReasonMaxTokens)},
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{}},
			StopReason: llm.StopReasonMaxTokens, RawStopReason: "max_tokens",
			Warnings: []llm.Warning{llm.WarnBlockf(llm.WarningTruncated, 0, "tool call t (f) was cut by max_tokens and left out: its input is incomplete")},
		},
	}, {
		name:   "unknown_event_mid_stream",
		reason: "SDK-UNKNOWN-UNION: an unknown event is a warning on the response, the stream goes on",
		evs:    []types.ConverseStreamOutput{evMessageStart(), &types.UnknownUnionMember{Tag: "future"}, evText(0, "x"), evMessageStop(types.StopReasonEndTurn)},
		want: &llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "x"}}},
			StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
			Warnings: []llm.Warning{llm.Warnf(llm.WarningSkipped, "", "unknown stream event %q skipped", "future")},
		},
	}, {
		name:    "no_message_stop",
		reason:  "STREAM-ERRORS: a stream that ends without messageStop is an error, not a short success",
		evs:     []types.ConverseStreamOutput{evMessageStart(), evText(0, "par")},
		wantErr: "llm: stream: stream ended without a message stop",
	}, {
		name:    "delta_for_unknown_tool_block",
		reason:  "a tool input fragment for a block that never started is an error",
		evs:     []types.ConverseStreamOutput{evMessageStart(), evToolInput(3, "{}")},
		wantErr: "llm: stream: delta for block 3 that never started",
	}, {
		name:    "stop_before_start",
		reason:  "a block stop for a block never started is an error",
		evs:     []types.ConverseStreamOutput{evMessageStart(), evStop(0)},
		wantErr: "llm: stream: stop for block 0 that never started",
	}, {
		name:    "broken_tool_json",
		reason:  "STREAM-BLOCKS: tool input is parsed at the end; broken JSON with a normal stop is an error",
		evs:     []types.ConverseStreamOutput{evMessageStart(), evToolStart(0, "t", "f"), evToolInput(0, `{"a":`), evStop(0), evMessageStop(types.StopReasonToolUse)},
		wantErr: `llm: stream: tool call t (f) in block 0: input is not a JSON object: "{\"a\":"`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := accumulate(tt.evs)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("accumulate(%s) = %v, %v; want error %q (%s)", tt.name, got, err, tt.wantErr, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("accumulate(%s) error: %v (%s)", tt.name, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got, jsonEqual); diff != "" {
				t.Errorf("accumulate(%s) mismatch (-want +got), %s:\n%s", tt.name, tt.reason, diff)
			}
		})
	}
}

// decodeConverseStream runs the real SDK client against a loopback server that answers
// with the recorded chunks, and returns the SDK events and the stream's error.
func decodeConverseStream(t testing.TB, chunks [][]byte) ([]types.ConverseStreamOutput, error) {
	evs, _, err := decodeConverseStreamID(t, chunks, "stream-req")
	return evs, err
}

// decodeConverseStreamID is decodeConverseStream with the request id the server answers
// with, and returns the id the SDK read.
func decodeConverseStreamID(t testing.TB, chunks [][]byte, requestID string) ([]types.ConverseStreamOutput, string, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.Header().Set("X-Amzn-Requestid", requestID)
		for _, c := range chunks {
			w.Write(c)
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	out, err := testSDKClient(srv.URL).ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{ModelId: aws.String("test-model")})
	if err != nil {
		t.Fatalf("ConverseStream: %v", err)
	}
	rid, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	s := out.GetStream()
	defer s.Close()
	var evs []types.ConverseStreamOutput
	for ev := range s.Events() {
		evs = append(evs, ev)
	}
	return evs, rid, s.Err()
}

// TestStreamFixtures decodes every recorded stream with the SDK, runs its events through
// ParseStreamChunk and an Accumulator, and compares the answer with its golden file.
func TestStreamFixtures(t *testing.T) {
	n := 0
	for name, f := range fixtures(t) {
		if len(f.Chunks) == 0 {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			chunks := make([][]byte, len(f.Chunks))
			for i, c := range f.Chunks {
				chunks[i] = c.B64
			}
			evs, rid, err := decodeConverseStreamID(t, chunks, f.Response.Headers.Get("x-amzn-requestid"))
			if err != nil {
				t.Fatalf("stream %s: %v", name, err)
			}
			resp, err := accumulate(evs)
			if err != nil {
				t.Fatalf("accumulate(%s) error: %v", name, err)
			}
			resp.RequestID = rid // as Model.Stream does, from the HTTP response
			if resp.Usage.TotalTokens == 0 {
				t.Errorf("accumulate(%s).Usage = %+v, want the metadata's usage", name, resp.Usage)
			}
			checkGolden(t, filepath.Join("testdata", "response", name+".json"), goldenJSON(t, resp))
		})
	}
	if n == 0 {
		t.Fatal("no stream fixtures")
	}
}

// TestParseStreamChunkAllocs pins the hot path's allocations: one for the event value
// in its interface, one for the slice ParseStreamChunk returns; none beyond the event
// itself when appending to a reused slice, as the Model's stream does.
func TestParseStreamChunkAllocs(t *testing.T) {
	text := evText(0, "hello")
	tool := evToolInput(1, `{"a":1}`)
	stop := evStop(0)
	buf := make([]llm.Event, 0, 4)
	tr := newStreamTranslator(&converseParams{}) // the Model's per-event path
	tests := []struct {
		name string
		ev   types.ConverseStreamOutput
		f    func(types.ConverseStreamOutput)
		want float64
	}{
		{"ParseStreamChunk(text)", text, func(ev types.ConverseStreamOutput) { ParseStreamChunk(ev) }, 2},
		{"ParseStreamChunk(toolInput)", tool, func(ev types.ConverseStreamOutput) { ParseStreamChunk(ev) }, 2},
		{"appendStreamChunk(text)", text, func(ev types.ConverseStreamOutput) { buf, _ = appendStreamChunk(buf[:0], ev) }, 1},
		{"appendStreamChunk(blockStop)", stop, func(ev types.ConverseStreamOutput) { buf, _ = appendStreamChunk(buf[:0], ev) }, 0},
		{"streamTranslator.translate(text)", text, func(ev types.ConverseStreamOutput) { buf, _ = tr.translate(buf[:0], ev) }, 1},
		{"streamTranslator.translate(toolInput)", tool, func(ev types.ConverseStreamOutput) { buf, _ = tr.translate(buf[:0], ev) }, 1},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, func() { tt.f(tt.ev) }); got > tt.want {
			t.Errorf("%s allocates %v times per call, want at most %v", tt.name, got, tt.want)
		}
	}
}

// FuzzStreamChunks feeds random sequences of SDK stream events through ParseStreamChunk
// and an Accumulator: nothing panics, a sequence that accumulates has each text block
// equal to its deltas and every tool input a JSON object, and broken sequences are
// errors.
func FuzzStreamChunks(f *testing.F) {
	f.Add([]byte{0, 1, 1, 3, 5, 6})
	f.Add([]byte{0, 2, 0x13, 0x13, 3, 5})
	f.Add([]byte{0, 3, 5})
	f.Add([]byte{4, 2, 0x23, 5, 6, 5})
	f.Add([]byte{0, 0x12, 0x13, 0x33, 0x13, 0x43, 0x14, 5, 6})
	frags := []string{`{"a":`, `1}`, `{}`, `"x"`, ``, `}`, `[`, `{"b":[1,2]}`}
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 256 {
			ops = ops[:256]
		}
		var acc llm.Accumulator
		texts := map[int]string{}
		var seqErr error
		for k, op := range ops {
			i := int32(op >> 4 & 3)
			var ev types.ConverseStreamOutput
			switch op & 15 {
			case 0:
				ev = evMessageStart()
			case 1:
				ev = evText(i, string(rune('a'+k%26)))
			case 2:
				ev = evToolStart(i, "id", "tool")
			case 3:
				ev = evToolInput(i, frags[k%len(frags)])
			case 4:
				ev = evReasoning(i, &types.ReasoningContentBlockDeltaMemberText{Value: "r"})
			case 5:
				ev = evStop(i)
			case 6:
				ev = evMessageStop([]types.StopReason{types.StopReasonEndTurn, types.StopReasonToolUse, types.StopReasonMaxTokens}[k%3])
			case 7:
				ev = evMetadata(1, 2, 3)
			case 8:
				ev = &types.UnknownUnionMember{Tag: "x"}
			case 9:
				ev = &types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{ContentBlockIndex: idx(i), Delta: &types.UnknownUnionMember{Tag: "y"}}}
			case 10:
				ev = &types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{Delta: &types.ContentBlockDeltaMemberText{Value: "z"}}}
			case 11:
				ev = nil
			default:
				ev = evReasoning(i, &types.ReasoningContentBlockDeltaMemberSignature{Value: "s"})
			}
			evs, err := ParseStreamChunk(ev)
			if err != nil {
				if op&15 != 10 && op&15 != 11 {
					t.Fatalf("ParseStreamChunk(op %#x) error for a well-formed event: %v", op, err)
				}
				seqErr = err
				break
			}
			for _, e := range evs {
				if err := acc.Add(e); err != nil {
					seqErr = err
					break
				}
				if td, ok := e.(llm.TextDelta); ok {
					texts[td.Index] += td.Text
				}
			}
			if seqErr != nil {
				break
			}
		}
		if seqErr != nil {
			if seqErr.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		resp, err := acc.Response()
		if err != nil {
			return
		}
		var gotTexts []string
		for _, p := range resp.Message.Parts {
			switch v := p.(type) {
			case llm.Text:
				gotTexts = append(gotTexts, v.Text)
			case llm.ToolCall:
				if _, err := llm.ObjectInput(v.Input); err != nil {
					t.Fatalf("accumulated tool call input %q is not a JSON object", v.Input)
				}
			}
		}
		var wantTexts []string
		for i := range 4 {
			if s, ok := texts[i]; ok {
				wantTexts = append(wantTexts, s)
			}
		}
		if diff := cmp.Diff(wantTexts, gotTexts); diff != "" {
			t.Fatalf("accumulated text blocks mismatch (-want +got):\n%s", diff)
		}
	})
}

func BenchmarkParseStreamChunk(b *testing.B) {
	for _, bc := range []struct {
		name string
		ev   types.ConverseStreamOutput
	}{
		{"text", evText(0, "a realistic token")},
		{"toolInput", evToolInput(1, `{"location":`)},
		{"metadata", evMetadata(100, 200, 300)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseStreamChunk(bc.ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAccumulate measures ParseStreamChunk plus accumulation per streamed answer;
// ns/op divided by the delta count must stay flat from 1,000 to 100,000 deltas.
func BenchmarkAccumulate(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		evs := make([]types.ConverseStreamOutput, 0, n+3)
		evs = append(evs, evMessageStart())
		for range n {
			evs = append(evs, evText(0, "token "))
		}
		evs = append(evs, evStop(0), evMessageStop(types.StopReasonEndTurn), evMetadata(10, int32(n), 5))
		b.Run(fmt.Sprintf("%ddeltas", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var acc llm.Accumulator
				for _, ev := range evs {
					out, err := ParseStreamChunk(ev)
					if err != nil {
						b.Fatal(err)
					}
					for _, e := range out {
						if err := acc.Add(e); err != nil {
							b.Fatal(err)
						}
					}
				}
				if _, err := acc.Response(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delta")
		})
	}
}

// TestAccumulateLinear: streaming through ParseStreamChunk and an Accumulator allocates
// the same per delta for a short and a long answer — no quadratic copying: the cost
// is linear in the stream's size.
func TestAccumulateLinear(t *testing.T) {
	perDelta := func(n int) float64 {
		evs := make([]types.ConverseStreamOutput, 0, n+2)
		evs = append(evs, evMessageStart())
		for range n {
			evs = append(evs, evText(0, "token "))
		}
		evs = append(evs, evMessageStop(types.StopReasonEndTurn))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := accumulate(evs); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	}
	short, long := perDelta(1_000), perDelta(50_000)
	if long > 2*short {
		t.Errorf("accumulating allocates %.0f B/delta for 50,000 deltas, %.0f B/delta for 1,000: want it flat", long, short)
	}
}
