package oai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/contender/langchaingo"
	"github.com/llmkit/llmkit/bench/internal/contender/llmkit"
	"github.com/llmkit/llmkit/bench/internal/workload"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
)

const model = "gpt-4o"

// client is an openai-go client as most programs build one.
func client(url string) oai.Client {
	return oai.NewClient(option.WithBaseURL(url), option.WithAPIKey("bench-key"), option.WithHTTPClient(contender.HTTPClient()))
}

// ---- raw openai-go: the floor ----

type raw struct {
	c     oai.Client
	tools map[*workload.Workload][]oai.ChatCompletionToolUnionParam
}

func newRaw(url string) (oaiContender, error) {
	r := &raw{c: client(url), tools: map[*workload.Workload][]oai.ChatCompletionToolUnionParam{}}
	for _, w := range workload.All {
		for _, t := range w.Tools {
			var params map[string]any
			if err := json.Unmarshal(t.Schema, &params); err != nil {
				return nil, err
			}
			r.tools[w] = append(r.tools[w], oai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
				Name: t.Name, Description: oai.String(t.Description), Parameters: params}))
		}
	}
	return r, nil
}

func (r *raw) params(w *workload.Workload) oai.ChatCompletionNewParams {
	msgs := []oai.ChatCompletionMessageParamUnion{oai.SystemMessage(w.System)}
	for _, m := range w.Messages {
		switch m.Role {
		case "user":
			msgs = append(msgs, oai.UserMessage(m.Text))
		case "assistant":
			a := oai.ChatCompletionAssistantMessageParam{}
			if m.Text != "" {
				a.Content.OfString = oai.String(m.Text)
			}
			for _, c := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, oai.ChatCompletionMessageToolCallUnionParam{OfFunction: &oai.ChatCompletionMessageFunctionToolCallParam{
					ID: c.ID, Function: oai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: string(c.Input)}}})
			}
			msgs = append(msgs, oai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		case "tool":
			msgs = append(msgs, oai.ToolMessage(m.Result.Content, m.Result.CallID))
		}
	}
	return oai.ChatCompletionNewParams{Model: model, Messages: msgs, Tools: r.tools[w], MaxTokens: oai.Int(workload.MaxTokens)}
}

func (r *raw) Converse(ctx context.Context) (workload.Answer, error) {
	c, err := r.c.Chat.Completions.New(ctx, r.params(workload.Converse))
	if err != nil {
		return workload.Answer{}, err
	}
	return rawAnswer(c.Choices[0].Message), nil
}

func rawAnswer(m oai.ChatCompletionMessage) workload.Answer {
	a := workload.Answer{Text: m.Content}
	for _, tc := range m.ToolCalls {
		a.ToolCalls = append(a.ToolCalls, workload.Call{ID: tc.ID, Name: tc.Function.Name, Input: json.RawMessage(tc.Function.Arguments)})
	}
	return a
}

func (r *raw) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	p := r.params(w)
	p.StreamOptions.IncludeUsage = oai.Bool(true)
	s := r.c.Chat.Completions.NewStreaming(ctx, p)
	defer s.Close()
	var acc oai.ChatCompletionAccumulator
	for s.Next() {
		acc.AddChunk(s.Current())
	}
	if err := s.Err(); err != nil {
		return workload.Answer{}, err
	}
	if len(acc.Choices) == 0 {
		return workload.Answer{}, fmt.Errorf("raw: no choices")
	}
	return rawAnswer(acc.Choices[0].Message), nil
}

// ---- llmkit ----

type kit struct{ m *openai.Model }

func newLLMKit(url string) (oaiContender, error) {
	c := client(url)
	return &kit{m: openai.New(&c, nil)}, nil
}

// request is the llmkit request of w, built on each call as the other contenders
// build theirs.
func request(w *workload.Workload) (*llm.Request, error) {
	req, err := llmkit.Request(w)
	if err != nil {
		return nil, err
	}
	req.Model = model
	return req, nil
}

func (k *kit) Converse(ctx context.Context) (workload.Answer, error) {
	req, err := request(workload.Converse)
	if err != nil {
		return workload.Answer{}, err
	}
	resp, err := k.m.Generate(ctx, req)
	if err != nil {
		return workload.Answer{}, err
	}
	return llmkit.Answer(resp), nil
}

func (k *kit) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	req, err := request(w)
	if err != nil {
		return workload.Answer{}, err
	}
	s, err := k.m.Stream(ctx, req)
	if err != nil {
		return workload.Answer{}, err
	}
	for _, err := range s.Events() {
		if err != nil {
			return workload.Answer{}, err
		}
	}
	resp, err := s.Response()
	if err != nil {
		return workload.Answer{}, err
	}
	return llmkit.Answer(resp), nil
}

// ---- langchaingo llms/openai ----

type lc struct {
	llm *lcopenai.LLM
}

func newLangchain(url string) (oaiContender, error) {
	l, err := lcopenai.New(lcopenai.WithBaseURL(strings.TrimSuffix(url, "/")), lcopenai.WithToken("bench-key"),
		lcopenai.WithModel(model), lcopenai.WithHTTPClient(contender.HTTPClient()))
	if err != nil {
		return nil, err
	}
	return &lc{llm: l}, nil
}

