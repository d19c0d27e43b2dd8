package bench

import (
	"context"
	"fmt"
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
	// stackFull is what the issue measures: OpenTelemetry tracing (every span sampled
	// and recorded, exported through the SDK's batcher to a no-op exporter) and metrics
	// (aggregated by the SDK, read by nobody) around a fallback to a second model.
	stackFull = "full"
	// stackSampled is the same with one trace in ten sampled (ParentBased(TraceIDRatio
	// 0.1)), a common production setting; metrics are still recorded on every call.
	stackSampled = "sampled10"
	// stackFallback is the fallback alone: the cost of the middleware mechanics
	// (llm.Wrap, the fallback's stream) without OpenTelemetry's.
	stackFallback = "fallback"
)

var stackVariants = []string{stackFull, stackSampled, stackFallback}

// stack wraps m in the middleware of variant, with backup as the fallback.
func stack(b *testing.B, variant string, m, backup llm.Model) llm.Model {
	b.Helper()
	fb := fallback.Middleware([]fallback.Candidate{{Name: "backup", Model: backup}}, nil)
	if variant == stackFallback {
		return llm.Wrap(m, fb)
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithBatcher(tracetest.NewNoopExporter())}
	if variant == stackSampled {
		opts = append(opts, sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel, err := otelllm.New(&otelllm.Options{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		b.Fatal(err)
	}
	return llm.Wrap(m, tel.Middleware(otelllm.ProviderAWSBedrock), fb)
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
// one call through the bare model and one through the stack, in alternating order, and
// times each: the pair shares the machine's state, so drift in load lands on both. It
// reports plain-ns/call, stacked-ns/call and their ratio as overhead-%.
func BenchmarkMiddlewareStack(b *testing.B) {
	for _, r := range []run{runConverse, runStream1k} {
		for _, variant := range stackVariants {
			b.Run(r.name+"/"+variant, func(b *testing.B) { pairs(b, r, variant) })
		}
	}
}

// pairs times r through the bare model and through the stack of variant, alternately.
func pairs(b *testing.B, r run, variant string) {
	client := contender.RuntimeClient(sim.URL)
	var plain llm.Model = bedrock.New(client, nil)
	stacked := stack(b, variant, plain, bedrock.New(client, nil))
	req, err := llmkit.Request(r.w)
	if err != nil {
		b.Fatal(err)
	}
	stream := r.events > 0
	ctx := context.Background()
	want := r.w.Want().Text
	for _, m := range []llm.Model{plain, stacked} {
		if got, err := callText(ctx, m, req, stream); err != nil || got != want {
			b.Fatalf("check: %v; text %.60q, want %.60q", err, got, want)
		}
	}
	var tPlain, tStacked time.Duration
	var dPlain, dStacked []time.Duration
	var cpuPlain, cpuStacked int64
	n := 0
	for b.Loop() {
		first, second := plain, stacked
		if n%2 == 1 {
			first, second = stacked, plain
		}
		c0, t0 := cpuTime(), time.Now()
		if _, err := callText(ctx, first, req, stream); err != nil {
			b.Fatal(err)
		}
		c1, t1 := cpuTime(), time.Now()
		if _, err := callText(ctx, second, req, stream); err != nil {
			b.Fatal(err)
		}
		c2, t2 := cpuTime(), time.Now()
		p, st := t1.Sub(t0), t2.Sub(t1)
		cp, cs := c1-c0, c2-c1
		if n%2 == 1 {
			p, st = st, p
			cp, cs = cs, cp
		}
		cpuPlain, cpuStacked = cpuPlain+cp, cpuStacked+cs
		tPlain, tStacked = tPlain+p, tStacked+st
		dPlain, dStacked = append(dPlain, p), append(dStacked, st)
		n++
	}
	b.ReportMetric(float64(tPlain.Nanoseconds())/float64(n), "plain-ns/call")
	b.ReportMetric(float64(tStacked.Nanoseconds())/float64(n), "stacked-ns/call")
	b.ReportMetric(100*(float64(tStacked)/float64(tPlain)-1), "overhead-%")
	b.ReportMetric(float64(cpuPlain)/float64(n), "plain-cpu-ns/call")
	b.ReportMetric(float64(cpuStacked)/float64(n), "stacked-cpu-ns/call")
	b.ReportMetric(100*(float64(cpuStacked)/float64(cpuPlain)-1), "cpu-overhead-%")
	// Medians resist the outliers a shared machine produces.
	mp, ms := median(dPlain), median(dStacked)
	b.ReportMetric(float64(mp.Nanoseconds()), "plain-median-ns")
	b.ReportMetric(float64(ms.Nanoseconds()), "stacked-median-ns")
	b.ReportMetric(100*(float64(ms)/float64(mp)-1), "median-overhead-%")
}

// BenchmarkMiddlewareInMemory measures the stack's own cost, with no network: the same
// calls against a scripted in-memory model, bare and stacked. Its ns/op difference is the
// absolute time the stack adds to a call.
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
		for _, stacked := range []bool{false, true} {
			name := c.name + "/plain"
			if stacked {
				name = c.name + "/stacked"
			}
			b.Run(name, func(b *testing.B) {
				inner := llmtest.New()
				inner.SetHandler(func(context.Context, *llm.Request) llmtest.Answer { return c.reply })
				var m llm.Model = inner
				if stacked {
					m = stack(b, stackFull, inner, llmtest.New())
				}
				ctx := context.Background()
				b.ReportAllocs()
				n := 0
				cpu0 := cpuTime()
				for b.Loop() {
					if _, err := callText(ctx, m, req, c.stream); err != nil {
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
