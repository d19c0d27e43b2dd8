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
	"github.com/llmkit/llmkit/llm/llmtest"
	"github.com/llmkit/llmkit/otelllm"
	"github.com/llmkit/llmkit/providers/bedrock"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/contender/llmkit"
)

// Stack variants: what the middleware stack holds.
const (
	// stackFull is what the issue measures: OpenTelemetry tracing (an SDK
	// TracerProvider with AlwaysSample, every span exported through the SDK's batch span
	// processor to a no-op exporter) and metrics (an SDK MeterProvider with a manual
	// reader: aggregated, read by nobody) around a fallback to one more candidate.
	stackFull = "full"
	// stackSampled is the same with one trace in ten sampled (ParentBased(TraceIDRatio
	// 0.1)), a common production setting; metrics are still recorded on every call.
	stackSampled = "sampled10"
	// stackFallback is the fallback alone: the cost of the middleware mechanics
	// (llm.Wrap, the fallback's stream) without OpenTelemetry's.
	stackFallback = "fallback"
)

var stackVariants = []string{stackFull, stackSampled, stackFallback}

// stacked is a model wrapped in a middleware stack, with the OpenTelemetry providers
// it uses (nil for the fallback alone).
type stacked struct {
	llm.Model
	tp *sdktrace.TracerProvider
	mp *sdkmetric.MeterProvider
}

