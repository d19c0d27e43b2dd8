package llm

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"
	"time"
)

// StreamOptions configures a [Stream]. The zero value is usable.
type StreamOptions struct {
	// Close releases the provider's resources (the network stream). The Stream calls it
	// once, when the events end, when the caller stops early or calls [Stream.Close], when
	// the context is cancelled, or when IdleTimeout passes; it may be called from another
	// goroutine while the event source is being read, and must make that read end.
	Close func() error
	// IdleTimeout, when positive, closes the stream if the provider sends no event for
	// that long. Only the provider's silence counts: the clock stops while an event is in
	// the caller's hands (between the iterator yielding it and the caller asking for the
	// next one) and starts again when the caller asks, so a slow consumer never times out.
	IdleTimeout time.Duration
	// RequestID and Warnings are copied into the accumulated [Response].
	RequestID string
	Warnings  []Warning
	// Finish, when set, adjusts the accumulated response before it is returned (a provider
	// uses it to fill [Response.Object], for example). An error it returns ends the stream.
	// It is also applied to the [StreamError.Partial] response of a stream that broke
	// after its message stop.
	Finish func(*Response) error
	// Relayed says that the events come from other Streams, which have already checked
	// and accumulated them (middleware: see [RelayStream]): this stream passes them on
	// without accumulating them a second time, and its response is the one Finish
	// writes into the empty Response it is given. Finish is then required.
	Relayed bool
}

// Stream is a streamed answer. The first pass over [Stream.Events] (or [Stream.Text], or
// a call to [Stream.Response]) reads from the provider; later passes replay the events
// already read, ending with the same error if the first pass ended in one. Stopping a
// range early, cancelling the request's context, an idle timeout or [Stream.Close] close
// the network stream; a stream stopped early cannot be resumed, and its replay ends with
// an error. A Stream is for one goroutine at a time; its methods must not be called
// concurrently.
type Stream struct {
	src  iter.Seq2[Event, error]
	ctx  context.Context
	opts StreamOptions

	state   streamState
	events  []Event
	discard bool // events are not kept: see DiscardEvents
	// delivered is set when the first event has been passed on: from then on, no relay
	// may put another stream in place of the source.
	delivered bool
	acc       Accumulator
	resp      *Response
	err       error

	closeOnce sync.Once
	closeErr  error
	why       atomic.Int32 // closeReason: why the stream was closed from outside the read loop
	stopCtx   func() bool  // stops the context watch NewStream starts
	relay     *relay       // hooks RelayStream installed; nil without any
}

type streamState uint8

const (
	streamFresh streamState = iota
	streamReading
	streamDone
)

type closeReason int32

const (
	closedNot closeReason = iota
	closedByCaller
	closedByContext
	closedByIdle
)

// NewStream returns a Stream over a provider's events. Providers call it; the source must
// yield events in order, stop when yield returns false, and yield at most one error, last.
//
// Cancelling ctx closes the stream at once, whether or not it is being read: the watch
// starts here, so the provider's resources (connections, goroutines) of a stream nobody
// reads are released when its context ends. Reading such a stream then yields a
// [*StreamError] that unwraps to [ErrStream] and to the context's error.
func NewStream(ctx context.Context, events iter.Seq2[Event, error], opts *StreamOptions) *Stream {
	s := &Stream{src: events, ctx: ctx, stopCtx: func() bool { return false }}
	if opts != nil {
		s.opts = *opts
	}
	if ctx != nil {
		s.stopCtx = context.AfterFunc(ctx, func() { s.closeFor(closedByContext) })
	}
	return s
}

// Events returns the stream's events. The first pass reads from the provider; a pass after
// it replays. A stream that ends badly (no message stop, a broken event sequence, a
// provider error, cancellation) yields one error, last.
func (s *Stream) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		switch s.state {
		case streamReading:
			yield(nil, &StreamError{Reason: "Events called during another pass over the same stream"})
			return
		case streamDone:
			if s.discard {
				yield(nil, &StreamError{Reason: "events not kept for a replay (DiscardEvents)"})
				return
			}
			for _, ev := range s.events {
				if !yield(ev, nil) {
					return
				}
			}
			if s.err != nil {
				yield(nil, s.err)
			}
			return
		}
		switch closeReason(s.why.Load()) {
		case closedNot:
		default:
			s.state = streamDone
			s.err = s.closedBeforeRead()
			yield(nil, s.err)
			return
		}
		s.state = streamReading
		if s.relay != nil {
			s.relay.started.Store(true)
		}
		s.read(yield)
		s.state = streamDone
	}
}

