// Package llm is llmkit's neutral model of a conversation with a large language model.
//
// # Conversations
//
// A [Request] holds [Message]s, each a [Role] and a list of [Part]s: [Text] (with its
// [Citation]s), [Image], [Video], [Audio], [Document], [SearchResult], [ToolCall],
// [ToolResult], [Reasoning], [CachePoint] and [Opaque] (a provider's block llmkit cannot
// represent, kept so that the history can be sent back). Tools are declared with [Tool]
// (a server-side tool, which the service runs itself, has Server set); running the
// others is the job of package agent. A provider that can count a request's tokens
// implements [TokenCounter]. A [Model] (a provider, such as
// providers/bedrock or providers/openai) answers with a [Response]: the assistant
// [Message], a [StopReason], [Usage] and warnings about anything it could not honour.
// Typed objects (a Go struct asked for with [Output], validated and decoded) are the
// job of package structured, so that llm itself imports only the standard library.
//
// # Streaming
//
// [Model.Stream] returns a [Stream] of [Event]s: [MessageStart], [TextDelta],
// [ReasoningDelta], [ToolCallStart], [ToolInputDelta], [CitationDelta], [BlockPart],
// [BlockStop], [MessageStop], [Metadata] and [Warning]. [Stream.Events] and [Stream.Text] are iterators; a second pass
// replays. [Stream.Response] drains the stream and returns the accumulated [Response],
// which equals what [Model.Generate] returns for the same exchange. [Accumulator] does the
// accumulation for any event source. A stream that breaks after its [MessageStop]
// (before the usage that follows it arrived) fails with [ErrStream] all the same; the
// message it did receive is in the [StreamError]'s Partial field:
//
//	var se *llm.StreamError
//	if _, err := stream.Response(); errors.As(err, &se) && se.Partial != nil {
//		// se.Partial.Message is the whole answer; its Usage is not known.
//	}
//
// # Errors
//
// Failed calls return errors that unwrap to a category such as [ErrRateLimited],
// [ErrInvalidRequest], [ErrContextTooLong], [ErrAuth], [ErrServer] or [ErrStream]; details
// are in a [*ProviderError] or an [*InvalidRequestError]. [ProviderError.Retryable] says
// whether the same call may succeed later, and [ProviderError.RetryAfter] how long the
// provider asked to wait.
//
// A call whose context ends fails the same way at every phase (before sending, waiting
// for the answer, or in the middle of a stream): a cancelled context gives an error that
// unwraps to [ErrCanceled] and context.Canceled, a passed deadline one that unwraps to
// [ErrTimeout] and context.DeadlineExceeded (see [ContextError]); neither is retryable. A
// stream's error is a [*StreamError] then, so it unwraps to [ErrStream] as well.
// Cancelling the context of a [Stream] closes it at once, also when nobody reads it.
//
// # Repairs and warnings
//
// Nothing a caller gave or a model returned is dropped or changed in silence: a provider
// that repairs a request or an answer (a name it sanitises, an empty answer it cannot
// send back, an unknown block it skips) says so in a [Warning] with a [WarningCode].
//
// # Middleware
//
// A [Middleware] wraps a Model in another (tracing, fallback, logging, redaction);
// [Wrap] stacks them, [ModelFuncs] writes one in a few lines, and [RelayStream] passes a
// wrapped stream's events on as they arrive while keeping its Response equal to
// Generate's. Relays install their [RelayHooks] on the stream they relay rather than
// wrapping it in another, so a stack of them reads the provider's events in one loop;
// a relay's Reopen hook may put another stream in place of one that failed before its
// first event. Packages fallback and otelllm are built on it.
package llm
