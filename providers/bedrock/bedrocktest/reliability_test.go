package bedrocktest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// thousandEvents is a reply streamed as exactly 1,000 frames: message start, 996 text
// deltas of one character, block stop, message stop, metadata.
func thousandEvents() (bedrocktest.ServerReply, string) {
	text := strings.Repeat("abcd", 249)
	resp := &llm.Response{Message: llm.AssistantText(text), StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 3, OutputTokens: 996, TotalTokens: 999}}
	return bedrocktest.Respond(resp).Split(1).Padded(), text
}

// TestReliabilitySequential runs 500 consecutive 1,000-event streams (100 under -race)
// through the real client with the HTTP fixes: none may fail (BEDROCK.md SDK behaviour 1).
func TestReliabilitySequential(t *testing.T) {
	if testing.Short() {
		t.Skip("500 streams of 1,000 events")
	}
	reply, text := thousandEvents()
	s := newServer(t, &bedrocktest.Options{Default: reply})
	c := s.Client(nil)
	streams := 500
	if raceEnabled {
		streams = 100 // the race detector slows each stream about eightfold
	}
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

// TestReliabilityConcurrent runs 64 concurrent 1,000-event streams on one client, twice
// (once under -race), over plain HTTP/1.1 and over HTTP/2 with TLS.
func TestReliabilityConcurrent(t *testing.T) {
	reply, text := thousandEvents()
	for _, tls := range []bool{false, true} {
		s := newServer(t, &bedrocktest.Options{Default: reply, TLS: tls})
		c := s.Client(nil)
		const workers = 64
		rounds := 2
		if raceEnabled {
			rounds = 1
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
