package bedrocktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/llmkit/llmkit/llm"
)

// Frame is one raw event-stream message of a streamed answer.
type Frame struct {
	// EventType is the :event-type header: messageStart, contentBlockStart,
	// contentBlockDelta, contentBlockStop, messageStop or metadata for ConverseStream,
	// chunk for InvokeModelWithResponseStream, or a name the SDK does not know.
	EventType string
	// ExceptionType, when set, makes the frame an exception (:message-type exception)
	// with this :exception-type, e.g. "throttlingException"; EventType is then ignored.
	ExceptionType string
	// Payload is the frame's payload, normally a JSON object.
	Payload []byte
}

// encodeFrames encodes frames with the SDK's event-stream encoder, with the headers in the
// order real Bedrock frames carry them.
func encodeFrames(frames []Frame) ([][]byte, error) {
	enc := eventstream.NewEncoder()
	out := make([][]byte, len(frames))
	var b bytes.Buffer
	for i, f := range frames {
		var h eventstream.Headers
		if f.ExceptionType != "" {
			h.Set(":exception-type", eventstream.StringValue(f.ExceptionType))
			h.Set(":content-type", eventstream.StringValue("application/json"))
			h.Set(":message-type", eventstream.StringValue("exception"))
		} else {
			h.Set(":event-type", eventstream.StringValue(f.EventType))
			h.Set(":content-type", eventstream.StringValue("application/json"))
			h.Set(":message-type", eventstream.StringValue("event"))
		}
		b.Reset()
		if err := enc.Encode(&b, eventstream.Message{Headers: h, Payload: f.Payload}); err != nil {
			return nil, fmt.Errorf("bedrocktest: encode frame %d (%s): %w", i, f.EventType, err)
		}
		out[i] = bytes.Clone(b.Bytes())
	}
	return out, nil
}

// Wire forms of the Converse response. Members are declared in alphabetical order, the
// order Bedrock writes them in.

type wireResponse struct {
	Metrics    wireMetrics `json:"metrics"`
	Output     wireOutput  `json:"output"`
	StopReason string      `json:"stopReason"`
	Usage      wireUsage   `json:"usage"`
}

type wireOutput struct {
	Message wireMessage `json:"message"`
}

type wireMessage struct {
	Content []wireBlock `json:"content"`
	Role    string      `json:"role"`
}

type wireBlock struct {
	CitationsContent map[string]any `json:"citationsContent,omitempty"`
	ReasoningContent *wireReasoning `json:"reasoningContent,omitempty"`
	SearchResult     map[string]any `json:"searchResult,omitempty"`
	Text             *string        `json:"text,omitempty"`
	ToolResult       map[string]any `json:"toolResult,omitempty"`
	ToolUse          *wireToolUse   `json:"toolUse,omitempty"`
}

type wireReasoning struct {
	ReasoningText   *wireReasoningText `json:"reasoningText,omitempty"`
	RedactedContent []byte             `json:"redactedContent,omitempty"`
}

type wireReasoningText struct {
	Signature string `json:"signature,omitempty"`
	Text      string `json:"text"`
}

type wireToolUse struct {
	Input     json.RawMessage `json:"input"`
	Name      string          `json:"name"`
	ToolUseID string          `json:"toolUseId"`
	Type      string          `json:"type,omitempty"`
}

type wireUsage struct {
	CacheReadInputTokens  int `json:"cacheReadInputTokens,omitempty"`
	CacheWriteInputTokens int `json:"cacheWriteInputTokens,omitempty"`
	InputTokens           int `json:"inputTokens"`
	OutputTokens          int `json:"outputTokens"`
	TotalTokens           int `json:"totalTokens"`
}

type wireMetrics struct {
	LatencyMs int64 `json:"latencyMs"`
}

func toWireUsage(u llm.Usage) wireUsage {
	return wireUsage{
		CacheReadInputTokens:  u.CacheReadTokens,
		CacheWriteInputTokens: u.CacheWriteTokens,
		InputTokens:           u.InputTokens,
		OutputTokens:          u.OutputTokens,
		TotalTokens:           u.TotalTokens,
	}
}

// wireStopReason returns Bedrock's stopReason for a neutral stop reason. A raw value that
// differs from the neutral one is the provider's own and is sent as is.
func wireStopReason(stop llm.StopReason, raw string) string {
	if raw != "" && raw != string(stop) {
		return raw
	}
	switch stop {
	case "":
		return "end_turn"
	case llm.StopReasonContextWindowExceeded:
		return "model_context_window_exceeded"
	case llm.StopReasonMalformedOutput:
		return "malformed_model_output"
	}
	return string(stop)
}

