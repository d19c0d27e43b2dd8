package bedrock_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/providers/bedrock"
)

// eventFrames returns n encoded Converse stream frames: messageStart, n-2 text deltas,
// messageStop.
func eventFrames(t testing.TB, n int) [][]byte {
	t.Helper()
	enc := eventstream.NewEncoder()
	frame := func(typ, payload string) []byte {
		var h eventstream.Headers
		h.Set(":event-type", eventstream.StringValue(typ))
		h.Set(":content-type", eventstream.StringValue("application/json"))
		h.Set(":message-type", eventstream.StringValue("event"))
		var b bytes.Buffer
		if err := enc.Encode(&b, eventstream.Message{Headers: h, Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	frames := [][]byte{frame("messageStart", `{"role":"assistant"}`)}
	for range n - 2 {
		frames = append(frames, frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"x"}}`))
	}
	return append(frames, frame("messageStop", `{"stopReason":"end_turn"}`))
}

// ending says how the test server ends a stream body.
type ending int

const (
	endClean    ending = iota // all frames, then the final chunk
	endMidFrame               // all but the last frame, half of it, then the final chunk
	endCutFrame               // all but the last frame, half of it, then the connection is closed
	endCutEdge                // all but the last frame, then the connection is closed
)

// streamServer serves every request with the frames, written in 4 KiB chunks, ended as
// told.
func streamServer(t testing.TB, frames [][]byte, end ending) *httptest.Server {
	t.Helper()
	var body []byte
	for _, f := range frames[:len(frames)-1] {
		body = append(body, f...)
	}
	last := frames[len(frames)-1]
	switch end {
	case endClean:
		body = append(body, last...)
	case endMidFrame, endCutFrame:
		body = append(body, last[:len(last)/2]...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.Header().Set("X-Amzn-Requestid", "req-1")
		rc := http.NewResponseController(w)
		for b := body; len(b) > 0; {
			k := min(len(b), 4096)
			w.Write(b[:k])
			rc.Flush()
			b = b[k:]
		}
		if end == endCutFrame || end == endCutEdge {
			conn, _, err := rc.Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func sdkClient(url string, hc bedrockruntime.HTTPClient) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:               "us-east-1",
		Credentials:          credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", ""),
		BaseEndpoint:         aws.String(url),
		Retryer:              aws.NopRetryer{},
		HTTPClient:           hc,
		AuthSchemePreference: []string{"sigv4"},
	})
}

// drain runs one ConverseStream call and returns the number of events and the stream's
// error.
func drain(ctx context.Context, c *bedrockruntime.Client) (int, error) {
	out, err := c.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{
		ModelId:  aws.String("anthropic.claude-test"),
		Messages: []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "hi"}}}},
	})
	if err != nil {
		return 0, err
	}
	st := out.GetStream()
	defer st.Close()
	n := 0
	for range st.Events() {
		n++
	}
	return n, st.Err()
}

// TestHTTPClientRequestBodyFix checks SDK-BODY-CLOSE: with the SDK's default HTTP
// client, some 1,000-event streams from a fast loopback server die with "use of closed
// network connection"; with HTTPClient none does. The short form runs 20 streams on
// NewHTTPClient only: losing the fix fails about one stream in ten, so it is caught
// nine times in ten here, and every time by TestHTTPClientBuffersBody. With -soak it
// runs 300 streams (100 under -race) on each client and logs the default client's
// failures.
func TestHTTPClientRequestBodyFix(t *testing.T) {
	t.Parallel()
	const events = 1000
	streams := 20
	switch {
	case bedrock.Soak() && httpclientRace:
		streams = 100
	case bedrock.Soak():
		streams = 300
	}
	srv := streamServer(t, eventFrames(t, events), endClean)
	run := func(hc bedrockruntime.HTTPClient) (fails int, first error) {
		c := sdkClient(srv.URL, hc)
		for range streams {
			n, err := drain(t.Context(), c)
			if err != nil || n != events {
				fails++
				if first == nil {
					first = err
				}
			}
		}
		return fails, first
	}

	if bedrock.Soak() {
		// Without the fix the failure is timing-dependent (about 7-10% here); it is
		// logged, not asserted, so that a quieter machine cannot fail the test.
		fails, first := run(nil)
		t.Logf("SDK default HTTP client: %d of %d streams failed (first error: %v)", fails, streams, first)
	}

	if fails, first := run(bedrock.NewHTTPClient(nil)); fails != 0 {
		t.Errorf("NewHTTPClient(nil): %d of %d streams failed, want 0 (first error: %v)", fails, streams, first)
	}
}

// TestHTTPClientTruncatedStream checks SDK-TRUNCATION: a stream body that ends inside a
// frame, or whose connection is cut, ends silently with the SDK's own client and with an
// error in Err() with HTTPClient.
func TestHTTPClientTruncatedStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		end     ending
		reason  string
		want    int  // events the SDK delivers
		wantEOF bool // errors.Is(err, io.ErrUnexpectedEOF)
	}{
		{"clean", endClean, "a complete body must still end without error", 5, false},
		{"mid-frame", endMidFrame, "half a frame then a clean end of the chunked body", 4, true},
		{"cut-mid-frame", endCutFrame, "half a frame then the connection is closed", 4, true},
		{"cut-at-boundary", endCutEdge, "connection closed between frames, without the final chunk", 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := streamServer(t, eventFrames(t, 5), tt.end)

			n, err := drain(t.Context(), sdkClient(srv.URL, nil))
			if n != tt.want || err != nil {
				t.Errorf("SDK default client: %d events, err %v; want %d events and the SDK's silent end (nil) — if the SDK now reports it, the watcher may be redundant", n, err, tt.want)
			}

			n, err = drain(t.Context(), sdkClient(srv.URL, bedrock.NewHTTPClient(nil)))
			if n != tt.want {
				t.Errorf("%s: NewHTTPClient: %d events, want %d", tt.reason, n, tt.want)
			}
			if tt.end == endClean {
				if err != nil {
					t.Errorf("%s: NewHTTPClient: Err() = %v, want nil", tt.reason, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s: NewHTTPClient: Err() = nil, want an error", tt.reason)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.wantEOF {
				t.Errorf("%s: errors.Is(%v, io.ErrUnexpectedEOF) = %v, want %v", tt.reason, err, got, tt.wantEOF)
			}
			if !strings.Contains(err.Error(), "bedrock: event stream: ") {
				t.Errorf("%s: Err() = %q, want it to name the event stream", tt.reason, err)
			}
		})
	}
}

// recordingDoer records what reaches the underlying client.
type recordingDoer struct {
	mu   sync.Mutex
	reqs []*http.Request
	resp *http.Response
}

func (d *recordingDoer) Do(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reqs = append(d.reqs, req)
	return d.resp, nil
}

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

func TestHTTPClientBuffersBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	defer srv.Close()
	base := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.GetBody == nil {
			t.Errorf("request reached the transport without GetBody")
		} else {
			rc, err := r.GetBody()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			if string(b) != `{"a":1}` {
				t.Errorf("GetBody() gave %q, want %q", b, `{"a":1}`)
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	body := &closeTracker{Reader: strings.NewReader(`{"a":1}`)}
	req, err := http.NewRequest("POST", srv.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 7
	resp, err := bedrock.NewHTTPClient(base).Do(req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != `{"a":1}` {
		t.Errorf("echoed body = %q, want %q", got, `{"a":1}`)
	}
	if !body.closed {
		t.Errorf("the caller's body was not closed after it was buffered")
	}
}

func TestHTTPClientPassesUnknownLengthBody(t *testing.T) {
	d := &recordingDoer{resp: &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody}}
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", pr)
	req.ContentLength = -1
	req.Body = io.NopCloser(pr)
	wrapped := bedrock.NewHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) { return d.Do(r) })})
	if _, err := wrapped.Do(req); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if len(d.reqs) != 1 || d.reqs[0].Body == nil || d.reqs[0].GetBody != nil {
		t.Errorf("a body of unknown length must reach the transport as is (streamed, no GetBody)")
	}
}

func TestHTTPClientRejectsBodyLongerThanLength(t *testing.T) {
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", strings.NewReader(`{"a":1}`))
	req.ContentLength = 3
	_, err := bedrock.NewHTTPClient(&http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Error("the request was sent")
		return nil, errors.New("sent")
	})}).Do(req)
	if err == nil || !strings.Contains(err.Error(), "longer than its Content-Length") {
		t.Errorf("Do(body longer than Content-Length) error = %v, want one naming the length", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestConfigureClient checks what ConfigureClient installs, and that one client so
// configured serves 64 concurrent streams (run with -race: the SDK's own protocol shares
// its event-stream codec between them).
func TestConfigureClient(t *testing.T) {
	t.Parallel()
	custom := &recordingDoer{}
	tests := []struct {
		name   string
		before bedrockruntime.HTTPClient
		reason string
		same   bool
	}{
		{"nil", nil, "a nil client becomes NewHTTPClient(nil)", false},
		{"ours", bedrock.NewHTTPClient(nil), "an HTTPClient is kept as is", true},
		{"custom", custom, "another client is wrapped", false},
	}
	for _, tt := range tests {
		o := bedrockruntime.Options{HTTPClient: tt.before}
		bedrock.ConfigureClient(&o)
		hc, ok := o.HTTPClient.(*bedrock.HTTPClient)
		if !ok {
			t.Errorf("%s: HTTPClient is %T, want *bedrock.HTTPClient", tt.reason, o.HTTPClient)
		}
		if tt.same && hc != tt.before {
			t.Errorf("%s: HTTPClient was replaced", tt.reason)
		}
		if o.Protocol == nil {
			t.Errorf("%s: Protocol not set", tt.reason)
		}
	}

	srv := streamServer(t, eventFrames(t, 200), endClean)
	c := bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      aws.NopRetryer{},
	}, bedrock.ConfigureClient, func(o *bedrockruntime.Options) { o.AuthSchemePreference = []string{"sigv4"} })
	// Concurrent streams on one client: the race detector flags an event-stream decoder
	// shared between them (-soak runs 64).
	streams := 8
	if bedrock.Soak() {
		streams = 64
	}
	var wg sync.WaitGroup
	errs := make([]error, streams)
	counts := make([]int, streams)
	for i := range streams {
		wg.Go(func() { counts[i], errs[i] = drain(t.Context(), c) })
	}
	wg.Wait()
	for i := range streams {
		if errs[i] != nil || counts[i] != 200 {
			t.Errorf("stream %d: %d events, err %v; want 200 events", i, counts[i], errs[i])
		}
	}
}
