// Package otelllm traces and measures llmkit models and agents with OpenTelemetry,
// following the GenAI semantic conventions (the attribute names and metric
// instruments of go.opentelemetry.io/otel/semconv/v1.41.0 and its genaiconv package).
// It lives apart from package llm so that programs that do not use it do not import
// OpenTelemetry.
//
// [Telemetry.Model] (or [Telemetry.Middleware], for [llm.Wrap]) wraps any [llm.Model]:
// each call is a client span "chat <model>" carrying gen_ai.operation.name,
// gen_ai.provider.name, gen_ai.request.model and the request's settings
// (gen_ai.request.max_tokens, temperature, top_p, stop_sequences, stream,
// gen_ai.output.type), then gen_ai.response.id, gen_ai.response.model,
// gen_ai.response.finish_reasons, gen_ai.usage.input_tokens (cached tokens included, as
// the conventions ask), gen_ai.usage.output_tokens, gen_ai.usage.cache_read.input_tokens
// and gen_ai.usage.cache_creation.input_tokens, or error.type and an error status. A
// stream's span gets gen_ai.response.time_to_first_chunk when its first event arrives
// and ends with the stream; events pass through as they arrive. Each call records the
// client metrics gen_ai.client.operation.duration, gen_ai.client.token.usage (input and
// output) and, for streams, gen_ai.client.operation.time_to_first_chunk.
//
// Message content — gen_ai.input.messages, gen_ai.output.messages,
// gen_ai.system_instructions, gen_ai.tool.definitions, tool-call arguments and results —
// is recorded only with [Options.CaptureContent], off by default since it may hold
// personal data.
//
// gen_ai.response.id is [llm.Response.RequestID] and gen_ai.response.model is
// [llm.Response.Model] when set; behind package fallback that is the name of the
// candidate that answered, so name candidates by model (or region and model) to keep
// the attribute meaningful. Put the tracing outside the fallback to get one span per
// call, inside each candidate to get one per attempt.
//
// Cost: with the OpenTelemetry SDK (every span sampled, batched to an exporter, metrics
// aggregated) a traced call costs ≈ 8 µs of CPU and 8 allocations more than the bare
// call, of which ≈ 4.8 µs and 6 allocations are the SDK's own span and metric
// recording and ≈ 1 µs is this package's code: attributes are built only for a span
// that records, into one slice set in one SetAttributes call when the call ends (a
// span in progress carries only the three attributes given at its start), and span
// names, start options, metric attribute sets and finish-reason attributes are built
// once per model. Those figures are for a loop that runs the telemetry back to back;
// between real client calls, whose work takes over the CPU's caches in between, the
// same code costs 3–4 times as much (≈ 21 µs for the SDK's part and ≈ 12 µs for this package's on the calling
// goroutine, measured against the Bedrock Runtime simulator on a loaded 2-core
// machine). That is negligible against a real model call, but 5–9% of a call to a
// loopback simulator, where the SDK's part alone is 2% of the wall time and 4% of the
// CPU: bench/RESULTS.md ("Middleware stack") has the measurements and profiles. Metrics
// are recorded in the span's context, so with the SDK's default exemplar filter each
// record of a sampled call offers an exemplar (sdkmetric.WithExemplarFilter turns that
// off).
//
// [Telemetry.Agent] runs an [agent.Agent] in an "invoke_agent <name>" span, and
// [Telemetry.Tools] wraps its tools so that each run is an "execute_tool <name>" child
// span with gen_ai.tool.call.id: with a traced model, an agent run exports one tree.
package otelllm
