package bedrocktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// neutralCases are scripted responses with the answer the SDK must see for them.
var neutralCases = []struct {
	name   string
	reason string
	resp   *llm.Response
	want   answer
}{
	{
		name:   "text",
		reason: "a plain text answer with usage and latency",
		resp: &llm.Response{Message: llm.AssistantText("Hello! 👋 How can I help?"), StopReason: llm.StopReasonEndTurn,
			Usage: llm.Usage{InputTokens: 10, OutputTokens: 23, TotalTokens: 33}, Latency: 897 * time.Millisecond},
		want: answer{Blocks: []answerBlock{{Kind: "text", Text: "Hello! 👋 How can I help?"}}, Stop: "end_turn", Usage: [5]int{10, 23, 33, 0, 0}, Latency: 897},
	},
	{
		name:   "tools",
		reason: "text then two tool calls, one with empty input that must arrive as {}",
		resp: &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Text{Text: "Let me check."},
			llm.ToolCall{ID: "tooluse_1", Name: "get_weather", Input: json.RawMessage(`{"city":"Paris","days":[1,2]}`)},
			llm.ToolCall{ID: "tooluse_2", Name: "get_time"},
		}}, StopReason: llm.StopReasonToolUse, Usage: llm.Usage{InputTokens: 5, OutputTokens: 7, TotalTokens: 12}},
		want: answer{Blocks: []answerBlock{
			{Kind: "text", Text: "Let me check."},
			{Kind: "tool", ID: "tooluse_1", Name: "get_weather", Text: `{"city":"Paris","days":[1,2]}`},
			{Kind: "tool", ID: "tooluse_2", Name: "get_time", Text: `{}`},
		}, Stop: "tool_use", Usage: [5]int{5, 7, 12, 0, 0}},
	},
	{
		name:   "reasoning",
		reason: "reasoning text with its signature, and redacted reasoning, before the text",
		resp: &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "The user greets me.", Signature: "c2lnbmF0dXJl"},
			llm.Reasoning{Redacted: []byte{0, 1, 2, 250}},
			llm.Text{Text: "Hi."},
		}}, StopReason: llm.StopReasonEndTurn},
		want: answer{Blocks: []answerBlock{
			{Kind: "reasoning", Text: "The user greets me.", Signature: "c2lnbmF0dXJl"},
			{Kind: "redacted", Redacted: []byte{0, 1, 2, 250}},
			{Kind: "text", Text: "Hi."},
		}, Stop: "end_turn"},
	},
	{
		name:   "max-tokens-cache",
		reason: "max_tokens stop and cache read/write usage",
		resp: &llm.Response{Message: llm.AssistantText("Once upon a"), StopReason: llm.StopReasonMaxTokens,
			Usage: llm.Usage{InputTokens: 3, OutputTokens: 3, TotalTokens: 1030, CacheReadTokens: 1000, CacheWriteTokens: 24}},
		want: answer{Blocks: []answerBlock{{Kind: "text", Text: "Once upon a"}}, Stop: "max_tokens", Usage: [5]int{3, 3, 1030, 1000, 24}},
	},
	{
		name:   "context-window",
		reason: "neutral context_window_exceeded is Bedrock's model_context_window_exceeded",
		resp:   &llm.Response{Message: llm.AssistantText("x"), StopReason: llm.StopReasonContextWindowExceeded},
		want:   answer{Blocks: []answerBlock{{Kind: "text", Text: "x"}}, Stop: "model_context_window_exceeded"},
	},
	{
		name:   "raw-stop",
		reason: "a raw stop reason the neutral model does not know is sent as is",
		resp:   &llm.Response{Message: llm.AssistantText("x"), StopReason: llm.StopReasonUnknown, RawStopReason: "brand_new_reason"},
		want:   answer{Blocks: []answerBlock{{Kind: "text", Text: "x"}}, Stop: "brand_new_reason"},
	},
}

