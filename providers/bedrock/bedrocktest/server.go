package bedrocktest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/auth/bearer"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/llmkit/llmkit/internal/simtest"
	"github.com/llmkit/llmkit/providers/bedrock/internal/transport"
)

// Operation is a Bedrock Runtime operation the server answers.
type Operation string

// The operations, named by the last segment of their path /model/{modelId}/….
const (
	OpConverse       Operation = "converse"
	OpConverseStream Operation = "converse-stream"
	OpInvoke         Operation = "invoke"
	OpInvokeStream   Operation = "invoke-with-response-stream"
	// OpCountTokens is answered by the server itself, never from the reply queue: see
	// [CountTokens].
	OpCountTokens Operation = "count-tokens"
)

// streaming reports whether op answers with an event stream.
func (op Operation) streaming() bool { return op == OpConverseStream || op == OpInvokeStream }

// Options configures a [Server]. The zero value is usable.
type Options struct {
	// Default answers a request when no scripted reply is queued for it. The zero ServerReply
	// means none: such a request gets a 500 error naming the problem, and [Server.Check]
	// reports it.
	Default ServerReply
	// Addr is the address to listen on; empty means a free port on 127.0.0.1.
	Addr string
	// TLS serves HTTPS with HTTP/2 and a self-signed certificate, which [Server.Client]
	// trusts.
	TLS bool
	// Logf, when set, receives one line per request and per problem.
	Logf func(format string, args ...any)
}

// Request is a request the server received.
type Request struct {
	Op     Operation
	Model  string // the model id, unescaped from the path
	Header http.Header
	Body   []byte
	// JSON is Body decoded (numbers as json.Number), or nil when Body is not JSON.
	JSON any
	// RequestID is the X-Amzn-Requestid the server answered with.
	RequestID string
	// Status is the HTTP status of the answer.
	Status int
}

// Server is a Bedrock Runtime server on loopback that speaks the real wire protocol:
// REST-JSON for converse and invoke, application/vnd.amazon.eventstream for
// converse-stream and invoke-with-response-stream. It answers each request with the next
// queued [ServerReply] and keeps every request for assertions. A Server is safe for concurrent
// use.
type Server struct {
	// URL is the base URL of the server, http://ipaddr:port with no trailing slash.
	URL string

	srv     *httptest.Server
	opts    Options
	closing chan struct{}
	once    sync.Once

	mu       sync.Mutex
	queue    []ServerReply
	byModel  map[string][]ServerReply
	requests []Request
	seq      int

	found simtest.Findings
}

// NewServer starts and returns a new Server, in the manner of httptest.NewServer. The
// caller must call [Server.Close] when done with it. opts may be nil. Like
// httptest.NewServer, it panics if it cannot listen; use [StartServer] to get an error
// instead.
func NewServer(opts *Options) *Server {
	s, err := StartServer(opts)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// StartServer is like [NewServer] but returns an error when it cannot listen on
// opts.Addr.
func StartServer(opts *Options) (*Server, error) {
	s := &Server{closing: make(chan struct{}), byModel: map[string][]ServerReply{}}
	if opts != nil {
		s.opts = *opts
	}
	mux := http.NewServeMux()
	for _, op := range []Operation{OpConverse, OpConverseStream, OpInvoke, OpInvokeStream} {
		mux.HandleFunc("POST /model/{modelId}/"+string(op), func(w http.ResponseWriter, r *http.Request) {
			s.handle(w, r, op)
		})
	}
	mux.HandleFunc("POST /model/{modelId}/"+string(OpCountTokens), s.handleCountTokens)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		s.problem(fmt.Errorf("bedrocktest: %s %s: no such operation", r.Method, r.URL.Path))
		writeError(w, UnknownOperationException.Status(), UnknownOperationException, newRequestID(), "bedrocktest: no operation at "+r.Method+" "+r.URL.Path)
	})
	addr := s.opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: listen on %s: %w", addr, err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux}}
	if s.opts.TLS {
		s.srv.EnableHTTP2 = true
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	return s, nil
}

// Close stops the server: it cuts the connections still open, so streams in progress end
// with an error, and waits for every handler to return.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Enqueue adds replies to the queue used for requests to any model. Replies are used in
// order, one per request, after the replies queued for the request's model with
// [Server.EnqueueFor].
func (s *Server) Enqueue(replies ...ServerReply) {
	s.mu.Lock()
	s.queue = append(s.queue, replies...)
	s.mu.Unlock()
}

