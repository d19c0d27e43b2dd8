package agent

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/llmkit/llmkit/internal/toolname"
	"github.com/llmkit/llmkit/llm"
	"golang.org/x/sync/errgroup"
)

// DefaultMaxSteps is the number of model calls a run makes at most when
// [Options.MaxSteps] is 0.
const DefaultMaxSteps = 10

// Options configures an [Agent]. The zero value (and nil) is usable: no tools, at most
// [DefaultMaxSteps] model calls, every tool call of a turn run at once, no hooks.
type Options struct {
	// Tools are the tools the model may call. Their names must be distinct.
	Tools []Tool
	// MaxSteps caps the model calls of one run; 0 means [DefaultMaxSteps].
	MaxSteps int
	// Parallelism caps how many tool calls run at once; 0 means no cap (all the calls
	// of a turn together), 1 runs them one after another in the model's order.
	Parallelism int

	// BeforeModel, when set, runs before each model call with the step (from 1) and
	// the request, which it may change for this call only. An error ends the run.
	BeforeModel func(ctx context.Context, step int, req *llm.Request) error
	// AfterModel, when set, runs after each successful model call. An error ends the
	// run.
	AfterModel func(ctx context.Context, step int, resp *llm.Response) error
	// BeforeTool, when set, runs before each call of a known tool. An error denies the
	// call: the tool does not run and the model receives an error result with the
	// error's message. It may run concurrently for the calls of one turn.
	BeforeTool func(ctx context.Context, call llm.ToolCall) error
	// AfterTool, when set, runs after each tool call with its result, which it may
	// change (to redact it, say) — also for unknown tools, invalid input, denied calls
	// and panics. It may run concurrently for the calls of one turn.
	AfterTool func(ctx context.Context, call llm.ToolCall, result *llm.ToolResult)

	// Logger receives debug records of each step and tool call; nil means
	// [slog.Default]. A tool's panic is logged at error level with its stack. Records
	// never include [llm.Request.Extra].
	Logger *slog.Logger
}

// Agent runs the tool loop: it calls the model with its tools, runs the tool calls of
// each answer and sends the results back, until the model answers without calling a
// tool. An Agent is safe for concurrent use; each run is independent.
type Agent struct {
	model llm.Model
	opts  Options
	tools map[string]*Tool
	decls []llm.Tool
	err   error // a configuration error, reported by every run
}

// New returns an agent with m and opts (nil for defaults). A configuration error —
// a tool without a Run function, an invalid or duplicate tool name — is reported by
// every [Agent.Run] and [Agent.Stream].
func New(m llm.Model, opts *Options) *Agent {
	a := &Agent{model: m, tools: map[string]*Tool{}}
	if opts != nil {
		a.opts = *opts
		a.opts.Tools = slices.Clone(opts.Tools)
	}
	if a.opts.MaxSteps <= 0 {
		a.opts.MaxSteps = DefaultMaxSteps
	}
	for i := range a.opts.Tools {
		t := &a.opts.Tools[i]
		name := t.Declaration.Name
		switch err := toolname.Check(name); {
		case err != nil:
			a.err = fmt.Errorf("agent: tools[%d]: %w", i, err)
		case t.Run == nil:
			a.err = fmt.Errorf("agent: tools[%d] %s: no Run function", i, name)
		case a.tools[name] != nil:
			a.err = fmt.Errorf("agent: tools[%d]: duplicate tool name %q", i, name)
		}
		if a.err != nil {
			break
		}
		a.tools[name] = t
		a.decls = append(a.decls, t.Declaration)
	}
	return a
}

func (a *Agent) logger() *slog.Logger {
	if a.opts.Logger != nil {
		return a.opts.Logger
	}
	return slog.Default()
}

// Result is the outcome of a run.
type Result struct {
	// Response is the model's last answer.
	Response *llm.Response
	// Messages is the whole conversation: the request's messages, then each step's
	// answer and tool results. It can be sent again to continue the conversation.
	Messages []llm.Message
	// Steps counts the model calls.
	Steps int
	// Usage is the sum of the usage of every model call.
	Usage llm.Usage
}