// TestRespond checks that one neutral response answers converse and converse-stream
// alike, whatever the stream's shaping.
func TestRespond(t *testing.T) {
	shapes := []struct {
		name   string
		shape  func(bedrocktest.ServerReply) bedrocktest.ServerReply
		reason string
	}{
		{"plain", func(r bedrocktest.ServerReply) bedrocktest.ServerReply { return r }, "one frame per write"},
		{"chunked-1", func(r bedrocktest.ServerReply) bedrocktest.ServerReply { return r.Chunked(1) }, "every byte its own write"},
		{"chunked-7", func(r bedrocktest.ServerReply) bedrocktest.ServerReply { return r.Chunked(7) }, "frames split across writes"},
		{"padded-split", func(r bedrocktest.ServerReply) bedrocktest.ServerReply { return r.Padded().Split(3) }, "padding and many small deltas"},
	}
	s := newServer(t, nil)
	c := s.Client(nil)
	for _, tt := range neutralCases {
		t.Run(tt.name, func(t *testing.T) {
			s.Enqueue(bedrocktest.Respond(tt.resp))
			out, err := converse(t.Context(), c, "anthropic.claude-test")
			if err != nil {
				t.Fatalf("%s: Converse: %v", tt.reason, err)
			}
			if diff := cmp.Diff(tt.want, answerOf(t, out)); diff != "" {
				t.Errorf("%s: Converse answer mismatch (-want +got):\n%s", tt.reason, diff)
			}
			for _, sh := range shapes {
				s.Enqueue(sh.shape(bedrocktest.Respond(tt.resp)))
				r := converseStream(t.Context(), c, "anthropic.claude-test")
				if r.err != nil {
					t.Fatalf("%s, %s: ConverseStream: %v", tt.reason, sh.reason, r.err)
				}
				if diff := cmp.Diff(tt.want, streamAnswer(t, r.events)); diff != "" {
					t.Errorf("%s, %s: streamed answer mismatch (-want +got):\n%s", tt.reason, sh.reason, diff)
				}
			}
		})
	}
	if err := s.Check(); err != nil {
		t.Errorf("Check() = %v, want nil", err)
	}
}

func TestRespondRequestID(t *testing.T) {
	s := newServer(t, nil)
	s.Enqueue(
		bedrocktest.Respond(&llm.Response{Message: llm.AssistantText("a"), RequestID: "from-response"}),
		bedrocktest.Text("b").WithRequestID("from-option"),
		bedrocktest.Text("c"),
	)
	c := s.Client(nil)
	var seen []string
	for _, want := range []string{"from-response", "from-option", ""} {
		out, err := converse(t.Context(), c, "m")
		if err != nil {
			t.Fatal(err)
		}
		got := requestIDOf(out.ResultMetadata)
		seen = append(seen, got)
		if want == "" {
			if len(got) != 36 {
				t.Errorf("generated request id = %q, want a UUID", got)
			}
			continue
		}
		if got != want {
			t.Errorf("request id = %q, want %q", got, want)
		}
	}
	for i, r := range s.Requests() {
		if r.RequestID != seen[i] {
			t.Errorf("Requests()[%d].RequestID = %q, want %q as sent", i, r.RequestID, seen[i])
		}
	}
}

