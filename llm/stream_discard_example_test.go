package llm_test

import (
	"context"
	"fmt"

	"github.com/llmkit/llmkit/llm"
)

// A stream read once, as a proxy or a gateway reads it, need not keep its events for a
// replay: its memory then grows with the answer's text only.
func ExampleStream_DiscardEvents() {
	events := []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Text: "Hello, "},
		llm.TextDelta{Text: "world"},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn},
	}
	s := llm.NewStream(context.Background(), func(yield func(llm.Event, error) bool) {
		for _, ev := range events {
			if !yield(ev, nil) {
				return
			}
		}
	}, nil)
	s.DiscardEvents()
	for text, err := range s.Text() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Print(text)
	}
	fmt.Println()
	resp, _ := s.Response()
	fmt.Println(resp.Text(), resp.StopReason)
	for _, err := range s.Events() {
		fmt.Println("replay:", err)
	}
	// Output:
	// Hello, world
	// Hello, world end_turn
	// replay: llm: stream: events not kept for a replay (DiscardEvents)
}
