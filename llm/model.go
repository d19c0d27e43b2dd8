package llm

import "context"

// Model is what a provider implements: one call that returns a whole answer, one that
// streams it. Implementations are safe for concurrent use. Both validate the request
// before sending anything and return an [*InvalidRequestError] for input they cannot send.
type Model interface {
	Generate(ctx context.Context, req *Request) (*Response, error)
	Stream(ctx context.Context, req *Request) (*Stream, error)
}

// Capabilities describes what a model can do, whatever the protocol that carries it.
// How a provider's wire format expresses a feature (a status field on tool results, where
// text may go beside them) is that provider's business, not a capability. Providers
// report capabilities through [CapabilityReporter]; the conformance suite skips
// scenarios a model does not support.
type Capabilities struct {
	Tools              bool // tool declarations and calls
	ToolChoiceRequired bool // ToolChoiceRequired
	ToolChoiceTool     bool // ToolChoiceTool (a named tool)
	StreamingTools     bool // tool calls while streaming
	NativeOutput       bool // native structured output (JSON schema)
	Reasoning          bool // reasoning / thinking
	// ReasoningReplay: the model's reasoning comes with a signature (or as redacted
	// bytes) and goes back as history unchanged, so that the model continues from it
	// after a tool call. Without it, reasoning is for reading only.
	ReasoningReplay bool
	Images          bool
	Documents       bool
	CachePoints     bool
	SystemPrompt    bool
	StopSequences   bool
	// StopSequenceReason: an answer ended by a stop sequence reports
	// [StopReasonStopSequence]; without it, [StopReasonEndTurn].
	StopSequenceReason bool
}

// CapabilityReporter is implemented by models that can say what a model id supports.
type CapabilityReporter interface {
	Capabilities(model string) Capabilities
}

// TokenCounter is implemented by models that can count the input tokens of a request
// without running it — what a caller needs to keep a long conversation inside the
// context window. CountTokens validates req as Generate does and returns the number of
// input tokens the model would read for it, counted by the provider.
type TokenCounter interface {
	CountTokens(ctx context.Context, req *Request) (int, error)
}