// EnqueueFor adds replies to the queue used for requests to the model id model (as sent,
// e.g. an inference profile id or an ARN).
func (s *Server) EnqueueFor(model string, replies ...ServerReply) {
	s.mu.Lock()
	s.byModel[model] = append(s.byModel[model], replies...)
	s.mu.Unlock()
}

// Pending returns the number of queued replies not used yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.queue)
	for _, q := range s.byModel {
		n += len(q)
	}
	return n
}

// Requests returns the requests received so far, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Mismatches returns the differences found so far between requests and the recorded
// requests of the fixtures that answered them, beyond the declared intended ones.
func (s *Server) Mismatches() []Mismatch { return s.found.Mismatches() }

// Check returns an error describing every mismatch with a replayed fixture's request and
// every problem the server met (a request with no reply queued, a reply that cannot
// answer the operation it got, an intended difference without a reason), or nil.
func (s *Server) Check() error { return s.found.Err() }

func (s *Server) problem(err error) {
	s.found.Add(nil, err)
	s.logf("%v", err)
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// ClientOptions configures the client [Server.Client] returns. The zero value is usable.
type ClientOptions struct {
	// MaxAttempts is the number of attempts per call: 0 or 1 turns retries off
	// (aws.NopRetryer); more uses the SDK's standard retryer with that many attempts,
	// no backoff delay and no retry quota.
	MaxAttempts int
	// Region defaults to us-east-1.
	Region string
	// SessionToken, when set, makes the credentials temporary ones, sent as
	// X-Amz-Security-Token.
	SessionToken string
	// BearerToken, when set, authenticates with "Authorization: Bearer <token>" (as
	// AWS_BEARER_TOKEN_BEDROCK would) instead of SigV4. Otherwise SigV4 is used even when
	// AWS_BEARER_TOKEN_BEDROCK is set in the environment.
	BearerToken string
	// HTTPClient replaces the HTTP client. Nil means the request-body fix and frame
	// watcher of bedrock.HTTPClient over a client that trusts the server's certificate
	// (or, with Raw, the SDK's default client). A client without the fix loses some
	// streams (providers/bedrock/RULES.md SDK-BODY-CLOSE).
	HTTPClient bedrockruntime.HTTPClient
	// Raw leaves the SDK's own HTTP client (unless HTTPClient is set) and protocol in
	// place, without the fixes of bedrock.ConfigureClient: for baselines, and to show what
	// the SDK alone does. Use one client per concurrent stream under the race detector.
	Raw bool
	// Configure, when set, is applied to the client's options last.
	Configure func(*bedrockruntime.Options)
}

// Client returns a real Bedrock Runtime client pointed at the server: static credentials,
// region us-east-1, BaseEndpoint the server's URL, retries off, and the fixes of
// bedrock.ConfigureClient (HTTP client and a protocol safe for concurrent streams)
// installed. opts may be nil.
func (s *Server) Client(opts *ClientOptions) *bedrockruntime.Client {
	var o ClientOptions
	if opts != nil {
		o = *opts
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	hc := o.HTTPClient
	if hc == nil && s.opts.TLS && o.Raw {
		hc = s.srv.Client()
	}
	if hc == nil && !o.Raw {
		var base *http.Client
		if s.opts.TLS {
			// A clone: the server's own client is shared and must not be changed.
			tr := s.srv.Client().Transport.(*http.Transport).Clone()
			tr.MaxIdleConns = 2 * transport.MaxIdleConnsPerHost
			tr.MaxIdleConnsPerHost = transport.MaxIdleConnsPerHost
			base = &http.Client{Transport: tr}
		} else {
			base = transport.DefaultHTTPClient()
		}
		hc = transport.New(base)
	}
	return bedrockruntime.New(bedrockruntime.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDBEDROCKTEST", "bedrocktest-secret", o.SessionToken),
		HTTPClient:   hc,
		Retryer:      retryer(o.MaxAttempts),
	}, func(bo *bedrockruntime.Options) {
		if !o.Raw {
			bo.Protocol = transport.NewProtocol()
		}
		// New has already read AWS_BEARER_TOKEN_BEDROCK; undo or replace what it set.
		if o.BearerToken != "" {
			bo.BearerAuthTokenProvider = bearer.StaticTokenProvider{Token: bearer.Token{Value: o.BearerToken}}
			bo.AuthSchemePreference = []string{"httpBearerAuth"}
			if !s.opts.TLS {
				bo.BearerAuthSigner = plainHTTPBearerSigner{}
			}
		} else {
			bo.BearerAuthTokenProvider = nil
			bo.AuthSchemePreference = []string{"sigv4"}
		}
		if o.Configure != nil {
			o.Configure(bo)
		}
	})
}

func retryer(attempts int) aws.Retryer {
	if attempts <= 1 {
		return aws.NopRetryer{}
	}
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = attempts
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		so.RateLimiter = ratelimit.None
	})
}

