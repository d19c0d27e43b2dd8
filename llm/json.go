package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// This file defines the JSON form of messages, parts and responses, used to store and
// resume conversations and to print answers. A message is
//
//	{"role":"user","parts":[…]}
//
// and each part an object whose "type" names its variant:
//
//	{"type":"text","text":"…","citations":[{"title":"…","source":"…","quotes":["…"],"location":{"kind":"chars","index":0,"start":1,"end":9}}]}
//	{"type":"image","format":"png","data":"<base64>","uri":"s3://…"}
//	{"type":"document","name":"…","format":"pdf","data":"<base64>","uri":"s3://…","cite":true}
//	{"type":"video","format":"mp4","data":"<base64>","uri":"s3://…"}
//	{"type":"audio","format":"mp3","data":"<base64>","uri":"s3://…"}
//	{"type":"search_result","source":"…","title":"…","passages":["…"],"cite":true}
//	{"type":"tool_call","id":"…","name":"…","input":{…},"server":true}
//	{"type":"tool_result","call_id":"…","content":[…parts…],"is_error":true,"server":true}
//	{"type":"reasoning","text":"…","signature":"…","redacted":"<base64>"}
//	{"type":"cache_point","ttl":"1h0m0s"}
//	{"type":"opaque","provider":"bedrock","kind":"…","raw":{…}}
//
// Empty fields are left out. Decoding ignores fields a variant does not have and fails on
// an unknown or missing type. A tool result's content holds text, image, video, audio,
// document and search result parts only (as [ToolResult] says), in both directions; so
// decoding takes time and memory linear in the input, however deep a hostile document
// nests its tool results.

// partJSON is the wire form of every part variant; Type selects which fields apply.
type partJSON struct {
	Type      string            `json:"type"`
	Text      *string           `json:"text,omitempty"`
	ID        string            `json:"id,omitempty"`
	Name      string            `json:"name,omitempty"`
	Input     json.RawMessage   `json:"input,omitempty"`
	CallID    string            `json:"call_id,omitempty"`
	Content   []json.RawMessage `json:"content,omitempty"`
	IsError   bool              `json:"is_error,omitempty"`
	Signature string            `json:"signature,omitempty"`
	Redacted  []byte            `json:"redacted,omitempty"`
	Format    string            `json:"format,omitempty"`
	Data      []byte            `json:"data,omitempty"`
	URI       string            `json:"uri,omitempty"`
	TTL       string            `json:"ttl,omitempty"`
	Citations []Citation        `json:"citations,omitempty"`
	Cite      bool              `json:"cite,omitempty"`
	Server    bool              `json:"server,omitempty"`
	Source    string            `json:"source,omitempty"`
	Title     string            `json:"title,omitempty"`
	Passages  []string          `json:"passages,omitempty"`
	Provider  string            `json:"provider,omitempty"`
	Kind      string            `json:"kind,omitempty"`
	Raw       json.RawMessage   `json:"raw,omitempty"`
}

// The part types of the JSON form.
const (
	partText       = "text"
	partImage      = "image"
	partDocument   = "document"
	partToolCall   = "tool_call"
	partToolResult = "tool_result"
	partReasoning  = "reasoning"
	partCachePoint = "cache_point"
	partSearch     = "search_result"
	partOpaque     = "opaque"
	partVideo      = "video"
	partAudio      = "audio"
)

// MarshalPart returns the JSON form of p, as a part of [Message.MarshalJSON]. It fails on
// a nil or unknown part and on a [ToolCall] whose Input is not valid JSON.
func MarshalPart(p Part) ([]byte, error) {
	b, err := encodePart(p)
	if err != nil {
		return nil, fmt.Errorf("llm: marshal: %w", err)
	}
	return b, nil
}

// UnmarshalPart decodes the JSON form of one part. It fails on an unknown or missing
// type.
func UnmarshalPart(data []byte) (Part, error) {
	p, err := decodePart(data, false)
	if err != nil {
		return nil, fmt.Errorf("llm: unmarshal: %w", err)
	}
	return p, nil
}

