package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/internal/outputtool"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/structured"
)

const profileSchema = `{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"occupation":{"type":"string"}},"required":["name","age"],"additionalProperties":false}`

func objectReq(model string, mode llm.OutputMode) *llm.Request {
	r := userReq(model, "Generate a software engineer profile")
	r.Output = &llm.Output{Schema: json.RawMessage(profileSchema), Mode: mode}
	return r
}

func fixtureReply(t *testing.T, name string) bedrocktest.ServerReply {
	t.Helper()
	f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), name+".json")
	if err != nil {
		t.Fatal(err)
	}
	return f.Reply(nil)
}

// TestModelObjectFixtures: recorded structured-output answers through the synthetic tool
// (a preamble, then the forced call) read as the convention says — the object is the
// message text and Response.Object, the call never shows, the stop reason is end_turn —
// in Generate and in Stream alike.
func TestModelObjectFixtures(t *testing.T) {
	const cohere = "cohere.command-r-plus-v1:0"
	wantObject := json.RawMessage(`{"age":30,"name":"John Smith","occupation":"Software Engineer"}`)
	m, srv := newTestModel(t, nil)

	srv.Enqueue(fixtureReply(t, "cohere_command_r_plus_v1_0/object_basic"))
	gen, err := m.Generate(context.Background(), objectReq(cohere, llm.OutputAuto))
	if err != nil {
		t.Fatalf("Generate(object_basic) error: %v", err)
	}

	srv.Enqueue(fixtureReply(t, "cohere_command_r_plus_v1_0/object_streaming"))
	s, err := m.Stream(context.Background(), objectReq(cohere, llm.OutputAuto))
	if err != nil {
		t.Fatalf("Stream(object_streaming) error: %v", err)
	}
	var streamed strings.Builder
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatalf("Stream(object_streaming) error: %v", err)
		}
		switch e := ev.(type) {
		case llm.TextDelta:
			streamed.WriteString(e.Text)
		case llm.ToolCallStart, llm.ToolInputDelta:
			t.Errorf("Stream(object_streaming) yielded %#v: the synthetic call must never show", ev)
		}
	}
	str, err := s.Response()
	if err != nil {
		t.Fatal(err)
	}
	if str.Text() != streamed.String() {
		t.Errorf("streamed text %q != accumulated text %q", streamed.String(), str.Text())
	}

	for name, resp := range map[string]*llm.Response{"Generate": gen, "Stream": str} {
		if len(resp.Message.Parts) != 1 || len(resp.ToolCalls()) != 0 {
			t.Errorf("%s parts = %#v, want one text part holding the object", name, resp.Message.Parts)
		}
		if !cmp.Equal(wantObject, resp.Object, jsonEqual) || !cmp.Equal(wantObject, json.RawMessage(resp.Text()), jsonEqual) {
			t.Errorf("%s Object = %s, text %q; want both %s", name, resp.Object, resp.Text(), wantObject)
		}
		if resp.StopReason != llm.StopReasonEndTurn || resp.RawStopReason != "tool_use" {
			t.Errorf("%s stop = %q (raw %q), want end_turn (raw tool_use)", name, resp.StopReason, resp.RawStopReason)
		}
		if !slices.Contains(resp.Warnings, outputtool.WarnTextDropped) {
			t.Errorf("%s warnings = %q, want %q for the preamble", name, resp.Warnings, outputtool.WarnTextDropped)
		}
	}
	// The request carried the synthetic tool, forced where the model allows it.
	body := string(srv.Requests()[0].Body)
	if !strings.Contains(body, `"name":"structured_output"`) {
		t.Errorf("request %s does not declare the structured_output tool", body)
	}
}

