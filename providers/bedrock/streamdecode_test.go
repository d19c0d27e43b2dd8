package bedrock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkes "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/schemas"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/providers/bedrock/internal/transport"
)

// memDoer answers every request with a 200 event stream of body, read chunk bytes at a
// time (all at once when chunk is 0): the real SDK client, with no network at all.
type memDoer struct {
	body  []byte
	chunk int
}

func (d memDoer) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	h := http.Header{}
	h.Set("Content-Type", "application/vnd.amazon.eventstream")
	h.Set("X-Amzn-Requestid", "rid-mem")
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Request: req,
		Body: &memBody{b: d.body, chunk: d.chunk}, ContentLength: -1}, nil
}

// memBody is a response body whose Close, from any goroutine, makes reads fail as a
// closed net/http body does.
type memBody struct {
	b      []byte
	chunk  int
	closed atomic.Bool
}

func (m *memBody) Read(p []byte) (int, error) {
	if m.closed.Load() {
		return 0, errors.New("http: read on closed response body")
	}
	if len(m.b) == 0 {
		return 0, io.EOF
	}
	if m.chunk > 0 && len(p) > m.chunk {
		p = p[:m.chunk]
	}
	n := copy(p, m.b)
	m.b = m.b[n:]
	return n, nil
}

func (m *memBody) Close() error { m.closed.Store(true); return nil }

func memModel(body []byte, chunk int, dec StreamDecoder) *Model {
	c := bedrockruntime.New(bedrockruntime.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDMEM", "secret", ""),
		HTTPClient:  memDoer{body: body, chunk: chunk},
		Retryer:     aws.NopRetryer{},
	}, ConfigureClient, func(o *bedrockruntime.Options) {
		o.BearerAuthTokenProvider = nil
		o.AuthSchemePreference = []string{"sigv4"}
	})
	return New(c, &Options{StreamDecoder: dec})
}

// streamResult is what a stream gave: its events, and the category of its error.
type streamResult struct {
	Events   []llm.Event
	Category string
	Code     string
}

func category(err error) string {
	if err == nil {
		return "none"
	}
	for _, c := range allCategories {
		if errors.Is(err, c) {
			return c.Error()
		}
	}
	return "uncategorised: " + err.Error()
}

func readStream(t testing.TB, m *Model, req *llm.Request) streamResult {
	t.Helper()
	s, err := m.Stream(context.Background(), req)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	r := streamResult{Category: category(nil)}
	for ev, err := range s.Events() {
		if err != nil {
			r.Category = category(err)
			var pe *llm.ProviderError
			if errors.As(err, &pe) {
				r.Code = pe.Code
				if pe.RequestID != "rid-mem" {
					t.Errorf("stream error %v has request id %q, want rid-mem", err, pe.RequestID)
				}
			}
			break
		}
		r.Events = append(r.Events, ev)
	}
	return r
}

// diffDecoders reads body with both decoders and reports how they differ.
func diffDecoders(t testing.TB, body []byte, chunk int, req *llm.Request) (sdk, own streamResult, diff string) {
	t.Helper()
	sdk = readStream(t, memModel(body, chunk, DecoderSDK), req)
	own = readStream(t, memModel(body, chunk, DecoderLLMKit), req)
	return sdk, own, cmp.Diff(sdk, own, cmp.Exporter(func(reflect.Type) bool { return true }))
}

