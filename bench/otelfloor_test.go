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

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/otelllm"
)

// otelFloor is what the OpenTelemetry SDK itself costs for one traced call, with no
// llmkit middleware: around the call, a span started with the three attributes otelllm
// gives Start, given the rest of the attributes otelllm records (taken from a recorded
// call, built once) in one SetAttributes call when the call ends, the metric records
// otelllm makes (attribute sets built once, in the span's context), and the span
// ended — on providers configured as the stack's. A stream's end is seen through
// llm.RelayStream, which costs a few nanoseconds per event.
type otelFloor struct {
	tracer     trace.Tracer
	name       string
	startOpts  []trace.SpanStartOption
	attrs      []attribute.KeyValue
	metrics    bool
	duration   metric.Float64Histogram
	ttfc       metric.Float64Histogram
	tokens     metric.Int64Histogram
	stream     bool
	callOpts   []metric.RecordOption
	inputOpts  []metric.RecordOption
	outputOpts []metric.RecordOption
}

// newOTelFloor records one call of req through otelllm over inner to learn the span
// name and attributes a call makes, and returns the floor that makes the same span
// (and, for a stack with metrics, the same metric records) on providers of stack kind.
func newOTelFloor(b testing.TB, kind string, inner llm.Model, req *llm.Request, stream bool) *otelFloor {
	b.Helper()
	rec := tracetest.NewInMemoryExporter()
	rtp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec))
	defer func() { _ = rtp.Shutdown(context.Background()) }()
	tel, err := otelllm.New(&otelllm.Options{TracerProvider: rtp, MeterProvider: sdkmetric.NewMeterProvider()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := callText(context.Background(), tel.Model(inner, otelllm.ProviderAWSBedrock), req, stream); err != nil {
		b.Fatal(err)
	}
	spans := rec.GetSpans()
	if len(spans) != 1 {
		b.Fatalf("recorded %d spans, want 1", len(spans))
	}
	span := spans[0]
	const atStart = 3 // operation name, provider name, request model
	tp, mp := providers(b, kind)
	f := &otelFloor{
		tracer: tp.Tracer("floor"),
		name:   span.Name,
		startOpts: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(span.Attributes[:atStart]...)},
		attrs:   span.Attributes[atStart:],
		stream:  stream,
		metrics: mp != nil,
	}
	if mp == nil {
		return f
	}
	meter := mp.Meter("floor")
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
	return f
}

// wrap returns next with the floor's span and metrics around each call.
func (f *otelFloor) wrap(next llm.Model) llm.Model {
	return llm.ModelFuncs{
		GenerateFunc: func(ctx context.Context, req *llm.Request) (*llm.Response, error) {
			ctx, span := f.start(ctx)
			resp, err := next.Generate(ctx, req)
			f.end(ctx, span)
			return resp, err
		},
		StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
			sctx, span := f.start(ctx)
			s, err := next.Stream(sctx, req)
			if err != nil {
				f.end(sctx, span)
				return nil, err
			}
			return llm.RelayStream(ctx, s, &llm.RelayHooks{End: func(*llm.Response, error) { f.end(sctx, span) }}), nil
		},
	}
}

func (f *otelFloor) start(ctx context.Context) (context.Context, trace.Span) {
	return f.tracer.Start(ctx, f.name, f.startOpts...)
}

// end gives the span its attributes, makes the metric records (in the span's context,
// as otelllm makes them: with the SDK's default exemplar filter, a sampled span's
// context makes each record offer an exemplar) and ends the span.
func (f *otelFloor) end(ctx context.Context, span trace.Span) {
	span.SetAttributes(f.attrs...)
	if f.metrics {
		f.duration.Record(ctx, 0.3, f.callOpts...)
		if f.stream {
			f.ttfc.Record(ctx, 0.01, f.callOpts...)
		}
		f.tokens.Record(ctx, 900, f.inputOpts...)
		f.tokens.Record(ctx, 160, f.outputOpts...)
	}
	span.End()
}
