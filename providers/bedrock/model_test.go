package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const claude = "us.anthropic.claude-haiku-4-5-20251001-v1:0"

// newTestModel starts a simulator and returns a Model on the real SDK client pointed at
// it.
func newTestModel(t *testing.T, opts *Options) (*Model, *bedrocktest.Server) {
	t.Helper()
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	return New(srv.Client(nil), opts), srv
}

// forDecoders runs test once with each stream decoder.
func forDecoders(t *testing.T, test func(t *testing.T, dec StreamDecoder)) {
	for _, dec := range []StreamDecoder{DecoderLLMKit, DecoderSDK} {
		t.Run(dec.String(), func(t *testing.T) { test(t, dec) })
	}
}

func userReq(model, text string) *llm.Request {
	return &llm.Request{Model: model, MaxTokens: 256, Messages: []llm.Message{llm.UserText(text)}}
}

// generateAndStream sends req with Generate, then with Stream, and returns both answers;
// an error from either fails the test.
func generateAndStream(t *testing.T, m *Model, req *llm.Request) (gen, streamed *llm.Response) {
	t.Helper()
	gen, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate error: %v", err)
	}
	s, err := m.Stream(context.Background(), req)
	if err != nil {
		t.Fatalf("Stream error: %v", err)
	}
	streamed, err = s.Response()
	if err != nil {
		t.Fatalf("Stream.Response() error: %v", err)
	}
	return gen, streamed
}

// responses are neutral answers the simulator can give both as a Converse body and as a
// stream; each names what it exercises.
var responses = []struct {
	name string
	resp *llm.Response
}{
	{"text", &llm.Response{
		Message:    llm.AssistantText("Hello there, how can I help?"),
		StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 10, OutputTokens: 7, TotalTokens: 17}, Latency: 120 * time.Millisecond,
	}},
	{"two_tools", &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Text{Text: "Checking both."},
			llm.ToolCall{ID: "tooluse_1", Name: "weather", Input: json.RawMessage(`{"city":"Paris","units":"c"}`)},
			llm.ToolCall{ID: "tooluse_2", Name: "time", Input: json.RawMessage(`{}`)},
		}},
		StopReason: llm.StopReasonToolUse, Usage: llm.Usage{InputTokens: 50, OutputTokens: 30, TotalTokens: 80},
	}},
	{"reasoning", &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "The user greets me.", Signature: "EqQBCkYIBxgCKkD"},
			llm.Reasoning{Redacted: []byte("opaque-bytes")},
			llm.Text{Text: "Hi!"},
		}},
		StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 5, OutputTokens: 40, TotalTokens: 45},
	}},
	{"max_tokens", &llm.Response{
		Message:    llm.AssistantText("Once upon a"),
		StopReason: llm.StopReasonMaxTokens, Usage: llm.Usage{InputTokens: 5, OutputTokens: 3, TotalTokens: 8},
	}},
	{"cache_usage", &llm.Response{
		Message:    llm.AssistantText("cached"),
		StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 4, OutputTokens: 1, TotalTokens: 1505, CacheReadTokens: 1200, CacheWriteTokens: 300},
	}},
}

