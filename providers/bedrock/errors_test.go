package bedrock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/llmkit/llmkit/internal/retryafter"
	"github.com/llmkit/llmkit/llm"
)

// httpErr wraps an API error as the SDK does for an HTTP error answer:
// OperationError → ResponseError (status, request id) → the API error.
func httpErr(status int, requestID string, apiErr error) error {
	return &smithy.OperationError{ServiceID: "Bedrock Runtime", OperationName: "Converse", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: apiErr},
		RequestID:     requestID,
	}}
}

func generic(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

// TestMapError maps constructed SDK errors, each case naming its reason.
func TestMapError(t *testing.T) {
	msg := aws.String
	tests := []struct {
		name      string
		reason    string
		err       error
		midStream bool
		category  error
		retryable bool
		code      string
		status    int
		requestID string
	}{
		{"access_denied", "403 AccessDenied is an auth failure", httpErr(403, "r1", &types.AccessDeniedException{Message: msg("no access")}), false, llm.ErrAuth, false, "AccessDeniedException", 403, "r1"},
		{"validation", "400 Validation is the caller's fault", httpErr(400, "r2", &types.ValidationException{Message: msg("The text field in the ContentBlock object at messages.0.content.0 is blank")}), false, llm.ErrInvalidRequest, false, "ValidationException", 400, "r2"},
		{"context_input_too_long", "ERR-CONTEXT-OVERFLOW: 'Input is too long for requested model' is a context overflow", httpErr(400, "r", &types.ValidationException{Message: msg("Input is too long for requested model.")}), false, llm.ErrContextTooLong, false, "ValidationException", 400, "r"},
		{"context_prompt_too_long", "ERR-CONTEXT-OVERFLOW: 'prompt is too long' is a context overflow", httpErr(400, "r", &types.ValidationException{Message: msg("prompt is too long: 250000 tokens > 200000 maximum")}), false, llm.ErrContextTooLong, false, "ValidationException", 400, "r"},
		{"context_max_tokens", "ERR-CONTEXT-OVERFLOW: 'input length and max_tokens exceed context limit' is a context overflow", httpErr(400, "r", &types.ValidationException{Message: msg("input length and `max_tokens` exceed context limit: 199000 + 8192 > 200000")}), false, llm.ErrContextTooLong, false, "ValidationException", 400, "r"},
		{"context_too_many_input_tokens", "ERR-CONTEXT-OVERFLOW: 'too many input tokens' is a context overflow", httpErr(400, "r", &types.ValidationException{Message: msg("Too many input tokens. Max input tokens: 8192")}), false, llm.ErrContextTooLong, false, "ValidationException", 400, "r"},
		{"context_model_error", "a model error that says the prompt is too long is a context overflow", httpErr(424, "r", &types.ModelErrorException{Message: msg("This model's maximum context length is 8192 tokens")}), false, llm.ErrContextTooLong, false, "ModelErrorException", 424, "r"},
		{"quota", "ServiceQuotaExceeded is a rate limit that waiting does not lift", httpErr(400, "r", &types.ServiceQuotaExceededException{Message: msg("quota")}), false, llm.ErrRateLimited, false, "ServiceQuotaExceededException", 400, "r"},
		{"not_found", "404 ResourceNotFound: unknown model", httpErr(404, "r", &types.ResourceNotFoundException{Message: msg("model not found")}), false, llm.ErrNotFound, false, "ResourceNotFoundException", 404, "r"},
		{"model_timeout", "408 ModelTimeout", httpErr(408, "r", &types.ModelTimeoutException{Message: msg("slow")}), false, llm.ErrTimeout, false, "ModelTimeoutException", 408, "r"},
		{"throttling", "429 Throttling is retryable", httpErr(429, "r", &types.ThrottlingException{Message: msg("Too many requests")}), false, llm.ErrRateLimited, true, "ThrottlingException", 429, "r"},
		{"model_not_ready", "429 ModelNotReady is retryable (the SDK does not retry it)", httpErr(429, "r", &types.ModelNotReadyException{Message: msg("loading")}), false, llm.ErrModelNotReady, true, "ModelNotReadyException", 429, "r"},
		{"model_error", "424 ModelError is a model failure", httpErr(424, "r", &types.ModelErrorException{Message: msg("bad output")}), false, llm.ErrServer, false, "ModelErrorException", 424, "r"},
		{"internal_server", "500 InternalServer is retryable", httpErr(500, "r", &types.InternalServerException{Message: msg("oops")}), false, llm.ErrServer, true, "InternalServerException", 500, "r"},
		{"service_unavailable", "503 ServiceUnavailable is retryable", httpErr(503, "r", &types.ServiceUnavailableException{Message: msg("down")}), false, llm.ErrServer, true, "ServiceUnavailableException", 503, "r"},
		{"signature_expired", "SDK-SIGNATURE-EXPIRY: a request signed too long ago fails with 'Signature expired'", httpErr(403, "r", generic("InvalidSignatureException", "Signature expired: 20250101T000000Z is now earlier than 20250101T000500Z")), false, llm.ErrAuth, false, "InvalidSignatureException", 403, "r"},
		{"invalid_model_id", "Bedrock answers an unknown model id with 400 Validation 'The provided model identifier is invalid.'", httpErr(400, "r", &types.ValidationException{Message: msg("The provided model identifier is invalid.")}), false, llm.ErrNotFound, false, "ValidationException", 400, "r"},
		{"no_credentials", "the SDK's signer found no credentials: the request was never sent", &smithy.OperationError{Err: &v4.SigningError{Err: errors.New("failed to retrieve credentials: no EC2 IMDS role found")}}, false, llm.ErrAuth, false, "", 0, ""},
		{"unrecognized_client", "a bad access key", httpErr(403, "r", generic("UnrecognizedClientException", "The security token included in the request is invalid.")), false, llm.ErrAuth, false, "UnrecognizedClientException", 403, "r"},
		{"expired_token", "expired session credentials", httpErr(403, "r", generic("ExpiredTokenException", "The security token included in the request is expired")), false, llm.ErrAuth, false, "ExpiredTokenException", 403, "r"},
		{"max_attempts", "the retryer's MaxAttemptsError is seen through", &smithy.OperationError{Err: &retry.MaxAttemptsError{Attempt: 3, Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 429}}, Err: &types.ThrottlingException{Message: msg("slow down")}}, RequestID: "r9"}}},
			false, llm.ErrRateLimited, true, "ThrottlingException", 429, "r9"},
		{"retry_quota", "the retryer's own token bucket running dry keeps the API error", &smithy.OperationError{Err: errors.Join(httpErr(503, "r", &types.ServiceUnavailableException{}), fmt.Errorf("failed to get rate limit token, %w", ratelimit.QuotaExceededError{}))},
			false, llm.ErrServer, true, "ServiceUnavailableException", 503, "r"},
		{"unknown_code_4xx", "an unknown code with a 4xx status is the caller's fault", httpErr(400, "r", generic("NewFancyException", "nope")), false, llm.ErrInvalidRequest, false, "NewFancyException", 400, "r"},
		{"unknown_code_5xx", "an unknown code with a 5xx status is a retryable server failure", httpErr(502, "r", generic("BadGatewayException", "")), false, llm.ErrServer, true, "BadGatewayException", 502, "r"},
		{"no_code_429", "a bare 429 is a rate limit", httpErr(429, "r", errors.New("no body")), false, llm.ErrRateLimited, true, "", 429, "r"},
		{"no_code_403", "a bare 403 is an auth failure", httpErr(403, "r", errors.New("forbidden")), false, llm.ErrAuth, false, "", 403, "r"},
		{"no_code_413", "a bare 413 is an invalid request", httpErr(413, "r", errors.New("too large")), false, llm.ErrInvalidRequest, false, "", 413, "r"},
		{"connection_refused", "a connection error before any answer is retryable", &smithy.OperationError{Err: &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}}, false, llm.ErrServer, true, "", 0, ""},
		{"deserialization", "an unreadable 200 answer is a server failure", &smithy.OperationError{Err: &smithy.DeserializationError{Err: errors.New("invalid character 'x' looking for beginning of value")}}, false, llm.ErrServer, false, "", 0, ""},
		{"deserialization_cut", "a 200 answer whose body ends early is retryable, as a connection dropped before it (issue 13.8)", &smithy.OperationError{Err: &smithy.DeserializationError{Err: errors.New("unexpected end of JSON input")}}, false, llm.ErrServer, true, "", 0, ""},
		{"deadline", "a passed deadline is a timeout and stays errors.Is-able", &smithy.OperationError{Err: &smithy.CanceledError{Err: context.DeadlineExceeded}}, false, llm.ErrTimeout, false, "", 0, ""},

		{"stream_throttling_typed", "ERR-THROTTLING: a throttlingException frame decodes as the typed exception", &types.ThrottlingException{Message: msg("slow")}, true, llm.ErrRateLimited, true, "ThrottlingException", 0, ""},
		{"stream_throttling_override", "ERR-THROTTLING: the lowerCamel spelling as a code override", &types.ThrottlingException{Message: msg("slow"), ErrorCodeOverride: aws.String("throttlingException")}, true, llm.ErrRateLimited, true, "throttlingException", 0, ""},
		{"stream_throttling_generic", "ERR-THROTTLING: the spelling the SDK does not know arrives as a generic error", generic("ThrottlingException", "slow"), true, llm.ErrRateLimited, true, "ThrottlingException", 0, ""},
		{"stream_throttling_lower_generic", "ERR-THROTTLING: both spellings are the same category", generic("throttlingException", "slow"), true, llm.ErrRateLimited, true, "throttlingException", 0, ""},
		{"stream_model_stream_error", "STREAM-ERRORS: modelStreamErrorException mid-stream", &types.ModelStreamErrorException{Message: msg("broke")}, true, llm.ErrServer, false, "ModelStreamErrorException", 0, ""},
		{"stream_validation", "a validationException frame", generic("validationException", "bad"), true, llm.ErrInvalidRequest, false, "validationException", 0, ""},
		{"stream_internal", "an internalServerException frame is retryable", generic("internalServerException", "x"), true, llm.ErrServer, true, "internalServerException", 0, ""},
		{"stream_unavailable", "a serviceUnavailableException frame is retryable", &types.ServiceUnavailableException{}, true, llm.ErrServer, true, "ServiceUnavailableException", 0, ""},
		{"stream_truncated", "SDK-TRUNCATION: a body that ends inside a frame is a stream error", fmt.Errorf("decode event: %w", fmt.Errorf("event stream ended inside a frame: %w", io.ErrUnexpectedEOF)), true, llm.ErrStream, false, "", 0, ""},
		{"stream_conn_closed", "a connection closed under the stream (SDK-BODY-CLOSE) is a retryable stream error", fmt.Errorf("decode event: read tcp: use of closed network connection"), true, llm.ErrStream, true, "", 0, ""},
		{"stream_bad_crc", "a corrupt frame is a stream error", fmt.Errorf("decode event: message checksum mismatch"), true, llm.ErrStream, false, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := opConverse
			if tt.midStream {
				op = opConverseStream
			}
			got := mapError(op, tt.err, tt.midStream)
			var pe *llm.ProviderError
			if !errors.As(got, &pe) {
				t.Fatalf("mapError(%s) = %T %v, want a *llm.ProviderError (%s)", tt.name, got, got, tt.reason)
			}
			if !errors.Is(got, tt.category) {
				t.Errorf("mapError(%s) category = %v, want %v (%s)", tt.name, pe.Category, tt.category, tt.reason)
			}
			if pe.Retryable != tt.retryable || pe.Code != tt.code || pe.StatusCode != tt.status || pe.RequestID != tt.requestID || pe.Provider != "bedrock" || pe.Op != op {
				t.Errorf("mapError(%s) = {Op %q Code %q Status %d RequestID %q Retryable %v}, want {Op %q Code %q Status %d RequestID %q Retryable %v} (%s)",
					tt.name, pe.Op, pe.Code, pe.StatusCode, pe.RequestID, pe.Retryable, op, tt.code, tt.status, tt.requestID, tt.retryable, tt.reason)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("mapError(%s) does not unwrap to the SDK error", tt.name)
			}
			var api smithy.APIError
			if tt.code != "" && (!errors.As(got, &api) || api.ErrorMessage() != pe.Message) {
				t.Errorf("mapError(%s).Message = %q, want the API error's message", tt.name, pe.Message)
			}
		})
	}
}

