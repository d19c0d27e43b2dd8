package openai

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	oai "github.com/openai/openai-go/v3"

	"github.com/llmkit/llmkit/internal/providererr"
	"github.com/llmkit/llmkit/internal/retryafter"
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
// [llm.ErrStream]. A cancelled context is an [llm.ErrCanceled] ProviderError and a
// passed deadline an [llm.ErrTimeout] one, as for every provider; both keep the
// context's error (errors.Is(err, context.Canceled) or DeadlineExceeded holds) and
// neither is retryable.
func mapError(op string, err error, midStream bool) error {
	e, done := providererr.Start("openai", op, err)
	if e == nil {
		return done
	}
	var ae *oai.Error
	switch {
	case errors.As(err, &ae):
		e.StatusCode = ae.StatusCode
		e.Code, e.Message = ae.Code, ae.Message
		if e.Code == "" {
			e.Code = ae.Type
		}
		if ae.Response != nil {
			e.RequestID = ae.Response.Header.Get("x-request-id")
			e.RetryAfter = retryafter.FromHeader(ae.Response.Header, time.Now())
		}
		e.Category, e.Retryable = categorize(ae.StatusCode, ae.Code, ae.Type, ae.Message)
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

// errInfo is what categorize looks at, lowercased.
type errInfo struct {
	status         int // 0 inside a stream
	code, typ, msg string
}

func (e errInfo) codeOrType(vals ...string) bool {
	for _, v := range vals {
		if e.code == v || e.typ == v {
			return true
		}
	}
	return false
}

// categories is the one table that maps an error to its llm category, first match
// wins: by code and type first, then by HTTP status.
var categories = []struct {
	match     func(e errInfo) bool
	category  error
	retryable bool
}{
	// An exhausted quota or budget: waiting does not lift it.
	{func(e errInfo) bool { return e.code == "insufficient_quota" }, llm.ErrRateLimited, false},
	{func(e errInfo) bool {
		return e.status == 429 || e.codeOrType("rate_limit_exceeded", "rate_limit_error", "tokens", "requests")
	}, llm.ErrRateLimited, true},
	{func(e errInfo) bool {
		return e.status == 401 || e.status == 403 || e.codeOrType("authentication_error", "permission_error", "invalid_api_key")
	}, llm.ErrAuth, false},
	{func(e errInfo) bool { return e.status == 404 || e.codeOrType("model_not_found", "not_found_error") }, llm.ErrNotFound, false},
	{func(e errInfo) bool { return e.status == 408 || e.code == "timeout" }, llm.ErrTimeout, true},
	{func(e errInfo) bool {
		return isContextOverflow(e.code) || (e.status == 0 || e.status == 400 || e.status == 413) && isContextOverflow(e.msg)
	}, llm.ErrContextTooLong, false},
	{func(e errInfo) bool {
		return e.status == 400 && e.codeOrType("content_filter", "content_policy_violation")
	}, llm.ErrContentFiltered, false},
	{func(e errInfo) bool { return e.status >= 400 && e.status < 500 || e.typ == "invalid_request_error" }, llm.ErrInvalidRequest, false},
	{func(e errInfo) bool { return e.status == 503 && strings.Contains(e.msg, "loading") }, llm.ErrModelNotReady, true},
	{func(e errInfo) bool {
		return e.status >= 500 || e.codeOrType("server_error", "api_error", "overloaded_error")
	}, llm.ErrServer, true},
}

// categorize picks the llm category of an error by HTTP status (0 inside a stream),
// code, type and message, with the table above. An error nothing matches is a stream
// error inside a stream and a server error otherwise.
func categorize(status int, code, typ, msg string) (error, bool) {
	e := errInfo{status: status, code: strings.ToLower(code), typ: strings.ToLower(typ), msg: strings.ToLower(msg)}
	for _, c := range categories {
		if c.match(e) {
			return c.category, c.retryable
		}
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
