package bench

import (
	"context"
	"fmt"
	"runtime/metrics"
	"slices"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/llmkit/llmkit/fallback"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/otelllm"
	"github.com/llmkit/llmkit/providers/bedrock"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/contender/llmkit"
)

// Stacks: what the middleware stack holds.
const (
	// stackTracing is what issue 16 measures — tracing with a no-op exporter plus
	// fallback: otelllm tracing on an SDK TracerProvider (AlwaysSample; each span
	// handed, when it ends, to the SDK's simple span processor and a no-op exporter)
	// around a fallback to one more candidate. No MeterProvider is set (otelllm then
	// uses the global one, a no-op until a program sets it).
	stackTracing = "tracing"
	// stackMetrics adds the conventions' client metrics on an SDK MeterProvider
	// (aggregated by a manual reader, read by nobody).
	stackMetrics = "tracing+metrics"
	// stackBatch is stackMetrics with the SDK's batch span processor, which a program
	// exporting spans over the network uses: each span is handed to the processor's
	// goroutine when it ends.
	stackBatch = "batch"
	// stackSampled is stackTracing with one trace in ten sampled (ParentBased(
	// TraceIDRatioBased(0.1))), a common production setting: the other calls get a
	// span that records nothing.
	stackSampled = "sampled"
	// stackFallback is the fallback alone: the cost of the middleware mechanics
	// (llm.Wrap, the fallback's relay) without OpenTelemetry's.
	stackFallback = "fallback"
)

var stacks = []string{stackTracing, stackMetrics, stackBatch, stackSampled, stackFallback}

// stacked is a model wrapped in a middleware stack, with the OpenTelemetry providers
// it uses (nil for the fallback alone).
type stacked struct {
	llm.Model
	tp *sdktrace.TracerProvider
	mp *sdkmetric.MeterProvider
}

// providers returns the OpenTelemetry SDK providers of stack kind (nil, nil for the
// fallback alone), shut down when b ends.
func providers(b testing.TB, kind string) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider) {
	var tp *sdktrace.TracerProvider
	var mp *sdkmetric.MeterProvider
	switch kind {
	case stackFallback:
		return nil, nil
	case stackBatch:
		tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	case stackSampled:
		tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()),
			sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))))
	default:
		tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	}
	if kind == stackMetrics || kind == stackBatch {
		mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	}
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		if mp != nil {
			_ = mp.Shutdown(context.Background())
		}
	})
	return tp, mp
}

// stack wraps m in the middleware of kind, with backup as the fallback.
func stack(b testing.TB, kind string, m, backup llm.Model) stacked {
	b.Helper()
	fb := fallback.Middleware([]fallback.Candidate{{Name: "backup", Model: backup}}, nil)
	tp, mp := providers(b, kind)
	if tp == nil {
		return stacked{Model: llm.Wrap(m, fb)}
	}
	opts := &otelllm.Options{TracerProvider: tp}
	if mp != nil {
		opts.MeterProvider = mp
	}
	tel, err := otelllm.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	return stacked{Model: llm.Wrap(m, tel.Middleware(otelllm.ProviderAWSBedrock), fb), tp: tp, mp: mp}
}

// callText makes one call the way the llmkit contender does (Generate, or a stream
// ranged with Events then Response) and returns the answer's text.
func callText(ctx context.Context, m llm.Model, req *llm.Request, stream bool) (string, error) {
	if !stream {
		resp, err := m.Generate(ctx, req)
		if err != nil {
			return "", err
		}
		return resp.Text(), nil
	}
	s, err := m.Stream(ctx, req)
	if err != nil {
		return "", err
	}
	defer s.Close()
	for _, err := range s.Events() {
		if err != nil {
			return "", err
		}
	}
	resp, err := s.Response()
	if err != nil {
		return "", err
	}
	return resp.Text(), nil
}

// blockCalls is how many calls of one kind a block makes in a row.
const blockCalls = 16

