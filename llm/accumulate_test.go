package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAccumulator(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		events []Event
		want   *Response
	}{
		{
			name:   "text_without_block_start",
			reason: "Bedrock sends text deltas without contentBlockStart (STREAM-BLOCKS)",
			events: []Event{
				MessageStart{Role: RoleAssistant},
				TextDelta{Index: 0, Text: "Hel"},
				TextDelta{Index: 0, Text: "lo"},
				BlockStop{Index: 0},
				MessageStop{StopReason: StopReasonEndTurn, RawStopReason: "end_turn"},
				Metadata{Usage: Usage{InputTokens: 3, OutputTokens: 2, TotalTokens: 5}},
			},
			want: &Response{
				Message:       Message{Role: RoleAssistant, Parts: []Part{Text{Text: "Hello"}}},
				StopReason:    StopReasonEndTurn,
				RawStopReason: "end_turn",
				Usage:         Usage{InputTokens: 3, OutputTokens: 2, TotalTokens: 5},
			},
		},
		{
			name:   "two_tool_calls_in_fragments",
			reason: "several tool calls per turn, input in fragments, parsed at the end (STREAM-BLOCKS)",
			events: []Event{
				MessageStart{Role: RoleAssistant},
				TextDelta{Index: 0, Text: "Let me check."},
				BlockStop{Index: 0},
				ToolCallStart{Index: 1, ID: "a", Name: "add"},
				ToolInputDelta{Index: 1, Fragment: `{"a":`},
				ToolCallStart{Index: 2, ID: "b", Name: "mul"},
				ToolInputDelta{Index: 2, Fragment: `{"x":2,`},
				ToolInputDelta{Index: 1, Fragment: `1}`},
				ToolInputDelta{Index: 2, Fragment: `"y":3}`},
				BlockStop{Index: 1},
				BlockStop{Index: 2},
				MessageStop{StopReason: StopReasonToolUse, RawStopReason: "tool_use"},
			},
			want: &Response{
				Message: Message{Role: RoleAssistant, Parts: []Part{
					Text{Text: "Let me check."},
					ToolCall{ID: "a", Name: "add", Input: json.RawMessage(`{"a":1}`)},
					ToolCall{ID: "b", Name: "mul", Input: json.RawMessage(`{"x":2,"y":3}`)},
				}},
				StopReason:    StopReasonToolUse,
				RawStopReason: "tool_use",
			},
		},
		{
			name:   "empty_tool_input_is_empty_object",
			reason: "a tool without arguments streams no input; Bedrock needs {} (REQ-TOOL-INPUT)",
			events: []Event{
				ToolCallStart{Index: 0, ID: "t", Name: "now"},
				BlockStop{Index: 0},
				MessageStop{StopReason: StopReasonToolUse},
			},
			want: &Response{
				Message:    Message{Role: RoleAssistant, Parts: []Part{ToolCall{ID: "t", Name: "now", Input: json.RawMessage(`{}`)}}},
				StopReason: StopReasonToolUse,
			},
		},
		{
			name:   "reasoning_text_signature_redacted",
			reason: "reasoning keeps text, signature and redacted bytes exactly for replay (RESP-REASONING)",
			events: []Event{
				ReasoningDelta{Index: 0, Text: "think"},
				ReasoningDelta{Index: 0, Text: "ing"},
				ReasoningDelta{Index: 0, Signature: "sig=="},
				BlockStop{Index: 0},
				ReasoningDelta{Index: 1, Redacted: []byte{1, 2}},
				ReasoningDelta{Index: 1, Redacted: []byte{3}},
				BlockStop{Index: 1},
				TextDelta{Index: 2, Text: "answer"},
				MessageStop{StopReason: StopReasonEndTurn},
			},
			want: &Response{
				Message: Message{Role: RoleAssistant, Parts: []Part{
					Reasoning{Text: "thinking", Signature: "sig=="},
					Reasoning{Redacted: []byte{1, 2, 3}},
					Text{Text: "answer"},
				}},
				StopReason: StopReasonEndTurn,
			},
		},
		{
			name:   "metadata_before_message_stop",
			reason: "metadata may come before or after messageStop (STREAM-METADATA)",
			events: []Event{
				TextDelta{Index: 0, Text: "x"},
				Metadata{Usage: Usage{InputTokens: 1, OutputTokens: 1, TotalTokens: 2, CacheReadTokens: 7, CacheWriteTokens: 9}},
				MessageStop{StopReason: StopReasonEndTurn},
			},
			want: &Response{
				Message:    Message{Role: RoleAssistant, Parts: []Part{Text{Text: "x"}}},
				StopReason: StopReasonEndTurn,
				Usage:      Usage{InputTokens: 1, OutputTokens: 1, TotalTokens: 2, CacheReadTokens: 7, CacheWriteTokens: 9},
			},
		},
		{
			name:   "tool_call_cut_by_max_tokens",
			reason: "a call cut by max_tokens is left out and named in a warning, never run (RESP-CUT-CALL)",
			events: []Event{
				TextDelta{Index: 0, Text: "ok"},
				ToolCallStart{Index: 1, ID: "t1", Name: "add"},
				ToolInputDelta{Index: 1, Fragment: `{"a":1,"b"`},
				BlockStop{Index: 1},
				MessageStop{StopReason: StopReasonMaxTokens, RawStopReason: "max_tokens"},
			},
			want: &Response{
				Message:       Message{Role: RoleAssistant, Parts: []Part{Text{Text: "ok"}}},
				StopReason:    StopReasonMaxTokens,
				RawStopReason: "max_tokens",
				Warnings:      []Warning{{Code: WarningTruncated, Message: -1, Part: 1, Detail: "tool call t1 (add) was cut by max_tokens and left out: its input is incomplete"}},
			},
		},
		{
			name:   "blocks_out_of_order",
			reason: "parts follow block indexes, not arrival order",
			events: []Event{
				TextDelta{Index: 1, Text: "second"},
				TextDelta{Index: 0, Text: "first"},
				MessageStop{StopReason: StopReasonEndTurn},
			},
			want: &Response{
				Message:    Message{Role: RoleAssistant, Parts: []Part{Text{Text: "first"}, Text{Text: "second"}}},
				StopReason: StopReasonEndTurn,
			},
		},
		{
			name:   "warnings_kept",
			reason: "unknown stream members are reported, never dropped silently",
			events: []Event{
				Warnf(WarningSkipped, "", "unknown event citation"),
				MessageStop{StopReason: StopReasonEndTurn},
			},
			want: &Response{
				Message:    Message{Role: RoleAssistant, Parts: []Part{}},
				StopReason: StopReasonEndTurn,
				Warnings:   []Warning{Warnf(WarningSkipped, "", "unknown event citation")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Accumulator
			for i, ev := range tt.events {
				if err := a.Add(ev); err != nil {
					t.Fatalf("Add(event %d %#v) = %v, want nil (%s)", i, ev, err, tt.reason)
				}
			}
			got, err := a.Response()
			if err != nil {
				t.Fatalf("Response() = %v, want nil (%s)", err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Response() mismatch (%s) (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestAccumulatorErrors(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		events  []Event
		wantErr string // substring; the error is found either by Add or by Response
	}{
		{"no_message_stop", "a stream without messageStop is an error, never a short success (STREAM-ERRORS)",
			[]Event{TextDelta{Index: 0, Text: "hi"}}, "without a message stop"},
		{"input_delta_unknown_block", "tool input for a block never started cannot be attributed",
			[]Event{ToolInputDelta{Index: 3, Fragment: "{}"}}, "never started"},
		{"stop_before_start", "a stop for a block never started",
			[]Event{BlockStop{Index: 0}}, "never started"},
		{"kind_mismatch", "a text delta for a tool block",
			[]Event{ToolCallStart{Index: 0, ID: "a", Name: "x"}, TextDelta{Index: 0, Text: "t"}}, "text delta for tool input block 0"},
		{"broken_tool_json", "broken tool input is an error unless max_tokens cut it",
			[]Event{ToolCallStart{Index: 0, ID: "a", Name: "x"}, ToolInputDelta{Index: 0, Fragment: `{"a":`}, BlockStop{Index: 0}, MessageStop{StopReason: StopReasonToolUse}}, "not a JSON object"},
		{"tool_input_not_object", "tool input must be a JSON object (REQ-TOOL-INPUT)",
			[]Event{ToolCallStart{Index: 0, ID: "a", Name: "x"}, ToolInputDelta{Index: 0, Fragment: `[1]`}, MessageStop{StopReason: StopReasonToolUse}}, "not a JSON object"},
		{"delta_after_stop", "content after messageStop",
			[]Event{MessageStop{StopReason: StopReasonEndTurn}, TextDelta{Index: 0, Text: "late"}}, "after message stop"},
		{"double_message_stop", "two messageStop events",
			[]Event{MessageStop{}, MessageStop{}}, "second message stop"},
		{"double_start", "a tool block started twice",
			[]Event{ToolCallStart{Index: 0}, ToolCallStart{Index: 0}}, "started twice"},
		{"delta_after_block_stop", "a delta for a stopped block",
			[]Event{TextDelta{Index: 0, Text: "a"}, BlockStop{Index: 0}, TextDelta{Index: 0, Text: "b"}}, "after its stop"},
		{"nil_event", "a nil event is a provider bug", []Event{nil}, "nil event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Accumulator
			var err error
			for _, ev := range tt.events {
				if err = a.Add(ev); err != nil {
					break
				}
			}
			if err == nil {
				_, err = a.Response()
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("accumulating %s: error = %v, want one containing %q (%s)", tt.name, err, tt.wantErr, tt.reason)
			}
			if !errors.Is(err, ErrStream) {
				t.Errorf("error %v does not unwrap to ErrStream", err)
			}
		})
	}
}

func TestResponseEventsRoundTrip(t *testing.T) {
	resp := &Response{
		Message: Message{Role: RoleAssistant, Parts: []Part{
			Reasoning{Text: "hmm", Signature: "s"},
			Text{Text: "Calling."},
			ToolCall{ID: "1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)},
		}},
		StopReason:    StopReasonToolUse,
		RawStopReason: "tool_use",
		Usage:         Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 15},
	}
	evs, err := ResponseEvents(resp)
	if err != nil {
		t.Fatal(err)
	}
	var a Accumulator
	for _, ev := range evs {
		if err := a.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	got, err := a.Response()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(resp, got); diff != "" {
		t.Errorf("accumulated ResponseEvents(resp) mismatch (-want +got):\n%s", diff)
	}
	if _, err := ResponseEvents(&Response{Message: Message{Parts: []Part{Image{}}}}); err == nil {
		t.Error("ResponseEvents with an image part = nil error, want an error")
	}
}

// The per-delta cost must not grow with the stream's length.
func BenchmarkAccumulate(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		evs := make([]Event, 0, n+2)
		evs = append(evs, MessageStart{Role: RoleAssistant})
		for range n {
			evs = append(evs, TextDelta{Index: 0, Text: "token "})
		}
		evs = append(evs, MessageStop{StopReason: StopReasonEndTurn})
		b.Run(fmt.Sprintf("deltas=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var a Accumulator
				for _, ev := range evs {
					if err := a.Add(ev); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := a.Response(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delta")
		})
	}
}
