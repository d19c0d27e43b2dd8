package structured_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
	"github.com/llmkit/llmkit/structured"
)

func ExampleGenerate() {
	type Person struct {
		Name string `json:"name" jsonschema:"description=Full name"`
		Born int    `json:"born" jsonschema:"description=Year of birth"`
	}
	// A scripted model stands in for a provider: its first answer writes the year as a
	// string, the second gets it right.
	m := llmtest.New(
		llmtest.Text(`{"name":"Ada Lovelace","born":"1815"}`),
		llmtest.Text("```json\n{\"name\":\"Ada Lovelace\",\"born\":1815}\n```"),
	)
	req := &llm.Request{Messages: []llm.Message{llm.UserText("Who wrote the first program?")}}

	p, _, err := structured.Generate[Person](context.Background(), m, req, &structured.Options{Retries: 1})
	fmt.Printf("%+v %v\n", p, err)
	fmt.Println(m.Requests()[1].Messages[2].Text())

	// Without retries the mismatch is an *structured.Error carrying the raw answer.
	m = llmtest.New(llmtest.Text(`{"name":"Ada Lovelace","born":"1815"}`))
	_, _, err = structured.Generate[Person](context.Background(), m, req, nil)
	var oe *structured.Error
	if errors.As(err, &oe) {
		fmt.Println(errors.Is(err, llm.ErrNoObject), oe.Reason, oe.Raw)
	}
	// Output:
	// {Name:Ada Lovelace Born:1815} <nil>
	// Your answer did not match the required JSON schema: schema: /born: want integer, got string. Answer again with only one JSON object that matches the schema.
	// true schema mismatch {"name":"Ada Lovelace","born":"1815"}
}

func ExampleStream() {
	type Answer struct {
		Capital string `json:"capital"`
	}
	m := llmtest.New(llmtest.Text(`{"capital":"Paris"}`))
	req := &llm.Request{Messages: []llm.Message{llm.UserText("Capital of France?")}}

	s, err := structured.Stream[Answer](context.Background(), m, req, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for text, err := range s.Text() {
		if err != nil {
			panic(err)
		}
		fmt.Print(text) // partial JSON, as it arrives
	}
	fmt.Println()
	a, _, err := s.Object()
	fmt.Printf("%+v %v\n", a, err)
	// Output:
	// {"capital":"Paris"}
	// {Capital:Paris} <nil>
}

func ExampleObjectStream_Partials() {
	type Answer struct {
		Capital    string `json:"capital"`
		Population int    `json:"population"`
	}
	// The scripted model streams the object in four fragments.
	m := llmtest.New(llmtest.Stream([]llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Text: `{"capital":"Pa`},
		llm.TextDelta{Text: `ris","popul`},
		llm.TextDelta{Text: `ation":2102`},
		llm.TextDelta{Text: `650}`},
		llm.BlockStop{},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn},
	}, nil))
	req := &llm.Request{Messages: []llm.Message{llm.UserText("Capital of France and its population?")}}

	s, err := structured.Stream[Answer](context.Background(), m, req, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for a, err := range s.Partials() {
		if err != nil {
			panic(err)
		}
		fmt.Printf("%+v\n", a) // the last value is the validated object
	}
	// Output:
	// {Capital:Pa Population:0}
	// {Capital:Paris Population:0}
	// {Capital:Paris Population:2102650}
	// {Capital:Paris Population:2102650}
}
