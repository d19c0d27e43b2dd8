package fallback

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// Candidate is one model of the list.
type Candidate struct {
	// Name identifies the candidate in [llm.Response.Model], in errors and in
	// [Options.OnFallback]; it defaults to ModelID, else to "candidate <i>".
	Name string
	// Model answers the calls.
	Model llm.Model
	// ModelID, when set, replaces [llm.Request.Model] for this candidate (another
	// provider names the model differently); empty keeps the request's.
	ModelID string
}

// Options configures a [Model]. The zero value (and nil) is usable.
type Options struct {
	// Rounds is how many passes the model makes over the list at most; 0 means 1 (each
	// candidate once). Providers retry on their own (the AWS SDK does, for Bedrock);
	// more rounds retry on top of that.
	Rounds int
	// BaseDelay and MaxDelay bound the jittered exponential backoff before each round
	// after the first: round r waits a random time between half and all of
	// min(MaxDelay, BaseDelay·2^(r-2)). Defaults: 250ms and 10s. MaxDelay also caps the
	// Retry-After a provider asks for: a candidate that asks for longer is skipped.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// ShouldFallback says whether an error moves the call on to the next candidate;
	// nil means [Fallbackable].
	ShouldFallback func(error) bool
	// OnFallback, when set, runs each time a failed attempt is followed by another,
	// with the failed candidate, its error and the wait before the next attempt. It
	// runs in the calling goroutine.
	OnFallback func(ctx context.Context, failed Candidate, err error, wait time.Duration)
}

// Model is an [llm.Model] over an ordered list of candidates. A call goes to the first;
// when it fails with an error that [Options.ShouldFallback] accepts (by default
// [Fallbackable]: rate limiting, a server error, a model timeout, a model not ready, a
// broken stream), the next candidate gets the same request, and so on, for
// [Options.Rounds] passes. A Retry-After the provider sent (in [llm.ProviderError])
// is honoured: that candidate is not called again before it has passed. A stream falls
// back only until its first event has been delivered; after that its error reaches the
// caller. The response names the candidate that answered in [llm.Response.Model]. A
// call that no candidate answers returns an [*Error] that unwraps to the last attempt's
// error (so its category stays visible). Cancelling the context stops the call, a
// pending wait included. A Model is safe for concurrent use.
type Model struct {
	cands []Candidate
	opts  Options
}

// New returns a Model over cands, in order. It fails on an empty list or a candidate
// without a Model.
func New(cands []Candidate, opts *Options) (*Model, error) {
	if len(cands) == 0 {
		return nil, errors.New("fallback: new: no candidates")
	}
	m := &Model{cands: make([]Candidate, len(cands))}
	for i, c := range cands {
		if c.Model == nil {
			return nil, fmt.Errorf("fallback: new: candidates[%d] %q: nil Model", i, c.Name)
		}
		if c.Name == "" {
			c.Name = c.ModelID
		}
		if c.Name == "" {
			c.Name = "candidate " + strconv.Itoa(i)
		}
		m.cands[i] = c
	}
	if opts != nil {
		m.opts = *opts
	}
	if m.opts.Rounds <= 0 {
		m.opts.Rounds = 1
	}
	if m.opts.BaseDelay <= 0 {
		m.opts.BaseDelay = 250 * time.Millisecond
	}
	if m.opts.MaxDelay <= 0 {
		m.opts.MaxDelay = 10 * time.Second
	}
	if m.opts.ShouldFallback == nil {
		m.opts.ShouldFallback = Fallbackable
	}
	return m, nil
}

// Middleware returns an [llm.Middleware] that puts the wrapped model first in a list
// followed by more candidates. The model keeps the wrapped model's capabilities and
// token counting ([llm.Inherit]): those of the first candidate.
func Middleware(more []Candidate, opts *Options) llm.Middleware {
	return func(next llm.Model) llm.Model {
		m, err := New(append([]Candidate{{Model: next, Name: "primary"}}, more...), opts)
		if err != nil {
			return llm.ModelFuncs{
				GenerateFunc: func(context.Context, *llm.Request) (*llm.Response, error) { return nil, err },
				StreamFunc:   func(context.Context, *llm.Request) (*llm.Stream, error) { return nil, err },
			}
		}
		return llm.Inherit(m, next)
	}
}

