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
// Cost: this package's own code adds ≈ 0.6–1 µs of CPU and one allocation to a traced
// call warm (≈ 2.5 µs when the CPU's caches are cold, as they are after a network
// call): attributes are built only for a span that records, into one slice set in one
// SetAttributes call when the call ends (a span in progress carries only the three
// attributes given at its start); span names, start options, metric attribute sets and
// finish-reason attributes are built once per model; metric look-ups are skipped when no
// instrument is enabled; a stream's time to first chunk is taken by a hook that runs on
// the first event only, and events pass through no extra layer ([llm.RelayStream]). The
// OpenTelemetry SDK's own span costs more: ≈ 5 µs warm and 10 µs cold with the simple
// span processor, several times that with the batch processor, whose hand-off to its
// goroutine wakes an idle thread. That is negligible against a real model call, and 3–4%
// of a 350 µs call to a loopback simulator: bench/RESULTS.md ("Middleware stack") has
// the measurements. Metrics are recorded in the span's context, so with the SDK's
// default exemplar filter each record of a sampled call offers an exemplar
// (sdkmetric.WithExemplarFilter turns that off).
//
// [Telemetry.Agent] runs an [agent.Agent] in an "invoke_agent <name>" span, and
// [Telemetry.Tools] wraps its tools so that each run is an "execute_tool <name>" child
// span with gen_ai.tool.call.id: with a traced model, an agent run exports one tree.
package otelllm
