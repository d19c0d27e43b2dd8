package openai

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"

	"github.com/llmkit/llmkit/llm"
)

// DefaultOutputTool is the name of the synthetic tool that carries structured output
// when [llm.Request.Output] does not name one and the model has no native
// response_format json_schema (or the request asks for the tool).
const DefaultOutputTool = "structured_output"

// defaultOutputDescription describes the synthetic output tool when the request gives no
// description.
const defaultOutputDescription = "Generate structured output matching the provided schema"

// FormatRequest translates req into the openai-go parameters of a Chat Completions call,
// with the capabilities of [CapabilitiesFor] for req.Model. It does no I/O. The warnings
// say what it repaired or left out; an [*llm.InvalidRequestError] names the message and
// part (or the field) of what cannot be sent. See the package documentation for the
// rules.
func FormatRequest(req *llm.Request) (*oai.ChatCompletionNewParams, []llm.Warning, error) {
	p, err := formatRequest(req, modelCaps(req), false)
	if err != nil {
		return nil, nil, err
	}
	return &p.body, p.warnings, nil
}

// FormatStreamRequest is [FormatRequest] for a streamed call: the same parameters with
// stream_options.include_usage set, so that the stream ends with the usage. (openai-go
// adds "stream": true itself when the parameters go through NewStreaming.)
func FormatStreamRequest(req *llm.Request) (*oai.ChatCompletionNewParams, []llm.Warning, error) {
	p, err := formatRequest(req, modelCaps(req), true)
	if err != nil {
		return nil, nil, err
	}
	return &p.body, p.warnings, nil
}

func modelCaps(req *llm.Request) llm.Capabilities {
	if req == nil {
		return defaultCaps
	}
	return CapabilitiesFor(req.Model)
}

// chatParams is a translated request and what the Model needs to read its answer.
type chatParams struct {
	body     oai.ChatCompletionNewParams
	warnings []llm.Warning
	// objectTool is the name of the synthetic output tool, when structured output goes
	// through one: its call is the object, shown as text, never as a tool call.
	objectTool string
	// native: structured output through response_format json_schema; the text is the
	// object.
	native bool
	// thinkTags: the model may write its reasoning as <think>…</think> text.
	thinkTags bool
}

// builder holds the state of one translation.
type builder struct {
	req     *llm.Request
	caps    llm.Capabilities
	fam     *family
	p       *chatParams
	pending []pendingCall // tool calls awaiting their result, in call order
}

// pendingCall is a tool call awaiting its result: its id and the index of its message.
type pendingCall struct {
	id  string
	msg int
}

func invalid(msg, part int, format string, args ...any) error {
	return &llm.InvalidRequestError{Provider: "openai", Message: msg, Part: part, Reason: fmt.Sprintf(format, args...)}
}

func invalidField(field, format string, args ...any) error {
	return &llm.InvalidRequestError{Provider: "openai", Message: -1, Part: -1, Field: field, Reason: fmt.Sprintf(format, args...)}
}

func (b *builder) warn(w llm.Warning) { b.p.warnings = append(b.p.warnings, w) }

// formatRequest is FormatRequest with the capabilities given (a Model's override) and
// the stream flag.
func formatRequest(req *llm.Request, caps llm.Capabilities, stream bool) (*chatParams, error) {
	if req == nil {
		return nil, invalidField("request", "nil request")
	}
	if req.Model == "" {
		return nil, invalidField("model", "no model id")
	}
	if len(req.Messages) == 0 {
		return nil, invalidField("messages", "no messages")
	}
	b := &builder{req: req, caps: caps, fam: lookupFamily(req.Model), p: &chatParams{}}
	b.p.thinkTags = b.fam != nil && b.fam.style == reasonAlways
	b.p.body.Model = req.Model
	b.p.body.Messages = make([]oai.ChatCompletionMessageParamUnion, 0, len(req.Messages)+2)
	if err := b.messages(); err != nil {
		return nil, err
	}
	if err := b.tools(); err != nil {
		return nil, err
	}
	if err := b.output(); err != nil {
		return nil, err
	}
	if err := b.settings(); err != nil {
		return nil, err
	}
	if err := b.extra(); err != nil {
		return nil, err
	}
	if stream {
		b.p.body.StreamOptions.IncludeUsage = param.NewOpt(true)
	}
	return b.p, nil
}

