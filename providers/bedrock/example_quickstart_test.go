package bedrock_test

import (
	"context"
	"fmt"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/structured"
)

// The README's quick start: Generate, Stream, structured.Generate and the agent loop on one
// Model. The simulator stands in for Bedrock so that the example runs offline; with AWS
// credentials, use bedrock.NewFromConfig(cfg, nil) instead (see the package docs).
func Example_quickstart() {
	ctx := context.Background()
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(
		bedrocktest.Text("Hello!"),
		bedrocktest.Text("One, two, three.").Split(5),
		// Claude Haiku 4.5 takes native structured output: the object comes as text.
		bedrocktest.Text(`{"city":"Paris","population":2100000}`),
		bedrocktest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "t1", Name: "add", Input: []byte(`{"a":2,"b":3}`)},
		}}, StopReason: llm.StopReasonToolUse}),
		bedrocktest.Text("2 + 3 = 5"),
	)
	model := bedrock.New(srv.Client(nil), nil)
	const id = "us.anthropic.claude-haiku-4-5-20251001-v1:0"

	// Generate: one whole answer.
	resp, err := model.Generate(ctx, &llm.Request{Model: id, Messages: []llm.Message{llm.UserText("Say hello")}})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text(), resp.StopReason)

	// Stream: text as it arrives; Response() gives what Generate would have returned.
	stream, err := model.Stream(ctx, &llm.Request{Model: id, Messages: []llm.Message{llm.UserText("Count to three")}})
	if err != nil {
		panic(err)
	}
	for text, err := range stream.Text() {
		if err != nil {
			panic(err)
		}
		fmt.Printf("[%s]", text)
	}
	fmt.Println()

	// structured.Generate: a typed Go value, validated against the schema of its type.
	type City struct {
		City       string `json:"city"`
		Population int    `json:"population"`
	}
	city, _, err := structured.Generate[City](ctx, model, &llm.Request{Model: id, Messages: []llm.Message{llm.UserText("The largest city of France?")}}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", city)

	// The agent loop: the model calls a Go function until it has an answer.
	type AddInput struct {
		A int `json:"a"`
		B int `json:"b"`
	}
	add, err := agent.NewTool("add", "Add two integers", func(ctx context.Context, in AddInput) (int, error) {
		return in.A + in.B, nil
	})
	if err != nil {
		panic(err)
	}
	result, err := agent.New(model, &agent.Options{Tools: []agent.Tool{add}}).
		Run(ctx, &llm.Request{Model: id, Messages: []llm.Message{llm.UserText("What is 2 + 3?")}})
	if err != nil {
		panic(err)
	}
	fmt.Println(result.Text(), "in", result.Steps, "steps")
	// Output:
	// Hello! end_turn
	// [One, ][two, ][three][.]
	// {City:Paris Population:2100000}
	// 2 + 3 = 5 in 2 steps
}
