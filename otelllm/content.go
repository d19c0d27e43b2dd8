package otelllm

import (
	"encoding/json"
	"mime"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/llmkit/llmkit/llm"
)

// The JSON forms of the GenAI conventions' gen_ai.input.messages,
// gen_ai.output.messages and gen_ai.system_instructions.

type chatMessage struct {
	Role         string        `json:"role"`
	Parts        []messagePart `json:"parts"`
	FinishReason string        `json:"finish_reason,omitempty"`
}

type messagePart struct {
	Type      string          `json:"type"`
	Content   any             `json:"content,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Response  any             `json:"response,omitempty"`
	Modality  string          `json:"modality,omitempty"`
	MimeType  string          `json:"mime_type,omitempty"`
	URI       string          `json:"uri,omitempty"`
}

type toolDefinition struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

func inputContent(req *llm.Request) []attribute.KeyValue {
	var system []messagePart
	msgs := make([]chatMessage, 0, len(req.Messages))
	for _, m := range req.Messages {
		parts := convertParts(m.Parts)
		if m.Role == llm.RoleSystem {
			system = append(system, parts...)
			continue
		}
		msgs = append(msgs, chatMessage{Role: string(m.Role), Parts: parts})
	}
	attrs := []attribute.KeyValue{semconv.GenAIInputMessagesKey.String(mustJSON(msgs))}
	if len(system) > 0 {
		attrs = append(attrs, semconv.GenAISystemInstructionsKey.String(mustJSON(system)))
	}
	if len(req.Tools) > 0 {
		defs := make([]toolDefinition, len(req.Tools))
		for i, t := range req.Tools {
			defs[i] = toolDefinition{Type: "function", Name: t.Name, Description: t.Description, Parameters: validJSON(t.InputSchema)}
		}
		attrs = append(attrs, semconv.GenAIToolDefinitionsKey.String(mustJSON(defs)))
	}
	return attrs
}

func outputContent(resp *llm.Response) []attribute.KeyValue {
	role := string(resp.Message.Role)
	if role == "" {
		role = string(llm.RoleAssistant)
	}
	msg := chatMessage{Role: role, Parts: convertParts(resp.Message.Parts), FinishReason: finishReason(resp)}
	return []attribute.KeyValue{semconv.GenAIOutputMessagesKey.String(mustJSON([]chatMessage{msg}))}
}

func convertParts(parts []llm.Part) []messagePart {
	out := make([]messagePart, 0, len(parts))
	for _, p := range parts {
		out = append(out, convertPart(p))
	}
	return out
}

func convertPart(p llm.Part) messagePart {
	switch v := p.(type) {
	case llm.Text:
		return messagePart{Type: "text", Content: v.Text}
	case llm.Reasoning:
		if v.Text == "" && len(v.Redacted) > 0 {
			return messagePart{Type: "reasoning", Content: "[redacted]"}
		}
		return messagePart{Type: "reasoning", Content: v.Text}
	case llm.ToolCall:
		return messagePart{Type: "tool_call", ID: v.ID, Name: v.Name, Arguments: validJSON(v.Input)}
	case llm.ToolResult:
		resp := make([]messagePart, 0, len(v.Content))
		for _, c := range v.Content {
			resp = append(resp, convertPart(c))
		}
		part := messagePart{Type: "tool_call_response", ID: v.CallID, Response: resp}
		if v.IsError {
			part.Response = map[string]any{"is_error": true, "content": resp}
		}
		return part
	case llm.Image:
		return media("image", "image/"+v.Format, v.Data, v.URI)
	case llm.Document:
		return media("document", mime.TypeByExtension("."+v.Format), v.Data, v.URI)
	case llm.Video:
		return media("video", "video/"+v.Format, v.Data, v.URI)
	case llm.Audio:
		return media("audio", "audio/"+v.Format, v.Data, v.URI)
	case llm.SearchResult:
		return messagePart{Type: "search_result", Name: v.Title, URI: v.Source, Content: v.Content}
	case llm.Opaque:
		// A provider's own block: the conventions' generic part, with the provider's type.
		return messagePart{Type: v.Kind, Content: validJSON(v.Raw)}
	case llm.CachePoint:
		return messagePart{Type: "cache_point"}
	default:
		return messagePart{Type: "unknown"}
	}
}

// media is a blob or uri part; encoding/json writes Data as base64.
func media(modality, mimeType string, data []byte, uri string) messagePart {
	if uri != "" {
		return messagePart{Type: "uri", Modality: modality, MimeType: mimeType, URI: uri}
	}
	return messagePart{Type: "blob", Modality: modality, MimeType: mimeType, Content: data}
}

// validJSON returns b as JSON: itself when valid, else as a JSON string; nil when empty.
func validJSON(b []byte) json.RawMessage {
	switch {
	case len(b) == 0:
		return nil
	case json.Valid(b):
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		s, _ := json.Marshal("unencodable: " + err.Error())
		return string(s)
	}
	return string(b)
}
