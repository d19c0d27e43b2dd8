package llm_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// TestRelayRandomStacks builds random stacks of relays — some with a Reopen hook that
// gives up, reads a good stream or reads another failing one — over streams that fail
// before or after their first event, reads them in random ways (to the end, abandoned,
// closed before or while being read, cancelled), and checks what must hold whatever
// the stack: every End hook runs exactly once, Reopen is never asked after an event was
// passed on, a stream that ends well holds the answer of the stream that was read last
// and replays what it passed on, a stream that ends badly says so with ErrStream or the
// provider's category, and no goroutine is left (TestMain).
func TestRelayRandomStacks(t *testing.T) {
	const runs = 2000
	rng := rand.New(rand.NewPCG(16, 3))
	for i := range runs {
		c := newRelayCase(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) { c.check(t) })
		if t.Failed() {
			t.Logf("case %d: %s", i, c)
			return
		}
	}
}

// relayCase is one random stack and one way of reading it. A relay's Reopen that
// reads a failing stream is asked again when that stream fails, and gives up then.
type relayCase struct {
	first    string   // how the first stream ends: "ok", "fail-before", "fail-after"
	relays   []string // each relay's Reopen: "", "give-up", "ok", "fail-before"
	read     string   // "all", "abandon", "close-before", "close-during", "cancel-during"
	at       int      // the event at which abandon, close or cancel happen
	ends     []int    // End calls per relay
	reopened bool     // a Reopen was asked after an event had been passed on
	passed   int      // events passed on so far
}

func newRelayCase(rng *rand.Rand) *relayCase {
	c := &relayCase{
		first: []string{"ok", "fail-before", "fail-after"}[rng.IntN(3)],
		read:  []string{"all", "all", "abandon", "close-before", "close-during", "cancel-during"}[rng.IntN(6)],
		at:    rng.IntN(4),
	}
	for range rng.IntN(4) {
		c.relays = append(c.relays, []string{"", "give-up", "ok", "fail-before"}[rng.IntN(4)])
	}
	c.ends = make([]int, len(c.relays))
	return c
}

func (c *relayCase) String() string {
	return fmt.Sprintf("first %s, relays %q, read %s at %d", c.first, c.relays, c.read, c.at)
}

var errBroken = &llm.ProviderError{Provider: "p", Category: llm.ErrServer}

// stream returns a stream answering text, failing as how says.
func relayStream(ctx context.Context, text, how string) (*llm.Stream, error) {
	evs, _ := llm.ResponseEvents(&llm.Response{Message: llm.AssistantText(text), StopReason: llm.StopReasonEndTurn})
	var a llmtest.Answer
	switch how {
	case "ok":
		a = llmtest.Stream(evs, nil)
	case "fail-before":
		a = llmtest.Stream([]llm.Event{}, errBroken)
	case "fail-after":
		a = llmtest.Stream(evs[:2], errBroken)
	}
	return llmtest.New(a).Stream(ctx, &llm.Request{Model: "m"})
}

func (c *relayCase) check(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := relayStream(ctx, "first", c.first)
	if err != nil {
		t.Fatal(err)
	}
	want := "first" // the text of the stream read last, if it ends well
	wantOK := c.first == "ok"
	for i, how := range c.relays {
		h := &llm.RelayHooks{
			Event: func(llm.Event) { c.passed++ },
			End:   func(*llm.Response, error) { c.ends[i]++ },
		}
		if how != "" {
			asked := 0
			h.Reopen = func(ctx context.Context, err error) (*llm.Stream, error) {
				if c.passed > 0 {
					c.reopened = true
				}
				// Asked again when the stream it gave fails before its first event:
				// it gives up then, as a fallback out of candidates does.
				if asked++; how == "give-up" || asked > 1 {
					return nil, fmt.Errorf("relay %d gave up: %w", i, err)
				}
				return relayStream(ctx, fmt.Sprint("relay ", i), how)
			}
		}
		s = llm.RelayStream(ctx, s, h)
	}
	// What the reader should get when it reads to the end: the first stream, or the
	// first Reopen (innermost first) that reads a good stream, if the first failed
	// before its first event; a relay reading a failing stream passes the failure on
	// to the next Reopen.
	if c.first == "fail-before" {
		for i, how := range c.relays {
			if how == "ok" {
				want, wantOK = fmt.Sprint("relay ", i), true
				break
			}
		}
	}

	var got []llm.Event
	var readErr error
	if c.read == "close-before" {
		s.Close()
	}
	n := 0
	for ev, err := range s.Events() {
		if err != nil {
			readErr = err
			break
		}
		got = append(got, ev)
		if n == c.at {
			if c.read == "abandon" {
				break
			}
			if c.read == "close-during" {
				s.Close()
			}
			if c.read == "cancel-during" {
				cancel()
			}
		}
		n++
	}
	resp, err := s.Response()

	for i, n := range c.ends {
		if n != 1 {
			t.Errorf("relay %d: End ran %d times, want once", i, n)
		}
	}
	if c.reopened {
		t.Error("Reopen was asked after an event had been passed on")
	}
	stopped := c.read == "abandon" || c.read == "close-before" ||
		(len(got) > c.at && (c.read == "close-during" || c.read == "cancel-during"))
	switch {
	case err == nil && stopped && !(c.read != "close-before" && len(got) == c.at+1 && endsWithMetadata(got)):
		// A reader that stops on the very last event may still see a whole answer.
		t.Errorf("stopped early (%s at %d, %d events), but Response has no error", c.read, c.at, len(got))
	case err == nil && !wantOK:
		t.Errorf("Response without error; want the failure")
	case err == nil && resp.Text() != want:
		t.Errorf("Response text %q, want %q", resp.Text(), want)
	case err != nil && !errors.Is(err, llm.ErrStream) && !errors.Is(err, llm.ErrServer):
		t.Errorf("error %v: want ErrStream or the provider's ErrServer", err)
	case err != nil && readErr != nil && err.Error() != readErr.Error():
		t.Errorf("Response error %q, Events ended with %q", err, readErr)
	}
	if err == nil {
		var replay []llm.Event
		for ev, err := range s.Events() {
			if err != nil {
				t.Fatalf("replay: %v", err)
			}
			replay = append(replay, ev)
		}
		if fmt.Sprint(replay) != fmt.Sprint(got) {
			t.Errorf("replay %v, first pass %v", replay, got)
		}
	}
	if c.first != "fail-before" && strings.Contains(fmt.Sprint(resp), "relay ") {
		t.Errorf("a relay's stream was read though the first did not fail before its first event")
	}
}

// endsWithMetadata reports whether evs is a whole answer (its last event is the
// metadata that follows the message stop).
func endsWithMetadata(evs []llm.Event) bool {
	if len(evs) == 0 {
		return false
	}
	_, ok := evs[len(evs)-1].(llm.Metadata)
	return ok
}