// plainHTTPBearerSigner sets the bearer token as the SDK's signer does, without its
// refusal of plain HTTP (the server listens on loopback).
type plainHTTPBearerSigner struct{}

func (plainHTTPBearerSigner) SignWithBearerToken(_ context.Context, tok bearer.Token, m bearer.Message) (bearer.Message, error) {
	req, ok := m.(*smithyhttp.Request)
	if !ok {
		return nil, fmt.Errorf("bedrocktest: bearer signer: want a smithy-go HTTP request, got %T", m)
	}
	c := req.Clone()
	c.Header.Set("Authorization", "Bearer "+tok.Value)
	return c, nil
}

// maxBody bounds the request bodies the server reads.
const maxBody = 64 << 20

// receive reads and checks a request for op: the request as the server keeps it, and
// when the server refuses it, the status, code and message of its error (status 0 when
// it does not).
func receive(r *http.Request, op Operation) (req Request, status int, code ErrorCode, msg string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	req = Request{Op: op, Model: r.PathValue("modelId"), Header: r.Header.Clone(), Body: body}
	if len(body) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil && !dec.More() {
			req.JSON = v
		}
	}
	switch {
	case err != nil:
		return req, 400, SerializationException, "bedrocktest: read request body: " + err.Error()
	case len(body) > maxBody:
		return req, 400, ValidationException, "bedrocktest: request body over " + strconv.Itoa(maxBody) + " bytes"
	}
	if code, msg = checkAuth(r.Header); code != "" {
		return req, code.Status(), code, msg
	}
	if (op == OpConverse || op == OpConverseStream || op == OpCountTokens) && req.JSON == nil {
		return req, 400, SerializationException, "bedrocktest: request body is not JSON"
	}
	return req, 0, "", ""
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, op Operation) {
	req, status, code, msg := receive(r, op)

	s.mu.Lock()
	s.seq++
	seq := s.seq
	var reply ServerReply
	if status == 0 {
		reply = s.next(req.Model)
	}
	idx := len(s.requests)
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	c := &call{s: s, w: w, r: r, op: op, seq: seq, idx: idx, req: req}
	if status != 0 {
		c.id = newRequestID()
		c.writeError(status, code, msg)
		s.logf("bedrocktest: #%d %s %s: %d %s: %s", seq, op, req.Model, status, code, msg)
		return
	}
	c.serve(reply, 0)
}

// next pops the reply for a request to model. s.mu is held.
func (s *Server) next(model string) ServerReply {
	if q := s.byModel[model]; len(q) > 0 {
		s.byModel[model] = q[1:]
		return q[0]
	}
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		return r
	}
	return s.opts.Default
}

// checkAuth checks that the request carries a SigV4 signature for the bedrock service, or
// a bearer token, and that a SigV4 signature has not expired. It does not verify the
// signature itself.
func checkAuth(h http.Header) (ErrorCode, string) {
	auth := strings.TrimSpace(h.Get("Authorization"))
	scheme, rest, _ := strings.Cut(auth, " ")
	switch {
	case auth == "":
		return MissingAuthenticationTokenException, "Missing Authentication Token"
	case strings.EqualFold(scheme, "Bearer"):
		if strings.TrimSpace(rest) == "" {
			return MissingAuthenticationTokenException, "Missing Authentication Token"
		}
		return "", ""
	case scheme != "AWS4-HMAC-SHA256":
		return InvalidSignatureException, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, or a Bearer token."
	}
	var cred, signed, sig string
	for _, f := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	if cred == "" || signed == "" || sig == "" {
		return InvalidSignatureException, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters."
	}
	scope := strings.Split(cred, "/") // AKID/date/region/service/aws4_request
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return InvalidSignatureException, "Credential should be scoped to a valid region and service: " + cred
	}
	if scope[3] != "bedrock" {
		return InvalidSignatureException, "Credential should be scoped to correct service: 'bedrock'."
	}
	if d := h.Get("X-Amz-Date"); d != "" {
		t, err := time.Parse("20060102T150405Z", d)
		if err != nil {
			return InvalidSignatureException, "invalid X-Amz-Date: " + d
		}
		now := time.Now().UTC()
		if t.Before(now.Add(-5 * time.Minute)) {
			return InvalidSignatureException, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)",
				d, now.Add(-5*time.Minute).Format("20060102T150405Z"), now.Format("20060102T150405Z"))
		}
		if t.After(now.Add(5 * time.Minute)) {
			return InvalidSignatureException, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)",
				d, now.Add(5*time.Minute).Format("20060102T150405Z"), now.Format("20060102T150405Z"))
		}
	}
	return "", ""
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// call is one request being answered.
type call struct {
	s   *Server
	w   http.ResponseWriter
	r   *http.Request
	op  Operation
	seq int
	idx int // position in s.requests
	req Request
	id  string
}