func TestModelGenerate(t *testing.T) {
	m, srv := newTestModel(t, nil)
	for _, tt := range responses {
		t.Run(tt.name, func(t *testing.T) {
			want := *tt.resp
			want.RequestID = "req-" + tt.name
			want.RawStopReason = string(want.StopReason)
			srv.Enqueue(bedrocktest.Respond(&want))
			got, err := m.Generate(context.Background(), userReq(claude, "hi"))
			if err != nil {
				t.Fatalf("Generate(%s) error: %v", tt.name, err)
			}
			if diff := cmp.Diff(&want, got, jsonEqual); diff != "" {
				t.Errorf("Generate(%s) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
	reqs := srv.Requests()
	if len(reqs) != len(responses) || reqs[0].Op != bedrocktest.OpConverse || reqs[0].Model != claude {
		t.Errorf("server saw %d requests, first %s %s; want %d converse requests for %s", len(reqs), reqs[0].Op, reqs[0].Model, len(responses), claude)
	}
}

// TestModelStreamEqualsGenerate: the accumulated stream equals Generate's answer for the
// same exchange (llm.Stream's contract), with deltas split small, frames cut across
// reads and Bedrock's padding.
func TestModelStreamEqualsGenerate(t *testing.T) { forDecoders(t, testModelStreamEqualsGenerate) }

func testModelStreamEqualsGenerate(t *testing.T, dec StreamDecoder) {
	m, srv := newTestModel(t, &Options{StreamDecoder: dec})
	for _, tt := range responses {
		t.Run(tt.name, func(t *testing.T) {
			resp := *tt.resp
			resp.RequestID = "req-" + tt.name
			reply := bedrocktest.Respond(&resp)
			srv.Enqueue(reply, reply.Split(3).Chunked(7).Padded())
			gen, got := generateAndStream(t, m, userReq(claude, "hi"))
			if diff := cmp.Diff(gen, got, jsonEqual); diff != "" {
				t.Errorf("Stream(%s).Response() differs from Generate (-generate +stream):\n%s", tt.name, diff)
			}
		})
	}
}

// TestModelFixtures replays every recorded exchange through the Model, Generate for
// Converse recordings and Stream for ConverseStream ones, and compares the answers with
// the golden files ParseResponse and ParseStreamChunk are checked against.
func TestModelFixtures(t *testing.T) { forDecoders(t, testModelFixtures) }

func testModelFixtures(t *testing.T, dec StreamDecoder) {
	m, srv := newTestModel(t, &Options{StreamDecoder: dec})
	paths, err := fs.Glob(bedrocktest.Fixtures(), "*/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(p, ".json")
		t.Run(name, func(t *testing.T) {
			f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), p)
			if err != nil {
				t.Fatal(err)
			}
			srv.Enqueue(f.Reply(nil))
			req := userReq(f.ModelID(), "hi")
			var resp *llm.Response
			if f.Operation() == bedrocktest.OpConverseStream {
				s, err := m.Stream(context.Background(), req)
				if err != nil {
					t.Fatalf("Stream(%s) error: %v", name, err)
				}
				resp, err = s.Response()
				if err != nil {
					t.Fatalf("Stream(%s).Response() error: %v", name, err)
				}
			} else {
				resp, err = m.Generate(context.Background(), req)
				if err != nil {
					t.Fatalf("Generate(%s) error: %v", name, err)
				}
			}
			checkGolden(t, filepath.Join("testdata", "response", name+".json"), goldenJSON(t, resp))
		})
	}
}

// frame builds a raw ConverseStream event frame.
func frame(typ, payload string) bedrocktest.Frame {
	return bedrocktest.Frame{EventType: typ, Payload: []byte(payload)}
}

// TestModelStreamStateful covers what the Model's stream adds to ParseStreamChunk, each
// answer given both as a Converse body and as raw frames: the streamed answer must
// equal the Generate one.
func TestModelStreamStateful(t *testing.T) {
	const usage = `"usage":{"inputTokens":3,"outputTokens":4,"totalTokens":7}`
	tests := []struct {
		name   string
		reason string
		body   string
		frames []bedrocktest.Frame
		check  func(t *testing.T, r *llm.Response)
	}{{
		name:   "end_turn_with_tool_call",
		reason: "RESP-STOP: end_turn after a tool call reads tool_use in a stream too",
		body:   `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"add","input":{"a":1}}}]}},"stopReason":"end_turn",` + usage + `}`,
		frames: []bedrocktest.Frame{
			frame("messageStart", `{"role":"assistant"}`),
			frame("contentBlockStart", `{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t1","name":"add"}}}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"a\":1}"}}}`),
			frame("contentBlockStop", `{"contentBlockIndex":0}`),
			frame("messageStop", `{"stopReason":"end_turn"}`),
			frame("metadata", `{`+usage+`}`),
		},
		check: func(t *testing.T, r *llm.Response) {
			if r.StopReason != llm.StopReasonToolUse || r.RawStopReason != "end_turn" {
				t.Errorf("stop = %q (raw %q), want tool_use (raw end_turn)", r.StopReason, r.RawStopReason)
			}
		},
	}, {
		name:   "additional_fields_then_metadata",
		reason: "messageStop's additional model response fields join the metadata's ResponseExtra",
		body:   `{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"end_turn","additionalModelResponseFields":{"stop_sequence":"END"},` + usage + `}`,
		frames: []bedrocktest.Frame{
			frame("messageStart", `{"role":"assistant"}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"x"}}`),
			frame("contentBlockStop", `{"contentBlockIndex":0}`),
			frame("messageStop", `{"stopReason":"end_turn","additionalModelResponseFields":{"stop_sequence":"END"}}`),
			frame("metadata", `{`+usage+`}`),
		},
		check: func(t *testing.T, r *llm.Response) {
			if x, ok := r.Extra.(*ResponseExtra); !ok || string(x.AdditionalModelResponseFields) != `{"stop_sequence":"END"}` {
				t.Errorf("Extra = %#v, want the additional fields", r.Extra)
			}
		},
	}, {
		name:   "metadata_then_additional_fields",
		reason: "STREAM-METADATA: metadata before messageStop; the additional fields still arrive, usage kept",
		body:   `{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"end_turn","additionalModelResponseFields":{"k":[1]},` + usage + `}`,
		frames: []bedrocktest.Frame{
			frame("messageStart", `{"role":"assistant"}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"x"}}`),
			frame("metadata", `{`+usage+`}`),
			frame("messageStop", `{"stopReason":"end_turn","additionalModelResponseFields":{"k":[1]}}`),
		},
		check: func(t *testing.T, r *llm.Response) {
			if r.Usage.TotalTokens != 7 {
				t.Errorf("Usage = %+v, want the metadata's", r.Usage)
			}
		},
	}, {
		name:   "server_tool_blocks",
		reason: "REQ-SERVER-TOOLS: server-side tool use and its result (assembled from toolResult deltas) are kept as Server parts, streamed as in Generate; end_turn stays end_turn",
		body: `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"s1","name":"web","input":{"q":"x"},"type":"server_tool_use"}},` +
			`{"toolResult":{"toolUseId":"s1","content":[{"text":"r"}]}},{"text":"done"}]}},"stopReason":"end_turn",` + usage + `}`,
		frames: []bedrocktest.Frame{
			frame("messageStart", `{"role":"assistant"}`),
			frame("contentBlockStart", `{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"s1","name":"web","type":"server_tool_use"}}}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"q\":\"x\"}"}}}`),
			frame("contentBlockStop", `{"contentBlockIndex":0}`),
			frame("contentBlockStart", `{"contentBlockIndex":1,"start":{"toolResult":{"toolUseId":"s1"}}}`),
			frame("contentBlockDelta", `{"contentBlockIndex":1,"delta":{"toolResult":[{"text":"r"}]}}`),
			frame("contentBlockStop", `{"contentBlockIndex":1}`),
			frame("contentBlockDelta", `{"contentBlockIndex":2,"delta":{"text":"done"}}`),
			frame("contentBlockStop", `{"contentBlockIndex":2}`),
			frame("messageStop", `{"stopReason":"end_turn"}`),
			frame("metadata", `{`+usage+`}`),
		},
		check: func(t *testing.T, r *llm.Response) {
			want := []llm.Part{
				llm.ToolCall{ID: "s1", Name: "web", Input: json.RawMessage(`{"q":"x"}`), Server: true},
				llm.ToolResult{CallID: "s1", Server: true, Content: []llm.Part{llm.Text{Text: "r"}}},
				llm.Text{Text: "done"},
			}
			if diff := cmp.Diff(want, r.Message.Parts); diff != "" || len(r.Warnings) != 0 || r.StopReason != llm.StopReasonEndTurn {
				t.Errorf("parts (-want +got):\n%s\nwarnings %q, stop %q; want no warnings, end_turn", diff, r.Warnings, r.StopReason)
			}
		},
	}, {
		name:   "citations",
		reason: "RESP-CITATIONS: a citationsContent block and streamed citation deltas give the same Text with its Citations",
		body: `{"output":{"message":{"role":"assistant","content":[{"citationsContent":{"content":[{"text":"Paris is big"}],"citations":[` +
			`{"title":"atlas","source":"kb://atlas","sourceContent":[{"text":"Paris, a big city"}],"location":{"documentChar":{"documentIndex":0,"start":3,"end":20}}}]}}]}},"stopReason":"end_turn",` + usage + `}`,
		frames: []bedrocktest.Frame{
			frame("messageStart", `{"role":"assistant"}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Paris "}}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"is big"}}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"citation":{"title":"atlas","source":"kb://atlas","sourceContent":[{"text":"Paris, a big city"}],"location":{"documentChar":{"documentIndex":0,"start":3,"end":20}}}}}`),
			frame("contentBlockStop", `{"contentBlockIndex":0}`),
			frame("messageStop", `{"stopReason":"end_turn"}`),
			frame("metadata", `{`+usage+`}`),
		},
		check: func(t *testing.T, r *llm.Response) {
			want := []llm.Part{llm.Text{Text: "Paris is big", Citations: []llm.Citation{{Title: "atlas", Source: "kb://atlas", Quotes: []string{"Paris, a big city"},
				Location: llm.CitationLocation{Kind: llm.CiteChars, Index: 0, Start: 3, End: 20}}}}}
			if diff := cmp.Diff(want, r.Message.Parts); diff != "" || len(r.Warnings) != 0 {
				t.Errorf("parts (-want +got):\n%s\nwarnings %q, want none", diff, r.Warnings)
			}
		},
	}, {
		name:   "unknown_event_type",
		reason: "SDK-UNKNOWN-UNION: an event type the SDK does not know is a warning, as an unknown block is in Generate",
		body:   `{"output":{"message":{"role":"assistant","content":[{"hologram":{}},{"text":"x"}]}},"stopReason":"end_turn",` + usage + `}`,
		frames: []bedrocktest.Frame{
			frame("messageStart", `{"role":"assistant"}`),
			frame("hologramStart", `{"contentBlockIndex":0}`),
			frame("contentBlockDelta", `{"contentBlockIndex":1,"delta":{"text":"x"}}`),
			frame("messageStop", `{"stopReason":"end_turn"}`),
			frame("metadata", `{`+usage+`}`),
		},
		check: func(t *testing.T, r *llm.Response) {
			if len(r.Warnings) != 1 || r.Text() != "x" {
				t.Errorf("got text %q, warnings %q; want x and one warning", r.Text(), r.Warnings)
			}
		},
	}}
	forDecoders(t, func(t *testing.T, dec StreamDecoder) {
		m, srv := newTestModel(t, &Options{StreamDecoder: dec})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv.Enqueue(bedrocktest.RawJSON([]byte(tt.body)).WithRequestID("rid"), bedrocktest.Frames(tt.frames...).Chunked(5).WithRequestID("rid"))
				gen, got := generateAndStream(t, m, userReq(claude, "hi"))
				tt.check(t, got)
				if strings.HasPrefix(tt.name, "unknown_event") {
					// The warnings name different things (an event type, a block); their
					// number is checked above.
					gen.Warnings, got.Warnings = nil, nil
					// Generate keeps the unknown block as an opaque part from the body
					// (RESP-OPAQUE); a stream carries no content for it.
					if _, ok := gen.Message.Parts[0].(llm.Opaque); ok {
						gen.Message.Parts = gen.Message.Parts[1:]
					} else {
						t.Errorf("Generate parts %v, want the unknown block kept as an opaque part first", gen.Message.Parts)
					}
				}
				if diff := cmp.Diff(gen, got, jsonEqual, sdkFields); diff != "" {
					t.Errorf("Stream(%s) differs from Generate (-generate +stream), %s:\n%s", tt.name, tt.reason, diff)
				}
			})
		}
	})
}

