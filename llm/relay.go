package llm

import (
	"context"
	"sync"
	"sync/atomic"
)

// RelayHooks observes a stream relayed by [RelayStream]. All fields are optional.
type RelayHooks struct {
	// Event runs on each event, in the reading goroutine, before the event is passed on.
	Event func(Event)
	// First runs on the first event only, before Event (for a time to first token: it
	// costs nothing on the events after).
	First func(Event)
	// End runs once, when the relayed stream ends: with its response when it ended
	// well, with its error otherwise (an abandoned stream's error wraps [ErrStream]). It
	// may change the response (it is the one the relay's [Stream.Response] returns).
	End func(*Response, error)
	// Reopen, when set, runs when the stream fails before it has passed on any event
	// (fallback middleware uses it to try another model), in the reading goroutine,
	// with the error; the failed stream has been closed. It returns the Stream to read
	// in its place — the relay then passes that stream's events on, and its response
	// — or nil and the error to end with (nil keeps err). ctx is derived from the
	// context given to RelayStream and also ends when the stream is closed; a stream
	// Reopen opens should use it. Reopen is asked again when the stream it returned
	// fails before its first event too, so it must give up at some point (as a
	// fallback out of candidates does); it is not asked once an event has been passed
	// on, nor for a stream closed or cancelled by its reader. The End hooks of relays
	// installed before this one (those of the failed stream's own middleware) run with
	// err when it returns a stream.
	Reopen func(ctx context.Context, err error) (*Stream, error)
}

// RelayStream returns a Stream that passes inner's events on as they arrive, for
// middleware. Its Response is inner's (after End, if set), so it equals Generate's;
// closing it or cancelling ctx closes inner; it starts no goroutine. End runs once
// however the stream ends — read to its end, broken, abandoned, cancelled, or closed
// before it was read.
//
// When inner has not been read yet — the usual case: a middleware relays the stream it
// has just opened — the hooks are installed on inner and inner itself is returned, so
// a stack of relays reads the provider's events in one loop, at the cost of a function
// call per event and hook. Hooks installed by stacked middleware run inner first (in
// the order the relays were made). Otherwise the returned Stream reads inner once,
// keeps no second copy of its events and does not accumulate them again
// ([StreamOptions.Relayed]).
func RelayStream(ctx context.Context, inner *Stream, h *RelayHooks) *Stream {
	if inner.state != streamFresh || closeReason(inner.why.Load()) != closedNot {
		inner = relayLayer(ctx, inner)
	}
	inner.addRelay(ctx, h)
	return inner
}

// relay holds the hooks [RelayStream] installed on a Stream.
type relay struct {
	hooks   []relayHooks      // in the order installed: the innermost middleware's first
	events  []func(Event)     // the Event hooks of hooks[ended:], for the read loop
	ctxs    []context.Context // the relays' contexts that differ from the stream's own
	stops   []func() bool     // their watches
	started atomic.Bool       // the first read began: hooks learn the end from it

	mu      sync.Mutex
	ended   int                    // hooks[:ended] have had their End
	cancel  context.CancelFunc     // ends the context Reopen was given
	current atomic.Pointer[Stream] // the stream read in place of the source, if any

	// Room for the hooks of the usual stack, without more allocations.
	buf   [2]relayHooks
	evbuf [2]func(Event)
}

// relayHooks are the hooks of one relay, with its context.
type relayHooks struct {
	RelayHooks
	ctx context.Context
}

// addRelay installs h on s, and makes ctx close s if it is not s's own context.
func (s *Stream) addRelay(ctx context.Context, h *RelayHooks) {
	if s.relay == nil {
		s.relay = &relay{}
		s.relay.hooks, s.relay.events = s.relay.buf[:0], s.relay.evbuf[:0]
	}
	r := s.relay
	if h != nil && (h.Event != nil || h.First != nil || h.End != nil || h.Reopen != nil) {
		r.hooks = append(r.hooks, relayHooks{RelayHooks: *h, ctx: ctx})
		if h.Event != nil {
			r.events = append(r.events, h.Event)
		}
	}
	if ctx != nil && ctx.Done() != nil && (s.ctx == nil || ctx.Done() != s.ctx.Done()) {
		r.ctxs = append(r.ctxs, ctx)
		r.stops = append(r.stops, context.AfterFunc(ctx, func() { s.closeFor(closedByContext) }))
	}
}

