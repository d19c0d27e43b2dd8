package bedrock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

const exampleModel = "us.anthropic.claude-haiku-4-5-20251001-v1:0"

// A Model wraps any Bedrock Runtime client; here the simulator's, so the example runs
// offline. In a program, use bedrock.NewFromConfig with config.LoadDefaultConfig.
func ExampleNew() {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(bedrocktest.Respond(&llm.Response{
		Message:    llm.AssistantText("Hello! How can I help?"),
		StopReason: llm.StopReasonEndTurn,
		Usage:      llm.Usage{InputTokens: 9, OutputTokens: 7, TotalTokens: 16},
	}))

	m := bedrock.New(srv.Client(nil), nil)
	resp, err := m.Generate(context.Background(), &llm.Request{
		Model:     exampleModel,
		MaxTokens: 200,
		Messages:  []llm.Message{llm.UserText("Say hello")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	fmt.Println(resp.StopReason, resp.Usage.TotalTokens)
	// Output:
	// Hello! How can I help?
	// end_turn 16
}

func ExampleModel_Stream() {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(bedrocktest.Text("Streaming, one piece at a time.").Split(10))

	m := bedrock.New(srv.Client(nil), nil)
	s, err := m.Stream(context.Background(), &llm.Request{Model: exampleModel, Messages: []llm.Message{llm.UserText("Stream something")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	for text, err := range s.Text() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("[%s]", text)
	}
	fmt.Println()
	resp, _ := s.Response() // the accumulated answer, as Generate would return it
	fmt.Println(resp.StopReason)
	// Output:
	// [Streaming,][ one piece][ at a time][.]
	// end_turn
}

// Errors unwrap to a category; the details are in an *llm.ProviderError.
func ExampleModel_Generate_errors() {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests, please wait before trying again.").WithRequestID("req-1"))

	m := bedrock.New(srv.Client(nil), nil)
	_, err := m.Generate(context.Background(), &llm.Request{Model: exampleModel, Messages: []llm.Message{llm.UserText("hi")}})
	var pe *llm.ProviderError
	if errors.Is(err, llm.ErrRateLimited) && errors.As(err, &pe) {
		fmt.Println(pe.Code, pe.StatusCode, pe.Retryable, pe.RequestID)
	}
	fmt.Println(err)
	// Output:
	// ThrottlingException 429 true req-1
	// bedrock: converse: rate limited (ThrottlingException, status 429): Too many requests, please wait before trying again. [request id req-1]
}

// With Request.Output, the object arrives as the message text and in Response.Object,
// whether the model answered natively or through the synthetic structured_output tool.
func ExampleModel_Generate_structuredOutput() {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	// The model answers with a call of the synthetic tool, as Bedrock models do.
	srv.Enqueue(bedrocktest.Respond(&llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.ToolCall{ID: "tooluse_1", Name: "structured_output", Input: json.RawMessage(`{"city":"Paris","population":2100000}`)},
		}},
		StopReason: llm.StopReasonToolUse,
	}))

	m := bedrock.New(srv.Client(nil), nil)
	resp, err := m.Generate(context.Background(), &llm.Request{
		Model:    exampleModel,
		Messages: []llm.Message{llm.UserText("Biggest city of France?")},
		Output: &llm.Output{
			Mode:   llm.OutputTool,
			Schema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer"}},"required":["city","population"],"additionalProperties":false}`),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(resp.Object))
	fmt.Println(resp.Text() == string(resp.Object), len(resp.ToolCalls()), resp.StopReason)
	// Output:
	// {"city":"Paris","population":2100000}
	// true 0 end_turn
}

func ExampleParseResponse() {
	out := &bedrockruntime.ConverseOutput{
		Output: &types.ConverseOutputMemberMessage{Value: types.Message{
			Role: types.ConversationRoleAssistant,
			Content: []types.ContentBlock{
				&types.ContentBlockMemberText{Value: "Let me look."},
				nil, // how the SDK decodes a block type it does not know
			},
		}},
		StopReason: types.StopReasonEndTurn,
		Usage:      &types.TokenUsage{InputTokens: aws.Int32(12), OutputTokens: aws.Int32(4), TotalTokens: aws.Int32(16)},
	}
	resp, err := bedrock.ParseResponse(out)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text(), resp.StopReason, resp.Usage.InputTokens)
	for _, w := range resp.Warnings {
		fmt.Println(w.Code, w)
	}
	// Output:
	// Let me look. end_turn 12
	// skipped content block 1: unknown block skipped
}

func ExampleParseStreamChunk() {
	events := []types.ConverseStreamOutput{
		&types.ConverseStreamOutputMemberMessageStart{Value: types.MessageStartEvent{Role: types.ConversationRoleAssistant}},
		&types.ConverseStreamOutputMemberContentBlockStart{Value: types.ContentBlockStartEvent{
			ContentBlockIndex: aws.Int32(0),
			Start:             &types.ContentBlockStartMemberToolUse{Value: types.ToolUseBlockStart{ToolUseId: aws.String("t1"), Name: aws.String("add")}},
		}},
		&types.ConverseStreamOutputMemberContentBlockDelta{Value: types.ContentBlockDeltaEvent{
			ContentBlockIndex: aws.Int32(0),
			Delta:             &types.ContentBlockDeltaMemberToolUse{Value: types.ToolUseBlockDelta{Input: aws.String(`{"a":1,"b":2}`)}},
		}},
		&types.ConverseStreamOutputMemberContentBlockStop{Value: types.ContentBlockStopEvent{ContentBlockIndex: aws.Int32(0)}},
		&types.ConverseStreamOutputMemberMessageStop{Value: types.MessageStopEvent{StopReason: types.StopReasonToolUse}},
	}
	var acc llm.Accumulator
	for _, ev := range events {
		evs, err := bedrock.ParseStreamChunk(ev)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range evs {
			fmt.Printf("%T\n", e)
			if err := acc.Add(e); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	resp, err := acc.Response()
	if err != nil {
		fmt.Println(err)
		return
	}
	call := resp.ToolCalls()[0]
	fmt.Println(call.Name, string(call.Input), resp.StopReason)
	// Output:
	// llm.MessageStart
	// llm.ToolCallStart
	// llm.ToolInputDelta
	// llm.BlockStop
	// llm.MessageStop
	// add {"a":1,"b":2} tool_use
}
