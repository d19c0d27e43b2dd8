package bedrocktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/llmkit/llmkit/providers/bedrock/internal/transport"
)

// Recorder is an http.RoundTripper that records the Bedrock Runtime exchanges passing
// through it (requests to /model/{modelId}/{operation}) as [Fixture]s, in the format of
// [Fixtures], so that users with AWS credentials can add recorded exchanges. The
// Authorization and X-Amz-Security-Token headers are redacted; request and response
// bodies are kept whole, and a stream's body as the chunks it was read in. Other
// requests pass through unrecorded. Use it under the HTTP client the SDK is given:
//
//	rec := bedrocktest.NewRecorder(nil)
//	client := bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
//		o.HTTPClient = bedrock.NewHTTPClient(&http.Client{Transport: rec})
//	})
//
// A Recorder is safe for concurrent use.
type Recorder struct {
	next http.RoundTripper
	now  func() time.Time

	mu       sync.Mutex
	fixtures []*Fixture
}

// NewRecorder returns a Recorder that sends through next, or through a transport with the
// AWS SDK's default settings when next is nil.
func NewRecorder(next http.RoundTripper) *Recorder {
	if next == nil {
		next = transport.DefaultHTTPClient().Transport
	}
	return &Recorder{next: next, now: time.Now}
}

// Fixtures returns the exchanges recorded so far, in the order they completed; a stream
// completes when its body has been read to its end or closed.
func (r *Recorder) Fixtures() []*Fixture {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.fixtures)
}

// redacted lists the request headers whose values are never recorded.
var redacted = map[string]bool{"authorization": true, "x-amz-security-token": true}

// RoundTrip sends req and records the exchange.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	model, op, err := splitModelURL(req.URL.String())
	if err != nil {
		return r.next.RoundTrip(req)
	}
	body, err := requestBody(req)
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: record %s: %w", req.URL, err)
	}
	f := &Fixture{
		ModelSpec: "amazon_bedrock:" + model,
		Provider:  "amazon_bedrock",
		Request: FixtureRequest{
			Method:  req.Method,
			URL:     req.URL.String(),
			Headers: recordHeader(req.Header, true),
			Body:    FixtureBytes{B64: body},
		},
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	f.Request.Headers["host"] = []string{host}
	if json.Valid(body) {
		f.Request.CanonicalJSON = json.RawMessage(body)
	} else {
		f.Request.CanonicalJSON, _ = json.Marshal(string(body))
	}

	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	f.Response.Status = resp.StatusCode
	f.Response.Headers = recordHeader(resp.Header, false)
	f.Response.Body = json.RawMessage("null")
	if op.streaming() && resp.StatusCode == 200 {
		resp.Body = &recordingBody{rc: resp.Body, rec: r, f: f}
		return resp, nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: record %s: read response body: %w", req.URL, err)
	}
	if json.Valid(b) {
		f.Response.Body = json.RawMessage(b)
	} else {
		f.Response.Body, _ = json.Marshal(string(b))
	}
	r.add(f)
	return resp, nil
}

func (r *Recorder) add(f *Fixture) {
	f.CapturedAt = r.now().UTC().Format(time.RFC3339Nano)
	r.mu.Lock()
	r.fixtures = append(r.fixtures, f)
	r.mu.Unlock()
}

// requestBody returns a copy of req's body, leaving req able to send it.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}

func recordHeader(h http.Header, redact bool) Header {
	out := make(Header, len(h))
	for k, v := range h {
		k = strings.ToLower(k)
		if redact && redacted[k] {
			out[k] = []string{"[REDACTED:" + k + "]"}
			continue
		}
		out[k] = slices.Clone(v)
	}
	return out
}

// recordingBody records the chunks of a stream body as they are read. The fixture is
// complete at the end of the body or when it is closed (possibly from another goroutine
// than the reader's); reads after that are not recorded.
type recordingBody struct {
	rc  io.ReadCloser
	rec *Recorder
	f   *Fixture

	mu       sync.Mutex
	finished bool
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	if n > 0 && !b.finished {
		b.f.Chunks = append(b.f.Chunks, FixtureBytes{B64: bytes.Clone(p[:n])})
	}
	b.mu.Unlock()
	if err != nil {
		b.done()
	}
	return n, err
}

func (b *recordingBody) Close() error {
	b.done()
	return b.rc.Close()
}

func (b *recordingBody) done() {
	b.mu.Lock()
	first := !b.finished
	b.finished = true
	b.mu.Unlock()
	if first {
		b.rec.add(b.f)
	}
}
