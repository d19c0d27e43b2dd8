package otelllm_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
	"github.com/llmkit/llmkit/otelllm"
)

// Tracing a model: each call is a "chat <model>" span with the GenAI conventions'
// attributes. A real program sets an exporter (OTLP, say) on the TracerProvider.
func Example() {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(context.Background())
	tel, err := otelllm.New(&otelllm.Options{TracerProvider: tp})
	if err != nil {
		fmt.Println(err)
		return
	}

	inner := llmtest.New(llmtest.Respond(&llm.Response{Message: llm.AssistantText("Hello!"),
		StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 12, OutputTokens: 3, TotalTokens: 15}}))
	model := llm.Wrap(inner, tel.Middleware(otelllm.ProviderAWSBedrock))
	if _, err := model.Generate(context.Background(), &llm.Request{Model: "us.amazon.nova-pro-v1:0",
		Messages: []llm.Message{llm.UserText("Say hello")}}); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range spans.GetSpans() {
		fmt.Println(s.Name, s.SpanKind)
		for _, kv := range s.Attributes {
			switch kv.Key {
			case "gen_ai.provider.name", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons":
				fmt.Printf("  %s = %s\n", kv.Key, kv.Value.String())
			}
		}
	}
	// Output:
	// chat us.amazon.nova-pro-v1:0 client
	//   gen_ai.provider.name = aws.bedrock
	//   gen_ai.response.finish_reasons = ["end_turn"]
	//   gen_ai.usage.input_tokens = 12
	//   gen_ai.usage.output_tokens = 3
}
