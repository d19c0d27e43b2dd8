package llm

import "time"

// An Event is one step of a streamed answer: a [MessageStart], [TextDelta],
// [ReasoningDelta], [ToolCallStart], [ToolInputDelta], [CitationDelta], [BlockPart],
// [BlockStop], [MessageStop], [Metadata] or [Warning]. Block events carry the index of
// their content block; a message's blocks are numbered from 0 in the order the provider
// sends them.
type Event interface{ isEvent() }

// MessageStart opens the answer.
type MessageStart struct {
	Role Role
}

// TextDelta appends Text to the text block Index. A text block may start with its first
// delta, without a start event.
type TextDelta struct {
	Index int
	Text  string
}

// ReasoningDelta appends to the reasoning block Index: Text and Redacted are appended,
// Signature is appended too (providers send it once, after the text).
type ReasoningDelta struct {
	Index     int
	Text      string
	Signature string
	Redacted  []byte
}

// ToolCallStart opens the tool-call block Index. Server marks a call of a server-side
// tool (see [ToolCall]).
type ToolCallStart struct {
	Index  int
	ID     string
	Name   string
	Server bool
}

// ToolInputDelta appends a fragment of the JSON input of the tool-call block Index. The
// fragments form a JSON object once the block stops.
type ToolInputDelta struct {
	Index    int
	Fragment string
}

// BlockStop closes the block Index.
type BlockStop struct {
	Index int
}

// MessageStop ends the answer's content. [Metadata] may still follow it.
type MessageStop struct {
	StopReason    StopReason
	RawStopReason string
}

// Metadata reports usage and metrics. It may come before or after [MessageStop].
type Metadata struct {
	Usage   Usage
	Latency time.Duration
	// Extra carries provider-specific data (e.g. a guardrail trace).
	Extra any
}

func (MessageStart) isEvent()   {}
func (TextDelta) isEvent()      {}
func (ReasoningDelta) isEvent() {}
func (ToolCallStart) isEvent()  {}
func (ToolInputDelta) isEvent() {}
func (BlockStop) isEvent()      {}
func (MessageStop) isEvent()    {}
func (Metadata) isEvent()       {}
