package openai

import (
	"github.com/openai/openai-go/v3/packages/param"

	"github.com/llmkit/llmkit/llm"
)

// Extra carries the Chat Completions settings the neutral request has no field for. Put
// a *Extra (or an Extra) in [llm.Request.Extra]; a value of another type (another
// provider's settings) is ignored, so one request can carry settings for several
// providers. Zero fields are not sent.
type Extra struct {
	// Seed asks for deterministic sampling (best effort on the service's side).
	Seed *int64
	// ParallelToolCalls, when set, allows (true) or forbids (false) several tool calls
	// in one answer. Unset leaves the service's default (allowed).
	ParallelToolCalls *bool
	// User is an end-user id for the service's abuse monitoring.
	User string
	// ServiceTier selects a processing tier ("auto", "default", "flex", "priority" on
	// OpenAI; "on_demand", "flex" on Groq).
	ServiceTier string
	// ReasoningFormat is Groq's reasoning_format ("parsed", "raw" or "hidden"): how a
	// reasoning model returns its reasoning. llmkit reads both the parsed field and raw
	// <think> text.
	ReasoningFormat string
	// Fields are further top-level JSON fields sent as given (for a server's own
	// settings, e.g. vLLM's "top_k"). They override fields of the same name.
	Fields map[string]any
}

// extraOf finds the request's *Extra, if any.
func extraOf(v any) *Extra {
	switch e := v.(type) {
	case *Extra:
		return e
	case Extra:
		return &e
	case []any:
		for _, x := range e {
			if found := extraOf(x); found != nil {
				return found
			}
		}
	}
	return nil
}

// extra applies the request's *Extra.
func (b *builder) extra() error {
	e := extraOf(b.req.Extra)
	if e == nil {
		return nil
	}
	body := &b.p.body
	if e.Seed != nil {
		body.Seed = param.NewOpt(*e.Seed)
	}
	if e.ParallelToolCalls != nil {
		if len(body.Tools) == 0 {
			b.warn(llm.Warnf(llm.WarningSkipped, "extra.parallel_tool_calls", "parallel_tool_calls without tools not sent (the service rejects it)"))
		} else {
			body.ParallelToolCalls = param.NewOpt(*e.ParallelToolCalls)
		}
	}
	if e.User != "" {
		body.User = param.NewOpt(e.User)
	}
	fields := make(map[string]any, len(e.Fields)+2)
	if e.ServiceTier != "" {
		fields["service_tier"] = e.ServiceTier
	}
	if e.ReasoningFormat != "" {
		fields["reasoning_format"] = e.ReasoningFormat
	}
	for k, v := range e.Fields {
		if k == "" {
			return invalidField("extra.fields", "a field without a name")
		}
		fields[k] = v
	}
	if len(fields) > 0 {
		body.SetExtraFields(fields)
	}
	return nil
}
