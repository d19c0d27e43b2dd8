// Package llm is llmkit's neutral model of a conversation with a large language model.
//
// # Conversations
//
// A [Request] holds [Message]s, each a [Role] and a list of [Part]s: [Text], [Image],
// [Document], [ToolCall], [ToolResult], [Reasoning] and [CachePoint]. Tools are declared
// with [Tool]; running them is the job of package agent. A [Model] (a provider, such as
// package providers/bedrock) answers with a [Response]: the assistant [Message], a
// [StopReason], [Usage] and warnings about anything it could not honour. Typed objects
// (a Go struct asked for with [Output], validated and decoded) are the job of package
// structured, so that llm itself imports only the standard library.
//
// # Streaming
//
// [Model.Stream] returns a [Stream] of [Event]s: [MessageStart], [TextDelta],
// [ReasoningDelta], [ToolCallStart], [ToolInputDelta], [BlockStop], [MessageStop],
// [Metadata] and [Warning]. [Stream.Events] and [Stream.Text] are iterators; a second pass
// replays. [Stream.Response] drains the stream and returns the accumulated [Response],
// which equals what [Model.Generate] returns for the same exchange. [Accumulator] does the
// accumulation for any event source.
//
// # Errors
//
// Failed calls return errors that unwrap to a category such as [ErrRateLimited],
// [ErrInvalidRequest], [ErrContextTooLong], [ErrAuth], [ErrServer] or [ErrStream]; details
// are in a [*ProviderError] or an [*InvalidRequestError]. A cancelled call's error
// satisfies errors.Is(err, context.Canceled).
package llm