// TestDecodersAgreeOnRecordings: every recorded ConverseStream answer in testdata reads
// the same through llmkit's decoder and the SDK's, whole and cut at every frame.
func TestDecodersAgreeOnRecordings(t *testing.T) {
	fsys := bedrocktest.Fixtures()
	n := 0
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".json" {
			return err
		}
		f, err := bedrocktest.LoadFixture(fsys, name)
		if err != nil {
			return err
		}
		if f.Operation() != bedrocktest.OpConverseStream || f.Response.Status != 200 {
			return nil
		}
		n++
		body := f.Body()
		req := userReq(f.ModelID(), "hi")
		for _, chunk := range []int{0, 7} {
			sdk, _, diff := diffDecoders(t, body, chunk, req)
			if diff != "" {
				t.Errorf("%s (reads of %d bytes): decoders differ (-sdk +llmkit):\n%s", name, chunk, diff)
			}
			if sdk.Category != "none" || len(sdk.Events) < 4 {
				t.Errorf("%s: SDK path read %d events and %s, want a whole stream", name, len(sdk.Events), sdk.Category)
			}
		}
		for cut := 1; cut < len(body); cut += 1 + len(body)/40 {
			if _, _, diff := diffDecoders(t, body[:cut], 0, req); diff != "" {
				t.Errorf("%s cut at %d: decoders differ (-sdk +llmkit):\n%s", name, cut, diff)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Fatalf("%d recorded streams found, want at least 4", n)
	}
}

// frameKinds are the frames the fuzzer composes streams of, indexed by a byte of its
// input; text comes from the input too.
var frameKinds = []func(i int, text string) (msgType, typ, payload string){
	func(i int, s string) (string, string, string) {
		return "event", "messageStart", `{"role":"assistant","p":"ab"}`
	},
	func(i int, s string) (string, string, string) {
		return "event", "contentBlockDelta", fmt.Sprintf(`{"contentBlockIndex":%d,"delta":{"text":%q},"p":"abc"}`, i, s)
	},
	func(i int, s string) (string, string, string) {
		return "event", "contentBlockDelta", fmt.Sprintf(`{"contentBlockIndex":%d,"delta":{"toolUse":{"input":%q}}}`, i, s)
	},
	func(i int, s string) (string, string, string) {
		return "event", "contentBlockStart", fmt.Sprintf(`{"contentBlockIndex":%d,"start":{"toolUse":{"toolUseId":"t%d","name":"f"}}}`, i, i)
	},
	func(i int, s string) (string, string, string) {
		return "event", "contentBlockStop", fmt.Sprintf(`{"contentBlockIndex":%d}`, i)
	},
	func(i int, s string) (string, string, string) {
		return "event", "contentBlockDelta", fmt.Sprintf(`{"contentBlockIndex":%d,"delta":{"reasoningContent":{"text":%q}}}`, i, s)
	},
	func(i int, s string) (string, string, string) {
		return "event", "contentBlockDelta", fmt.Sprintf(`{"contentBlockIndex":%d,"delta":{"citation":{"title":%q}}}`, i, s)
	},
	func(i int, s string) (string, string, string) {
		return "event", "messageStop", `{"stopReason":"end_turn","additionalModelResponseFields":{"a":1}}`
	},
	func(i int, s string) (string, string, string) {
		return "event", "metadata", `{"usage":{"inputTokens":3,"outputTokens":4,"totalTokens":7},"metrics":{"latencyMs":12}}`
	},
	func(i int, s string) (string, string, string) {
		return "exception", "throttlingException", `{"message":"slow down"}`
	},
	func(i int, s string) (string, string, string) {
		return "exception", "modelStreamErrorException", `{"message":"boom","originalStatusCode":500}`
	},
	func(i int, s string) (string, string, string) {
		return "exception", "validationException", `{"message":` + fmt.Sprintf("%q", s) + `}`
	},
	func(i int, s string) (string, string, string) {
		return "exception", "someNewException", `{"message":"new"}`
	},
	func(i int, s string) (string, string, string) { return "event", "someNewEvent", `{"x":1}` },
	func(i int, s string) (string, string, string) { return "event", "contentBlockDelta", s }, // raw, often not JSON
	func(i int, s string) (string, string, string) { return "error", "", "" },
	func(i int, s string) (string, string, string) { return "surprise", "", "" },
	func(i int, s string) (string, string, string) {
		return "event", "contentBlockDelta", fmt.Sprintf(`{"delta":{"text":%q},"contentBlockIndex":%d, "p":[1,{"q":null}]}`, s, i)
	},
}

// genStream turns fuzz input into an encoded frame sequence and a mutation of it.
func genStream(data []byte) []byte {
	enc := sdkes.NewEncoder()
	var b bytes.Buffer
	for len(data) >= 2 {
		op, n := data[0], int(data[1]%16)
		data = data[2:]
		n = min(n, len(data))
		text := string(data[:n])
		data = data[n:]
		msgType, typ, payload := frameKinds[int(op)%len(frameKinds)](int(op>>5), text)
		var h sdkes.Headers
		switch msgType {
		case "exception":
			h.Set(":exception-type", sdkes.StringValue(typ))
		case "error":
			h.Set(":error-code", sdkes.StringValue("InternalFailure"))
			h.Set(":error-message", sdkes.StringValue("bad"))
		default:
			h.Set(":event-type", sdkes.StringValue(typ))
		}
		h.Set(":content-type", sdkes.StringValue("application/json"))
		h.Set(":message-type", sdkes.StringValue(msgType))
		_ = enc.Encode(&b, sdkes.Message{Headers: h, Payload: []byte(payload)})
	}
	out := b.Bytes()
	if len(data) == 1 && len(out) > 0 { // a last odd byte cuts or corrupts
		at := int(data[0]) * len(out) / 256
		if data[0]&1 == 0 {
			out = out[:at]
		} else {
			out[at] ^= 0x5a
		}
	}
	return out
}

// FuzzDecodersAgree: any frame sequence — cut, corrupt, with unknown events and
// exceptions — gives the same events and error category through both decoders.
func FuzzDecodersAgree(f *testing.F) {
	f.Add([]byte{0, 0, 1, 5, 'h', 'e', 'l', 'l', 'o', 4, 0, 7, 0, 8, 0})
	f.Add([]byte{0, 0, 3, 0, 2, 4, '{', '"', 'a', '"', 2, 3, ':', '1', '}', 4, 0, 7, 0})
	f.Add([]byte{0, 0, 1, 3, 'a', '\n', 'b', 9, 0})
	f.Add([]byte{0, 0, 1, 2, 'a', 'b', 10, 0, 7, 0, 200})
	f.Add([]byte{0, 0, 1, 2, 'a', 'b', 7, 0, 8, 0, 101})
	f.Add([]byte{0, 0, 13, 0, 14, 3, '{', '}', '"', 15, 0})
	f.Add([]byte{0, 0, 17, 4, 'x', 0xff, '"', '\\', 5, 2, 'h', 'm', 6, 1, 'T', 16, 0})
	f.Add([]byte{0, 0, 11, 5, 't', 'o', 'o', ' ', 'l', 12, 0})
	req := userReq(claude, "hi")
	f.Fuzz(func(t *testing.T, data []byte) {
		body := genStream(data)
		if _, _, diff := diffDecoders(t, body, 0, req); diff != "" {
			t.Errorf("decoders differ (-sdk +llmkit):\n%s", diff)
		}
	})
}

// TestFastDeltaAgreesWithSDK: the payloads fastDelta takes decode to what the SDK makes
// of them, and those it does not take are left to the SDK.
func TestFastDeltaAgreesWithSDK(t *testing.T) {
	proto := transport.NewProtocol()
	for _, tc := range []struct {
		payload string
		fast    bool
		why     string
	}{
		{`{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abc"}`, true, "the common form"},
		{` { "p" : "x" , "delta" : { "text" : "a\nb\t\"c\"\\/" } , "contentBlockIndex" : 12 } `, true, "spaces, order, short escapes"},
		{`{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}`, true, "a tool-input fragment"},
		{`{"contentBlockIndex":0,"delta":{"text":"caf\u00e9 \ud83d\ude00 \ud800"}}`, true, "unicode escapes and a lone surrogate"},
		{`{"contentBlockIndex":0,"delta":{"text":"naïve ☃"}}`, true, "UTF-8 text"},
		{"{\"contentBlockIndex\":0,\"delta\":{\"text\":\"bad \xff byte\"}}", false, "a byte that is not UTF-8"},
		{`{"contentBlockIndex":0,"delta":{"text":"a"},"x":[1,-2.5e3,true,null,{"y":"z"}]}`, true, "an unknown member of any shape"},
		{`{"contentBlockIndex":0,"delta":{"text":null}}`, false, "a null text"},
		{`{"contentBlockIndex":0,"delta":{"text":"a","p":"x"}}`, false, "a second delta member"},
		{`{"contentBlockIndex":0,"contentBlockIndex":1,"delta":{"text":"a"}}`, false, "a duplicate index"},
		{`{"contentBlockIndex":01,"delta":{"text":"a"}}`, false, "a leading zero"},
		{`{"contentBlockIndex":-1,"delta":{"text":"a"}}`, false, "a negative index"},
		{`{"contentBlockIndex":1.0,"delta":{"text":"a"}}`, false, "a fractional index"},
		{`{"contentBlockIndex":4294967296,"delta":{"text":"a"}}`, false, "an index past int32"},
		{`{"delta":{"text":"a"}}`, false, "no index"},
		{`{"contentBlockIndex":0}`, false, "no delta"},
		{`{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"a"}}}`, false, "reasoning goes to the SDK"},
		{`{"contentBlockIndex":0,"delta":{"text":"a"}} x`, false, "trailing bytes"},
		{`{"contentBlockIndex":0,"delta":{"text":"a\'b"}}`, false, "an escape encoding/json does not know"},
		{`{"contentBlockIndex":0,"de\u006cta":{"text":"a"}}`, false, "an escaped key"},
		{`{"contentBlockIndex":0,"delta":{"text":"a"},"x":1-2}`, false, "a malformed number"},
	} {
		ev, ok := fastDelta([]byte(tc.payload))
		if ok != tc.fast {
			t.Errorf("%s: fastDelta(%s) ok = %v, want %v", tc.why, tc.payload, ok, tc.fast)
			continue
		}
		if !ok {
			continue
		}
		v, err := proto.DeserializeEventMessage(schemas.ConverseStreamOutput, bedrockruntime.TypeRegistry, bytes.NewReader(frameBody(t, tc.payload)))
		if err != nil {
			t.Errorf("%s: the SDK does not read %s: %v", tc.why, tc.payload, err)
			continue
		}
		out, _ := streamOutput(v)
		sdk, err := ParseStreamChunk(out)
		if err != nil || len(sdk) != 1 {
			t.Errorf("%s: ParseStreamChunk of the SDK's event = %v, %v", tc.why, sdk, err)
			continue
		}
		if diff := cmp.Diff(sdk[0], ev); diff != "" {
			t.Errorf("%s: fastDelta(%s) (-sdk +fast):\n%s", tc.why, tc.payload, diff)
		}
	}
}

func frameBody(t testing.TB, payload string) []byte {
	t.Helper()
	var h sdkes.Headers
	h.Set(":event-type", sdkes.StringValue("contentBlockDelta"))
	h.Set(":content-type", sdkes.StringValue("application/json"))
	h.Set(":message-type", sdkes.StringValue("event"))
	var b bytes.Buffer
	if err := sdkes.NewEncoder().Encode(&b, sdkes.Message{Headers: h, Payload: []byte(payload)}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestStreamDecoderOption: the option picks the path; the llmkit path takes the body
// from under the SDK, which then starts no reader of its own.
func TestStreamDecoderOption(t *testing.T) {
	body := frameBody(t, `{"contentBlockIndex":0,"delta":{"text":"x"}}`)
	for _, dec := range []StreamDecoder{DecoderLLMKit, DecoderSDK} {
		m := memModel(body, 0, dec)
		if got := m.frames != nil; got != (dec == DecoderLLMKit) {
			t.Errorf("New with %v: own decoder installed = %v", dec, got)
		}
		var taker bodyTaker
		var fns []func(*bedrockruntime.Options)
		if dec == DecoderLLMKit {
			fns = append(fns, taker.install)
		}
		out, err := m.client.ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{ModelId: aws.String(claude)}, fns...)
		if err != nil {
			t.Fatalf("%v: ConverseStream: %v", dec, err)
		}
		if got := out.GetStream() == nil; got != (dec == DecoderLLMKit) {
			t.Errorf("%v: SDK stream absent = %v", dec, got)
		}
		if got := taker.body != nil; got != (dec == DecoderLLMKit) {
			t.Errorf("%v: body taken = %v", dec, got)
		}
		if taker.body != nil {
			_ = taker.body.Close()
		}
		if es := out.GetStream(); es != nil {
			_ = es.Close()
		}
	}
	if got := fmt.Sprint(DecoderLLMKit, " ", DecoderSDK, " ", StreamDecoder(7)); !strings.Contains(got, "llmkit sdk StreamDecoder(7)") {
		t.Errorf("String() = %q", got)
	}
}

// TestModelReliability reads consecutive 1,000-event streams, then concurrent ones,
// through a Model with llmkit's decoder on the real client: none may fail or come out
// different. With -soak 500 (100 under -race) and 64; else 10 and 4.
func TestModelReliability(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("abcd", 249)
	resp := &llm.Response{Message: llm.AssistantText(text), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 3, OutputTokens: 996, TotalTokens: 999}}
	srv := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Respond(resp).Split(1).Padded()})
	defer srv.Close()
	m := New(srv.Client(nil), nil)
	check := func() string {
		s, err := m.Stream(context.Background(), userReq(claude, "hi"))
		if err != nil {
			return err.Error()
		}
		got, err := s.Response()
		switch {
		case err != nil:
			return err.Error()
		case got.Text() != text:
			return fmt.Sprintf("text of %d bytes, want %d", len(got.Text()), len(text))
		case got.Usage != resp.Usage:
			return fmt.Sprintf("usage %+v, want %+v", got.Usage, resp.Usage)
		}
		return ""
	}
	streams, concurrent := 10, 4
	switch {
	case *soak && raceBuild:
		streams, concurrent = 100, 64
	case *soak:
		streams, concurrent = 500, 64
	}
	for i := range streams {
		if msg := check(); msg != "" {
			t.Fatalf("sequential stream %d of %d: %s", i, streams, msg)
		}
	}
	var wg sync.WaitGroup
	msgs := make([]string, concurrent)
	for w := range msgs {
		wg.Go(func() { msgs[w] = check() })
	}
	wg.Wait()
	for w, msg := range msgs {
		if msg != "" {
			t.Errorf("concurrent stream %d: %s", w, msg)
		}
	}
	if err := srv.Check(); err != nil {
		t.Error(err)
	}
}

