package main

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
)

// demoTools are the tools "llmkit chat --tools" offers the model: small, local and
// deterministic, to try a chat whose turns call tools (against "llmkit sim --script"
// or a real model).
func demoTools() ([]agent.Tool, error) {
	type addIn struct {
		A float64 `json:"a" jsonschema:"description=first number"`
		B float64 `json:"b" jsonschema:"description=second number"`
	}
	add, err := agent.NewTool("add", "Add two numbers and return their sum.", func(_ context.Context, in addIn) (float64, error) {
		return in.A + in.B, nil
	})
	if err != nil {
		return nil, err
	}
	type countIn struct {
		Text string `json:"text" jsonschema:"description=the text whose words are counted"`
	}
	type countOut struct {
		Words      int `json:"words"`
		Characters int `json:"characters"`
	}
	count, err := agent.NewTool("word_count", "Count the words and characters of a text.", func(_ context.Context, in countIn) (countOut, error) {
		return countOut{Words: len(strings.FieldsFunc(in.Text, unicode.IsSpace)), Characters: len([]rune(in.Text))}, nil
	})
	if err != nil {
		return nil, err
	}
	return []agent.Tool{add, count}, nil
}

// runTools runs one chat turn through the tool loop of a, streaming the answers' text
// and a line per tool call and result. The turn enters the history only when the loop
// succeeds.
func (c *chat) runTools(ctx context.Context, line string) error {
	out := &transcript{w: c.e.stdout}
	var res *agent.Result
	for ev, err := range c.sess.RunStream(ctx, c.agent, llm.Text{Text: line}) {
		if err != nil {
			return err // turn ends the line
		}
		if r := out.event(ev); r != nil {
			res = r
		}
		if sd, ok := ev.(agent.StepDone); ok {
			for _, w := range sd.Response.Warnings {
				fmt.Fprintf(c.e.stderr, "warning: %s\n", w)
			}
		}
	}
	out.endLine()
	if res == nil {
		return fmt.Errorf("the tool loop stopped without a result")
	}
	if r := res.Response; r.StopReason != llm.StopReasonEndTurn && r.StopReason != llm.StopReasonStopSequence {
		fmt.Fprintf(c.e.stdout, "(stopped: %s)\n", r.StopReason)
	}
	return nil
}

// toolNames lists the tools' names for the banner.
func toolNames(tools []agent.Tool) string {
	names := make([]string, len(tools))
	for i, t := range tools {
		names[i] = t.Declaration.Name
	}
	return strings.Join(names, ", ")
}