// Text returns the text of the last answer.
func (r *Result) Text() string {
	if r == nil || r.Response == nil {
		return ""
	}
	return r.Response.Text()
}

// RunError is the error of a run that ended before the model's final answer. Result is
// what the run did until then; Err is the cause: [llm.ErrMaxSteps] and [llm.ErrTruncated]
// (wrapped), the model's error, a hook's error, or the context's.
type RunError struct {
	Step   int // the step that failed (from 1)
	Result *Result
	Err    error
}

func (e *RunError) Error() string {
	return fmt.Sprintf("agent: run: step %d: %v", e.Step, e.Err)
}

// Unwrap returns Err.
func (e *RunError) Unwrap() error { return e.Err }

// Run runs the loop on req (its messages and settings; the agent's tools are added to
// its tools) and returns the result. Each step calls the model once. When the whole
// answer holds tool calls — whatever the stop reason says, end_turn included — the
// calls run, in parallel up to [Options.Parallelism], and their results go back to the
// model in one tool message, in the model's call order. A call of an unknown tool, with
// input that does not match the tool's schema, that the tool fails or panics on, or
// that BeforeTool denies, gets an error result the model can read; the loop goes on.
// The loop ends when an answer holds no tool call. A tool choice that forces a tool
// (required, or a named tool) applies to the first model call only; later calls use
// auto, unless BeforeModel sets it again.
//
// Run stops with a [*RunError], whose Result it also returns, when:
//   - an answer stops at max_tokens: its tool calls (one may be incomplete) never run
//     and the error wraps [llm.ErrTruncated]; the cut answer is Result.Response but not
//     part of Result.Messages;
//   - the answer of step [Options.MaxSteps] still calls tools: they run, and the error
//     wraps [llm.ErrMaxSteps] (Result.Messages ends with their results, ready to be
//     continued);
//   - the model, a hook or the context fails. Cancelling ctx stops the loop; running
//     tools receive ctx and should return.
//
// Every goroutine Run starts has ended when it returns.
func (a *Agent) Run(ctx context.Context, req *llm.Request) (*Result, error) {
	return a.run(ctx, req, nil)
}

// Stream runs the loop like [Agent.Run] and yields its events as they happen: each
// model event wrapped in a [ModelEvent] (text deltas, tool-call starts…), [ToolStarted]
// and [ToolFinished] for each tool call as it starts and ends (in completion order),
// [StepDone] at the end of each step, and finally [Done] with the result. A run that
// fails yields a [*RunError] (or a configuration error) last. Stopping the range early
// cancels the running tools, closes the model's stream and waits for the tools to
// return. Each range over the sequence is a new run.
func (a *Agent) Stream(ctx context.Context, req *llm.Request) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		stopped := false
		emit := func(ev Event) bool {
			if stopped {
				return false
			}
			if !yield(ev, nil) {
				stopped = true
			}
			return !stopped
		}
		res, err := a.run(ctx, req, emit)
		if stopped || errors.Is(err, errStopped) {
			return
		}
		if err != nil {
			yield(nil, err)
			return
		}
		yield(Done{Result: res}, nil)
	}
}

// errStopped ends a streamed run whose consumer stopped ranging.
var errStopped = errors.New("agent: stream: stopped by the caller")

