package openaitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/llmkit/llmkit/internal/simtest"
	"github.com/llmkit/llmkit/llm"
)

// Request is a request the server received.
type Request struct {
	Method string
	Path   string // e.g. /v1/chat/completions
	Query  string
	Header http.Header
	Body   []byte
	Model  string // the body's model
	Stream bool   // the body's stream flag
}

// Server is a loopback Chat Completions server. Its zero value is not usable: call
// [NewServer]. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server
	seq atomic.Int64

	mu       sync.Mutex
	queue    []Reply
	requests []Request
	// Fallback answers when the queue is empty; nil answers 500.
	fallback *Reply

	found simtest.Findings
}

// NewServer starts a server on 127.0.0.1 answering POST {base}/chat/completions (any
// prefix: /v1, /openai/v1, Azure's /openai/deployments/NAME). Requests need an
// Authorization or api-key header; without one the answer is a 401. Close it when done.
func NewServer() *Server {
	s := &Server{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// StartServer is [NewServer] listening on addr (host:port; port 0 picks a free one),
// for a simulator other programs connect to.
func StartServer(addr string) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	return s, nil
}

// URL is the API root to give a client: "http://127.0.0.1:PORT/v1/".
func (s *Server) URL() string { return s.srv.URL + "/v1/" }

// Close shuts the server down, ending open streams.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Enqueue queues replies, answered in order, one per request.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// SetFallback answers every request that finds the queue empty with r.
func (s *Server) SetFallback(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = &r
}

// Pending is the number of queued replies not yet used.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Mismatches returns the differences between replayed recordings and the requests
// they answered, beyond their Allow lists.
func (s *Server) Mismatches() []Mismatch { return s.found.Mismatches() }

// Check returns an error listing the mismatches and problems (an Allow without a
// reason, a reply that could not be served), or nil.
func (s *Server) Check() error { return s.found.Err() }

// Client returns an openai-go client pointed at the server, with a test key and
// retries off, built from these options alone (nothing read from the environment):
// pass it to openai.New. Extra options are applied after these.
func (s *Server) Client(opts ...option.RequestOption) *oai.Client {
	base := []option.RequestOption{
		option.WithBaseURL(s.URL()), option.WithAPIKey("test-key"), option.WithMaxRetries(0),
		option.WithHTTPClient(s.srv.Client()),
	}
	return &oai.Client{Options: append(base, opts...)}
}

// HTTPClient is an HTTP client for the server's loopback address.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

func (s *Server) problem(err error) { s.found.Add(nil, err) }

func (s *Server) next() (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		return r, true
	}
	if s.fallback != nil {
		return *s.fallback, true
	}
	return Reply{}, false
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	var head struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	jsonErr := json.Unmarshal(body, &head)
	req.Model, req.Stream = head.Model, head.Stream
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	id := "req_sim" + strconv.FormatInt(s.seq.Add(1), 10)
	w.Header().Set("x-request-id", id)
	switch {
	case r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions"):
		writeJSON(w, http.StatusNotFound, errorBody("invalid_request_error", "unknown_url", "Unknown request URL: "+r.Method+" "+r.URL.Path))
		return
	case r.Header.Get("Authorization") == "" && r.Header.Get("api-key") == "":
		writeJSON(w, http.StatusUnauthorized, errorBody("invalid_request_error", "invalid_api_key", "You didn't provide an API key."))
		return
	case jsonErr != nil:
		writeJSON(w, http.StatusBadRequest, errorBody("invalid_request_error", "", "We could not parse the JSON body of your request."))
		return
	}
	reply, ok := s.next()
	if !ok {
		s.problem(fmt.Errorf("openaitest: no reply queued for request %s (model %s)", id, req.Model))
		writeJSON(w, http.StatusInternalServerError, errorBody("server_error", "", "openaitest: no reply queued"))
		return
	}
	c := &call{s: s, w: w, ctx: r.Context(), req: req, id: id}
	c.serve(reply, 0)
}

