// Package anthropic drives github.com/anthropics/anthropic-sdk-go with its bedrock
// option, which rewrites Messages API calls into InvokeModel and
// InvokeModelWithResponseStream (Anthropic messages format), signs them with SigV4 and
// translates the event stream back to server-sent events.
package anthropic

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/bedrock"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/harness"
	"github.com/llmkit/llmkit/bench/internal/workload"
)

// Info describes the contender.
var Info = contender.Info{
	Name:    "anthropic-sdk",
	Module:  "github.com/anthropics/anthropic-sdk-go v1.84.0",
	API:     "InvokeModel / InvokeModelWithResponseStream (Anthropic messages)",
	Route:   "option.WithBaseURL to the simulator, after bedrock.WithConfig",
	Explain: "Messages.New and Messages.NewStreaming with the SDK's Message.Accumulate, as its documentation shows",
}

type client struct {
	c      anthropic.Client
	params map[*workload.Workload]anthropic.MessageNewParams
}

// New returns the anthropic-sdk-go contender for the simulator at url.
func New(url string) (contender.Contender, error) {
	c := &client{
		c: anthropic.NewClient(
			bedrock.WithConfig(aws.Config{
				Region:      harness.Region,
				Credentials: credentials.NewStaticCredentialsProvider(harness.AccessKey, harness.SecretKey, ""),
			}),
			option.WithBaseURL(url),
			option.WithHTTPClient(contender.HTTPClient()),
		),
		params: map[*workload.Workload]anthropic.MessageNewParams{},
	}
	for _, w := range workload.All {
		p, err := params(w)
		if err != nil {
			return nil, err
		}
		c.params[w] = p
	}
	return c, nil
}

func (c *client) Close() error { return nil }

func params(w *workload.Workload) (anthropic.MessageNewParams, error) {
	p := anthropic.MessageNewParams{
		Model:     anthropic.Model(workload.ModelID),
		MaxTokens: workload.MaxTokens,
		System:    []anthropic.TextBlockParam{{Text: w.System}},
	}
	for _, m := range w.Messages {
		switch m.Role {
		case "user":
			p.Messages = append(p.Messages, anthropic.NewUserMessage(anthropic.NewTextBlock(m.Text)))
		case "assistant":
			var blocks []anthropic.ContentBlockParamUnion
			if m.Text != "" {
				blocks = append(blocks, anthropic.NewTextBlock(m.Text))
			}
			for _, tc := range m.ToolCalls {
				blocks = append(blocks, anthropic.NewToolUseBlock(tc.ID, tc.Input, tc.Name))
			}
			p.Messages = append(p.Messages, anthropic.NewAssistantMessage(blocks...))
		case "tool":
			p.Messages = append(p.Messages, anthropic.NewUserMessage(anthropic.NewToolResultBlock(m.Result.CallID, m.Result.Content, false)))
		default:
			return p, fmt.Errorf("anthropic: role %q", m.Role)
		}
	}
	for _, t := range w.Tools {
		var schema struct {
			Properties map[string]any `json:"properties"`
			Required   []string       `json:"required"`
		}
		if err := json.Unmarshal(t.Schema, &schema); err != nil {
			return p, err
		}
		p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{
			Name: t.Name, Description: anthropic.String(t.Description),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: schema.Properties, Required: schema.Required},
		}})
	}
	return p, nil
}

func answer(m *anthropic.Message) workload.Answer {
	var a workload.Answer
	var sb strings.Builder
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			sb.WriteString(b.Text)
		case "tool_use":
			a.ToolCalls = append(a.ToolCalls, workload.Call{ID: b.ID, Name: b.Name, Input: b.Input})
		}
	}
	a.Text = sb.String()
	return a
}

func (c *client) Converse(ctx context.Context) (workload.Answer, error) {
	m, err := c.c.Messages.New(ctx, c.params[workload.Converse])
	if err != nil {
		return workload.Answer{}, err
	}
	return answer(m), nil
}

func (c *client) ToolRoundTrip(ctx context.Context) (workload.Answer, error) {
	w := workload.ToolTrip
	p := c.params[w]
	m, err := c.c.Messages.New(ctx, p)
	if err != nil {
		return workload.Answer{}, err
	}
	first := answer(m)
	if len(first.ToolCalls) != 1 {
		return first, fmt.Errorf("anthropic: first call made %d tool calls", len(first.ToolCalls))
	}
	call := first.ToolCalls[0]
	result, err := w.RunTool(call.Name, call.Input)
	if err != nil {
		return first, err
	}
	p.Messages = append(append(make([]anthropic.MessageParam, 0, len(p.Messages)+2), p.Messages...),
		m.ToParam(), anthropic.NewUserMessage(anthropic.NewToolResultBlock(call.ID, result, false)))
	m, err = c.c.Messages.New(ctx, p)
	if err != nil {
		return first, err
	}
	final := answer(m)
	final.ToolCalls = first.ToolCalls
	return final, nil
}

func (c *client) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	stream := c.c.Messages.NewStreaming(ctx, c.params[w])
	defer stream.Close()
	var m anthropic.Message
	stopped := false
	for stream.Next() {
		ev := stream.Current()
		if err := m.Accumulate(ev); err != nil {
			return workload.Answer{}, err
		}
		if ev.Type == "message_stop" {
			stopped = true
		}
	}
	if err := stream.Err(); err != nil {
		return workload.Answer{}, err
	}
	if !stopped {
		return workload.Answer{}, fmt.Errorf("anthropic: stream ended without message_stop")
	}
	return answer(&m), nil
}
