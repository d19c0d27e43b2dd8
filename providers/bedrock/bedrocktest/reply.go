package bedrocktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// ServerReply is what a [Server] answers one request with, down to the wire: the
// status, the body or the event-stream frames, their pacing and chunking, and faults.
// Build it with [Respond], [Text], [Events], [Frames], [RawJSON], [InvokeStream],
// [Error], [Func], [Echo] or [Fixture.Reply], then shape it with its methods, which
// return a modified copy: [ServerReply.Chunked], [ServerReply.Pace],
// [ServerReply.Delay], [ServerReply.Padded], [ServerReply.Split],
// [ServerReply.WithRequestID], [ServerReply.WithHeader], and the stream faults [ServerReply.ExceptionAfter],
// [ServerReply.DropAfter], [ServerReply.TruncateAfter], [ServerReply.CutAfter] and
// [ServerReply.CorruptAfter]. The zero ServerReply answers with a 500 error naming the
// problem. A ServerReply may be served any number of times, concurrently.
type ServerReply struct {
	kind    replyKind
	resp    *llm.Response
	events  []llm.Event
	frames  []Frame
	body    []byte
	code    ErrorCode
	status  int
	message string
	fixture *Fixture
	replay  ReplayOptions
	fn      func(Request) ServerReply
	err     error // a construction error, reported when the reply is served

	split          int
	padded         bool
	chunk          int
	delay          time.Duration
	first, between time.Duration
	requestID      string
	header         http.Header
	fault          fault

	cache *replyCache
}

type replyKind uint8

const (
	kindNone     replyKind = iota
	kindResponse           // a neutral response: Converse JSON or ConverseStream frames
	kindEvents             // neutral events: ConverseStream frames, or their accumulation as JSON
	kindFrames             // raw frames for a streaming operation
	kindBody               // a raw 200 JSON body for a non-streaming operation
	kindError              // an HTTP error
	kindFixture            // a recorded exchange
	kindFunc               // a reply chosen per request
)

func (k replyKind) String() string {
	switch k {
	case kindResponse:
		return "Respond"
	case kindEvents:
		return "Events"
	case kindFrames:
		return "Frames"
	case kindBody:
		return "RawJSON"
	case kindError:
		return "Error"
	case kindFixture:
		return "Fixture"
	case kindFunc:
		return "Func"
	}
	return "zero ServerReply"
}

type faultKind uint8

const (
	faultNone faultKind = iota
	faultException
	faultDrop
	faultTruncate
	faultCut
	faultCorrupt
)

type fault struct {
	kind    faultKind
	after   int
	code    ErrorCode
	message string
}

// replyCache holds a reply's encoded forms, computed once and shared by the copies of a
// Reply that have the same content.
type replyCache struct {
	framesOnce sync.Once
	frames     [][]byte
	framesErr  error

	bodyOnce sync.Once
	body     []byte
	bodyErr  error
}

func newReply(k replyKind) ServerReply { return ServerReply{kind: k, cache: new(replyCache)} }

// Respond returns a reply that answers with resp: a Converse JSON body for converse, and
// for converse-stream the frames of [llm.ResponseEvents](resp), so the accumulated stream
// equals the parsed Converse answer. resp.RequestID, when set, is sent as the
// X-Amzn-Requestid header; Object, Warnings and Extra have no wire form and are ignored.
// Only text, reasoning and tool calls can be answered.
func Respond(resp *llm.Response) ServerReply {
	r := newReply(kindResponse)
	if resp == nil {
		r.err = fmt.Errorf("bedrocktest: Respond(nil)")
		return r
	}
	c := *resp
	c.Message = resp.Message.Clone()
	r.resp = &c
	r.requestID = resp.RequestID
	return r
}

// Text returns a reply whose answer is text, with stop reason end_turn and zero usage.
func Text(text string) ServerReply {
	return Respond(&llm.Response{Message: llm.AssistantText(text), StopReason: llm.StopReasonEndTurn})
}

// Events returns a reply that streams evs (converted to ConverseStream frames in order; a
// reasoning delta with text and signature becomes two frames) and answers converse with
// their accumulation. The events need not form a well-formed stream for converse-stream;
// for converse they must.
func Events(evs ...llm.Event) ServerReply {
	r := newReply(kindEvents)
	r.events = append([]llm.Event(nil), evs...)
	return r
}

