package bedrock

import (
	"context"
	"testing"

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
