package transport

import (
	"context"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/schemas"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"
)

// Protocol is the Bedrock Runtime client protocol (restJson1) made safe for concurrent
// event streams. The SDK's restjson1.Protocol holds one event-stream codec per client,
// with mutable state (a payload buffer, lazily built decoder and encoder) that every
// stream of the client uses at once: the race detector flags concurrent ConverseStream
// calls on one client, and the shared encoder can mix up the bytes of unknown events.
// Protocol gives each event-stream call a codec of its own, from a pool, so it costs no
// allocation per event. Other calls go to one shared restjson1.Protocol, which is safe.
type Protocol struct {
	base *restjson1.Protocol
	pool sync.Pool
}

// NewProtocol returns a Protocol for Bedrock Runtime.
func NewProtocol() *Protocol {
	p := &Protocol{base: newRestJSON()}
	p.pool.New = func() any { return newRestJSON() }
	return p
}

func newRestJSON() *restjson1.Protocol { return restjson1.New(schemas.AmazonBedrockFrontendService) }

var _ smithyhttp.ClientProtocol = (*Protocol)(nil)

// ID identifies the protocol.
func (p *Protocol) ID() smithy.ShapeID { return p.base.ID() }

// SerializeRequest serializes a request.
func (p *Protocol) SerializeRequest(ctx context.Context, op *smithy.OperationSchema, in smithy.Serializable, req *smithyhttp.Request) error {
	return p.base.SerializeRequest(ctx, op, in, req)
}

// DeserializeResponse deserializes a response.
func (p *Protocol) DeserializeResponse(ctx context.Context, op *smithy.OperationSchema, types *smithy.TypeRegistry, resp *smithyhttp.Response, out smithy.Deserializable) error {
	return p.base.DeserializeResponse(ctx, op, types, resp, out)
}

// HasInitialEventMessage reports whether event streams start with an initial message.
func (p *Protocol) HasInitialEventMessage() bool { return p.base.HasInitialEventMessage() }

// SerializeEventMessage serializes an input event with a codec of its own.
func (p *Protocol) SerializeEventMessage(schema, variant *smithy.Schema, v smithy.Serializable, w io.Writer) error {
	q := p.pool.Get().(*restjson1.Protocol)
	defer p.pool.Put(q)
	return q.SerializeEventMessage(schema, variant, v, w)
}

// DeserializeEventMessage reads an output event with a codec of its own.
func (p *Protocol) DeserializeEventMessage(schema *smithy.Schema, types *smithy.TypeRegistry, r io.Reader) (smithy.Deserializable, error) {
	q := p.pool.Get().(*restjson1.Protocol)
	defer p.pool.Put(q)
	return q.DeserializeEventMessage(schema, types, r)
}

// SerializeInitialRequest serializes an initial request message.
func (p *Protocol) SerializeInitialRequest(schema *smithy.Schema, v smithy.Serializable, w io.Writer) error {
	q := p.pool.Get().(*restjson1.Protocol)
	defer p.pool.Put(q)
	return q.SerializeInitialRequest(schema, v, w)
}

// DeserializeInitialResponse deserializes an initial response message.
func (p *Protocol) DeserializeInitialResponse(schema *smithy.Schema, r io.Reader, out smithy.Deserializable) error {
	q := p.pool.Get().(*restjson1.Protocol)
	defer p.pool.Put(q)
	return q.DeserializeInitialResponse(schema, r, out)
}
