package llm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// tag is a middleware that records the order calls pass through it and the events its
// relayed streams see.
func tag(name string, log *[]string) llm.Middleware {
	return func(next llm.Model) llm.Model {
		return llm.ModelFuncs{
			GenerateFunc: func(ctx context.Context, req *llm.Request) (*llm.Response, error) {
				*log = append(*log, name)
				return next.Generate(ctx, req)
			},
			StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
				*log = append(*log, name)
				s, err := next.Stream(ctx, req)
				if err != nil {
					return nil, err
				}
				return llm.RelayStream(ctx, s, &llm.RelayHooks{
					Event: func(ev llm.Event) { *log = append(*log, fmt.Sprintf("%s:%T", name, ev)) },
					End: func(r *llm.Response, err error) {
						*log = append(*log, fmt.Sprintf("%s:end err=%v", name, err != nil))
					},
				}), nil
			},
		}
	}
}

func TestWrapOrder(t *testing.T) {
	var log []string
	m := llm.Wrap(llmtest.New(llmtest.Text("hi")), tag("a", &log), tag("b", &log))
	if _, err := m.Generate(context.Background(), &llm.Request{Model: "m"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b"}; !cmp.Equal(log, want) {
		t.Errorf("order = %v, want %v", log, want)
	}
}

func TestRelayStreamPassesEventsAsTheyArrive(t *testing.T) {
	want := &llm.Response{Message: llm.AssistantText("hello"), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 3, OutputTokens: 1, TotalTokens: 4}, RequestID: "req-1", Warnings: []llm.Warning{{Code: llm.WarningSkipped, Message: -1, Part: -1, Detail: "w"}}}
	var log []string
	inner := llmtest.New(llmtest.Respond(want), llmtest.Respond(want))
	m := llm.Wrap(inner, tag("a", &log), tag("b", &log))
	gen, err := m.Generate(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	log = nil
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		// The event went through b (inner) then a (outer) before reaching us, and
		// nothing after it has been read yet.
		if got := log[len(log)-2:]; !strings.HasPrefix(got[0], "b:") || !strings.HasPrefix(got[1], "a:") {
			t.Fatalf("event %d: log tail %v", n, got)
		}
		n++
	}
	resp, err := s.Response()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(gen, resp); diff != "" {
		t.Errorf("stream response differs from Generate's (-gen +stream):\n%s", diff)
	}
	if got := log[len(log)-2:]; got[0] != "b:end err=false" || got[1] != "a:end err=false" {
		t.Errorf("end hooks: %v", got)
	}
}

func TestRelayStreamErrorsKeepTheirCategory(t *testing.T) {
	evs, _ := llm.ResponseEvents(&llm.Response{Message: llm.AssistantText("x")})
	broken := &llm.ProviderError{Provider: "p", Category: llm.ErrServer}
	var log []string
	m := llm.Wrap(llmtest.New(llmtest.Stream(evs[:2], broken)), tag("a", &log))
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Response()
	if !errors.Is(err, llm.ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if got := log[len(log)-1]; got != "a:end err=true" {
		t.Errorf("last hook = %q", got)
	}
}

func TestRelayStreamAbandonedAndCancelled(t *testing.T) {
	evs, _ := llm.ResponseEvents(&llm.Response{Message: llm.AssistantText("abc")})
	var log []string
	m := llm.Wrap(llmtest.New(llmtest.Stream(evs, nil), llmtest.Stream(evs, nil)), tag("a", &log))
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	for range s.Events() {
		break
	}
	if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
		t.Errorf("abandoned: err = %v, want ErrStream", err)
	}
	if got := log[len(log)-1]; got != "a:end err=true" {
		t.Errorf("abandoned: last hook = %q", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err = m.Stream(ctx, &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range s.Events() {
		if err != nil {
			break
		}
		cancel()
	}
	if _, err := s.Response(); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}

	m = llm.Wrap(llmtest.New(llmtest.Stream(evs, nil)), tag("c", &log))
	s, err = m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	if got := log[len(log)-1]; got != "c:end err=true" {
		t.Errorf("closed before read: last hook = %q", got)
	}
	if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
		t.Errorf("closed before read: err = %v", err)
	}
	if n := strings.Count(strings.Join(log, ","), "c:end"); n != 1 {
		t.Errorf("End ran %d times", n)
	}
}

func TestModelFuncsWithoutFunctions(t *testing.T) {
	var m llm.ModelFuncs
	if _, err := m.Generate(context.Background(), &llm.Request{}); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("Generate: %v", err)
	}
	if _, err := m.Stream(context.Background(), &llm.Request{}); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("Stream: %v", err)
	}
}

