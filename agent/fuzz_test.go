package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// nestedInput returns a JSON object nesting depth objects, with s at the bottom.
func nestedInput(depth int, s string) json.RawMessage {
	leaf, _ := json.Marshal(s)
	return json.RawMessage(strings.Repeat(`{"a":`, depth) + `{"s":` + string(leaf) + `}` + strings.Repeat(`}`, depth))
}

// hostileAnswer builds a model answer from fuzz input: blank or odd text, tool calls with
// any name and id (missing, repeated), nested input, unsigned reasoning, or nothing.
func hostileAnswer(text, name, id, id2 string, depth uint8, flags uint8) *llm.Response {
	resp := &llm.Response{Message: llm.Message{Role: llm.RoleAssistant}, StopReason: llm.StopReasonEndTurn}
	if flags&16 != 0 {
		return resp // content: []
	}
	if flags&1 != 0 {
		resp.Message.Parts = append(resp.Message.Parts, llm.Text{Text: text})
	}
	if flags&8 != 0 {
		resp.Message.Parts = append(resp.Message.Parts, llm.Reasoning{Text: text})
	}
	if flags&2 != 0 {
		resp.Message.Parts = append(resp.Message.Parts, llm.ToolCall{ID: id, Name: name, Input: nestedInput(int(depth), text)})
		resp.StopReason = llm.StopReasonToolUse
	}
	if flags&4 != 0 {
		resp.Message.Parts = append(resp.Message.Parts, llm.ToolCall{ID: id2, Name: "lookup", Input: json.RawMessage(`{}`)})
		resp.StopReason = llm.StopReasonToolUse
	}
	return resp
}

var lookupTool = agent.Tool{
	Declaration: llm.Tool{Name: "lookup", Description: "Look something up"},
	Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
		return []llm.Part{llm.Text{Text: " "}}, nil // whitespace-only output
	},
}

// FuzzHostileAnswers feeds hostile model answers through a Session turn (answered with
// tool results when it calls tools) and an agent run, then checks the history invariant:
// the Session's history and the run's Result.Messages can be sent again to Bedrock.
func FuzzHostileAnswers(f *testing.F) {
	f.Add("", "lookup", "c1", "c2", uint8(0), uint8(16))
	f.Add(" \n", "lookup", "c1", "c2", uint8(0), uint8(1))
	f.Add("hi", "functions.lookup", "", "", uint8(2), uint8(7))
	f.Add("x", "", "dup", "dup", uint8(200), uint8(6))
	f.Add("<&>", "a b/c", "id with spaces and ünïcödé", "id with spaces and ünïcödé", uint8(1), uint8(15))
	f.Add("thinking", strings.Repeat("n", 80), strings.Repeat("i", 80), strings.Repeat("i", 80)+"x", uint8(0), uint8(14))
	f.Fuzz(func(t *testing.T, text, name, id, id2 string, depth, flags uint8) {
		answer := hostileAnswer(text, name, id, id2, depth, flags)

		m := llmtest.New(llmtest.Respond(answer), llmtest.Text("done"))
		s := agent.NewSession(m, &llm.Request{Model: haiku})
		if _, err := s.Send(context.Background(), llm.Text{Text: "go"}); err != nil {
			t.Fatal(err)
		}
		if calls := answer.Message.ToolCalls(); len(calls) > 0 {
			results := make([]llm.Part, len(calls))
			for i, c := range calls {
				results[i] = llm.ToolResult{CallID: c.ID, Content: []llm.Part{llm.Text{Text: text}}}
			}
			if _, err := s.SendMessage(context.Background(), llm.Message{Role: llm.RoleTool, Parts: results}, nil); err != nil {
				t.Fatal(err)
			}
		}
		requireFormattable(t, s.History())

		m = llmtest.New(llmtest.Respond(answer), llmtest.Text("done"))
		res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{lookupTool}}).Run(context.Background(),
			&llm.Request{Model: haiku, Messages: []llm.Message{llm.UserText("go")}})
		if err != nil {
			t.Fatal(err)
		}
		requireFormattable(t, res.Messages)
	})
}