// TestMapErrorTable sends every code of errorCodes and every status of errorStatuses
// through mapError, with a plain message and with one that says the context overflowed,
// before a response (with a status) and mid-stream (without).
func TestMapErrorTable(t *testing.T) {
	check := func(t *testing.T, what string, err error, midStream bool, want errorClass) {
		t.Helper()
		got := mapError(opConverse, err, midStream)
		var pe *llm.ProviderError
		if !errors.As(got, &pe) || !errors.Is(got, want.category) || pe.Retryable != want.retryable {
			t.Errorf("mapError(%s) = %v, want category %v, retryable %v", what, got, want.category, want.retryable)
		}
	}
	overflowed := func(c errorClass) errorClass {
		if c.overflow {
			return errorClass{category: llm.ErrContextTooLong}
		}
		return c
	}
	for code, want := range errorCodes {
		t.Run(code, func(t *testing.T) {
			check(t, code+" with status 400", httpErr(400, "r", generic(code, "no")), false, want)
			check(t, code+" mid-stream", generic(code, "no"), true, want)
			check(t, code+" saying the input is too long", httpErr(400, "r", generic(code, "Input is too long for requested model.")), false, overflowed(want))
		})
	}
	for status, want := range errorStatuses {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			check(t, fmt.Sprintf("bare %d", status), httpErr(status, "r", errors.New("no body")), false, want)
			check(t, fmt.Sprintf("bare %d saying the input is too long", status), httpErr(status, "r", generic("", "prompt is too long")), false, overflowed(want))
		})
	}
}

