package fallback_test

import (
	"context"
	"fmt"
	"time"

	"github.com/llmkit/llmkit/fallback"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// Two regions of one provider, then another provider with its own model id. The first
// region is throttled; the second answers.
func Example() {
	throttled := &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ThrottlingException",
		Category: llm.ErrRateLimited, RetryAfter: 2 * time.Second}
	usEast := llmtest.New(llmtest.Fail(throttled))
	usWest := llmtest.New(llmtest.Text("Hello from us-west-2"))
	other := llmtest.New(llmtest.Text("Hello from the other provider"))

	m, err := fallback.New([]fallback.Candidate{
		{Name: "bedrock/us-east-1", Model: usEast},
		{Name: "bedrock/us-west-2", Model: usWest},
		{Name: "other", Model: other, ModelID: "other-model"},
	}, &fallback.Options{
		OnFallback: func(_ context.Context, failed fallback.Candidate, err error, _ time.Duration) {
			fmt.Printf("%s failed: %v\n", failed.Name, err)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := m.Generate(context.Background(), &llm.Request{Model: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
		Messages: []llm.Message{llm.UserText("Say hello")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s answered: %s\n", resp.Model, resp.Text())
	// Output:
	// bedrock/us-east-1 failed: bedrock: converse: rate limited (ThrottlingException)
	// bedrock/us-west-2 answered: Hello from us-west-2
}
