package bedrock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/schemas"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	sdkes "github.com/aws/smithy-go/eventstream"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/internal/eventstream"
	"github.com/llmkit/llmkit/providers/bedrock/internal/transport"
)

// StreamDecoder selects how a [Model] reads the event stream of a ConverseStream answer.
type StreamDecoder int

const (
	// DecoderLLMKit, the default, has the Model read the answer's body itself: the SDK
	// still serializes, signs, retries and sends the request and turns a non-200 answer
	// into its error, but the 200 body is handed to llmkit's event-stream decoder, which
	// reads frames on the goroutine that ranges over the stream (no goroutine or channel
	// per event), checks both CRCs of every frame, and decodes text and tool-input deltas
	// without reflection. Every other frame (message start and stop, block starts and
	// stops, reasoning, citations, images, tool results, metadata, exceptions, unknown
	// events) goes through the SDK's own deserializer, so it reads exactly as with
	// DecoderSDK. A client that is not a *bedrockruntime.Client (a test double, a
	// middleware) is read with DecoderSDK.
	DecoderLLMKit StreamDecoder = iota
	// DecoderSDK reads streams through the SDK's event-stream reader
	// (ConverseStreamOutput.GetStream), as llmkit did before it had its own decoder: a
	// way back should AWS change the protocol in a way llmkit's decoder does not know.
	DecoderSDK
)

// String returns the decoder's name.
func (d StreamDecoder) String() string {
	switch d {
	case DecoderLLMKit:
		return "llmkit"
	case DecoderSDK:
		return "sdk"
	}
	return fmt.Sprintf("StreamDecoder(%d)", int(d))
}

// sdkEventStreamDeserializer is the ID of the SDK's middleware that wraps a
// ConverseStream body in its goroutine-driven event reader; bodyTaker takes its place.
const sdkEventStreamDeserializer = "OperationEventStreamDeserializer"

// bodyTaker is a deserialize middleware put in the place of the SDK's event-stream
// deserializer for one ConverseStream call: the operation deserializer below it has
// already turned a non-200 answer into the SDK's error, so what reaches it is the 200
// answer, whose body it keeps for the caller instead of starting the SDK's reader.
type bodyTaker struct {
	body io.ReadCloser
}

func (*bodyTaker) ID() string { return sdkEventStreamDeserializer }

func (b *bodyTaker) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok {
		return out, md, fmt.Errorf("bedrock: converse-stream: unknown transport type %T", out.RawResponse)
	}
	if out.Result == nil {
		out.Result = &bedrockruntime.ConverseStreamOutput{}
	}
	body := resp.Body
	if w, ok := body.(*transport.FrameWatcher); ok {
		body = w.Body() // the decoder sees frame boundaries itself
	}
	if b.body != nil { // a retried attempt's earlier body
		_ = b.body.Close()
	}
	b.body = body
	return out, md, nil
}

// install is an option function for one ConverseStream call of a *bedrockruntime.Client:
// it swaps the SDK's event-stream deserializer for b. A client whose protocol starts
// streams with an initial message, or whose stack lacks the SDK's deserializer, is left
// as it is, and the call reads its stream with the SDK.
func (b *bodyTaker) install(o *bedrockruntime.Options) {
	if o.Protocol != nil && o.Protocol.HasInitialEventMessage() {
		return
	}
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		if _, ok := st.Deserialize.Get(sdkEventStreamDeserializer); !ok {
			return nil
		}
		_, err := st.Deserialize.Swap(sdkEventStreamDeserializer, b)
		return err
	})
}

// frameReader is what a Model keeps between streams read with DecoderLLMKit: frame
// decoders with their buffers, and the SDK codecs for the frames it does not decode
// itself.
type frameReader struct {
	decoders sync.Pool // *eventstream.Decoder
	protocol *transport.Protocol
}

func newFrameReader() *frameReader {
	return &frameReader{protocol: transport.NewProtocol()}
}