// TestGenerateObjectFixture runs structured.Generate over the Model on recorded answers:
// Claude's object, and Llama's with a number sent as a string (RULES.md RESP-LLAMA),
// which decodes only with coercion — and is validated either way.
func TestGenerateObjectFixture(t *testing.T) {
	type profile struct {
		Name       string `json:"name"`
		Age        int    `json:"age"`
		Occupation string `json:"occupation,omitempty"`
	}
	tests := []struct {
		name    string
		fixture string
		model   string
		coerce  bool
		want    profile
		wantErr error
	}{
		{"claude", "anthropic_claude_haiku_4_5_20251001_v1_0/object_basic", claude, false, profile{"Alex Johnson", 32, "Software Engineer"}, nil},
		{"llama_string_number_strict", "meta_llama3_3_70b_instruct_v1_0/object_basic", "us.meta.llama3-3-70b-instruct-v1:0", false, profile{}, llm.ErrNoObject},
		{"llama_string_number_coerced", "meta_llama3_3_70b_instruct_v1_0/object_basic", "us.meta.llama3-3-70b-instruct-v1:0", true, profile{"John Doe", 30, "Software Engineer"}, nil},
	}
	m, srv := newTestModel(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Enqueue(fixtureReply(t, tt.fixture))
			got, resp, err := structured.Generate[profile](context.Background(), m, userReq(tt.model, "Generate a software engineer profile"), &structured.Options{Coerce: tt.coerce, Mode: llm.OutputTool})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("structured.Generate(%s) error = %v, want %v", tt.name, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("structured.Generate(%s) error: %v", tt.name, err)
			}
			if got != tt.want || resp.StopReason != llm.StopReasonEndTurn {
				t.Errorf("structured.Generate(%s) = %+v, stop %q; want %+v, end_turn", tt.name, got, resp.StopReason, tt.want)
			}
		})
	}
}

// TestModelObjectScripted covers structured-output answers the recordings lack; each is
// given to Generate and to Stream, whose answers must be equal.
func TestModelObjectScripted(t *testing.T) {
	obj := json.RawMessage(`{"age":41,"name":"Ann"}`)
	call := func(id string) llm.ToolCall { return llm.ToolCall{ID: id, Name: "structured_output", Input: obj} }
	tests := []struct {
		name         string
		reason       string
		mode         llm.OutputMode
		caps         *llm.Capabilities
		resp         *llm.Response
		wantParts    []llm.Part
		wantObject   json.RawMessage
		wantStop     llm.StopReason
		wantWarnings []llm.Warning
	}{{
		name:       "tool_call_only",
		reason:     "the forced call becomes the text and the object; stop end_turn",
		resp:       &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{call("t1")}}, StopReason: llm.StopReasonToolUse},
		wantParts:  []llm.Part{llm.Text{Text: string(obj)}},
		wantObject: obj, wantStop: llm.StopReasonEndTurn,
	}, {
		name:   "duplicate_object_calls",
		reason: "RESP-LLAMA: Llama may repeat a call with another id; the first is the object, the rest dropped with a warning",
		resp: &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{call("t1"), call("t2")}},
			StopReason: llm.StopReasonToolUse},
		wantParts:  []llm.Part{llm.Text{Text: string(obj)}},
		wantObject: obj, wantStop: llm.StopReasonEndTurn,
		wantWarnings: []llm.Warning{outputtool.WarnCalls("structured_output", 2)},
	}, {
		name:   "object_and_real_tool",
		reason: "a real tool called beside the object keeps the turn a tool use",
		resp: &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "hmm", Signature: "s"}, call("t1"), llm.ToolCall{ID: "t2", Name: "lookup", Input: json.RawMessage(`{"q":"x"}`)},
		}}, StopReason: llm.StopReasonToolUse},
		wantParts: []llm.Part{
			llm.Reasoning{Text: "hmm", Signature: "s"}, llm.Text{Text: string(obj)}, llm.ToolCall{ID: "t2", Name: "lookup", Input: json.RawMessage(`{"q":"x"}`)},
		},
		wantObject: obj, wantStop: llm.StopReasonToolUse,
	}, {
		name:       "json_text_without_call",
		reason:     "a model that answers the object as text instead of calling the tool still gives the object",
		resp:       &llm.Response{Message: llm.AssistantText(" " + string(obj) + "\n"), StopReason: llm.StopReasonEndTurn},
		wantParts:  []llm.Part{llm.Text{Text: " " + string(obj) + "\n"}},
		wantObject: obj, wantStop: llm.StopReasonEndTurn,
	}, {
		name:         "no_object",
		reason:       "prose without an object: no Object, a warning, no error (structured.Generate decides)",
		resp:         &llm.Response{Message: llm.AssistantText("I cannot do that."), StopReason: llm.StopReasonEndTurn},
		wantParts:    []llm.Part{llm.Text{Text: "I cannot do that."}},
		wantStop:     llm.StopReasonEndTurn,
		wantWarnings: []llm.Warning{outputtool.WarnNoObject},
	}, {
		name:       "native",
		reason:     "native structured output: the text is the object",
		mode:       llm.OutputNative,
		caps:       &llm.Capabilities{Tools: true, NativeOutput: true, SystemPrompt: true},
		resp:       &llm.Response{Message: llm.AssistantText(string(obj)), StopReason: llm.StopReasonEndTurn},
		wantParts:  []llm.Part{llm.Text{Text: string(obj)}},
		wantObject: obj, wantStop: llm.StopReasonEndTurn,
	}, {
		name:         "native_not_json",
		reason:       "native output that is not a JSON object: no Object, a warning",
		mode:         llm.OutputNative,
		caps:         &llm.Capabilities{Tools: true, NativeOutput: true, SystemPrompt: true},
		resp:         &llm.Response{Message: llm.AssistantText(`["a"]`), StopReason: llm.StopReasonEndTurn},
		wantParts:    []llm.Part{llm.Text{Text: `["a"]`}},
		wantStop:     llm.StopReasonEndTurn,
		wantWarnings: []llm.Warning{outputtool.WarnNoObject},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.mode == llm.OutputAuto {
				tt.mode = llm.OutputTool // Claude 4.5 would get native output in auto mode
			}
			var opts *Options
			if tt.caps != nil {
				opts = &Options{Capabilities: map[string]llm.Capabilities{claude: *tt.caps}}
			}
			m, srv := newTestModel(t, opts)
			reply := bedrocktest.Respond(tt.resp)
			srv.Enqueue(reply, reply.Split(4))
			gen, str := generateAndStream(t, m, objectReq(claude, tt.mode))
			for name, got := range map[string]*llm.Response{"Generate": gen, "Stream": str} {
				want := &llm.Response{
					Message: llm.Message{Role: llm.RoleAssistant, Parts: tt.wantParts}, Object: tt.wantObject,
					StopReason: tt.wantStop, RawStopReason: string(tt.resp.StopReason), Warnings: tt.wantWarnings,
				}
				if diff := cmp.Diff(want, got, jsonEqual, cmp.FilterPath(func(p cmp.Path) bool {
					f := p.Last().String()
					return f == ".RequestID" || f == ".Usage" || f == ".Latency"
				}, cmp.Ignore())); diff != "" {
					t.Errorf("%s(%s) mismatch (-want +got), %s:\n%s", name, tt.name, tt.reason, diff)
				}
			}
			if tt.mode == llm.OutputNative && !strings.Contains(string(srv.Requests()[0].Body), `"outputConfig"`) {
				t.Errorf("native request %s has no outputConfig", srv.Requests()[0].Body)
			}
		})
	}
}

