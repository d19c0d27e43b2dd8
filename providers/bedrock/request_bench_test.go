package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/llmkit/llmkit/llm"
)

// benchRequest is a 20-message conversation with three tools, a system prompt and a
// cache point, as the benchmarks translate it.
func benchRequest(b *testing.B) *llm.Request {
	req := &llm.Request{
		Model:     rqClaude45,
		MaxTokens: 2048,
		Tools: []llm.Tool{rqWeatherTool, rqTimeTool, {
			Name:        "search",
			Description: "Search the web.",
			InputSchema: json.RawMessage(`{"type":"object","properties":{"q":{"type":"string"},"limit":{"type":"integer"}},"required":["q"]}`),
		}},
		Messages: []llm.Message{rqSys(rqText("You are a helpful assistant."), llm.CachePoint{})},
	}
	for i := range 6 {
		id := "call_" + string(rune('a'+i))
		req.Messages = append(req.Messages,
			rqUser(rqText("What is the weather and time in city number "+id+"?")),
			rqAsst(rqText("Let me check."), rqCall(id, "get_weather", `{"city":"Paris","units":"metric","days":3}`)),
			rqTool(rqResult(id, `{"temp":18.5,"sky":"clear","wind":{"speed":12,"dir":"NW"}}`)),
		)
	}
	req.Messages = append(req.Messages, rqAsst(rqText("It is sunny everywhere.")), rqUser(rqText("Thanks, and the time?")))
	if n := len(req.Messages); n != 21 {
		b.Fatalf("conversation has %d messages, want 20 plus the system message", n)
	}
	return req
}

// BenchmarkFormatRequest translates a 20-message conversation with three tools.
func BenchmarkFormatRequest(b *testing.B) {
	req := benchRequest(b)
	caps := capabilitiesFor(req.Model, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := formatRequest(req, caps); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormatRequestWire translates the conversation of [BenchmarkFormatRequest] and
// has the SDK serialise it (signing included), so work a translation leaves to the SDK's
// document encoder is counted too.
func BenchmarkFormatRequestWire(b *testing.B) {
	req := benchRequest(b)
	caps := capabilitiesFor(req.Model, nil)
	d := &captureDoer{}
	client := captureClient(d)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := formatRequest(req, caps)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := client.Converse(ctx, p.input); !errors.Is(err, errCaptured) {
			b.Fatalf("Converse did not reach the HTTP client: %v", err)
		}
	}
}
