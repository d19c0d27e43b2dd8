package structured

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/schema"
)

// Options configures [Generate] and [Stream]. nil means the defaults:
// no retry, strict decoding, the provider's default output name and mechanism.
type Options struct {
	// Name and Description name the object for the model ([llm.Output.Name],
	// [llm.Output.Description]). Empty keeps what the request's Output says, if anything.
	Name        string
	Description string
	// Mode chooses native structured output or a forced tool ([llm.Output.Mode]); the
	// zero value lets the provider decide.
	Mode llm.OutputMode
	// Coerce accepts numbers and booleans sent as strings, and optional members sent as
	// null (see schema.DecodeOptions).
	Coerce bool
	// Retries is how many more times Generate asks when the answer holds no valid
	// object (no object, invalid JSON, a schema mismatch): it appends the model's answer
	// and a user turn stating the error, and asks again. 0 means one attempt. It is
	// capped at [MaxRetries]. A tool call, a truncated or a filtered answer is
	// never retried.
	Retries int
}

// MaxRetries caps [Options.Retries].
const MaxRetries = 5

// Reason says why an answer held no valid object.
type Reason string

// Reasons for an [Error].
const (
	// ReasonNoJSON: the answer was text (or nothing) with no JSON object in it.
	ReasonNoJSON Reason = "no object in the answer"
	// ReasonInvalidJSON: the answer held something that is not well-formed JSON.
	ReasonInvalidJSON Reason = "invalid JSON"
	// ReasonMismatch: the JSON does not match the schema of T, or does not decode into
	// T; Err is a *schema.ValidationError with the path of the first mismatch.
	ReasonMismatch Reason = "schema mismatch"
	// ReasonToolCall: the model called one of the request's tools instead of answering
	// with the object.
	ReasonToolCall Reason = "the model called a tool instead"
	// ReasonTruncated: the answer was cut by the token limit before the object was
	// complete. The error also unwraps to [llm.ErrTruncated].
	ReasonTruncated Reason = "answer truncated by max_tokens"
	// ReasonFiltered: a content filter or guardrail stopped the answer. The error also
	// unwraps to [llm.ErrContentFiltered].
	ReasonFiltered Reason = "answer filtered"
)