// TestModelObjectTruncated: an object cut by max_tokens in a stream is text without an
// Object; structured.Stream reports the truncation (RULES.md RESP-CUT-CALL).
func TestModelObjectTruncated(t *testing.T) {
	m, srv := newTestModel(t, nil)
	srv.Enqueue(bedrocktest.Events(
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.ToolCallStart{Index: 0, ID: "t1", Name: "structured_output"},
		llm.ToolInputDelta{Index: 0, Fragment: `{"name":"An`},
		llm.MessageStop{StopReason: llm.StopReasonMaxTokens},
		llm.Metadata{Usage: llm.Usage{InputTokens: 1, OutputTokens: 5, TotalTokens: 6}},
	))
	type profile struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	os, err := structured.Stream[profile](context.Background(), m, userReq(claude, "profile"), &structured.Options{Mode: llm.OutputTool})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for s, err := range os.Text() {
		if err != nil {
			t.Fatalf("Text() error: %v", err)
		}
		text.WriteString(s)
	}
	_, resp, err := os.Object()
	if !errors.Is(err, llm.ErrTruncated) {
		t.Errorf("Object() error = %v, want llm.ErrTruncated", err)
	}
	if text.String() != `{"name":"An` || resp == nil || resp.Object != nil || resp.StopReason != llm.StopReasonMaxTokens || !slices.Contains(resp.Warnings, outputtool.WarnNoObject) {
		t.Errorf("truncated object: text %q, response %+v; want the partial JSON as text, no Object, max_tokens, a warning", text.String(), resp)
	}
}