// call is one request being answered.
type call struct {
	s       *Server
	w       http.ResponseWriter
	ctx     context.Context
	req     Request
	id      string
	started bool // the stream's header is written
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (c *call) serve(reply Reply, depth int) {
	for k, v := range reply.header {
		c.w.Header()[k] = v
	}
	switch reply.kind {
	case kindFunc:
		if depth > 8 {
			c.s.problem(errors.New("openaitest: Func replies nested too deep"))
			writeJSON(c.w, 500, errorBody("server_error", "", "openaitest: Func replies nested too deep"))
			return
		}
		c.serve(reply.fn(c.req), depth+1)
	case kindError:
		writeJSON(c.w, reply.status, errorBody(reply.errType, reply.errCode, reply.errMsg))
	case kindRaw:
		writeJSON(c.w, http.StatusOK, reply.raw)
	case kindRawEvents:
		c.stream(&reply, reply.events)
	case kindRespond:
		model := c.req.Model
		if reply.resp.RequestID != "" {
			c.w.Header().Set("x-request-id", reply.resp.RequestID)
		}
		cid := "chatcmpl-sim" + strings.TrimPrefix(c.id, "req_sim")
		if c.req.Stream {
			c.stream(&reply, chunkEvents(reply.resp, model, cid, reply.split))
			return
		}
		writeJSON(c.w, http.StatusOK, completionJSON(reply.resp, model, cid))
	case kindFixture:
		c.serveFixture(&reply)
	case kindEvents:
		cid := "chatcmpl-sim" + strings.TrimPrefix(c.id, "req_sim")
		if c.req.Stream {
			c.stream(&reply, eventChunks(reply.neutral, c.req.Model, cid))
			return
		}
		var acc llm.Accumulator
		for _, ev := range reply.neutral {
			if err := acc.Add(ev); err != nil {
				c.s.problem(fmt.Errorf("openaitest: request %s: Events: %w", c.id, err))
				writeJSON(c.w, 500, errorBody("server_error", "", "openaitest: bad event script"))
				return
			}
		}
		resp, err := acc.Response()
		if err != nil {
			writeJSON(c.w, 500, errorBody("server_error", "", "openaitest: "+err.Error()))
			return
		}
		writeJSON(c.w, http.StatusOK, completionJSON(resp, c.req.Model, cid))
	default:
		c.s.problem(fmt.Errorf("openaitest: request %s: empty Reply", c.id))
		writeJSON(c.w, 500, errorBody("server_error", "", "openaitest: empty reply"))
	}
}

// stream writes data payloads as server-sent events, with the reply's chunking and
// fault.
func (c *call) stream(reply *Reply, events []string) {
	var buf bytes.Buffer
	f := reply.fault
	for i, ev := range events {
		if f.kind != faultNone && i == f.after {
			switch f.kind {
			case faultCut:
				c.writeStream(reply, buf.Bytes(), false)
				return
			case faultDrop:
				c.writeStream(reply, buf.Bytes(), true)
				return
			case faultMalformed:
				buf.WriteString("data: {\"id\": \"chatcmpl-broken\", \"choices\": [\n\n")
			case faultError:
				buf.WriteString("data: ")
				buf.Write(errorBody(f.errType, f.code, f.message))
				buf.WriteString("\n\n")
				c.writeStream(reply, buf.Bytes(), false)
				return
			}
		}
		buf.WriteString("data: ")
		buf.WriteString(ev)
		buf.WriteString("\n\n")
		if reply.pace > 0 {
			if !c.writePaced(buf.Bytes(), reply.pace) {
				return
			}
			buf.Reset()
		}
	}
	c.writeStream(reply, buf.Bytes(), false)
}

// startStream writes a stream's header, once.
func (c *call) startStream() {
	if c.started {
		return
	}
	c.started = true
	h := c.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	c.w.WriteHeader(http.StatusOK)
}

// writePaced writes one event of a paced stream after a pause of pace; false when the
// client has gone.
func (c *call) writePaced(b []byte, pace time.Duration) bool {
	c.startStream()
	t := time.NewTimer(pace)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
		return false
	}
	if _, err := c.w.Write(b); err != nil {
		return false
	}
	if fl, ok := c.w.(http.Flusher); ok {
		fl.Flush()
	}
	return true
}

// writeStream writes a stream's body, in pieces when the reply is chunked, and aborts
// the connection at its end when abort is set.
func (c *call) writeStream(reply *Reply, body []byte, abort bool) {
	c.startStream()
	fl, _ := c.w.(http.Flusher)
	size := reply.chunk
	if size <= 0 {
		size = len(body)
	}
	for len(body) > 0 {
		n := min(size, len(body))
		if _, err := c.w.Write(body[:n]); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		body = body[n:]
	}
	if abort {
		panic(http.ErrAbortHandler)
	}
}

// Mismatch is one difference between a request and the recorded one (see
// [simtest.Mismatch]).
type Mismatch = simtest.Mismatch

// Allow declares an intended difference between a request and the recorded one, at a
// JSON path such as $.messages[1].content, for a reason (see [simtest.Allow]). The path
// "model" stands for the request's model id.
type Allow = simtest.Allow

// CompareJSON compares two JSON documents semantically (member order and number
// spelling do not matter) and returns their differences beyond allow; see
// [simtest.CompareJSON].
func CompareJSON(want, got []byte, allow []Allow) ([]Mismatch, error) {
	return simtest.CompareJSON(want, got, allow)
}
