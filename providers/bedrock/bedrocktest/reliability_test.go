package bedrocktest_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// soak runs the reliability tests in full: hundreds of 1,000-event streams, sequential
// and concurrent, which take minutes under the race detector. Without it each runs a
// short form that still fails if a fix it guards is lost (see each test); .ci/run
// runs them in full with SOAK=1.
var soak = flag.Bool("soak", false, "run the reliability tests in full (hundreds of 1,000-event streams)")

// streamCount returns how many streams a reliability test runs: full (fullRace under
// the race detector) with -soak, else short.
func streamCount(full, fullRace, short int) int {
	switch {
	case !*soak:
		return short
	case raceEnabled:
		return fullRace // the race detector slows each stream about eightfold
	}
	return full
}

// thousandEvents is a reply streamed as exactly 1,000 frames: message start, 996 text
// deltas of one character, block stop, message stop, metadata.
func thousandEvents() (bedrocktest.ServerReply, string) {
	text := strings.Repeat("abcd", 249)
	resp := &llm.Response{Message: llm.AssistantText(text), StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 3, OutputTokens: 996, TotalTokens: 999}}
	return bedrocktest.Respond(resp).Split(1).Padded(), text
}

// TestReliabilitySequential runs consecutive 1,000-event streams through the real
// client with the HTTP fixes: none may fail (providers/bedrock/RULES.md SDK-BODY-CLOSE).
// Without the request-body fix about one in ten such streams dies with "use of closed
// network connection": the short form's 10 streams catch its loss about two times in
// three, the deterministic test of the fix (providers/bedrock, TestHTTPClientBuffersBody)
// every time; -soak runs 500 (100 under -race).
func TestReliabilitySequential(t *testing.T) {
	t.Parallel()
	reply, text := thousandEvents()
	s := newServer(t, &bedrocktest.Options{Default: reply})
	c := s.Client(nil)
	streams := streamCount(500, 100, 10)
	start := time.Now()
	fails := 0
	var first string
	for range streams {
		r := converseStream(t.Context(), c, "anthropic.claude-test")
		if msg := checkStream(t, r, text); msg != "" {
			fails++
			if first == "" {
				first = msg
			}
		}
	}
	if fails != 0 {
		t.Errorf("%d of %d 1,000-event streams failed, want 0; first: %s", fails, streams, first)
	}
	t.Logf("%d streams of 1,000 events in %v", streams, time.Since(start))
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// TestReliabilityConcurrent runs concurrent 1,000-event streams on one client, over
// plain HTTP/1.1 and over HTTP/2 with TLS: with -soak 64 workers, two streams each (one
// under -race); else 4 workers, one stream each, which is enough for the race detector
// to flag an event-stream decoder shared between streams.
func TestReliabilityConcurrent(t *testing.T) {
	t.Parallel()
	reply, text := thousandEvents()
	for _, tls := range []bool{false, true} {
		s := newServer(t, &bedrocktest.Options{Default: reply, TLS: tls})
		c := s.Client(nil)
		workers, rounds := 4, 1
		if *soak {
			workers, rounds = 64, streamCount(2, 1, 1)
		}
		var wg sync.WaitGroup
		msgs := make([]string, workers*rounds)
		for w := range workers {
			wg.Go(func() {
				for i := range rounds {
					msgs[w*rounds+i] = checkStream(t, converseStream(t.Context(), c, "anthropic.claude-test"), text)
				}
			})
		}
		wg.Wait()
		for i, m := range msgs {
			if m != "" {
				t.Errorf("TLS %v: stream %d failed: %s", tls, i, m)
			}
		}
		if got := len(s.Requests()); got != workers*rounds {
			t.Errorf("TLS %v: server saw %d requests, want %d", tls, got, workers*rounds)
		}
	}
}

// checkStream returns why r is not the 1,000-event stream of text, or "".
func checkStream(t testing.TB, r streamResult, text string) string {
	if r.err != nil {
		return r.err.Error()
	}
	if len(r.events) != 1000 {
		return fmt.Sprintf("stream of %d events, want 1000", len(r.events))
	}
	a := streamAnswer(t, r.events)
	if len(a.Blocks) != 1 || a.Blocks[0].Text != text || a.Stop != "end_turn" || a.Usage[1] != 996 {
		return "stream answer differs from the scripted one"
	}
	return ""
}

// TestAbandonedStreams cancels, breaks off and closes streams mid-way; TestMain's goleak
// check then finds no goroutine left behind, on the client or the server.
func TestAbandonedStreams(t *testing.T) {
	reply, _ := thousandEvents()
	s := newServer(t, &bedrocktest.Options{Default: reply.Pace(0, 100*time.Microsecond)})
	c := s.Client(nil)
	in := &bedrockruntime.ConverseStreamInput{ModelId: aws.String("m"), Messages: userText("hi")}
	for _, how := range []string{"cancel", "close", "fault"} {
		ctx, cancel := context.WithCancel(t.Context())
		if how == "fault" {
			s.Enqueue(reply.ExceptionAfter(10, bedrocktest.ModelStreamErrorException, "broken"))
		}
		out, err := c.ConverseStream(ctx, in)
		if err != nil {
			cancel()
			t.Fatalf("%s: %v", how, err)
		}
		st := out.GetStream()
		n := 0
		for range st.Events() {
			n++
			if n == 5 {
				switch how {
				case "cancel":
					cancel()
				case "close":
					st.Close()
				}
			}
		}
		st.Close()
		cancel()
		if st.Err() == nil && how != "close" {
			t.Errorf("%s after %d events: Err() = nil, want an error", how, n)
		}
		if n >= 1000 {
			t.Errorf("%s: the stream ran to its end (%d events)", how, n)
		}
	}
}

// TestModelReliability runs consecutive 1,000-event streams through bedrock.Model,
// then concurrent ones on the same Model: with -soak 500 (100 under -race) and 64,
// else 10 and 4.
func TestModelReliability(t *testing.T) {
	t.Parallel()
	reply, text := thousandEvents()
	s := newServer(t, &bedrocktest.Options{Default: reply})
	m := bedrock.New(s.Client(nil), nil)
	run := func() error {
		st, err := m.Stream(t.Context(), modelRequest())
		if err != nil {
			return err
		}
		n := 0
		for _, err := range st.Events() {
			if err != nil {
				return err
			}
			n++
		}
		resp, err := st.Response()
		switch {
		case err != nil:
			return err
		case n != 1000:
			return fmt.Errorf("%d events, want 1000", n)
		case resp.Text() != text || resp.Usage.OutputTokens != 996:
			return fmt.Errorf("response differs from the scripted one")
		}
		return nil
	}
	streams := streamCount(500, 100, 10)
	start := time.Now()
	fails := 0
	var first error
	for range streams {
		if err := run(); err != nil {
			fails++
			if first == nil {
				first = err
			}
		}
	}
	if fails != 0 {
		t.Errorf("%d of %d sequential streams failed, want 0; first: %v", fails, streams, first)
	}
	t.Logf("%d sequential streams through bedrock.Model in %v", streams, time.Since(start))

	var wg sync.WaitGroup
	concurrent := 4
	if *soak {
		concurrent = 64
	}
	errs := make([]error, concurrent)
	for i := range errs {
		wg.Go(func() { errs[i] = run() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent stream %d: %v", i, err)
		}
	}
}