// converseJSON encodes resp as a Converse response body. Only text, reasoning and tool
// calls can appear in an assistant message; resp's Object, RequestID, Warnings and Extra
// are not part of the wire answer (RequestID becomes the X-Amzn-Requestid header).
func converseJSON(resp *llm.Response) ([]byte, error) {
	w := wireResponse{
		Metrics:    wireMetrics{LatencyMs: resp.Latency.Milliseconds()},
		StopReason: wireStopReason(resp.StopReason, resp.RawStopReason),
		Usage:      toWireUsage(resp.Usage),
	}
	w.Output.Message.Role = string(resp.Message.Role)
	if w.Output.Message.Role == "" {
		w.Output.Message.Role = string(llm.RoleAssistant)
	}
	w.Output.Message.Content = make([]wireBlock, 0, len(resp.Message.Parts))
	for i, p := range resp.Message.Parts {
		b, ok, err := extraBlock(p)
		if err != nil {
			return nil, err
		}
		if ok {
			w.Output.Message.Content = append(w.Output.Message.Content, b)
			continue
		}
		switch v := p.(type) {
		case llm.Text:
			b.Text = &v.Text
		case llm.Reasoning:
			if v.Redacted != nil {
				b.ReasoningContent = &wireReasoning{RedactedContent: v.Redacted}
			} else {
				b.ReasoningContent = &wireReasoning{ReasoningText: &wireReasoningText{Text: v.Text, Signature: v.Signature}}
			}
		case llm.ToolCall:
			input, err := llm.ObjectInput(v.Input)
			if err != nil {
				return nil, fmt.Errorf("bedrocktest: response part %d: tool call %s: %w", i, v.ID, err)
			}
			b.ToolUse = &wireToolUse{Input: input, Name: v.Name, ToolUseID: v.ID}
			if v.Server {
				b.ToolUse.Type = "server_tool_use"
			}
		default:
			return nil, fmt.Errorf("bedrocktest: response part %d: %T cannot appear in a Converse answer", i, p)
		}
		w.Output.Message.Content = append(w.Output.Message.Content, b)
	}
	return json.Marshal(w)
}

// Stream payloads, members in alphabetical order as Bedrock writes them; P is the padding
// field real payloads carry.

type payloadMessageStart struct {
	P    string `json:"p,omitempty"`
	Role string `json:"role"`
}

type payloadBlockStart struct {
	ContentBlockIndex int        `json:"contentBlockIndex"`
	P                 string     `json:"p,omitempty"`
	Start             blockStart `json:"start"`
}

type blockStart struct {
	ToolUse struct {
		Name      string `json:"name"`
		ToolUseID string `json:"toolUseId"`
		Type      string `json:"type,omitempty"`
	} `json:"toolUse"`
}

type payloadBlockDelta struct {
	ContentBlockIndex int        `json:"contentBlockIndex"`
	Delta             blockDelta `json:"delta"`
	P                 string     `json:"p,omitempty"`
}

type blockDelta struct {
	ReasoningContent *reasoningDelta `json:"reasoningContent,omitempty"`
	Text             *string         `json:"text,omitempty"`
	ToolUse          *toolUseDelta   `json:"toolUse,omitempty"`
}

type reasoningDelta struct {
	RedactedContent []byte  `json:"redactedContent,omitempty"`
	Signature       *string `json:"signature,omitempty"`
	Text            *string `json:"text,omitempty"`
}

type toolUseDelta struct {
	Input string `json:"input"`
}

type payloadBlockStop struct {
	ContentBlockIndex int    `json:"contentBlockIndex"`
	P                 string `json:"p,omitempty"`
}

type payloadMessageStop struct {
	P          string `json:"p,omitempty"`
	StopReason string `json:"stopReason"`
}

type payloadMetadata struct {
	Metrics wireMetrics `json:"metrics"`
	P       string      `json:"p,omitempty"`
	Usage   wireUsage   `json:"usage"`
}

const padAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// padding returns the padding for frame i: a prefix of the alphabet whose length varies
// from frame to frame, as in real streams.
func padding(i int) string {
	return padAlphabet[:1+(i*17+5)%(len(padAlphabet)-1)]
}