func (s *Stream) read(yield func(Event, error) bool) {
	src, own := s.src, true
	var err error
	for {
		var abandoned bool
		err, abandoned = s.pass(src, own, yield)
		if abandoned {
			s.stopWatches()
			s.err = &StreamError{Reason: "stream abandoned before its end"}
			s.runEnd(nil, s.err)
			return
		}
		if err == nil {
			s.resp, err = s.finish(own)
		}
		if err == nil || s.delivered || closeReason(s.why.Load()) != closedNot || s.relay == nil {
			break
		}
		// A relay may put another stream in place of one that failed before its first
		// event (fallback middleware): its events and response are passed on.
		next, rerr := s.relay.reopen(s, err)
		if next == nil {
			if rerr != nil {
				err = rerr
			}
			if closeReason(s.why.Load()) != closedNot && !errors.Is(err, ErrStream) {
				// Closed or cancelled while a relay was reopening it: whatever the
				// relay made of that, the stream ends as a stream closed early does.
				err = &StreamError{Reason: "closed while a relay was reopening it", Err: err}
			}
			break
		}
		src, own = next.Events(), false
	}
	s.stopWatches()
	if err != nil {
		err = s.withPartial(err)
		s.err = err
		s.runEnd(nil, err)
		yield(nil, err)
		return
	}
	s.runEnd(s.resp, nil)
}

// pass reads src, the stream's own source (own) or the events of a stream a relay put
// in its place, until it ends, yielding each event, and returns the error it ended
// with and whether the caller stopped early.
func (s *Stream) pass(src iter.Seq2[Event, error], own bool, yield func(Event, error) bool) (err error, abandoned bool) {
	// The idle clock runs only while the source is being waited on: it stops when an
	// event arrives and restarts when the caller asks for the next one. (A stream a
	// relay put in place of the source keeps its own clock.)
	var timer *time.Timer
	if own && s.opts.IdleTimeout > 0 {
		timer = time.AfterFunc(s.opts.IdleTimeout, func() { s.closeFor(closedByIdle) })
	}
	accumulate := own && !s.opts.Relayed
	for ev, srcErr := range src {
		if timer != nil && !timer.Stop() && closeReason(s.why.Load()) == closedByIdle {
			break // the idle timeout closed the stream before this arrived
		}
		if srcErr != nil {
			err = srcErr
			break
		}
		if accumulate {
			if err = s.acc.Add(ev); err != nil {
				break
			}
		}
		if r := s.relay; r != nil {
			r.event(ev, !s.delivered)
		}
		if !s.discard {
			s.events = append(s.events, ev)
		}
		s.delivered = true
		if !yield(ev, nil) {
			abandoned = true
			break
		}
		if timer != nil {
			timer.Reset(s.opts.IdleTimeout)
		}
	}
	if timer != nil {
		timer.Stop()
	}
	var closeErr error
	if own {
		closeErr = s.close()
	}
	if abandoned {
		return nil, true
	}

	if s.doneCtx() != nil {
		// Cancellation wins even when the source ended without noticing it.
		s.why.CompareAndSwap(int32(closedNot), int32(closedByContext))
	}
	switch closeReason(s.why.Load()) {
	case closedByIdle:
		err = &StreamError{Reason: "no event for " + s.opts.IdleTimeout.String(), Err: context.DeadlineExceeded}
	case closedByContext:
		// Whatever the source made of it (nothing, a read on a closed connection, its
		// own cancellation error), a cancelled stream ends the same way.
		err = &StreamError{Reason: "cancelled", Err: ContextError(context.Cause(s.doneCtx()))}
	case closedByCaller:
		err = &StreamError{Reason: "stream closed before its end"}
	}
	if err == nil && closeErr != nil {
		err = closeErr
	}
	return err, false
}

// withPartial returns err carrying the accumulated response in [StreamError.Partial] when
// the stream broke ([ErrStream]) after its message stop: the message is complete, only
// what follows it (usage) is lost. A [*StreamError] in err's chain gets the response; any
// other stream error is wrapped in one. Other errors are returned as they are.
func (s *Stream) withPartial(err error) error {
	if !s.acc.stopped || !errors.Is(err, ErrStream) {
		return err
	}
	var se *StreamError
	if errors.As(err, &se) && se.Partial != nil {
		return err // an inner stream's error already carries its message
	}
	resp, ferr := s.finish(true)
	if ferr != nil {
		return err
	}
	if se != nil {
		se.Partial = resp
		return err
	}
	return &StreamError{Reason: "broken after the message stop", Err: err, Partial: resp}
}