// maxFuncDepth bounds Func replies that return Func replies.
const maxFuncDepth = 8

func (c *call) serve(reply ServerReply, depth int) {
	s := c.s
	if reply.kind == kindFunc {
		if depth >= maxFuncDepth {
			c.fail(fmt.Errorf("Func replies nested %d deep", depth))
			return
		}
		if reply.fn == nil {
			c.fail(errors.New("Func(nil)"))
			return
		}
		c.serve(reply.fn(c.req), depth+1)
		return
	}
	c.id = reply.requestID
	if c.id == "" && reply.kind == kindFixture {
		c.id = reply.fixture.Response.Headers.Get("x-amzn-requestid")
	}
	if c.id == "" {
		c.id = newRequestID()
	}
	s.logf("bedrocktest: #%d %s %s: %s reply, request id %s", c.seq, c.op, c.req.Model, reply.kind, c.id)

	if reply.err != nil {
		c.fail(reply.err)
		return
	}
	for k, v := range reply.header {
		c.w.Header()[k] = v
	}
	if !c.sleep(reply.delay) {
		return
	}
	switch reply.kind {
	case kindNone:
		c.fail(fmt.Errorf("no reply queued (%d requests so far); queue one with Server.Enqueue or set Options.Default", c.seq))
	case kindError:
		c.writeError(reply.status, reply.code, reply.message)
	case kindFixture:
		c.serveFixture(&reply)
	case kindBody, kindResponse, kindEvents, kindFrames:
		if !reply.kind.answers(c.op) {
			c.fail(fmt.Errorf("a %s reply cannot answer %s", reply.kind, c.op))
			return
		}
		if c.op.streaming() {
			frames, err := reply.streamFrames()
			if err != nil {
				c.fail(err)
				return
			}
			c.writeStream(&reply, nil, frames)
			return
		}
		body, err := reply.jsonBody()
		if err != nil {
			c.fail(err)
			return
		}
		c.writeBody(&reply, 200, nil, body)
	default:
		c.fail(fmt.Errorf("unknown reply kind %d", reply.kind))
	}
}

// fail answers with a 500 naming the problem and records it for [Server.Check].
func (c *call) fail(err error) {
	err = fmt.Errorf("bedrocktest: request %d (%s %s): %w", c.seq, c.op, c.req.Model, err)
	c.s.problem(err)
	if c.id == "" {
		c.id = newRequestID()
	}
	c.writeError(500, InternalServerException, err.Error())
}

func (c *call) setStatus(status int) {
	c.s.mu.Lock()
	c.s.requests[c.idx].Status = status
	c.s.requests[c.idx].RequestID = c.id
	c.s.mu.Unlock()
}

func (c *call) writeError(status int, code ErrorCode, message string) {
	c.setStatus(status)
	writeError(c.w, status, code, c.id, message)
}

func writeError(w http.ResponseWriter, status int, code ErrorCode, id, message string) {
	body := errorBody(message)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", code.errorTypeHeader())
	h.Set("X-Amzn-Requestid", id)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// sleep waits d, or until the request or the server ends; it reports whether to go on.
func (c *call) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.r.Context().Done():
		return false
	case <-c.s.closing:
		return false
	}
}