// Frames returns a reply that streams the given raw frames, for converse-stream or
// invoke-with-response-stream.
func Frames(frames ...Frame) ServerReply {
	r := newReply(kindFrames)
	r.frames = append([]Frame(nil), frames...)
	return r
}

// InvokeStream returns a reply for invoke-with-response-stream: one chunk frame per
// payload, each carrying {"bytes": base64(payload)} as InvokeModelWithResponseStream
// does. Payloads are the model's own JSON chunks (e.g. Anthropic message events).
func InvokeStream(payloads ...[]byte) ServerReply {
	frames := make([]Frame, len(payloads))
	for i, p := range payloads {
		frames[i] = chunkFrame(p)
	}
	return Frames(frames...)
}

// RawJSON returns a reply that answers converse or invoke with status 200 and body as
// the JSON body, byte for byte.
func RawJSON(body []byte) ServerReply {
	r := newReply(kindBody)
	r.body = append([]byte(nil), body...)
	return r
}

// Error returns a reply that answers with an HTTP error in Bedrock's shape: status
// code.Status(), headers X-Amzn-ErrorType and X-Amzn-Requestid, body {"message": message}.
func Error(code ErrorCode, message string) ServerReply {
	r := newReply(kindError)
	r.status, r.code, r.message = code.Status(), code, message
	return r
}

// Func returns a reply that calls fn with the request to choose the actual reply.
func Func(fn func(Request) ServerReply) ServerReply {
	r := newReply(kindFunc)
	r.fn = fn
	return r
}

// Echo returns a reply that answers with the text of the request's last user message
// (its text blocks joined by newlines), as [Text] does. It suits [Options.Default] for
// demos and for `llmkit sim`.
func Echo() ServerReply {
	return Func(func(req Request) ServerReply { return Text(lastUserText(req.Body)) })
}

