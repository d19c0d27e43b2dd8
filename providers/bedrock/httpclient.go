package bedrock

import (
	"net/http"

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
//     that ended inside a frame.
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