// stack wraps m in the middleware of variant, with backup as the fallback.
func stack(b *testing.B, variant string, m, backup llm.Model) stacked {
	b.Helper()
	fb := fallback.Middleware([]fallback.Candidate{{Name: "backup", Model: backup}}, nil)
	if variant == stackFallback {
		return stacked{Model: llm.Wrap(m, fb)}
	}
	sampler := sdktrace.AlwaysSample()
	if variant == stackSampled {
		sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel, err := otelllm.New(&otelllm.Options{TracerProvider: tp, MeterProvider: mp})
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

// BenchmarkMiddlewareStack measures what the middleware stack adds to llmkit's Bedrock
// model on the simulator, for (1) Converse and (3) the 1,000-delta stream. Each op makes
// one call through the bare model and one through the stack — and, for the stacks with
// OpenTelemetry, the OpenTelemetry floor: the same span and metrics made with the SDK
// alone (otelFloor) — in rotating order, and measures each: the calls of an op share
// the machine's state, so drift in load lands on all. Per call it reports the mean wall
// time (plain-ns/call, stacked-ns/call), the median wall time, the process's CPU time
// (getrusage: the in-process simulator's share is the same for both) and heap
// allocations (runtime/metrics), and the stack's overhead over the bare model in each.
func BenchmarkMiddlewareStack(b *testing.B) {
	for _, r := range []run{runConverse, runStream1k} {
		for _, variant := range stackVariants {
			b.Run(r.name+"/"+variant, func(b *testing.B) { pairs(b, r, variant) })
		}
	}
}

// tally sums the measures of one kind of call.
type tally struct {
	wall   []time.Duration
	cpu    int64
	allocs uint64
}

func (t *tally) report(b *testing.B, name string, n int) {
	var sum time.Duration
	for _, d := range t.wall {
		sum += d
	}
	b.ReportMetric(float64(sum.Nanoseconds())/float64(n), name+"-ns/call")
	b.ReportMetric(float64(median(t.wall).Nanoseconds()), name+"-median-ns")
	b.ReportMetric(float64(t.cpu)/float64(n), name+"-cpu-ns/call")
	b.ReportMetric(float64(t.allocs)/float64(n), name+"-allocs/call")
}

// pct is by how much a exceeds b, in percent.
func pct(a, b float64) float64 { return 100 * (a/b - 1) }

// pairs measures r through the bare model and through the stack of variant (and the
// OpenTelemetry floor, when the stack has OpenTelemetry), in rotating order.
func pairs(b *testing.B, r run, variant string) {
	client := contender.RuntimeClient(sim.URL)
	var plain llm.Model = bedrock.New(client, nil)
	st := stack(b, variant, plain, bedrock.New(client, nil))
	req, err := llmkit.Request(r.w)
	if err != nil {
		b.Fatal(err)
	}
	stream := r.events > 0
	ctx := context.Background()
	want := r.w.Want().Text
	for _, m := range []llm.Model{plain, st} {
		if got, err := callText(ctx, m, req, stream); err != nil || got != want {
			b.Fatalf("check: %v; text %.60q, want %.60q", err, got, want)
		}
	}
	calls := []func() error{
		func() error { _, err := callText(ctx, plain, req, stream); return err },
		func() error { _, err := callText(ctx, st, req, stream); return err },
	}
	if variant == stackFull {
		floor := newOTelFloor(b, st, plain, req, stream)
		calls = append(calls, func() error { floor.call(ctx); return nil })
	}
	t := make([]tally, len(calls))
	n := 0
	for b.Loop() {
		for k := range calls {
			i := (k + n) % len(calls)
			c0, a0, t0 := cpuTime(), heapAllocs(), time.Now()
			if err := calls[i](); err != nil {
				b.Fatal(err)
			}
			t1, a1, c1 := time.Now(), heapAllocs(), cpuTime()
			t[i].wall = append(t[i].wall, t1.Sub(t0))
			t[i].cpu += c1 - c0
			t[i].allocs += a1 - a0
		}
		n++
	}
	t[0].report(b, "plain", n)
	t[1].report(b, "stacked", n)
	mean := func(t tally) float64 {
		var sum time.Duration
		for _, d := range t.wall {
			sum += d
		}
		return float64(sum)
	}
	b.ReportMetric(pct(mean(t[1]), mean(t[0])), "overhead-%")
	b.ReportMetric(pct(float64(median(t[1].wall)), float64(median(t[0].wall))), "median-overhead-%")
	b.ReportMetric(pct(float64(t[1].cpu), float64(t[0].cpu)), "cpu-overhead-%")
	if len(t) == 3 {
		// The floor's share of the bare call: what the stack costs at least, whatever
		// llmkit does.
		t[2].report(b, "otelsdk", n)
		b.ReportMetric(100*float64(t[2].cpu)/float64(t[0].cpu), "otelsdk-cpu-%")
		b.ReportMetric(100*float64(median(t[2].wall))/float64(median(t[0].wall)), "otelsdk-median-%")
	}
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

// BenchmarkMiddlewareInMemory measures the stack's own cost, with no network: the same
// calls against a scripted in-memory model, bare (plain) and with the full stack
// (stacked), and the OpenTelemetry floor alone (otelsdk: the same span and metrics made
// with the SDK, no llmkit code). stacked minus plain is what the stack adds to a call;
// that minus otelsdk is what llmkit's own middleware code costs.
func BenchmarkMiddlewareInMemory(b *testing.B) {
	text := &llm.Response{Message: llm.AssistantText("a 120-word answer"), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 900, OutputTokens: 160, TotalTokens: 1060}}
	evs := []llm.Event{llm.MessageStart{Role: llm.RoleAssistant}}
	for i := range 1000 {
		evs = append(evs, llm.TextDelta{Index: 0, Text: fmt.Sprintf("w%d ", i)})
	}
	evs = append(evs, llm.BlockStop{Index: 0}, llm.MessageStop{StopReason: llm.StopReasonEndTurn},
		llm.Metadata{Usage: text.Usage})
	req := &llm.Request{Model: "m", Messages: []llm.Message{llm.UserText("hi")}}
	for _, c := range []struct {
		name   string
		reply  llmtest.Answer
		stream bool
	}{
		{"Generate", llmtest.Respond(text), false},
		{"Stream1k", llmtest.Stream(evs, nil), true},
	} {
		for _, kind := range []string{"plain", "stacked", "otelsdk"} {
			b.Run(c.name+"/"+kind, func(b *testing.B) {
				inner := llmtest.New()
				inner.SetHandler(func(context.Context, *llm.Request) llmtest.Answer { return c.reply })
				ctx := context.Background()
				call := func() error { _, err := callText(ctx, inner, req, c.stream); return err }
				switch kind {
				case "stacked":
					st := stack(b, stackFull, inner, llmtest.New())
					call = func() error { _, err := callText(ctx, st, req, c.stream); return err }
				case "otelsdk":
					floor := newOTelFloor(b, stack(b, stackFull, inner, llmtest.New()), inner, req, c.stream)
					call = func() error { floor.call(ctx); return nil }
				}
				b.ReportAllocs()
				n := 0
				cpu0 := cpuTime()
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
					n++
				}
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
			})
		}
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
