package agent

import (
	"github.com/llmkit/llmkit/llm"
)

// An Event is one step of a run streamed by [Agent.Stream]: a [ModelEvent],
// [ToolStarted], [ToolFinished], [StepDone] or [Done]. Every event but Done carries the
// step it belongs to, from 1.
type Event interface{ isEvent() }

// ModelEvent is an event of the model's streamed answer: an [llm.TextDelta],
// [llm.ToolCallStart], [llm.ReasoningDelta] and so on, as the model sends it.
type ModelEvent struct {
	Step  int
	Event llm.Event
}

// ToolStarted reports that a tool call is about to run (after [Options.BeforeTool]
// approved it). Calls of unknown tools and denied calls have no ToolStarted.
type ToolStarted struct {
	Step int
	Call llm.ToolCall
}

// ToolFinished reports a tool call's result, as soon as the call ends; with parallel
// calls, in the order they end.
type ToolFinished struct {
	Step   int
	Call   llm.ToolCall
	Result llm.ToolResult
}

// StepDone ends a step: the model's whole answer and, when it called tools, their
// results in the model's call order.
type StepDone struct {
	Step     int
	Response *llm.Response
	Results  []llm.ToolResult
}

// Done ends a successful run with its result.
type Done struct {
	Result *Result
}

func (ModelEvent) isEvent()   {}
func (ToolStarted) isEvent()  {}
func (ToolFinished) isEvent() {}
func (StepDone) isEvent()     {}
func (Done) isEvent()         {}