// run is the loop; emit is nil for Run and yields events for Stream.
func (a *Agent) run(ctx context.Context, req *llm.Request, emit func(Event) bool) (*Result, error) {
	base, err := a.baseRequest(req)
	if err != nil {
		return nil, err
	}
	res := &Result{Messages: llm.CloneMessages(req.Messages)}
	for step := 1; ; step++ {
		if err := ctx.Err(); err != nil {
			return res, &RunError{Step: step, Result: res, Err: context.Cause(ctx)}
		}
		resp, err := a.modelStep(ctx, step, base, res, emit)
		if err != nil {
			return res, err
		}
		calls := resp.ToolCalls()
		if resp.StopReason == llm.StopReasonMaxTokens {
			return res, &RunError{Step: step, Result: res, Err: truncated(calls)}
		}
		if step == 1 && (base.ToolChoice.Mode == llm.ToolChoiceRequired || base.ToolChoice.Mode == llm.ToolChoiceTool) {
			// A forced tool choice applies to the first call only: forced on every
			// step, the model could never give its final answer.
			base.ToolChoice = llm.ToolChoice{}
		}
		answer := resp.Message.Clone()
		if answer.Role == "" {
			answer.Role = llm.RoleAssistant
		}
		res.Messages = append(res.Messages, answer)
		if len(calls) == 0 {
			if emit != nil && !emit(StepDone{Step: step, Response: resp}) {
				return res, errStopped
			}
			return res, nil
		}
		if err := a.toolStep(ctx, step, resp, calls, res, emit); err != nil {
			return res, err
		}
	}
}

// baseRequest returns the request every step starts from: req without its messages,
// with the agent's tools declared after the request's own.
func (a *Agent) baseRequest(req *llm.Request) (*llm.Request, error) {
	if a.err != nil {
		return nil, a.err
	}
	if req == nil {
		return nil, errors.New("agent: run: nil request")
	}
	base := req.Clone()
	base.Messages = nil
	for i, t := range base.Tools {
		if a.tools[t.Name] != nil {
			return nil, fmt.Errorf("agent: run: request tools[%d]: %q is also an agent tool", i, t.Name)
		}
	}
	base.Tools = append(base.Tools, a.decls...)
	return base, nil
}

// modelStep makes the model call of one step, with its hooks and debug logging, and
// adds its usage to res. Its error is a *RunError, or errStopped.
func (a *Agent) modelStep(ctx context.Context, step int, base *llm.Request, res *Result, emit func(Event) bool) (*llm.Response, error) {
	log := a.logger()
	r := base.Clone()
	r.Messages = llm.CloneMessages(res.Messages)
	if a.opts.BeforeModel != nil {
		if err := a.opts.BeforeModel(ctx, step, r); err != nil {
			return nil, &RunError{Step: step, Result: res, Err: fmt.Errorf("before model hook: %w", err)}
		}
	}
	start := time.Now()
	if log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "agent: step",
			slog.Int("step", step),
			slog.Bool("stream", emit != nil),
			slog.String("model", r.Model),
			slog.Int("messages", len(r.Messages)),
			slog.Int("tools", len(r.Tools)),
			slog.String("history", HashMessages(r.Messages)),
		)
	}
	resp, err := a.callModel(ctx, step, r, emit)
	if errors.Is(err, errStopped) {
		return nil, err
	}
	if err == nil && resp == nil {
		err = errors.New("model returned no response and no error")
	}
	if err != nil {
		if log.Enabled(ctx, slog.LevelDebug) {
			log.LogAttrs(ctx, slog.LevelDebug, "agent: step failed", slog.Int("step", step), slog.Duration("elapsed", time.Since(start)), slog.String("error", err.Error()))
		}
		return nil, &RunError{Step: step, Result: res, Err: err}
	}
	res.Steps++
	res.Usage = res.Usage.Add(resp.Usage)
	res.Response = resp
	if log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "agent: step answer",
			slog.Int("step", step),
			slog.String("stop_reason", string(resp.StopReason)),
			usageAttr(resp.Usage),
			slog.Duration("latency", resp.Latency),
			slog.Duration("elapsed", time.Since(start)),
			slog.String("request_id", resp.RequestID),
			slog.Int("tool_calls", len(resp.ToolCalls())),
			slog.String("output", resp.Text()),
		)
	}
	if a.opts.AfterModel != nil {
		if err := a.opts.AfterModel(ctx, step, resp); err != nil {
			return nil, &RunError{Step: step, Result: res, Err: fmt.Errorf("after model hook: %w", err)}
		}
	}
	return resp, nil
}

