package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// Session is a multi-round chat with a model: it keeps the conversation's history and
// sends it, with the session's default settings, on every turn.
//
// A turn adds two messages to the history, the user's message and the model's answer,
// together and only when the turn succeeds. A turn that fails — an error from the
// model, a broken, cancelled or abandoned stream — leaves the history exactly as it
// was, so the same message can simply be sent again.
//
// A Session is safe for concurrent use. Turns are serialised: a turn waits until the
// previous one has ended (or until its own context is done). A streamed turn lasts
// until its stream has been read to its end, stopped early, or closed, or until the
// context it was started with is done; a caller that neither reads nor closes a stream
// blocks every later turn. [Session.History], [Session.Hash] and the other methods that
// only look at or replace the history never wait for a turn.
type Session struct {
	model    llm.Model
	defaults *llm.Request
	turn     chan struct{} // holds one token while a turn runs

	mu     sync.Mutex // guards the fields below
	hist   []llm.Message
	gen    uint64 // bumped whenever the history is replaced
	logger *slog.Logger
}

// NewSession returns a session with m. defaults, which may be nil, holds the settings of
// every turn: model id, tools, tool choice, token limit, temperature, reasoning, output,
// extra. Its Messages, such as a system prompt, are sent before the history on every
// turn but are not part of it: [Session.History] does not return them and
// [Session.Reset] keeps them. NewSession copies defaults.
func NewSession(m llm.Model, defaults *llm.Request) *Session {
	d := defaults.Clone()
	if d == nil {
		d = &llm.Request{}
	}
	return &Session{model: m, defaults: d, turn: make(chan struct{}, 1)}
}

// SetLogger sets the logger for debug records of each turn; nil, the default, means
// [slog.Default]. Records are at [slog.LevelDebug]: the request summary (model id,
// message and tool counts), the history's hash before and after, stop reason, usage,
// latency and request id, and the text sent and received. They never include
// [llm.Request.Extra] (which may hold credentials) or binary data.
func (s *Session) SetLogger(l *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logger = l
}

func (s *Session) log() *slog.Logger {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logger != nil {
		return s.logger
	}
	return slog.Default()
}

// Send sends a user message made of parts (text, images, documents) and returns the
// model's answer. See [Session.SendMessage].
func (s *Session) Send(ctx context.Context, parts ...llm.Part) (*llm.Response, error) {
	return s.SendMessage(ctx, llm.Message{Role: llm.RoleUser, Parts: parts}, nil)
}

// SendMessage sends msg — a user message, or a tool message answering the model's last
// tool calls — and returns the model's answer. On success the history gains msg and
// the answer; on failure it is unchanged.
//
// The request is built in this order, each step winning over the one before: the
// session's defaults; the messages (the defaults' messages, the history, msg); then
// override, when not nil, which may change any field of the request for this turn only
// (the model id, tools, temperature, even the messages sent — the history still records
// msg and the answer).
func (s *Session) SendMessage(ctx context.Context, msg llm.Message, override func(*llm.Request)) (*llm.Response, error) {
	t, req, err := s.begin(ctx, "send", msg, override)
	if err != nil {
		return nil, err
	}
	defer t.release()
	t.logStart(ctx, req, false)
	resp, err := s.model.Generate(ctx, req)
	if err == nil && resp == nil {
		err = errors.New("agent: send: model returned no response and no error")
	}
	if err != nil {
		t.logFailure(ctx, err)
		return nil, err
	}
	t.commit(resp)
	t.logDone(ctx, resp)
	return resp, nil
}

// Stream sends a user message made of parts and returns the model's answer as a
// stream. See [Session.StreamMessage].
func (s *Session) Stream(ctx context.Context, parts ...llm.Part) (*llm.Stream, error) {
	return s.StreamMessage(ctx, llm.Message{Role: llm.RoleUser, Parts: parts}, nil)
}

// StreamMessage is [Session.SendMessage] with a streamed answer. The turn enters the
// history once the stream has been read to its end without error — by ranging over
// [llm.Stream.Events] or [llm.Stream.Text], or by calling [llm.Stream.Response] — and
// then holds the whole answer: text, tool calls, and reasoning with its signature. A
// stream that breaks, is cancelled, is stopped early (a break out of the range) or is
// closed before its end leaves the history unchanged; replaying a stream adds nothing.
//
// Until the stream ends, the session's next turn waits (see [Session]).
func (s *Session) StreamMessage(ctx context.Context, msg llm.Message, override func(*llm.Request)) (*llm.Stream, error) {
	t, req, err := s.begin(ctx, "stream", msg, override)
	if err != nil {
		return nil, err
	}
	t.logStart(ctx, req, true)
	inner, err := s.model.Stream(ctx, req)
	if err == nil && inner == nil {
		err = errors.New("agent: stream: model returned no stream and no error")
	}
	if err != nil {
		t.logFailure(ctx, err)
		t.release()
		return nil, err
	}
	st := &streamTurn{turn: t, ctx: ctx, inner: inner}
	t.mu.Lock()
	t.stop = context.AfterFunc(ctx, st.cancelUnread)
	t.mu.Unlock()
	// The outer stream's context never ends on its own: cancellation reaches the
	// provider's stream, whose error (wrapping the context's) the outer stream passes on.
	return llm.NewStream(context.WithoutCancel(ctx), st.events, &llm.StreamOptions{
		Close:  st.close,
		Finish: st.finish,
	}), nil
}