func TestMapErrorContext(t *testing.T) {
	if got := mapError(opConverse, nil, false); got != nil {
		t.Errorf("mapError(nil) = %v, want nil", got)
	}
	canceled := &smithy.OperationError{Err: &smithy.CanceledError{Err: context.Canceled}}
	got := mapError(opConverse, canceled, false)
	if !errors.Is(got, context.Canceled) {
		t.Errorf("mapError(canceled) = %v, want errors.Is(err, context.Canceled)", got)
	}
	if !errors.Is(mapError(opConverse, context.DeadlineExceeded, false), context.DeadlineExceeded) {
		t.Error("mapError(deadline) lost context.DeadlineExceeded")
	}
	pe := &llm.ProviderError{Provider: "bedrock", Op: opConverse, Category: llm.ErrServer}
	if got := mapError(opConverseStream, pe, true); got != error(pe) {
		t.Errorf("mapError(ProviderError) = %v, want it unchanged", got)
	}
}

// TestMapErrorWire sends each HTTP error shape of RULES.md ERR-CODES through the real SDK
// client and maps what it returns.
func TestMapErrorWire(t *testing.T) {
	tests := []struct {
		name      string
		reason    string
		status    int
		header    string // X-Amzn-ErrorType
		body      string
		category  error
		retryable bool
		code      string
	}{
		{"throttling_header", "the code comes from X-Amzn-ErrorType, text before ':'", 429, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", `{"message":"Too many requests, please wait before trying again."}`, llm.ErrRateLimited, true, "ThrottlingException"},
		{"validation_body_type", "the code comes from the body's __type", 400, "", `{"__type":"com.amazon.coral.validate#ValidationException","message":"Input is too long for requested model."}`, llm.ErrContextTooLong, false, "ValidationException"},
		{"access_denied", "403", 403, "AccessDeniedException", `{"Message":"You don't have access to the model with the specified model ID."}`, llm.ErrAuth, false, "AccessDeniedException"},
		{"not_found", "404", 404, "ResourceNotFoundException", `{"message":"Model not found"}`, llm.ErrNotFound, false, "ResourceNotFoundException"},
		{"model_timeout", "408", 408, "ModelTimeoutException", `{"message":"timed out"}`, llm.ErrTimeout, false, "ModelTimeoutException"},
		{"model_not_ready", "429 with another code", 429, "ModelNotReadyException", `{"message":"loading"}`, llm.ErrModelNotReady, true, "ModelNotReadyException"},
		{"model_error", "424", 424, "ModelErrorException", `{"message":"The model returned an error","originalStatusCode":400}`, llm.ErrServer, false, "ModelErrorException"},
		{"internal", "500", 500, "InternalServerException", `{"message":"internal"}`, llm.ErrServer, true, "InternalServerException"},
		{"unavailable", "503", 503, "ServiceUnavailableException", `{"message":"unavailable"}`, llm.ErrServer, true, "ServiceUnavailableException"},
		{"quota", "400 quota", 400, "ServiceQuotaExceededException", `{"message":"quota"}`, llm.ErrRateLimited, false, "ServiceQuotaExceededException"},
		{"unknown_code", "a code the SDK does not know arrives as a generic error", 400, "BrandNewException", `{"message":"new"}`, llm.ErrInvalidRequest, false, "BrandNewException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-Requestid", "req-"+tt.name)
				if tt.header != "" {
					w.Header().Set("X-Amzn-Errortype", tt.header)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			_, err := testSDKClient(srv.URL).Converse(context.Background(), &bedrockruntime.ConverseInput{ModelId: aws.String("m")})
			got := mapError(opConverse, err, false)
			var pe *llm.ProviderError
			if !errors.As(got, &pe) {
				t.Fatalf("mapError(%v) = %T, want *llm.ProviderError", err, got)
			}
			if !errors.Is(got, tt.category) || pe.Retryable != tt.retryable || pe.Code != tt.code || pe.StatusCode != tt.status || pe.RequestID != "req-"+tt.name {
				t.Errorf("mapError(%s) = %+v, want category %v, retryable %v, code %q, status %d, request id %q (%s)",
					tt.name, pe, tt.category, tt.retryable, tt.code, tt.status, "req-"+tt.name, tt.reason)
			}
		})
	}
}

