package bench

import (
	"context"
	"runtime/pprof"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/contender/llmkit"
)

// BenchmarkMiddlewareProfile is BenchmarkMiddlewareStack's full stack made for a CPU
// or memory profile: each op makes one call through the bare model, one through the
// stack and one OpenTelemetry floor call, in rotating order, and runs each with a
// pprof label (call=plain, call=stacked, call=floor) on the calling goroutine, so that
// one profile, taken while all kinds of call share the machine's state, splits into
// them:
//
//	go test -run '^$' -bench 'MiddlewareProfile/Converse' -benchtime 20000x -cpuprofile cpu.prof .
//	go tool pprof -tagfocus call=plain -proto cpu.prof > plain.prof
//	go tool pprof -tagfocus call=stacked -proto cpu.prof > stacked.prof
//	go tool pprof -tagfocus call=floor -proto cpu.prof > floor.prof
//	go tool pprof -top -diff_base plain.prof stacked.prof
//
// Only the calling goroutine's work carries the label: the HTTP transport's and the
// in-process simulator's goroutines, the span processor's and the garbage collector's
// work carry none.
func BenchmarkMiddlewareProfile(b *testing.B) {
	for _, r := range []run{runConverse, runStream1k} {
		b.Run(r.name, func(b *testing.B) {
			client := contender.RuntimeClient(sim.URL)
			var plain llm.Model = bedrock.New(client, nil)
			st := stack(b, stackFull, plain, bedrock.New(client, nil))
			req, err := llmkit.Request(r.w)
			if err != nil {
				b.Fatal(err)
			}
			stream := r.events > 0
			want := r.w.Want().Text
			base := context.Background()
			labelled := []context.Context{
				pprof.WithLabels(base, pprof.Labels("call", "plain")),
				pprof.WithLabels(base, pprof.Labels("call", "stacked")),
				pprof.WithLabels(base, pprof.Labels("call", "floor")),
			}
			for _, m := range []llm.Model{plain, st} {
				if got, err := callText(base, m, req, stream); err != nil || got != want {
					b.Fatalf("check: %v; text %.60q, want %.60q", err, got, want)
				}
			}
			floor := newOTelFloor(b, st, plain, req, stream)
			calls := []func() error{
				func() error { _, err := callText(base, plain, req, stream); return err },
				func() error { _, err := callText(base, st, req, stream); return err },
				func() error { floor.call(base); return nil },
			}
			defer pprof.SetGoroutineLabels(base)
			t := make([]tally, len(calls))
			n := 0
			for b.Loop() {
				for k := range calls {
					i := (k + n) % len(calls)
					pprof.SetGoroutineLabels(labelled[i])
					c0, a0 := cpuTime(), heapAllocs()
					if err := calls[i](); err != nil {
						b.Fatal(err)
					}
					a1, c1 := heapAllocs(), cpuTime()
					t[i].cpu += c1 - c0
					t[i].allocs += a1 - a0
				}
				n++
			}
			pprof.SetGoroutineLabels(base)
			for i, name := range []string{"plain", "stacked", "otelsdk"} {
				b.ReportMetric(float64(t[i].cpu)/float64(n), name+"-cpu-ns/call")
				b.ReportMetric(float64(t[i].allocs)/float64(n), name+"-allocs/call")
			}
			b.ReportMetric(pct(float64(t[1].cpu), float64(t[0].cpu)), "cpu-overhead-%")
		})
	}
}