// Error reports an answer without a valid object. It unwraps to [llm.ErrNoObject]
// (and to [llm.ErrTruncated] or [llm.ErrContentFiltered] for those reasons) and to Err.
type Error struct {
	Reason Reason
	// Raw is what the model returned: the object's JSON, or the answer's text when
	// there was no object.
	Raw string
	// Response is the last answer; its Usage sums all attempts.
	Response *llm.Response
	// Err is the underlying error: a *schema.ValidationError for a mismatch, an error
	// wrapping schema.ErrInvalidJSON for invalid JSON, or nil.
	Err error
	// Attempts is the number of calls made.
	Attempts int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("structured: ")
	b.WriteString(string(e.Reason))
	if e.Reason == ReasonToolCall && e.Response != nil {
		names := make([]string, 0, 1)
		for _, c := range e.Response.ToolCalls() {
			names = append(names, c.Name)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(names, ", "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns [llm.ErrNoObject], the reason's category where it has one, and Err.
func (e *Error) Unwrap() []error {
	errs := []error{llm.ErrNoObject}
	switch e.Reason {
	case ReasonTruncated:
		errs = append(errs, llm.ErrTruncated)
	case ReasonFiltered:
		errs = append(errs, llm.ErrContentFiltered)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Generate asks m for one JSON object matching the schema of T (schema.For[T]) and
// decodes it. T must be a struct type (or a pointer to one).
//
// It calls m.Generate with a copy of req whose Output carries the schema; req itself is
// not modified. The object is taken from [llm.Response.Object] or, when the provider left it
// empty, from the answer's text, which may be the JSON alone, a ```json (or ```) fenced
// block, or prose around one object (the text from its first "{" to its last "}").
// The object is validated against the schema, then decoded; on success the response's
// Object holds the JSON that was decoded.
//
// When the answer holds no valid object the error is an [*Error] with a distinct
// [Reason]; with opts.Retries the model is asked again first. Errors from the
// model itself (throttling, invalid request…) are returned as they are. The returned
// response's Usage sums every attempt.
func Generate[T any](ctx context.Context, m llm.Model, req *llm.Request, opts *Options) (T, *llm.Response, error) {
	var zero T
	r, o, err := objectRequest[T]("generate", m, req, opts)
	if err != nil {
		return zero, nil, err
	}
	retries := min(max(o.Retries, 0), MaxRetries)
	var usage llm.Usage
	for attempt := 1; ; attempt++ {
		resp, err := m.Generate(ctx, r)
		if err != nil {
			return zero, nil, err
		}
		usage = usage.Add(resp.Usage)
		v, oerr := decodeObject[T](resp, o.Coerce)
		if oerr == nil {
			resp.Usage = usage
			return v, resp, nil
		}
		oerr.Attempts = attempt
		if attempt > retries || !retryable(oerr.Reason) {
			resp.Usage = usage
			return zero, resp, oerr
		}
		r.Messages = append(r.Messages, retryTurns(resp, oerr)...)
	}
}

// objectRequest checks the arguments and returns the request to send.
func objectRequest[T any](op string, m llm.Model, req *llm.Request, opts *Options) (*llm.Request, Options, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if m == nil {
		return nil, o, fmt.Errorf("structured: %s: nil model", op)
	}
	if req == nil {
		return nil, o, fmt.Errorf("structured: %s: nil request", op)
	}
	sch, err := schema.For[T]()
	if err != nil {
		return nil, o, fmt.Errorf("structured: %s: %w", op, err)
	}
	if err := schema.CheckToolSchema(sch); err != nil {
		return nil, o, fmt.Errorf("structured: %s: %v: the answer is one JSON object, so T must have an object form; wrap the value in a struct field: %w", op, reflect.TypeFor[T](), err)
	}
	r := req.Clone()
	out := llm.Output{}
	if r.Output != nil {
		out = *r.Output
	}
	out.Schema = sch
	if o.Name != "" {
		out.Name = o.Name
	}
	if o.Description != "" {
		out.Description = o.Description
	}
	if o.Mode != llm.OutputAuto {
		out.Mode = o.Mode
	}
	r.Output = &out
	return r, o, nil
}

func retryable(r Reason) bool {
	switch r {
	case ReasonNoJSON, ReasonInvalidJSON, ReasonMismatch:
		return true
	}
	return false
}

// retryTurns returns the model's failed answer and a user turn stating what was wrong.
func retryTurns(resp *llm.Response, oerr *Error) []llm.Message {
	var turns []llm.Message
	answer := oerr.Raw
	if strings.TrimSpace(answer) == "" {
		answer = resp.Text()
	}
	if strings.TrimSpace(answer) != "" {
		turns = append(turns, llm.AssistantText(strings.TrimRight(answer, " \t\r\n")))
	}
	var why string
	switch oerr.Reason {
	case ReasonNoJSON:
		why = "Your answer held no JSON object."
	case ReasonInvalidJSON:
		why = "Your answer was not valid JSON (" + oerr.Err.Error() + ")."
	default:
		why = "Your answer did not match the required JSON schema: " + oerr.Err.Error() + "."
	}
	return append(turns, llm.UserText(why+" Answer again with only one JSON object that matches the schema."))
}

// decodeObject finds the object in resp and decodes it into a T.
func decodeObject[T any](resp *llm.Response, coerce bool) (T, *Error) {
	var zero T
	fail := func(reason Reason, raw string, err error) (T, *Error) {
		return zero, &Error{Reason: reason, Raw: raw, Response: resp, Err: err}
	}
	raw := bytes.TrimSpace(resp.Object)
	text := resp.Text()
	if len(raw) == 0 {
		if calls := resp.ToolCalls(); len(calls) > 0 {
			return fail(ReasonToolCall, text, nil)
		}
		switch resp.StopReason {
		case llm.StopReasonContentFiltered:
			return fail(ReasonFiltered, text, nil)
		}
		raw = extractJSON(text)
		if raw == nil {
			if resp.StopReason == llm.StopReasonMaxTokens {
				return fail(ReasonTruncated, text, nil)
			}
			return fail(ReasonNoJSON, text, nil)
		}
	}
	v, err := schema.Decode[T](raw, &schema.DecodeOptions{Coerce: coerce})
	if err != nil {
		switch {
		case resp.StopReason == llm.StopReasonMaxTokens:
			return fail(ReasonTruncated, string(raw), err)
		case errors.Is(err, schema.ErrInvalidJSON):
			return fail(ReasonInvalidJSON, string(raw), err)
		}
		return fail(ReasonMismatch, string(raw), err)
	}
	resp.Object = json.RawMessage(bytes.Clone(raw))
	return v, nil
}

// extractJSON returns the JSON object in a model's text answer: the whole text when it
// is one JSON value, else the body of the first ``` fence (with or without a json
// label) that starts with "{", else the text from the first "{" to the last "}". It
// returns nil when the text holds no "{". The result is not validated.
func extractJSON(text string) []byte {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil
	}
	if json.Valid([]byte(t)) {
		return []byte(t)
	}
	rest := t
	for {
		i := strings.Index(rest, "```")
		if i < 0 {
			break
		}
		body := rest[i+3:]
		if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.Contains(body[:nl], "{") {
			body = body[nl+1:] // skip the fence's label, e.g. "json"
		}
		end := strings.Index(body, "```")
		if end < 0 {
			end = len(body) // an unterminated fence, as when the answer was cut
		}
		if block := strings.TrimSpace(body[:end]); strings.HasPrefix(block, "{") {
			return []byte(block)
		}
		if end == len(body) {
			break
		}
		rest = body[end+3:]
	}
	first := strings.IndexByte(t, '{')
	if first < 0 {
		return nil
	}
	last := strings.LastIndexByte(t, '}')
	if last < first {
		return []byte(t[first:]) // cut short: reported as invalid JSON
	}
	return []byte(t[first : last+1])
}