// Fallbackable reports whether err is worth trying another model for: it unwraps to
// [llm.ErrRateLimited], [llm.ErrServer], [llm.ErrTimeout], [llm.ErrModelNotReady] or
// [llm.ErrStream], and not to context.Canceled (a model timeout caused by the caller's
// own deadline still unwraps to context.DeadlineExceeded, which the Model checks
// against its context). An invalid request, an authorisation failure, an unknown
// model, a context too long, a content filter or an unsupported setting would fail
// the same way elsewhere, or are the caller's to fix: they never fall back.
func Fallbackable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	for _, c := range []error{llm.ErrInvalidRequest, llm.ErrAuth, llm.ErrNotFound, llm.ErrContextTooLong, llm.ErrContentFiltered} {
		if errors.Is(err, c) {
			return false
		}
	}
	for _, c := range []error{llm.ErrRateLimited, llm.ErrServer, llm.ErrTimeout, llm.ErrModelNotReady, llm.ErrStream} {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// Attempt is one failed call of a candidate.
type Attempt struct {
	Candidate string
	Round     int // from 1
	Err       error
}

// Error is the error of a call no candidate answered. It unwraps to the last attempt's
// error.
type Error struct {
	Attempts []Attempt
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("fallback: ")
	if len(e.Attempts) == 0 {
		b.WriteString("no attempt")
		return b.String()
	}
	b.WriteString(strconv.Itoa(len(e.Attempts)))
	b.WriteString(" attempt(s) failed")
	for _, a := range e.Attempts {
		fmt.Fprintf(&b, "; %s (round %d): %v", a.Candidate, a.Round, a.Err)
	}
	return b.String()
}

// Unwrap returns the last attempt's error.
func (e *Error) Unwrap() error {
	if len(e.Attempts) == 0 {
		return nil
	}
	return e.Attempts[len(e.Attempts)-1].Err
}

// Generate calls the candidates in turn until one answers.
func (m *Model) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	r := m.newRun(ctx, req, nil)
	for {
		c, creq, err := r.next()
		if err != nil {
			return nil, err
		}
		resp, err := c.Model.Generate(ctx, creq)
		if err == nil {
			if resp != nil {
				resp.Model = c.Name
			}
			return resp, nil
		}
		if err := r.failed(c, err); err != nil {
			return nil, err
		}
	}
}

// Stream opens a stream on the candidates in turn until one opens, and falls back again
// while no event has been delivered. The stream returned is the candidate's own, relayed
// ([llm.RelayStream]): events pass through no extra layer.
func (m *Model) Stream(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
	r := m.newRun(ctx, req, nil)
	s, c, err := r.open(ctx)
	if err != nil {
		return nil, err
	}
	return llm.RelayStream(ctx, s, &llm.RelayHooks{
		Reopen: func(rctx context.Context, err error) (*llm.Stream, error) {
			if err := r.failed(c, err); err != nil {
				return nil, err
			}
			r.stop = rctx.Done() // the stream was closed: a pending wait ends
			next, nc, err := r.open(rctx)
			if err != nil {
				return nil, err
			}
			c = nc
			return next, nil
		},
		End: func(resp *llm.Response, _ error) {
			if resp != nil {
				resp.Model = c.Name
			}
		},
	}), nil
}

// open opens a stream on the next candidates until one opens.
func (r *run) open(ctx context.Context) (*llm.Stream, Candidate, error) {
	for {
		c, creq, err := r.next()
		if err != nil {
			return nil, Candidate{}, err
		}
		s, err := c.Model.Stream(ctx, creq)
		if err == nil && s == nil {
			err = fmt.Errorf("fallback: %s: model returned no stream and no error", c.Name)
		}
		if err == nil {
			return s, c, nil
		}
		if err := r.failed(c, err); err != nil {
			return nil, Candidate{}, err
		}
	}
}

// run walks the candidates for one call.
type run struct {
	m         *Model
	ctx       context.Context
	req       *llm.Request
	stop      <-chan struct{} // closed when a stream is closed; nil for Generate
	round     int             // from 1
	i         int             // index of the next candidate
	notBefore []time.Time     // per candidate, from Retry-After
	attempts  []Attempt
}

func (m *Model) newRun(ctx context.Context, req *llm.Request, stop <-chan struct{}) *run {
	return &run{m: m, ctx: ctx, req: req, stop: stop, round: 1}
}

