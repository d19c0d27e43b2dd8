package bedrock_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
)

// FormatRequest repairs what it safely can and says so in its warnings: here the tool
// result and the text after it merge into one user turn, the text moves into the result
// (Llama takes no text beside tool results), the id is mapped into Bedrock's character
// set, and the tool used in the history is declared.
func ExampleFormatRequest() {
	in, warnings, err := bedrock.FormatRequest(&llm.Request{
		Model: "us.meta.llama3-3-70b-instruct-v1:0",
		Messages: []llm.Message{
			llm.SystemText("Answer in one word."),
			llm.UserText("Weather in Paris?"),
			{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.ToolCall{ID: "call 1", Name: "get_weather", Input: json.RawMessage(`{"city":"Paris"}`)},
			}},
			{Role: llm.RoleTool, Parts: []llm.Part{
				llm.ToolResult{CallID: "call 1", Content: []llm.Part{llm.Text{Text: "18C, sunny"}}},
			}},
			llm.UserText("Thanks!"),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("model:", aws.ToString(in.ModelId))
	for _, m := range in.Messages {
		fmt.Println(m.Role, len(m.Content), "block(s)")
	}
	fmt.Println("tools declared:", len(in.ToolConfig.Tools))
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	// Output:
	// model: us.meta.llama3-3-70b-instruct-v1:0
	// user 1 block(s)
	// assistant 1 block(s)
	// user 1 block(s)
	// tools declared: 1
	// warning: message 4 part 0: content beside tool results moved into the result for tool call "call 1": model us.meta.llama3-3-70b-instruct-v1:0 takes no text, images or documents in a turn with tool results
	// warning: tools: get_weather called in the history but not declared: declared with a permissive schema, since Bedrock needs a toolConfig whenever the history holds tool blocks
}

// What FormatRequest cannot repair is an error naming the message and part, returned
// before anything is sent.
func ExampleFormatRequest_invalid() {
	_, _, err := bedrock.FormatRequest(&llm.Request{
		Model: "anthropic.claude-sonnet-4-5-20250929-v1:0",
		Messages: []llm.Message{
			llm.UserText("Weather in Paris?"),
			{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.ToolCall{ID: "call_1", Name: "get_weather", Input: json.RawMessage(`{"city":"Paris"}`)},
			}},
		},
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, llm.ErrInvalidRequest))
	// Output:
	// bedrock: converse: invalid request: message 1 part 0: the conversation ends with unanswered tool call "call_1"; add a tool message with its result
	// true
}

// CapabilitiesFor reads the model family from any form of id.
func ExampleCapabilitiesFor() {
	for _, id := range []string{
		"anthropic.claude-sonnet-4-5-20250929-v1:0",
		"eu.amazon.nova-pro-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-3-70b-instruct-v1:0",
	} {
		c := bedrock.CapabilitiesFor(id)
		fmt.Printf("named tool choice %-5v native output %-5v reasoning %v\n", c.ToolChoiceTool, c.NativeOutput, c.Reasoning)
	}
	// Output:
	// named tool choice true  native output true  reasoning true
	// named tool choice true  native output false reasoning false
	// named tool choice false native output false reasoning false
}
