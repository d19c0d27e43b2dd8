package llm

import (
	"encoding/json"
	"time"
)

// Role says who authored a [Message].
type Role string

// The roles of a conversation. A [RoleTool] message holds [ToolResult] parts; a provider
// decides where they go on the wire (in a user turn, or as messages of their own).
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// Message is one turn of a conversation: a role and its ordered parts.
type Message struct {
	Role  Role
	Parts []Part
}

// UserText returns a user message holding one [Text] part.
func UserText(text string) Message { return Message{Role: RoleUser, Parts: []Part{Text{Text: text}}} }

// SystemText returns a system message holding one [Text] part.
func SystemText(text string) Message {
	return Message{Role: RoleSystem, Parts: []Part{Text{Text: text}}}
}

// AssistantText returns an assistant message holding one [Text] part.
func AssistantText(text string) Message {
	return Message{Role: RoleAssistant, Parts: []Part{Text{Text: text}}}
}

// Text returns the concatenation of the message's [Text] parts.
func (m Message) Text() string {
	var n int
	for _, p := range m.Parts {
		if t, ok := p.(Text); ok {
			n += len(t.Text)
		}
	}
	b := make([]byte, 0, n)
	for _, p := range m.Parts {
		if t, ok := p.(Text); ok {
			b = append(b, t.Text...)
		}
	}
	return string(b)
}

// ToolCalls returns the message's [ToolCall] parts in order, without the calls of
// server-side tools (ToolCall.Server), which the provider ran itself.
func (m Message) ToolCalls() []ToolCall {
	var calls []ToolCall
	for _, p := range m.Parts {
		if c, ok := p.(ToolCall); ok && !c.Server {
			calls = append(calls, c)
		}
	}
	return calls
}

// Clone returns a deep copy of m: no slice of the copy shares memory with m.
func (m Message) Clone() Message {
	return Message{Role: m.Role, Parts: cloneParts(m.Parts)}
}

func cloneParts(parts []Part) []Part {
	if parts == nil {
		return nil
	}
	out := make([]Part, len(parts))
	for i, p := range parts {
		out[i] = clonePart(p)
	}
	return out
}

func clonePart(p Part) Part {
	switch v := p.(type) {
	case Text:
		v.Citations = cloneCitations(v.Citations)
		return v
	case SearchResult:
		v.Content = cloneStrings(v.Content)
		return v
	case Opaque:
		v.Raw = cloneBytes(v.Raw)
		return v
	case Video:
		v.Data = cloneBytes(v.Data)
		return v
	case Audio:
		v.Data = cloneBytes(v.Data)
		return v
	case Image:
		v.Data = cloneBytes(v.Data)
		return v
	case Document:
		v.Data = cloneBytes(v.Data)
		return v
	case ToolCall:
		v.Input = cloneBytes(v.Input)
		return v
	case ToolResult:
		v.Content = cloneParts(v.Content)
		return v
	case Reasoning:
		v.Redacted = cloneBytes(v.Redacted)
		return v
	}
	return p
}

func cloneBytes[B ~[]byte](b B) B {
	if b == nil {
		return nil
	}
	return append(B{}, b...)
}

// CloneMessages returns a deep copy of msgs.
func CloneMessages(msgs []Message) []Message {
	if msgs == nil {
		return nil
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = m.Clone()
	}
	return out
}

// A Part is one piece of a [Message]: a [Text], [Image], [Video], [Audio], [Document],
// [SearchResult], [ToolCall], [ToolResult], [Reasoning], [CachePoint] or [Opaque]. The
// set is closed; providers reject a part they do not know with an error rather than
// dropping it.
type Part interface{ isPart() }

// Text is plain text. In an answer, Citations say where the text came from (see
// [Citation]); sent back in the history, they are sent with it where the provider takes
// them.
type Text struct {
	Text      string
	Citations []Citation
}

// Image is an image given inline (Data) or by reference (URI; which schemes a provider
// takes — https, data, s3 — is the provider's to say).
// Format is png, jpeg, gif or webp.
type Image struct {
	Format string
	Data   []byte
	URI    string
}

// Document is a file given inline (Data) or by reference (URI). Format is the file type
// (pdf, csv, doc, docx, xls, xlsx, html, txt, md); Name is shown to the model. Citations
// asks the model to cite the document: the answer's [Text] parts then carry
// [Citation]s.
type Document struct {
	Name      string
	Format    string
	Data      []byte
	URI       string
	Citations bool
}

// ToolCall is a model's request to run a tool. Input is a JSON object. Server marks a
// call of a server-side tool (a [Tool] with Server set), which the provider's service
// runs itself: its result follows in the same answer as a [ToolResult] with Server set,
// the caller runs nothing, and both are sent back unchanged in the history.
type ToolCall struct {
	ID     string
	Name   string
	Input  json.RawMessage
	Server bool
}

// ToolResult answers the [ToolCall] whose ID is CallID. Content holds [Text], [Image],
// [Video], [Audio], [Document] or [SearchResult] parts; a Text part whose content is a
// JSON object is sent as JSON where the provider supports it. IsError marks a failed
// call. Server marks the result of a server-side tool, part of an assistant message.
type ToolResult struct {
	CallID  string
	Content []Part
	IsError bool
	Server  bool
}

// Reasoning is a model's reasoning ("thinking"). Signature authenticates Text when it is
// replayed to the same provider; Redacted holds encrypted reasoning to be replayed as is.
type Reasoning struct {
	Text      string
	Signature string
	Redacted  []byte
}

// CachePoint marks the end of a prefix the provider may cache. TTL 0 means the provider's
// default.
type CachePoint struct {
	TTL time.Duration
}

func (Text) isPart()       {}
func (Image) isPart()      {}
func (Document) isPart()   {}
func (ToolCall) isPart()   {}
func (ToolResult) isPart() {}
func (Reasoning) isPart()  {}
func (CachePoint) isPart() {}
