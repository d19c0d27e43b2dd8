package main

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// TestBinarySimScript starts "llmkit sim --script" as a separate process and drives
// it with the real AWS SDK client, as a program in another language would: a streamed
// tool call, the tool result sent back, an answer broken mid-stream, a throttling
// error, and the echo beyond the script.
func TestBinarySimScript(t *testing.T) {
	p := startBinary(t, childEnv(t.TempDir()), "sim", "--script", "../../examples/add.sim.json", "--quiet")
	p.stdout.waitFor(t, "Stop with Ctrl-C.\n")
	m := simURL.FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("llmkit sim printed no URL:\n%s", p.stdout)
	}
	if !strings.Contains(p.stdout.String(), "Answers: the replies of the script ../../examples/add.sim.json.") {
		t.Errorf("the banner does not name the script:\n%s", p.stdout)
	}
	client := sdkClient(m[1])
	ctx := t.Context()
	const model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	user := types.Message{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "What is 2 + 3?"}}}
	tools := &types.ToolConfiguration{Tools: []types.Tool{&types.ToolMemberToolSpec{Value: types.ToolSpecification{
		Name:        aws.String("add"),
		InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(map[string]any{"type": "object"})},
	}}}}

	// 1. The scripted tool call, streamed in small deltas.
	out, err := client.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{ModelId: aws.String(model), Messages: []types.Message{user}, ToolConfig: tools})
	if err != nil {
		t.Fatalf("ConverseStream: %v", err)
	}
	got := readConverseStream(out.GetStream())
	if got.err != nil {
		t.Fatalf("the tool-call stream failed: %v", got.err)
	}
	text, input, toolID, toolName, stop, usage := got.text, got.input, got.toolID, got.toolName, got.stop, got.usage
	if text != "Let me add them." || toolID != "call-1" || toolName != "add" ||
		input != `{"a":2,"b":3}` || stop != types.StopReasonToolUse || usage == nil || aws.ToInt32(usage.InputTokens) != 42 {
		t.Errorf("tool-call stream: text %q, tool %s %s %s, stop %s, usage %+v", text, toolID, toolName, input, stop, usage)
	}

	// 2. The tool result goes back; the rule for tool results answers.
	conv, err := client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(model), ToolConfig: tools, Messages: []types.Message{
		user,
		{Role: types.ConversationRoleAssistant, Content: []types.ContentBlock{&types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
			ToolUseId: aws.String("call-1"), Name: aws.String("add"), Input: document.NewLazyDocument(map[string]any{"a": 2, "b": 3}),
		}}}},
		{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberToolResult{Value: types.ToolResultBlock{
			ToolUseId: aws.String("call-1"), Content: []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: "5"}},
		}}}},
	}})
	if err != nil {
		t.Fatalf("Converse with the tool result: %v", err)
	}
	msg := conv.Output.(*types.ConverseOutputMemberMessage).Value
	if got := msg.Content[0].(*types.ContentBlockMemberText).Value; got != "2 + 3 = 5." {
		t.Errorf("answer to the tool result = %q", got)
	}

	// 3. A fault: the stream breaks with an exception after three frames.
	flaky := types.Message{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "a flaky one"}}}
	out, err = client.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{ModelId: aws.String(model), Messages: []types.Message{flaky}})
	if err != nil {
		t.Fatalf("ConverseStream (flaky): %v", err)
	}
	stream := out.GetStream()
	events := 0
	for range stream.Events() {
		events++
	}
	stream.Close()
	var mse *types.ModelStreamErrorException
	if err := stream.Err(); !errors.As(err, &mse) || !strings.Contains(err.Error(), "scripted failure") || events != 3 {
		t.Errorf("flaky stream: %d events, error %v; want 3 events then a ModelStreamErrorException", events, err)
	}

	// 4. An HTTP error, and 5. the echo when the script has nothing for a request.
	busy := types.Message{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "are you busy?"}}}
	var te *types.ThrottlingException
	if _, err := client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(model), Messages: []types.Message{busy}}); !errors.As(err, &te) {
		t.Errorf("busy: error %v, want a ThrottlingException", err)
	}
	echo := types.Message{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "hello"}}}
	conv, err = client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(model), Messages: []types.Message{echo}})
	if err != nil || conv.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberText).Value != "hello" {
		t.Errorf("echo beyond the script: %v, %v", conv, err)
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t); code != 0 {
		t.Errorf("llmkit sim: exit code %d\nstderr:\n%s", code, p.stderr)
	}
}

// streamRead is what a ConverseStream stream held.
type streamRead struct {
	text, input      string
	toolID, toolName string
	stop             types.StopReason
	usage            *types.TokenUsage
	err              error
}

// readConverseStream reads a stream to its end and closes it.
func readConverseStream(stream *bedrockruntime.ConverseStreamEventStream) *streamRead {
	var r streamRead
	var text, input strings.Builder
	for ev := range stream.Events() {
		switch ev := ev.(type) {
		case *types.ConverseStreamOutputMemberContentBlockStart:
			if s, ok := ev.Value.Start.(*types.ContentBlockStartMemberToolUse); ok {
				r.toolID, r.toolName = aws.ToString(s.Value.ToolUseId), aws.ToString(s.Value.Name)
			}
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			switch d := ev.Value.Delta.(type) {
			case *types.ContentBlockDeltaMemberText:
				text.WriteString(d.Value)
			case *types.ContentBlockDeltaMemberToolUse:
				input.WriteString(aws.ToString(d.Value.Input))
			}
		case *types.ConverseStreamOutputMemberMessageStop:
			r.stop = ev.Value.StopReason
		case *types.ConverseStreamOutputMemberMetadata:
			r.usage = ev.Value.Usage
		}
	}
	stream.Close()
	r.text, r.input, r.err = text.String(), input.String(), stream.Err()
	return &r
}
