package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strings"

	"github.com/llmkit/llmkit/schema"
)

// ObjectOptions configures [GenerateObject] and [StreamObject]. nil means the defaults:
// no retry, strict decoding, the provider's default output name and mechanism.
type ObjectOptions struct {
	// Name and Description name the object for the model ([Output.Name],
	// [Output.Description]). Empty keeps what the request's Output says, if anything.
	Name        string
	Description string
	// Mode chooses native structured output or a forced tool ([Output.Mode]); the
	// zero value lets the provider decide.
	Mode OutputMode
	// Coerce accepts numbers and booleans sent as strings, and optional members sent as
	// null (see schema.DecodeOptions).
	Coerce bool
	// Retries is how many more times GenerateObject asks when the answer holds no valid
	// object (no object, invalid JSON, a schema mismatch): it appends the model's answer
	// and a user turn stating the error, and asks again. 0 means one attempt. It is
	// capped at [MaxObjectRetries]. A tool call, a truncated or a filtered answer is
	// never retried.
	Retries int
}

// MaxObjectRetries caps [ObjectOptions.Retries].
const MaxObjectRetries = 5

// ObjectErrorReason says why an answer held no valid object.
type ObjectErrorReason string

// Reasons for an [ObjectError].
const (
	// ObjectNoJSON: the answer was text (or nothing) with no JSON object in it.
	ObjectNoJSON ObjectErrorReason = "no object in the answer"
	// ObjectInvalidJSON: the answer held something that is not well-formed JSON.
	ObjectInvalidJSON ObjectErrorReason = "invalid JSON"
	// ObjectMismatch: the JSON does not match the schema of T, or does not decode into
	// T; Err is a *schema.ValidationError with the path of the first mismatch.
	ObjectMismatch ObjectErrorReason = "schema mismatch"
	// ObjectToolCall: the model called one of the request's tools instead of answering
	// with the object.
	ObjectToolCall ObjectErrorReason = "the model called a tool instead"
	// ObjectTruncated: the answer was cut by the token limit before the object was
	// complete. The error also unwraps to [ErrTruncated].
	ObjectTruncated ObjectErrorReason = "answer truncated by max_tokens"
	// ObjectFiltered: a content filter or guardrail stopped the answer. The error also
	// unwraps to [ErrContentFiltered].
	ObjectFiltered ObjectErrorReason = "answer filtered"
)

// ObjectError reports an answer without a valid object. It unwraps to [ErrNoObject]
// (and to [ErrTruncated] or [ErrContentFiltered] for those reasons) and to Err.
type ObjectError struct {
	Reason ObjectErrorReason
	// Raw is what the model returned: the object's JSON, or the answer's text when
	// there was no object.
	Raw string
	// Response is the last answer; its Usage sums all attempts.
	Response *Response
	// Err is the underlying error: a *schema.ValidationError for a mismatch, an error
	// wrapping schema.ErrInvalidJSON for invalid JSON, or nil.
	Err error
	// Attempts is the number of calls made.
	Attempts int
}

