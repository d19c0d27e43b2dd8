package llm

import (
	"context"
)

// Middleware wraps a [Model] in another: tracing, fallback, logging, redaction. A
// middleware returns a Model that keeps the contract of the one it wraps:
//
//   - errors keep their category: a wrapper may wrap an error, but errors.Is must still
//     find the category (and context.Canceled for a cancelled call) through it;
//   - a stream's events pass through as they arrive (use [RelayStream]), and the
//     wrapped stream's [Stream.Response] stays equal to what Generate returns;
//   - every goroutine the wrapper starts has ended when the call returns (for a
//     stream: when it ends or is closed).
type Middleware func(Model) Model

// Wrap returns m wrapped in mw. The first middleware is the outermost: Wrap(m, a, b)
// is a(b(m)), so a call goes through a, then b, then m.
func Wrap(m Model, mw ...Middleware) Model {
	for i := len(mw) - 1; i >= 0; i-- {
		m = mw[i](m)
	}
	return m
}

// ModelFuncs is a [Model] made of two functions, for middleware written in a few lines.
// A nil function fails the call with an [*InvalidRequestError].
type ModelFuncs struct {
	GenerateFunc func(ctx context.Context, req *Request) (*Response, error)
	StreamFunc   func(ctx context.Context, req *Request) (*Stream, error)
}

// Generate calls GenerateFunc.
func (f ModelFuncs) Generate(ctx context.Context, req *Request) (*Response, error) {
	if f.GenerateFunc == nil {
		return nil, &InvalidRequestError{Op: "generate", Message: -1, Part: -1, Reason: "unsupported: no GenerateFunc"}
	}
	return f.GenerateFunc(ctx, req)
}

// Stream calls StreamFunc.
func (f ModelFuncs) Stream(ctx context.Context, req *Request) (*Stream, error) {
	if f.StreamFunc == nil {
		return nil, &InvalidRequestError{Op: "stream", Message: -1, Part: -1, Reason: "unsupported: no StreamFunc"}
	}
	return f.StreamFunc(ctx, req)
}