// begin waits for the turn token, then builds the turn's request.
func (s *Session) begin(ctx context.Context, op string, msg llm.Message, override func(*llm.Request)) (*turn, *llm.Request, error) {
	if msg.Role == "" {
		msg.Role = llm.RoleUser
	}
	if msg.Role != llm.RoleUser && msg.Role != llm.RoleTool {
		return nil, nil, fmt.Errorf("agent: %s: message role %q: want user or tool", op, msg.Role)
	}
	if len(msg.Parts) == 0 {
		return nil, nil, fmt.Errorf("agent: %s: message has no parts", op)
	}
	for i, p := range msg.Parts {
		if p == nil {
			return nil, nil, fmt.Errorf("agent: %s: part %d is nil", op, i)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("agent: %s: %w", op, context.Cause(ctx))
	}
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("agent: %s: waiting for the previous turn: %w", op, context.Cause(ctx))
	}
	msg = msg.Clone()

	s.mu.Lock()
	hist, gen := s.hist, s.gen
	req := s.defaults.Clone()
	msgs := make([]llm.Message, 0, len(req.Messages)+len(hist)+1)
	msgs = append(msgs, req.Messages...)
	for _, m := range hist {
		msgs = append(msgs, m.Clone())
	}
	s.mu.Unlock()

	req.Messages = append(msgs, msg.Clone())
	if override != nil {
		override(req)
	}
	t := &turn{s: s, op: op, gen: gen, msg: msg, held: true, start: time.Now(), log: s.log()}
	return t, req, nil
}

// turn is one turn in progress. It owns the session's turn token until release.
type turn struct {
	s     *Session
	op    string
	gen   uint64
	msg   llm.Message
	start time.Time
	log   *slog.Logger

	mu   sync.Mutex
	held bool
	stop func() bool // stops the context watch of a streamed turn
}

func (t *turn) release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.releaseLocked()
}

func (t *turn) releaseLocked() {
	if !t.held {
		return
	}
	t.held = false
	if t.stop != nil {
		t.stop()
	}
	<-t.s.turn
}

// commit adds the turn to the history, unless the history was replaced meanwhile.
func (t *turn) commit(resp *llm.Response) {
	reply := resp.Message.Clone()
	if reply.Role == "" {
		reply.Role = llm.RoleAssistant
	}
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != t.gen {
		return
	}
	s.hist = append(s.hist, t.msg, reply)
}

// streamTurn connects a provider's stream to the stream a streamed turn returns.
type streamTurn struct {
	*turn
	ctx     context.Context
	inner   *llm.Stream
	started bool          // the outer stream began reading (guarded by turn.mu)
	resp    *llm.Response // the provider's response, once read without error
}

// events is the outer stream's source: the provider's events, passed through. When they
// end without error the turn is committed, before the turn token is released.
func (st *streamTurn) events(yield func(llm.Event, error) bool) {
	st.mu.Lock()
	held := st.held
	st.started = true
	st.mu.Unlock()
	defer st.release()
	if !held || st.ctx.Err() != nil {
		// The context ended before the stream was read.
		st.inner.Close()
		err := &llm.StreamError{Reason: "cancelled before the stream was read", Err: context.Cause(st.ctx)}
		if held {
			st.logFailure(st.ctx, err)
		}
		yield(nil, err)
		return
	}
	for ev, err := range st.inner.Events() {
		if err != nil {
			st.logFailure(st.ctx, err)
			yield(nil, err)
			return
		}
		if !yield(ev, nil) {
			st.logFailure(st.ctx, errAbandoned)
			return
		}
	}
	resp, err := st.inner.Response()
	if err != nil {
		st.logFailure(st.ctx, err)
		yield(nil, err)
		return
	}
	st.resp = resp
	st.commit(resp)
	st.logDone(st.ctx, resp)
}

var errAbandoned = errors.New("stream abandoned before its end")

