package agent_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// One agent, two providers: the same tool, the same request and the same loop run on
// Bedrock (Converse) and on Chat Completions. The simulators stand in for the services
// so that the example runs offline; with credentials, use bedrock.NewFromConfig(cfg,
// nil) and openai.NewFromEnv(openai.Config{}, nil). One request carries both
// providers' settings in an llm.Extras; each provider takes its own.
func Example_twoProviders() {
	ctx := context.Background()
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
	call := &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
		llm.ToolCall{ID: "call_1", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)},
	}}, StopReason: llm.StopReasonToolUse}

	bsrv := bedrocktest.NewServer(nil)
	defer bsrv.Close()
	bsrv.Enqueue(bedrocktest.Respond(call), bedrocktest.Text("2 + 3 = 5"))
	osrv := openaitest.NewServer()
	defer osrv.Close()
	osrv.Enqueue(openaitest.Respond(call), openaitest.Text("2 + 3 = 5"))

	for _, p := range []struct {
		model llm.Model
		id    string
	}{
		{bedrock.New(bsrv.Client(nil), nil), "us.anthropic.claude-haiku-4-5-20251001-v1:0"},
		{openai.New(osrv.Client(), nil), "gpt-4o"},
	} {
		res, err := agent.New(p.model, &agent.Options{Tools: []agent.Tool{add}}).Run(ctx, &llm.Request{
			Model:    p.id,
			Messages: []llm.Message{llm.UserText("What is 2 + 3?")},
			Extra: llm.Extras{
				&bedrock.Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k":40}`)},
				&openai.Extra{Seed: llm.Ptr(int64(7))},
			},
		})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s (%d steps)\n", p.id, res.Text(), res.Steps)
	}
	// Output:
	// us.anthropic.claude-haiku-4-5-20251001-v1:0: 2 + 3 = 5 (2 steps)
	// gpt-4o: 2 + 3 = 5 (2 steps)
}