// eventFrames converts neutral events into ConverseStream frames. A reasoning delta with
// text, signature and redacted bytes becomes one frame for each; a [llm.Warning] has no
// wire form and is an error.
func eventFrames(evs []llm.Event, padded bool) ([]Frame, error) {
	frames := make([]Frame, 0, len(evs)+2)
	add := func(typ string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("bedrocktest: encode %s: %w", typ, err)
		}
		frames = append(frames, Frame{EventType: typ, Payload: b})
		return nil
	}
	pad := func() string {
		if !padded {
			return ""
		}
		return padding(len(frames))
	}
	for i, ev := range evs {
		var err error
		switch e := ev.(type) {
		case llm.MessageStart:
			role := string(e.Role)
			if role == "" {
				role = string(llm.RoleAssistant)
			}
			err = add("messageStart", payloadMessageStart{P: pad(), Role: role})
		case llm.TextDelta:
			err = add("contentBlockDelta", payloadBlockDelta{ContentBlockIndex: e.Index, Delta: blockDelta{Text: &e.Text}, P: pad()})
		case llm.ReasoningDelta:
			if e.Text != "" || (e.Signature == "" && e.Redacted == nil) {
				err = add("contentBlockDelta", payloadBlockDelta{ContentBlockIndex: e.Index, Delta: blockDelta{ReasoningContent: &reasoningDelta{Text: &e.Text}}, P: pad()})
			}
			if err == nil && e.Signature != "" {
				err = add("contentBlockDelta", payloadBlockDelta{ContentBlockIndex: e.Index, Delta: blockDelta{ReasoningContent: &reasoningDelta{Signature: &e.Signature}}, P: pad()})
			}
			if err == nil && e.Redacted != nil {
				err = add("contentBlockDelta", payloadBlockDelta{ContentBlockIndex: e.Index, Delta: blockDelta{ReasoningContent: &reasoningDelta{RedactedContent: e.Redacted}}, P: pad()})
			}
		case llm.ToolCallStart:
			p := payloadBlockStart{ContentBlockIndex: e.Index, P: pad()}
			p.Start.ToolUse.Name = e.Name
			p.Start.ToolUse.ToolUseID = e.ID
			if e.Server {
				p.Start.ToolUse.Type = "server_tool_use"
			}
			err = add("contentBlockStart", p)
		case llm.ToolInputDelta:
			err = add("contentBlockDelta", payloadBlockDelta{ContentBlockIndex: e.Index, Delta: blockDelta{ToolUse: &toolUseDelta{Input: e.Fragment}}, P: pad()})
		case llm.BlockStop:
			err = add("contentBlockStop", payloadBlockStop{ContentBlockIndex: e.Index, P: pad()})
		case llm.MessageStop:
			err = add("messageStop", payloadMessageStop{P: pad(), StopReason: wireStopReason(e.StopReason, e.RawStopReason)})
		case llm.Metadata:
			err = add("metadata", payloadMetadata{Metrics: wireMetrics{LatencyMs: e.Latency.Milliseconds()}, P: pad(), Usage: toWireUsage(e.Usage)})
		default:
			var ok bool
			if ok, err = extraFrames(ev, add, pad); !ok {
				return nil, fmt.Errorf("bedrocktest: event %d: %T has no ConverseStream form", i, ev)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return frames, nil
}

// accumulate folds events into the response a Converse call would return.
func accumulate(evs []llm.Event) (*llm.Response, error) {
	var acc llm.Accumulator
	for i, ev := range evs {
		if err := acc.Add(ev); err != nil {
			return nil, fmt.Errorf("bedrocktest: event %d: %w", i, err)
		}
	}
	resp, err := acc.Response()
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: events: %w", err)
	}
	return resp, nil
}

// splitEvents splits text, reasoning-text and tool-input deltas into deltas of at most n
// runes each.
func splitEvents(evs []llm.Event, n int) []llm.Event {
	if n <= 0 {
		return evs
	}
	out := make([]llm.Event, 0, len(evs))
	for _, ev := range evs {
		switch e := ev.(type) {
		case llm.TextDelta:
			for _, s := range splitRunes(e.Text, n) {
				out = append(out, llm.TextDelta{Index: e.Index, Text: s})
			}
		case llm.ToolInputDelta:
			for _, s := range splitRunes(e.Fragment, n) {
				out = append(out, llm.ToolInputDelta{Index: e.Index, Fragment: s})
			}
		case llm.ReasoningDelta:
			parts := splitRunes(e.Text, n)
			for _, s := range parts[:len(parts)-1] {
				out = append(out, llm.ReasoningDelta{Index: e.Index, Text: s})
			}
			out = append(out, llm.ReasoningDelta{Index: e.Index, Text: parts[len(parts)-1], Signature: e.Signature, Redacted: e.Redacted})
		default:
			out = append(out, ev)
		}
	}
	return out
}

// splitRunes splits s into pieces of at most n runes; an empty s gives one empty piece.
func splitRunes(s string, n int) []string {
	if utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	var out []string
	for len(s) > 0 {
		end, count := 0, 0
		for end < len(s) && count < n {
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
			count++
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// chunkFrame returns an InvokeModelWithResponseStream chunk frame carrying payload.
func chunkFrame(payload []byte) Frame {
	b, _ := json.Marshal(struct {
		Bytes string `json:"bytes"`
	}{base64.StdEncoding.EncodeToString(payload)})
	return Frame{EventType: "chunk", Payload: b}
}

// exceptionFrame returns an exception frame for code with message.
func exceptionFrame(code ErrorCode, message string) Frame {
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	return Frame{ExceptionType: code.exceptionType(), Payload: b}
}

// errorBody is the JSON body of an HTTP error.
func errorBody(message string) []byte {
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	return b
}
