package bedrocktest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

func Example() {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(bedrocktest.Respond(&llm.Response{
		Message:    llm.AssistantText("Hello from the simulator."),
		StopReason: llm.StopReasonEndTurn,
		Usage:      llm.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8},
	}))

	client := srv.Client(nil) // a real *bedrockruntime.Client
	out, err := client.Converse(context.Background(), &bedrockruntime.ConverseInput{
		ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "Hello"}},
		}},
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	msg := out.Output.(*types.ConverseOutputMemberMessage).Value
	fmt.Println(msg.Content[0].(*types.ContentBlockMemberText).Value)
	fmt.Println(out.StopReason, *out.Usage.TotalTokens)

	req := srv.Requests()[0]
	fmt.Println(req.Op, req.Model)
	// Output:
	// Hello from the simulator.
	// end_turn 8
	// converse anthropic.claude-3-haiku-20240307-v1:0
}

// A stream that fails after two events, as Bedrock does with an exception frame.
func ExampleServerReply_ExceptionAfter() {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(bedrocktest.Text("Once upon a time").Split(5).
		ExceptionAfter(2, bedrocktest.ThrottlingException, "Too many tokens, please wait before trying again."))

	out, err := srv.Client(nil).ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
		ModelId: aws.String("us.amazon.nova-lite-v1:0"),
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "Tell me a story"}},
		}},
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	stream := out.GetStream()
	defer stream.Close()
	for ev := range stream.Events() {
		if d, ok := ev.(*types.ConverseStreamOutputMemberContentBlockDelta); ok {
			fmt.Printf("%q\n", d.Value.Delta.(*types.ContentBlockDeltaMemberText).Value)
		}
	}
	var throttled *types.ThrottlingException
	fmt.Println(errors.As(stream.Err(), &throttled), throttled.ErrorMessage())
	// Output:
	// "Once "
	// true Too many tokens, please wait before trying again.
}

// Replaying a recorded exchange checks the request against the recording.
func ExampleFixture_Reply() {
	f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), "anthropic_claude_haiku_4_5_20251001_v1_0/basic.json")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(f.Reply(&bedrocktest.ReplayOptions{Allow: []bedrocktest.Allow{
		{Path: "$.inferenceConfig.maxTokens", Want: []byte("100"), Reason: "this client asks for 100 tokens"},
	}}))

	out, err := srv.Client(nil).Converse(context.Background(), &bedrockruntime.ConverseInput{
		ModelId:         aws.String(f.ModelID()),
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(100), Temperature: aws.Float32(0)},
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "Hello world?"}},
		}},
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(out.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberText).Value)
	for _, m := range srv.Mismatches() {
		fmt.Println(m.Path, "want", m.Want, "got", m.Got)
	}
	// Output:
	// Hello! 👋 It's nice to meet you. How can I help you today?
	// $.messages[0].content[0].text want "Hello world!" got "Hello world?"
}
