package llm_test

import (
	"context"
	"fmt"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// A scripted model (package llmtest) stands in for a provider in these examples: any
// llm.Model — bedrock.Model included — streams the same way.

// helloStream is an answer streamed in three text deltas, then its stop and usage.
func helloStream() []llm.Event {
	return []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "Hello"},
		llm.TextDelta{Index: 0, Text: ", "},
		llm.TextDelta{Index: 0, Text: "world!"},
		llm.BlockStop{Index: 0},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn},
		llm.Metadata{Usage: llm.Usage{InputTokens: 5, OutputTokens: 4, TotalTokens: 9}},
	}
}

// Stream.Text yields the answer's text as it arrives; Stream.Response then returns the
// whole answer, equal to what Generate would have returned.
func ExampleStream_Text() {
	m := llmtest.New(llmtest.Stream(helloStream(), nil))
	req := &llm.Request{Model: "any", Messages: []llm.Message{llm.UserText("Say hello")}}

	stream, err := m.Stream(context.Background(), req)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer stream.Close() // ends the stream early if the loop stops before its end
	for text, err := range stream.Text() {
		if err != nil {
			fmt.Println("\nerror:", err)
			return
		}
		fmt.Printf("[%s]", text)
	}
	fmt.Println()
	resp, err := stream.Response()
	fmt.Println(resp.Text(), resp.StopReason, resp.Usage.TotalTokens, err)
	// Output:
	// [Hello][, ][world!]
	// Hello, world! end_turn 9 <nil>
}

// Stream.Events yields every event: text, reasoning and tool-call deltas, block and
// message stops, usage. A type switch picks what the program shows.
func ExampleStream_Events() {
	m := llmtest.New(llmtest.Stream([]llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "Let me add them."},
		llm.BlockStop{Index: 0},
		llm.ToolCallStart{Index: 1, ID: "call-1", Name: "add"},
		llm.ToolInputDelta{Index: 1, Fragment: `{"a":2,`},
		llm.ToolInputDelta{Index: 1, Fragment: `"b":3}`},
		llm.BlockStop{Index: 1},
		llm.MessageStop{StopReason: llm.StopReasonToolUse},
		llm.Metadata{Usage: llm.Usage{InputTokens: 20, OutputTokens: 12, TotalTokens: 32}},
	}, nil))
	stream, err := m.Stream(context.Background(), &llm.Request{Messages: []llm.Message{llm.UserText("2 + 3?")}})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer stream.Close()
	for ev, err := range stream.Events() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		switch ev := ev.(type) {
		case llm.TextDelta:
			fmt.Printf("text %q\n", ev.Text)
		case llm.ToolCallStart:
			fmt.Printf("tool call %s %s\n", ev.ID, ev.Name)
		case llm.ToolInputDelta:
			fmt.Printf("  input %s\n", ev.Fragment)
		case llm.MessageStop:
			fmt.Println("stop:", ev.StopReason)
		case llm.Metadata:
			fmt.Println("tokens:", ev.Usage.TotalTokens)
		}
	}
	resp, _ := stream.Response()
	for _, c := range resp.ToolCalls() {
		fmt.Printf("call %s(%s)\n", c.Name, c.Input)
	}
	// Output:
	// text "Let me add them."
	// tool call call-1 add
	//   input {"a":2,
	//   input "b":3}
	// stop: tool_use
	// tokens: 32
	// call add({"a":2,"b":3})
}

// An Accumulator builds a Response from events, for a program that handles the events
// itself — forwarding them over its own connection, say — and wants the whole answer
// at the end. Stream.Response does this for a Stream.
func ExampleAccumulator() {
	var acc llm.Accumulator
	for _, ev := range helloStream() {
		if err := acc.Add(ev); err != nil {
			fmt.Println("malformed stream:", err)
			return
		}
	}
	resp, err := acc.Response()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Printf("%s: %q, %s, %d+%d tokens\n", resp.Message.Role, resp.Text(), resp.StopReason, resp.Usage.InputTokens, resp.Usage.OutputTokens)

	// A stream that ends before its message stop is not a short success.
	var cut llm.Accumulator
	for _, ev := range helloStream()[:3] {
		cut.Add(ev)
	}
	_, err = cut.Response()
	fmt.Println(err != nil)
	// Output:
	// assistant: "Hello, world!", end_turn, 5+4 tokens
	// true
}
