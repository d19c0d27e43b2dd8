package llm

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// jsonDiff compares two JSON documents as parsed values.
func jsonDiff(t *testing.T, want, got []byte) string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	return cmp.Diff(w, g)
}

func TestMessageJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		msg    Message
		wire   string // the expected JSON form, compared as parsed JSON
	}{
		{
			name:   "text",
			reason: "the common case",
			msg:    UserText("Hello, world"),
			wire:   `{"role":"user","parts":[{"type":"text","text":"Hello, world"}]}`,
		},
		{
			name:   "empty_text",
			reason: "an empty text part keeps its text field and stays a text part",
			msg:    Message{Role: RoleAssistant, Parts: []Part{Text{}}},
			wire:   `{"role":"assistant","parts":[{"type":"text","text":""}]}`,
		},
		{
			name:   "image_bytes",
			reason: "binary data travels as base64",
			msg:    Message{Role: RoleUser, Parts: []Part{Image{Format: "png", Data: []byte{0x89, 'P', 'N', 'G', 0, 0xff}}}},
			wire:   `{"role":"user","parts":[{"type":"image","format":"png","data":"iVBORwD/"}]}`,
		},
		{
			name:   "image_uri",
			reason: "a referenced image has a uri and no data",
			msg:    Message{Role: RoleUser, Parts: []Part{Image{Format: "jpeg", URI: "s3://bucket/cat.jpg"}}},
			wire:   `{"role":"user","parts":[{"type":"image","format":"jpeg","uri":"s3://bucket/cat.jpg"}]}`,
		},
		{
			name:   "document",
			reason: "documents keep name, format and bytes",
			msg: Message{Role: RoleUser, Parts: []Part{
				Document{Name: "report (final)", Format: "pdf", Data: []byte("%PDF-1.7\x00")},
				Text{Text: "Summarise it."},
			}},
			wire: `{"role":"user","parts":[
				{"type":"document","name":"report (final)","format":"pdf","data":"JVBERi0xLjcA"},
				{"type":"text","text":"Summarise it."}]}`,
		},
		{
			name:   "tool_call",
			reason: "tool input is embedded as JSON, not as a string",
			msg: Message{Role: RoleAssistant, Parts: []Part{
				Text{Text: "Let me add."},
				ToolCall{ID: "tooluse_1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)},
			}},
			wire: `{"role":"assistant","parts":[
				{"type":"text","text":"Let me add."},
				{"type":"tool_call","id":"tooluse_1","name":"add","input":{"a":2,"b":3}}]}`,
		},
		{
			name:   "tool_call_without_input",
			reason: "a call with no input keeps nil input, distinct from {}",
			msg:    Message{Role: RoleAssistant, Parts: []Part{ToolCall{ID: "t", Name: "now"}}},
			wire:   `{"role":"assistant","parts":[{"type":"tool_call","id":"t","name":"now"}]}`,
		},
		{
			name:   "tool_result",
			reason: "results nest their content parts and keep the error flag",
			msg: Message{Role: RoleTool, Parts: []Part{
				ToolResult{CallID: "a", Content: []Part{Text{Text: `{"sum":5}`}}},
				ToolResult{CallID: "b", Content: []Part{Text{Text: "unknown station"}, Image{Format: "gif", Data: []byte("GIF89a")}}, IsError: true},
			}},
			wire: `{"role":"tool","parts":[
				{"type":"tool_result","call_id":"a","content":[{"type":"text","text":"{\"sum\":5}"}]},
				{"type":"tool_result","call_id":"b","is_error":true,"content":[
					{"type":"text","text":"unknown station"},
					{"type":"image","format":"gif","data":"R0lGODlh"}]}]}`,
		},
		{
			name:   "reasoning_with_signature",
			reason: "reasoning text and signature survive exactly for replay (RESP-REASONING)",
			msg: Message{Role: RoleAssistant, Parts: []Part{
				Reasoning{Text: "The user wants a sum.", Signature: "EqQBCkYIBxgCKkA="},
				Text{Text: "5"},
			}},
			wire: `{"role":"assistant","parts":[
				{"type":"reasoning","text":"The user wants a sum.","signature":"EqQBCkYIBxgCKkA="},
				{"type":"text","text":"5"}]}`,
		},
		{
			name:   "reasoning_redacted",
			reason: "redacted reasoning bytes survive exactly (RESP-REASONING)",
			msg:    Message{Role: RoleAssistant, Parts: []Part{Reasoning{Redacted: []byte{0, 1, 2, 0xfe}}}},
			wire:   `{"role":"assistant","parts":[{"type":"reasoning","redacted":"AAEC/g=="}]}`,
		},
		{
			name:   "cache_points",
			reason: "a cache point with the default ttl has none; a set ttl is a duration string",
			msg: Message{Role: RoleSystem, Parts: []Part{
				Text{Text: "You are terse."},
				CachePoint{},
				CachePoint{TTL: time.Hour},
			}},
			wire: `{"role":"system","parts":[
				{"type":"text","text":"You are terse."},
				{"type":"cache_point"},
				{"type":"cache_point","ttl":"1h0m0s"}]}`,
		},
		{
			name:   "no_parts",
			reason: "an empty message encodes an empty list and decodes to nil parts",
			msg:    Message{Role: RoleUser},
			wire:   `{"role":"user","parts":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.msg)
			if err != nil {
				t.Fatalf("json.Marshal(%s) error: %v", tt.name, err)
			}
			if diff := jsonDiff(t, []byte(tt.wire), b); diff != "" {
				t.Errorf("json.Marshal(%s) wire form mismatch (%s) (-want +got):\n%s", tt.name, tt.reason, diff)
			}
			var got Message
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("json.Unmarshal(%s) error: %v", b, err)
			}
			if diff := cmp.Diff(tt.msg, got); diff != "" {
				t.Errorf("round trip of %s (%s) (-want +got):\n%s", tt.name, tt.reason, diff)
			}
		})
	}
}

func TestMessageJSONErrors(t *testing.T) {
	type unknownPart struct{ Part }
	t.Run("marshal", func(t *testing.T) {
		tests := []struct {
			name    string
			reason  string
			msg     Message
			wantErr string
		}{
			{
				name:    "nil_part",
				reason:  "a nil part is never dropped silently",
				msg:     Message{Role: RoleUser, Parts: []Part{Text{Text: "a"}, nil}},
				wantErr: "llm: marshal: user message: part 1: nil part",
			},
			{
				name:    "unknown_part",
				reason:  "a part type outside the sealed set is an error",
				msg:     Message{Role: RoleUser, Parts: []Part{unknownPart{}}},
				wantErr: "llm: marshal: user message: part 0: unknown part type llm.unknownPart",
			},
			{
				name:    "invalid_tool_input",
				reason:  "tool input must be JSON to be embedded",
				msg:     Message{Role: RoleAssistant, Parts: []Part{ToolCall{ID: "t1", Name: "add", Input: json.RawMessage(`{"a":`)}}},
				wantErr: `llm: marshal: assistant message: part 0: tool call t1 (add): input is not valid JSON`,
			},
			{
				name:    "nested_unknown_part",
				reason:  "a bad part inside a tool result is named with its path",
				msg:     Message{Role: RoleTool, Parts: []Part{ToolResult{CallID: "c9", Content: []Part{nil}}}},
				wantErr: "llm: marshal: tool message: part 0: tool result c9: content 0: nil part",
			},
		}
		for _, tt := range tests {
			_, err := tt.msg.MarshalJSON()
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%s: Message.MarshalJSON() error = %v, want prefix %q (%s)", tt.name, err, tt.wantErr, tt.reason)
			}
		}
	})
	t.Run("unmarshal", func(t *testing.T) {
		tests := []struct {
			name    string
			reason  string
			data    string
			wantErr string
		}{
			{
				name:    "unknown_type",
				reason:  "an unknown part type is an error, never dropped",
				data:    `{"role":"user","parts":[{"type":"text","text":"a"},{"type":"video","uri":"s3://x"}]}`,
				wantErr: `llm: unmarshal: user message: part 1: unknown part type "video"`,
			},
			{
				name:    "missing_type",
				reason:  "a part must say what it is",
				data:    `{"role":"user","parts":[{"text":"a"}]}`,
				wantErr: "llm: unmarshal: user message: part 0: part has no type",
			},
			{
				name:    "bad_ttl",
				reason:  "a ttl that is not a duration is an error",
				data:    `{"role":"system","parts":[{"type":"cache_point","ttl":"soon"}]}`,
				wantErr: `llm: unmarshal: system message: part 0: cache point ttl "soon"`,
			},
			{
				name:    "nested_unknown_type",
				reason:  "a bad part inside a tool result is named with its path",
				data:    `{"role":"tool","parts":[{"type":"tool_result","call_id":"c1","content":[{"type":"audio"}]}]}`,
				wantErr: `llm: unmarshal: tool message: part 0: tool result c1: content 0: unknown part type "audio"`,
			},
			{
				name:    "bad_base64",
				reason:  "image data must be base64",
				data:    `{"role":"user","parts":[{"type":"image","format":"png","data":"!!"}]}`,
				wantErr: "llm: unmarshal: user message: part 0:",
			},
			{
				name:    "not_an_object",
				reason:  "a message is an object",
				data:    `["user"]`,
				wantErr: "llm: unmarshal: message:",
			},
		}
		for _, tt := range tests {
			var m Message
			err := json.Unmarshal([]byte(tt.data), &m)
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%s: json.Unmarshal(%s) error = %v, want prefix %q (%s)", tt.name, tt.data, err, tt.wantErr, tt.reason)
			}
		}
	})
}

func TestPartJSON(t *testing.T) {
	parts := []Part{
		Text{Text: "hi"},
		Image{Format: "webp", Data: []byte{1, 2, 3}},
		Document{Name: "notes", Format: "md", URI: "s3://b/notes.md"},
		ToolCall{ID: "x", Name: "y", Input: json.RawMessage(`{}`)},
		ToolResult{CallID: "x", Content: []Part{Text{Text: "ok"}}},
		Reasoning{Text: "hmm", Signature: "sig", Redacted: []byte{9}},
		CachePoint{TTL: 5 * time.Minute},
	}
	for _, p := range parts {
		b, err := MarshalPart(p)
		if err != nil {
			t.Fatalf("MarshalPart(%#v) error: %v", p, err)
		}
		got, err := UnmarshalPart(b)
		if err != nil {
			t.Fatalf("UnmarshalPart(%s) error: %v", b, err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("UnmarshalPart(MarshalPart(%T)) (-want +got):\n%s", p, diff)
		}
	}
	if _, err := UnmarshalPart([]byte(`{"type":"hologram"}`)); err == nil || err.Error() != `llm: unmarshal: unknown part type "hologram"` {
		t.Errorf(`UnmarshalPart({"type":"hologram"}) error = %v, want unknown part type`, err)
	}
}

func TestResponseJSON(t *testing.T) {
	resp := Response{
		Message: Message{Role: RoleAssistant, Parts: []Part{
			Reasoning{Text: "think", Signature: "s1"},
			Text{Text: `{"name":"Ada"}`},
		}},
		StopReason:    StopReasonEndTurn,
		RawStopReason: "end_turn",
		Usage:         Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 25, CacheReadTokens: 7, CacheWriteTokens: 3},
		Latency:       1250 * time.Millisecond,
		Object:        json.RawMessage(`{"name":"Ada"}`),
		RequestID:     "req-1",
		Warnings:      []Warning{Warnf(WarningUnsupported, "topK", "ignored"), WarnPartf(WarningDropped, 1, 0, "blank text dropped")},
		Extra:         map[string]any{"trace": map[string]any{"guardrail": "none"}},
	}
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatalf("json.Marshal(Response) error: %v", err)
	}
	const wire = `{
		"message":{"role":"assistant","parts":[
			{"type":"reasoning","text":"think","signature":"s1"},
			{"type":"text","text":"{\"name\":\"Ada\"}"}]},
		"stop_reason":"end_turn","raw_stop_reason":"end_turn",
		"usage":{"input_tokens":10,"output_tokens":5,"total_tokens":25,"cache_read_tokens":7,"cache_write_tokens":3},
		"latency":"1.25s","object":{"name":"Ada"},"request_id":"req-1","warnings":[{"code":"unsupported","message":-1,"part":-1,"field":"topK","detail":"ignored"},{"code":"dropped","message":1,"part":0,"detail":"blank text dropped"}],
		"extra":{"trace":{"guardrail":"none"}}}`
	if diff := jsonDiff(t, []byte(wire), b); diff != "" {
		t.Errorf("json.Marshal(Response) wire form (-want +got):\n%s", diff)
	}

	var got Response
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("json.Unmarshal(%s) error: %v", b, err)
	}
	want := resp
	want.Extra = json.RawMessage(`{"trace":{"guardrail":"none"}}`)
	if diff := cmp.Diff(&want, &got); diff != "" {
		t.Errorf("Response round trip, Extra kept as raw JSON (-want +got):\n%s", diff)
	}

	// A bad nested part names its place; an invalid object is refused.
	var bad Response
	err = json.Unmarshal([]byte(`{"message":{"role":"assistant","parts":[{"type":"?"}]},"stop_reason":"end_turn"}`), &bad)
	if want := `llm: unmarshal: response: assistant message: part 0: unknown part type "?"`; err == nil || err.Error() != want {
		t.Errorf("json.Unmarshal(response with unknown part) error = %v, want %q", err, want)
	}
	if _, err := json.Marshal(Response{Object: json.RawMessage(`{`)}); err == nil {
		t.Errorf("json.Marshal(Response{Object: {}) error = nil, want invalid object error")
	}
}
