package openai_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
	"github.com/llmkit/llmkit/structured"
)

// A Model on a Chat Completions server (here the loopback simulator; for OpenAI,
// openai.NewFromEnv(openai.Config{}, nil); for Groq, a Config with its BaseURL and key).
func Example() {
	srv := openaitest.NewServer()
	defer srv.Close()
	srv.Enqueue(openaitest.Text("Hello! How can I help?"), openaitest.Text("1, 2, 3").Split(3))

	m := openai.NewWithConfig(openai.Config{BaseURL: srv.URL(), APIKey: "test-key", HTTPClient: srv.HTTPClient()}, nil)
	ctx := context.Background()
	resp, err := m.Generate(ctx, &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("Hello")}})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text(), resp.StopReason, resp.Usage.InputTokens)

	s, err := m.Stream(ctx, &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("Count to three")}})
	if err != nil {
		panic(err)
	}
	for text, err := range s.Text() {
		if err != nil {
			panic(err)
		}
		fmt.Printf("[%s]", text)
	}
	fmt.Println()
	// Output:
	// Hello! How can I help? end_turn 10
	// [1,][ 2][, 3]
}

// Structured output: native response_format json_schema on gpt-4o; the object is the
// answer's text and Response.Object.
func Example_object() {
	srv := openaitest.NewServer()
	defer srv.Close()
	srv.Enqueue(openaitest.Text(`{"city":"Paris","population":2102650}`))
	m := openai.New(srv.Client(), nil)

	type City struct {
		City       string `json:"city"`
		Population int    `json:"population"`
	}
	city, _, err := structured.Generate[City](context.Background(), m, &llm.Request{Model: "gpt-4o",
		Messages: []llm.Message{llm.UserText("The largest city of France?")}}, nil)
	if err != nil {
		panic(err)
	}
	var sent struct {
		ResponseFormat struct {
			Type string `json:"type"`
		} `json:"response_format"`
	}
	_ = json.Unmarshal(srv.Requests()[0].Body, &sent)
	fmt.Println(city.City, city.Population, sent.ResponseFormat.Type)
	// Output: Paris 2102650 json_schema
}
