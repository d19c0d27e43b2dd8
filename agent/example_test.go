package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

func ExampleSession() {
	ctx := context.Background()
	// A scripted model stands in for a provider such as bedrock.New(client, nil).
	model := llmtest.New(llmtest.Text("Hello! How can I help?"), llmtest.Text("Paris."))
	s := agent.NewSession(model, &llm.Request{
		Model:    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
		Messages: []llm.Message{llm.SystemText("Answer in one line.")},
	})

	resp, err := s.Send(ctx, llm.Text{Text: "Hi!"})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text())

	// A streamed turn enters the history once it has been read to its end.
	stream, err := s.Stream(ctx, llm.Text{Text: "What is the capital of France?"})
	if err != nil {
		panic(err)
	}
	for text, err := range stream.Text() {
		if err != nil {
			panic(err)
		}
		fmt.Println(text)
	}

	for _, m := range s.History() {
		fmt.Printf("%s: %s\n", m.Role, m.Text())
	}
	// The system prompt was sent before the history on every turn.
	fmt.Println(len(model.Requests()[1].Messages), "messages in the second request")
	// Output:
	// Hello! How can I help?
	// Paris.
	// user: Hi!
	// assistant: Hello! How can I help?
	// user: What is the capital of France?
	// assistant: Paris.
	// 4 messages in the second request
}

func ExampleSession_SendMessage() {
	model := llmtest.New(llmtest.Text("4"))
	s := agent.NewSession(model, &llm.Request{Temperature: llm.Ptr(0.7), MaxTokens: 1000})

	// The override runs last and wins over the defaults, for this turn only.
	_, err := s.SendMessage(context.Background(), llm.UserText("2+2?"), func(r *llm.Request) {
		r.Temperature = llm.Ptr(0.0)
	})
	if err != nil {
		panic(err)
	}
	sent := model.Requests()[0]
	fmt.Println(*sent.Temperature, sent.MaxTokens)
	// Output:
	// 0 1000
}

type weatherInput struct {
	City string `json:"city" jsonschema:"description=City name"`
}

type weather struct {
	City    string  `json:"city"`
	Celsius float64 `json:"celsius"`
}

func ExampleNewTool() {
	tool, err := agent.NewTool("get_weather", "Current weather in a city.",
		func(ctx context.Context, in weatherInput) (weather, error) {
			return weather{City: in.City, Celsius: 21.5}, nil
		})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(tool.Declaration.InputSchema))

	out, err := tool.Run(context.Background(), json.RawMessage(`{"city":"Lyon"}`))
	fmt.Println(out, err)
	_, err = tool.Run(context.Background(), json.RawMessage(`{"town":"Lyon"}`))
	fmt.Println(err != nil)
	// Output:
	// {"type":"object","properties":{"city":{"type":"string","description":"City name"}},"additionalProperties":false,"required":["city"]}
	// [{{"city":"Lyon","celsius":21.5} []}] <nil>
	// true
}

func ExampleAgent_Run() {
	add, err := agent.NewTool("add", "Adds two integers.", func(ctx context.Context, in struct {
		A int `json:"a"`
		B int `json:"b"`
	}) (int, error) {
		return in.A + in.B, nil
	})
	if err != nil {
		panic(err)
	}
	model := llmtest.New(
		llmtest.ToolCalls(
			llm.ToolCall{ID: "1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)},
			llm.ToolCall{ID: "2", Name: "add", Input: json.RawMessage(`{"a":10,"b":20}`)},
		),
		llmtest.Text("2+3 is 5 and 10+20 is 30."),
	)
	a := agent.New(model, &agent.Options{Tools: []agent.Tool{add}})
	res, err := a.Run(context.Background(), &llm.Request{
		Messages: []llm.Message{llm.UserText("What are 2+3 and 10+20?")},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Text())
	fmt.Println(res.Steps, "steps")
	for _, m := range res.Messages {
		for _, p := range m.Parts {
			if r, ok := p.(llm.ToolResult); ok {
				fmt.Printf("result %s: %v\n", r.CallID, r.Content[0].(llm.Text).Text)
			}
		}
	}
	// Output:
	// 2+3 is 5 and 10+20 is 30.
	// 2 steps
	// result 1: 5
	// result 2: 30
}

func ExampleAgent_Stream() {
	tool, err := agent.NewRawTool(llm.Tool{
		Name:        "top_song",
		Description: "Get the most popular song played on a radio station.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"sign":{"type":"string"}},"required":["sign"]}`),
	}, func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
		return []llm.Part{llm.Text{Text: `{"song":"Elemental Hotel","artist":"8 Storey Hike"}`}}, nil
	})
	if err != nil {
		panic(err)
	}
	model := llmtest.New(
		llmtest.ToolCalls(llm.ToolCall{ID: "t1", Name: "top_song", Input: json.RawMessage(`{"sign":"WZPZ"}`)}),
		llmtest.Text("The top song on WZPZ is Elemental Hotel by 8 Storey Hike."),
	)
	a := agent.New(model, &agent.Options{Tools: []agent.Tool{tool}})
	var out strings.Builder
	for ev, err := range a.Stream(context.Background(), &llm.Request{
		Messages: []llm.Message{llm.UserText("What is the most popular song on WZPZ?")},
	}) {
		if err != nil {
			panic(err)
		}
		switch ev := ev.(type) {
		case agent.ModelEvent:
			switch e := ev.Event.(type) {
			case llm.TextDelta:
				out.WriteString(e.Text)
			case llm.ToolCallStart:
				fmt.Fprintf(&out, "[calling %s]\n", e.Name)
			}
		case agent.ToolFinished:
			fmt.Fprintf(&out, "[%s → %s]\n", ev.Call.Name, ev.Result.Content[0].(llm.Text).Text)
		case agent.Done:
			fmt.Fprintf(&out, "\n[%d steps]", ev.Result.Steps)
		}
	}
	fmt.Println(out.String())
	// Output:
	// [calling top_song]
	// [top_song → {"song":"Elemental Hotel","artist":"8 Storey Hike"}]
	// The top song on WZPZ is Elemental Hotel by 8 Storey Hike.
	// [2 steps]
}
