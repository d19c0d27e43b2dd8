package conformance

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// The error and cancellation scenarios.

// providerError checks that err is a *llm.ProviderError of category cat, and returns it.
func (e *env) providerError(what string, err error, cat error) *llm.ProviderError {
	e.Helper()
	if err == nil {
		e.Fatalf("%s error = nil, want %v", what, cat)
	}
	if !errors.Is(err, cat) {
		e.Errorf("%s error = %v, want errors.Is(err, %v)", what, err, cat)
	}
	var pe *llm.ProviderError
	if !errors.As(err, &pe) {
		e.Fatalf("%s error = %v (%T), want a *llm.ProviderError", what, err, err)
	}
	return pe
}

// failedCall checks a call refused before its answer: Generate fails, and Stream fails,
// either at once or with an error before any content.
func (e *env) failedCall(name string, kind FaultKind, cat error, retryable bool) {
	e.Helper()
	req := e.request(llm.UserText("Reply with the single word: pong"))
	e.inject(Fault{Kind: kind})
	_, err := e.h.Model.Generate(e.ctx, req)
	pe := e.providerError("Generate("+name+")", err, cat)
	if pe.Retryable != retryable {
		e.Errorf("Generate(%s) error retryable = %v, want %v", name, pe.Retryable, retryable)
	}

	e.inject(Fault{Kind: kind})
	s, err := e.h.Model.Stream(e.ctx, req)
	if err == nil {
		defer s.Close()
		for ev, serr := range s.Events() {
			if serr != nil {
				err = serr
				break
			}
			switch ev.(type) {
			case llm.MessageStart, llm.Warning:
			default:
				e.Errorf("Stream(%s) yielded %T before its error; a refused call has no content", name, ev)
			}
		}
	}
	pe = e.providerError("Stream("+name+")", err, cat)
	if pe.Retryable != retryable {
		e.Errorf("Stream(%s) error retryable = %v, want %v", name, pe.Retryable, retryable)
	}
}

func errorThrottling(e *env) {
	e.failedCall("error_throttling", FaultThrottling, llm.ErrRateLimited, true)
}

func errorValidation(e *env) {
	e.failedCall("error_validation", FaultValidation, llm.ErrInvalidRequest, false)
}

// brokenStream checks a stream that fails after its first text: the text arrives, then
// the error; Response returns the error, and a second pass replays both.
func (e *env) brokenStream(name string, kind FaultKind) error {
	e.Helper()
	partial := textAnswer("The answer is forty-two, because six times seven is forty-two.", llm.StopReasonEndTurn, 20, 15)
	req := e.request(llm.UserText("What is six times seven? Explain in one sentence."))
	e.inject(Fault{Kind: kind, Partial: partial})
	s, err := e.h.Model.Stream(e.ctx, req)
	if err != nil {
		e.Fatalf("Stream(%s) error = %v; want the stream to open and break later", name, err)
	}
	defer s.Close()
	var text strings.Builder
	var serr error
	n := 0
	for ev, err := range s.Events() {
		if err != nil {
			serr = err
			break
		}
		n++
		if d, ok := ev.(llm.TextDelta); ok {
			text.WriteString(d.Text)
		}
	}
	what := "Stream(" + name + ")"
	if serr == nil {
		e.Fatalf("%s ended without an error after %d events; want the injected failure", what, n)
	}
	if got := text.String(); got == "" || !strings.HasPrefix(partial.Text(), got) {
		e.Errorf("%s text before the error = %q, want a non-empty start of %q", what, got, partial.Text())
	}
	resp, rerr := s.Response()
	if resp != nil || rerr == nil || rerr.Error() != serr.Error() {
		e.Errorf("%s.Response() = %v, %v; want nil and the stream's error %v", what, resp, rerr, serr)
	}
	var last error
	for _, err := range s.Events() {
		last = err
	}
	if last == nil || last.Error() != serr.Error() {
		e.Errorf("%s replay ended with %v, want the stream's error %v", what, last, serr)
	}
	return serr
}

func errorStreamException(e *env) {
	const name = "error_stream_exception"
	err := e.brokenStream(name, FaultStreamException)
	var pe *llm.ProviderError
	if !errors.As(err, &pe) {
		e.Fatalf("Stream(%s) error = %v (%T), want a *llm.ProviderError", name, err, err)
	}
	if pe.StatusCode != 0 {
		e.Errorf("Stream(%s) error status = %d, want 0 for a failure inside the stream", name, pe.StatusCode)
	}
	if !errors.Is(err, llm.ErrServer) && !errors.Is(err, llm.ErrStream) {
		e.Errorf("Stream(%s) error = %v, want category %v or %v", name, err, llm.ErrServer, llm.ErrStream)
	}
}

func errorStreamThrottling(e *env) {
	const name = "error_stream_throttling"
	err := e.brokenStream(name, FaultStreamThrottling)
	pe := e.providerError("Stream("+name+")", err, llm.ErrRateLimited)
	if !pe.Retryable {
		e.Errorf("Stream(%s) error retryable = false, want true", name)
	}
}

func cancelStream(e *env) {
	const name = "cancel_stream"
	what := "Stream(" + name + ")"
	req := e.request(llm.UserText("Count from 1 to 500, one number per line. Write nothing else."))
	req.MaxTokens = 2048
	var count strings.Builder
	for i := 1; i <= 40; i++ {
		count.WriteString(strconv.Itoa(i))
		count.WriteString("\n")
	}
	e.script(ScriptedAnswer{Response: textAnswer(count.String(), llm.StopReasonEndTurn, 20, 120), Interval: 20 * time.Millisecond})

	before := goroutines()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	s, err := e.h.Model.Stream(ctx, req)
	if err != nil {
		e.Fatalf("%s error: %v", what, err)
	}
	var serr error
	cancelled := false
	for ev, err := range s.Events() {
		if err != nil {
			serr = err
			break
		}
		if _, ok := ev.(llm.TextDelta); ok && !cancelled {
			cancel()
			cancelled = true
		}
	}
	s.Close()
	switch {
	case !cancelled:
		e.Fatalf("%s ended (error %v) before its first text delta; want text to cancel after", what, serr)
	case serr == nil:
		e.Errorf("%s ended normally after its context was cancelled; want an error", what)
	case !errors.Is(serr, context.Canceled):
		e.Errorf("%s error = %v, want errors.Is(err, context.Canceled)", what, serr)
	}
	if _, err := s.Response(); !errors.Is(err, context.Canceled) {
		e.Errorf("%s.Response() error = %v, want errors.Is(err, context.Canceled)", what, err)
	}
	if left := leaked(e.ctx, before, e.h.leakWait()); len(left) > 0 {
		e.Errorf("%s left %d goroutines behind after cancellation; the first:\n%s", what, len(left), left[0])
	}
}
