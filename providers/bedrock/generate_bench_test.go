package bedrock

import (
	"context"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// BenchmarkModelGenerate is one Generate call of a 2 KB answer against the loopback
// simulator, through the real SDK client: what a Converse call costs end to end,
// including the body a Model keeps to find blocks the SDK cannot decode (RESP-OPAQUE).
func BenchmarkModelGenerate(b *testing.B) {
	srv := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Respond(&llm.Response{
		Message: llm.AssistantText(strings.Repeat("word ", 400)), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 10, OutputTokens: 400, TotalTokens: 410},
	})})
	defer srv.Close()
	m := New(srv.Client(nil), nil)
	req := userReq(claude, "hi")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Generate(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
