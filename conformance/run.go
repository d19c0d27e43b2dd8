package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/llmkit/llmkit/llm"
)

// Scenario is one named check of the suite. Get them from [Scenarios] and
// [ReplayScenarios]; a caller may run a subset with [RunScenarios] or [Evaluate].
type Scenario struct {
	// Name identifies the scenario in subtests and reports, e.g. "tool_round_trip".
	Name string
	// Rule is the behaviour the scenario checks, as one sentence.
	Rule string
	// Recordings names the recorded exchanges a replay scenario replays, in call order
	// (e.g. "tool_round_trip_1", "tool_round_trip_2"); nil for the other scenarios.
	Recordings []string

	needs  func(llm.Capabilities) string // the capability missing, or ""
	faults bool                          // needs a FaultInjector
	run    func(e *env)
}

// testingT is the part of *testing.T a scenario uses; the runner of [Evaluate] implements it
// too, so each scenario is written once. Fatalf and Skipf end the scenario's goroutine
// with runtime.Goexit, as *testing.T does.
type testingT interface {
	Helper()
	Context() context.Context
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Failed() bool
}

// Run runs the [Scenarios] against h, each as a subtest of t named after it. A scenario
// h cannot run (a capability h does not declare, no fault injector, a replay harness) is
// skipped with the reason; a failing one logs the rule it checks.
func Run(t *testing.T, h *Harness) {
	t.Helper()
	RunScenarios(t, h, Scenarios())
}

// RunScenarios runs the given scenarios against h, as [Run] does.
func RunScenarios(t *testing.T, h *Harness, scenarios []Scenario) {
	t.Helper()
	if err := h.check(); err != nil {
		t.Fatal(err)
	}
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("rule: %s", s.Rule)
				}
			})
			s.runOn(t, h)
		})
	}
}

func (h *Harness) check() error {
	switch {
	case h == nil:
		return errors.New("conformance: nil harness")
	case h.Model == nil:
		return fmt.Errorf("conformance: harness %q: nil model", h.name())
	case h.ModelID == "":
		return fmt.Errorf("conformance: harness %q: empty model id", h.name())
	}
	return nil
}

// runOn runs s against h, reporting to t: it skips with the reason when h cannot run s.
func (s Scenario) runOn(t testingT, h *Harness) {
	t.Helper()
	e := &env{testingT: t, h: h, caps: h.caps()}
	replay := s.Recordings != nil
	switch mode := h.Mode(); {
	case replay && h.Replayer != nil:
		e.mode = ModeReplay
	case replay && mode == ModeScripted:
		t.Skipf("a replay scenario needs recorded exchanges (a Replayer) or a live model; this harness is scripted")
	case !replay && mode == ModeReplay:
		t.Skipf("this harness only replays recorded exchanges, and %s has none", s.Name)
	default:
		e.mode = mode
	}
	if s.needs != nil {
		if missing := s.needs(e.caps); missing != "" {
			t.Skipf("model does not declare %s", missing)
		}
	}
	if s.faults && h.Faults == nil {
		t.Skipf("the harness injects no faults (Harness.Faults)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), h.timeout())
	defer cancel()
	e.ctx = ctx
	if e.mode == ModeReplay {
		if err := h.Replayer.Replay(ctx, s.Recordings...); err != nil {
			if errors.Is(err, ErrNoRecording) {
				t.Skipf("%v", err)
			}
			t.Fatalf("Replayer.Replay(%s): %v", strings.Join(s.Recordings, ", "), err)
		}
	}
	record := replay && e.mode == ModeLive && h.Recorder != nil
	if record {
		h.Recorder.Begin(s.Name)
	}
	s.run(e)
	if record && !t.Failed() {
		if err := h.Recorder.Save(s.Recordings...); err != nil {
			t.Errorf("Recorder.Save(%s): %v", strings.Join(s.Recordings, ", "), err)
		}
	}
}

// Evaluate runs the scenarios against each harness in turn, outside of go test, and
// returns the report. Harnesses run one after the other, scenarios in order. A
// scenario that panics fails with the panic's message; ctx bounds the whole run.
func Evaluate(ctx context.Context, scenarios []Scenario, harnesses ...*Harness) *Report {
	rep := &Report{}
	for _, s := range scenarios {
		rep.Scenarios = append(rep.Scenarios, ScenarioInfo{Name: s.Name, Rule: s.Rule})
	}
	for _, h := range harnesses {
		mr := ModelReport{Name: h.name(), Model: h.ModelID, Mode: h.Mode()}
		if err := h.check(); err != nil {
			for _, s := range scenarios {
				mr.Results = append(mr.Results, Result{Scenario: s.Name, Status: StatusFail, Reason: err.Error()})
			}
			rep.Models = append(rep.Models, mr)
			continue
		}
		for _, s := range scenarios {
			mr.Results = append(mr.Results, evaluate(ctx, s, h))
		}
		rep.Models = append(rep.Models, mr)
	}
	return rep
}

// evaluate runs one scenario on its own goroutine, as the testing package does, so that
// Fatalf and Skipf can end it with runtime.Goexit; it waits for it to end.
func evaluate(ctx context.Context, s Scenario, h *Harness) Result {
	r := &runner{ctx: ctx}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				r.fail(fmt.Sprintf("panic: %v", p))
			}
		}()
		s.runOn(r, h)
	}()
	<-done
	return r.result(s.Name)
}

// runner is the [T] of [Evaluate].
type runner struct {
	ctx     context.Context
	mu      sync.Mutex
	errs    []string
	skipped string
}

func (r *runner) Helper()                  {}
func (r *runner) Context() context.Context { return r.ctx }
func (r *runner) Logf(string, ...any)      {}

func (r *runner) Errorf(format string, args ...any) { r.fail(fmt.Sprintf(format, args...)) }

func (r *runner) Fatalf(format string, args ...any) {
	r.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (r *runner) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *runner) fail(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, msg)
}

func (r *runner) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs) > 0
}

func (r *runner) result(name string) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case len(r.errs) > 0:
		return Result{Scenario: name, Status: StatusFail, Reason: strings.Join(r.errs, "; ")}
	case r.skipped != "":
		return Result{Scenario: name, Status: StatusSkip, Reason: r.skipped}
	}
	return Result{Scenario: name, Status: StatusPass}
}
