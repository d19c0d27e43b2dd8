package bedrock

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkes "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/internal/eventstream"
	"github.com/llmkit/llmkit/providers/bedrock/internal/transport"
)

// deltaStream encodes a ConverseStream answer of n text deltas shaped like Bedrock's
// (the "p" padding included), and returns it with its number of frames.
func deltaStream(tb testing.TB, n int) ([]byte, int) {
	tb.Helper()
	enc := sdkes.NewEncoder()
	var b bytes.Buffer
	frame := func(typ, payload string) {
		var h sdkes.Headers
		h.Set(":event-type", sdkes.StringValue(typ))
		h.Set(":content-type", sdkes.StringValue("application/json"))
		h.Set(":message-type", sdkes.StringValue("event"))
		if err := enc.Encode(&b, sdkes.Message{Headers: h, Payload: []byte(payload)}); err != nil {
			tb.Fatal(err)
		}
	}
	frame("messageStart", `{"p":"abcdefghijklmnopq","role":"assistant"}`)
	pad := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := range n {
		frame("contentBlockDelta", fmt.Sprintf(`{"contentBlockIndex":0,"delta":{"text":"word%d "},"p":"%s"}`, i%10, pad[:i%len(pad)]))
	}
	frame("contentBlockStop", `{"contentBlockIndex":0,"p":"abcd"}`)
	frame("messageStop", `{"p":"abcdefgh","stopReason":"end_turn"}`)
	frame("metadata", `{"metrics":{"latencyMs":100},"p":"ab","usage":{"inputTokens":3,"outputTokens":1000,"totalTokens":1003}}`)
	return b.Bytes(), n + 4
}

// hookProtocol is the other design issue 14 names, measured here: llmkit's frame decoder
// and fastDelta behind the protocol's DeserializeEventMessage hook, inside the SDK's own
// event reader (its two goroutines and channel hand-offs per event stay).
type hookProtocol struct {
	*transport.Protocol
	mu   sync.Mutex
	decs map[io.Reader]*eventstream.Decoder
}

func (p *hookProtocol) DeserializeEventMessage(schema *smithy.Schema, reg *smithy.TypeRegistry, r io.Reader) (smithy.Deserializable, error) {
	p.mu.Lock()
	dec := p.decs[r]
	if dec == nil {
		dec = eventstream.NewDecoder(r, 0)
		p.decs[r] = dec
	}
	p.mu.Unlock()
	msg, err := dec.Next()
	if err != nil {
		if err == io.EOF {
			p.mu.Lock()
			delete(p.decs, r)
			p.mu.Unlock()
		}
		return nil, err
	}
	if string(msg.MessageType) == "event" && string(msg.EventType) == "contentBlockDelta" {
		if ev, ok := fastDelta(msg.Payload); ok {
			switch e := ev.(type) {
			case llm.TextDelta:
				return &types.ContentBlockDeltaEvent{ContentBlockIndex: aws.Int32(int32(e.Index)), Delta: &types.ContentBlockDeltaMemberText{Value: e.Text}}, nil
			case llm.ToolInputDelta:
				return &types.ContentBlockDeltaEvent{ContentBlockIndex: aws.Int32(int32(e.Index)),
					Delta: &types.ContentBlockDeltaMemberToolUse{Value: types.ToolUseBlockDelta{Input: aws.String(e.Fragment)}}}, nil
			}
		}
	}
	return p.Protocol.DeserializeEventMessage(schema, reg, bytes.NewReader(msg.Frame))
}

// BenchmarkStreamDecoders reads a 1,000-delta ConverseStream answer through a Model on
// the real SDK client, served from memory (no network, no server): llmkit's decoder
// (deserialize middleware, frames read on the consumer's goroutine), the SDK's reader
// (DecoderSDK), and llmkit's decoder behind the SDK's DeserializeEventMessage hook.
func BenchmarkStreamDecoders(b *testing.B) {
	body, frames := deltaStream(b, 1000)
	for _, tc := range []struct {
		name  string
		dec   StreamDecoder
		proto bool
	}{{"middleware", DecoderLLMKit, false}, {"sdk", DecoderSDK, false}, {"hook", DecoderSDK, true}} {
		b.Run(tc.name, func(b *testing.B) {
			c := bedrockruntime.New(bedrockruntime.Options{
				Region:      "us-east-1",
				Credentials: credentials.NewStaticCredentialsProvider("AKIDMEM", "secret", ""),
				HTTPClient:  memDoer{body: body},
				Retryer:     aws.NopRetryer{},
			}, ConfigureClient, func(o *bedrockruntime.Options) {
				o.BearerAuthTokenProvider = nil
				o.AuthSchemePreference = []string{"sigv4"}
				if tc.proto {
					o.Protocol = &hookProtocol{Protocol: transport.NewProtocol(), decs: map[io.Reader]*eventstream.Decoder{}}
				}
			})
			m := New(c, &Options{StreamDecoder: tc.dec})
			req := userReq(claude, "hi")
			b.ReportAllocs()
			for b.Loop() {
				s, err := m.Stream(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				resp, err := s.Response()
				if err != nil || resp.Usage.OutputTokens != 1000 {
					b.Fatalf("Response() = %v, %v", resp, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/event")
		})
	}
}