func TestModelInvalidRequest(t *testing.T) {
	m, srv := newTestModel(t, nil)
	tests := []struct {
		name   string
		reason string
		req    *llm.Request
	}{
		{"nil", "no request", nil},
		{"no_model", "the model id is required", &llm.Request{Messages: []llm.Message{llm.UserText("hi")}}},
		{"assistant_first", "REQ-ROLES: a conversation starts with a user turn", &llm.Request{Model: claude, Messages: []llm.Message{llm.AssistantText("hi")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Generate(context.Background(), tt.req)
			var ire *llm.InvalidRequestError
			if !errors.As(err, &ire) || ire.Op != "converse" {
				t.Errorf("Generate(%s) error = %v, want an *llm.InvalidRequestError for op converse (%s)", tt.name, err, tt.reason)
			}
			_, err = m.Stream(context.Background(), tt.req)
			if !errors.As(err, &ire) || ire.Op != "converse-stream" {
				t.Errorf("Stream(%s) error = %v, want an *llm.InvalidRequestError for op converse-stream (%s)", tt.name, err, tt.reason)
			}
		})
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server saw %d requests, want none: invalid requests are rejected before any I/O", n)
	}
}

// TestModelHTTPErrors sends each Bedrock error shape to Generate and Stream.
func TestModelHTTPErrors(t *testing.T) {
	tests := []struct {
		code      bedrocktest.ErrorCode
		message   string
		category  error
		retryable bool
	}{
		{bedrocktest.AccessDeniedException, "You don't have access to the model", llm.ErrAuth, false},
		{bedrocktest.ValidationException, "messages: field required", llm.ErrInvalidRequest, false},
		{bedrocktest.ValidationException, "Input is too long for requested model.", llm.ErrContextTooLong, false},
		{bedrocktest.ServiceQuotaExceededException, "quota", llm.ErrRateLimited, false},
		{bedrocktest.ResourceNotFoundException, "no such model", llm.ErrNotFound, false},
		{bedrocktest.ModelTimeoutException, "slow", llm.ErrTimeout, false},
		{bedrocktest.ThrottlingException, "Too many requests", llm.ErrRateLimited, true},
		{bedrocktest.ModelNotReadyException, "loading", llm.ErrModelNotReady, true},
		{bedrocktest.ModelErrorException, "bad", llm.ErrServer, false},
		{bedrocktest.InternalServerException, "oops", llm.ErrServer, true},
		{bedrocktest.ServiceUnavailableException, "down", llm.ErrServer, true},
		{bedrocktest.InvalidSignatureException, "Signature expired: 20250101T000000Z is now earlier than 20250101T000500Z", llm.ErrAuth, false},
	}
	m, srv := newTestModel(t, nil)
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			srv.Enqueue(bedrocktest.Error(tt.code, tt.message).WithRequestID("rid-g"), bedrocktest.Error(tt.code, tt.message).WithRequestID("rid-s"))
			_, gerr := m.Generate(context.Background(), userReq(claude, "hi"))
			_, serr := m.Stream(context.Background(), userReq(claude, "hi"))
			for _, c := range []struct {
				op, rid string
				err     error
			}{{"converse", "rid-g", gerr}, {"converse-stream", "rid-s", serr}} {
				var pe *llm.ProviderError
				if !errors.As(c.err, &pe) {
					t.Fatalf("%s error = %v, want *llm.ProviderError", c.op, c.err)
				}
				if !errors.Is(c.err, tt.category) || pe.Retryable != tt.retryable || pe.Op != c.op || pe.Code != string(tt.code) ||
					pe.StatusCode != tt.code.Status() || pe.RequestID != c.rid || pe.Message != tt.message {
					t.Errorf("%s error = %+v, want category %v, retryable %v, code %s, status %d, request id %s, message %q",
						c.op, pe, tt.category, tt.retryable, tt.code, tt.code.Status(), c.rid, tt.message)
				}
			}
		})
	}
}

