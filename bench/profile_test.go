package bench

import (
	"context"
	"flag"
	"runtime/pprof"
	"testing"
)

var profileStack = flag.String("stack", stackTracing, "the stack BenchmarkMiddlewareProfile profiles: "+stackTracing+", "+stackMetrics+" or "+stackBatch)

// BenchmarkMiddlewareProfile is BenchmarkMiddlewareStack made for a CPU or memory
// profile: each op makes one call through the bare model, one through the stack (the
// issue's, stackTracing, unless -stack names another) and one through its OpenTelemetry
// floor, in rotating order, each with a pprof label (call=plain, call=stacked,
// call=floor) on the calling goroutine, so that one profile, taken while all kinds of
// call share the machine's state, splits into them:
//
//	go test -run '^$' -bench 'MiddlewareProfile/Converse' -benchtime 20000x -cpuprofile cpu.prof . -args -stack=batch
//	go tool pprof -tagfocus call=plain -proto cpu.prof > plain.prof
//	go tool pprof -tagfocus call=stacked -proto cpu.prof > stacked.prof
//	go tool pprof -tagfocus call=floor -proto cpu.prof > floor.prof
//	go tool pprof -top -diff_base plain.prof stacked.prof
//
// Only the calling goroutine's work carries the label: the HTTP transport's goroutines,
// the span processor's and the garbage collector's work carry none.
func BenchmarkMiddlewareProfile(b *testing.B) {
	for _, r := range []run{runConverse, runStream1k} {
		b.Run(r.name, func(b *testing.B) {
			kind := *profileStack
			if kind == stackFallback {
				b.Fatal("-stack: the profile needs a stack with OpenTelemetry")
			}
			models, req := stackModels(b, kind, r)
			stream := r.events > 0
			base := context.Background()
			names := []string{"plain", "stacked", "floor"}
			labelled := make([]context.Context, len(names))
			for i, name := range names {
				labelled[i] = pprof.WithLabels(base, pprof.Labels("call", name))
			}
			defer pprof.SetGoroutineLabels(base)
			cpu := make([]int64, len(models))
			allocs := make([]uint64, len(models))
			n := 0
			for b.Loop() {
				for k := range models {
					i := (k + n) % len(models)
					pprof.SetGoroutineLabels(labelled[i])
					c0, a0 := cpuTime(), heapAllocs()
					if _, err := callText(base, models[i], req, stream); err != nil {
						b.Fatal(err)
					}
					a1, c1 := heapAllocs(), cpuTime()
					cpu[i] += c1 - c0
					allocs[i] += a1 - a0
				}
				n++
			}
			pprof.SetGoroutineLabels(base)
			for i, name := range names {
				b.ReportMetric(float64(cpu[i])/float64(n), name+"-cpu-ns/call")
				b.ReportMetric(float64(allocs[i])/float64(n), name+"-allocs/call")
			}
			b.ReportMetric(pct(float64(cpu[1]), float64(cpu[0])), "cpu-overhead-%")
		})
	}
}
