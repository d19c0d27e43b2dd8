// Package langchaingo drives github.com/tmc/langchaingo's llms/bedrock, which talks to
// Claude through InvokeModel in the Anthropic messages format, over a bedrockruntime
// client the caller supplies (here the same client the raw SDK contender uses).
package langchaingo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/bedrock"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/workload"
)

// Info describes the contender.
var Info = contender.Info{
	Name:    "langchaingo",
	Module:  "github.com/tmc/langchaingo v0.1.14",
	API:     "InvokeModel / InvokeModelWithResponseStream (Anthropic messages)",
	Route:   "bedrock.WithClient: a bedrockruntime client with BaseEndpoint to the simulator",
	Explain: "GenerateContent; streaming through WithStreamingFunc, answer read from the returned ContentResponse",
}

type lc struct {
	llm  *bedrock.LLM
	msgs map[*workload.Workload][]llms.MessageContent
	opts map[*workload.Workload][]llms.CallOption
}

// New returns the langchaingo contender for the simulator at url.
func New(url string) (contender.Contender, error) {
	llm, err := bedrock.New(
		bedrock.WithClient(contender.RuntimeClient(url)),
		bedrock.WithModel(workload.ModelID),
		bedrock.WithModelProvider("anthropic"),
	)
	if err != nil {
		return nil, err
	}
	c := &lc{llm: llm, msgs: map[*workload.Workload][]llms.MessageContent{}, opts: map[*workload.Workload][]llms.CallOption{}}
	for _, w := range workload.All {
		msgs, err := Messages(w)
		if err != nil {
			return nil, err
		}
		c.msgs[w] = msgs
		if c.opts[w], err = Options(w); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Options returns the call options of w: its token cap, its tools, and for a streaming
// workload a streaming function that drops the chunks.
func Options(w *workload.Workload) ([]llms.CallOption, error) {
	opts := []llms.CallOption{llms.WithMaxTokens(workload.MaxTokens)}
	if len(w.Tools) > 0 {
		var tools []llms.Tool
		for _, t := range w.Tools {
			var params map[string]any
			if err := json.Unmarshal(t.Schema, &params); err != nil {
				return nil, err
			}
			tools = append(tools, llms.Tool{Type: "function", Function: &llms.FunctionDefinition{Name: t.Name, Description: t.Description, Parameters: params}})
		}
		opts = append(opts, llms.WithTools(tools))
	}
	if w.Stream {
		opts = append(opts, llms.WithStreamingFunc(func(ctx context.Context, chunk []byte) error { return nil }))
	}
	return opts, nil
}

func (c *lc) Close() error { return nil }

// Messages returns w's conversation as langchaingo messages.
func Messages(w *workload.Workload) ([]llms.MessageContent, error) {
	msgs := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeSystem, w.System)}
	for _, m := range w.Messages {
		switch m.Role {
		case "user":
			msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeHuman, m.Text))
		case "assistant":
			mc := llms.MessageContent{Role: llms.ChatMessageTypeAI}
			if m.Text != "" {
				mc.Parts = append(mc.Parts, llms.TextContent{Text: m.Text})
			}
			for _, tc := range m.ToolCalls {
				mc.Parts = append(mc.Parts, llms.ToolCall{ID: tc.ID, Type: "function", FunctionCall: &llms.FunctionCall{Name: tc.Name, Arguments: string(tc.Input)}})
			}
			msgs = append(msgs, mc)
		case "tool":
			msgs = append(msgs, llms.MessageContent{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{
				llms.ToolCallResponse{ToolCallID: m.Result.CallID, Content: m.Result.Content},
			}})
		default:
			return nil, fmt.Errorf("langchaingo: role %q", m.Role)
		}
	}
	return msgs, nil
}

// Answer returns the first choice of resp as a workload answer.
func Answer(resp *llms.ContentResponse) (workload.Answer, error) {
	if len(resp.Choices) == 0 {
		return workload.Answer{}, fmt.Errorf("langchaingo: no choices")
	}
	ch := resp.Choices[0]
	a := workload.Answer{Text: ch.Content}
	for _, tc := range ch.ToolCalls {
		a.ToolCalls = append(a.ToolCalls, workload.Call{ID: tc.ID, Name: tc.FunctionCall.Name, Input: json.RawMessage(tc.FunctionCall.Arguments)})
	}
	return a, nil
}

func (c *lc) Converse(ctx context.Context) (workload.Answer, error) {
	w := workload.Converse
	resp, err := c.llm.GenerateContent(ctx, c.msgs[w], c.opts[w]...)
	if err != nil {
		return workload.Answer{}, err
	}
	return Answer(resp)
}

func (c *lc) ToolRoundTrip(ctx context.Context) (workload.Answer, error) {
	w := workload.ToolTrip
	msgs := c.msgs[w]
	resp, err := c.llm.GenerateContent(ctx, msgs, c.opts[w]...)
	if err != nil {
		return workload.Answer{}, err
	}
	first, err := Answer(resp)
	if err != nil {
		return first, err
	}
	if len(first.ToolCalls) != 1 {
		return first, fmt.Errorf("langchaingo: first call made %d tool calls", len(first.ToolCalls))
	}
	tc := resp.Choices[0].ToolCalls[0]
	result, err := w.RunTool(tc.FunctionCall.Name, json.RawMessage(tc.FunctionCall.Arguments))
	if err != nil {
		return first, err
	}
	ai := llms.MessageContent{Role: llms.ChatMessageTypeAI}
	if resp.Choices[0].Content != "" {
		ai.Parts = append(ai.Parts, llms.TextContent{Text: resp.Choices[0].Content})
	}
	ai.Parts = append(ai.Parts, tc)
	next := append(append(make([]llms.MessageContent, 0, len(msgs)+2), msgs...), ai,
		llms.MessageContent{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: tc.ID, Name: tc.FunctionCall.Name, Content: result}}})
	resp, err = c.llm.GenerateContent(ctx, next, c.opts[w]...)
	if err != nil {
		return first, err
	}
	final, err := Answer(resp)
	final.ToolCalls = first.ToolCalls
	return final, err
}

func (c *lc) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	resp, err := c.llm.GenerateContent(ctx, c.msgs[w], c.opts[w]...)
	if err != nil {
		return workload.Answer{}, err
	}
	return Answer(resp)
}