func TestEvents(t *testing.T) {
	evs := []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "Hel"},
		llm.TextDelta{Index: 0, Text: "lo"},
		llm.BlockStop{Index: 0},
		llm.ToolCallStart{Index: 1, ID: "t1", Name: "f"},
		llm.ToolInputDelta{Index: 1, Fragment: `{"a":`},
		llm.ToolInputDelta{Index: 1, Fragment: `1}`},
		llm.BlockStop{Index: 1},
		llm.MessageStop{StopReason: llm.StopReasonToolUse},
		llm.Metadata{Usage: llm.Usage{InputTokens: 1, OutputTokens: 2, TotalTokens: 3}},
	}
	want := answer{Blocks: []answerBlock{{Kind: "text", Text: "Hello"}, {Kind: "tool", ID: "t1", Name: "f", Text: `{"a":1}`}}, Stop: "tool_use", Usage: [5]int{1, 2, 3, 0, 0}}
	s := newServer(t, nil)
	c := s.Client(nil)
	s.Enqueue(bedrocktest.Events(evs...), bedrocktest.Events(evs...))

	r := converseStream(t.Context(), c, "m")
	if r.err != nil {
		t.Fatalf("ConverseStream: %v", r.err)
	}
	if len(r.events) != len(evs) {
		t.Errorf("ConverseStream gave %d events, want %d (one frame per neutral event): %v", len(r.events), len(evs), eventTypes(r.events))
	}
	if diff := cmp.Diff(want, streamAnswer(t, r.events)); diff != "" {
		t.Errorf("streamed answer mismatch (-want +got):\n%s", diff)
	}
	out, err := converse(t.Context(), c, "m")
	if err != nil {
		t.Fatalf("Converse: %v", err)
	}
	if diff := cmp.Diff(want, answerOf(t, out)); diff != "" {
		t.Errorf("Converse of Events (their accumulation) mismatch (-want +got):\n%s", diff)
	}
}

func TestFramesRaw(t *testing.T) {
	s := newServer(t, nil)
	s.Enqueue(bedrocktest.Frames(
		bedrocktest.Frame{EventType: "messageStart", Payload: []byte(`{"role":"assistant"}`)},
		bedrocktest.Frame{EventType: "futureEvent", Payload: []byte(`{"x":1}`)},
		bedrocktest.Frame{EventType: "contentBlockDelta", Payload: []byte(`{"contentBlockIndex":0,"delta":{"text":"hi"},"p":"abc"}`)},
		bedrocktest.Frame{EventType: "messageStop", Payload: []byte(`{"stopReason":"end_turn"}`)},
	))
	r := converseStream(t.Context(), s.Client(nil), "m")
	if r.err != nil {
		t.Fatalf("ConverseStream: %v", r.err)
	}
	if len(r.events) != 4 {
		t.Fatalf("got %d events, want 4: %v", len(r.events), eventTypes(r.events))
	}
	u, ok := r.events[1].(*types.UnknownUnionMember)
	if !ok || u.Tag != "futureEvent" {
		t.Errorf("event 1 = %#v, want *types.UnknownUnionMember with tag futureEvent (providers/bedrock/RULES.md SDK-UNKNOWN-UNION)", r.events[1])
	}
}

func TestRawJSON(t *testing.T) {
	s := newServer(t, nil)
	body := `{"output":{"message":{"role":"assistant","content":[{"text":"raw"},{"toolUse":{"toolUseId":"a","name":"b","input":{"n":1},"type":"tool_use"}}]}},"stopReason":"tool_use","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3,"cacheReadInputTokenCount":0,"serverToolUsage":{}},"metrics":{"latencyMs":5}}`
	s.Enqueue(bedrocktest.RawJSON([]byte(body)))
	out, err := converse(t.Context(), s.Client(nil), "m")
	if err != nil {
		t.Fatalf("Converse: %v", err)
	}
	want := answer{Blocks: []answerBlock{{Kind: "text", Text: "raw"}, {Kind: "tool", ID: "a", Name: "b", Text: `{"n":1}`}}, Stop: "tool_use", Usage: [5]int{1, 2, 3, 0, 0}, Latency: 5}
	if diff := cmp.Diff(want, answerOf(t, out)); diff != "" {
		t.Errorf("Converse of RawJSON mismatch (-want +got):\n%s", diff)
	}
}

