package workload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Check reports how got differs from want, or nil when it does not: the text must be
// identical, the tool calls the same ids, names and (semantically) the same input.
func Check(got, want Answer) error {
	if got.Text != want.Text {
		return fmt.Errorf("text differs: got %d bytes %q, want %d bytes %q", len(got.Text), clip(got.Text), len(want.Text), clip(want.Text))
	}
	if len(got.ToolCalls) != len(want.ToolCalls) {
		return fmt.Errorf("got %d tool calls, want %d", len(got.ToolCalls), len(want.ToolCalls))
	}
	for i, g := range got.ToolCalls {
		w := want.ToolCalls[i]
		if g.ID != w.ID || g.Name != w.Name {
			return fmt.Errorf("tool call %d is %s(%s), want %s(%s)", i, g.Name, g.ID, w.Name, w.ID)
		}
		var gv, wv any
		if err := json.Unmarshal(g.Input, &gv); err != nil {
			return fmt.Errorf("tool call %d input %q: %v", i, clip(string(g.Input)), err)
		}
		if err := json.Unmarshal(w.Input, &wv); err != nil {
			return err
		}
		if !jsonEqual(gv, wv) {
			return fmt.Errorf("tool call %d input %s, want %s", i, clip(string(g.Input)), clip(string(w.Input)))
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:40] + "…" + s[len(s)-40:]
	}
	return s
}

func jsonEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

// Ops are the Bedrock Runtime operations, as the last segment of the request path.
const (
	OpConverse       = "converse"
	OpConverseStream = "converse-stream"
	OpInvoke         = "invoke"
	OpInvokeStream   = "invoke-with-response-stream"
)

// Find returns the workload a request body belongs to (by its marker) and the index of
// the reply to send: the second reply of a round trip once the body holds a tool result.
func Find(op string, body []byte) (*Workload, int, error) {
	i := bytes.Index(body, []byte("(bench:w"))
	if i < 0 || i+9 >= len(body) {
		return nil, 0, fmt.Errorf("no workload marker in the request")
	}
	w := ByID(string(body[i+7 : i+9]))
	if w == nil {
		return nil, 0, fmt.Errorf("unknown workload marker %q", body[i:i+10])
	}
	reply := 0
	if len(w.Replies) > 1 {
		key := `"toolResult"`
		if op == OpInvoke || op == OpInvokeStream {
			key = `"tool_result"`
		}
		if bytes.Contains(body, []byte(key)) {
			reply = 1
		}
	}
	return w, reply, nil
}

// wireBlock is one content block of a request in a form both request formats map to.
type wireBlock struct {
	Kind    string // text, tool_use, tool_result
	Text    string
	ID      string
	Name    string
	Input   any
	Content any // tool result content: parsed JSON if it is JSON, else the text
}

type wireMsg struct {
	Role   string
	Blocks []wireBlock
}

type wireReq struct {
	System    string
	Messages  []wireMsg
	Tools     []string
	MaxTokens int
}

// expected returns the request a contender must send for call number reply of w.
func (w *Workload) expected(reply int) wireReq {
	req := wireReq{System: w.System, MaxTokens: MaxTokens}
	for _, t := range w.Tools {
		req.Tools = append(req.Tools, t.Name)
	}
	msgs := w.Messages
	if reply == 1 {
		a := w.Replies[0].Answer()
		call := a.ToolCalls[0]
		msgs = append(append([]Msg(nil), msgs...),
			Msg{Role: "assistant", Text: a.Text, ToolCalls: a.ToolCalls},
			Msg{Role: "tool", Result: &Result{CallID: call.ID, Content: w.ToolOutput}})
	}
	for _, m := range msgs {
		wm := wireMsg{Role: m.Role}
		if m.Role == "tool" {
			wm.Role = "user"
		}
		if m.Text != "" {
			wm.Blocks = append(wm.Blocks, wireBlock{Kind: "text", Text: m.Text})
		}
		for _, c := range m.ToolCalls {
			wm.Blocks = append(wm.Blocks, wireBlock{Kind: "tool_use", ID: c.ID, Name: c.Name, Input: parse(c.Input)})
		}
		if m.Result != nil {
			wm.Blocks = append(wm.Blocks, wireBlock{Kind: "tool_result", ID: m.Result.CallID, Content: parseText(m.Result.Content)})
		}
		req.Messages = append(req.Messages, wm)
	}
	return req
}

func parse(raw json.RawMessage) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	return v
}

// parseText returns the JSON value of s if s is a JSON object or array, else s.
func parseText(s string) any {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		var v any
		if json.Unmarshal([]byte(t), &v) == nil {
			return v
		}
	}
	return s
}

// CheckRequest reports how a request body for call number reply of w differs from the
// request every contender must send: the same system prompt, messages (text, tool calls
// and results, semantically), tool names and token limit.
func (w *Workload) CheckRequest(op string, reply int, body []byte) error {
	var got wireReq
	var err error
	if op == OpInvoke || op == OpInvokeStream {
		got, err = parseInvoke(body)
	} else {
		got, err = parseConverse(body)
	}
	if err != nil {
		return err
	}
	want := w.expected(reply)
	if got.System != want.System {
		return fmt.Errorf("system prompt %q, want %q", clip(got.System), clip(want.System))
	}
	if got.MaxTokens != want.MaxTokens {
		return fmt.Errorf("max tokens %d, want %d", got.MaxTokens, want.MaxTokens)
	}
	if !reflect.DeepEqual(got.Tools, want.Tools) {
		return fmt.Errorf("tools %q, want %q", got.Tools, want.Tools)
	}
	if len(got.Messages) != len(want.Messages) {
		return fmt.Errorf("%d messages, want %d", len(got.Messages), len(want.Messages))
	}
	for i := range want.Messages {
		if !reflect.DeepEqual(got.Messages[i], want.Messages[i]) {
			return fmt.Errorf("message %d is %+v, want %+v", i, got.Messages[i], want.Messages[i])
		}
	}
	return nil
}

