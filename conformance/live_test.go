package conformance_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// liveAnswer answers the suite's prompts the way a capable real model does, computing
// each answer from the request (history, tools, tool results, options) rather than
// from a script: it lets the live-mode assertions run in CI.
func liveAnswer(_ context.Context, req *llm.Request) llmtest.Answer {
	last := req.Messages[len(req.Messages)-1]
	prompt := last.Text()
	u := llm.Usage{InputTokens: 20 * len(req.Messages), OutputTokens: 12}
	u.TotalTokens = u.InputTokens + u.OutputTokens
	text := func(s string, stop llm.StopReason) llmtest.Answer {
		return llmtest.Respond(&llm.Response{Message: llm.AssistantText(s), StopReason: stop, Usage: u})
	}
	parts := func(stop llm.StopReason, ps ...llm.Part) llmtest.Answer {
		return llmtest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: ps}, StopReason: stop, Usage: u})
	}
	call := func(id, name, input string) llm.ToolCall {
		return llm.ToolCall{ID: id, Name: name, Input: json.RawMessage(input)}
	}

	if last.Role == llm.RoleTool {
		var results []string
		for _, p := range last.Parts {
			if r, ok := p.(llm.ToolResult); ok {
				results = append(results, llm.Message{Parts: r.Content}.Text())
			}
		}
		if strings.Contains(req.Messages[0].Text(), "sum=") {
			return text("sum="+results[0], llm.StopReasonEndTurn)
		}
		return text("Here you are: "+strings.Join(results, "; "), llm.StopReasonEndTurn)
	}
	if req.Output != nil {
		obj := `{"name":"Ada Byte","age":36,"occupation":"software engineer"}`
		if strings.Contains(prompt, "Generate a software engineer profile") {
			obj = `{"name":"John Smith","age":30,"occupation":"Software Engineer"}`
		}
		return llmtest.Respond(&llm.Response{Message: llm.AssistantText(obj), StopReason: llm.StopReasonEndTurn, Usage: u, Object: json.RawMessage(obj)})
	}
	for _, m := range req.Messages {
		if m.Role == llm.RoleSystem && strings.Contains(m.Text(), "banana") {
			return text("banana", llm.StopReasonEndTurn)
		}
	}
	thinking := llm.Reasoning{Text: "Let me work it out.", Signature: "c2ln"}
	switch {
	case req.ToolChoice.Mode == llm.ToolChoiceTool:
		return parts(llm.StopReasonToolUse, call("t_named", req.ToolChoice.Name, `{}`))
	case req.ToolChoice.Mode == llm.ToolChoiceRequired && strings.Contains(prompt, "Hello"):
		return parts(llm.StopReasonToolUse, call("t_req", "get_time", `{}`))
	case strings.Contains(prompt, "Use the get_weather tool") && req.MaxTokens < 10:
		// Cut inside the call's input by the token limit: the call must not survive.
		return llmtest.Stream([]llm.Event{
			llm.MessageStart{Role: llm.RoleAssistant},
			llm.ToolCallStart{Index: 0, ID: "t_cut", Name: "get_weather"},
			llm.ToolInputDelta{Index: 0, Fragment: `{"loc`},
			llm.MessageStop{StopReason: llm.StopReasonMaxTokens},
			llm.Metadata{Usage: u},
		}, nil)
	case strings.Contains(prompt, "Use the get_weather tool"):
		return parts(llm.StopReasonToolUse, call("t_w", "get_weather", `{"location":"Paris, France"}`))
	case strings.Contains(prompt, "Use the tools"):
		return parts(llm.StopReasonToolUse, llm.Text{Text: "Checking."}, call("t_w", "get_weather", `{"location":"Paris"}`), call("t_t", "get_time", `{}`))
	case strings.Contains(prompt, "What's the weather like in Paris"):
		return parts(llm.StopReasonToolUse, call("t_w", "get_weather", `{"location":"Paris, France"}`))
	case strings.Contains(prompt, "Paris and in Tokyo"):
		return parts(llm.StopReasonToolUse, call("t_p", "get_weather", `{"location":"Paris"}`), call("t_t", "get_weather", `{"location":"Tokyo"}`))
	case strings.Contains(prompt, "17 + 25"):
		return parts(llm.StopReasonToolUse, thinking, call("t_add", "add", `{"a":17,"b":25}`))
	case strings.Contains(prompt, "add tool to compute 2 + 3"):
		return parts(llm.StopReasonToolUse, llm.Text{Text: "Adding."}, call("t_add", "add", `{"a":2,"b":3}`))
	case strings.Contains(prompt, "17 × 23"):
		return parts(llm.StopReasonEndTurn, thinking, llm.Text{Text: "391"})
	case strings.Contains(prompt, "Add 9"):
		return parts(llm.StopReasonEndTurn, llm.Text{Text: "400"})
	case strings.Contains(prompt, "pong"):
		return text("pong", llm.StopReasonEndTurn)
	case strings.Contains(prompt, "Zorblax"):
		return text("OK", llm.StopReasonEndTurn)
	case strings.Contains(prompt, "my name"):
		for _, m := range req.Messages {
			if strings.Contains(m.Text(), "Zorblax") {
				return text("Zorblax", llm.StopReasonEndTurn)
			}
		}
		return text("I don't know.", llm.StopReasonEndTurn)
	case len(req.StopSequences) > 0:
		return text("alpha\nbeta\n", llm.StopReasonStopSequence)
	case strings.Contains(prompt, "Count from 1 to 500"):
		var b strings.Builder
		for i := 1; i <= 500; i++ {
			b.WriteString(strconv.Itoa(i) + "\n")
		}
		r := text(b.String(), llm.StopReasonEndTurn)
		r.Interval = 10 * time.Millisecond
		return r
	case strings.Contains(prompt, "Count from 1 to 200"), strings.Contains(prompt, "very long story"), prompt == "Hi there!":
		u.OutputTokens = req.MaxTokens
		u.TotalTokens = u.InputTokens + u.OutputTokens
		return text("Once upon a time, 1 2 3", llm.StopReasonMaxTokens)
	case strings.Contains(prompt, "Count from 1 to 10"):
		return text("1 2 3 4 5 6 7 8 9 10", llm.StopReasonEndTurn)
	}
	return text("Hello! How can I help you today?", llm.StopReasonEndTurn)
}
