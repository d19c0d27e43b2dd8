package bedrock

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/llmkit/llmkit/internal/providererr"
	"github.com/llmkit/llmkit/internal/retryafter"
	"github.com/llmkit/llmkit/llm"
)

// Operations named in errors.
const (
	opConverse       = "converse"
	opConverseStream = "converse-stream"
)

// contextOverflow lists the messages, lowercased, with which Bedrock and its models say
// the input does not fit the context window (RULES.md ERR-CONTEXT-OVERFLOW).
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

// errorClass is how llmkit classes a Bedrock error: its category, whether a later
// attempt may succeed, and whether a message saying the input does not fit the context
// window makes it [llm.ErrContextTooLong].
type errorClass struct {
	category  error
	retryable bool
	overflow  bool
}

// errorCodes classes the error codes Bedrock sends (RULES.md ERR-CODES, ERR-THROTTLING),
// as normalizeCode spells them: the
// typed exceptions of bedrockruntime, the generic codes of the AWS front end, and the
// lowerCamel spellings of exception frames inside a stream, which normalise to the same.
var errorCodes = map[string]errorClass{
	"throttlingexception":      {category: llm.ErrRateLimited, retryable: true},
	"toomanyrequestsexception": {category: llm.ErrRateLimited, retryable: true},
	// An account quota: waiting a little does not lift it.
	"servicequotaexceededexception": {category: llm.ErrRateLimited},
	// The SDK does not retry it (RULES.md SDK-RETRIES); the model is loading and a later
	// call succeeds.
	"modelnotreadyexception": {category: llm.ErrModelNotReady, retryable: true},

	"accessdeniedexception":               {category: llm.ErrAuth},
	"unrecognizedclientexception":         {category: llm.ErrAuth},
	"expiredtokenexception":               {category: llm.ErrAuth},
	"invalidsignatureexception":           {category: llm.ErrAuth},
	"incompletesignatureexception":        {category: llm.ErrAuth},
	"missingauthenticationtokenexception": {category: llm.ErrAuth},
	"invalidclienttokenid":                {category: llm.ErrAuth},
	"signaturedoesnotmatch":               {category: llm.ErrAuth},
	"unauthorizedexception":               {category: llm.ErrAuth},

	"validationexception": {category: llm.ErrInvalidRequest, overflow: true},
	"conflictexception":   {category: llm.ErrInvalidRequest},

	"resourcenotfoundexception": {category: llm.ErrNotFound},
	"modeltimeoutexception":     {category: llm.ErrTimeout},

	"internalserverexception":     {category: llm.ErrServer, retryable: true},
	"internalfailure":             {category: llm.ErrServer, retryable: true},
	"serviceunavailableexception": {category: llm.ErrServer, retryable: true},
	"serviceunavailable":          {category: llm.ErrServer, retryable: true},
	"modelerrorexception":         {category: llm.ErrServer, overflow: true},
	"modelstreamerrorexception":   {category: llm.ErrServer},
}

// errorStatuses classes an HTTP error answer that carries no error code. Other statuses
// from 400 to 499 are invalid requests; 500 and above are retryable server failures.
var errorStatuses = map[int]errorClass{
	400: {category: llm.ErrInvalidRequest, overflow: true},
	401: {category: llm.ErrAuth},
	403: {category: llm.ErrAuth},
	404: {category: llm.ErrNotFound},
	408: {category: llm.ErrTimeout},
	413: {category: llm.ErrInvalidRequest, overflow: true},
	424: {category: llm.ErrServer},
	429: {category: llm.ErrRateLimited, retryable: true},
}

// MapError returns err, the error of a Bedrock Runtime call made with the SDK (op names
// the operation, e.g. "converse"), as a [Model] returns it: an [*llm.ProviderError] with
// llmkit's category, status, request id and Retry-After. It is for code that calls the
// SDK itself, as package bedrockbatch does.
func MapError(op string, err error) error { return mapError(op, err, false) }

// mapError turns an error from the SDK into the error llmkit returns. Every Bedrock
// error becomes an [*llm.ProviderError] whose Category is an llm sentinel: StatusCode and
// RequestID come from the SDK's HTTP response error (a mid-stream exception has neither:
// StatusCode 0); a retry.MaxAttemptsError or an operation error around it is seen
// through. The class comes from classify. midStream says the error ended a stream after
// its 200 response: a failure that is not a Bedrock exception then belongs to
// [llm.ErrStream].
//
// Cancellation has a category too: an error caused by a cancelled context is an
// [llm.ErrCanceled] ProviderError, a passed deadline an [llm.ErrTimeout] one; both keep
// the context's error, so errors.Is(err, context.Canceled) (or DeadlineExceeded) holds,
// and neither is retryable. A Retry-After header of the HTTP answer (seconds or an HTTP
// date) becomes RetryAfter.
func mapError(op string, err error, midStream bool) error {
	e, done := providererr.Start("bedrock", op, err)
	if e == nil {
		return done
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.RequestID = re.ServiceRequestID()
		if re.Response != nil {
			e.StatusCode = re.HTTPStatusCode()
			e.RetryAfter = retryafter.FromHeader(re.Response.Header, time.Now())
		}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
		e.Message = ae.ErrorMessage()
	}
	c := classify(err, normalizeCode(e.Code), e.StatusCode, strings.ToLower(e.Message), midStream)
	e.Category, e.Retryable = c.category, c.retryable
	return e
}