func parseConverse(body []byte) (wireReq, error) {
	var in struct {
		System []struct {
			Text string `json:"text"`
		} `json:"system"`
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text    *string `json:"text"`
				ToolUse *struct {
					ToolUseID string          `json:"toolUseId"`
					Name      string          `json:"name"`
					Input     json.RawMessage `json:"input"`
				} `json:"toolUse"`
				ToolResult *struct {
					ToolUseID string `json:"toolUseId"`
					Content   []struct {
						Text *string         `json:"text"`
						JSON json.RawMessage `json:"json"`
					} `json:"content"`
				} `json:"toolResult"`
			} `json:"content"`
		} `json:"messages"`
		ToolConfig *struct {
			Tools []struct {
				ToolSpec struct {
					Name string `json:"name"`
				} `json:"toolSpec"`
			} `json:"tools"`
		} `json:"toolConfig"`
		InferenceConfig struct {
			MaxTokens int `json:"maxTokens"`
		} `json:"inferenceConfig"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return wireReq{}, fmt.Errorf("converse request: %v", err)
	}
	var r wireReq
	for _, s := range in.System {
		r.System += s.Text
	}
	r.MaxTokens = in.InferenceConfig.MaxTokens
	if in.ToolConfig != nil {
		for _, t := range in.ToolConfig.Tools {
			r.Tools = append(r.Tools, t.ToolSpec.Name)
		}
	}
	for _, m := range in.Messages {
		wm := wireMsg{Role: m.Role}
		for _, c := range m.Content {
			switch {
			case c.Text != nil:
				wm.Blocks = append(wm.Blocks, wireBlock{Kind: "text", Text: *c.Text})
			case c.ToolUse != nil:
				wm.Blocks = append(wm.Blocks, wireBlock{Kind: "tool_use", ID: c.ToolUse.ToolUseID, Name: c.ToolUse.Name, Input: parse(c.ToolUse.Input)})
			case c.ToolResult != nil:
				b := wireBlock{Kind: "tool_result", ID: c.ToolResult.ToolUseID}
				var sb strings.Builder
				for _, rc := range c.ToolResult.Content {
					if rc.Text != nil {
						sb.WriteString(*rc.Text)
					} else {
						sb.Write(rc.JSON)
					}
				}
				b.Content = parseText(sb.String())
				wm.Blocks = append(wm.Blocks, b)
			default:
				wm.Blocks = append(wm.Blocks, wireBlock{Kind: "unknown"})
			}
		}
		r.Messages = append(r.Messages, wm)
	}
	return r, nil
}

func parseInvoke(body []byte) (wireReq, error) {
	var in struct {
		AnthropicVersion string          `json:"anthropic_version"`
		System           json.RawMessage `json:"system"`
		MaxTokens        int             `json:"max_tokens"`
		Messages         []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return wireReq{}, fmt.Errorf("invoke request: %v", err)
	}
	if in.AnthropicVersion == "" {
		return wireReq{}, fmt.Errorf("invoke request: no anthropic_version")
	}
	r := wireReq{MaxTokens: in.MaxTokens, System: anthropicText(in.System)}
	for _, t := range in.Tools {
		r.Tools = append(r.Tools, t.Name)
	}
	type block struct {
		Type      string          `json:"type"`
		Text      string          `json:"text"`
		ID        string          `json:"id"`
		Name      string          `json:"name"`
		Input     json.RawMessage `json:"input"`
		ToolUseID string          `json:"tool_use_id"`
		Content   json.RawMessage `json:"content"`
	}
	for _, m := range in.Messages {
		wm := wireMsg{Role: m.Role}
		var blocks []block
		if len(m.Content) > 0 && m.Content[0] == '"' {
			var s string
			_ = json.Unmarshal(m.Content, &s)
			blocks = []block{{Type: "text", Text: s}}
		} else if err := json.Unmarshal(m.Content, &blocks); err != nil {
			return wireReq{}, fmt.Errorf("invoke request: message content: %v", err)
		}
		for _, b := range blocks {
			switch b.Type {
			case "text":
				wm.Blocks = append(wm.Blocks, wireBlock{Kind: "text", Text: b.Text})
			case "tool_use":
				wm.Blocks = append(wm.Blocks, wireBlock{Kind: "tool_use", ID: b.ID, Name: b.Name, Input: parse(b.Input)})
			case "tool_result":
				wm.Blocks = append(wm.Blocks, wireBlock{Kind: "tool_result", ID: b.ToolUseID, Content: parseText(anthropicText(b.Content))})
			default:
				wm.Blocks = append(wm.Blocks, wireBlock{Kind: "unknown:" + b.Type})
			}
		}
		r.Messages = append(r.Messages, wm)
	}
	return r, nil
}

// anthropicText returns the text of a string or of an array of text blocks.
func anthropicText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	var blocks []struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &blocks)
	var sb strings.Builder
	for _, b := range blocks {
		sb.WriteString(b.Text)
	}
	return sb.String()
}