// toolStep runs the calls of one step's answer and adds their results to res. Its error
// ends the run: errStopped, the context's, or ErrMaxSteps once the last step is used.
func (a *Agent) toolStep(ctx context.Context, step int, resp *llm.Response, calls []llm.ToolCall, res *Result, emit func(Event) bool) error {
	results, err := a.runTools(ctx, step, calls, emit)
	if err != nil {
		return err // the consumer stopped
	}
	parts := make([]llm.Part, len(results))
	for i, tr := range results {
		parts[i] = tr
	}
	res.Messages = append(res.Messages, llm.Message{Role: llm.RoleTool, Parts: parts})
	if emit != nil && !emit(StepDone{Step: step, Response: resp, Results: results}) {
		return errStopped
	}
	if err := ctx.Err(); err != nil {
		return &RunError{Step: step, Result: res, Err: context.Cause(ctx)}
	}
	if step >= a.opts.MaxSteps {
		return &RunError{Step: step, Result: res, Err: fmt.Errorf("%w: %d model calls, and the last answer still calls tools", llm.ErrMaxSteps, step)}
	}
	return nil
}

func truncated(calls []llm.ToolCall) error {
	if len(calls) == 0 {
		return fmt.Errorf("%w: the answer stopped at max_tokens", llm.ErrTruncated)
	}
	return fmt.Errorf("%w: the answer stopped at max_tokens; its %d tool call(s) were not run", llm.ErrTruncated, len(calls))
}

// callModel makes one model call: Generate for Run, Stream (emitting its events) for
// Stream.
func (a *Agent) callModel(ctx context.Context, step int, req *llm.Request, emit func(Event) bool) (*llm.Response, error) {
	if emit == nil {
		return a.model.Generate(ctx, req)
	}
	st, err := a.model.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errors.New("model returned no stream and no error")
	}
	for ev, err := range st.Events() {
		if err != nil {
			return nil, err
		}
		if !emit(ModelEvent{Step: step, Event: ev}) {
			return nil, errStopped // leaving the range closes the stream
		}
	}
	return st.Response()
}

// runTools runs calls and returns their results in call order. With emit set it yields
// ToolStarted and ToolFinished events from this goroutine as the tools report them; when
// the consumer stops, the tools' context is cancelled, and runTools waits for them and
// returns errStopped.
func (a *Agent) runTools(ctx context.Context, step int, calls []llm.ToolCall, emit func(Event) bool) ([]llm.ToolResult, error) {
	results := make([]llm.ToolResult, len(calls))
	var g errgroup.Group // tool failures become error results; the group only limits and waits
	if a.opts.Parallelism > 0 {
		g.SetLimit(a.opts.Parallelism)
	}
	if emit == nil {
		for i, c := range calls {
			if err := ctx.Err(); err != nil {
				results[i] = a.notRun(ctx, c, err)
				continue
			}
			g.Go(func() error {
				a.runTool(ctx, c, nil, func(r llm.ToolResult) { results[i] = r })
				return nil
			})
		}
		g.Wait()
		return results, nil
	}

	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan Event, 2*len(calls)) // never blocks a tool: at most two events per call
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, c := range calls {
			if err := tctx.Err(); err != nil {
				results[i] = a.notRun(tctx, c, err)
				events <- ToolFinished{Step: step, Call: c, Result: results[i]}
				continue
			}
			g.Go(func() error {
				a.runTool(tctx, c, func() { events <- ToolStarted{Step: step, Call: c} }, func(r llm.ToolResult) {
					results[i] = r
					events <- ToolFinished{Step: step, Call: c, Result: r}
				})
				return nil
			})
		}
		g.Wait()
	}()
	stopped := false
	for {
		select {
		case ev := <-events:
			if !stopped && !emit(ev) {
				stopped = true
				cancel()
			}
			continue
		case <-done:
		}
		break
	}
	for len(events) > 0 {
		ev := <-events
		if !stopped && !emit(ev) {
			stopped = true
		}
	}
	if stopped {
		return nil, errStopped
	}
	return results, nil
}

