package workload

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// The four wire forms of a reply, shaped like recorded Bedrock traffic: stream payloads
// carry the "p" padding field real Bedrock adds, usage carries serverToolUsage, and
// InvokeModel streams wrap each Anthropic event as base64 in a "chunk" event.

const padAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"

// pad returns the i-th padding value (its length varies as Bedrock's does).
func pad(i int) string { return padAlphabet[:1+(i*13)%(len(padAlphabet)-1)] }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("workload: marshal %T: %v", v, err))
	}
	return b
}

type converseToolUse struct {
	Input     json.RawMessage `json:"input"`
	Name      string          `json:"name"`
	ToolUseID string          `json:"toolUseId"`
}

type converseBlock struct {
	Text    *string          `json:"text,omitempty"`
	ToolUse *converseToolUse `json:"toolUse,omitempty"`
}

type converseUsage struct {
	InputTokens     int      `json:"inputTokens"`
	OutputTokens    int      `json:"outputTokens"`
	ServerToolUsage struct{} `json:"serverToolUsage"`
	TotalTokens     int      `json:"totalTokens"`
}

type metrics struct {
	LatencyMs int `json:"latencyMs"`
}

func (r *Reply) usage() converseUsage {
	return converseUsage{InputTokens: r.InputTokens, OutputTokens: r.OutputTokens, TotalTokens: r.InputTokens + r.OutputTokens}
}

// ConverseJSON renders r as the body of a Converse response.
func (r *Reply) ConverseJSON() []byte {
	var content []converseBlock
	for _, b := range r.Blocks {
		if b.Call != nil {
			content = append(content, converseBlock{ToolUse: &converseToolUse{Input: b.Call.Input, Name: b.Call.Name, ToolUseID: b.Call.ID}})
			continue
		}
		var buf bytes.Buffer
		for _, d := range b.Deltas {
			buf.WriteString(d)
		}
		t := buf.String()
		content = append(content, converseBlock{Text: &t})
	}
	type message struct {
		Content []converseBlock `json:"content"`
		Role    string          `json:"role"`
	}
	return mustJSON(struct {
		Metrics metrics `json:"metrics"`
		Output  struct {
			Message message `json:"message"`
		} `json:"output"`
		StopReason string        `json:"stopReason"`
		Usage      converseUsage `json:"usage"`
	}{
		Metrics: metrics{LatencyMs: 812},
		Output: struct {
			Message message `json:"message"`
		}{message{Content: content, Role: "assistant"}},
		StopReason: r.StopReason,
		Usage:      r.usage(),
	})
}

// frames encodes event-stream frames.
type frames struct {
	buf bytes.Buffer
	enc *eventstream.Encoder
	n   int
}

func (f *frames) event(typ string, payload []byte) {
	if f.enc == nil {
		f.enc = eventstream.NewEncoder()
	}
	msg := eventstream.Message{Payload: payload}
	msg.Headers.Set(":event-type", eventstream.StringValue(typ))
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	msg.Headers.Set(":message-type", eventstream.StringValue("event"))
	if err := f.enc.Encode(&f.buf, msg); err != nil {
		panic(fmt.Sprintf("workload: encode frame: %v", err))
	}
	f.n++
}

// ConverseStream renders r as the body of a ConverseStream response
// (application/vnd.amazon.eventstream). Text blocks come without contentBlockStart, as
// Bedrock sends them for Claude.
func (r *Reply) ConverseStream() []byte {
	var f frames
	f.event("messageStart", mustJSON(struct {
		P    string `json:"p"`
		Role string `json:"role"`
	}{pad(f.n), "assistant"}))
	for i, b := range r.Blocks {
		if b.Call != nil {
			type toolStart struct {
				Name      string `json:"name"`
				ToolUseID string `json:"toolUseId"`
			}
			f.event("contentBlockStart", mustJSON(struct {
				Index int    `json:"contentBlockIndex"`
				P     string `json:"p"`
				Start struct {
					ToolUse toolStart `json:"toolUse"`
				} `json:"start"`
			}{Index: i, P: pad(f.n), Start: struct {
				ToolUse toolStart `json:"toolUse"`
			}{toolStart{b.Call.Name, b.Call.ID}}}))
			for _, frag := range b.Fragments {
				f.event("contentBlockDelta", mustJSON(struct {
					Index int `json:"contentBlockIndex"`
					Delta struct {
						ToolUse struct {
							Input string `json:"input"`
						} `json:"toolUse"`
					} `json:"delta"`
					P string `json:"p"`
				}{Index: i, Delta: struct {
					ToolUse struct {
						Input string `json:"input"`
					} `json:"toolUse"`
				}{struct {
					Input string `json:"input"`
				}{frag}}, P: pad(f.n)}))
			}
		} else {
			for _, d := range b.Deltas {
				f.event("contentBlockDelta", mustJSON(struct {
					Index int `json:"contentBlockIndex"`
					Delta struct {
						Text string `json:"text"`
					} `json:"delta"`
					P string `json:"p"`
				}{Index: i, Delta: struct {
					Text string `json:"text"`
				}{d}, P: pad(f.n)}))
			}
		}
		f.event("contentBlockStop", mustJSON(struct {
			Index int    `json:"contentBlockIndex"`
			P     string `json:"p"`
		}{i, pad(f.n)}))
	}
	f.event("messageStop", mustJSON(struct {
		P          string `json:"p"`
		StopReason string `json:"stopReason"`
	}{pad(f.n), r.StopReason}))
	f.event("metadata", mustJSON(struct {
		Metrics metrics       `json:"metrics"`
		P       string        `json:"p"`
		Usage   converseUsage `json:"usage"`
	}{metrics{812}, pad(f.n), r.usage()}))
	return f.buf.Bytes()
}