// streamErr reads s to its end and returns its error, and how many events came first.
func streamErr(s *llm.Stream) (int, error) {
	n := 0
	for _, err := range s.Events() {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// TestModelStreamFaults: a stream that breaks after its 200 response is an error, never a
// short success (RULES.md STREAM-ERRORS, SDK-STREAM-ERR and SDK-TRUNCATION).
func TestModelStreamFaults(t *testing.T) { forDecoders(t, testModelStreamFaults) }

func testModelStreamFaults(t *testing.T, dec StreamDecoder) {
	long := &llm.Response{
		Message:    llm.AssistantText("one two three four five six seven eight nine ten"),
		StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 1, OutputTokens: 10, TotalTokens: 11},
	}
	base := bedrocktest.Respond(long).Split(4)
	tests := []struct {
		name      string
		reason    string
		reply     bedrocktest.ServerReply
		category  error
		check     func(t *testing.T, err error)
		minEvents int
	}{{
		name:      "throttling_exception_frame",
		reason:    "ERR-THROTTLING: throttlingException mid-stream is a retryable rate limit with status 0",
		reply:     base.ExceptionAfter(3, bedrocktest.ThrottlingException, "slow down"),
		category:  llm.ErrRateLimited,
		minEvents: 3,
		check: func(t *testing.T, err error) {
			var pe *llm.ProviderError
			if !errors.As(err, &pe) || !pe.Retryable || pe.StatusCode != 0 || pe.Op != "converse-stream" || pe.RequestID != "rid" || pe.Message != "slow down" {
				t.Errorf("error = %#v, want a retryable ProviderError, status 0, op converse-stream, request id rid, message %q", err, "slow down")
			}
		},
	}, {
		name:      "model_stream_error_frame",
		reason:    "STREAM-ERRORS: modelStreamErrorException mid-stream is an error with its type",
		reply:     base.ExceptionAfter(2, bedrocktest.ModelStreamErrorException, "model broke"),
		category:  llm.ErrServer,
		minEvents: 2,
		check: func(t *testing.T, err error) {
			var pe *llm.ProviderError
			if !errors.As(err, &pe) || !strings.EqualFold(pe.Code, "ModelStreamErrorException") {
				t.Errorf("error = %v, want code ModelStreamErrorException", err)
			}
		},
	}, {
		name:     "truncated_frame_clean_end",
		reason:   "SDK-TRUNCATION: a body that ends cleanly inside a frame is an error, not a short success",
		reply:    base.TruncateAfter(4),
		category: llm.ErrStream,
		check: func(t *testing.T, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v, want it to wrap io.ErrUnexpectedEOF", err)
			}
		},
	}, {
		name:     "cut_inside_frame",
		reason:   "SDK-TRUNCATION: a connection cut inside a frame is an error",
		reply:    base.CutAfter(4),
		category: llm.ErrStream,
	}, {
		name:     "dropped_between_frames",
		reason:   "STREAM-ERRORS: a stream that ends without messageStop is an error",
		reply:    base.DropAfter(4),
		category: llm.ErrStream,
	}, {
		name:     "corrupt_crc",
		reason:   "a frame with a bad checksum is an error",
		reply:    base.CorruptAfter(3),
		category: llm.ErrStream,
	}, {
		name:      "cut_before_metadata",
		reason:    "SDK-TRUNCATION: a stream cut after messageStop loses usage; it is an error, not a zero-usage success",
		reply:     bedrocktest.Respond(long).TruncateAfter(len(mustEvents(t, long)) - 1),
		category:  llm.ErrStream,
		minEvents: len(mustEvents(t, long)) - 1, // up to and including messageStop
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			srv := bedrocktest.NewServer(nil)
			defer srv.Close()
			m := New(srv.Client(nil), &Options{StreamDecoder: dec})
			srv.Enqueue(tt.reply.WithRequestID("rid"))
			s, err := m.Stream(context.Background(), userReq(claude, "hi"))
			if err != nil {
				t.Fatalf("Stream(%s) error before the stream: %v", tt.name, err)
			}
			n, err := streamErr(s)
			if err == nil || !errors.Is(err, tt.category) {
				t.Fatalf("Stream(%s) ended with %v, want an error of category %v (%s)", tt.name, err, tt.category, tt.reason)
			}
			if n < tt.minEvents {
				t.Errorf("Stream(%s) gave %d events before the error, want at least %d", tt.name, n, tt.minEvents)
			}
			if _, rerr := s.Response(); rerr == nil {
				t.Errorf("Stream(%s).Response() = nil error after a broken stream", tt.name)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

func mustEvents(t *testing.T, r *llm.Response) []llm.Event {
	evs, err := llm.ResponseEvents(r)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// slowReply streams many deltas slowly.
func slowReply(between time.Duration) bedrocktest.ServerReply {
	return bedrocktest.Respond(&llm.Response{
		Message:    llm.AssistantText(strings.Repeat("word ", 50)),
		StopReason: llm.StopReasonEndTurn,
	}).Split(5).Pace(0, between)
}

// TestModelStreamCancel: cancelling the context ends the stream with an error for which
// errors.Is(err, context.Canceled) holds, closes the network stream and leaves no
// goroutine (SDK-STREAM-ERR).
func TestModelStreamCancel(t *testing.T) { forDecoders(t, testModelStreamCancel) }

func testModelStreamCancel(t *testing.T, dec StreamDecoder) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	m := New(srv.Client(nil), &Options{StreamDecoder: dec})
	srv.Enqueue(slowReply(50 * time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := m.Stream(ctx, userReq(claude, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	var got error
	n := 0
	for _, err := range s.Events() {
		if err != nil {
			got = err
			break
		}
		if n++; n == 2 {
			cancel()
		}
	}
	if !errors.Is(got, context.Canceled) {
		t.Errorf("stream after cancel ended with %v, want errors.Is(err, context.Canceled)", got)
	}
	if n > 10 {
		t.Errorf("stream gave %d events after cancel, want it to stop promptly", n)
	}
}

// TestModelStreamBreak: stopping a range early closes the network stream; the stream
// then reports that it was abandoned, and no goroutine stays.
func TestModelStreamBreak(t *testing.T) { forDecoders(t, testModelStreamBreak) }

func testModelStreamBreak(t *testing.T, dec StreamDecoder) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	m := New(srv.Client(nil), &Options{StreamDecoder: dec})
	srv.Enqueue(slowReply(20 * time.Millisecond))
	s, err := m.Stream(context.Background(), userReq(claude, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
		t.Errorf("Response() after break = %v, want an llm.ErrStream error", err)
	}
}

// TestModelStreamUnread: a stream closed without being read releases everything.
func TestModelStreamUnread(t *testing.T) { forDecoders(t, testModelStreamUnread) }

func testModelStreamUnread(t *testing.T, dec StreamDecoder) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	m := New(srv.Client(nil), &Options{StreamDecoder: dec})
	srv.Enqueue(slowReply(20 * time.Millisecond))
	s, err := m.Stream(context.Background(), userReq(claude, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
}

// TestModelStreamIdleTimeout: a stream with no event for IdleTimeout ends with an error
// and is closed.
func TestModelStreamIdleTimeout(t *testing.T) { forDecoders(t, testModelStreamIdleTimeout) }

func testModelStreamIdleTimeout(t *testing.T, dec StreamDecoder) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	m := New(srv.Client(nil), &Options{IdleTimeout: 100 * time.Millisecond, StreamDecoder: dec})
	srv.Enqueue(slowReply(2 * time.Second))
	s, err := m.Stream(context.Background(), userReq(claude, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = streamErr(s)
	if !errors.Is(err, llm.ErrStream) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("idle stream ended with %v, want llm.ErrStream and context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("idle stream took %v to end, want about the idle timeout", d)
	}
}

func TestModelCapabilities(t *testing.T) {
	custom := llm.Capabilities{Tools: true, NativeOutput: true}
	m, _ := newTestModel(t, &Options{Capabilities: map[string]llm.Capabilities{
		"anthropic.claude-haiku-4-5-20251001-v1:0":                                 custom,
		"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc": {Tools: true},
	}})
	tests := []struct {
		model  string
		reason string
		want   llm.Capabilities
	}{
		{"us.anthropic.claude-haiku-4-5-20251001-v1:0", "an override keyed by the base id applies to its inference profiles", custom},
		{"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", "an application profile gets what the caller says", llm.Capabilities{Tools: true}},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "without an override, the built-in table", CapabilitiesFor("us.anthropic.claude-sonnet-4-5-20250929-v1:0")},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, m.Capabilities(tt.model)); diff != "" {
			t.Errorf("Capabilities(%s) mismatch (-want +got), %s:\n%s", tt.model, tt.reason, diff)
		}
	}
}

// TestNewFromConfig: a Model built from an aws.Config gets the HTTP fixes — a truncated
// stream is an error, which the SDK alone would report as a clean end (SDK-TRUNCATION).
func TestNewFromConfig(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	for _, hc := range []struct {
		name string
		c    aws.HTTPClient
	}{{"default", nil}, {"caller_http_client", &http.Client{}}, {"buildable", awshttp.NewBuildableClient()}} {
		t.Run(hc.name, func(t *testing.T) {
			cfg := aws.Config{
				Region:       "us-east-1",
				Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
				BaseEndpoint: aws.String(srv.URL),
				Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
				HTTPClient:   hc.c,
			}
			m := NewFromConfig(cfg, nil)
			srv.Enqueue(bedrocktest.Text("hello"), bedrocktest.Respond(responses[0].resp).Split(3).TruncateAfter(3))
			resp, err := m.Generate(context.Background(), userReq(claude, "hi"))
			if err != nil || resp.Text() != "hello" {
				t.Fatalf("Generate = %v, %v; want hello", resp, err)
			}
			s, err := m.Stream(context.Background(), userReq(claude, "hi"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := streamErr(s); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("truncated stream ended with %v, want io.ErrUnexpectedEOF from the frame watcher", err)
			}

			// Concurrent streams on one client: the SDK's own protocol shares one
			// event-stream decoder between them, which -race flags; NewFromConfig must
			// install a decoder per stream.
			const n = 8
			for range n {
				srv.Enqueue(bedrocktest.Text("one two three four five six").Split(2))
			}
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for range n {
				wg.Go(func() {
					s, err := m.Stream(context.Background(), userReq(claude, "hi"))
					if err != nil {
						errs <- err
						return
					}
					resp, err := s.Response()
					if err == nil && resp.Text() != "one two three four five six" {
						err = fmt.Errorf("text %q", resp.Text())
					}
					if err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("concurrent stream: %v", err)
			}
		})
	}
}

// TestModelGenerateContext: a cancelled call's error is context.Canceled; a passed
// deadline is llm.ErrTimeout and still context.DeadlineExceeded (SDK-STREAM-ERR).
func TestModelGenerateContext(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	m := New(srv.Client(nil), nil)
	srv.Enqueue(bedrocktest.Text("late").Delay(2*time.Second), bedrocktest.Text("late").Delay(2*time.Second))

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := m.Generate(ctx, userReq(claude, "hi"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Generate after cancel = %v, want errors.Is(err, context.Canceled)", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = m.Generate(ctx, userReq(claude, "hi"))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, llm.ErrTimeout) {
		t.Errorf("Generate past its deadline = %v, want context.DeadlineExceeded and llm.ErrTimeout", err)
	}
}