// A middleware in a few lines: it logs each call and redacts e-mail addresses from
// the answer, for Generate and Stream alike.
func ExampleWrap() {
	redact := func(r *llm.Response) {
		for i, p := range r.Message.Parts {
			if t, ok := p.(llm.Text); ok {
				r.Message.Parts[i] = llm.Text{Text: strings.ReplaceAll(t.Text, "ann@example.com", "[e-mail]")}
			}
		}
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logAndRedact := func(next llm.Model) llm.Model {
		return llm.ModelFuncs{
			GenerateFunc: func(ctx context.Context, req *llm.Request) (*llm.Response, error) {
				logger.Info("generate", "model", req.Model)
				resp, err := next.Generate(ctx, req)
				if err == nil {
					redact(resp)
				}
				return resp, err
			},
			StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
				logger.Info("stream", "model", req.Model)
				s, err := next.Stream(ctx, req)
				if err != nil {
					return nil, err
				}
				return llm.RelayStream(ctx, s, &llm.RelayHooks{End: func(r *llm.Response, err error) {
					if err == nil {
						redact(r)
					}
				}}), nil
			},
		}
	}

	m := llm.Wrap(llmtest.New(llmtest.Text("Write to ann@example.com")), logAndRedact)
	resp, err := m.Generate(context.Background(), &llm.Request{Model: "demo"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output:
	// level=INFO msg=generate model=demo
	// Write to [e-mail]
}

func TestRelayStreamReplays(t *testing.T) {
	var log []string
	m := llm.Wrap(llmtest.New(llmtest.Text("again")), tag("a", &log), tag("b", &log))
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	var first, second []llm.Event
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, ev)
	}
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		second = append(second, ev)
	}
	if len(first) == 0 || !cmp.Equal(first, second) {
		t.Errorf("replay %v, first pass %v", second, first)
	}
}

// A relayed stream passes its events on without accumulating them: its response is
// the one Finish writes, and without a Finish it ends in an error rather than with an
// empty response.
func TestRelayedStreamResponseComesFromFinish(t *testing.T) {
	events := func(yield func(llm.Event, error) bool) {
		for _, ev := range []llm.Event{llm.MessageStart{Role: llm.RoleAssistant}, llm.TextDelta{Text: "hi"},
			llm.BlockStop{}, llm.MessageStop{StopReason: llm.StopReasonEndTurn}} {
			if !yield(ev, nil) {
				return
			}
		}
	}
	want := &llm.Response{Message: llm.AssistantText("from finish"), StopReason: llm.StopReasonEndTurn, Model: "m"}
	s := llm.NewStream(context.Background(), events, &llm.StreamOptions{Relayed: true,
		Finish: func(r *llm.Response) error { *r = *want; return nil }})
	n := 0
	for _, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	resp, err := s.Response()
	if err != nil || n != 4 {
		t.Fatalf("%d events, err %v", n, err)
	}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}

	s = llm.NewStream(context.Background(), events, &llm.StreamOptions{Relayed: true})
	if _, err := s.Response(); !errors.Is(err, llm.ErrStream) || !strings.Contains(err.Error(), "without a Finish") {
		t.Errorf("relayed stream without Finish: err %v, want a stream error naming Finish", err)
	}
}

// counter is a model that counts tokens but reports no capabilities.
type counter struct{ llm.ModelFuncs }

func (counter) CountTokens(context.Context, *llm.Request) (int, error) { return 7, nil }

// reporter reports capabilities of its own.
type reporter struct{ llm.ModelFuncs }

func (reporter) Capabilities(string) llm.Capabilities { return llm.Capabilities{Tools: true} }

func TestWrapKeepsOptionalInterfaces(t *testing.T) {
	inner := llmtest.New() // reports capabilities (all of them)
	pass := func(next llm.Model) llm.Model {
		return llm.ModelFuncs{GenerateFunc: next.Generate, StreamFunc: next.Stream}
	}
	m := llm.Wrap(inner, pass, pass)
	r, ok := m.(llm.CapabilityReporter)
	if !ok {
		t.Fatal("a wrapped model lost its CapabilityReporter")
	}
	if got, want := r.Capabilities("m"), inner.Capabilities("m"); !cmp.Equal(got, want) {
		t.Errorf("capabilities %+v, want the inner model's %+v", got, want)
	}
	if _, ok := m.(llm.TokenCounter); ok {
		t.Error("a wrapped model counts tokens though the inner one does not")
	}

	// A wrapper with its own capabilities keeps them and gains the inner count.
	withCount := counter{llm.ModelFuncs{GenerateFunc: inner.Generate}}
	m = llm.Wrap(withCount, func(next llm.Model) llm.Model { return reporter{llm.ModelFuncs{GenerateFunc: next.Generate}} })
	if got := m.(llm.CapabilityReporter).Capabilities("m"); !got.Tools || got.Images {
		t.Errorf("capabilities %+v, want the wrapper's own", got)
	}
	n, err := m.(llm.TokenCounter).CountTokens(context.Background(), &llm.Request{})
	if n != 7 || err != nil {
		t.Errorf("CountTokens = %d, %v; want the inner model's 7", n, err)
	}

	// Nothing to add: the wrapper itself.
	var w llm.Model = &reporter{}
	if got := llm.Inherit(w, llm.ModelFuncs{}); got != w {
		t.Errorf("Inherit changed a wrapper with nothing to add: %T", got)
	}
}