// converseBody returns a Converse answer whose content blocks come from fuzz input:
// text (blank or not), tool uses with any name and id (or none), an unknown block, a
// deeply nested tool input, or no content at all.
func converseBody(text, name, id string, depth uint8, flags uint8) []byte {
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var blocks []string
	if flags&1 != 0 {
		blocks = append(blocks, `{"text":`+str(text)+`}`)
	}
	if flags&2 != 0 {
		blocks = append(blocks, `{"toolUse":{"toolUseId":`+str(id)+`,"name":`+str(name)+`,"input":`+string(nestedInput(int(depth), text))+`}}`)
	}
	if flags&4 != 0 {
		blocks = append(blocks, `{"futureBlock":{"x":`+str(text)+`}}`)
	}
	if flags&8 != 0 {
		blocks = append(blocks, `{"toolUse":{"toolUseId":`+str(id)+`,"name":"lookup","input":{}}}`)
	}
	if flags&16 != 0 {
		blocks = append(blocks, `{"reasoningContent":{"reasoningText":{"text":`+str(text)+`}}}`)
	}
	stop := "end_turn"
	if flags&32 != 0 {
		stop = "tool_use"
	}
	return []byte(`{"output":{"message":{"role":"assistant","content":[` + strings.Join(blocks, ",") +
		`]}},"stopReason":"` + stop + `","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1}}`)
}

// FuzzHostileConverseAnswers sends hostile Converse answers over the wire (the Bedrock
// simulator and the real SDK client) through a Session turn and an agent run; whenever
// the provider accepts the answer, the history it leaves can be sent again.
func FuzzHostileConverseAnswers(f *testing.F) {
	f.Add("", "lookup", "c1", uint8(0), uint8(0))
	f.Add(" \t", "lookup", "c1", uint8(0), uint8(1))
	f.Add("x", "functions.lookup", "", uint8(3), uint8(2|32))
	f.Add("y", "lookup", "dup", uint8(0), uint8(2|8|32))
	f.Add("z", "a.b", "id", uint8(250), uint8(1|2|4|16))
	m, srv := newBedrock(f)
	f.Fuzz(func(t *testing.T, text, name, id string, depth, flags uint8) {
		body := converseBody(text, name, id, depth, flags)
		s := agent.NewSession(m, &llm.Request{Model: haiku, MaxTokens: 64})
		srv.Enqueue(bedrocktest.RawJSON(body))
		resp, err := s.Send(context.Background(), llm.Text{Text: "go"})
		if err != nil {
			return // the provider refused the answer: nothing entered the history
		}
		history := s.History()
		if calls := resp.Message.ToolCalls(); len(calls) > 0 {
			results := make([]llm.Part, len(calls))
			for i, c := range calls {
				results[i] = llm.ToolResult{CallID: c.ID, Content: []llm.Part{llm.Text{Text: text}}}
			}
			history = append(history, llm.Message{Role: llm.RoleTool, Parts: results})
		}
		requireFormattable(t, history)

		srv.Enqueue(bedrocktest.RawJSON(body))
		if flags&(2|8) != 0 { // the answer calls tools: the loop asks again
			srv.Enqueue(bedrocktest.Text("done"))
		}
		res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{lookupTool}, MaxSteps: 2}).Run(context.Background(),
			&llm.Request{Model: haiku, MaxTokens: 64, Messages: []llm.Message{llm.UserText("go")}})
		if err != nil {
			var re *agent.RunError
			if !errors.As(err, &re) || re.Result == nil {
				return // refused by the provider, like the Session turn
			}
			res = re.Result
		}
		requireFormattable(t, res.Messages)
		if n := srv.Pending(); n != 0 {
			t.Fatalf("%d scripted answers left unread", n)
		}
	})
}
