package bedrock

import (
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/llmkit/llmkit/providers/bedrock/internal/transport"
)

// HTTPClient is the HTTP client to give the Bedrock Runtime SDK
// (bedrockruntime.Options.HTTPClient). It implements the SDK's HTTPClient interface and
// works around two SDK behaviours that otherwise lose or hide streamed answers:
//
//   - The SDK closes the request body as soon as Do returns; against a fast server, net/http
//     then closes the connection under the response still being streamed (about 7% of
//     1,000-event streams on loopback die with "use of closed network connection"). HTTPClient
//     reads the already-signed body into a private buffer first and hands net/http a fresh
//     reader over it, with GetBody set. Bodies of unknown length are passed through.
//   - The SDK treats an event stream that ends in the middle of a frame, or whose connection
//     is cut, as a normal end. HTTPClient wraps application/vnd.amazon.eventstream response
//     bodies in a reader that tracks frame boundaries, so such an end becomes an error that
//     shows in the stream's Err(); errors.Is(err, io.ErrUnexpectedEOF) holds for a body
//     that ended inside a frame. A [Model] reading with [DecoderLLMKit] unwraps the body
//     again: its decoder sees frame boundaries itself.
//
// An HTTPClient is safe for concurrent use.
type HTTPClient struct {
	c *transport.Client
}

// NewHTTPClient returns an HTTPClient that sends through base. A nil base means a new
// *http.Client with the AWS SDK's default transport settings and a connection pool sized
// for many concurrent streams (MaxIdleConnsPerHost 128).
func NewHTTPClient(base *http.Client) *HTTPClient {
	if base == nil {
		return &HTTPClient{c: transport.New(nil)}
	}
	return &HTTPClient{c: transport.New(base)}
}

// Do sends req and returns the response, as http.Client.Do does.
func (c *HTTPClient) Do(req *http.Request) (*http.Response, error) {
	return c.c.Do(req)
}

// ConfigureClient installs llmkit's workarounds for Bedrock Runtime SDK defects in a
// client's options; use it as an option function of bedrockruntime.New or NewFromConfig:
//
//   - o.HTTPClient is wrapped in an [HTTPClient] (a nil one is replaced by
//     NewHTTPClient(nil)): the request-body fix and the event-stream frame watcher. An
//     *awshttp.BuildableClient — the SDK's default, which bedrockruntime.New resolves
//     before option functions run — gets NewHTTPClient's pool of 128 idle connections per
//     host instead of the SDK's 10, unless it already has more.
//   - o.Protocol is replaced by a restJson1 protocol safe for concurrent streams. The SDK's
//     own protocol shares one event-stream codec, with mutable state, between all the
//     streams of a client: the race detector flags concurrent ConverseStream calls on one
//     client, and the bytes of unknown events can be mixed up. The replacement gives each
//     stream read a codec of its own from a pool, with no allocation per event.
func ConfigureClient(o *bedrockruntime.Options) {
	switch hc := o.HTTPClient.(type) {
	case *HTTPClient:
	case nil:
		o.HTTPClient = NewHTTPClient(nil)
	case *awshttp.BuildableClient:
		// Most often the SDK's default, resolved before option functions run: its pool
		// keeps 10 idle connections per host, too few for concurrent streams, which then
		// open a new connection each (RULES.md SDK-POOL). Raise it to NewHTTPClient's
		// size; a larger pool the caller chose is kept.
		o.HTTPClient = &HTTPClient{c: transport.New(hc.WithTransportOptions(func(t *http.Transport) {
			if t.MaxIdleConnsPerHost < transport.MaxIdleConnsPerHost {
				t.MaxIdleConnsPerHost = transport.MaxIdleConnsPerHost
			}
			if t.MaxIdleConns != 0 && t.MaxIdleConns < 2*transport.MaxIdleConnsPerHost {
				t.MaxIdleConns = 2 * transport.MaxIdleConnsPerHost
			}
		}))}
	default:
		o.HTTPClient = &HTTPClient{c: transport.New(hc)}
	}
	o.Protocol = transport.NewProtocol()
}
