package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/llmkit/llmkit/llm"
)

// Operations named in errors.
const (
	opChat       = "chat-completions"
	opChatStream = "chat-completions-stream"
)

// contextOverflow lists the codes and messages, lowercased, with which Chat Completions
// servers say the input does not fit the context window.
var contextOverflow = []string{
	"context_length_exceeded",
	"maximum context length",
	"context length",
	"context window",
	"too many tokens",
	"prompt is too long",
	"reduce the length",
}

func isContextOverflow(s string) bool {
	for _, m := range contextOverflow {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// mapError turns an error from openai-go into the error llmkit returns: an
// [*llm.ProviderError] whose Category is an llm sentinel, chosen by HTTP status and the
// error's code and type; with the request id (x-request-id) and Retry-After of the
// answer. An error object inside a stream is categorised by its code and type and also
// unwraps to [llm.ErrStream]; a broken, truncated or malformed stream is
// [llm.ErrStream]. A cancelled context is returned wrapped so that errors.Is(err,
// context.Canceled) holds; a passed deadline is an [llm.ErrTimeout] for which
// errors.Is(err, context.DeadlineExceeded) holds too.
func mapError(op string, err error, midStream bool) error {
	if err == nil {
		return nil
	}
	var pe *llm.ProviderError
	if errors.As(err, &pe) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("openai: %s: %w", op, err)
	}
	e := &llm.ProviderError{Provider: "openai", Op: op, Err: err}
	var ae *oai.Error
	var se *ssestream.StreamError
	switch {
	case errors.As(err, &ae):
		e.StatusCode = ae.StatusCode
		e.Code, e.Message = ae.Code, ae.Message
		if e.Code == "" {
			e.Code = ae.Type
		}
		if ae.Response != nil {
			e.RequestID = ae.Response.Header.Get("x-request-id")
			e.RetryAfter = retryAfter(ae.Response.Header, time.Now())
		}
		e.Category, e.Retryable = categorize(ae.StatusCode, ae.Code, ae.Type, ae.Message)
	case errors.As(err, &se):
		code, typ, msg := streamErrorObject(se.Event.Data)
		e.Code, e.Message = code, msg
		if e.Code == "" {
			e.Code = typ
		}
		e.Category, e.Retryable = categorize(0, code, typ, msg)
		e.Err = &llm.StreamError{Reason: "error event in the stream", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		e.Category = llm.ErrTimeout
	case midStream:
		e.Category = llm.ErrStream
		if !errors.Is(err, llm.ErrStream) {
			e.Err = &llm.StreamError{Reason: "broken event stream", Err: err}
		}
	default:
		// A transport failure before an answer: connection refused, reset, DNS.
		e.Category, e.Retryable = llm.ErrServer, true
	}
	return e
}

// categorize picks the llm category of an error by HTTP status (0 inside a stream),
// code, type and message.
func categorize(status int, code, typ, msg string) (error, bool) {
	lc, lt, lm := strings.ToLower(code), strings.ToLower(typ), strings.ToLower(msg)
	switch {
	case lc == "insufficient_quota":
		// An exhausted quota or budget: waiting does not lift it.
		return llm.ErrRateLimited, false
	case status == 429 || lc == "rate_limit_exceeded" || lt == "rate_limit_error" || lt == "tokens" || lt == "requests":
		return llm.ErrRateLimited, true
	case status == 401 || status == 403 || lt == "authentication_error" || lt == "permission_error" ||
		lc == "invalid_api_key" || lt == "invalid_api_key":
		return llm.ErrAuth, false
	case status == 404 || lc == "model_not_found" || lt == "not_found_error":
		return llm.ErrNotFound, false
	case status == 408 || lc == "timeout":
		return llm.ErrTimeout, true
	case isContextOverflow(lc) || (status == 400 || status == 413 || status == 0) && isContextOverflow(lm):
		return llm.ErrContextTooLong, false
	case status == 400 && (lc == "content_filter" || lc == "content_policy_violation"):
		return llm.ErrContentFiltered, false
	case status >= 400 && status < 500:
		return llm.ErrInvalidRequest, false
	case lt == "invalid_request_error":
		return llm.ErrInvalidRequest, false
	case status == 503 && strings.Contains(lm, "loading"):
		return llm.ErrModelNotReady, true
	case status >= 500:
		return llm.ErrServer, true
	case status == 0 && (lt == "server_error" || lc == "server_error" || lt == "api_error" || lt == "overloaded_error"):
		return llm.ErrServer, true
	}
	if status == 0 {
		return llm.ErrStream, false
	}
	return llm.ErrServer, false
}

// streamErrorObject reads code, type and message from an error event's data:
// {"error": {"message", "type", "code"}}.
func streamErrorObject(data []byte) (code, typ, msg string) {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(data, &v) != nil {
		return "", "", ""
	}
	var obj struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	}
	if json.Unmarshal(v.Error, &obj) != nil {
		var s string
		if json.Unmarshal(v.Error, &s) == nil {
			return "", "", s
		}
		return "", "", string(v.Error)
	}
	switch c := obj.Code.(type) {
	case string:
		code = c
	case float64:
		code = strconv.FormatFloat(c, 'f', -1, 64)
	}
	return code, obj.Type, obj.Message
}

// retryAfter reads how long to wait from retry-after-ms (OpenAI's) or Retry-After
// (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms := h.Get("retry-after-ms"); ms != "" {
		if f, err := strconv.ParseFloat(ms, 64); err == nil && f > 0 {
			return time.Duration(f * float64(time.Millisecond))
		}
	}
	ra := h.Get("retry-after")
	if ra == "" {
		return 0
	}
	if f, err := strconv.ParseFloat(ra, 64); err == nil {
		if f <= 0 {
			return 0
		}
		return time.Duration(f * float64(time.Second))
	}
	if t, err := http.ParseTime(ra); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