// TestReplyOperationMismatch checks that a reply given to an operation it cannot answer
// fails loudly: a 500 naming the problem, and an error from Check.
func TestReplyOperationMismatch(t *testing.T) {
	tests := []struct {
		name   string
		reply  bedrocktest.ServerReply
		stream bool
		want   string
	}{
		{"rawjson-stream", bedrocktest.RawJSON([]byte(`{}`)), true, "a RawJSON reply cannot answer converse-stream"},
		{"frames-converse", bedrocktest.Frames(), false, "a Frames reply cannot answer converse"},
		{"unstreamable-part", bedrocktest.Respond(&llm.Response{Message: llm.Message{Parts: []llm.Part{llm.Image{Format: "png", Data: []byte{1}}}}}), false, "llm.Image cannot appear"},
		{"events-bad-sequence", bedrocktest.Events(llm.TextDelta{Index: 0, Text: "x"}), false, "without a message stop"},
		{"zero-reply", bedrocktest.ServerReply{}, false, "no reply queued"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil)
			s.Enqueue(tt.reply)
			var err error
			if tt.stream {
				err = converseStream(t.Context(), s.Client(nil), "m").err
			} else {
				_, err = converse(t.Context(), s.Client(nil), "m")
			}
			var ise *types.InternalServerException
			if !errors.As(err, &ise) || !strings.Contains(ise.ErrorMessage(), tt.want) {
				t.Errorf("call error = %v, want an InternalServerException containing %q", err, tt.want)
			}
			if err := s.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestEmptyQueueAndDefault(t *testing.T) {
	s := newServer(t, nil)
	_, err := converse(t.Context(), s.Client(nil), "m")
	var ise *types.InternalServerException
	if !errors.As(err, &ise) || !strings.Contains(ise.ErrorMessage(), "no reply queued") {
		t.Errorf("Converse with an empty queue: error %v, want an InternalServerException naming the empty queue", err)
	}
	if err := s.Check(); err == nil {
		t.Errorf("Check() = nil after a request with no reply, want an error")
	}

	d := newServer(t, &bedrocktest.Options{Default: bedrocktest.Echo()})
	for _, text := range []string{"first", "second"} {
		out, err := d.Client(nil).Converse(t.Context(), &bedrockruntime.ConverseInput{ModelId: aws.String("m"), Messages: userText(text)})
		if err != nil {
			t.Fatalf("Converse with an Echo default: %v", err)
		}
		if got := answerOf(t, out).Blocks[0].Text; got != text {
			t.Errorf("Echo answered %q, want %q", got, text)
		}
	}
	if err := d.Check(); err != nil {
		t.Errorf("Check() = %v with a default reply, want nil", err)
	}
}

func TestEnqueueForModel(t *testing.T) {
	s := newServer(t, nil)
	const arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0"
	s.Enqueue(bedrocktest.Text("general"))
	s.EnqueueFor(arn, bedrocktest.Text("for the profile"))
	c := s.Client(nil)
	for _, tt := range []struct{ model, want string }{{"other", "general"}, {arn, "for the profile"}} {
		out, err := converse(t.Context(), c, tt.model)
		if err != nil {
			t.Fatal(err)
		}
		if got := answerOf(t, out).Blocks[0].Text; got != tt.want {
			t.Errorf("model %s answered %q, want %q", tt.model, got, tt.want)
		}
	}
	if n := s.Pending(); n != 0 {
		t.Errorf("Pending() = %d, want 0", n)
	}
}

func TestFunc(t *testing.T) {
	s := newServer(t, nil)
	s.Enqueue(bedrocktest.Func(func(r bedrocktest.Request) bedrocktest.ServerReply {
		return bedrocktest.Text(string(r.Op) + " " + r.Model)
	}))
	out, err := converse(t.Context(), s.Client(nil), "us.amazon.nova-pro-v1:0")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := answerOf(t, out).Blocks[0].Text, "converse us.amazon.nova-pro-v1:0"; got != want {
		t.Errorf("Func reply answered %q, want %q", got, want)
	}
}

// TestPadded checks the padding member on the wire, through a Recorder under the client.
func TestPadded(t *testing.T) {
	s := newServer(t, nil)
	rec := bedrocktest.NewRecorder(nil)
	c := s.Client(&bedrocktest.ClientOptions{HTTPClient: bedrock.NewHTTPClient(&http.Client{Transport: rec})})
	s.Enqueue(bedrocktest.Text("a b c").Padded())
	if r := converseStream(t.Context(), c, "m"); r.err != nil {
		t.Fatal(r.err)
	}
	fx := rec.Fixtures()
	if len(fx) != 1 {
		t.Fatalf("recorded %d exchanges, want 1", len(fx))
	}
	body := bytes.NewReader(fx[0].Body())
	dec := eventstream.NewDecoder()
	n := 0
	for {
		msg, err := dec.Decode(body, nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("decode frame %d: %v", n, err)
		}
		var p struct {
			P string `json:"p"`
		}
		if err := json.Unmarshal(msg.Payload, &p); err != nil || p.P == "" {
			t.Errorf("frame %d payload %s has no padding member p", n, msg.Payload)
		}
		n++
	}
	if n != 5 {
		t.Errorf("decoded %d frames, want 5 (message start, delta, block stop, message stop, metadata)", n)
	}
}

func TestPaceAndDelay(t *testing.T) {
	s := newServer(t, nil)
	c := s.Client(nil)

	s.Enqueue(bedrocktest.Text("x").Pace(30*time.Millisecond, 20*time.Millisecond))
	start := time.Now()
	r := converseStream(t.Context(), c, "m")
	if r.err != nil {
		t.Fatal(r.err)
	}
	// 5 frames: 30ms before the first, 20ms before each of the 4 others.
	if d := time.Since(start); d < 110*time.Millisecond {
		t.Errorf("paced stream took %v, want at least 110ms", d)
	}

	s.Enqueue(bedrocktest.Text("x").Delay(time.Second))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := converse(ctx, c, "m")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Converse against a 1s delay with a 50ms deadline: error %v, want context.DeadlineExceeded", err)
	}
}

// TestInvoke checks the InvokeModel routes with raw bodies and chunk payloads.
func TestInvoke(t *testing.T) {
	s := newServer(t, nil)
	c := s.Client(nil)
	const model = "anthropic.claude-3-haiku-20240307-v1:0"
	msg := `{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}`
	s.Enqueue(bedrocktest.RawJSON([]byte(msg)))
	out, err := c.InvokeModel(t.Context(), &bedrockruntime.InvokeModelInput{ModelId: aws.String(model), ContentType: aws.String("application/json"),
		Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`)})
	if err != nil {
		t.Fatalf("InvokeModel: %v", err)
	}
	if string(out.Body) != msg {
		t.Errorf("InvokeModel body = %s, want %s", out.Body, msg)
	}

	chunks := [][]byte{
		[]byte(`{"type":"message_start","message":{"role":"assistant"}}`),
		[]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`),
		[]byte(`{"type":"message_stop"}`),
	}
	s.Enqueue(bedrocktest.InvokeStream(chunks...).Chunked(5))
	so, err := c.InvokeModelWithResponseStream(t.Context(), &bedrockruntime.InvokeModelWithResponseStreamInput{ModelId: aws.String(model), Body: []byte(`{}`)})
	if err != nil {
		t.Fatalf("InvokeModelWithResponseStream: %v", err)
	}
	st := so.GetStream()
	var got [][]byte
	for ev := range st.Events() {
		ch, ok := ev.(*types.ResponseStreamMemberChunk)
		if !ok {
			t.Fatalf("event %T, want a chunk", ev)
		}
		got = append(got, ch.Value.Bytes)
	}
	st.Close()
	if err := st.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	if diff := cmp.Diff(chunks, got); diff != "" {
		t.Errorf("chunk payloads mismatch (-want +got):\n%s", diff)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Op != bedrocktest.OpInvoke || reqs[1].Op != bedrocktest.OpInvokeStream || reqs[0].Model != model {
		t.Errorf("Requests() = %+v, want invoke then invoke-with-response-stream for %s", reqs, model)
	}
}
