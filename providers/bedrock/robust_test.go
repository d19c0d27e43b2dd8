package bedrock

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// Issue 13, point 4: a delta or block start of a kind the SDK does not know reaches
// llmkit as no member at all; the stream skips that block with a warning, as Generate
// skips an unknown block, instead of failing.
func TestIssue13UnknownDeltaAndBlockStart(t *testing.T) {
	m, srv := newTestModel(t, nil)
	srv.Enqueue(bedrocktest.Frames(
		bedrocktest.Frame{EventType: "messageStart", Payload: []byte(`{"role":"assistant"}`)},
		bedrocktest.Frame{EventType: "contentBlockStart", Payload: []byte(`{"contentBlockIndex":0,"start":{"futureBlock":{"x":1}}}`)},
		bedrocktest.Frame{EventType: "contentBlockDelta", Payload: []byte(`{"contentBlockIndex":0,"delta":{"futureDelta":{"y":2}}}`)},
		bedrocktest.Frame{EventType: "contentBlockStop", Payload: []byte(`{"contentBlockIndex":0}`)},
		bedrocktest.Frame{EventType: "contentBlockDelta", Payload: []byte(`{"contentBlockIndex":1,"delta":{"futureDelta":{"y":2}}}`)},
		bedrocktest.Frame{EventType: "contentBlockDelta", Payload: []byte(`{"contentBlockIndex":2,"delta":{"text":"Hello"}}`)},
		bedrocktest.Frame{EventType: "contentBlockStop", Payload: []byte(`{"contentBlockIndex":2}`)},
		bedrocktest.Frame{EventType: "messageStop", Payload: []byte(`{"stopReason":"end_turn"}`)},
		bedrocktest.Frame{EventType: "metadata", Payload: []byte(`{"usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1}}`)},
	))
	st, err := m.Stream(context.Background(), userReq(claude, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := st.Response()
	if err != nil {
		t.Fatalf("a stream with unknown block starts and deltas failed: %v", err)
	}
	if resp.Text() != "Hello" {
		t.Errorf("text %q, want Hello", resp.Text())
	}
	if !llm.HasWarning(resp.Warnings, llm.WarningSkipped) {
		t.Errorf("no skipped warning: %v", resp.Warnings)
	}
}

// Issue 13, point 6: streams nobody reads release their goroutines and connections when
// their context is cancelled, while the server still holds them open and after it
// closes; reading one afterwards reports the cancellation.
func TestIssue13UnreadStreamsCancelledNoLeak(t *testing.T) {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	m := New(srv.Client(nil), nil)
	before := goleak.IgnoreCurrent()
	const n = 10
	for range n {
		srv.Enqueue(bedrocktest.Text("one two three four").Pace(0, time.Hour))
	}
	ctx, cancel := context.WithCancel(context.Background())
	streams := make([]*llm.Stream, n)
	for i := range streams {
		st, err := m.Stream(ctx, userReq(claude, "count"))
		if err != nil {
			t.Fatal(err)
		}
		streams[i] = st
	}
	cancel()
	goleak.VerifyNone(t, before) // the server still holds its side open
	srv.Close()
	goleak.VerifyNone(t, before)
	for i, st := range streams {
		if _, err := st.Response(); !errors.Is(err, llm.ErrStream) || !errors.Is(err, llm.ErrCanceled) {
			t.Errorf("stream %d: Response() = %v, want ErrStream and ErrCanceled", i, err)
		}
	}
}