// next waits as needed and returns the next candidate and its request, or the error
// that ends the call.
func (r *run) next() (Candidate, *llm.Request, error) {
	for {
		if r.i == len(r.m.cands) {
			r.i = 0
			r.round++
		}
		if r.round > r.m.opts.Rounds {
			return Candidate{}, nil, &Error{Attempts: r.attempts}
		}
		i := r.i
		r.i++
		wait := r.backoff(i)
		if wait > r.m.opts.MaxDelay {
			c := r.m.cands[i]
			r.attempts = append(r.attempts, Attempt{Candidate: c.Name, Round: r.round,
				Err: fmt.Errorf("skipped: it asked to wait %v, more than MaxDelay %v: %w", wait.Round(time.Millisecond), r.m.opts.MaxDelay, r.lastErr(c.Name))})
			continue
		}
		if err := r.sleep(wait); err != nil {
			return Candidate{}, nil, err
		}
		c := r.m.cands[i]
		req := r.req
		if c.ModelID != "" && req != nil && req.Model != c.ModelID {
			cp := *req
			cp.Model = c.ModelID
			req = &cp
		}
		return c, req, nil
	}
}

// backoff returns how long to wait before calling candidate i: its Retry-After, and
// the round's jittered backoff before the first candidate of a round after the first.
func (r *run) backoff(i int) time.Duration {
	var wait time.Duration
	if r.notBefore != nil && !r.notBefore[i].IsZero() {
		wait = time.Until(r.notBefore[i])
	}
	if i == 0 && r.round > 1 {
		d := r.m.opts.BaseDelay << min(r.round-2, 30)
		if d <= 0 || d > r.m.opts.MaxDelay {
			d = r.m.opts.MaxDelay
		}
		d = d/2 + rand.N(d/2+1)
		wait = max(wait, d)
	}
	return max(wait, 0)
}

func (r *run) lastErr(name string) error {
	for i := len(r.attempts) - 1; i >= 0; i-- {
		if r.attempts[i].Candidate == name {
			return r.attempts[i].Err
		}
	}
	return errors.New("no earlier error")
}

func (r *run) sleep(d time.Duration) error {
	if err := r.ctx.Err(); err != nil {
		return r.cancelled()
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		if r.ctx.Err() != nil {
			return r.cancelled() // cancellation wins a tie with the timer
		}
		return nil
	case <-r.ctx.Done():
		return r.cancelled()
	case <-r.stop:
		if r.ctx.Err() != nil {
			return r.cancelled()
		}
		return &llm.StreamError{Reason: "stream closed while waiting to fall back", Err: &Error{Attempts: r.attempts}}
	}
}

func (r *run) cancelled() error {
	return fmt.Errorf("fallback: %w (after %d failed attempt(s))", context.Cause(r.ctx), len(r.attempts))
}

// failed records a failed attempt and returns nil to go on, or the error that ends the
// call.
func (r *run) failed(c Candidate, err error) error {
	if r.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err // the caller's context ended the call
	}
	if !r.m.opts.ShouldFallback(err) {
		return err
	}
	r.attempts = append(r.attempts, Attempt{Candidate: c.Name, Round: r.round, Err: err})
	var pe *llm.ProviderError
	if errors.As(err, &pe) && pe.RetryAfter > 0 {
		if r.notBefore == nil {
			r.notBefore = make([]time.Time, len(r.m.cands))
		}
		for i := range r.m.cands {
			if r.m.cands[i].Name == c.Name {
				r.notBefore[i] = time.Now().Add(pe.RetryAfter)
			}
		}
	}
	if r.m.opts.OnFallback != nil && !r.last() {
		r.m.opts.OnFallback(r.ctx, c, err, r.peekWait())
	}
	return nil
}

// last reports whether the attempt just made was the last the options allow.
func (r *run) last() bool {
	return r.round >= r.m.opts.Rounds && r.i == len(r.m.cands)
}

// peekWait is the wait before the next attempt, for OnFallback (the jitter of a new
// round is not known yet: the upper bound is given).
func (r *run) peekWait() time.Duration {
	i := r.i
	if i == len(r.m.cands) {
		i = 0
	}
	var wait time.Duration
	if r.notBefore != nil && !r.notBefore[i].IsZero() {
		wait = time.Until(r.notBefore[i])
	}
	return max(wait, 0)
}
