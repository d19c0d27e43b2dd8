package llm

import (
	"encoding/json"
	"fmt"
	"time"
)

// Tool declares a tool the model may call. It carries no behaviour: running tools is the
// job of package agent. InputSchema is a JSON Schema whose root is an object.
type Tool struct {
	Name        string
	Description string
	InputSchema json.RawMessage
	// Strict asks the provider to constrain the call's input to InputSchema exactly.
	Strict bool
	// Server declares a server-side tool: one the provider's service runs itself (web
	// search, code execution…), named as the provider names it, with no InputSchema. Its
	// calls and results arrive in the answer as [ToolCall] and [ToolResult] parts with
	// Server set.
	Server bool
}

// ToolChoiceMode says how the model may use the request's tools.
type ToolChoiceMode string

// Tool choice modes. The zero [ToolChoice] is [ToolChoiceAuto].
const (
	ToolChoiceAuto     ToolChoiceMode = "auto"     // the model decides
	ToolChoiceRequired ToolChoiceMode = "required" // the model must call some tool
	ToolChoiceNone     ToolChoiceMode = "none"     // the model must not call a tool
	ToolChoiceTool     ToolChoiceMode = "tool"     // the model must call the tool named Name
)

// ToolChoice tells the model whether and which tool to call. Its zero value is auto.
type ToolChoice struct {
	Mode ToolChoiceMode
	Name string // with ToolChoiceTool
}

// UseTool returns the choice that forces the tool named name.
func UseTool(name string) ToolChoice { return ToolChoice{Mode: ToolChoiceTool, Name: name} }

// ReasoningEffort is a coarse reasoning setting for models that take one.
type ReasoningEffort string

// Reasoning efforts.
const (
	ReasoningLow    ReasoningEffort = "low"
	ReasoningMedium ReasoningEffort = "medium"
	ReasoningHigh   ReasoningEffort = "high"
)

// ReasoningConfig turns on a model's reasoning, by token budget or by effort.
type ReasoningConfig struct {
	BudgetTokens int
	Effort       ReasoningEffort
}

// OutputMode chooses how a provider obtains a structured object.
type OutputMode string

// Output modes. [OutputAuto] lets the provider pick native structured output where the
// model supports it and a forced tool call otherwise.
const (
	OutputAuto   OutputMode = ""
	OutputNative OutputMode = "native"
	OutputTool   OutputMode = "tool"
)

// Output asks the model for one JSON object matching Schema. The object arrives as the
// response's text and in [Response.Object]. Package structured builds it from a Go type
// and validates and decodes the answer (structured.Generate, structured.Stream).
type Output struct {
	Name        string // defaults to "structured_output"
	Description string
	Schema      json.RawMessage
	Mode        OutputMode
}

// Request is one call to a model.
type Request struct {
	Model    string
	Messages []Message
	Tools    []Tool
	// CacheTools, when set, puts a cache point after the tool definitions, so that the
	// provider may cache a long tool list (with the system prompt before it).
	CacheTools *CachePoint
	// ToolChoice defaults to auto when Tools are present.
	ToolChoice ToolChoice
	// MaxTokens caps the answer; 0 means the provider's default.
	MaxTokens int
	// Temperature and TopP are nil for the provider's default; 0 is a real value.
	Temperature   *float64
	TopP          *float64
	StopSequences []string
	Reasoning     *ReasoningConfig
	Output        *Output
	// Extra carries provider-specific settings: one provider's settings value (such as
	// a *bedrock.Extra or an *openai.Extra), or an [Extras] holding one value for each
	// of several providers. Each provider takes the value of its own type and ignores
	// values of other types, so that one request can be sent to any of them.
	Extra any
}

// Extras carries the settings of several providers in one [Request.Extra], one value
// per provider; each provider takes its own and ignores the others'.
type Extras []any

// ExtrasOf returns the values extra carries: the elements of an [Extras] (or of a
// []any), extra itself otherwise, none for nil. Providers use it to find their own.
func ExtrasOf(extra any) []any {
	switch e := extra.(type) {
	case nil:
		return nil
	case Extras:
		return e
	case []any:
		return e
	}
	return []any{extra}
}

// ExtraOf finds a provider's settings of type T among the values extra carries (see
// [ExtrasOf]): one T or *T, values of other types being other providers'. It returns nil
// when there is none, and an error when there are several.
func ExtraOf[T any](extra any) (*T, error) {
	var found *T
	for _, x := range ExtrasOf(extra) {
		var e *T
		switch x := x.(type) {
		case *T:
			e = x
		case T:
			e = &x
		}
		if e == nil {
			continue
		}
		if found != nil {
			var zero T
			return nil, fmt.Errorf("more than one %T; give one", zero)
		}
		found = e
	}
	return found, nil
}

