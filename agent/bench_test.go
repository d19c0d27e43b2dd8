package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// toolLoopModel answers a user message with calls of tool "sleep" (n of them) and a
// tool message with a final text, forever.
func toolLoopModel(n int) *llmtest.Model {
	calls := make([]llm.ToolCall, n)
	for i := range calls {
		calls[i] = llm.ToolCall{ID: fmt.Sprintf("c%d", i), Name: "sleep", Input: json.RawMessage(`{}`)}
	}
	toolTurn, final := llmtest.ToolCalls(calls...), llmtest.Text("done")
	m := llmtest.New()
	m.SetHandler(func(ctx context.Context, r *llm.Request) llmtest.Answer {
		if r.Messages[len(r.Messages)-1].Role == llm.RoleTool {
			return final
		}
		return toolTurn
	})
	return m
}

func sleepTool(d time.Duration) agent.Tool {
	return agent.Tool{
		Declaration: llm.Tool{Name: "sleep"},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			if d > 0 {
				time.Sleep(d)
			}
			return []llm.Part{llm.Text{Text: "ok"}}, nil
		},
	}
}

// BenchmarkParallelTools runs one step with three tools that each sleep 50 ms: in
// parallel the step takes about 50 ms, not 150 (one op is one run: the tool step and
// the final answer).
func BenchmarkParallelTools(b *testing.B) {
	for _, p := range []struct {
		name  string
		limit int
	}{{"parallel", 0}, {"sequential", 1}} {
		b.Run(p.name, func(b *testing.B) {
			a := agent.New(toolLoopModel(3), &agent.Options{Tools: []agent.Tool{sleepTool(50 * time.Millisecond)}, Parallelism: p.limit})
			req := &llm.Request{Messages: []llm.Message{llm.UserText("go")}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Run(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoopOverhead measures the loop's own cost per run of two steps (one tool
// call, one final answer) on a scripted model and a tool that does nothing.
func BenchmarkLoopOverhead(b *testing.B) {
	req := &llm.Request{Messages: []llm.Message{llm.UserText("go")}}
	b.Run("run", func(b *testing.B) {
		a := agent.New(toolLoopModel(1), &agent.Options{Tools: []agent.Tool{sleepTool(0)}})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Run(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream", func(b *testing.B) {
		a := agent.New(toolLoopModel(1), &agent.Options{Tools: []agent.Tool{sleepTool(0)}})
		b.ReportAllocs()
		for b.Loop() {
			for _, err := range a.Stream(context.Background(), req) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkSessionSend measures a session turn on a scripted model, the history kept at
// a fixed length.
func BenchmarkSessionSend(b *testing.B) {
	m := llmtest.New()
	reply := llmtest.Text("ok")
	m.SetHandler(func(ctx context.Context, r *llm.Request) llmtest.Answer { return reply })
	s := agent.NewSession(m, nil)
	b.ReportAllocs()
	for b.Loop() {
		s.Reset()
		if _, err := s.Send(context.Background(), llm.Text{Text: "hi"}); err != nil {
			b.Fatal(err)
		}
	}
}
