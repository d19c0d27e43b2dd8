package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func allCaps() *llm.Capabilities {
	c := llmtest.AllCapabilities()
	return &c
}

// TestScripted runs the whole suite against the scripted model of llm/llmtest: the
// suite needs nothing but package llm.
func TestScripted(t *testing.T) {
	m := llmtest.New()
	conformance.Run(t, &conformance.Harness{Name: "llmtest", Model: m, ModelID: "scripted", Scripter: scripted{m}, Faults: scripted{m}})
	if n := m.Remaining(); n != 0 {
		t.Errorf("after the suite, %d scripted replies are left unused", n)
	}
}

// TestScriptedSkips: a model without tools or reasoning skips those scenarios, naming
// the capability, and a harness without faults skips the error scenarios.
func TestScriptedSkips(t *testing.T) {
	m := llmtest.New()
	caps := llm.Capabilities{SystemPrompt: true}
	rep := conformance.Evaluate(t.Context(), conformance.Scenarios(), &conformance.Harness{Model: m, ModelID: "plain", Capabilities: &caps, Scripter: scripted{m}})
	tests := []struct {
		scenario string
		want     conformance.Result
	}{
		{"basic", conformance.Result{Scenario: "basic", Status: conformance.StatusPass}},
		{"tool_round_trip", conformance.Result{Scenario: "tool_round_trip", Status: conformance.StatusSkip, Reason: "model does not declare Tools"}},
		{"reasoning_tool", conformance.Result{Scenario: "reasoning_tool", Status: conformance.StatusSkip, Reason: "model does not declare ReasoningReplay and Tools"}},
		{"stop_sequence", conformance.Result{Scenario: "stop_sequence", Status: conformance.StatusSkip, Reason: "model does not declare StopSequences"}},
		{"error_throttling", conformance.Result{Scenario: "error_throttling", Status: conformance.StatusSkip, Reason: "the harness injects no faults (Harness.Faults)"}},
		{"cancel_stream", conformance.Result{Scenario: "cancel_stream", Status: conformance.StatusPass}},
	}
	for _, tt := range tests {
		got, ok := rep.Result("plain", tt.scenario)
		if !ok {
			t.Errorf("report has no result for %s", tt.scenario)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Evaluate(%s) mismatch (-want +got):\n%s", tt.scenario, diff)
		}
	}
	if rep.Failed() {
		t.Errorf("Evaluate reported failures:\n%s", markdown(t, rep))
	}
}

// TestLive runs the suite in live mode against a fake "live" model that answers each
// prompt the way a good real model does: the live assertions pass on good answers.
func TestLive(t *testing.T) {
	m := llmtest.New()
	m.SetHandler(liveAnswer)
	h := &conformance.Harness{Name: "live", Model: m, ModelID: "live"}
	if got := h.Mode(); got != conformance.ModeLive {
		t.Fatalf("Mode() = %q, want %q", got, conformance.ModeLive)
	}
	conformance.Run(t, h)
	conformance.RunScenarios(t, h, conformance.ReplayScenarios())
}

// TestLiveRecording: a live harness with a Recorder records each replay scenario that
// passed under its recordings' names, its exchanges counted from Begin.
func TestLiveRecording(t *testing.T) {
	m := llmtest.New()
	m.SetHandler(liveAnswer)
	rec := &countingRecorder{m: m}
	h := &conformance.Harness{Model: m, ModelID: "live", Recorder: rec}
	rep := conformance.Evaluate(t.Context(), conformance.ReplayScenarios(), h)
	if rep.Failed() {
		t.Fatalf("Evaluate(replay scenarios, live) failed:\n%s", markdown(t, rep))
	}
	var want []string
	for _, s := range conformance.ReplayScenarios() {
		want = append(want, s.Recordings...)
	}
	if diff := cmp.Diff(want, rec.saved); diff != "" {
		t.Errorf("recorded exchanges mismatch (-want +got):\n%s", diff)
	}
	if len(rec.errs) > 0 {
		t.Errorf("recorder errors: %v", rec.errs)
	}
}

type countingRecorder struct {
	m     *llmtest.Model
	start int
	saved []string
	errs  []error
}

func (r *countingRecorder) Begin(string) { r.start = len(r.m.Requests()) }