// Clone returns a copy of r whose slices and pointers do not alias r's. Extra is copied
// as is.
func (r *Request) Clone() *Request {
	if r == nil {
		return nil
	}
	c := *r
	c.Messages = CloneMessages(r.Messages)
	if r.Tools != nil {
		c.Tools = make([]Tool, len(r.Tools))
		for i, t := range r.Tools {
			t.InputSchema = cloneBytes(t.InputSchema)
			c.Tools[i] = t
		}
	}
	if r.StopSequences != nil {
		c.StopSequences = append([]string(nil), r.StopSequences...)
	}
	if r.Temperature != nil {
		t := *r.Temperature
		c.Temperature = &t
	}
	if r.TopP != nil {
		t := *r.TopP
		c.TopP = &t
	}
	if r.CacheTools != nil {
		cp := *r.CacheTools
		c.CacheTools = &cp
	}
	if r.Reasoning != nil {
		rc := *r.Reasoning
		c.Reasoning = &rc
	}
	if r.Output != nil {
		o := *r.Output
		o.Schema = cloneBytes(o.Schema)
		c.Output = &o
	}
	return &c
}

// Ptr returns a pointer to v, for optional fields such as [Request.Temperature].
func Ptr[T any](v T) *T { return &v }

// StopReason says why the model stopped, in terms every provider can map to. The
// provider's own value is always kept in [Response.RawStopReason] (and
// [MessageStop.RawStopReason] while streaming), for the finer distinctions a provider
// makes (a guardrail rather than a content filter, say).
type StopReason string

// Stop reasons. A provider value that maps to none of these is [StopReasonUnknown].
const (
	// StopReasonEndTurn: the model finished its answer.
	StopReasonEndTurn StopReason = "end_turn"
	// StopReasonToolUse: the model stopped to have its tool calls run.
	StopReasonToolUse StopReason = "tool_use"
	// StopReasonMaxTokens: the answer reached the token limit.
	StopReasonMaxTokens StopReason = "max_tokens"
	// StopReasonStopSequence: the answer reached one of [Request.StopSequences]. Only
	// models whose service says so report it ([Capabilities.StopSequenceReason]);
	// others, whose service reports a stop sequence like a natural end, report
	// [StopReasonEndTurn].
	StopReasonStopSequence StopReason = "stop_sequence"
	// StopReasonContentFiltered: a content filter, guardrail or refusal cut or
	// replaced the answer.
	StopReasonContentFiltered StopReason = "content_filtered"
	// StopReasonContextWindowExceeded: the conversation filled the model's context.
	StopReasonContextWindowExceeded StopReason = "context_window_exceeded"
	// StopReasonMalformedOutput: the service could not parse the model's output or one
	// of its tool calls.
	StopReasonMalformedOutput StopReason = "malformed_output"
	// StopReasonUnknown: a value none of the above covers; see RawStopReason.
	StopReasonUnknown StopReason = "unknown"
)

// Usage counts the tokens of one call, with the same meaning for every provider:
//
//   - InputTokens are the prompt tokens processed afresh: neither read from the prompt
//     cache (CacheReadTokens) nor written to it (CacheWriteTokens). The whole prompt is
//     the sum of the three ([Usage.PromptTokens]); a provider whose service counts
//     cached tokens inside its prompt count subtracts them.
//   - CacheWriteTokens stay 0 with providers whose cache is written implicitly.
//   - OutputTokens are every token the model generated, reasoning included.
//   - TotalTokens is the total the provider reports.
type Usage struct {
	InputTokens      int
	OutputTokens     int
	TotalTokens      int
	CacheReadTokens  int
	CacheWriteTokens int
}

// PromptTokens returns the size of the whole prompt: InputTokens plus the tokens read
// from and written to the cache.
func (u Usage) PromptTokens() int { return u.InputTokens + u.CacheReadTokens + u.CacheWriteTokens }

// Add returns the field-wise sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		InputTokens:      u.InputTokens + v.InputTokens,
		OutputTokens:     u.OutputTokens + v.OutputTokens,
		TotalTokens:      u.TotalTokens + v.TotalTokens,
		CacheReadTokens:  u.CacheReadTokens + v.CacheReadTokens,
		CacheWriteTokens: u.CacheWriteTokens + v.CacheWriteTokens,
	}
}

// Response is a model's answer.
type Response struct {
	Message    Message // the assistant turn
	StopReason StopReason
	// RawStopReason is the provider's own value, kept when StopReason is unknown too.
	RawStopReason string
	Usage         Usage
	// Latency is the provider-reported latency, or 0.
	Latency time.Duration
	// Object is the JSON object asked for with [Request.Output].
	Object    json.RawMessage
	RequestID string
	// Model names the model that answered, when the provider or a wrapper that chose
	// between models (package fallback) says; empty otherwise.
	Model string
	// Warnings lists settings the provider could not honour and content it skipped.
	Warnings []Warning
	// Extra carries provider-specific data, e.g. a *bedrock.ResponseExtra or an
	// *openai.ResponseExtra.
	Extra any
}

// Text returns the concatenated text of the response message.
func (r *Response) Text() string { return r.Message.Text() }

// ToolCalls returns the tool calls of the response message in order.
func (r *Response) ToolCalls() []ToolCall { return r.Message.ToolCalls() }
