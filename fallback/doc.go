// Package fallback answers a call with the first of an ordered list of models that can:
// Bedrock in one region, then another, then another provider. A [Model] moves on to the
// next candidate when a call fails for a reason another model may not have — rate
// limiting, a server error, a model timeout, a model not ready, a broken stream — and
// never for one that would fail the same way everywhere or that is the caller's to fix:
// an invalid request, an authorisation failure, an unknown model, a context too long, a
// content filter ([Fallbackable] decides; [Options.ShouldFallback] overrides it).
//
// It honours the Retry-After a provider sends ([llm.ProviderError.RetryAfter]) and waits
// a bounded, jittered, exponential backoff between passes over the list. A stream falls
// back only until its first event has been delivered: after that the caller has seen
// part of one model's answer, and the error reaches it. [llm.Response.Model] names the
// candidate that answered. A cancelled context ends a call at once, a pending wait
// included, and no goroutine outlives a call (or, for a stream, its end or Close).
//
// A [Model] is an [llm.Model], so it stacks with other middleware ([llm.Wrap]);
// [Middleware] puts the wrapped model first in a list. Its stream is the answering
// candidate's own, relayed with a Reopen hook ([llm.RelayHooks]): events reach the caller
// through no extra layer, and falling back costs nothing until a candidate fails.
package fallback