// encodePart and the other helpers below return errors without the "llm: op: " prefix;
// the exported functions add it once.
func encodePart(p Part) (json.RawMessage, error) {
	var w partJSON
	switch v := p.(type) {
	case Text:
		w = partJSON{Type: partText, Text: &v.Text, Citations: v.Citations}
	case Image:
		w = partJSON{Type: partImage, Format: v.Format, Data: v.Data, URI: v.URI}
	case Document:
		w = partJSON{Type: partDocument, Name: v.Name, Format: v.Format, Data: v.Data, URI: v.URI, Cite: v.Citations}
	case Video:
		w = partJSON{Type: partVideo, Format: v.Format, Data: v.Data, URI: v.URI}
	case Audio:
		w = partJSON{Type: partAudio, Format: v.Format, Data: v.Data, URI: v.URI}
	case SearchResult:
		w = partJSON{Type: partSearch, Source: v.Source, Title: v.Title, Passages: v.Content, Cite: v.Citations}
	case Opaque:
		if !json.Valid(v.Raw) {
			return nil, fmt.Errorf("opaque %s block %q: raw is not valid JSON", v.Provider, v.Kind)
		}
		w = partJSON{Type: partOpaque, Provider: v.Provider, Kind: v.Kind, Raw: v.Raw}
	case ToolCall:
		if len(v.Input) > 0 && !json.Valid(v.Input) {
			return nil, fmt.Errorf("tool call %s (%s): input is not valid JSON: %.64q", v.ID, v.Name, v.Input)
		}
		w = partJSON{Type: partToolCall, ID: v.ID, Name: v.Name, Input: v.Input, Server: v.Server}
	case ToolResult:
		w = partJSON{Type: partToolResult, CallID: v.CallID, IsError: v.IsError, Server: v.Server}
		if len(v.Content) > 0 {
			w.Content = make([]json.RawMessage, len(v.Content))
			for i, c := range v.Content {
				if err := checkResultContent(c); err != nil {
					return nil, fmt.Errorf("tool result %s: content %d: %w", v.CallID, i, err)
				}
				b, err := encodePart(c)
				if err != nil {
					return nil, fmt.Errorf("tool result %s: content %d: %w", v.CallID, i, err)
				}
				w.Content[i] = b
			}
		}
	case Reasoning:
		w = partJSON{Type: partReasoning, Signature: v.Signature, Redacted: v.Redacted}
		if v.Text != "" {
			w.Text = &v.Text
		}
	case CachePoint:
		w = partJSON{Type: partCachePoint}
		if v.TTL != 0 {
			w.TTL = v.TTL.String()
		}
	case nil:
		return nil, errors.New("nil part")
	default:
		return nil, fmt.Errorf("unknown part type %T", p)
	}
	return json.Marshal(&w)
}