func (r *countingRecorder) Save(names ...string) error {
	if n := len(r.m.Requests()) - r.start; n != len(names) {
		err := fmt.Errorf("%d calls since Begin, %d names %v", n, len(names), names)
		r.errs = append(r.errs, err)
		return err
	}
	r.saved = append(r.saved, names...)
	return nil
}

// TestReplay runs the replay scenarios with a Replayer holding recordings for some of
// them: those run, the others are skipped as having no recording, and every recording
// is used.
func TestReplay(t *testing.T) {
	m := llmtest.New()
	rp := &replayer{m: m, recordings: map[string]llmtest.Answer{
		"basic":             llmtest.Respond(answer("Hello! How can I help?", llm.StopReasonEndTurn)),
		"tool_round_trip_1": llmtest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "t1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)}}}, StopReason: llm.StopReasonToolUse, Usage: usage}),
		"tool_round_trip_2": llmtest.Respond(answer("sum=5", llm.StopReasonEndTurn)),
		"object_basic":      llmtest.Respond(objectResponse(`{"name":"John Doe","age":"30"}`)),
	}, used: map[string]bool{}}
	h := &conformance.Harness{Name: "replay", Model: m, ModelID: "recorded", Capabilities: allCaps(), Replayer: rp}
	rep := conformance.Evaluate(t.Context(), append(conformance.Scenarios()[:1], conformance.ReplayScenarios()...), h)
	for _, r := range rep.Models[0].Results {
		want := conformance.StatusSkip
		switch r.Scenario {
		case "tool_round_trip", "object_basic":
			want = conformance.StatusPass
		case "basic":
			// The suite's basic is skipped (a replay harness has no script for it); the
			// replay scenario of the same name passes.
			if r.Reason == "" {
				want = conformance.StatusPass
			}
		}
		if r.Status != want {
			t.Errorf("Evaluate(%s) = %s (%s), want %s", r.Scenario, r.Status, r.Reason, want)
		}
	}
	if r, _ := rep.Result("replay", "token_limit"); r.Reason != "no recording of token_limit" {
		t.Errorf("Evaluate(token_limit) skip reason = %q, want the replayer's %q", r.Reason, "no recording of token_limit")
	}
	for name := range rp.recordings {
		if !rp.used[name] {
			t.Errorf("recording %s was not replayed", name)
		}
	}
	if n := m.Remaining(); n != 0 {
		t.Errorf("%d replayed answers left unused", n)
	}
}

type replayer struct {
	m          *llmtest.Model
	recordings map[string]llmtest.Answer
	used       map[string]bool
}

func (r *replayer) Replay(_ context.Context, names ...string) error {
	for _, n := range names {
		if _, ok := r.recordings[n]; !ok {
			return fmt.Errorf("%w of %s", conformance.ErrNoRecording, n)
		}
	}
	for _, n := range names {
		r.m.Add(r.recordings[n])
		r.used[n] = true
	}
	return nil
}

var usage = llm.Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 15}

func answer(text string, stop llm.StopReason) *llm.Response {
	return &llm.Response{Message: llm.AssistantText(text), StopReason: stop, Usage: usage}
}

func objectResponse(raw string) *llm.Response {
	r := answer(raw, llm.StopReasonEndTurn)
	r.Object = json.RawMessage(raw)
	return r
}

// broken is a model with a defect: each scenario that checks the broken rule must fail.
type broken struct {
	m        *llmtest.Model
	generate func(*llm.Response, error) (*llm.Response, error)
	events   func(iter.Seq2[llm.Event, error]) iter.Seq2[llm.Event, error]
	start    func() // called by Stream
}

func (b *broken) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	resp, err := b.m.Generate(ctx, req)
	if b.generate != nil {
		return b.generate(resp, err)
	}
	return resp, err
}

func (b *broken) Stream(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
	if b.start != nil {
		b.start()
	}
	s, err := b.m.Stream(ctx, req)
	if err != nil {
		if b.generate != nil {
			_, err = b.generate(nil, err)
		}
		return nil, err
	}
	if b.events == nil {
		return s, nil
	}
	// No context for the outer stream: the defect must not be repaired by llm.Stream's
	// own handling of cancellation.
	return llm.NewStream(context.Background(), b.events(s.Events()), &llm.StreamOptions{Close: s.Close}), nil
}

