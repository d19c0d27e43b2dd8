// Package bifrost drives github.com/maximhq/bifrost/core, whose Bedrock provider speaks
// Converse and ConverseStream over its own net/http client and SigV4 signing, to the
// hard-coded https://bedrock-runtime.<region>.amazonaws.com (it takes no base URL for
// Bedrock). It reaches the simulator unmodified through HTTPS_PROXY.
package bifrost

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bf "github.com/maximhq/bifrost/core"
	"github.com/maximhq/bifrost/core/schemas"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/harness"
	"github.com/llmkit/llmkit/bench/internal/workload"
)

// Info describes the contender.
var Info = contender.Info{
	Name:    "bifrost",
	Module:  "github.com/maximhq/bifrost/core v1.7.7",
	API:     "Converse / ConverseStream (own HTTP client and signing)",
	Route:   "HTTPS_PROXY to the simulator's TLS-terminating proxy (endpoint hard-coded)",
	Explain: "bifrost.Init with one Bedrock key (static credentials); ChatCompletionRequest and ChatCompletionStreamRequest; stream chunks accumulated by tool-call index",
}

type account struct{}

func (account) GetConfiguredProviders() ([]schemas.ModelProvider, error) {
	return []schemas.ModelProvider{schemas.Bedrock}, nil
}

func (account) GetKeysForProvider(ctx context.Context, p schemas.ModelProvider) ([]schemas.Key, error) {
	return []schemas.Key{{
		ID:     "bench",
		Models: schemas.WhiteList{"*"},
		Weight: 1,
		BedrockKeyConfig: &schemas.BedrockKeyConfig{
			AccessKey: *schemas.NewSecretVar(harness.AccessKey),
			SecretKey: *schemas.NewSecretVar(harness.SecretKey),
			Region:    schemas.NewSecretVar(harness.Region),
		},
	}}, nil
}

func (account) GetConfigForProvider(p schemas.ModelProvider) (*schemas.ProviderConfig, error) {
	cfg := &schemas.ProviderConfig{}
	cfg.NetworkConfig.DefaultRequestTimeoutInSeconds = 60
	return cfg, nil
}

type bifrost struct {
	client *bf.Bifrost
	reqs   map[*workload.Workload]*schemas.BifrostChatRequest
}

// New returns the bifrost contender. The url is unused: bifrost cannot be pointed at an
// endpoint, and reaches the simulator through the process's HTTPS_PROXY.
func New(url string) (contender.Contender, error) {
	client, err := bf.Init(context.Background(), schemas.BifrostConfig{
		Account: account{},
		Logger:  bf.NewDefaultLogger(schemas.LogLevelError),
	})
	if err != nil {
		return nil, err
	}
	b := &bifrost{client: client, reqs: map[*workload.Workload]*schemas.BifrostChatRequest{}}
	for _, w := range workload.All {
		req, err := request(w)
		if err != nil {
			client.Shutdown()
			return nil, err
		}
		b.reqs[w] = req
	}
	return b, nil
}

func (b *bifrost) Close() error {
	b.client.Shutdown()
	return nil
}

func text(s string) *schemas.ChatMessageContent { return &schemas.ChatMessageContent{ContentStr: &s} }

func request(w *workload.Workload) (*schemas.BifrostChatRequest, error) {
	maxTokens := workload.MaxTokens
	req := &schemas.BifrostChatRequest{
		Provider: schemas.Bedrock,
		Model:    workload.ModelID,
		Params:   &schemas.ChatParameters{MaxCompletionTokens: &maxTokens},
		Input:    []schemas.ChatMessage{{Role: schemas.ChatMessageRoleSystem, Content: text(w.System)}},
	}
	for _, m := range w.Messages {
		switch m.Role {
		case "user":
			req.Input = append(req.Input, schemas.ChatMessage{Role: schemas.ChatMessageRoleUser, Content: text(m.Text)})
		case "assistant":
			req.Input = append(req.Input, assistant(m.Text, m.ToolCalls))
		case "tool":
			req.Input = append(req.Input, toolResult(m.Result.CallID, m.Result.Content))
		default:
			return nil, fmt.Errorf("bifrost: role %q", m.Role)
		}
	}
	for _, t := range w.Tools {
		var params schemas.ToolFunctionParameters
		if err := json.Unmarshal(t.Schema, &params); err != nil {
			return nil, err
		}
		desc := t.Description
		req.Params.Tools = append(req.Params.Tools, schemas.ChatTool{Type: schemas.ChatToolTypeFunction,
			Function: &schemas.ChatToolFunction{Name: t.Name, Description: &desc, Parameters: &params}})
	}
	return req, nil
}

func assistant(t string, calls []workload.Call) schemas.ChatMessage {
	m := schemas.ChatMessage{Role: schemas.ChatMessageRoleAssistant}
	if t != "" {
		m.Content = text(t)
	}
	if len(calls) > 0 {
		m.ChatAssistantMessage = &schemas.ChatAssistantMessage{}
		for i, c := range calls {
			id, name, typ := c.ID, c.Name, "function"
			m.ToolCalls = append(m.ToolCalls, schemas.ChatAssistantMessageToolCall{Index: uint16(i), Type: &typ, ID: &id,
				Function: schemas.ChatAssistantMessageToolCallFunction{Name: &name, Arguments: string(c.Input)}})
		}
	}
	return m
}

