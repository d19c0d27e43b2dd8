package agent_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// A chat whose turns may call tools: the session keeps the conversation, the agent
// runs the tool loop of each turn, and the whole turn — the question, the tool calls,
// their results and the answer — enters the history when it succeeds.
func ExampleSession_Run() {
	type AddInput struct {
		A int `json:"a"`
		B int `json:"b"`
	}
	add, err := agent.NewTool("add", "Add two integers", func(_ context.Context, in AddInput) (int, error) {
		return in.A + in.B, nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// A scripted model stands in for a provider: it calls add, then answers.
	m := llmtest.New(
		llmtest.ToolCalls(llm.ToolCall{ID: "c1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)}),
		llmtest.Text("2 + 3 = 5."),
		llmtest.Text("You asked about 2 + 3."),
	)
	a := agent.New(m, &agent.Options{Tools: []agent.Tool{add}})
	sess := agent.NewSession(m, &llm.Request{Model: "any", Messages: []llm.Message{llm.SystemText("Use the tools.")}})

	res, err := sess.Run(context.Background(), a, llm.Text{Text: "What is 2 + 3?"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Text(), res.Steps, "model calls")
	// A plain turn sees the whole first turn in the history.
	resp, err := sess.Send(context.Background(), llm.Text{Text: "What did I ask?"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	for _, msg := range sess.History() {
		fmt.Printf("%s: %d part(s)\n", msg.Role, len(msg.Parts))
	}
	// Output:
	// 2 + 3 = 5. 2 model calls
	// You asked about 2 + 3.
	// user: 1 part(s)
	// assistant: 1 part(s)
	// tool: 1 part(s)
	// assistant: 1 part(s)
	// user: 1 part(s)
	// assistant: 1 part(s)
}