// writeBody answers a non-streaming operation with status, the extra headers and body,
// applying the reply's fault.
func (c *call) writeBody(reply *ServerReply, status int, header http.Header, body []byte) {
	f := reply.fault
	switch f.kind {
	case faultException:
		c.writeError(f.code.Status(), f.code, f.message)
		return
	case faultDrop:
		c.setStatus(0)
		c.abort(false)
		return
	}
	c.setStatus(status)
	h := c.w.Header()
	for k, v := range header {
		h[k] = v
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("X-Amzn-Requestid", c.id)
	switch f.kind {
	case faultTruncate:
		h.Del("Content-Length")
		c.w.WriteHeader(status)
		c.w.Write(body[:len(body)/2])
	case faultCut:
		h.Set("Content-Length", strconv.Itoa(len(body)))
		c.w.WriteHeader(status)
		c.w.Write(body[:len(body)/2])
		c.abort(true)
	case faultCorrupt:
		b := slices.Clone(body)
		if len(b) > 0 {
			b[len(b)-1] = '~'
		}
		h.Set("Content-Length", strconv.Itoa(len(b)))
		c.w.WriteHeader(status)
		c.w.Write(b)
	default:
		h.Set("Content-Length", strconv.Itoa(len(body)))
		c.w.WriteHeader(status)
		c.w.Write(body)
	}
}

// abort closes the connection without ending the response: hijacked and closed over
// HTTP/1.1, reset over HTTP/2. Written data is flushed first when flush is set; without
// it, nothing of an unwritten response is sent.
func (c *call) abort(flush bool) {
	rc := http.NewResponseController(c.w)
	if flush {
		rc.Flush()
	}
	if conn, _, err := rc.Hijack(); err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// writeStream answers a streaming operation with frames, applying the reply's shaping and
// fault.
func (c *call) writeStream(reply *ServerReply, header http.Header, frames [][]byte) {
	c.setStatus(200)
	h := c.w.Header()
	for k, v := range header {
		h[k] = v
	}
	h.Set("Content-Type", "application/vnd.amazon.eventstream")
	h.Set("X-Amzn-Requestid", c.id)
	c.w.WriteHeader(200)
	sw := streamWriter{w: c.w, rc: http.NewResponseController(c.w), chunk: reply.chunk}
	sw.flush()

	f := reply.fault
	for i, fr := range frames {
		delay := reply.between
		if i == 0 {
			delay = reply.first
		}
		if !c.sleep(delay) {
			c.abort(false) // the stream was cut: never end it as if complete
			return
		}
		if f.kind != faultNone && f.kind != faultCorrupt && i == f.after {
			break
		}
		if f.kind == faultCorrupt && i == f.after {
			fr = slices.Clone(fr)
			fr[len(fr)-1] ^= 0xff
		}
		if !sw.write(fr) {
			return
		}
	}
	switch f.kind {
	case faultException:
		ex, err := encodeFrames([]Frame{exceptionFrame(f.code, f.message)})
		if err != nil {
			c.s.problem(err)
			return
		}
		if !c.sleep(reply.between) {
			c.abort(false)
			return
		}
		sw.write(ex[0])
	case faultDrop:
		sw.end()
		c.abort(true)
		return
	case faultTruncate, faultCut:
		if f.after < len(frames) {
			part := frames[f.after]
			sw.write(part[:len(part)/2])
		} else {
			// Nothing left to cut: cut into a frame that never completes.
			sw.write([]byte{0, 0, 0, 100, 0, 0})
		}
		if f.kind == faultCut {
			sw.end()
			c.abort(true)
			return
		}
	}
	sw.end()
}

// streamWriter writes frames, re-chunked when chunk > 0, flushing each write.
type streamWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	chunk   int
	pending []byte
	failed  bool
}

func (sw *streamWriter) flush() bool {
	if sw.failed {
		return false
	}
	if err := sw.rc.Flush(); err != nil {
		sw.failed = true
	}
	return !sw.failed
}

func (sw *streamWriter) put(b []byte) bool {
	if sw.failed {
		return false
	}
	if _, err := sw.w.Write(b); err != nil {
		sw.failed = true
		return false
	}
	return sw.flush()
}

// write sends b: whole when chunk is 0, else in chunk-sized pieces, keeping a remainder
// shorter than chunk for the next write.
func (sw *streamWriter) write(b []byte) bool {
	if sw.chunk <= 0 {
		return sw.put(b)
	}
	sw.pending = append(sw.pending, b...)
	for len(sw.pending) >= sw.chunk {
		if !sw.put(sw.pending[:sw.chunk]) {
			return false
		}
		sw.pending = sw.pending[sw.chunk:]
	}
	return true
}

// end sends any remainder.
func (sw *streamWriter) end() bool {
	if len(sw.pending) == 0 {
		return !sw.failed
	}
	p := sw.pending
	sw.pending = nil
	return sw.put(p)
}