// classify classes an error by its normalised code, its HTTP status and its lowercased
// message: the failures before sending first, then the code (errorCodes), or, with no
// code, the status (errorStatuses), or the kind of transport failure; last, the few
// messages that say more than the code.
func classify(err error, code string, status int, msg string, midStream bool) errorClass {
	var signErr *v4.SigningError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errorClass{category: llm.ErrTimeout}
	case errors.As(err, &signErr) || isCredentialsFailure(err.Error()):
		// The request was never sent: no credentials could be found or refreshed
		// (RULES.md SDK-CREDENTIALS).
		return errorClass{category: llm.ErrAuth}
	}
	c := classifyCode(err, code, status, midStream)
	if c.overflow && isContextOverflow(msg) { // RULES.md ERR-CONTEXT-OVERFLOW
		c.category = llm.ErrContextTooLong
	}
	if code == "validationexception" && strings.Contains(msg, "model identifier is invalid") {
		// Bedrock answers an unknown model id with a ValidationException, not a 404
		// (RULES.md ERR-UNKNOWN-MODEL).
		c.category = llm.ErrNotFound
	}
	if strings.Contains(msg, "signature expired") && c.category != llm.ErrRateLimited && c.category != llm.ErrModelNotReady {
		// A request signed more than 5 minutes before it was sent (RULES.md
		// SDK-SIGNATURE-EXPIRY), whatever code carries it.
		c = errorClass{category: llm.ErrAuth}
	}
	return c
}

// classifyCode classes an error by its code, else its status, else its transport failure.
func classifyCode(err error, code string, status int, midStream bool) errorClass {
	if c, ok := errorCodes[code]; ok {
		return c
	}
	if code != "" {
		// A code the table does not know: judge by its status.
		switch {
		case status == 429 || status >= 500:
			return errorClass{category: llm.ErrServer, retryable: true}
		case status >= 400:
			return errorClass{category: llm.ErrInvalidRequest, overflow: true}
		}
		return errorClass{category: llm.ErrServer}
	}
	if c, ok := errorStatuses[status]; ok {
		return c
	}
	switch {
	case status >= 500:
		return errorClass{category: llm.ErrServer, retryable: true}
	case status >= 400:
		return errorClass{category: llm.ErrInvalidRequest}
	case retry.RetryableConnectionError{}.IsErrorRetryable(err).Bool():
		// Connection refused, reset, or closed under the stream.
		if midStream {
			return errorClass{category: llm.ErrStream, retryable: true}
		}
		return errorClass{category: llm.ErrServer, retryable: true}
	case midStream:
		// A broken or truncated event stream.
		return errorClass{category: llm.ErrStream}
	case isCutBody(err):
		// A Converse answer cut after its 200: the same failure as a connection dropped
		// before it, and as retryable.
		return errorClass{category: llm.ErrServer, retryable: true}
	}
	return errorClass{category: llm.ErrServer}
}

// isCutBody reports whether err says the body of a 200 answer ended early or could not
// be read: a deserialization failure caused by an unexpected EOF, JSON that ends early,
// or a broken connection.
func isCutBody(err error) bool {
	var de *smithy.DeserializationError
	if !errors.As(err, &de) {
		return false
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		retry.RetryableConnectionError{}.IsErrorRetryable(err).Bool() ||
		strings.Contains(err.Error(), "unexpected EOF") || strings.Contains(err.Error(), "unexpected end of JSON input")
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

// credentialsFailures are the SDK's words for a failure to obtain credentials or a
// token before sending (RULES.md SDK-CREDENTIALS): "get identity" wraps every error of
// the client's identity resolver (the default chain with nothing found, instance
// metadata unreachable, an expired SSO session, a bearer token that cannot be read);
// the others are the credential cache's and the signer's. The SDK has no typed error for
// them.
var credentialsFailures = []string{
	"get identity: ",
	"failed to refresh cached credentials",
	"failed to retrieve credentials",
}

func isCredentialsFailure(msg string) bool {
	for _, s := range credentialsFailures {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func isContextOverflow(lowerMsg string) bool {
	for _, s := range contextOverflow {
		if strings.Contains(lowerMsg, s) {
			return true
		}
	}
	return false
}