// decodePart decodes one part. inResult says that it is part of a tool result's
// content: a part of a kind the content cannot hold is then refused as soon as its type
// is read, without decoding what it holds (a nested tool result's content), so that
// decoding stays linear in the input.
func decodePart(data []byte, inResult bool) (Part, error) {
	var w partJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, err
	}
	if inResult {
		switch w.Type {
		case partToolCall, partToolResult, partReasoning, partCachePoint, partOpaque:
			return nil, fmt.Errorf("a tool result's content holds text, image, video, audio, document and search result parts only, not %s", w.Type)
		}
	}
	text := func() string {
		if w.Text == nil {
			return ""
		}
		return *w.Text
	}
	switch w.Type {
	case partText:
		return Text{Text: text(), Citations: w.Citations}, nil
	case partImage:
		return Image{Format: w.Format, Data: w.Data, URI: w.URI}, nil
	case partDocument:
		return Document{Name: w.Name, Format: w.Format, Data: w.Data, URI: w.URI, Citations: w.Cite}, nil
	case partVideo:
		return Video{Format: w.Format, Data: w.Data, URI: w.URI}, nil
	case partAudio:
		return Audio{Format: w.Format, Data: w.Data, URI: w.URI}, nil
	case partSearch:
		return SearchResult{Source: w.Source, Title: w.Title, Content: w.Passages, Citations: w.Cite}, nil
	case partOpaque:
		return Opaque{Provider: w.Provider, Kind: w.Kind, Raw: w.Raw}, nil
	case partToolCall:
		var input json.RawMessage
		if len(w.Input) > 0 && !bytes.Equal(w.Input, []byte("null")) {
			input = w.Input
		}
		return ToolCall{ID: w.ID, Name: w.Name, Input: input, Server: w.Server}, nil
	case partToolResult:
		r := ToolResult{CallID: w.CallID, IsError: w.IsError, Server: w.Server}
		if len(w.Content) > 0 {
			r.Content = make([]Part, len(w.Content))
			for i, c := range w.Content {
				p, err := decodePart(c, true)
				if err != nil {
					return nil, fmt.Errorf("tool result %s: content %d: %w", w.CallID, i, err)
				}
				r.Content[i] = p
			}
		}
		return r, nil
	case partReasoning:
		return Reasoning{Text: text(), Signature: w.Signature, Redacted: w.Redacted}, nil
	case partCachePoint:
		var c CachePoint
		if w.TTL != "" {
			d, err := time.ParseDuration(w.TTL)
			if err != nil {
				return nil, fmt.Errorf("cache point ttl %q: %w", w.TTL, err)
			}
			c.TTL = d
		}
		return c, nil
	case "":
		return nil, errors.New("part has no type")
	}
	return nil, fmt.Errorf("unknown part type %q", w.Type)
}

// checkResultContent fails unless p may be part of a tool result's content.
func checkResultContent(p Part) error {
	switch p.(type) {
	case Text, Image, Document, Video, Audio, SearchResult:
		return nil
	case nil:
		return errors.New("nil part")
	}
	return fmt.Errorf("a tool result's content holds text, image, video, audio, document and search result parts only, not %T", p)
}

type messageJSON struct {
	Role  Role              `json:"role"`
	Parts []json.RawMessage `json:"parts"`
}

// MarshalJSON returns the JSON form of m: {"role":…,"parts":[…]}, each part an object
// whose "type" is text, image, document, tool_call, tool_result, reasoning or
// cache_point. Bytes (image and document data, redacted reasoning) are base64; a tool
// call's input is embedded as JSON; a cache point's ttl is a Go duration string. It fails
// on a nil or unknown part.
func (m Message) MarshalJSON() ([]byte, error) {
	b, err := encodeMessage(m)
	if err != nil {
		return nil, fmt.Errorf("llm: marshal: %w", err)
	}
	return b, nil
}

func encodeMessage(m Message) (json.RawMessage, error) {
	w := messageJSON{Role: m.Role, Parts: make([]json.RawMessage, len(m.Parts))}
	for i, p := range m.Parts {
		b, err := encodePart(p)
		if err != nil {
			return nil, fmt.Errorf("%s message: part %d: %w", m.Role, i, err)
		}
		w.Parts[i] = b
	}
	return json.Marshal(&w)
}

// UnmarshalJSON decodes the JSON form written by [Message.MarshalJSON]. An unknown or
// missing part type is an error, and so is a missing or unknown role: an object without
// one ({}, say) is not a message. JSON null leaves m as it was, as encoding/json does for
// other types.
func (m *Message) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	msg, err := decodeMessage(data)
	if err != nil {
		return fmt.Errorf("llm: unmarshal: %w", err)
	}
	*m = msg
	return nil
}

// isNull reports whether data is the JSON literal null, white space around it allowed.
func isNull(data []byte) bool { return string(bytes.TrimSpace(data)) == "null" }

func decodeMessage(data []byte) (Message, error) {
	var w messageJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return Message{}, fmt.Errorf("message: %w", err)
	}
	switch w.Role {
	case RoleSystem, RoleUser, RoleAssistant, RoleTool:
	case "":
		return Message{}, errors.New("message has no role")
	default:
		return Message{}, fmt.Errorf("message role %q is not system, user, assistant or tool", w.Role)
	}
	var parts []Part
	if len(w.Parts) > 0 {
		parts = make([]Part, len(w.Parts))
		for i, b := range w.Parts {
			p, err := decodePart(b, false)
			if err != nil {
				return Message{}, fmt.Errorf("%s message: part %d: %w", w.Role, i, err)
			}
			parts[i] = p
		}
	}
	return Message{Role: w.Role, Parts: parts}, nil
}