// TestDecodersAgreeOnSimulatorFaults: every stream fault the simulator injects (exception
// frames of each kind, a connection dropped between frames, a body cut or ended inside a
// frame, a corrupt CRC) ends a Model's stream alike with both decoders: same events, same
// category, code, retryability and io.ErrUnexpectedEOF-ness, never a short success.
func TestDecodersAgreeOnSimulatorFaults(t *testing.T) {
	resp := &llm.Response{Message: llm.AssistantText("one two three four"), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 1, OutputTokens: 4, TotalTokens: 5}}
	base := bedrocktest.Respond(resp).Split(2)
	faults := []struct {
		name  string
		reply bedrocktest.ServerReply
	}{
		{"exception-throttling", base.ExceptionAfter(2, bedrocktest.ThrottlingException, "slow down")},
		{"exception-model-stream", base.ExceptionAfter(3, bedrocktest.ModelStreamErrorException, "model failed")},
		{"exception-validation", base.ExceptionAfter(1, bedrocktest.ValidationException, "bad input")},
		{"exception-internal", base.ExceptionAfter(4, bedrocktest.InternalServerException, "oops")},
		{"exception-unavailable", base.ExceptionAfter(0, bedrocktest.ServiceUnavailableException, "down")},
		{"drop", base.DropAfter(2)},
		{"drop-after-stop", base.DropAfter(4)},
		{"truncate", base.TruncateAfter(2)},
		{"truncate-chunked", base.TruncateAfter(3).Chunked(5)},
		{"cut", base.CutAfter(1)},
		{"corrupt-crc", base.CorruptAfter(2)},
	}
	type outcome struct {
		Events     []llm.Event
		Category   string
		Code       string
		Retryable  bool
		Unexpected bool
	}
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	c := srv.Client(nil)
	models := map[StreamDecoder]*Model{DecoderSDK: New(c, &Options{StreamDecoder: DecoderSDK}), DecoderLLMKit: New(c, nil)}
	for _, f := range faults {
		got := map[StreamDecoder]outcome{}
		for dec, m := range models {
			srv.Enqueue(f.reply.WithRequestID("rid-fault"))
			s, err := m.Stream(context.Background(), userReq(claude, "hi"))
			if err != nil {
				t.Fatalf("%s, %v: Stream: %v", f.name, dec, err)
			}
			var o outcome
			for ev, err := range s.Events() {
				if err != nil {
					o.Category, o.Unexpected = category(err), errors.Is(err, io.ErrUnexpectedEOF)
					var pe *llm.ProviderError
					if errors.As(err, &pe) {
						o.Code, o.Retryable = pe.Code, pe.Retryable
					}
					break
				}
				o.Events = append(o.Events, ev)
			}
			if o.Category == "" {
				t.Errorf("%s, %v: the stream ended without an error", f.name, dec)
			}
			got[dec] = o
		}
		if diff := cmp.Diff(got[DecoderSDK], got[DecoderLLMKit], cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
			t.Errorf("%s: decoders differ (-sdk +llmkit):\n%s", f.name, diff)
		}
	}
	if err := srv.Check(); err != nil {
		t.Error(err)
	}
}

// BenchmarkFastDelta decodes one text delta as Bedrock sends it, padding included.
func BenchmarkFastDelta(b *testing.B) {
	p := []byte(`{"contentBlockIndex":0,"delta":{"text":"Hello, world. "},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := fastDelta(p); !ok {
			b.Fatal("not taken")
		}
	}
}
