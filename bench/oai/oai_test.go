package oai

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/llmkit/llmkit/bench/internal/workload"
)

var baseURL string

// TestMain builds and starts the simulator (bench/cmd/oaisim) in its own process.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "llmkit-oaisim-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin := filepath.Join(dir, "oaisim")
	build := exec.Command("go", "build", "-o", bin, "github.com/llmkit/llmkit/bench/cmd/oaisim")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cmd := exec.Command(bin)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	var addr struct{ Addr string }
	if err == nil {
		err = json.Unmarshal(line, &addr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oaisim:", err)
		os.Exit(2)
	}
	baseURL = "http://" + addr.Addr + "/v1/"
	code := m.Run()
	stdin.Close()
	_ = cmd.Wait()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A contender answers the three workloads.
type oaiContender interface {
	Converse(ctx context.Context) (workload.Answer, error)
	Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error)
}

var contenders = []struct {
	name string
	make func(url string) (oaiContender, error)
}{
	{"raw-openai-go", newRaw},
	{"llmkit", newLLMKit},
	{"langchaingo", newLangchain},
	{"nethttp-json", newNetHTTP},
}

type job struct {
	name string
	w    *workload.Workload
	do   func(context.Context, oaiContender) (workload.Answer, error)
}

var jobs = []job{
	{"Converse", workload.Converse, func(ctx context.Context, c oaiContender) (workload.Answer, error) { return c.Converse(ctx) }},
	{"Stream1k", workload.Stream1k, func(ctx context.Context, c oaiContender) (workload.Answer, error) {
		return c.Stream(ctx, workload.Stream1k)
	}},
	{"StreamTools", workload.StreamTool, func(ctx context.Context, c oaiContender) (workload.Answer, error) {
		return c.Stream(ctx, workload.StreamTool)
	}},
}

// sameAnswer compares an answer with the workload's, tool inputs as JSON values.
func sameAnswer(got, want workload.Answer) error {
	if got.Text != want.Text {
		return fmt.Errorf("text %.60q…, want %.60q…", got.Text, want.Text)
	}
	if len(got.ToolCalls) != len(want.ToolCalls) {
		return fmt.Errorf("%d tool calls, want %d", len(got.ToolCalls), len(want.ToolCalls))
	}
	for i, c := range got.ToolCalls {
		w := want.ToolCalls[i]
		var a, b any
		_ = json.Unmarshal(c.Input, &a)
		_ = json.Unmarshal(w.Input, &b)
		if c.ID != w.ID || c.Name != w.Name || !reflect.DeepEqual(a, b) {
			return fmt.Errorf("tool call %d: %s %s %s, want %s %s %s", i, c.ID, c.Name, c.Input, w.ID, w.Name, w.Input)
		}
	}
	return nil
}

// TestAnswers checks every contender's answer on every workload before anything is
// timed.
func TestAnswers(t *testing.T) {
	for _, c := range contenders {
		cc, err := c.make(baseURL)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, j := range jobs {
			a, err := j.do(context.Background(), cc)
			if err == nil {
				err = sameAnswer(a, j.w.Want())
			}
			if err != nil {
				t.Errorf("%s on %s: %v", c.name, j.name, err)
			}
		}
	}
}

func bench(b *testing.B, j job) {
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			cc, err := c.make(baseURL)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if a, err := j.do(ctx, cc); err != nil || sameAnswer(a, j.w.Want()) != nil {
				b.Skipf("wrong answer or error (%v); see TestAnswers", err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := j.do(ctx, cc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConverse: one call with a system prompt, a 20-message history holding a
// tool round, and 3 tools.
func BenchmarkConverse(b *testing.B) { bench(b, jobs[0]) }

// BenchmarkStream1k: a stream of 1,000 text deltas.
func BenchmarkStream1k(b *testing.B) { bench(b, jobs[1]) }

// BenchmarkStreamTools: a stream with two tool calls in 50 fragments each.
func BenchmarkStreamTools(b *testing.B) { bench(b, jobs[2]) }
