package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// These tests build tools whose schemas hold references — one reflected from a
// recursive Go type, one declared with $defs — and run them through the agent loop on
// both providers: Chat Completions takes the references as they are; Bedrock, which
// takes none, inlines what can be inlined and refuses a recursive schema, naming the
// tool, before anything is sent.

// outline is a recursive Go type: its schema refers to its root as "#".
type outline struct {
	Title    string    `json:"title"`
	Sections []outline `json:"sections,omitempty"`
}

func (o outline) count() int {
	n := 1
	for _, s := range o.Sections {
		n += s.count()
	}
	return n
}

// routeSchema declares a tool whose two members share one definition.
const routeSchema = `{"type":"object","properties":{"from":{"$ref":"#/$defs/place"},"to":{"$ref":"#/$defs/place","description":"where to go"}},"required":["from","to"],"$defs":{"place":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}`

func referenceTools(t *testing.T) (outlineTool, routeTool agent.Tool) {
	t.Helper()
	outlineTool, err := agent.NewTool("count_sections", "Count the sections of an outline", func(_ context.Context, in outline) (int, error) {
		return in.count(), nil
	})
	if err != nil {
		t.Fatalf("NewTool(recursive type) = %v, want a tool", err)
	}
	routeTool, err = agent.NewRawTool(llm.Tool{Name: "route", Description: "Plan a route", InputSchema: json.RawMessage(routeSchema)},
		func(_ context.Context, input json.RawMessage) ([]llm.Part, error) {
			var in struct{ From, To struct{ City string } }
			if err := json.Unmarshal(input, &in); err != nil {
				return nil, err
			}
			return []llm.Part{llm.Text{Text: in.From.City + " to " + in.To.City}}, nil
		})
	if err != nil {
		t.Fatalf("NewRawTool($defs) = %v, want a tool", err)
	}
	return outlineTool, routeTool
}

func toolCallAnswer(calls ...llm.ToolCall) *llm.Response {
	parts := make([]llm.Part, len(calls))
	for i, c := range calls {
		parts[i] = c
	}
	return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: parts}, StopReason: llm.StopReasonToolUse}
}

func TestReferenceToolsOnOpenAI(t *testing.T) {
	outlineTool, routeTool := referenceTools(t)
	srv := openaitest.NewServer()
	t.Cleanup(srv.Close)
	m := openai.New(srv.Client(), nil)
	srv.Enqueue(
		openaitest.Respond(toolCallAnswer(
			llm.ToolCall{ID: "call_1", Name: "count_sections", Input: json.RawMessage(`{"title":"Book","sections":[{"title":"One","sections":[{"title":"1.1"}]},{"title":"Two"}]}`)},
			llm.ToolCall{ID: "call_2", Name: "route", Input: json.RawMessage(`{"from":{"city":"Paris"},"to":{"city":"Rome"}}`)},
			llm.ToolCall{ID: "call_3", Name: "count_sections", Input: json.RawMessage(`{"title":"Bad","sections":[{"title":7}]}`)},
		)).Split(5),
		openaitest.Text("The outline has 4 sections; the route goes from Paris to Rome."),
	)
	res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{outlineTool, routeTool}}).
		Run(context.Background(), &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("Count and route")}})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if got := res.Text(); !strings.Contains(got, "Paris to Rome") {
		t.Errorf("Run() text = %q, want the final answer", got)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the server got %d requests, want 2", len(reqs))
	}

	// The schemas went out as declared, references and all.
	var first struct {
		Tools []struct {
			Function struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(reqs[0].Body, &first); err != nil {
		t.Fatal(err)
	}
	sent := map[string]string{}
	for _, tool := range first.Tools {
		sent[tool.Function.Name] = string(tool.Function.Parameters)
	}
	if p := sent["count_sections"]; !strings.Contains(p, `"items":{"$ref":"#"}`) {
		t.Errorf("count_sections parameters = %s, want the recursive reference sent as is", p)
	}
	if p := sent["route"]; !strings.Contains(p, `"$ref":"#/$defs/place"`) || !strings.Contains(p, `"$defs"`) {
		t.Errorf("route parameters = %s, want $defs and $ref sent as is", p)
	}

	// The tools ran on input validated through the references.
	var second struct {
		Messages []struct {
			Role       string `json:"role"`
			ToolCallID string `json:"tool_call_id"`
			Content    any    `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(reqs[1].Body, &second); err != nil {
		t.Fatal(err)
	}
	results := map[string]string{}
	for _, msg := range second.Messages {
		if msg.Role == "tool" {
			results[msg.ToolCallID] = fmt.Sprint(msg.Content)
		}
	}
	if got := results["call_1"]; !strings.Contains(got, "4") {
		t.Errorf("count_sections result = %q, want 4 (the recursive input decoded)", got)
	}
	if got := results["call_2"]; !strings.Contains(got, "Paris to Rome") {
		t.Errorf("route result = %q, want Paris to Rome", got)
	}
	if got := results["call_3"]; !strings.Contains(got, "/sections/0/title") {
		t.Errorf("count_sections result for a bad nested title = %q, want an error naming /sections/0/title", got)
	}
}

func TestReferenceToolsOnBedrock(t *testing.T) {
	const model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	outlineTool, routeTool := referenceTools(t)
	m, srv := newBedrock(t)

	// $defs without recursion: inlined, the tool runs.
	srv.Enqueue(
		bedrocktest.Respond(toolCallAnswer(llm.ToolCall{ID: "tooluse_1", Name: "route", Input: json.RawMessage(`{"from":{"city":"Oslo"},"to":{"city":"Bergen"}}`)})),
		bedrocktest.Text("Oslo to Bergen."),
	)
	res, err := agent.New(m, &agent.Options{Tools: []agent.Tool{routeTool}}).
		Run(context.Background(), &llm.Request{Model: model, Messages: []llm.Message{llm.UserText("Route")}})
	if err != nil {
		t.Fatalf("Run(route) = %v", err)
	}
	if res.Text() != "Oslo to Bergen." {
		t.Errorf("Run(route) text = %q", res.Text())
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the simulator got %d requests, want 2", len(reqs))
	}
	body := string(reqs[0].Body)
	const inlined = `"to":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"description":"where to go"}`
	if strings.Contains(body, `$ref`) || strings.Contains(body, `$defs`) || !strings.Contains(body, inlined) {
		t.Errorf("Bedrock request = %s, want the definition inlined (%s) and no $ref or $defs", body, inlined)
	}
	if !strings.Contains(string(reqs[1].Body), "Oslo to Bergen") {
		t.Errorf("second request = %s, want the tool's result", reqs[1].Body)
	}

	// A recursive schema cannot be inlined: refused before anything is sent, naming the tool.
	_, err = agent.New(m, &agent.Options{Tools: []agent.Tool{routeTool, outlineTool}}).
		Run(context.Background(), &llm.Request{Model: model, Messages: []llm.Message{llm.UserText("Count")}})
	var ie *llm.InvalidRequestError
	if !errors.As(err, &ie) || ie.Field != "tools[1].inputSchema at /properties/sections/items" ||
		!strings.Contains(ie.Reason, `tool "count_sections"`) || !strings.Contains(ie.Reason, "recursive") {
		t.Fatalf("Run(recursive tool) on Bedrock = %v, want an *llm.InvalidRequestError at tools[1].inputSchema naming count_sections as recursive", err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("the simulator got %d requests after the refused one, want still 2", n)
	}
}