// finish returns the response: the accumulated one (own) or that of the stream a
// relay put in place of the source.
func (s *Stream) finish(own bool) (*Response, error) {
	if !own {
		resp, err := s.relay.current.Load().Response()
		if err != nil || resp == nil {
			return nil, err
		}
		r := *resp
		return &r, nil
	}
	if s.opts.Relayed {
		if s.opts.Finish == nil {
			return nil, &StreamError{Reason: "relayed stream without a Finish to give its response"}
		}
		resp := &Response{}
		if err := s.opts.Finish(resp); err != nil {
			return nil, err
		}
		return resp, nil
	}
	resp, err := s.acc.Response()
	if err != nil {
		return nil, err
	}
	resp.RequestID = s.opts.RequestID
	if len(s.opts.Warnings) > 0 {
		resp.Warnings = append(append([]Warning(nil), s.opts.Warnings...), resp.Warnings...)
	}
	if s.opts.Finish != nil {
		if err := s.opts.Finish(resp); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// DiscardEvents tells s not to keep its events for a replay. Call it before the first
// pass: a stream read once, with Events or Text, then holds only what its Response needs
// (the accumulated parts), not every event, and a later pass over Events or Text yields
// an error instead of the events. Response and Err are unaffected.
func (s *Stream) DiscardEvents() { s.discard = true }

// Text returns the text deltas of the stream, with the same first-pass and replay rules
// as [Stream.Events].
func (s *Stream) Text() iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for ev, err := range s.Events() {
			if err != nil {
				yield("", err)
				return
			}
			if t, ok := ev.(TextDelta); ok && !yield(t.Text, nil) {
				return
			}
		}
	}
}

// Response reads the rest of the stream, if any, and returns the accumulated response. It
// equals what Generate returns for the same exchange. It returns the stream's error if the
// stream ended badly or was stopped early; when it broke after its [MessageStop], that
// error's [StreamError.Partial] holds the message received.
func (s *Stream) Response() (*Response, error) {
	switch s.state {
	case streamReading:
		return nil, &StreamError{Reason: "Response called during a pass over the stream"}
	case streamFresh:
		for range s.Events() {
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	return s.resp, nil
}

// Err returns the error the stream ended with, or nil; it is nil too while the stream has
// not been read to its end.
func (s *Stream) Err() error { return s.err }

// Close closes the network stream. A stream not yet read to its end then ends with an
// error. Close is safe to call more than once, and while another goroutine ranges over
// the stream.
func (s *Stream) Close() error {
	err := s.closeFor(closedByCaller)
	s.stopWatches()
	return err
}

func (s *Stream) closeFor(reason closeReason) error {
	s.why.CompareAndSwap(int32(closedNot), int32(reason))
	err := s.close()
	if s.relay != nil {
		s.relay.closeCurrent()
		if !s.relay.started.Load() {
			// Nobody will read it: the relay hooks learn now how it ended.
			s.runEnd(nil, s.closedBeforeRead())
		}
	}
	return err
}

// closedBeforeRead is the error of a stream closed before its first read.
func (s *Stream) closedBeforeRead() error {
	if closeReason(s.why.Load()) == closedByContext {
		if ctx := s.doneCtx(); ctx != nil {
			return &StreamError{Reason: "cancelled before it was read", Err: ContextError(context.Cause(ctx))}
		}
	}
	return &StreamError{Reason: "stream closed before it was read"}
}

// doneCtx returns the first of the stream's contexts (its own, then those of the
// relays installed on it) that has ended, or nil.
func (s *Stream) doneCtx() context.Context {
	if s.ctx != nil && s.ctx.Err() != nil {
		return s.ctx
	}
	if s.relay != nil {
		for _, ctx := range s.relay.ctxs {
			if ctx.Err() != nil {
				return ctx
			}
		}
	}
	return nil
}

// stopWatches stops the context watches of NewStream and RelayStream.
func (s *Stream) stopWatches() {
	s.stopCtx()
	if s.relay != nil {
		s.relay.stop()
	}
}

func (s *Stream) close() error {
	s.closeOnce.Do(func() {
		if s.opts.Close != nil {
			s.closeErr = s.opts.Close()
		}
	})
	return s.closeErr
}