// event runs the hooks on ev, an event about to be passed on (the first, if first).
func (r *relay) event(ev Event, first bool) {
	if first {
		r.first(ev)
	}
	for _, f := range r.events {
		f(ev)
	}
}

// first runs the First hooks on ev, the first event passed on.
func (r *relay) first(ev Event) {
	r.mu.Lock()
	ended := r.ended
	r.mu.Unlock()
	for i := ended; i < len(r.hooks); i++ {
		if f := r.hooks[i].First; f != nil {
			f(ev)
		}
	}
}

// runEnd runs the End hooks that have not run yet with how the stream ended.
func (s *Stream) runEnd(resp *Response, err error) {
	if s.relay != nil {
		s.relay.endTo(len(s.relay.hooks), resp, err)
	}
}

// endTo runs the End hooks of hooks[:n] that have not run yet (not under the lock: a
// hook may close the stream).
func (r *relay) endTo(n int, resp *Response, err error) {
	r.mu.Lock()
	from := r.ended
	r.ended = max(r.ended, n)
	r.mu.Unlock()
	for i := from; i < n; i++ {
		if end := r.hooks[i].End; end != nil {
			end(resp, err)
		}
	}
}

// reopen asks the Reopen hooks, innermost first, for a stream to read in place of s's
// source, which failed with err before its first event. It returns that stream, or nil
// and the error to end with.
func (r *relay) reopen(s *Stream, err error) (*Stream, error) {
	r.mu.Lock()
	ended := r.ended
	r.mu.Unlock()
	for i := ended; i < len(r.hooks); i++ {
		h := r.hooks[i]
		if h.Reopen == nil {
			continue
		}
		parent := h.ctx
		if parent == nil {
			parent = context.Background()
		}
		ctx, cancel := context.WithCancel(parent)
		r.mu.Lock()
		if r.cancel != nil {
			r.cancel() // the context of an earlier Reopen: its stream has ended
		}
		r.cancel = cancel
		r.mu.Unlock()
		if closeReason(s.why.Load()) != closedNot {
			cancel() // closed while the context was being made
		}
		next, rerr := h.Reopen(ctx, err)
		if next == nil {
			if rerr != nil {
				err = rerr
			}
			continue
		}
		r.endTo(i, nil, err) // the failed stream's own middleware
		r.events = r.events[:0]
		for _, h := range r.hooks[i:] {
			if h.Event != nil {
				r.events = append(r.events, h.Event)
			}
		}
		next.DiscardEvents() // s keeps them
		r.current.Store(next)
		if closeReason(s.why.Load()) != closedNot {
			next.Close()
		}
		return next, nil
	}
	return nil, err
}

// stop ends what the relays started: the context watches, the context given to
// Reopen.
func (r *relay) stop() {
	for _, stop := range r.stops {
		stop()
	}
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
}

// closeCurrent closes the stream read in place of the source, and ends the context
// given to Reopen.
func (r *relay) closeCurrent() {
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	if cur := r.current.Load(); cur != nil {
		cur.Close()
	}
}

// relayLayer returns a Stream of its own over the events of inner, a stream already
// read or closed, for RelayStream to install its hooks on.
func relayLayer(ctx context.Context, inner *Stream) *Stream {
	// The layer reads inner once and keeps the events for a replay itself.
	inner.DiscardEvents()
	var final *Response
	src := func(yield func(Event, error) bool) {
		for ev, err := range inner.Events() {
			if !yield(ev, err) || err != nil {
				return
			}
		}
		resp, err := inner.Response()
		if err != nil {
			yield(nil, err)
			return
		}
		if resp != nil {
			r := *resp
			final = &r
		}
	}
	return NewStream(ctx, src, &StreamOptions{
		Close: inner.Close,
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
