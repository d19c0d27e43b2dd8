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
// is a(b(m)), so a call goes through a, then b, then m. Each layer keeps the optional
// interfaces of the model it wraps that it does not implement itself ([Inherit]): a
// traced Bedrock model still reports capabilities and counts tokens.
func Wrap(m Model, mw ...Middleware) Model {
	for i := len(mw) - 1; i >= 0; i-- {
		m = Inherit(mw[i](m), m)
	}
	return m
}

// Inherit returns w, a model wrapping inner, with the optional interfaces of inner —
// [CapabilityReporter] and [TokenCounter] — that w does not implement itself, answered
// by inner; other calls go to w. It returns w itself when there is nothing to add. A
// middleware that returns its own type can return Inherit(w, inner) so that it keeps
// them even when used without [Wrap].
func Inherit(w, inner Model) Model {
	if w == nil || inner == nil {
		return w
	}
	caps, hasCaps := w.(CapabilityReporter)
	count, hasCount := w.(TokenCounter)
	added := false
	if ic, ok := inner.(CapabilityReporter); ok && !hasCaps {
		caps, hasCaps, added = ic, true, true
	}
	if ic, ok := inner.(TokenCounter); ok && !hasCount {
		count, hasCount, added = ic, true, true
	}
	switch {
	case !added:
		return w
	case hasCaps && hasCount:
		return struct {
			Model
			CapabilityReporter
			TokenCounter
		}{w, caps, count}
	case hasCaps:
		return struct {
			Model
			CapabilityReporter
		}{w, caps}
	default:
		return struct {
			Model
			TokenCounter
		}{w, count}
	}
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
