package llm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// reopener is a middleware that reads next's stream and, when it fails before its first
// event, opens a stream on other (as fallback middleware does). It logs what it sees.
func reopener(name string, other llm.Model, log *[]string) llm.Middleware {
	return func(next llm.Model) llm.Model {
		return llm.ModelFuncs{StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
			s, err := next.Stream(ctx, req)
			if err != nil {
				return nil, err
			}
			return llm.RelayStream(ctx, s, &llm.RelayHooks{
				Reopen: func(ctx context.Context, err error) (*llm.Stream, error) {
					*log = append(*log, fmt.Sprintf("%s:reopen after %v", name, errors.Is(err, llm.ErrServer)))
					if other == nil {
						return nil, fmt.Errorf("%s gave up: %w", name, err)
					}
					return other.Stream(ctx, req)
				},
				End: func(r *llm.Response, err error) { *log = append(*log, fmt.Sprintf("%s:end err=%v", name, err != nil)) },
			}), nil
		}}
	}
}

func TestRelayStreamInstallsHooksOnAFreshStream(t *testing.T) {
	inner := llm.NewStream(context.Background(), func(func(llm.Event, error) bool) {}, nil)
	if got := llm.RelayStream(context.Background(), inner, nil); got != inner {
		t.Error("a fresh stream was wrapped in another: want the hooks installed on it")
	}
	read := llm.NewStream(context.Background(), func(func(llm.Event, error) bool) {}, nil)
	_, _ = read.Response()
	if got := llm.RelayStream(context.Background(), read, nil); got == read {
		t.Error("a stream already read was returned as it is: want a new stream over its replay")
	}
}

// A relay installed on a stream whose context differs from the relay's own closes the
// stream when the relay's context ends, and its End learns why.
func TestRelayStreamContextOfItsOwn(t *testing.T) {
	var log []string
	m := llmtest.New(llmtest.Answer{Response: &llm.Response{Message: llm.AssistantText("abc"), StopReason: llm.StopReasonEndTurn},
		Interval: 10 * time.Millisecond})
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s = llm.RelayStream(ctx, s, &llm.RelayHooks{End: func(_ *llm.Response, err error) {
		log = append(log, fmt.Sprintf("end canceled=%v", errors.Is(err, context.Canceled)))
	}})
	cancel()
	if _, err := s.Response(); !errors.Is(err, context.Canceled) || !errors.Is(err, llm.ErrStream) {
		t.Errorf("err = %v, want ErrStream and context.Canceled", err)
	}
	if want := []string{"end canceled=true"}; !cmp.Equal(log, want) {
		t.Errorf("hooks %v, want %v", log, want)
	}
}

func TestRelayStreamReopenBeforeFirstEvent(t *testing.T) {
	var log []string
	broken := &llm.ProviderError{Provider: "p", Category: llm.ErrServer}
	want := &llm.Response{Message: llm.AssistantText("from the second"), StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn", RequestID: "second"}
	first := llmtest.New(llmtest.Stream([]llm.Event{}, broken))
	second := llmtest.New(llmtest.Respond(want))
	m := llm.Wrap(first, tag("outer", &log), reopener("fb", second, &log), tag("inner", &log))
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	var events []llm.Event
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	resp, err := s.Response()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	// The inner middleware saw the first stream fail; the outer one saw the second's
	// events and its end.
	if got := strings.Join(log[:3], ","); got != "outer,inner,fb:reopen after true" {
		t.Errorf("log starts %v", log[:3])
	}
	if !strings.HasPrefix(log[3], "inner:end err=true") {
		t.Errorf("inner hook after reopen: %q, want its end with the error", log[3])
	}
	if got := log[len(log)-2:]; got[0] != "fb:end err=false" || got[1] != "outer:end err=false" {
		t.Errorf("end hooks %v", got)
	}
	if n := strings.Count(strings.Join(log, ","), "outer:llm.TextDelta"); n != 1 {
		t.Errorf("outer hook saw %d text deltas, want 1", n)
	}
	// A second pass replays what the first passed on.
	var replay []llm.Event
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		replay = append(replay, ev)
	}
	if len(events) == 0 || !cmp.Equal(events, replay) {
		t.Errorf("replay %v, first pass %v", replay, events)
	}
}