func (a *Agent) notRun(ctx context.Context, c llm.ToolCall, err error) llm.ToolResult {
	r := errorResult(c.ID, "not run: "+err.Error())
	if a.opts.AfterTool != nil {
		a.opts.AfterTool(ctx, c, &r)
	}
	return r
}

// runTool runs one call and hands its result to done; it never panics. started, when
// set, is called once the tool is about to run. done is called from a deferred function,
// so it runs also when the tool panics or calls [runtime.Goexit] (which ends the calling
// goroutine: the caller must do nothing after runTool that it cannot do in done).
func (a *Agent) runTool(ctx context.Context, c llm.ToolCall, started func(), done func(llm.ToolResult)) {
	var res llm.ToolResult
	returned := false
	defer func() { done(res) }()
	defer a.finishTool(ctx, c, &res, &returned, time.Now())
	res = a.callTool(ctx, c, started)
	returned = true
}

// finishTool completes a call's result once the tool has ended, however it ended: a
// panic or runtime.Goexit becomes an error result for the call.
func (a *Agent) finishTool(ctx context.Context, c llm.ToolCall, res *llm.ToolResult, returned *bool, start time.Time) {
	log := a.logger()
	if p := recover(); p != nil {
		log.LogAttrs(ctx, slog.LevelError, "agent: tool panicked",
			slog.String("tool", c.Name), slog.String("call_id", c.ID),
			slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
		*res = errorResult(c.ID, fmt.Sprintf("tool %s failed: it panicked: %v", c.Name, p))
	} else if !*returned {
		log.LogAttrs(ctx, slog.LevelError, "agent: tool called runtime.Goexit",
			slog.String("tool", c.Name), slog.String("call_id", c.ID))
		*res = errorResult(c.ID, fmt.Sprintf("tool %s failed: it exited its goroutine (runtime.Goexit) without returning", c.Name))
	}
	if a.opts.AfterTool != nil {
		a.opts.AfterTool(ctx, c, res)
	}
	if log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "agent: tool call",
			slog.String("tool", c.Name), slog.String("call_id", c.ID),
			slog.Bool("error", res.IsError), slog.Duration("elapsed", time.Since(start)))
	}
}

// callTool looks the tool up, checks the call and runs it.
func (a *Agent) callTool(ctx context.Context, c llm.ToolCall, started func()) llm.ToolResult {
	t := a.tools[c.Name]
	if t == nil {
		return errorResult(c.ID, fmt.Sprintf("unknown tool %q; the tools are: %s", c.Name, a.toolNames()))
	}
	if a.opts.BeforeTool != nil {
		if err := a.opts.BeforeTool(ctx, c); err != nil {
			return errorResult(c.ID, fmt.Sprintf("tool call denied: %v", err))
		}
	}
	if started != nil {
		started()
	}
	input, err := llm.ObjectInput(c.Input)
	if err != nil {
		return errorResult(c.ID, fmt.Sprintf("%v: %v", ErrInvalidInput, err))
	}
	parts, err := t.Run(context.WithValue(ctx, callKey{}, c), input)
	if err != nil {
		return errorResult(c.ID, err.Error())
	}
	return llm.ToolResult{CallID: c.ID, Content: parts}
}

func (a *Agent) toolNames() string {
	if len(a.decls) == 0 {
		return "(none)"
	}
	names := make([]string, len(a.decls))
	for i, d := range a.decls {
		names[i] = d.Name
	}
	return strings.Join(names, ", ")
}

func errorResult(callID, msg string) llm.ToolResult {
	return llm.ToolResult{CallID: callID, Content: []llm.Part{llm.Text{Text: msg}}, IsError: true}
}
