// Package raw is the floor: the AWS SDK's bedrockruntime client used by hand, with
// llmkit's fixes for SDK defects (bedrock.ConfigureClient), building Converse inputs and
// reading outputs and stream events directly — what a careful user would write without
// any library on top.
package raw

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/workload"
)

// Info describes the contender.
var Info = contender.Info{
	Name:    "raw-sdk",
	Module:  "github.com/aws/aws-sdk-go-v2/service/bedrockruntime v1.63.11",
	API:     "Converse / ConverseStream",
	Route:   "BaseEndpoint to the simulator",
	Explain: "hand-written use of the SDK client, built with bedrock.ConfigureClient (the request-body fix and a race-free event-stream codec; llmkit uses the very same client); the floor every other contender is compared with",
}

// InfoTLS describes the control contender: the floor over TLS through the HTTPS proxy.
var InfoTLS = contender.Info{
	Name:    "raw-sdk-tls",
	Module:  Info.Module,
	API:     Info.API,
	Route:   "HTTPS_PROXY to the simulator's TLS-terminating proxy (no BaseEndpoint)",
	Explain: "control, not a contender: the raw SDK code over the same route as bifrost and eino, to separate the cost of TLS through the proxy from theirs",
}

// InfoPlain describes the raw SDK client as most programs build it.
var InfoPlain = contender.Info{
	Name:    "raw-sdk-plain",
	Module:  Info.Module,
	API:     Info.API,
	Route:   Info.Route,
	Explain: "the raw-sdk code on a client built with bedrockruntime.NewFromConfig and nothing of llmkit (the SDK's default HTTP client and event-stream codec): the client most programs have, the reference of issue 14's targets",
}

type raw struct {
	client *bedrockruntime.Client
	inputs map[*workload.Workload]*bedrockruntime.ConverseInput
}

// New returns the raw SDK contender for the simulator at url.
func New(url string) (contender.Contender, error) {
	return newRaw(contender.RuntimeClient(url))
}

// NewPlain returns the raw SDK contender on a client with nothing of llmkit installed.
// With the SDK's default HTTP client about one fast stream in ten dies with "use of
// closed network connection" (the defect bedrock.HTTPClient fixes); such a stream is
// made again, so that the benchmark can run, and the retries are counted in Retries.
func NewPlain(url string) (contender.Contender, error) {
	c, err := newRaw(contender.PlainRuntimeClient(url))
	if err != nil {
		return nil, err
	}
	return &plain{Contender: c}, nil
}

type plain struct {
	contender.Contender
}

// Retries counts the streams of plain contenders made again after the SDK's default
// HTTP client closed their connection.
var Retries atomic.Int64

func (p *plain) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	for {
		a, err := p.Contender.Stream(ctx, w)
		if err == nil || !strings.Contains(err.Error(), "use of closed network connection") {
			return a, err
		}
		Retries.Add(1)
	}
}

// NewTLS returns the control contender, which reaches the simulator through HTTPS_PROXY.
func NewTLS(string) (contender.Contender, error) {
	return newRaw(contender.RuntimeClientTLS())
}

func newRaw(client *bedrockruntime.Client) (contender.Contender, error) {
	r := &raw{client: client, inputs: map[*workload.Workload]*bedrockruntime.ConverseInput{}}
	for _, w := range workload.All {
		in, err := Input(w)
		if err != nil {
			return nil, err
		}
		r.inputs[w] = in
	}
	return r, nil
}

func (r *raw) Close() error { return nil }

// Input builds the SDK Converse input of w's first call.
func Input(w *workload.Workload) (*bedrockruntime.ConverseInput, error) {
	in := &bedrockruntime.ConverseInput{
		ModelId:         aws.String(workload.ModelID),
		System:          []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: w.System}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(workload.MaxTokens)},
	}
	for _, m := range w.Messages {
		msg := types.Message{Role: types.ConversationRoleUser}
		if m.Role == "assistant" {
			msg.Role = types.ConversationRoleAssistant
		}
		if m.Text != "" {
			msg.Content = append(msg.Content, &types.ContentBlockMemberText{Value: m.Text})
		}
		for _, c := range m.ToolCalls {
			var input map[string]any
			if err := json.Unmarshal(c.Input, &input); err != nil {
				return nil, err
			}
			msg.Content = append(msg.Content, &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
				ToolUseId: aws.String(c.ID), Name: aws.String(c.Name), Input: document.NewLazyDocument(input),
			}})
		}
		if m.Result != nil {
			msg.Content = append(msg.Content, toolResult(m.Result.CallID, m.Result.Content))
		}
		in.Messages = append(in.Messages, msg)
	}
	if len(w.Tools) > 0 {
		in.ToolConfig = &types.ToolConfiguration{}
		for _, t := range w.Tools {
			var schema map[string]any
			if err := json.Unmarshal(t.Schema, &schema); err != nil {
				return nil, err
			}
			in.ToolConfig.Tools = append(in.ToolConfig.Tools, &types.ToolMemberToolSpec{Value: types.ToolSpecification{
				Name: aws.String(t.Name), Description: aws.String(t.Description),
				InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(schema)},
			}})
		}
	}
	return in, nil
}

