package llmtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

func Example() {
	ctx := context.Background()
	m := llmtest.New(
		llmtest.ToolCalls(llm.ToolCall{ID: "t1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)}),
		llmtest.Text("2 + 3 = 5"),
		llmtest.Fail(&llm.ProviderError{Provider: "test", Op: "converse", Category: llm.ErrRateLimited}),
	)

	resp, _ := m.Generate(ctx, &llm.Request{Messages: []llm.Message{llm.UserText("What is 2 + 3?")}})
	fmt.Println(resp.StopReason, resp.ToolCalls()[0].Name, string(resp.ToolCalls()[0].Input))

	s, _ := m.Stream(ctx, &llm.Request{Messages: []llm.Message{llm.UserText("And the answer?")}})
	for text, err := range s.Text() {
		if err != nil {
			panic(err)
		}
		fmt.Println(text)
	}

	_, err := m.Generate(ctx, &llm.Request{})
	fmt.Println(errors.Is(err, llm.ErrRateLimited))

	_, err = m.Generate(ctx, &llm.Request{})
	fmt.Println(errors.Is(err, llmtest.ErrNoReply))

	fmt.Println(len(m.Requests()), "requests recorded")
	// Output:
	// tool_use add {"a":2,"b":3}
	// 2 + 3 = 5
	// true
	// true
	// 4 requests recorded
}

func ExampleModel_SetHandler() {
	m := llmtest.New()
	m.SetHandler(func(ctx context.Context, req *llm.Request) llmtest.Answer {
		last := req.Messages[len(req.Messages)-1]
		return llmtest.Text("you said: " + last.Text())
	})
	resp, _ := m.Generate(context.Background(), &llm.Request{Messages: []llm.Message{llm.UserText("hello")}})
	fmt.Println(resp.Text())
	// Output:
	// you said: hello
}