// Anthropic messages format, as InvokeModel returns it for Claude.

type anthropicUsage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	OutputTokens             int `json:"output_tokens"`
}

type anthropicBlock struct {
	Type  string          `json:"type"`
	Text  *string         `json:"text,omitempty"`
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
}

type anthropicMessage struct {
	ID           string           `json:"id"`
	Type         string           `json:"type"`
	Role         string           `json:"role"`
	Model        string           `json:"model"`
	Content      []anthropicBlock `json:"content"`
	StopReason   *string          `json:"stop_reason"`
	StopSequence *string          `json:"stop_sequence"`
	Usage        anthropicUsage   `json:"usage"`
}

const anthropicModel = "claude-haiku-4-5-20251001"

// InvokeJSON renders r as the body of an InvokeModel response for Claude.
func (r *Reply) InvokeJSON() []byte {
	m := anthropicMessage{ID: "msg_bdrk_01BenchReply", Type: "message", Role: "assistant", Model: anthropicModel, StopReason: &r.StopReason,
		Usage: anthropicUsage{InputTokens: r.InputTokens, OutputTokens: r.OutputTokens}}
	for _, b := range r.Blocks {
		if b.Call != nil {
			m.Content = append(m.Content, anthropicBlock{Type: "tool_use", ID: b.Call.ID, Name: b.Call.Name, Input: b.Call.Input})
			continue
		}
		var buf bytes.Buffer
		for _, d := range b.Deltas {
			buf.WriteString(d)
		}
		t := buf.String()
		m.Content = append(m.Content, anthropicBlock{Type: "text", Text: &t})
	}
	return mustJSON(m)
}

// InvokeStream renders r as the body of an InvokeModelWithResponseStream response for
// Claude: Anthropic stream events, each base64 in the "bytes" of a chunk event.
func (r *Reply) InvokeStream() []byte {
	var f frames
	chunk := func(ev any) {
		f.event("chunk", mustJSON(struct {
			Bytes string `json:"bytes"`
			P     string `json:"p"`
		}{base64.StdEncoding.EncodeToString(mustJSON(ev)), pad(f.n)}))
	}
	type delta struct {
		Type        string  `json:"type"`
		Text        *string `json:"text,omitempty"`
		PartialJSON *string `json:"partial_json,omitempty"`
	}
	type blockEvent struct {
		Type         string          `json:"type"`
		Index        int             `json:"index"`
		ContentBlock *anthropicBlock `json:"content_block,omitempty"`
		Delta        *delta          `json:"delta,omitempty"`
	}
	chunk(struct {
		Type    string           `json:"type"`
		Message anthropicMessage `json:"message"`
	}{"message_start", anthropicMessage{ID: "msg_bdrk_01BenchStream", Type: "message", Role: "assistant", Model: anthropicModel,
		Content: []anthropicBlock{}, Usage: anthropicUsage{InputTokens: r.InputTokens, OutputTokens: 1}}})
	for i, b := range r.Blocks {
		if b.Call != nil {
			chunk(blockEvent{Type: "content_block_start", Index: i, ContentBlock: &anthropicBlock{Type: "tool_use", ID: b.Call.ID, Name: b.Call.Name, Input: json.RawMessage(`{}`)}})
			for _, frag := range b.Fragments {
				chunk(blockEvent{Type: "content_block_delta", Index: i, Delta: &delta{Type: "input_json_delta", PartialJSON: &frag}})
			}
		} else {
			empty := ""
			chunk(blockEvent{Type: "content_block_start", Index: i, ContentBlock: &anthropicBlock{Type: "text", Text: &empty}})
			for _, d := range b.Deltas {
				chunk(blockEvent{Type: "content_block_delta", Index: i, Delta: &delta{Type: "text_delta", Text: &d}})
			}
		}
		chunk(blockEvent{Type: "content_block_stop", Index: i})
	}
	chunk(struct {
		Type  string `json:"type"`
		Delta struct {
			StopReason   string  `json:"stop_reason"`
			StopSequence *string `json:"stop_sequence"`
		} `json:"delta"`
		Usage struct {
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	}{Type: "message_delta", Delta: struct {
		StopReason   string  `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	}{StopReason: r.StopReason}, Usage: struct {
		OutputTokens int `json:"output_tokens"`
	}{r.OutputTokens}})
	chunk(struct {
		Type    string `json:"type"`
		Metrics struct {
			InputTokenCount   int `json:"inputTokenCount"`
			OutputTokenCount  int `json:"outputTokenCount"`
			InvocationLatency int `json:"invocationLatency"`
			FirstByteLatency  int `json:"firstByteLatency"`
		} `json:"amazon-bedrock-invocationMetrics"`
	}{Type: "message_stop", Metrics: struct {
		InputTokenCount   int `json:"inputTokenCount"`
		OutputTokenCount  int `json:"outputTokenCount"`
		InvocationLatency int `json:"invocationLatency"`
		FirstByteLatency  int `json:"firstByteLatency"`
	}{r.InputTokens, r.OutputTokens, 812, 240}})
	return f.buf.Bytes()
}
