// Package transport holds the HTTP-level fixes every Bedrock Runtime client built by llmkit
// needs (providers/bedrock/RULES.md SDK-BODY-CLOSE and SDK-TRUNCATION). Package bedrock
// exposes them as [bedrock.HTTPClient]; package bedrocktest uses them directly, because
// bedrock's own tests import bedrocktest and bedrocktest therefore cannot import bedrock.
package transport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Doer sends an HTTP request. *http.Client implements it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client wraps a [Doer] with the request-body fix and the event-stream frame watcher. It is
// safe for concurrent use.
type Client struct {
	base Doer
}

// MaxIdleConnsPerHost is the idle-connection pool size per host of [DefaultHTTPClient]:
// enough for 64 concurrent streams to one endpoint to reuse their connections.
const MaxIdleConnsPerHost = 128

// DefaultHTTPClient returns a new *http.Client with the AWS SDK's default transport
// settings (dial and TLS timeouts, proxy from the environment, HTTP/2, redirects limited to
// 307 and 308) and a connection pool sized for many concurrent streams.
func DefaultHTTPClient() *http.Client {
	b := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = 2 * MaxIdleConnsPerHost
		tr.MaxIdleConnsPerHost = MaxIdleConnsPerHost
	})
	return b.Freeze().(*http.Client)
}

// New returns a Client that sends through base, or through [DefaultHTTPClient] when base
// is nil.
func New(base Doer) *Client {
	if base == nil {
		base = DefaultHTTPClient()
	}
	return &Client{base: base}
}

// Base returns the client c sends through.
func (c *Client) Base() Doer { return c.base }

// Do sends req. A request body of known length is first read into a private buffer, and
// net/http is given a fresh reader over it (and GetBody), so that the SDK closing its own
// body when Do returns cannot make net/http close the connection under a response still
// being streamed (providers/bedrock/RULES.md SDK-BODY-CLOSE). A body of unknown length
// (ContentLength -1, such as an event-stream input pipe) is passed through untouched. The
// body of an application/vnd.amazon.eventstream response is wrapped so that an end of the
// body in the middle of a frame, or any read error, surfaces as an error instead of the
// clean end of stream the SDK would make of it (SDK-TRUNCATION).
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength > 0 {
		buf, err := readBody(req.Body, req.ContentLength)
		if err != nil {
			return nil, err
		}
		r := new(http.Request)
		*r = *req
		r.Body = newBodyReader(buf)
		r.GetBody = func() (io.ReadCloser, error) { return newBodyReader(buf), nil }
		req = r
	}
	resp, err := c.base.Do(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	if IsEventStream(resp.Header.Get("Content-Type")) {
		resp.Body = &FrameWatcher{body: resp.Body}
	}
	return resp, nil
}

func readBody(body io.ReadCloser, n int64) ([]byte, error) {
	defer body.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, fmt.Errorf("bedrock: http: read request body (%d bytes announced): %w", n, err)
	}
	var extra [1]byte
	if k, _ := body.Read(extra[:]); k > 0 {
		return nil, fmt.Errorf("bedrock: http: request body longer than its Content-Length %d", n)
	}
	return buf, nil
}

type bodyReader struct{ bytes.Reader }

func newBodyReader(b []byte) *bodyReader {
	r := new(bodyReader)
	r.Reset(b)
	return r
}

func (*bodyReader) Close() error { return nil }

// IsEventStream reports whether a Content-Type header value names the AWS event-stream
// media type.
func IsEventStream(contentType string) bool {
	if contentType == "" {
		return false
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt == "application/vnd.amazon.eventstream"
	}
	return strings.EqualFold(strings.TrimSpace(contentType), "application/vnd.amazon.eventstream")
}

// ErrTruncated is wrapped by the error a [FrameWatcher] returns when the body ends inside
// a frame. It is io.ErrUnexpectedEOF, so errors.Is(err, io.ErrUnexpectedEOF) holds too.
var ErrTruncated = io.ErrUnexpectedEOF

// minFrameLen is the length of a frame with no headers and no payload: prelude (8),
// prelude CRC (4), message CRC (4).
const minFrameLen = 16

// FrameWatcher wraps an event-stream response body and tracks frame boundaries from each
// frame's total-length prelude field. It does no per-byte work beyond counting (four
// bytes per frame are read for the length) and allocates nothing per frame. A body that
// ends inside a frame, or a read error of any kind, is returned as an error that is not
// io.EOF or io.ErrUnexpectedEOF itself (the SDK's decoder treats both as a normal end) but
// wraps the cause; a body that ends cleanly at a frame boundary ends with io.EOF.
type FrameWatcher struct {
	body   io.ReadCloser
	left   uint32 // bytes of the current frame still expected after its length field
	have   uint8  // bytes of the next frame's length field seen so far
	prefix uint32 // the length field being assembled
	frames int    // complete frames' length fields seen
	read   int64
	err    error
}

// NewFrameWatcher wraps body; see [FrameWatcher].
func NewFrameWatcher(body io.ReadCloser) *FrameWatcher { return &FrameWatcher{body: body} }

// Read reads from the body, counting frame bytes.
func (w *FrameWatcher) Read(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.body.Read(p)
	w.scan(p[:n])
	w.read += int64(n)
	if err == nil {
		return n, nil
	}
	switch {
	case err == io.EOF && !w.inFrame():
		return n, io.EOF
	case err == io.EOF:
		w.err = fmt.Errorf("bedrock: event stream: body ended inside frame %d, %s missing: %w", w.frames, w.missing(), ErrTruncated)
	case w.inFrame():
		w.err = fmt.Errorf("bedrock: event stream: body cut inside frame %d, %s missing: %w", w.frames, w.missing(), err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		w.err = fmt.Errorf("bedrock: event stream: body cut after %d frames: %w", w.frames, err)
	default:
		w.err = fmt.Errorf("bedrock: event stream: read after %d frames: %w", w.frames, err)
	}
	return n, w.err
}

func (w *FrameWatcher) inFrame() bool { return w.left > 0 || w.have > 0 }

func (w *FrameWatcher) missing() string {
	if w.have > 0 {
		return "part of the length prelude"
	}
	return strconv.FormatUint(uint64(w.left), 10) + " bytes"
}

func (w *FrameWatcher) scan(b []byte) {
	for len(b) > 0 {
		if w.left > 0 {
			if uint64(len(b)) < uint64(w.left) {
				w.left -= uint32(len(b))
				return
			}
			b = b[w.left:]
			w.left = 0
			continue
		}
		if w.have == 0 && len(b) >= 4 {
			w.startFrame(binary.BigEndian.Uint32(b))
			b = b[4:]
			continue
		}
		w.prefix = w.prefix<<8 | uint32(b[0])
		w.have++
		b = b[1:]
		if w.have == 4 {
			w.startFrame(w.prefix)
			w.have, w.prefix = 0, 0
		}
	}
}

func (w *FrameWatcher) startFrame(total uint32) {
	// A length below the minimum is corrupt; the SDK's decoder rejects it. Count it as
	// the smallest frame so the arithmetic stays sound.
	w.left = max(total, minFrameLen) - 4
	w.frames++
}

// Close closes the body.
func (w *FrameWatcher) Close() error { return w.body.Close() }

// Body returns the body w wraps, for a reader that sees frame boundaries itself and
// needs no watcher.
func (w *FrameWatcher) Body() io.ReadCloser { return w.body }
