// Package eino drives github.com/cloudwego/eino-ext/components/model/claude with
// ByBedrock, which builds an anthropic-sdk-go client through bedrock.WithLoadDefaultConfig:
// InvokeModel in the Anthropic messages format to the hard-coded
// https://bedrock-runtime.<region>.amazonaws.com (Config.BaseURL and Config.HTTPClient
// are ignored on the Bedrock path). It reaches the simulator unmodified through
// HTTPS_PROXY.
package eino

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cloudwego/eino-ext/components/model/claude"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"
	"github.com/eino-contrib/jsonschema"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/harness"
	"github.com/llmkit/llmkit/bench/internal/workload"
)

// Info describes the contender.
var Info = contender.Info{
	Name:    "eino",
	Module:  "github.com/cloudwego/eino-ext/components/model/claude v0.1.24 (eino v0.9.1; anthropic-sdk-go v1.84.0 by minimal version selection)",
	API:     "InvokeModel / InvokeModelWithResponseStream (Anthropic messages, through anthropic-sdk-go)",
	Route:   "HTTPS_PROXY to the simulator's TLS-terminating proxy (endpoint hard-coded)",
	Explain: "ChatModel.Generate and Stream (tools bound with WithTools); stream chunks joined with schema.ConcatMessages, as eino's documentation shows",
}

type eino struct {
	plain, tools model.ToolCallingChatModel
	msgs         map[*workload.Workload][]*schema.Message
}

// New returns the eino contender. The url is unused: eino's Bedrock path cannot be
// pointed at an endpoint, and reaches the simulator through the process's HTTPS_PROXY.
func New(url string) (contender.Contender, error) {
	ctx := context.Background()
	cm, err := claude.NewChatModel(ctx, &claude.Config{
		ByBedrock:       true,
		AccessKey:       harness.AccessKey,
		SecretAccessKey: harness.SecretKey,
		Region:          harness.Region,
		Model:           workload.ModelID,
		MaxTokens:       workload.MaxTokens,
	})
	if err != nil {
		return nil, err
	}
	var infos []*schema.ToolInfo
	for _, t := range workload.Converse.Tools {
		var s jsonschema.Schema
		if err := json.Unmarshal(t.Schema, &s); err != nil {
			return nil, err
		}
		infos = append(infos, &schema.ToolInfo{Name: t.Name, Desc: t.Description, ParamsOneOf: schema.NewParamsOneOfByJSONSchema(&s)})
	}
	withTools, err := cm.WithTools(infos)
	if err != nil {
		return nil, err
	}
	e := &eino{plain: cm, tools: withTools, msgs: map[*workload.Workload][]*schema.Message{}}
	for _, w := range workload.All {
		msgs := []*schema.Message{schema.SystemMessage(w.System)}
		for _, m := range w.Messages {
			switch m.Role {
			case "user":
				msgs = append(msgs, schema.UserMessage(m.Text))
			case "assistant":
				msgs = append(msgs, schema.AssistantMessage(m.Text, toolCalls(m.ToolCalls)))
			case "tool":
				msgs = append(msgs, schema.ToolMessage(m.Result.Content, m.Result.CallID))
			default:
				return nil, fmt.Errorf("eino: role %q", m.Role)
			}
		}
		e.msgs[w] = msgs
	}
	return e, nil
}

func (e *eino) Close() error { return nil }

func toolCalls(calls []workload.Call) []schema.ToolCall {
	var out []schema.ToolCall
	for i, c := range calls {
		idx := i
		out = append(out, schema.ToolCall{Index: &idx, ID: c.ID, Type: "function", Function: schema.FunctionCall{Name: c.Name, Arguments: string(c.Input)}})
	}
	return out
}

func (e *eino) model(w *workload.Workload) model.ToolCallingChatModel {
	if len(w.Tools) > 0 {
		return e.tools
	}
	return e.plain
}

func answer(m *schema.Message) workload.Answer {
	a := workload.Answer{Text: m.Content}
	for _, tc := range m.ToolCalls {
		a.ToolCalls = append(a.ToolCalls, workload.Call{ID: tc.ID, Name: tc.Function.Name, Input: json.RawMessage(tc.Function.Arguments)})
	}
	return a
}

func (e *eino) Converse(ctx context.Context) (workload.Answer, error) {
	w := workload.Converse
	m, err := e.model(w).Generate(ctx, e.msgs[w])
	if err != nil {
		return workload.Answer{}, err
	}
	return answer(m), nil
}

func (e *eino) ToolRoundTrip(ctx context.Context) (workload.Answer, error) {
	w := workload.ToolTrip
	msgs := e.msgs[w]
	m, err := e.model(w).Generate(ctx, msgs)
	if err != nil {
		return workload.Answer{}, err
	}
	first := answer(m)
	if len(first.ToolCalls) != 1 {
		return first, fmt.Errorf("eino: first call made %d tool calls", len(first.ToolCalls))
	}
	call := first.ToolCalls[0]
	result, err := w.RunTool(call.Name, call.Input)
	if err != nil {
		return first, err
	}
	next := append(append(make([]*schema.Message, 0, len(msgs)+2), msgs...), m, schema.ToolMessage(result, call.ID))
	m, err = e.model(w).Generate(ctx, next)
	if err != nil {
		return first, err
	}
	final := answer(m)
	final.ToolCalls = first.ToolCalls
	return final, nil
}

func (e *eino) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	sr, err := e.model(w).Stream(ctx, e.msgs[w])
	if err != nil {
		return workload.Answer{}, err
	}
	defer sr.Close()
	var chunks []*schema.Message
	for {
		m, err := sr.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return workload.Answer{}, err
		}
		chunks = append(chunks, m)
	}
	m, err := schema.ConcatMessages(chunks)
	if err != nil {
		return workload.Answer{}, err
	}
	return answer(m), nil
}