// First runs once, on the first event passed on: after a reopen, on the replacement's.
func TestRelayStreamFirst(t *testing.T) {
	var firsts []string
	broken := &llm.ProviderError{Provider: "p", Category: llm.ErrServer}
	var log []string
	first := func(name string) llm.Middleware {
		return func(next llm.Model) llm.Model {
			return llm.ModelFuncs{StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
				s, err := next.Stream(ctx, req)
				if err != nil {
					return nil, err
				}
				return llm.RelayStream(ctx, s, &llm.RelayHooks{First: func(ev llm.Event) { firsts = append(firsts, fmt.Sprintf("%s:%T", name, ev)) }}), nil
			}}
		}
	}
	second := llm.Wrap(llmtest.New(llmtest.Text("two words")), first("second"))
	m := llm.Wrap(llmtest.New(llmtest.Stream([]llm.Event{}, broken)), first("outer"), reopener("fb", second, &log), first("inner"))
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Response(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"second:llm.MessageStart", "outer:llm.MessageStart"}; !cmp.Equal(firsts, want) {
		t.Errorf("First hooks ran %v, want %v", firsts, want)
	}
}

func TestRelayStreamNoReopenAfterAnEvent(t *testing.T) {
	var log []string
	evs, _ := llm.ResponseEvents(&llm.Response{Message: llm.AssistantText("x")})
	broken := &llm.ProviderError{Provider: "p", Category: llm.ErrServer}
	second := llmtest.New(llmtest.Text("unused"))
	m := llm.Wrap(llmtest.New(llmtest.Stream(evs[:2], broken)), reopener("fb", second, &log))
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Response(); !errors.Is(err, llm.ErrServer) {
		t.Errorf("err = %v, want the first stream's ErrServer", err)
	}
	if want := []string{"fb:end err=true"}; !cmp.Equal(log, want) {
		t.Errorf("hooks %v, want %v", log, want)
	}
	if second.Remaining() != 1 {
		t.Error("the other model was called after an event was passed on")
	}
}

// Relays nest: an inner one that gives up passes its error to an outer one, which may
// read another stream in place of both.
func TestRelayStreamNestedReopen(t *testing.T) {
	var log []string
	broken := &llm.ProviderError{Provider: "p", Category: llm.ErrServer}
	third := llmtest.New(llmtest.Text("third"))
	m := llm.Wrap(llmtest.New(llmtest.Stream([]llm.Event{}, broken)), reopener("outer", third, &log), reopener("inner", nil, &log))
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Response()
	if err != nil || resp.Text() != "third" {
		t.Fatalf("response %v, err %v", resp, err)
	}
	want := []string{"inner:reopen after true", "outer:reopen after true", "inner:end err=true", "outer:end err=false"}
	if !cmp.Equal(log, want) {
		t.Errorf("hooks %v, want %v", log, want)
	}
}

// Closing the stream while Reopen waits ends the context Reopen was given, and the
// stream ends as closed.
func TestRelayStreamCloseDuringReopen(t *testing.T) {
	broken := &llm.ProviderError{Provider: "p", Category: llm.ErrServer}
	waiting := make(chan struct{})
	m := llm.Wrap(llmtest.New(llmtest.Stream([]llm.Event{}, broken)), func(next llm.Model) llm.Model {
		return llm.ModelFuncs{StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
			s, err := next.Stream(ctx, req)
			if err != nil {
				return nil, err
			}
			return llm.RelayStream(ctx, s, &llm.RelayHooks{Reopen: func(ctx context.Context, err error) (*llm.Stream, error) {
				close(waiting)
				<-ctx.Done()
				return nil, fmt.Errorf("wait ended: %w", context.Cause(ctx))
			}}), nil
		}}
	})
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-waiting
		s.Close()
	}()
	if _, err := s.Response(); !errors.Is(err, context.Canceled) || !errors.Is(err, llm.ErrStream) {
		t.Errorf("err = %v, want the wait's end (context.Canceled) in a stream error", err)
	}
}

// BenchmarkRelayStream reads a 1,000-delta stream through 0, 1 and 2 relays with hooks:
// what a stack of middleware costs per stream.
func BenchmarkRelayStream(b *testing.B) {
	evs := []llm.Event{llm.MessageStart{Role: llm.RoleAssistant}}
	for i := range 1000 {
		evs = append(evs, llm.TextDelta{Index: 0, Text: fmt.Sprintf("w%d ", i)})
	}
	evs = append(evs, llm.BlockStop{Index: 0}, llm.MessageStop{StopReason: llm.StopReasonEndTurn}, llm.Metadata{})
	src := func(yield func(llm.Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}
	ctx := context.Background()
	for _, relays := range []int{0, 1, 2} {
		b.Run(fmt.Sprintf("relays=%d", relays), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := llm.NewStream(ctx, src, nil)
				for range relays {
					s = llm.RelayStream(ctx, s, &llm.RelayHooks{Event: func(llm.Event) {}, End: func(*llm.Response, error) {}})
				}
				for _, err := range s.Events() {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