// events is the event source of a stream read with DecoderLLMKit: the frames of body
// through the translator, then the end events; a bad frame, a cut body or an exception
// frame ends it with an error mapped as the SDK path maps it. It does not close body;
// the llm.Stream around it does, on every way out.
func (fr *frameReader) events(body io.Reader, tr *streamTranslator, rid string) iter.Seq2[llm.Event, error] {
	return func(yield func(llm.Event, error) bool) {
		dec, _ := fr.decoders.Get().(*eventstream.Decoder)
		if dec == nil {
			dec = eventstream.NewDecoder(body, 0)
		} else {
			dec.Reset(body)
		}
		defer func() {
			dec.Reset(nil)
			fr.decoders.Put(dec)
		}()
		var buf []llm.Event
		for {
			msg, err := dec.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				yield(nil, withRequestID(mapError(opConverseStream, err, true), rid))
				return
			}
			buf, err = fr.frame(buf[:0], tr, &msg)
			if err != nil {
				yield(nil, withRequestID(err, rid))
				return
			}
			for _, e := range buf {
				if !yield(e, nil) {
					return
				}
			}
			clear(buf)
		}
		tr.yieldEnd(yield, buf, rid)
	}
}

// frame appends the events of one frame to dst. Text and tool-input deltas are decoded
// here; every other frame, and a delta in a form fastDelta does not take, goes to the
// SDK's deserializer.
func (fr *frameReader) frame(dst []llm.Event, tr *streamTranslator, msg *eventstream.Message) ([]llm.Event, error) {
	if string(msg.MessageType) == "event" && string(msg.EventType) == "contentBlockDelta" {
		if ev, ok := fastDelta(msg.Payload); ok {
			return tr.event(dst, ev), nil
		}
	}
	v, err := fr.protocol.DeserializeEventMessage(schemas.ConverseStreamOutput, bedrockruntime.TypeRegistry, bytes.NewReader(msg.Frame))
	if err != nil {
		return dst, mapError(opConverseStream, err, true)
	}
	ev, ok := streamOutput(v)
	if !ok {
		return append(dst, llm.Warnf(llm.WarningSkipped, "", "stream event %T skipped", v)), nil
	}
	dst, err = tr.translate(dst, ev)
	if err != nil {
		return dst, &llm.ProviderError{Provider: "bedrock", Op: opConverseStream, Category: llm.ErrStream, Err: err}
	}
	return dst, nil
}

// streamOutput wraps an event the SDK's deserializer read as the SDK's event reader
// does (ConverseStreamOutputReader). When Bedrock adds an event member, it is one case
// here and one in [appendStreamChunk].
func streamOutput(v smithy.Deserializable) (types.ConverseStreamOutput, bool) {
	switch v := v.(type) {
	case *types.ContentBlockDeltaEvent:
		return &types.ConverseStreamOutputMemberContentBlockDelta{Value: *v}, true
	case *types.ContentBlockStartEvent:
		return &types.ConverseStreamOutputMemberContentBlockStart{Value: *v}, true
	case *types.ContentBlockStopEvent:
		return &types.ConverseStreamOutputMemberContentBlockStop{Value: *v}, true
	case *types.MessageStartEvent:
		return &types.ConverseStreamOutputMemberMessageStart{Value: *v}, true
	case *types.MessageStopEvent:
		return &types.ConverseStreamOutputMemberMessageStop{Value: *v}, true
	case *types.ConverseStreamMetadataEvent:
		return &types.ConverseStreamOutputMemberMetadata{Value: *v}, true
	case *sdkes.UnknownUnionMember:
		return &types.UnknownUnionMember{Tag: v.Tag, Value: v.Value}, true
	}
	return nil, false
}

// errNoBody is the error of a ConverseStream call whose middleware saw no 200 body.
var errNoBody = errors.New("bedrock: converse-stream: the answer has no event stream")
