package bedrock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/llmkit/llmkit/llm"
)

// Operations named in errors.
const (
	opConverse       = "converse"
	opConverseStream = "converse-stream"
)

// contextOverflow lists the messages, lowercased, with which Bedrock and its models say
// the input does not fit the context window (BEDROCK.md, response rule 8).
var contextOverflow = []string{
	"input is too long",
	"prompt is too long",
	"exceed context limit",
	"exceeds the context window",
	"too many input tokens",
	"maximum context length",
	"context length exceeded",
	"model_context_window_exceeded",
}

// mapError turns an error from the SDK into the error llmkit returns. Every Bedrock
// error becomes an [*llm.ProviderError] whose Category is an llm sentinel, chosen in the
// one switch below: by error code first (typed exceptions, generic API errors, and the
// lowerCamel spellings of exception frames inside a stream), then by HTTP status, then by
// kind of transport failure. StatusCode and RequestID come from the SDK's HTTP response
// error (a mid-stream exception has neither: StatusCode 0); a retry.MaxAttemptsError or
// an operation error around it is seen through. midStream says the error ended a stream
// after its 200 response: a failure that is not a Bedrock exception then belongs to
// [llm.ErrStream].
//
// Cancellation is not hidden: an error caused by a cancelled context is returned
// wrapped with %w so that errors.Is(err, context.Canceled) holds; a passed deadline
// becomes an [llm.ErrTimeout] ProviderError for which errors.Is(err,
// context.DeadlineExceeded) holds too.
func mapError(op string, err error, midStream bool) error {
	if err == nil {
		return nil
	}
	var pe *llm.ProviderError
	if errors.As(err, &pe) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("bedrock: %s: %w", op, err)
	}
	e := &llm.ProviderError{Provider: "bedrock", Op: op, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.RequestID = re.ServiceRequestID()
		if re.Response != nil {
			e.StatusCode = re.HTTPStatusCode()
			e.RetryAfter = retryAfter(re.Response.Header.Get("Retry-After"), time.Now())
		}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
		e.Message = ae.ErrorMessage()
	}
	code := normalizeCode(e.Code)
	msg := strings.ToLower(e.Message)
	status := e.StatusCode

	var signErr *v4.SigningError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		e.Category = llm.ErrTimeout
	case errors.As(err, &signErr) || strings.Contains(err.Error(), "failed to retrieve credentials"):
		// The request was never sent: no credentials could be found or refreshed.
		e.Category = llm.ErrAuth
	case code == "throttlingexception" || code == "toomanyrequestsexception" || code == "" && status == 429:
		e.Category, e.Retryable = llm.ErrRateLimited, true
	case code == "servicequotaexceededexception":
		// An account quota: waiting a little does not lift it.
		e.Category = llm.ErrRateLimited
	case code == "modelnotreadyexception":
		// The SDK does not retry it (BEDROCK.md, SDK 5); the model is loading and a later
		// call succeeds.
		e.Category, e.Retryable = llm.ErrModelNotReady, true
	case code == "accessdeniedexception" || code == "unrecognizedclientexception" ||
		code == "expiredtokenexception" || code == "invalidsignatureexception" ||
		code == "incompletesignatureexception" || code == "missingauthenticationtokenexception" ||
		code == "invalidclienttokenid" || code == "signaturedoesnotmatch" ||
		code == "unauthorizedexception" || strings.Contains(msg, "signature expired") ||
		code == "" && (status == 401 || status == 403):
		// "Signature expired": a request signed more than 5 minutes before it was sent
		// (BEDROCK.md, SDK 7).
		e.Category = llm.ErrAuth
	case code == "validationexception" && strings.Contains(msg, "model identifier is invalid"):
		// Bedrock answers an unknown model id with a ValidationException, not a 404.
		e.Category = llm.ErrNotFound
	case (code == "validationexception" || code == "modelerrorexception" || code == "" && (status == 400 || status == 413)) && isContextOverflow(msg):
		e.Category = llm.ErrContextTooLong
	case code == "validationexception" || code == "conflictexception" || code == "" && status >= 400 && status < 500 && status != 404 && status != 408 && status != 424:
		e.Category = llm.ErrInvalidRequest
	case code == "resourcenotfoundexception" || code == "" && status == 404:
		e.Category = llm.ErrNotFound
	case code == "modeltimeoutexception" || code == "" && status == 408:
		e.Category = llm.ErrTimeout
	case code == "internalserverexception" || code == "internalfailure" ||
		code == "serviceunavailableexception" || code == "serviceunavailable" ||
		code == "" && status >= 500:
		e.Category, e.Retryable = llm.ErrServer, true
	case code == "modelerrorexception" || code == "modelstreamerrorexception" || code == "" && status == 424:
		e.Category = llm.ErrServer
	case code != "":
		// A code this switch does not know: judge by its status and fault.
		e.Category = llm.ErrServer
		e.Retryable = status >= 500 || status == 429
		if status >= 400 && status < 500 && status != 429 {
			e.Category = llm.ErrInvalidRequest
			if isContextOverflow(msg) {
				e.Category = llm.ErrContextTooLong
			}
		}
	case retry.RetryableConnectionError{}.IsErrorRetryable(err).Bool():
		// Connection refused, reset, or closed under the stream.
		e.Category, e.Retryable = llm.ErrServer, true
		if midStream {
			e.Category = llm.ErrStream
		}
	case midStream:
		// A broken or truncated event stream.
		e.Category = llm.ErrStream
	default:
		e.Category = llm.ErrServer
	}
	return e
}

// normalizeCode lowercases an error code and strips a shape-id namespace
// ("com.amazonaws.bedrock#ThrottlingException") and a suffix after ':', so that the
// HTTP spelling (ThrottlingException) and the event-stream spelling
// (throttlingException) are one code.
func normalizeCode(code string) string {
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	return strings.ToLower(strings.TrimSpace(code))
}

func isContextOverflow(lowerMsg string) bool {
	for _, s := range contextOverflow {
		if strings.Contains(lowerMsg, s) {
			return true
		}
	}
	return false
}

// retryAfter reads an HTTP Retry-After header: delay-seconds or an HTTP date (RFC 9110,
// section 10.2.3). It returns 0 for an absent, malformed or past value.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
