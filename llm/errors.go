package llm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Error categories. Every error a provider returns for a failed call unwraps to one of
// them; test with [errors.Is]. Details are in a [*ProviderError] or an
// [*InvalidRequestError], reached with [errors.As].
var (
	ErrInvalidRequest  = errors.New("invalid request")   // the request is malformed or unsupported
	ErrContextTooLong  = errors.New("context too long")  // the input exceeds the model's context window
	ErrRateLimited     = errors.New("rate limited")      // throttled or over quota; retry later
	ErrAuth            = errors.New("not authorized")    // missing, wrong or expired credentials, or access denied
	ErrNotFound        = errors.New("not found")         // unknown model or resource
	ErrTimeout         = errors.New("model timeout")     // the model took too long
	ErrModelNotReady   = errors.New("model not ready")   // the model is loading; retry later
	ErrServer          = errors.New("server error")      // the provider or model failed
	ErrStream          = errors.New("stream error")      // the event stream broke, was truncated, or was cut short
	ErrContentFiltered = errors.New("content filtered")  // a content filter or guardrail refused
	ErrNoObject        = errors.New("no valid object")   // the model's answer held no valid object
	ErrMaxSteps        = errors.New("max steps reached") // an agent loop ran out of steps
	ErrTruncated       = errors.New("answer truncated")  // a max_tokens stop cut an answer that cannot be used
	ErrCanceled        = errors.New("canceled")          // the caller cancelled the call's context; never retryable
)

// ProviderError describes a failed call to a provider. It unwraps both to its category
// (one of the Err… sentinels) and to the underlying error.
type ProviderError struct {
	Provider   string // the provider's name, e.g. "bedrock" or "openai"
	Op         string // the provider's operation, e.g. "converse" or "chat-completions"
	Code       string // the provider's error code, e.g. "ThrottlingException" or "rate_limit_exceeded"
	Message    string // the provider's message
	StatusCode int    // HTTP status, 0 when the error came inside a stream
	RequestID  string
	Retryable  bool
	// RetryAfter is how long the provider asked the caller to wait before retrying (its
	// Retry-After answer), or zero when it did not say.
	RetryAfter time.Duration
	Category   error // one of the Err… sentinels
	Err        error // the underlying error, e.g. the SDK's
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	b.WriteString(": ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Category != nil {
		b.WriteString(e.Category.Error())
	}
	if e.Code != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		if e.StatusCode != 0 {
			b.WriteString(", status ")
			b.WriteString(strconv.Itoa(e.StatusCode))
		}
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.RequestID != "" {
		b.WriteString(" [request id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Unwrap returns the category and the underlying error.
func (e *ProviderError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Category != nil {
		errs = append(errs, e.Category)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// InvalidRequestError reports a request a provider refused to send, naming the place at
// fault. Message and Part are indexes into [Request.Messages] and that message's Parts;
// -1 means the fault is not in one message (or part). It unwraps to [ErrInvalidRequest].
type InvalidRequestError struct {
	Provider string
	Op       string
	Message  int
	Part     int
	Field    string // e.g. "tools[1].name", when the fault is not in a message
	Reason   string
}

func (e *InvalidRequestError) Error() string {
	var b strings.Builder
	if e.Provider != "" {
		b.WriteString(e.Provider)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString("invalid request: ")
	if e.Message >= 0 {
		fmt.Fprintf(&b, "message %d", e.Message)
		if e.Part >= 0 {
			fmt.Fprintf(&b, " part %d", e.Part)
		}
		b.WriteString(": ")
	} else if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns [ErrInvalidRequest].
func (e *InvalidRequestError) Unwrap() error { return ErrInvalidRequest }

// ContextError returns the error for a call whose context ended, for providers and
// streams to report it the same way: it unwraps to [ErrCanceled] (context cancelled) or
// [ErrTimeout] (deadline passed), and to err itself (the context's error or cause), so
// that errors.Is(e, context.Canceled) or errors.Is(e, context.DeadlineExceeded) holds too.
func ContextError(err error) error {
	cat := ErrCanceled
	if errors.Is(err, context.DeadlineExceeded) {
		cat = ErrTimeout
	}
	return &contextError{cat: cat, err: err}
}

type contextError struct{ cat, err error }

func (e *contextError) Error() string   { return e.err.Error() }
func (e *contextError) Unwrap() []error { return []error{e.cat, e.err} }

// StreamError reports a stream that broke: a malformed or truncated event sequence, an
// idle timeout, or a stream abandoned before its end. It unwraps to [ErrStream] and to
// Err when set.
//
// A stream that breaks after its [MessageStop] — the connection dropped before the final
// metadata, or that metadata cut in half, or missing — has delivered the whole message
// but not its usage. It still fails (usage must never read zero in silence), and
// Partial then holds the response accumulated from the events that did arrive: the
// complete message, stop reason and warnings, with whatever usage was received (usually
// none). Partial is nil when the stream broke before its message stop.
type StreamError struct {
	Reason  string
	Err     error
	Partial *Response
}

func (e *StreamError) Error() string {
	if e.Err != nil {
		return "llm: stream: " + e.Reason + ": " + e.Err.Error()
	}
	return "llm: stream: " + e.Reason
}

// Unwrap returns [ErrStream] and the underlying error.
func (e *StreamError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrStream, e.Err}
	}
	return []error{ErrStream}
}