// finish makes the outer stream's response the provider's own, with its request id,
// warnings, object and extra.
func (st *streamTurn) finish(out *llm.Response) error {
	if st.resp != nil {
		*out = *st.resp
	}
	return nil
}

// close closes the provider's stream. It ends the turn unless the outer stream is being
// read, in which case events ends it once the provider's stream has stopped.
func (st *streamTurn) close() error {
	err := st.inner.Close()
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.started {
		st.releaseLocked()
	}
	return err
}

// cancelUnread ends the turn of a stream whose context ended before it was read.
func (st *streamTurn) cancelUnread() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.started || !st.held {
		return
	}
	st.inner.Close()
	st.releaseLocked()
	st.logFailure(st.ctx, context.Cause(st.ctx))
}

// History returns a copy of the conversation so far: each successful turn's message and
// answer, without the defaults' messages.
func (s *Session) History() []llm.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return llm.CloneMessages(s.hist)
}

// SetHistory replaces the history with a copy of msgs, to resume a conversation. A turn
// in progress is then not added to the history. msgs must pass [CheckHistory]; when it
// does not, SetHistory returns an error saying why and the session is unchanged. nil
// and an empty slice clear the history.
func (s *Session) SetHistory(msgs []llm.Message) error {
	if err := CheckHistory(msgs); err != nil {
		return fmt.Errorf("agent: set history: %w", err)
	}
	s.replaceHistory(llm.CloneMessages(msgs))
	return nil
}

func (s *Session) replaceHistory(msgs []llm.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hist = msgs
	s.gen++
}

// Reset clears the history; the defaults, including their messages, stay. A turn in
// progress is then not added to the history.
func (s *Session) Reset() { s.replaceHistory(nil) }

// Hash returns a stable hash of the history (see [HashMessages]).
func (s *Session) Hash() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return HashMessages(s.hist)
}

type sessionJSON struct {
	Messages []llm.Message `json:"messages"`
}

// MarshalJSON returns the history as {"messages":[…]}, each message in the JSON form of
// [llm.Message.MarshalJSON]. The defaults are not included.
func (s *Session) MarshalJSON() ([]byte, error) {
	h := s.History()
	if h == nil {
		h = []llm.Message{}
	}
	b, err := json.Marshal(sessionJSON{Messages: h})
	if err != nil {
		return nil, fmt.Errorf("agent: marshal session: %w", err)
	}
	return b, nil
}

// UnmarshalJSON replaces the history with the one in data, as written by
// [Session.MarshalJSON]. The session must have been made by [NewSession]. data must be
// an object whose only member, "messages", is an array ([] for an empty conversation)
// of messages forming a history that passes [CheckHistory]; anything else — null, {},
// {"messages":null}, another kind of JSON file, a history that starts with the
// model's answer — is an error saying what is wrong, and the session is unchanged.
func (s *Session) UnmarshalJSON(data []byte) error {
	msgs, err := parseSessionJSON(data)
	if err != nil {
		return fmt.Errorf("agent: unmarshal session: %w", err)
	}
	s.replaceHistory(msgs)
	return nil
}

func (t *turn) logStart(ctx context.Context, req *llm.Request, stream bool) {
	if !t.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "agent: session turn",
		slog.String("op", t.op),
		slog.Bool("stream", stream),
		slog.String("model", req.Model),
		slog.Int("messages", len(req.Messages)),
		slog.Int("tools", len(req.Tools)),
		slog.String("history", t.s.Hash()),
		slog.String("input", t.msg.Text()),
	)
}

func (t *turn) logDone(ctx context.Context, resp *llm.Response) {
	if !t.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "agent: session turn done",
		slog.String("op", t.op),
		slog.String("stop_reason", string(resp.StopReason)),
		usageAttr(resp.Usage),
		slog.Duration("latency", resp.Latency),
		slog.Duration("elapsed", time.Since(t.start)),
		slog.String("request_id", resp.RequestID),
		slog.Int("tool_calls", len(resp.ToolCalls())),
		slog.String("history", t.s.Hash()),
		slog.String("output", resp.Text()),
	)
}

func (t *turn) logFailure(ctx context.Context, err error) {
	if !t.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "agent: session turn failed",
		slog.String("op", t.op),
		slog.Duration("elapsed", time.Since(t.start)),
		slog.String("history", t.s.Hash()),
		slog.String("error", err.Error()),
	)
}

func usageAttr(u llm.Usage) slog.Attr {
	return slog.Group("usage",
		slog.Int("input", u.InputTokens),
		slog.Int("output", u.OutputTokens),
		slog.Int("total", u.TotalTokens),
		slog.Int("cache_read", u.CacheReadTokens),
		slog.Int("cache_write", u.CacheWriteTokens),
	)
}
