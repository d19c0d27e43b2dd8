package agent_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// Issue 13, point 10: a tool that calls runtime.Goexit gives its call an error result
// with the call's id (Run), and a ToolFinished after its ToolStarted (Stream).
func TestIssue13ToolGoexit(t *testing.T) {
	exits := agent.Tool{
		Declaration: llm.Tool{Name: "exits"},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			runtime.Goexit()
			return nil, nil
		},
	}
	check := func(t *testing.T, m *llmtest.Model) {
		t.Helper()
		reqs := m.Requests()
		if len(reqs) != 2 {
			t.Fatalf("%d model calls, want 2", len(reqs))
		}
		last := reqs[1].Messages[len(reqs[1].Messages)-1]
		if len(last.Parts) != 1 {
			t.Fatalf("tool message %+v, want one result", last)
		}
		r, ok := last.Parts[0].(llm.ToolResult)
		if !ok || r.CallID != "c1" || !r.IsError || !strings.Contains(llm.Message{Parts: r.Content}.Text(), "Goexit") {
			t.Errorf("result of a tool that called Goexit = %+v, want an error result for c1 naming Goexit", last.Parts[0])
		}
	}
	t.Run("run", func(t *testing.T) {
		m := llmtest.New(llmtest.ToolCalls(call("c1", "exits", `{}`)), llmtest.Text("ok"))
		if _, err := agent.New(m, &agent.Options{Tools: []agent.Tool{exits}}).Run(context.Background(), userReq("go")); err != nil {
			t.Fatal(err)
		}
		check(t, m)
	})
	t.Run("stream", func(t *testing.T) {
		m := llmtest.New(llmtest.ToolCalls(call("c1", "exits", `{}`)), llmtest.Text("ok"))
		started, finished := 0, 0
		for ev, err := range agent.New(m, &agent.Options{Tools: []agent.Tool{exits}}).Stream(context.Background(), userReq("go")) {
			if err != nil {
				t.Fatal(err)
			}
			switch e := ev.(type) {
			case agent.ToolStarted:
				started++
			case agent.ToolFinished:
				finished++
				if e.Result.CallID != "c1" || !e.Result.IsError {
					t.Errorf("ToolFinished result %+v, want an error result for c1", e.Result)
				}
			}
		}
		if started != 1 || finished != 1 {
			t.Errorf("%d ToolStarted and %d ToolFinished, want one each", started, finished)
		}
		check(t, m)
	})
}
