// Package llmkit drives llmkit: a bedrock.Model over the same bedrockruntime client the
// raw SDK contender uses (so that the difference between the two is llmkit's own work),
// and an agent.Agent for the tool round trip.
package llmkit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/workload"
)

// Info describes the contender.
var Info = contender.Info{
	Name:    "llmkit",
	Module:  "github.com/llmkit/llmkit (this checkout)",
	API:     "Converse / ConverseStream",
	Route:   "bedrock.New over a bedrockruntime client with BaseEndpoint to the simulator",
	Explain: "bedrock.Model Generate; Stream ranged with Events() then Response(); the tool round trip through agent.Agent.Run (schema-validated tool input)",
}

// InfoSDK describes llmkit reading streams through the SDK's event-stream reader.
var InfoSDK = contender.Info{
	Name:    "llmkit-sdkpath",
	Module:  Info.Module,
	API:     Info.API,
	Route:   Info.Route,
	Explain: "llmkit with bedrock.Options.StreamDecoder = bedrock.DecoderSDK: streams read by the SDK's event-stream reader, as before issue 14",
}

type kit struct {
	model *bedrock.Model
	agent *agent.Agent
	reqs  map[*workload.Workload]*llm.Request
}

// New returns the llmkit contender for the simulator at url.
func New(url string) (contender.Contender, error) {
	return newKit(url, nil)
}

// NewSDK returns the llmkit contender reading streams with the SDK's reader.
func NewSDK(url string) (contender.Contender, error) {
	return newKit(url, &bedrock.Options{StreamDecoder: bedrock.DecoderSDK})
}

func newKit(url string, opts *bedrock.Options) (contender.Contender, error) {
	m := bedrock.New(contender.RuntimeClient(url), opts)
	k := &kit{model: m, reqs: map[*workload.Workload]*llm.Request{}}
	for _, w := range workload.All {
		req, err := Request(w)
		if err != nil {
			return nil, err
		}
		k.reqs[w] = req
	}
	w := workload.ToolTrip
	var tools []agent.Tool
	for _, t := range w.Tools {
		name := t.Name
		tool, err := agent.NewRawTool(llm.Tool{Name: t.Name, Description: t.Description, InputSchema: t.Schema},
			func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
				out, err := w.RunTool(name, input)
				if err != nil {
					return nil, err
				}
				return []llm.Part{llm.Text{Text: out}}, nil
			})
		if err != nil {
			return nil, err
		}
		tools = append(tools, tool)
	}
	k.agent = agent.New(m, &agent.Options{Tools: tools})
	// The agent declares its tools itself; the request must not repeat them.
	k.reqs[w].Tools = nil
	return k, nil
}

func (k *kit) Close() error { return nil }

// Request builds the llmkit request of w's first call.
func Request(w *workload.Workload) (*llm.Request, error) {
	req := &llm.Request{Model: workload.ModelID, MaxTokens: workload.MaxTokens, Messages: []llm.Message{llm.SystemText(w.System)}}
	for _, m := range w.Messages {
		switch m.Role {
		case "user":
			req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{Text: m.Text}}})
		case "assistant":
			msg := llm.Message{Role: llm.RoleAssistant}
			if m.Text != "" {
				msg.Parts = append(msg.Parts, llm.Text{Text: m.Text})
			}
			for _, c := range m.ToolCalls {
				msg.Parts = append(msg.Parts, llm.ToolCall{ID: c.ID, Name: c.Name, Input: c.Input})
			}
			req.Messages = append(req.Messages, msg)
		case "tool":
			req.Messages = append(req.Messages, llm.Message{Role: llm.RoleTool, Parts: []llm.Part{
				llm.ToolResult{CallID: m.Result.CallID, Content: []llm.Part{llm.Text{Text: m.Result.Content}}},
			}})
		default:
			return nil, fmt.Errorf("llmkit: role %q", m.Role)
		}
	}
	for _, t := range w.Tools {
		req.Tools = append(req.Tools, llm.Tool{Name: t.Name, Description: t.Description, InputSchema: t.Schema})
	}
	return req, nil
}

// Answer returns resp's text and tool calls as a workload answer.
func Answer(resp *llm.Response) workload.Answer {
	a := workload.Answer{Text: resp.Text()}
	for _, c := range resp.ToolCalls() {
		a.ToolCalls = append(a.ToolCalls, workload.Call{ID: c.ID, Name: c.Name, Input: c.Input})
	}
	return a
}

func (k *kit) Converse(ctx context.Context) (workload.Answer, error) {
	resp, err := k.model.Generate(ctx, k.reqs[workload.Converse])
	if err != nil {
		return workload.Answer{}, err
	}
	return Answer(resp), nil
}

func (k *kit) ToolRoundTrip(ctx context.Context) (workload.Answer, error) {
	res, err := k.agent.Run(ctx, k.reqs[workload.ToolTrip])
	if err != nil {
		return workload.Answer{}, err
	}
	a := Answer(res.Response)
	for _, m := range res.Messages {
		if m.Role == llm.RoleAssistant {
			for _, c := range m.ToolCalls() {
				a.ToolCalls = append(a.ToolCalls, workload.Call{ID: c.ID, Name: c.Name, Input: c.Input})
			}
		}
	}
	return a, nil
}

func (k *kit) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	s, err := k.model.Stream(ctx, k.reqs[w])
	if err != nil {
		return workload.Answer{}, err
	}
	defer s.Close()
	for _, err := range s.Events() {
		if err != nil {
			return workload.Answer{}, err
		}
	}
	resp, err := s.Response()
	if err != nil {
		return workload.Answer{}, err
	}
	return Answer(resp), nil
}
