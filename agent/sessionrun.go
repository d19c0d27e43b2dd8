package agent

import (
	"context"
	"errors"
	"iter"

	"github.com/llmkit/llmkit/llm"
)

// Run sends a user message made of parts and runs a's tool loop on it: a chat turn
// whose answer may call tools. See [Session.RunMessage].
func (s *Session) Run(ctx context.Context, a *Agent, parts ...llm.Part) (*Result, error) {
	return s.RunMessage(ctx, a, llm.Message{Role: llm.RoleUser, Parts: parts}, nil)
}

// RunMessage sends msg (a user message, or a tool message answering the model's last
// tool calls) and runs a's tool loop on it, as [Agent.Run] does: a's model answers and
// its tools run, with its limits (MaxSteps, Parallelism) and hooks; the request is
// built as for [Session.SendMessage], from the session's defaults, their messages, the
// history, msg and override.
//
// On success the whole turn enters the history: msg, then every answer of the model
// and every tool message of the loop, in order, ending with the final answer — what
// [Result.Messages] holds after the request's own messages. On failure (a
// [*RunError]: the model's error, a hook's, [llm.ErrMaxSteps], [llm.ErrTruncated], a
// cancelled context) the history is unchanged, whatever steps had run; the error's
// Result still tells what they did.
func (s *Session) RunMessage(ctx context.Context, a *Agent, msg llm.Message, override func(*llm.Request)) (*Result, error) {
	if a == nil {
		return nil, errors.New("agent: run: nil Agent")
	}
	t, req, err := s.begin(ctx, "run", msg, override)
	if err != nil {
		return nil, err
	}
	defer t.release()
	t.logStart(ctx, req, false)
	res, err := a.Run(ctx, req)
	if err != nil {
		t.logFailure(ctx, err)
		return res, err
	}
	t.commitRun(res.Messages[len(req.Messages):])
	t.logDone(ctx, res.Response)
	return res, nil
}

// RunStream is [Session.Run] with the loop's events streamed. See
// [Session.RunStreamMessage].
func (s *Session) RunStream(ctx context.Context, a *Agent, parts ...llm.Part) iter.Seq2[Event, error] {
	return s.RunStreamMessage(ctx, a, llm.Message{Role: llm.RoleUser, Parts: parts}, nil)
}

// RunStreamMessage is [Session.RunMessage] with the loop's events yielded as they
// happen, as [Agent.Stream] yields them: model events, tool starts and results, step
// ends, and [Done] last. The turn starts when the range begins (waiting for the
// previous turn) and ends with it. It enters the history just before [Done] is
// yielded, whole; a run that fails (its error is yielded last) or a range stopped
// before Done leaves the history unchanged. Each range is a new turn.
func (s *Session) RunStreamMessage(ctx context.Context, a *Agent, msg llm.Message, override func(*llm.Request)) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if a == nil {
			yield(nil, errors.New("agent: run stream: nil Agent"))
			return
		}
		t, req, err := s.begin(ctx, "run stream", msg, override)
		if err != nil {
			yield(nil, err)
			return
		}
		defer t.release()
		t.logStart(ctx, req, true)
		done := false
		for ev, err := range a.Stream(ctx, req) {
			if err != nil {
				t.logFailure(ctx, err)
				yield(nil, err)
				return
			}
			if d, ok := ev.(Done); ok {
				t.commitRun(d.Result.Messages[len(req.Messages):])
				t.logDone(ctx, d.Result.Response)
				done = true
			}
			if !yield(ev, nil) {
				if !done {
					t.logFailure(ctx, errAbandoned)
				}
				return
			}
		}
	}
}

// commitRun adds the turn's message and the loop's messages to the history, unless the
// history was replaced meanwhile.
func (t *turn) commitRun(loop []llm.Message) {
	add := make([]llm.Message, 0, 1+len(loop))
	add = append(add, t.msg)
	for _, m := range loop {
		add = append(add, m.Clone())
	}
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != t.gen {
		return
	}
	s.hist = append(s.hist, add...)
}