func toolResult(id, content string) schemas.ChatMessage {
	return schemas.ChatMessage{Role: schemas.ChatMessageRoleTool, Content: text(content), ChatToolMessage: &schemas.ChatToolMessage{ToolCallID: &id}}
}

func bferr(e *schemas.BifrostError) error {
	if e == nil {
		return nil
	}
	msg := "unknown error"
	if e.Error != nil {
		msg = e.Error.Message
		if e.Error.Error != nil {
			msg += ": " + e.Error.Error.Error()
		}
	}
	return fmt.Errorf("bifrost: %s", msg)
}

func answer(resp *schemas.BifrostChatResponse) (workload.Answer, error) {
	var a workload.Answer
	if len(resp.Choices) == 0 || resp.Choices[0].ChatNonStreamResponseChoice == nil || resp.Choices[0].Message == nil {
		return a, fmt.Errorf("bifrost: no message in the response")
	}
	m := resp.Choices[0].Message
	if m.Content != nil {
		if m.Content.ContentStr != nil {
			a.Text = *m.Content.ContentStr
		}
		for _, b := range m.Content.ContentBlocks {
			if b.Text != nil {
				a.Text += *b.Text
			}
		}
	}
	if m.ChatAssistantMessage != nil {
		for _, tc := range m.ToolCalls {
			a.ToolCalls = append(a.ToolCalls, workload.Call{ID: deref(tc.ID), Name: deref(tc.Function.Name), Input: json.RawMessage(tc.Function.Arguments)})
		}
	}
	return a, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (b *bifrost) call(ctx context.Context, req *schemas.BifrostChatRequest) (workload.Answer, error) {
	bctx, cancel := schemas.NewBifrostContextWithCancel(ctx)
	defer cancel()
	// Bifrost may write to the request; each call gets its own copy of the top level.
	r := *req
	resp, berr := b.client.ChatCompletionRequest(bctx, &r)
	if berr != nil {
		return workload.Answer{}, bferr(berr)
	}
	return answer(resp)
}

func (b *bifrost) Converse(ctx context.Context) (workload.Answer, error) {
	return b.call(ctx, b.reqs[workload.Converse])
}

func (b *bifrost) ToolRoundTrip(ctx context.Context) (workload.Answer, error) {
	w := workload.ToolTrip
	req := b.reqs[w]
	first, err := b.call(ctx, req)
	if err != nil {
		return first, err
	}
	if len(first.ToolCalls) != 1 {
		return first, fmt.Errorf("bifrost: first call made %d tool calls", len(first.ToolCalls))
	}
	call := first.ToolCalls[0]
	result, err := w.RunTool(call.Name, call.Input)
	if err != nil {
		return first, err
	}
	next := *req
	next.Input = append(append(make([]schemas.ChatMessage, 0, len(req.Input)+2), req.Input...),
		assistant(first.Text, first.ToolCalls), toolResult(call.ID, result))
	final, err := b.call(ctx, &next)
	final.ToolCalls = first.ToolCalls
	return final, err
}

func (b *bifrost) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	bctx, cancel := schemas.NewBifrostContextWithCancel(ctx)
	defer cancel()
	r := *b.reqs[w]
	ch, berr := b.client.ChatCompletionStreamRequest(bctx, &r)
	if berr != nil {
		return workload.Answer{}, bferr(berr)
	}
	type call struct {
		id, name string
		args     strings.Builder
	}
	var (
		sb       strings.Builder
		calls    []*call
		finished bool
		err      error
	)
	for chunk := range ch {
		if chunk.BifrostError != nil {
			if err == nil {
				err = bferr(chunk.BifrostError)
			}
			continue
		}
		if chunk.BifrostChatResponse == nil {
			continue
		}
		for _, choice := range chunk.BifrostChatResponse.Choices {
			if choice.FinishReason != nil {
				finished = true
			}
			if choice.ChatStreamResponseChoice == nil || choice.Delta == nil {
				continue
			}
			d := choice.Delta
			if d.Content != nil {
				sb.WriteString(*d.Content)
			}
			for _, tc := range d.ToolCalls {
				for int(tc.Index) >= len(calls) {
					calls = append(calls, &call{})
				}
				c := calls[tc.Index]
				if tc.ID != nil && *tc.ID != "" {
					c.id = *tc.ID
				}
				if tc.Function.Name != nil && *tc.Function.Name != "" {
					c.name = *tc.Function.Name
				}
				c.args.WriteString(tc.Function.Arguments)
			}
		}
	}
	if err != nil {
		return workload.Answer{}, err
	}
	if !finished {
		return workload.Answer{}, fmt.Errorf("bifrost: stream ended without a finish reason")
	}
	a := workload.Answer{Text: sb.String()}
	for _, c := range calls {
		a.ToolCalls = append(a.ToolCalls, workload.Call{ID: c.id, Name: c.name, Input: json.RawMessage(c.args.String())})
	}
	return a, nil
}
