package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// Reply is what the server answers one request with. Build one with [Respond], [Text],
// [RawJSON], [RawEvents], [Error], [Func], [Echo] or [Fixture.Reply], and shape or
// break it with its methods. A neutral reply ([Respond], [Text]) answers a plain call
// with a JSON completion and a streamed call with server-sent events of the same
// answer.
type Reply struct {
	kind    replyKind
	resp    *llm.Response
	raw     []byte   // RawJSON body
	events  []string // RawEvents data lines
	status  int      // Error
	errCode string
	errType string
	errMsg  string
	fn      func(Request) Reply
	fixture *Fixture
	replay  ReplayOptions

	neutral []llm.Event // Events

	header http.Header
	pace   time.Duration // between events of a stream
	split  int           // deltas per text and fragments per tool call
	chunk  int           // bytes per write of a stream
	fault  fault
}

type replyKind uint8

const (
	kindRespond replyKind = iota + 1
	kindRaw
	kindRawEvents
	kindError
	kindFunc
	kindFixture
	kindEvents
)

// faultKind is how a stream breaks.
type faultKind uint8

const (
	faultNone      faultKind = iota
	faultCut                 // the body ends cleanly after n events, without [DONE]
	faultDrop                // the connection is aborted after n events
	faultMalformed           // a malformed event after n events
	faultError               // an error object after n events
)

// fault breaks a stream after n events.
type fault struct {
	kind    faultKind
	after   int
	code    string
	errType string
	message string
}

// Respond answers with resp: its reasoning (as a reasoning field), text, tool calls,
// stop reason, usage and request id (as x-request-id), as a JSON completion or as a
// stream of chunks.
func Respond(resp *llm.Response) Reply { return Reply{kind: kindRespond, resp: resp} }

// Text answers with text and finish reason stop.
func Text(text string) Reply {
	return Respond(&llm.Response{Message: llm.AssistantText(text), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 15}})
}

// Events answers a streamed call with these neutral events as chunks (text as content,
// reasoning as a reasoning field, tool calls by index, the stop as a finish reason, the
// metadata's usage as the usage chunk), then [DONE]; a plain call with the answer they
// accumulate to.
func Events(evs ...llm.Event) Reply { return Reply{kind: kindEvents, neutral: evs} }

// RawJSON answers a plain call with body as it is (status 200, application/json).
func RawJSON(body []byte) Reply { return Reply{kind: kindRaw, raw: body} }

// RawEvents answers a streamed call with these data payloads, each sent as
// "data: payload\n\n", then nothing more: add "[DONE]" to end the stream properly.
func RawEvents(data ...string) Reply { return Reply{kind: kindRawEvents, events: data} }

// Error answers with an HTTP error in OpenAI's shape: {"error": {"message", "type",
// "param", "code"}}. errType is e.g. "invalid_request_error", code e.g.
// "context_length_exceeded" (empty sends null).
func Error(status int, errType, code, message string) Reply {
	return Reply{kind: kindError, status: status, errType: errType, errCode: code, errMsg: message}
}

// Func answers each request with the reply fn returns for it.
func Func(fn func(Request) Reply) Reply { return Reply{kind: kindFunc, fn: fn} }

// Echo answers with the text of the request's last user message.
func Echo() Reply {
	return Func(func(r Request) Reply { return Text(lastUserText(r.Body)) })
}

func lastUserText(body []byte) string {
	var req struct {
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	for i := len(req.Messages) - 1; i >= 0; i-- {
		m := req.Messages[i]
		if m.Role != "user" {
			continue
		}
		var s string
		if json.Unmarshal(m.Content, &s) == nil {
			return s
		}
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		_ = json.Unmarshal(m.Content, &parts)
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(p.Text)
		}
		return b.String()
	}
	return ""
}

func (r Reply) with(f func(*Reply)) Reply {
	if r.header != nil {
		r.header = r.header.Clone()
	}
	f(&r)
	return r
}

// WithHeader adds a response header, e.g. Retry-After to an [Error].
func (r Reply) WithHeader(key, value string) Reply {
	return r.with(func(r *Reply) {
		if r.header == nil {
			r.header = http.Header{}
		}
		r.header.Add(key, value)
	})
}

// WithRequestID sets the answer's x-request-id.
func (r Reply) WithRequestID(id string) Reply { return r.WithHeader("x-request-id", id) }

// Split streams each text (and reasoning) in n deltas and each tool call's arguments
// in n fragments (as evenly as the bytes allow, never inside a UTF-8 sequence).
func (r Reply) Split(n int) Reply { return r.with(func(r *Reply) { r.split = n }) }

// Pace waits d between the events of a stream.
func (r Reply) Pace(d time.Duration) Reply { return r.with(func(r *Reply) { r.pace = d }) }

// Chunked writes a stream's body in pieces of size bytes, each flushed, so that events
// are cut across reads.
func (r Reply) Chunked(size int) Reply { return r.with(func(r *Reply) { r.chunk = size }) }

// CutAfter ends a stream's body cleanly after n events, without the closing [DONE].
func (r Reply) CutAfter(n int) Reply {
	return r.with(func(r *Reply) { r.fault = fault{kind: faultCut, after: n} })
}

// DropAfter aborts the connection after n events.
func (r Reply) DropAfter(n int) Reply {
	return r.with(func(r *Reply) { r.fault = fault{kind: faultDrop, after: n} })
}

// MalformedAfter sends an event whose data is not JSON after n events, then the rest.
func (r Reply) MalformedAfter(n int) Reply {
	return r.with(func(r *Reply) { r.fault = fault{kind: faultMalformed, after: n} })
}

// ErrorAfter sends an error object ({"error": {…}}) as the event after n events, and
// ends the stream.
func (r Reply) ErrorAfter(n int, errType, code, message string) Reply {
	return r.with(func(r *Reply) {
		r.fault = fault{kind: faultError, after: n, errType: errType, code: code, message: message}
	})
}

// errorBody is OpenAI's error shape.
func errorBody(errType, code, message string) []byte {
	var c any
	if code != "" {
		c = code
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": message, "type": errType, "param": nil, "code": c}})
	return b
}

func (k replyKind) String() string {
	switch k {
	case kindRespond:
		return "Respond"
	case kindRaw:
		return "RawJSON"
	case kindRawEvents:
		return "RawEvents"
	case kindError:
		return "Error"
	case kindFunc:
		return "Func"
	case kindFixture:
		return "Fixture"
	case kindEvents:
		return "Events"
	}
	return fmt.Sprintf("reply(%d)", k)
}
