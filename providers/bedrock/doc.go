// Package bedrock is llmkit's provider for Amazon Bedrock's Converse API: an [llm.Model]
// on the AWS SDK's bedrockruntime client, and the pure translation functions it is built
// from.
//
// # Using it
//
// [NewFromConfig] builds a [Model] from an aws.Config, such as the one
// config.LoadDefaultConfig returns (region, credentials, retries):
//
//	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
//	...
//	m := bedrock.NewFromConfig(cfg, nil)
//	resp, err := m.Generate(ctx, &llm.Request{
//		Model:    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
//		Messages: []llm.Message{llm.UserText("Hello")},
//	})
//
// [New] takes a client the caller built — any value with the Converse and ConverseStream
// methods of *bedrockruntime.Client ([ConverseAPI]). Such a client should send through
// [NewHTTPClient]: the SDK's default HTTP client loses some streams on fast connections
// and reports a truncated stream as a clean end (see [HTTPClient]); NewFromConfig
// installs it. [Options] (nil for the defaults) overrides capabilities and sets a
// stream idle timeout. A Model is safe for concurrent use.
//
// The translation functions do no I/O and can be used on their own, with the SDK:
// [FormatRequest] and [FormatStreamRequest] build the SDK input from an [llm.Request];
// [ParseResponse] reads a Converse output; [ParseStreamChunk] reads one ConverseStream
// event. [ResponseExtra] carries what Bedrock returns beyond the neutral response (trace,
// service tier, performance configuration, additional model response fields), in
// [llm.Response.Extra]; [Extra], in [llm.Request.Extra], carries the Bedrock-specific
// request settings (guardrail, additional model request fields, service tier…);
// [GuardText] and [GuardImage] build the guard content a guardrail evaluates, as
// [llm.Opaque] parts that only this provider sends (RULES.md REQ-GUARD-CONTENT).
//
// # Model ids and capabilities
//
// The model id of a request is sent exactly as given: a base model id
// ("anthropic.claude-sonnet-4-5-20250929-v1:0"), a cross-region inference profile ("us.",
// "eu.", "apac.", "jp.", "global." …) or an ARN. What a model supports — tool choices,
// tool calls while streaming, error status on tool results, native structured output,
// reasoning, images, documents, cache points, a system prompt, stop sequences, text
// beside tool results — comes from a table matched on the id's provider and model family
// without its profile prefix, never on a substring elsewhere in the id; see
// [CapabilitiesFor] and the table in capabilities.go. In short: Claude 3 and later take
// every tool choice and tool-result status, Claude 3.7 and 4 add reasoning and cache
// points, Claude 4.5 and later native structured output; Nova models take named tool
// choices, tool-result status and cache points, Nova 2 Lite reasons by effort; Llama
// 3.1+, Mistral, Cohere Command R, Jamba 1.5, DeepSeek, gpt-oss, Qwen and Palmyra take
// tools with fewer choices; Titan Text and older Llama and Mistral models are text only.
// Ids the table does not know — application inference profiles, provisioned throughput
// and custom models, whose ids do not name their model — get conservative defaults;
// [Options.BaseModels] says which base model such an id runs, so that the base model's
// whole row of the table applies (its capabilities and its other rules, such as Claude
// 4.5 refusing temperature and topP together), and [Options.Capabilities] overrides the
// capabilities of any id. [Model.Capabilities] reports the result
// ([llm.CapabilityReporter]).
//
// # What FormatRequest repairs and rejects
//
// [FormatRequest] applies every request rule of the Converse API that llmkit knows of;
// RULES.md in this package lists them, and the response, stream, error and SDK rules,
// each with an ID (REQ-TOOL-PAIRS, SDK-TRUNCATION …) and where it was learned, and a
// table of every member of the Converse API (unions and fields of the inputs, outputs
// and stream events) with what it maps to in llmkit, or that it is not supported, and
// the test that covers it. What can
// be repaired without changing the conversation's meaning is repaired and reported in
// the warnings, which a Model puts first in [llm.Response.Warnings]; what cannot is an
// [*llm.InvalidRequestError] naming the message and part (or the field) at fault,
// returned before anything is sent.
// Every repair has its warning: invalid UTF-8 in text, tool input or request metadata is
// replaced with U+FFFD; a tool result that is empty or white space only is sent as
// "(no output)"; image bytes that are not the declared format are sent as the format they
// are; a document name Bedrock would refuse is sanitised.
//
// Whatever a model answered must stay sendable, so that one hostile or odd answer never
// poisons a history (a Session's, or an agent's Result.Messages). FormatRequest
// therefore repairs, with a warning, what Bedrock returns but does not take back: an
// assistant message with no content (end_turn with content [], or white space only) is
// left out; a tool call whose name is outside [a-zA-Z0-9_-]{1,64} is sent with each
// other byte replaced by "_" ("unnamed_tool" when empty); a call without an id gets
// llmkit_call_<message>_<part>; an id used again gets a suffix "_2", "_3" …. The results
// follow their calls: a result whose call id names several calls (or none, "") answers
// the oldest not answered yet and is sent with that call's id.
//
// # Responses
//
// [ParseResponse] turns content blocks into parts: text, tool calls (their input the
// exact JSON Bedrock sent, numbers as written), reasoning (text and signature, or
// redacted bytes, kept for replay), images and documents, cited text (an [llm.Text]
// with its [llm.Citation]s), search results, and the calls and results of server-side
// tools (with Server set, so that nothing runs them again), video and audio; guard
// content comes back as
// the opaque part [GuardText] builds, with a warning. Each goes back on the next turn as
// Bedrock sent it. A block the SDK does not know (which it decodes as nil, or as a
// repeat of the block before) is kept by a Model as an [llm.Opaque] part with the
// block's JSON, sent back byte for byte on the next turn, with a warning; the pure
// ParseResponse, which has no body, skips it with a warning, as it does the
// request-only blocks (cache points, tool additions and removals). Stop reasons
// map to [llm.StopReason] with the raw value kept in [llm.Response.RawStopReason]; an
// end_turn whose turn holds tool calls reads tool_use. Usage counts cache reads and writes
// apart from input tokens, as Bedrock does. Llama models sometimes repeat a tool call
// under a new id: for them a Model drops a call whose name and input repeat an earlier
// call of the same answer, with a warning, so that the tool runs once.
//
// # Errors
//
// Every error from Bedrock or the SDK is mapped, by the tables in errors.go, to an
// [*llm.ProviderError] whose Category is one of llm's sentinels, tested with errors.Is:
// [llm.ErrAuth] (AccessDenied, missing, bad or expired credentials, "Signature expired"),
// [llm.ErrInvalidRequest] (Validation), [llm.ErrContextTooLong] (a validation or model
// error saying the input does not fit: "Input is too long for requested model", "prompt
// is too long", "input length and `max_tokens` exceed context limit", "too many input
// tokens"), [llm.ErrRateLimited] (Throttling — retryable — and ServiceQuotaExceeded),
// [llm.ErrNotFound] (ResourceNotFound, and the ValidationException "The provided model
// identifier is invalid." with which Bedrock answers an unknown model id),
// [llm.ErrTimeout] (ModelTimeout, or a passed deadline), [llm.ErrModelNotReady]
// (retryable), [llm.ErrServer] (ModelError, ModelStreamError; InternalServer,
// ServiceUnavailable and connection failures, retryable) and [llm.ErrStream] (a stream
// that broke or was truncated). The ProviderError also holds Bedrock's error code and
// message, the HTTP status (0 for an exception inside a stream), the request id, whether
// a retry may succeed, and in RetryAfter the wait a Retry-After header asked for (seconds
// or an HTTP date); it unwraps to the SDK's error. An unknown error code is judged by its
// HTTP status.
//
// How a call ends, phase by phase (the table test categories_test.go checks each):
//   - its context cancelled — before sending, waiting for the answer, or before the 200
//     of a stream — an [llm.ErrCanceled] ProviderError; its deadline passed, an
//     [llm.ErrTimeout] one; both unwrap to the context's error and are not retryable;
//   - a stream whose context ends after the 200, read or not: an [*llm.StreamError]
//     unwrapping to [llm.ErrStream], [llm.ErrCanceled] (or [llm.ErrTimeout]) and the
//     context's error, every time;
//   - a connection dropped before the answer, and a Converse body cut or truncated after
//     its 200: [llm.ErrServer], retryable (Converse answers whole or not at all);
//   - a stream cut, truncated, corrupted or dropped after its 200: [llm.ErrStream], not
//     retryable (part of the answer may have been consumed); an exception frame inside
//     it: the exception's own category.
//
// # Streaming
//
// [Model.Stream] returns an [*llm.Stream] once Bedrock has answered 200; an HTTP error
// before that is returned at once. The events are [ParseStreamChunk]'s, with what needs
// memory of the stream added: an end_turn after a tool call reads tool_use, the deltas of
// skipped blocks are dropped, and the additional model response fields of messageStop
// join the metadata's [ResponseExtra]. A block start or a delta of a kind the SDK does
// not know (which it decodes as nil) is skipped with a warning, with the rest of that
// block, as Generate skips an unknown block: a new Bedrock delta type never breaks a
// stream. The accumulated response equals what
// [Model.Generate] returns for the same answer. An exception frame mid-stream (such as
// throttlingException), a body that ends inside a frame, a cut connection, a corrupt
// frame and a stream that ends without messageStop all end the events with an error;
// none is a short success. Breaking out of the events, cancelling the context, the idle
// timeout and [llm.Stream.Close] close the network stream and leave no goroutine behind;
// cancelling the context does so also for a stream nobody reads. The idle timeout counts
// Bedrock's silence only, not the time the caller spends on each event.
//
// By default ([DecoderLLMKit]) a Model reads the event stream itself: the SDK still
// serializes, signs, retries and sends the request, resolves the endpoint and turns a
// non-200 answer into its error, but a deserialize middleware on the ConverseStream call
// takes the 200 body, and the goroutine that ranges over the [llm.Stream] reads its
// frames directly — no goroutine or channel hand-off per event — with both CRCs of each
// frame checked and its buffer reused. Text and tool-input deltas, nearly every frame,
// are decoded without reflection; every other frame goes through the SDK's own
// deserializer and so reads exactly as on the SDK's path. On a 1,000-delta stream this
// costs about a seventh of the SDK's time per event and a fifteenth of its allocations
// (bench/RESULTS.md). [Options.StreamDecoder] = [DecoderSDK] switches back to the SDK's
// reader, should AWS change the protocol.
//
// # Structured output
//
// With [llm.Request.Output], FormatRequest asks for the object natively
// (outputConfig.textFormat with the JSON schema) where the model supports it, and
// otherwise through a synthetic tool (named "structured_output" unless
// [llm.Output.Name] says otherwise) that the model is forced to call. Either way the
// object arrives the same: as the text of the assistant message — streamed as text
// deltas — and, when that text is one JSON object, in [llm.Response.Object]. The
// synthetic call never appears as a tool call and the stop reason reads end_turn (or
// tool_use if the model also called one of the request's real tools); text the model
// wrote beside the call, and repeated calls of the synthetic tool, are dropped with a
// warning. A Model never fails a call for a missing or malformed object: the response
// comes back without Object and with a warning, and [structured.Generate] and
// [structured.Stream], which hold the schema, validate, decode, report
// [llm.ErrNoObject] with the raw text, and retry.
package bedrock
