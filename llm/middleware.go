package llm

import (
	"context"
	"sync"
	"sync/atomic"
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

// RelayHooks observes a stream relayed by [RelayStream]. Both fields are optional.
type RelayHooks struct {
	// Event runs on each event, in the reading goroutine, before the event is passed on.
	Event func(Event)
	// End runs once, when the relayed stream ends: with its response when it ended
	// well, with its error otherwise (an abandoned stream's error wraps [ErrStream]). It
	// may change the response (it is the one the relay's [Stream.Response] returns).
	End func(*Response, error)
}

// RelayStream returns a Stream that passes inner's events on as they arrive, for
// middleware. Its Response is inner's (after End, if set), so it equals Generate's;
// closing it or cancelling ctx closes inner; it starts no goroutine. End runs once
// however the stream ends — read to its end, broken, abandoned, cancelled, or closed
// before it was read. Inner is read once and keeps no events of its own, and the relay
// does not accumulate them a second time ([StreamOptions.Relayed]): a relay costs a
// few tens of nanoseconds per event.
func RelayStream(ctx context.Context, inner *Stream, h *RelayHooks) *Stream {
	var hooks RelayHooks
	if h != nil {
		hooks = *h
	}
	var endOnce sync.Once
	end := func(r *Response, err error) {
		if hooks.End != nil {
			endOnce.Do(func() { hooks.End(r, err) })
		}
	}
	// The relay reads inner once and keeps the events for a replay itself.
	inner.DiscardEvents()
	var started atomic.Bool
	var final *Response
	src := func(yield func(Event, error) bool) {
		started.Store(true)
		for ev, err := range inner.Events() {
			if err != nil {
				end(nil, err)
				yield(nil, err)
				return
			}
			if hooks.Event != nil {
				hooks.Event(ev)
			}
			if !yield(ev, nil) {
				end(nil, &StreamError{Reason: "stream abandoned before its end"})
				return
			}
		}
		resp, err := inner.Response()
		if err == nil && resp != nil {
			r := *resp
			final = &r
		}
		end(final, err)
		if err != nil {
			yield(nil, err)
		}
	}
	return NewStream(ctx, src, &StreamOptions{
		Close: func() error {
			err := inner.Close()
			if !started.Load() {
				end(nil, &StreamError{Reason: "stream closed before it was read"})
			}
			return err
		},
		Finish: func(r *Response) error {
			if final == nil {
				return &StreamError{Reason: "relayed stream ended without a response"}
			}
			*r = *final
			return nil
		},
		Relayed: true, // inner has checked and accumulated the events
	})
}