func (e *ObjectError) Error() string {
	var b strings.Builder
	b.WriteString("llm: object: ")
	b.WriteString(string(e.Reason))
	if e.Reason == ObjectToolCall && e.Response != nil {
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

// Unwrap returns [ErrNoObject], the reason's category where it has one, and Err.
func (e *ObjectError) Unwrap() []error {
	errs := []error{ErrNoObject}
	switch e.Reason {
	case ObjectTruncated:
		errs = append(errs, ErrTruncated)
	case ObjectFiltered:
		errs = append(errs, ErrContentFiltered)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// GenerateObject asks m for one JSON object matching the schema of T (schema.For[T]) and
// decodes it. T must be a struct type (or a pointer to one).
//
// It calls m.Generate with a copy of req whose Output carries the schema; req itself is
// not modified. The object is taken from [Response.Object] or, when the provider left it
// empty, from the answer's text, which may be the JSON alone, a ```json (or ```) fenced
// block, or prose around one object (the text from its first "{" to its last "}").
// The object is validated against the schema, then decoded; on success the response's
// Object holds the JSON that was decoded.
//
// When the answer holds no valid object the error is an [*ObjectError] with a distinct
// [ObjectErrorReason]; with opts.Retries the model is asked again first. Errors from the
// model itself (throttling, invalid request…) are returned as they are. The returned
// response's Usage sums every attempt.
func GenerateObject[T any](ctx context.Context, m Model, req *Request, opts *ObjectOptions) (T, *Response, error) {
	var zero T
	r, o, err := objectRequest[T]("generate object", m, req, opts)
	if err != nil {
		return zero, nil, err
	}
	retries := min(max(o.Retries, 0), MaxObjectRetries)
	var usage Usage
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
func objectRequest[T any](op string, m Model, req *Request, opts *ObjectOptions) (*Request, ObjectOptions, error) {
	var o ObjectOptions
	if opts != nil {
		o = *opts
	}
	if m == nil {
		return nil, o, fmt.Errorf("llm: %s: nil model", op)
	}
	if req == nil {
		return nil, o, fmt.Errorf("llm: %s: nil request", op)
	}
	sch, err := schema.For[T]()
	if err != nil {
		return nil, o, fmt.Errorf("llm: %s: %w", op, err)
	}
	if err := schema.CheckToolSchema(sch); err != nil {
		return nil, o, fmt.Errorf("llm: %s: %v: the answer is one JSON object, so T must have an object form; wrap the value in a struct field: %w", op, reflect.TypeFor[T](), err)
	}
	r := req.Clone()
	out := Output{}
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
	if o.Mode != OutputAuto {
		out.Mode = o.Mode
	}
	r.Output = &out
	return r, o, nil
}

func retryable(r ObjectErrorReason) bool {
	switch r {
	case ObjectNoJSON, ObjectInvalidJSON, ObjectMismatch:
		return true
	}
	return false
}

// retryTurns returns the model's failed answer and a user turn stating what was wrong.
func retryTurns(resp *Response, oerr *ObjectError) []Message {
	var turns []Message
	answer := oerr.Raw
	if strings.TrimSpace(answer) == "" {
		answer = resp.Text()
	}
	if strings.TrimSpace(answer) != "" {
		turns = append(turns, AssistantText(strings.TrimRight(answer, " \t\r\n")))
	}
	var why string
	switch oerr.Reason {
	case ObjectNoJSON:
		why = "Your answer held no JSON object."
	case ObjectInvalidJSON:
		why = "Your answer was not valid JSON (" + oerr.Err.Error() + ")."
	default:
		why = "Your answer did not match the required JSON schema: " + oerr.Err.Error() + "."
	}
	return append(turns, UserText(why+" Answer again with only one JSON object that matches the schema."))
}

// decodeObject finds the object in resp and decodes it into a T.
func decodeObject[T any](resp *Response, coerce bool) (T, *ObjectError) {
	var zero T
	fail := func(reason ObjectErrorReason, raw string, err error) (T, *ObjectError) {
		return zero, &ObjectError{Reason: reason, Raw: raw, Response: resp, Err: err}
	}
	raw := bytes.TrimSpace(resp.Object)
	text := resp.Text()
	if len(raw) == 0 {
		if calls := resp.ToolCalls(); len(calls) > 0 {
			return fail(ObjectToolCall, text, nil)
		}
		switch resp.StopReason {
		case StopReasonContentFiltered:
			return fail(ObjectFiltered, text, nil)
		}
		raw = extractJSON(text)
		if raw == nil {
			if resp.StopReason == StopReasonMaxTokens {
				return fail(ObjectTruncated, text, nil)
			}
			return fail(ObjectNoJSON, text, nil)
		}
	}
	v, err := schema.Decode[T](raw, &schema.DecodeOptions{Coerce: coerce})
	if err != nil {
		switch {
		case resp.StopReason == StopReasonMaxTokens:
			return fail(ObjectTruncated, string(raw), err)
		case errors.Is(err, schema.ErrInvalidJSON):
			return fail(ObjectInvalidJSON, string(raw), err)
		}
		return fail(ObjectMismatch, string(raw), err)
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

// ObjectStream is a streamed answer holding one JSON object of type T, from
// [StreamObject]. Range over [ObjectStream.Text] to show the JSON as it arrives, then
// call [ObjectStream.Object]. Like a [Stream], it is for one goroutine at a time.
type ObjectStream[T any] struct {
	s      *Stream
	coerce bool
}

// StreamObject is the streaming form of [GenerateObject]: it asks m.Stream for one JSON
// object matching the schema of T. opts.Retries must be 0: a streamed answer that
// already reached the caller cannot be taken back.
func StreamObject[T any](ctx context.Context, m Model, req *Request, opts *ObjectOptions) (*ObjectStream[T], error) {
	r, o, err := objectRequest[T]("stream object", m, req, opts)
	if err != nil {
		return nil, err
	}
	if o.Retries != 0 {
		return nil, errors.New("llm: stream object: Retries is not supported when streaming; use GenerateObject")
	}
	s, err := m.Stream(ctx, r)
	if err != nil {
		return nil, err
	}
	return &ObjectStream[T]{s: s, coerce: o.Coerce}, nil
}

// Text yields the answer's text as it arrives: the object's JSON, in fragments. It
// follows the first-pass and replay rules of [Stream.Text].
func (o *ObjectStream[T]) Text() iter.Seq2[string, error] { return o.s.Text() }

// Stream returns the underlying stream, for its events.
func (o *ObjectStream[T]) Stream() *Stream { return o.s }

// Object reads the rest of the stream and decodes the object, as [GenerateObject] does.
// A stream that broke returns the stream's error and a nil response; an answer without
// a valid object returns an [*ObjectError].
func (o *ObjectStream[T]) Object() (T, *Response, error) {
	var zero T
	resp, err := o.s.Response()
	if err != nil {
		return zero, nil, err
	}
	v, oerr := decodeObject[T](resp, o.coerce)
	if oerr != nil {
		oerr.Attempts = 1
		return zero, resp, oerr
	}
	return v, resp, nil
}

// Close closes the stream; see [Stream.Close].
func (o *ObjectStream[T]) Close() error { return o.s.Close() }
