package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// BenchmarkMiddlewareInMemory measures the stacks' own cost with no network: a Generate
// and a 1,000-delta stream from the scripted in-memory model, bare (plain), through a
// stack (the kinds of BenchmarkMiddlewareStack) and through the OpenTelemetry floor of
// the stack (floor: the same SDK work, no llmkit middleware). Calls run back to back,
// so code and data stay in the CPU's caches: this is the best case. stacked minus
// floor is what llmkit's middleware code costs.
func BenchmarkMiddlewareInMemory(b *testing.B) {
	memBench(b, false)
}

// BenchmarkMiddlewareCold is BenchmarkMiddlewareInMemory with the CPU's caches evicted
// before each call (8 MiB written and some unrelated code run, untimed), as the work of
// a network call evicts them: the telemetry then runs cold, as it does around a real
// call, and costs several times what it costs warm. Only the call is timed (call-ns).
func BenchmarkMiddlewareCold(b *testing.B) {
	memBench(b, true)
}

func memBench(b *testing.B, cold bool) {
	text, evs, req := inMemory()
	for _, c := range []struct {
		name   string
		reply  llmtest.Answer
		stream bool
	}{
		{"Generate", llmtest.Respond(text), false},
		{"Stream1k", llmtest.Stream(evs, nil), true},
	} {
		for _, kind := range []string{"plain", stackTracing + "/stacked", stackTracing + "/floor", stackMetrics + "/stacked",
			stackMetrics + "/floor", stackBatch + "/stacked", stackBatch + "/floor", stackFallback + "/stacked"} {
			b.Run(c.name+"/"+kind, func(b *testing.B) {
				inner := llmtest.New()
				inner.SetHandler(func(context.Context, *llm.Request) llmtest.Answer { return c.reply })
				var m llm.Model = inner
				if kind != "plain" {
					stackKind, which, _ := strings.Cut(kind, "/")
					if which == "floor" {
						m = newOTelFloor(b, stackKind, inner, req, c.stream).wrap(inner)
					} else {
						m = stack(b, stackKind, inner, llmtest.New())
					}
				}
				ctx := context.Background()
				if !cold {
					b.ReportAllocs()
				}
				var took time.Duration
				n := 0
				cpu0 := cpuTime()
				for b.Loop() {
					if cold {
						evict()
					}
					t0 := time.Now()
					if _, err := callText(ctx, m, req, c.stream); err != nil {
						b.Fatal(err)
					}
					took += time.Since(t0)
					n++
				}
				if cold {
					b.ReportMetric(float64(took.Nanoseconds())/float64(n), "call-ns")
				} else {
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
				}
			})
		}
	}
}

var evictBuf = make([]byte, 8<<20)

// evict evicts the CPU's caches, as the work of a network call does: it writes a
// buffer twice the size of this machine's per-core L2 cache and runs some unrelated
// code (maps, formatting, JSON).
func evict() {
	for i := 0; i < len(evictBuf); i += 64 {
		evictBuf[i]++
	}
	v := make([]map[string]any, 0, 50)
	for i := range 50 {
		v = append(v, map[string]any{"a": i, "b": fmt.Sprint(i), "c": []int{i, i}})
	}
	_, _ = json.Marshal(v)
}
