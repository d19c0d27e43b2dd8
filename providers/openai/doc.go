// Package openai is llmkit's provider for the Chat Completions protocol — OpenAI's
// /v1/chat/completions, which most of the field speaks: OpenAI, Azure OpenAI, Groq,
// OpenRouter, Together, Mistral, DeepSeek, and local servers (Ollama, vLLM, LM Studio,
// llama.cpp). It is an [llm.Model] on the official openai-go client, and the pure
// translation functions it is built from. openai-go authenticates, retries and sends
// the request (its Client.Post); the provider encodes the request body from the
// parameters of [FormatRequest] and decodes the answer with encoding/json over small
// types of its own, and reads server-sent events itself, because openai-go's reflective
// encoder and decoder cost a caller several times as much (see bench/RESULTS.md). The
// body means what openai-go would send for the same parameters; parameters holding
// what those types do not carry (e.g. [Extra.Fields]) are encoded by openai-go.
//
// # Using it
//
// [NewWithConfig] builds a [Model] from a [Config] — base URL, API key, extra headers,
// organization and project, Azure's deployment and api-version — and reads nothing from
// the environment; [NewFromEnv] takes the key from OPENAI_API_KEY (and the base URL,
// organization and project from OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID):
//
//	m := openai.NewFromEnv(openai.Config{}, nil)
//	resp, err := m.Generate(ctx, &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("Hello")}})
//
//	groq := openai.NewWithConfig(openai.Config{BaseURL: "https://api.groq.com/openai/v1/", APIKey: key}, nil)
//
// [New] takes an *openai.Client the caller built with openai-go ([ChatAPI]). [Options] overrides capabilities and sets a stream idle
// timeout. A Model is safe for concurrent use.
//
// The translation functions do no I/O: [FormatRequest] and [FormatStreamRequest] build
// openai-go's ChatCompletionNewParams from an [llm.Request]; [ParseResponse] reads a
// ChatCompletion; [ParseStreamChunk] reads one ChatCompletionChunk. [Extra], in
// [llm.Request.Extra], carries settings the neutral request has no field for (seed,
// parallel_tool_calls, user, service tier, Groq's reasoning_format, raw fields); a value
// of another type there is another provider's and is ignored. [ResponseExtra], in
// [llm.Response.Extra], carries the completion id, model, fingerprint, service tier and
// reasoning token count.
//
// # Requests
//
// System messages become system messages (text only); user messages take text and
// images (an http(s) or data URL, or bytes with a format, sent as a data URL); tool
// results become tool messages, one per result, in order, before the rest of their
// message; assistant turns send their text and tool calls (empty input as {}).
// Reasoning parts cannot be sent back on Chat Completions and cache points do not
// exist there: both are dropped with a warning. A tool result has no error status: an
// error result's text starts with "Error: ". Tools are function tools, their schema
// sent as given ($defs and $ref included); a strict tool's schema must be strict
// (additionalProperties false and every property required, in every object) or the
// request is rejected. Tool choice auto, none, required and a named tool map one to one.
// Structured output ([llm.Request.Output]) uses response_format json_schema (strict
// when the schema allows) on models that have it, else a synthetic tool the model is
// made to call ([DefaultOutputTool]); either way the object arrives as the answer's
// text and in [llm.Response.Object], never as a tool call. Reasoning settings become
// reasoning_effort (a token budget is mapped to an effort, with a warning) on models
// that take one; models that always reason (Qwen 3, DeepSeek R1) take none. OpenAI's
// reasoning models get max_completion_tokens, and no temperature or top_p (dropped
// with a warning). What cannot be sent — a tool call without its result before the
// next turn, a result for an unknown call, a part the protocol or model does not take,
// out-of-range settings — is an [*llm.InvalidRequestError] naming the message and part
// (or the field), returned before anything is sent.
//
// # Responses
//
// The first choice is read (others are dropped with a warning). The answer's parts
// come in a fixed order: reasoning (a reasoning or reasoning_content field, or
// <think>…</think> at the start of the content), text (content, and a refusal), then
// tool calls in their order. Finish reasons map to [llm.StopReason] with the raw value
// kept in [llm.Response.RawStopReason]: stop → end_turn (also at a stop sequence: the
// protocol does not tell them apart), tool_calls → tool_use (and stop with tool calls,
// which OpenAI sends for a forced call), length → max_tokens, content_filter and a
// refusal → content_filtered, anything else → unknown. Usage: InputTokens are the
// prompt tokens not read from the cache — prompt_tokens minus
// prompt_tokens_details.cached_tokens — and the cached ones are CacheReadTokens;
// OutputTokens include reasoning tokens, counted apart in [ResponseExtra].
//
// # Streams
//
// A Model's stream asks for stream_options.include_usage. Tool calls streamed by index
// are reassembled (a server that numbers every call 0 but gives each its own id is
// followed by id); <think> text split across chunks is split as in a whole answer. An
// error object inside the stream is an [*llm.ProviderError] of its category that also
// unwraps to [llm.ErrStream]; malformed events, a stream cut before its finish reason
// or before data: [DONE] end it with [llm.ErrStream] — never a short success.
//
// # Errors
//
// HTTP errors map by status, code and type: 400 → [llm.ErrInvalidRequest] (or
// [llm.ErrContextTooLong] for context_length_exceeded), 401 and 403 → [llm.ErrAuth],
// 404 → [llm.ErrNotFound], 408 → [llm.ErrTimeout], 429 → [llm.ErrRateLimited] (not
// retryable for insufficient_quota), 5xx → [llm.ErrServer]. Every
// [*llm.ProviderError] has the x-request-id of the answer and, when the service sent
// Retry-After (or retry-after-ms), its RetryAfter.
package openai
