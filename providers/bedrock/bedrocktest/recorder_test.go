package bedrocktest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestRecordReplay records simulated exchanges (an answer, a stream, an HTTP error) with
// a Recorder, then replays the fixtures on a new server: the client must see the same
// answers, and the replayed requests must match the recordings.
func TestRecordReplay(t *testing.T) {
	resp := neutralCases[1].resp // text and two tool calls
	live := newServer(t, nil)
	live.Enqueue(
		bedrocktest.Respond(resp),
		bedrocktest.Respond(resp).Padded().Split(4).Chunked(11),
		bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests"),
	)
	rec := bedrocktest.NewRecorder(nil)
	recording := live.Client(&bedrocktest.ClientOptions{
		SessionToken: "secret-session-token",
		HTTPClient:   bedrock.NewHTTPClient(&http.Client{Transport: rec}),
	})
	const model = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-test:0"
	out, err := converse(t.Context(), recording, model)
	if err != nil {
		t.Fatal(err)
	}
	wantConverse := answerOf(t, out)
	st := converseStream(t.Context(), recording, model)
	if st.err != nil {
		t.Fatal(st.err)
	}
	wantStream := streamAnswer(t, st.events)
	_, wantErr := converse(t.Context(), recording, model)
	if wantErr == nil {
		t.Fatal("the throttled call succeeded")
	}

	fixtures := rec.Fixtures()
	if len(fixtures) != 3 {
		t.Fatalf("Recorder recorded %d exchanges, want 3", len(fixtures))
	}
	for i, f := range fixtures {
		// Through the file format and back.
		b, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"secret-session-token", "Signature="} {
			if strings.Contains(string(b), secret) {
				t.Errorf("fixture %d holds %q: credentials must be redacted", i, secret)
			}
		}
		g, err := parseFixture(b)
		if err != nil {
			t.Fatalf("fixture %d does not parse back: %v\n%s", i, err, b)
		}
		g.Name = f.Request.URL
		fixtures[i] = g
		if got := g.Request.Headers["authorization"]; len(got) != 1 || got[0] != "[REDACTED:authorization]" {
			t.Errorf("fixture %d authorization = %q, want it redacted", i, got)
		}
		if g.ModelID() != model || g.CapturedAt == "" {
			t.Errorf("fixture %d: model %q captured at %q, want %q and a time", i, g.ModelID(), g.CapturedAt, model)
		}
	}
	if n := len(fixtures[1].Chunks); n < 2 {
		t.Errorf("the stream was recorded in %d chunks, want several", n)
	}

	replay := newServer(t, nil)
	for _, f := range fixtures {
		replay.Enqueue(f.Reply(nil))
	}
	c := replay.Client(nil)
	out, err = converse(t.Context(), c, model)
	if err != nil {
		t.Fatalf("replayed Converse: %v", err)
	}
	if diff := cmp.Diff(wantConverse, answerOf(t, out)); diff != "" {
		t.Errorf("replayed Converse answer (-recorded +replayed):\n%s", diff)
	}
	st = converseStream(t.Context(), c, model)
	if st.err != nil {
		t.Fatalf("replayed stream: %v", st.err)
	}
	if diff := cmp.Diff(wantStream, streamAnswer(t, st.events)); diff != "" {
		t.Errorf("replayed stream answer (-recorded +replayed):\n%s", diff)
	}
	_, err = converse(t.Context(), c, model)
	if err == nil || err.Error() != wantErr.Error() {
		t.Errorf("replayed error = %v, want the recorded %v", err, wantErr)
	}
	if err := replay.Check(); err != nil {
		t.Errorf("replay Check() = %v, want the same requests as recorded", err)
	}
}