// BenchmarkMiddlewareStack measures what each middleware stack adds to llmkit's Bedrock
// model on the simulator, for (1) Converse and (3) the 1,000-delta stream.
//
// Each op makes a block of 16 calls through the bare model, a block through the stack
// and, for the stacks with OpenTelemetry, a block through the OpenTelemetry floor (the
// same SDK work around the bare model with no llmkit middleware: see otelFloor), in
// rotating order, and times each block as a whole. Timing blocks rather than single
// calls counts the work a call leaves running when it returns (the HTTP transport's
// goroutines, the span processor's) against the calls of its own kind, as a program
// making calls back to back would see it; rotating the kinds makes drift in the
// machine's load land on all of them.
//
// Reported per kind (plain, stacked, floor): the median over blocks of the wall time per
// call, and the process's CPU time per call (getrusage: the simulator runs in another
// process); and the overhead of the stack and of the floor over the bare model, in
// each.
func BenchmarkMiddlewareStack(b *testing.B) {
	for _, r := range []run{runConverse, runStream1k} {
		for _, kind := range stacks {
			b.Run(r.name+"/"+kind, func(b *testing.B) { stackBlocks(b, r, kind) })
		}
	}
}

// stackModels returns the models one op of BenchmarkMiddlewareStack calls: the bare
// model, the stack of kind over it, and (with OpenTelemetry) the floor over it.
func stackModels(b *testing.B, kind string, r run) (models []llm.Model, req *llm.Request) {
	client := contender.RuntimeClient(sim.URL)
	var plain llm.Model = bedrock.New(client, nil)
	st := stack(b, kind, plain, bedrock.New(client, nil))
	req, err := llmkit.Request(r.w)
	if err != nil {
		b.Fatal(err)
	}
	models = []llm.Model{plain, st}
	if st.tp != nil {
		models = append(models, newOTelFloor(b, kind, plain, req, r.events > 0).wrap(plain))
	}
	want := r.w.Want().Text
	for _, m := range models {
		if got, err := callText(context.Background(), m, req, r.events > 0); err != nil || got != want {
			b.Fatalf("check: %v; text %.60q, want %.60q", err, got, want)
		}
	}
	return models, req
}

func stackBlocks(b *testing.B, r run, kind string) {
	models, req := stackModels(b, kind, r)
	stream := r.events > 0
	ctx := context.Background()
	walls := make([][]time.Duration, len(models))
	cpus := make([]int64, len(models))
	n := 0
	for b.Loop() {
		for k := range models {
			i := (k + n) % len(models)
			c0, t0 := cpuTime(), time.Now()
			for range blockCalls {
				if _, err := callText(ctx, models[i], req, stream); err != nil {
					b.Fatal(err)
				}
			}
			t1, c1 := time.Now(), cpuTime()
			walls[i] = append(walls[i], t1.Sub(t0)/blockCalls)
			cpus[i] += c1 - c0
		}
		n++
	}
	calls := float64(n * blockCalls)
	names := []string{"plain", "stacked", "floor"}
	for i := range models {
		b.ReportMetric(float64(median(walls[i]).Nanoseconds()), names[i]+"-median-ns/call")
		b.ReportMetric(float64(cpus[i])/calls, names[i]+"-cpu-ns/call")
		if i > 0 {
			b.ReportMetric(pct(float64(median(walls[i])), float64(median(walls[0]))), names[i]+"-overhead-%")
			b.ReportMetric(pct(float64(cpus[i]), float64(cpus[0])), names[i]+"-cpu-overhead-%")
		}
	}
}

// pct is by how much a exceeds b, in percent.
func pct(a, b float64) float64 { return 100 * (a/b - 1) }

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// heapAllocs is the number of heap objects the process has allocated so far.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// inMemory returns a 120-word answer and a 1,000-delta stream, and a request, for the
// benchmarks without network.
func inMemory() (text *llm.Response, stream []llm.Event, req *llm.Request) {
	text = &llm.Response{Message: llm.AssistantText("a 120-word answer"), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 900, OutputTokens: 160, TotalTokens: 1060}, Model: "m", RequestID: "req-1"}
	stream = []llm.Event{llm.MessageStart{Role: llm.RoleAssistant}}
	for i := range 1000 {
		stream = append(stream, llm.TextDelta{Index: 0, Text: fmt.Sprintf("w%d ", i)})
	}
	stream = append(stream, llm.BlockStop{Index: 0}, llm.MessageStop{StopReason: llm.StopReasonEndTurn},
		llm.Metadata{Usage: text.Usage})
	req = &llm.Request{Model: "m", MaxTokens: 512, Messages: []llm.Message{llm.UserText("hi")}}
	return text, stream, req
}