// TestBrokenModels: each defect makes the scenarios that check its rule fail, with a
// reason naming it — the scenarios assert something.
func TestBrokenModels(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	tests := []struct {
		name   string
		reason string
		model  func(m *llmtest.Model) *broken
		fails  []string
		says   string
		// leakWait shortens the cancellation scenario's wait for goroutines to end,
		// where one is sure to stay: the leak's goroutine lives until the test ends.
		leakWait time.Duration
	}{{
		name:   "no_usage",
		reason: "Generate drops usage",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, generate: func(r *llm.Response, err error) (*llm.Response, error) {
				if r != nil {
					r.Usage = llm.Usage{}
				}
				return r, err
			}}
		},
		fails: []string{"basic", "usage"},
		says:  "want input and output tokens above 0",
	}, {
		name:   "no_tool_ids",
		reason: "Generate loses tool-call ids",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, generate: func(r *llm.Response, err error) (*llm.Response, error) {
				if r != nil {
					for i, p := range r.Message.Parts {
						if c, ok := p.(llm.ToolCall); ok {
							c.ID = ""
							r.Message.Parts[i] = c
						}
					}
				}
				return r, err
			}}
		},
		fails: []string{"tool_round_trip", "parallel_tools", "tool_choice_named", "reasoning_tool"},
		says:  "has no id",
	}, {
		name:   "no_signature",
		reason: "Generate drops reasoning signatures",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, generate: func(r *llm.Response, err error) (*llm.Response, error) {
				if r != nil {
					for i, p := range r.Message.Parts {
						if x, ok := p.(llm.Reasoning); ok {
							x.Signature = ""
							r.Message.Parts[i] = x
						}
					}
				}
				return r, err
			}}
		},
		fails: []string{"reasoning", "reasoning_signature"},
		says:  "Signature",
	}, {
		name:   "not_retryable",
		reason: "throttling reported as not retryable",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, generate: func(r *llm.Response, err error) (*llm.Response, error) {
				var pe *llm.ProviderError
				if errors.As(err, &pe) {
					pe.Retryable = false
				}
				return r, err
			}}
		},
		fails: []string{"error_throttling"},
		says:  "retryable = false, want true",
	}, {
		name:   "short_success",
		reason: "a stream that breaks is reported as a complete answer",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, events: func(src iter.Seq2[llm.Event, error]) iter.Seq2[llm.Event, error] {
				return func(yield func(llm.Event, error) bool) {
					for ev, err := range src {
						if err != nil {
							yield(llm.MessageStop{StopReason: llm.StopReasonEndTurn}, nil)
							return
						}
						if !yield(ev, nil) {
							return
						}
					}
				}
			}}
		},
		fails: []string{"error_stream_exception", "error_stream_throttling"},
		says:  "ended without an error",
	}, {
		name:   "cancel_hidden",
		reason: "cancellation is reported as an unrelated error",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, events: func(src iter.Seq2[llm.Event, error]) iter.Seq2[llm.Event, error] {
				return func(yield func(llm.Event, error) bool) {
					for ev, err := range src {
						if err != nil {
							yield(nil, errors.New("stream stopped"))
							return
						}
						if !yield(ev, nil) {
							return
						}
					}
				}
			}}
		},
		fails: []string{"cancel_stream"},
		says:  "want errors.Is(err, context.Canceled)",
	}, {
		name:   "leak",
		reason: "Stream starts a goroutine that outlives the call",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, start: func() { go func() { <-release }() }}
		},
		fails:    []string{"cancel_stream"},
		says:     "goroutines behind",
		leakWait: time.Millisecond,
	}, {
		name:   "panic",
		reason: "Generate panics; Evaluate reports it as a failure",
		model: func(m *llmtest.Model) *broken {
			return &broken{m: m, generate: func(*llm.Response, error) (*llm.Response, error) { panic("boom") }}
		},
		fails: []string{"basic"},
		says:  "panic: boom",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := llmtest.New()
			b := tt.model(m)
			var scenarios []conformance.Scenario
			for _, s := range conformance.Scenarios() {
				if slices.Contains(tt.fails, s.Name) {
					scenarios = append(scenarios, s)
				}
			}
			h := &conformance.Harness{Name: tt.name, Model: b, ModelID: "broken", Capabilities: allCaps(), Scripter: scripted{m}, Faults: scripted{m}, Timeout: 10 * time.Second, LeakWait: tt.leakWait}
			rep := conformance.Evaluate(t.Context(), scenarios, h)
			for _, name := range tt.fails {
				r, _ := rep.Result(tt.name, name)
				if r.Status != conformance.StatusFail || !strings.Contains(r.Reason, tt.says) {
					t.Errorf("%s (%s): scenario %s = %s %q, want a failure saying %q", tt.name, tt.reason, name, r.Status, r.Reason, tt.says)
				}
			}
		})
	}
}