func lcCall(ctx context.Context, l *lcopenai.LLM, w *workload.Workload) (workload.Answer, error) {
	msgs, err := langchaingo.Messages(w)
	if err != nil {
		return workload.Answer{}, err
	}
	opts, err := langchaingo.Options(w)
	if err != nil {
		return workload.Answer{}, err
	}
	resp, err := l.GenerateContent(ctx, msgs, opts...)
	if err != nil {
		return workload.Answer{}, err
	}
	return langchaingo.Answer(resp)
}

func (c *lc) Converse(ctx context.Context) (workload.Answer, error) {
	return lcCall(ctx, c.llm, workload.Converse)
}

func (c *lc) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	return lcCall(ctx, c.llm, w)
}

// ---- net/http + encoding/json: what openai-go is measured against ----

type nh struct {
	url string
	hc  *http.Client
}

func newNetHTTP(url string) (oaiContender, error) {
	return &nh{url: url + "chat/completions", hc: contender.HTTPClient()}, nil
}

type nhCall struct {
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Index    int    `json:"index"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type nhMessage struct {
	Role       string   `json:"role,omitempty"`
	Content    *string  `json:"content,omitempty"`
	ToolCalls  []nhCall `json:"tool_calls,omitempty"`
	ToolCallID string   `json:"tool_call_id,omitempty"`
}

type nhTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

func (n *nh) post(ctx context.Context, w *workload.Workload) (*http.Response, error) {
	sys := w.System
	msgs := []nhMessage{{Role: "system", Content: &sys}}
	for _, m := range w.Messages {
		text := m.Text
		switch m.Role {
		case "user":
			msgs = append(msgs, nhMessage{Role: "user", Content: &text})
		case "assistant":
			msg := nhMessage{Role: "assistant"}
			if text != "" {
				msg.Content = &text
			}
			for _, c := range m.ToolCalls {
				var call nhCall
				call.ID, call.Type, call.Function.Name, call.Function.Arguments = c.ID, "function", c.Name, string(c.Input)
				msg.ToolCalls = append(msg.ToolCalls, call)
			}
			msgs = append(msgs, msg)
		case "tool":
			content := m.Result.Content
			msgs = append(msgs, nhMessage{Role: "tool", Content: &content, ToolCallID: m.Result.CallID})
		}
	}
	var tools []nhTool
	for _, t := range w.Tools {
		var tool nhTool
		tool.Type, tool.Function.Name, tool.Function.Description, tool.Function.Parameters = "function", t.Name, t.Description, t.Schema
		tools = append(tools, tool)
	}
	body := map[string]any{"model": model, "messages": msgs, "max_tokens": workload.MaxTokens}
	if len(tools) > 0 {
		body["tools"] = tools
	}
	if w.Stream {
		body["stream"] = true
		body["stream_options"] = map[string]any{"include_usage": true}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer bench-key")
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, fmt.Errorf("nethttp: status %d", resp.StatusCode)
	}
	return resp, nil
}

func (n *nh) Converse(ctx context.Context) (workload.Answer, error) {
	resp, err := n.post(ctx, workload.Converse)
	if err != nil {
		return workload.Answer{}, err
	}
	defer resp.Body.Close()
	var c struct {
		Choices []struct {
			Message nhMessage `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return workload.Answer{}, err
	}
	m := c.Choices[0].Message
	a := workload.Answer{}
	if m.Content != nil {
		a.Text = *m.Content
	}
	for _, tc := range m.ToolCalls {
		a.ToolCalls = append(a.ToolCalls, workload.Call{ID: tc.ID, Name: tc.Function.Name, Input: json.RawMessage(tc.Function.Arguments)})
	}
	return a, nil
}

func (n *nh) Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error) {
	resp, err := n.post(ctx, w)
	if err != nil {
		return workload.Answer{}, err
	}
	defer resp.Body.Close()
	var text strings.Builder
	var calls []workload.Call
	var args []strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	done := false
	for sc.Scan() {
		line := sc.Bytes()
		data, ok := bytes.CutPrefix(line, []byte("data: "))
		if !ok {
			continue
		}
		if string(data) == "[DONE]" {
			done = true
			break
		}
		var ch struct {
			Choices []struct {
				Delta nhMessage `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal(data, &ch); err != nil {
			return workload.Answer{}, err
		}
		for _, c := range ch.Choices {
			if c.Delta.Content != nil {
				text.WriteString(*c.Delta.Content)
			}
			for _, tc := range c.Delta.ToolCalls {
				for len(calls) <= tc.Index {
					calls = append(calls, workload.Call{})
					args = append(args, strings.Builder{})
				}
				if tc.ID != "" {
					calls[tc.Index].ID, calls[tc.Index].Name = tc.ID, tc.Function.Name
				}
				args[tc.Index].WriteString(tc.Function.Arguments)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return workload.Answer{}, err
	}
	if !done {
		return workload.Answer{}, fmt.Errorf("nethttp: stream ended without [DONE]")
	}
	for i := range calls {
		calls[i].Input = json.RawMessage(args[i].String())
	}
	return workload.Answer{Text: text.String(), ToolCalls: calls}, nil
}