// settings translates max tokens, sampling, stop sequences and reasoning.
func (b *builder) settings() error {
	req, body := b.req, &b.p.body
	switch {
	case req.MaxTokens < 0:
		return invalidField("max_tokens", "negative (%d)", req.MaxTokens)
	case req.MaxTokens > 0 && b.fam != nil && b.fam.completionTokens:
		body.MaxCompletionTokens = param.NewOpt(int64(req.MaxTokens))
	case req.MaxTokens > 0:
		body.MaxTokens = param.NewOpt(int64(req.MaxTokens))
	}
	noSampling := b.fam != nil && b.fam.noSampling
	if t := req.Temperature; t != nil {
		switch {
		case *t < 0 || *t > 2:
			return invalidField("temperature", "%g is outside [0, 2]", *t)
		case noSampling:
			b.warn(llm.Warnf(llm.WarningUnsupported, "temperature", "model %s takes no temperature; not sent", req.Model))
		default:
			body.Temperature = param.NewOpt(*t)
		}
	}
	if t := req.TopP; t != nil {
		switch {
		case *t < 0 || *t > 1:
			return invalidField("top_p", "%g is outside [0, 1]", *t)
		case noSampling:
			b.warn(llm.Warnf(llm.WarningUnsupported, "top_p", "model %s takes no top_p; not sent", req.Model))
		default:
			body.TopP = param.NewOpt(*t)
		}
	}
	if len(req.StopSequences) > 0 {
		for i, s := range req.StopSequences {
			if s == "" {
				return invalidField(fmt.Sprintf("stop_sequences[%d]", i), "empty stop sequence")
			}
		}
		if b.caps.StopSequences {
			body.Stop.OfStringArray = req.StopSequences
		} else {
			b.warn(llm.Warnf(llm.WarningUnsupported, "stop_sequences", "model %s takes no stop sequences; not sent", req.Model))
		}
	}
	return b.reasoning()
}

// reasoning translates req.Reasoning: an effort for models that take one (a token
// budget is mapped to the nearest effort), nothing for models that always reason.
func (b *builder) reasoning() error {
	r := b.req.Reasoning
	if r == nil {
		return nil
	}
	if r.BudgetTokens < 0 {
		return invalidField("reasoning.budget_tokens", "negative (%d)", r.BudgetTokens)
	}
	switch r.Effort {
	case "", llm.ReasoningLow, llm.ReasoningMedium, llm.ReasoningHigh:
	default:
		return invalidField("reasoning.effort", "unknown effort %q (want low, medium or high)", r.Effort)
	}
	style := reasonNone
	if b.fam != nil {
		style = b.fam.style
	}
	if !b.caps.Reasoning {
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "model %s does not reason; reasoning settings not sent", b.req.Model))
		return nil
	}
	switch style {
	case reasonAlways:
		b.warn(llm.Warnf(llm.WarningUnsupported, "reasoning", "model %s always reasons and takes no effort or budget; not sent", b.req.Model))
		return nil
	}
	effort := r.Effort
	if effort == "" {
		switch {
		case r.BudgetTokens == 0:
			effort = llm.ReasoningMedium
		case r.BudgetTokens < 4096:
			effort = llm.ReasoningLow
		case r.BudgetTokens < 16384:
			effort = llm.ReasoningMedium
		default:
			effort = llm.ReasoningHigh
		}
		if r.BudgetTokens > 0 {
			b.warn(llm.Warnf(llm.WarningRepaired, "reasoning.budget_tokens",
				"Chat Completions takes an effort, not a budget: %d tokens sent as reasoning_effort %q", r.BudgetTokens, effort))
		}
	}
	b.p.body.ReasoningEffort = shared.ReasoningEffort(effort)
	return nil
}

// jsonObject reports whether raw is one JSON object (after white space).
func jsonObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 1 && raw[0] == '{' && json.Valid(raw)
}

// imageURL is the url of an image content part: the URI as given (http, https or a data
// URL), or a data URL built from the bytes and format.
func imageURL(mi, pi int, v llm.Image) (string, error) {
	switch {
	case v.URI != "" && len(v.Data) > 0:
		return "", invalid(mi, pi, "image has both data and a URI")
	case v.URI != "":
		if !strings.HasPrefix(v.URI, "https://") && !strings.HasPrefix(v.URI, "http://") && !strings.HasPrefix(v.URI, "data:image/") {
			return "", invalid(mi, pi, "image URI %.64q is not an http(s) or data:image/ URL", v.URI)
		}
		return v.URI, nil
	case len(v.Data) == 0:
		return "", invalid(mi, pi, "image has neither data nor a URI")
	}
	mime, err := imageMIME(v.Format)
	if err != nil {
		return "", invalid(mi, pi, "%v", err)
	}
	var sb strings.Builder
	sb.Grow(len("data:;base64,") + len(mime) + base64.StdEncoding.EncodedLen(len(v.Data)))
	sb.WriteString("data:")
	sb.WriteString(mime)
	sb.WriteString(";base64,")
	enc := base64.NewEncoder(base64.StdEncoding, &sb)
	_, _ = enc.Write(v.Data)
	_ = enc.Close()
	return sb.String(), nil
}

func imageMIME(format string) (string, error) {
	f := strings.TrimPrefix(strings.ToLower(format), "image/")
	switch f {
	case "png", "gif", "webp":
		return "image/" + f, nil
	case "jpeg", "jpg":
		return "image/jpeg", nil
	case "":
		return "", fmt.Errorf("image has data but no format (want png, jpeg, gif or webp)")
	}
	return "", fmt.Errorf("image format %q is not png, jpeg, gif or webp", format)
}
