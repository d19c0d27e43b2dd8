package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/contender/all"
	"github.com/llmkit/llmkit/bench/internal/contender/raw"
	"github.com/llmkit/llmkit/bench/internal/harness"
	"github.com/llmkit/llmkit/bench/internal/workload"
)

var sim *harness.Sim

func TestMain(m *testing.M) {
	s, err := harness.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sim = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}

// A workload run: what one benchmark op does, and how many requests it makes.
type run struct {
	w     *workload.Workload
	name  string
	perOp int
	do    func(context.Context, contender.Contender) (workload.Answer, error)
	// events is the number of stream events per op, for the ns/event figure.
	events int
}

var (
	runConverse = run{w: workload.Converse, name: "Converse", perOp: 1,
		do: func(ctx context.Context, c contender.Contender) (workload.Answer, error) { return c.Converse(ctx) }}
	runToolTrip = run{w: workload.ToolTrip, name: "ToolRoundTrip", perOp: 2,
		do: func(ctx context.Context, c contender.Contender) (workload.Answer, error) { return c.ToolRoundTrip(ctx) }}
	runStream1k   = streamRun(workload.Stream1k)
	runStreamTool = streamRun(workload.StreamTool)
	runStream100k = streamRun(workload.Stream100k)
)

func streamRun(w *workload.Workload) run {
	return run{w: w, name: w.Name, perOp: 1, events: w.Replies[0].Events(),
		do: func(ctx context.Context, c contender.Contender) (workload.Answer, error) { return c.Stream(ctx, w) }}
}

// Sessions and Rounds shape the concurrent workload: Sessions goroutines, each making
// Rounds times one Converse call and one 1,000-delta stream.
const (
	Sessions = 64
	Rounds   = 2
)

