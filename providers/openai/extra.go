package openai

import (
	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"

	"github.com/llmkit/llmkit/llm"
)

// Extra carries the Chat Completions settings the neutral request has no field for. Put
// a *Extra (or an Extra) in [llm.Request.Extra], alone or in an [llm.Extras] beside other
// providers' settings; values of other types are other providers' and are ignored. Two
// values of this type in one request are an error. Zero fields are not sent.
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

// extra applies the request's *Extra.
func (b *builder) extra() error {
	e, err := llm.ExtraOf[Extra](b.req.Extra)
	if err != nil {
		return invalidField("extra", "%v", err)
	}
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
	body.ServiceTier = oai.ChatCompletionNewParamsServiceTier(e.ServiceTier)
	fields := make(map[string]any, len(e.Fields)+1)
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