// TestMapErrorStreamFrames ends a 200 stream with an exception frame of each type, as
// Bedrock does, and maps what the SDK's stream reports.
func TestMapErrorStreamFrames(t *testing.T) {
	tests := []struct {
		exception string
		category  error
		retryable bool
	}{
		{"throttlingException", llm.ErrRateLimited, true},
		{"ThrottlingException", llm.ErrRateLimited, true},
		{"modelStreamErrorException", llm.ErrServer, false},
		{"validationException", llm.ErrInvalidRequest, false},
		{"internalServerException", llm.ErrServer, true},
		{"serviceUnavailableException", llm.ErrServer, true},
	}
	for _, tt := range tests {
		t.Run(tt.exception, func(t *testing.T) {
			var body bytes.Buffer
			enc := eventstream.NewEncoder()
			var h eventstream.Headers
			h.Set(":message-type", eventstream.StringValue("event"))
			h.Set(":event-type", eventstream.StringValue("messageStart"))
			h.Set(":content-type", eventstream.StringValue("application/json"))
			enc.Encode(&body, eventstream.Message{Headers: h, Payload: []byte(`{"role":"assistant"}`)})
			var x eventstream.Headers
			x.Set(":message-type", eventstream.StringValue("exception"))
			x.Set(":exception-type", eventstream.StringValue(tt.exception))
			x.Set(":content-type", eventstream.StringValue("application/json"))
			enc.Encode(&body, eventstream.Message{Headers: x, Payload: []byte(`{"message":"mid-stream failure"}`)})

			evs, err := decodeConverseStream(t, [][]byte{body.Bytes()})
			if len(evs) != 1 {
				t.Errorf("stream before the exception gave %d events, want 1", len(evs))
			}
			got := mapError(opConverseStream, err, true)
			var pe *llm.ProviderError
			if !errors.As(got, &pe) || !errors.Is(got, tt.category) || pe.Retryable != tt.retryable || pe.StatusCode != 0 || pe.Message != "mid-stream failure" {
				t.Errorf("mapError(%s frame: %v) = %#v, want category %v, retryable %v, status 0, the frame's message", tt.exception, err, got, tt.category, tt.retryable)
			}
		})
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 2 ", 2 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		if got := retryafter.Parse(tc.h, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tc.h, got, tc.want)
		}
	}
}