// TestHarnessErrors: a harness without a model or a model id fails every scenario with
// a message saying so.
func TestHarnessErrors(t *testing.T) {
	rep := conformance.Evaluate(t.Context(), conformance.Scenarios()[:2],
		&conformance.Harness{Name: "no model", ModelID: "x"},
		&conformance.Harness{Name: "no id", Model: llmtest.New()})
	want := []conformance.ModelReport{{
		Name: "no model", Model: "x", Mode: conformance.ModeLive,
		Results: []conformance.Result{
			{Scenario: "basic", Status: conformance.StatusFail, Reason: `conformance: harness "no model": nil model`},
			{Scenario: "system_prompt", Status: conformance.StatusFail, Reason: `conformance: harness "no model": nil model`},
		},
	}, {
		Name: "no id", Mode: conformance.ModeLive,
		Results: []conformance.Result{
			{Scenario: "basic", Status: conformance.StatusFail, Reason: `conformance: harness "no id": empty model id`},
			{Scenario: "system_prompt", Status: conformance.StatusFail, Reason: `conformance: harness "no id": empty model id`},
		},
	}}
	if diff := cmp.Diff(want, rep.Models); diff != "" {
		t.Errorf("Evaluate(bad harnesses) mismatch (-want +got):\n%s", diff)
	}
}

// TestScenarioNames: names are unique within each list, every scenario states a rule,
// and only replay scenarios name recordings.
func TestScenarioNames(t *testing.T) {
	for _, list := range []struct {
		name      string
		scenarios []conformance.Scenario
		replay    bool
	}{{"Scenarios", conformance.Scenarios(), false}, {"ReplayScenarios", conformance.ReplayScenarios(), true}} {
		seen := map[string]bool{}
		for _, s := range list.scenarios {
			if seen[s.Name] {
				t.Errorf("%s: %s appears twice", list.name, s.Name)
			}
			seen[s.Name] = true
			if strings.TrimSpace(s.Rule) == "" {
				t.Errorf("%s: %s states no rule", list.name, s.Name)
			}
			if (len(s.Recordings) > 0) != list.replay {
				t.Errorf("%s: %s recordings = %v", list.name, s.Name, s.Recordings)
			}
		}
	}
}

func TestReportMarkdown(t *testing.T) {
	rep := &conformance.Report{
		Scenarios: []conformance.ScenarioInfo{{Name: "a", Rule: "rule a"}, {Name: "b", Rule: "rule | b"}},
		Models: []conformance.ModelReport{{
			Name: "m1", Model: "id-1", Mode: conformance.ModeReplay,
			Results: []conformance.Result{{Scenario: "a", Status: conformance.StatusPass}, {Scenario: "b", Status: conformance.StatusSkip, Reason: "no recording"}},
		}, {
			Name: "m|2", Model: "id-2", Mode: conformance.ModeLive,
			Results: []conformance.Result{{Scenario: "b", Status: conformance.StatusSkip, Reason: "no recording"}, {Scenario: "a", Status: conformance.StatusFail, Reason: "x = 1,\nwant 2"}},
		}},
	}
	want := strings.Join([]string{
		"| Scenario | m1 | m\\|2 |",
		"| --- | --- | --- |",
		"| `a` | pass | **fail** (1) |",
		"| `b` | skip (2) | skip (2) |",
		"",
		"Notes:",
		"",
		"1. failed: x = 1, want 2",
		"2. skipped: no recording",
		"",
		"Models:",
		"",
		"- m1: `id-1` (replay)",
		"- m\\|2: `id-2` (live)",
		"",
		"Scenarios:",
		"",
		"- `a`: rule a",
		"- `b`: rule \\| b",
		"",
	}, "\n")
	if diff := cmp.Diff(want, markdown(t, rep)); diff != "" {
		t.Errorf("WriteMarkdown mismatch (-want +got):\n%s", diff)
	}
	if !rep.Failed() {
		t.Errorf("Failed() = false, want true for a report with a failure")
	}

	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back conformance.Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, &back); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}
}

func markdown(t *testing.T, rep *conformance.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