func lastUserText(body []byte) string {
	var in struct {
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text *string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	for i := len(in.Messages) - 1; i >= 0; i-- {
		m := in.Messages[i]
		if m.Role != "user" {
			continue
		}
		var texts []string
		for _, c := range m.Content {
			if c.Text != nil {
				texts = append(texts, *c.Text)
			}
		}
		if len(texts) > 0 {
			return strings.Join(texts, "\n")
		}
	}
	return ""
}

// withContent returns a copy of r with a fresh cache, for a modifier that changes what
// is encoded.
func (r ServerReply) withContent() ServerReply {
	r.cache = new(replyCache)
	return r
}

// Chunked returns r with its stream body written in pieces of size bytes, each flushed,
// so that frames are split across writes and reads; 0 writes one frame per write.
func (r ServerReply) Chunked(size int) ServerReply {
	r.chunk = max(size, 0)
	return r
}

// Pace returns r with a delay after the response headers before the first frame (or
// recorded chunk), and a delay between frames.
func (r ServerReply) Pace(first, between time.Duration) ServerReply {
	r.first, r.between = first, between
	return r
}

// Delay returns r with a delay before anything, headers included, is sent.
func (r ServerReply) Delay(d time.Duration) ServerReply {
	r.delay = d
	return r
}

// Padded returns r with the padding member "p" real Bedrock adds to stream payloads, of
// a length that varies from frame to frame. It applies to streams built from neutral
// values.
func (r ServerReply) Padded() ServerReply {
	r = r.withContent()
	r.padded = true
	return r
}

// Split returns r with text, reasoning and tool-input deltas split into deltas of at most
// n characters, for streams built from neutral values.
func (r ServerReply) Split(n int) ServerReply {
	r = r.withContent()
	r.split = n
	return r
}

// WithRequestID returns r answering with id in X-Amzn-Requestid instead of a generated
// (or recorded) one.
func (r ServerReply) WithRequestID(id string) ServerReply {
	r.requestID = id
	return r
}

// WithHeader returns r answering with the HTTP header key set to value as well (a
// Retry-After on an error, say), whatever its kind.
func (r ServerReply) WithHeader(key, value string) ServerReply {
	r.header = r.header.Clone()
	if r.header == nil {
		r.header = make(http.Header)
	}
	r.header.Set(key, value)
	return r
}

// ExceptionAfter returns r with its stream ended, after n frames, by an exception frame
// (:message-type exception, :exception-type code with its first letter lowered, payload
// {"message": message}). For a non-streaming operation the reply becomes the HTTP error
// [Error](code, message).
func (r ServerReply) ExceptionAfter(n int, code ErrorCode, message string) ServerReply {
	r.fault = fault{kind: faultException, after: n, code: code, message: message}
	return r
}

// DropAfter returns r with the connection closed after n frames, between two frames (no
// final chunk). For a non-streaming operation the connection is closed before any
// response.
func (r ServerReply) DropAfter(n int) ServerReply {
	r.fault = fault{kind: faultDrop, after: n}
	return r
}

// TruncateAfter returns r with its stream ended cleanly (the final chunk is sent) after n
// frames and the first half of the next one. For a non-streaming operation, half of the
// body is sent and the body ends cleanly.
func (r ServerReply) TruncateAfter(n int) ServerReply {
	r.fault = fault{kind: faultTruncate, after: n}
	return r
}

// CutAfter returns r with the connection closed after n frames and the first half of the
// next one. For a non-streaming operation, half of the body announced by its
// Content-Length is sent before the connection is closed.
func (r ServerReply) CutAfter(n int) ServerReply {
	r.fault = fault{kind: faultCut, after: n}
	return r
}

// CorruptAfter returns r with frame n (counted from 0) sent with a wrong message CRC; the
// frames after it are sent as usual. For a non-streaming operation the body's last byte
// is corrupted.
func (r ServerReply) CorruptAfter(n int) ServerReply {
	r.fault = fault{kind: faultCorrupt, after: n}
	return r
}

// events returns the neutral events of a kindResponse or kindEvents reply, split as asked.
func (r *ServerReply) neutralEvents() ([]llm.Event, error) {
	evs := r.events
	if r.kind == kindResponse {
		var err error
		if evs, err = llm.ResponseEvents(r.resp); err != nil {
			return nil, fmt.Errorf("bedrocktest: Respond: %w", err)
		}
	}
	return splitEvents(evs, r.split), nil
}

// streamFrames returns the encoded frames r streams.
func (r *ServerReply) streamFrames() ([][]byte, error) {
	c := r.cache
	if c == nil {
		c = new(replyCache)
	}
	c.framesOnce.Do(func() {
		var frames []Frame
		switch r.kind {
		case kindResponse, kindEvents:
			evs, err := r.neutralEvents()
			if err != nil {
				c.framesErr = err
				return
			}
			if frames, err = eventFrames(evs, r.padded); err != nil {
				c.framesErr = err
				return
			}
		case kindFrames:
			frames = r.frames
		case kindFixture:
			c.frames, c.framesErr = r.fixture.frames()
			return
		default:
			c.framesErr = fmt.Errorf("bedrocktest: a %s reply has no stream", r.kind)
			return
		}
		c.frames, c.framesErr = encodeFrames(frames)
	})
	return c.frames, c.framesErr
}

// jsonBody returns the 200 JSON body r answers a non-streaming operation with.
func (r *ServerReply) jsonBody() ([]byte, error) {
	c := r.cache
	if c == nil {
		c = new(replyCache)
	}
	c.bodyOnce.Do(func() {
		switch r.kind {
		case kindResponse:
			c.body, c.bodyErr = converseJSON(r.resp)
		case kindEvents:
			resp, err := accumulate(r.events)
			if err != nil {
				c.bodyErr = err
				return
			}
			c.body, c.bodyErr = converseJSON(resp)
		case kindBody:
			c.body = r.body
		default:
			c.bodyErr = fmt.Errorf("bedrocktest: a %s reply has no JSON body", r.kind)
		}
	})
	return c.body, c.bodyErr
}

// answers reports whether a reply of kind k can answer op.
func (k replyKind) answers(op Operation) bool {
	switch op {
	case OpConverse:
		return k == kindResponse || k == kindEvents || k == kindBody
	case OpConverseStream:
		return k == kindResponse || k == kindEvents || k == kindFrames
	case OpInvoke:
		return k == kindBody
	case OpInvokeStream:
		return k == kindFrames
	}
	return false
}