func toolResult(id, content string) types.ContentBlock {
	return &types.ContentBlockMemberToolResult{Value: types.ToolResultBlock{
		ToolUseId: aws.String(id),
		Content:   []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: content}},
	}}
}

func answer(out *bedrockruntime.ConverseOutput) (workload.Answer, *types.Message, error) {
	var a workload.Answer
	m, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		return a, nil, fmt.Errorf("raw: converse output %T", out.Output)
	}
	var sb strings.Builder
	for _, b := range m.Value.Content {
		switch b := b.(type) {
		case *types.ContentBlockMemberText:
			sb.WriteString(b.Value)
		case *types.ContentBlockMemberToolUse:
			input, err := b.Value.Input.MarshalSmithyDocument()
			if err != nil {
				return a, nil, err
			}
			a.ToolCalls = append(a.ToolCalls, workload.Call{ID: aws.ToString(b.Value.ToolUseId), Name: aws.ToString(b.Value.Name), Input: input})
		}
	}
	a.Text = sb.String()
	return a, &m.Value, nil
}

func (r *raw) Converse(ctx context.Context) (workload.Answer, error) {
	out, err := r.client.Converse(ctx, r.inputs[workload.Converse])
	if err != nil {
		return workload.Answer{}, err
	}
	a, _, err := answer(out)
	return a, err
}

func (r *raw) ToolRoundTrip(ctx context.Context) (workload.Answer, error) {
	w := workload.ToolTrip
	in := r.inputs[w]
	out, err := r.client.Converse(ctx, in)
	if err != nil {
		return workload.Answer{}, err
	}
	first, msg, err := answer(out)
	if err != nil {
		return first, err
	}
	if len(first.ToolCalls) != 1 || out.StopReason != types.StopReasonToolUse {
		return first, fmt.Errorf("raw: first call: %d tool calls, stop reason %s", len(first.ToolCalls), out.StopReason)
	}
	call := first.ToolCalls[0]
	result, err := w.RunTool(call.Name, call.Input)
	if err != nil {
		return first, err
	}
	next := *in
	next.Messages = append(append(make([]types.Message, 0, len(in.Messages)+2), in.Messages...),
		*msg, types.Message{Role: types.ConversationRoleUser, Content: []types.ContentBlock{toolResult(call.ID, result)}})
	out, err = r.client.Converse(ctx, &next)
	if err != nil {
		return first, err
	}
	final, _, err := answer(out)
	final.ToolCalls = first.ToolCalls
	return final, err
}

func (r *raw) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	in := r.inputs[w]
	out, err := r.client.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{
		ModelId: in.ModelId, System: in.System, Messages: in.Messages, ToolConfig: in.ToolConfig, InferenceConfig: in.InferenceConfig,
	})
	if err != nil {
		return workload.Answer{}, err
	}
	stream := out.GetStream()
	defer stream.Close()

	type block struct {
		call  *workload.Call
		input strings.Builder
	}
	var (
		text     strings.Builder
		blocks   []*block
		stopped  bool
		blockFor = func(i int32) *block {
			for int(i) >= len(blocks) {
				blocks = append(blocks, nil)
			}
			if blocks[i] == nil {
				blocks[i] = &block{}
			}
			return blocks[i]
		}
	)
	for ev := range stream.Events() {
		switch ev := ev.(type) {
		case *types.ConverseStreamOutputMemberContentBlockStart:
			if tu, ok := ev.Value.Start.(*types.ContentBlockStartMemberToolUse); ok {
				blockFor(aws.ToInt32(ev.Value.ContentBlockIndex)).call = &workload.Call{ID: aws.ToString(tu.Value.ToolUseId), Name: aws.ToString(tu.Value.Name)}
			}
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			switch d := ev.Value.Delta.(type) {
			case *types.ContentBlockDeltaMemberText:
				text.WriteString(d.Value)
			case *types.ContentBlockDeltaMemberToolUse:
				blockFor(aws.ToInt32(ev.Value.ContentBlockIndex)).input.WriteString(aws.ToString(d.Value.Input))
			}
		case *types.ConverseStreamOutputMemberMessageStop:
			stopped = true
		}
	}
	if err := stream.Err(); err != nil {
		return workload.Answer{}, err
	}
	if !stopped {
		return workload.Answer{}, fmt.Errorf("raw: stream ended without messageStop")
	}
	a := workload.Answer{Text: text.String()}
	for _, b := range blocks {
		if b != nil && b.call != nil {
			b.call.Input = json.RawMessage(b.input.String())
			a.ToolCalls = append(a.ToolCalls, *b.call)
		}
	}
	return a, nil
}