type usageJSON struct {
	InputTokens      int `json:"input_tokens"`
	OutputTokens     int `json:"output_tokens"`
	TotalTokens      int `json:"total_tokens"`
	CacheReadTokens  int `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens int `json:"cache_write_tokens,omitempty"`
}

type responseJSON struct {
	Message       json.RawMessage `json:"message"`
	StopReason    StopReason      `json:"stop_reason"`
	RawStopReason string          `json:"raw_stop_reason,omitempty"`
	Usage         usageJSON       `json:"usage"`
	Latency       string          `json:"latency,omitempty"`
	Object        json.RawMessage `json:"object,omitempty"`
	RequestID     string          `json:"request_id,omitempty"`
	Model         string          `json:"model,omitempty"`
	Warnings      []Warning       `json:"warnings,omitempty"`
	Extra         json.RawMessage `json:"extra,omitempty"`
}

// MarshalJSON returns the JSON form of r:
//
//	{"message":{…},"stop_reason":"end_turn","raw_stop_reason":"…",
//	 "usage":{"input_tokens":…,"output_tokens":…,"total_tokens":…,"cache_read_tokens":…,"cache_write_tokens":…},
//	 "latency":"1.2s","object":{…},"request_id":"…","model":"…","warnings":[…],"extra":…}
//
// with the message as in [Message.MarshalJSON]. Extra is encoded with encoding/json;
// decoding keeps it as a [json.RawMessage], since its Go type is the provider's.
func (r Response) MarshalJSON() ([]byte, error) {
	msg, err := encodeMessage(r.Message)
	if err != nil {
		return nil, fmt.Errorf("llm: marshal: response: %w", err)
	}
	w := responseJSON{
		Message:       msg,
		StopReason:    r.StopReason,
		RawStopReason: r.RawStopReason,
		Usage:         usageJSON(r.Usage),
		Object:        r.Object,
		RequestID:     r.RequestID,
		Model:         r.Model,
		Warnings:      r.Warnings,
	}
	if r.Latency != 0 {
		w.Latency = r.Latency.String()
	}
	if len(r.Object) > 0 && !json.Valid(r.Object) {
		return nil, fmt.Errorf("llm: marshal: response: object is not valid JSON: %.64q", r.Object)
	}
	if r.Extra != nil {
		b, err := json.Marshal(r.Extra)
		if err != nil {
			return nil, fmt.Errorf("llm: marshal: response: extra %T: %w", r.Extra, err)
		}
		w.Extra = b
	}
	return json.Marshal(&w)
}

// UnmarshalJSON decodes the JSON form written by [Response.MarshalJSON]. Extra, when
// present, becomes a [json.RawMessage].
func (r *Response) UnmarshalJSON(data []byte) error {
	var w responseJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("llm: unmarshal: response: %w", err)
	}
	resp := Response{
		StopReason:    w.StopReason,
		RawStopReason: w.RawStopReason,
		Usage:         Usage(w.Usage),
		Object:        w.Object,
		RequestID:     w.RequestID,
		Model:         w.Model,
		Warnings:      w.Warnings,
	}
	if len(w.Message) > 0 && !isNull(w.Message) {
		msg, err := decodeMessage(w.Message)
		if err != nil {
			return fmt.Errorf("llm: unmarshal: response: %w", err)
		}
		resp.Message = msg
	}
	if w.Latency != "" {
		d, err := time.ParseDuration(w.Latency)
		if err != nil {
			return fmt.Errorf("llm: unmarshal: response: latency %q: %w", w.Latency, err)
		}
		resp.Latency = d
	}
	if len(w.Extra) > 0 {
		resp.Extra = w.Extra
	}
	*r = resp
	return nil
}