// concurrent runs Sessions sessions of Rounds rounds each and checks every answer.
func concurrent(ctx context.Context, c contender.Contender) error {
	wantConverse, wantStream := workload.Converse.Want(), workload.Stream1k.Want()
	var wg sync.WaitGroup
	errs := make([]error, Sessions)
	for i := range Sessions {
		wg.Go(func() {
			for range Rounds {
				a, err := c.Converse(ctx)
				if err == nil {
					err = workload.Check(a, wantConverse)
				}
				if err == nil {
					a, err = c.Stream(ctx, workload.Stream1k)
				}
				if err == nil {
					err = workload.Check(a, wantStream)
				}
				if err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func BenchmarkConverse(b *testing.B)      { benchRun(b, runConverse) }
func BenchmarkToolRoundTrip(b *testing.B) { benchRun(b, runToolTrip) }
func BenchmarkStream1k(b *testing.B)      { benchRun(b, runStream1k) }
func BenchmarkStreamTools(b *testing.B)   { benchRun(b, runStreamTool) }
func BenchmarkStream100k(b *testing.B)    { benchRun(b, runStream100k) }

// BenchmarkConcurrent64 runs 64 concurrent sessions, each making Rounds times one
// Converse call and one 1,000-delta stream; it reports requests per second.
func BenchmarkConcurrent64(b *testing.B) {
	for _, e := range all.Contenders {
		b.Run(e.Info.Name, func(b *testing.B) {
			c := open(b, e)
			ctx := context.Background()
			for _, r := range []run{runConverse, runStream1k} {
				if err := checkOnce(ctx, c, r, e.Info.Name); err != nil {
					report(b, "Concurrent64", e.Info.Name, err)
				}
			}
			// One untimed op fills the connection pool.
			if err := concurrent(ctx, c); err != nil {
				report(b, "Concurrent64", e.Info.Name, err)
			}
			record("Concurrent64", e.Info.Name, "ok", "")
			before := stats(b)
			b.ReportAllocs()
			n := 0
			cpu0 := cpuTime()
			for b.Loop() {
				if err := concurrent(ctx, c); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
			after := stats(b)
			perOp := Sessions * Rounds * 2
			if got := after.Requests - before.Requests; got != int64(n*perOp) {
				b.Errorf("simulator saw %d requests for %d ops, want %d", got, n, n*perOp)
			}
			b.ReportMetric(float64(n*perOp)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(before.NewConns(after))/float64(n), "conns/op")
		})
	}
}

func benchRun(b *testing.B, r run) {
	for _, e := range all.Contenders {
		b.Run(e.Info.Name, func(b *testing.B) {
			c := open(b, e)
			ctx := context.Background()
			if err := checkOnce(ctx, c, r, e.Info.Name); err != nil {
				report(b, r.name, e.Info.Name, err)
			}
			record(r.name, e.Info.Name, "ok", "")
			before := stats(b)
			raw.Retries.Store(0)
			b.ReportAllocs()
			n := 0
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := r.do(ctx, c); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
			after := stats(b)
			retries := raw.Retries.Swap(0) // streams of the plain SDK client made again
			if got := after.Requests - before.Requests - retries; got != int64(n*r.perOp) {
				b.Errorf("simulator saw %d requests for %d ops, want %d (%d per op)", got, n, n*r.perOp, r.perOp)
			}
			// Connections must be reused: the report flags any new one during timing.
			nc := before.NewConns(after)
			if nc > 0 {
				b.Logf("%d new connections during %d ops", nc, n)
			}
			b.ReportMetric(float64(nc)/float64(n), "conns/op")
			if r.events > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*r.events), "ns/event")
			}
			if e.Info.Name == raw.InfoPlain.Name {
				b.ReportMetric(float64(retries)/float64(n), "retries/op")
			}
		})
	}
}

var (
	checkedMu sync.Mutex
	checked   = map[string]error{}
)

// checkOnce checks contender c on r the first time this process benchmarks it (a
// benchmark run with -count repeats the benchmark function), and otherwise only warms
// the connection up with one untimed call: of r itself, or of the cheap Converse call
// for the 100,000-delta stream.
func checkOnce(ctx context.Context, c contender.Contender, r run, who string) error {
	key := r.name + "/" + who
	checkedMu.Lock()
	err, done := checked[key]
	checkedMu.Unlock()
	if !done {
		err = check(ctx, c, r)
		checkedMu.Lock()
		checked[key] = err
		checkedMu.Unlock()
		return err
	}
	if err != nil {
		return err
	}
	if r.w == workload.Stream100k {
		_, err = c.Converse(ctx)
	} else {
		_, err = r.do(ctx, c)
	}
	return err
}

func open(b *testing.B, e all.Entry) contender.Contender {
	c, err := e.New(sim.URL)
	if err != nil {
		record(b.Name(), e.Info.Name, "error", err.Error())
		b.Fatalf("%s: %v", e.Info.Name, err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func stats(tb testing.TB) harness.Stats {
	st, err := sim.Stats()
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// check makes one call of r with the simulator checking the request, and compares the
// answer with the workload's. It also warms the connection up.
func check(ctx context.Context, c contender.Contender, r run) error {
	if err := sim.Validate(true); err != nil {
		return err
	}
	defer sim.Validate(false)
	before, err := sim.Stats()
	if err != nil {
		return err
	}
	raw.Retries.Store(0)
	a, err := r.do(ctx, c)
	if err != nil {
		return err
	}
	after, err := sim.Stats()
	if err != nil {
		return err
	}
	if after.Errors != before.Errors {
		return fmt.Errorf("simulator rejected a request: %s", after.LastError)
	}
	if got := after.Requests - before.Requests - raw.Retries.Swap(0); got != int64(r.perOp) {
		return fmt.Errorf("simulator saw %d requests for one call, want %d", got, r.perOp)
	}
	if err := workload.Check(a, r.w.Want()); err != nil {
		return fmt.Errorf("wrong answer: %w", err)
	}
	return nil
}

// report skips a benchmark whose contender cannot do the workload or answers wrongly:
// such a contender is reported, never timed.
func report(b *testing.B, name, who string, err error) {
	status := "wrong"
	if errors.Is(err, contender.ErrUnsupported) {
		status = "unsupported"
	}
	record(name, who, status, err.Error())
	b.Skipf("%s: %s: %v", status, who, err)
}

// cpuTime returns the CPU time (user and system) this process has used, in
// nanoseconds. The simulator runs in another process, so a difference of two readings
// around a benchmark loop is the client's own work: unlike ns/op it does not grow when
// other programs compete for the machine's cores.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

var recordMu sync.Mutex

// record appends the outcome of a check to $BENCH_CHECKS (JSON lines), for the report.
func record(workloadName, who, status, detail string) {
	path := os.Getenv("BENCH_CHECKS")
	if path == "" {
		return
	}
	recordMu.Lock()
	defer recordMu.Unlock()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	line, _ := json.Marshal(map[string]string{"workload": workloadName, "contender": who, "status": status, "detail": detail, "time": time.Now().Format(time.RFC3339)})
	f.Write(append(line, '\n'))
}

// TestCheck checks every contender on every workload once, without timing: the same
// checks the benchmarks make before they time anything.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	for _, r := range []run{runConverse, runToolTrip, runStream1k, runStreamTool, runStream100k} {
		for _, e := range all.Contenders {
			t.Run(r.name+"/"+e.Info.Name, func(t *testing.T) {
				c, err := e.New(sim.URL)
				if err != nil {
					t.Fatalf("%s: %v", e.Info.Name, err)
				}
				defer c.Close()
				if err := check(ctx, c, r); err != nil {
					if errors.Is(err, contender.ErrUnsupported) {
						t.Skipf("unsupported: %v", err)
					}
					if e.Ours {
						t.Errorf("%s on %s: %v", e.Info.Name, r.name, err)
					} else {
						t.Logf("WRONG: %s on %s: %v", e.Info.Name, r.name, err)
					}
				}
			})
		}
	}
}
