// Package agent runs conversations on any [llm.Model]: multi-round chat sessions that
// keep their history right, and the tool loop that lets a model call Go functions until
// it has an answer. It imports no provider; package llm/llmtest provides a scripted
// model to test agents with.
//
// # Sessions
//
// A [Session] holds a conversation's history and default request settings. [Session.Send]
// and [Session.Stream] send a user message; [Session.SendMessage] and
// [Session.StreamMessage] send any user or tool message, with an optional function that
// overrides the defaults for one turn. A turn enters the history — the message and the
// answer together — only when it succeeds; a streamed turn once it has been read to its
// end, whichever way it was read, and with its whole answer (text, tool calls, reasoning
// with its signature). A failed, cancelled or abandoned turn leaves the history as it
// was. [Session.History] returns a copy; [Session.Reset] and [Session.SetHistory]
// replace it; a Session marshals to and from JSON to store a conversation and resume it;
// [Session.Hash] (and [HashMessages]) give a stable hash of the history for logs. Turns
// are serialised, so a Session is safe for concurrent use. SetHistory and the JSON form
// only accept a history that passes [CheckHistory]; otherwise the session is unchanged.
//
// A chat whose turns may call tools composes a Session with an [Agent]:
// [Session.Run] and [Session.RunStream] (and their Message forms) run the agent's tool
// loop as one turn — typed tools, parallel calls, limits and hooks — and the whole turn,
// every model answer and tool message, enters the history only when the loop succeeds.
//
// # Tools
//
// A [Tool] pairs an [llm.Tool] declaration with the function that runs a call.
// [NewTool] builds one from a typed function, reflecting the input schema from its
// input type with package schema and validating every call's input before the function
// runs; [NewRawTool] builds one from a JSON Schema and a function of raw JSON.
//
// # The loop
//
// An [Agent] (see [New] and [Options]) runs the loop: [Agent.Run] calls the model; when
// the whole answer holds tool calls (whatever the stop reason), it runs them — in
// parallel up to [Options.Parallelism] — and sends their results back in the model's
// call order, in one tool message; it repeats until an answer holds no tool call. A
// tool that fails, panics or calls runtime.Goexit, an unknown tool, invalid input and a
// call denied by [Options.BeforeTool] each give the model an error result for its call
// (and [Agent.Stream] a ToolFinished after its ToolStarted); the loop goes on. Tool
// calls the provider cannot take back as they are (an odd name, a missing or repeated
// id) are answered like any other; keeping the history sendable is the provider's job
// (providers/bedrock, for one, repairs them, with warnings). An answer cut at max_tokens never has its calls run and ends the run with
// an error wrapping [llm.ErrTruncated]; running out of steps ends it with
// [llm.ErrMaxSteps].
// Such errors are a [*RunError] carrying the partial [Result]. [Agent.Stream] runs the
// same loop and yields [Event] values — the model's events, tool starts and results, step
// ends — as they happen.
//
// Every goroutine the package starts has ended when the call that started it returns
// (for a stream: when the range over it ends).
package agent
