package bench

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/llmkit/llmkit/fallback"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/otelllm"
)

// otelFloor is what the OpenTelemetry SDK itself costs for one traced call, with no
// llmkit code: a span started with the three attributes otelllm gives Start, given
// the rest of the attributes otelllm records in one SetAttributes call, the metric
// recordings otelllm makes (with attribute sets built once, in the span's context, as
// otelllm makes them), and the span ended. It runs on the stack's own providers, so it
// shares their batch span processor and aggregation.
type otelFloor struct {
	tracer      trace.Tracer
	name        string
	startOpts   []trace.SpanStartOption
	attrs       []attribute.KeyValue
	duration    metric.Float64Histogram
	ttfc        metric.Float64Histogram
	tokens      metric.Int64Histogram
	stream      bool
	callOpts    []metric.RecordOption
	inputOpts   []metric.RecordOption
	outputOpts  []metric.RecordOption
	inputTokens int64
}

// newOTelFloor records one call of req through otelllm (over a fallback on inner, as in
// the stack) to learn the span name and attributes a call makes, and returns the floor
// that makes the same span and metrics on st's providers.
func newOTelFloor(b *testing.B, st stacked, inner llm.Model, req *llm.Request, stream bool) *otelFloor {
	b.Helper()
	rec := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tel, err := otelllm.New(&otelllm.Options{TracerProvider: tp, MeterProvider: sdkmetric.NewMeterProvider()})
	if err != nil {
		b.Fatal(err)
	}
	m := llm.Wrap(inner, tel.Middleware(otelllm.ProviderAWSBedrock),
		fallback.Middleware([]fallback.Candidate{{Name: "backup", Model: inner}}, nil))
	if _, err := callText(context.Background(), m, req, stream); err != nil {
		b.Fatal(err)
	}
	spans := rec.GetSpans()
	if len(spans) != 1 {
		b.Fatalf("recorded %d spans, want 1", len(spans))
	}
	span := spans[0]
	const atStart = 3 // operation name, provider name, request model
	f := &otelFloor{
		tracer: st.tp.Tracer("floor"),
		name:   span.Name,
		startOpts: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(span.Attributes[:atStart]...)},
		attrs:  span.Attributes[atStart:],
		stream: stream,
	}
	meter := st.mp.Meter("floor")
	dur, err1 := genaiconv.NewClientOperationDuration(meter)
	ttfc, err2 := genaiconv.NewClientOperationTimeToFirstChunk(meter)
	tok, err3 := genaiconv.NewClientTokenUsage(meter)
	if err1 != nil || err2 != nil || err3 != nil {
		b.Fatal(err1, err2, err3)
	}
	f.duration, f.ttfc, f.tokens = dur.Inst(), ttfc.Inst(), tok.Inst()
	set := attribute.NewSet(span.Attributes[:atStart]...)
	kvs := set.ToSlice()
	f.callOpts = []metric.RecordOption{metric.WithAttributeSet(set)}
	f.inputOpts = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(append(kvs, attribute.String("gen_ai.token.type", "input"))...))}
	f.outputOpts = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(append(kvs, attribute.String("gen_ai.token.type", "output"))...))}
	f.inputTokens = 900
	return f
}

// call makes the floor's span and metrics once.
func (f *otelFloor) call(ctx context.Context) {
	// The metrics are recorded with the span's context, as otelllm records them: with
	// the SDK's default exemplar filter (trace based), a sampled span's context makes
	// each record offer an exemplar.
	ctx, span := f.tracer.Start(ctx, f.name, f.startOpts...)
	span.SetAttributes(f.attrs...)
	f.duration.Record(ctx, 0.3, f.callOpts...)
	if f.stream {
		f.ttfc.Record(ctx, 0.01, f.callOpts...)
	}
	f.tokens.Record(ctx, f.inputTokens, f.inputOpts...)
	f.tokens.Record(ctx, 160, f.outputOpts...)
	span.End()
}
