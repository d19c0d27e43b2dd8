package bedrocktest_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestHTTPErrors checks every error code through the real client: typed exception,
// HTTP status, message and request id, before a Converse answer and before a stream.
func TestHTTPErrors(t *testing.T) {
	tests := []struct {
		code     bedrocktest.ErrorCode
		message  string
		status   int
		wantType string
	}{
		{bedrocktest.ThrottlingException, "Too many requests, please wait before trying again.", 429, "*types.ThrottlingException"},
		{bedrocktest.ValidationException, "Input is too long for requested model.", 400, "*types.ValidationException"},
		{bedrocktest.AccessDeniedException, "You don't have access to the model with the specified model ID.", 403, "*types.AccessDeniedException"},
		{bedrocktest.ResourceNotFoundException, "Model not found.", 404, "*types.ResourceNotFoundException"},
		{bedrocktest.ModelTimeoutException, "Model has timed out in processing the request.", 408, "*types.ModelTimeoutException"},
		{bedrocktest.ModelErrorException, "The model returned an error.", 424, "*types.ModelErrorException"},
		{bedrocktest.ModelNotReadyException, "Model is not ready to serve inference requests.", 429, "*types.ModelNotReadyException"},
		{bedrocktest.ServiceQuotaExceededException, "Your request exceeds the service quota.", 400, "*types.ServiceQuotaExceededException"},
		{bedrocktest.ServiceUnavailableException, "Bedrock is unable to process your request.", 503, "*types.ServiceUnavailableException"},
		{bedrocktest.InternalServerException, "The server encountered an internal error.", 500, "*types.InternalServerException"},
		{bedrocktest.ConflictException, "Conflict.", 400, "*types.ConflictException"},
		{"SomethingNewException", "A code the SDK does not know.", 400, "*smithy.GenericAPIError"},
	}
	s := newServer(t, nil)
	c := s.Client(nil)
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			name := fmt.Sprintf("%s/stream=%v", tt.code, stream)
			s.Enqueue(bedrocktest.Error(tt.code, tt.message).WithRequestID("req-" + string(tt.code)))
			var err error
			if stream {
				err = converseStream(t.Context(), c, "m").err
			} else {
				_, err = converse(t.Context(), c, "m")
			}
			var api smithy.APIError
			if !errors.As(err, &api) {
				t.Errorf("%s: error %v, want a smithy.APIError", name, err)
				continue
			}
			if got := fmt.Sprintf("%T", api); got != tt.wantType {
				t.Errorf("%s: error type %s, want %s", name, got, tt.wantType)
			}
			if api.ErrorCode() != string(tt.code) || api.ErrorMessage() != tt.message {
				t.Errorf("%s: code %q message %q, want %q %q", name, api.ErrorCode(), api.ErrorMessage(), tt.code, tt.message)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) {
				t.Errorf("%s: error %v, want an *awshttp.ResponseError", name, err)
				continue
			}
			if re.HTTPStatusCode() != tt.status || re.ServiceRequestID() != "req-"+string(tt.code) {
				t.Errorf("%s: status %d request id %q, want %d %q", name, re.HTTPStatusCode(), re.ServiceRequestID(), tt.status, "req-"+string(tt.code))
			}
		}
	}
}

// bodyFixOnly buffers the request body like bedrock.HTTPClient but does not watch
// frames: a client that shows what the SDK alone makes of a broken stream, free of the
// request-body race (SDK-BODY-CLOSE).
type bodyFixOnly struct{ c *http.Client }

func (b bodyFixOnly) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.ContentLength > 0 {
		buf, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(buf))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
	}
	return b.c.Do(req)
}

// fiveFrames is a response streamed as 5 frames: message start, text delta, block stop,
// message stop, metadata.
var fiveFrames = &llm.Response{Message: llm.AssistantText("hello"), StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 1, OutputTokens: 1, TotalTokens: 2}}

// TestStreamFaults checks each stream fault through the real client, with the SDK
// alone and with the HTTP fixes (providers/bedrock/RULES.md SDK-TRUNCATION, STREAM-ERRORS).
func TestStreamFaults(t *testing.T) {
	tests := []struct {
		name       string
		reply      bedrocktest.ServerReply
		reason     string
		events     int    // events delivered before the end
		sdkHides   bool   // the SDK alone ends the stream with no error
		wantErr    string // in the error with the fixes
		wantType   string // the error's API type, if any
		unexpected bool   // errors.Is(err, io.ErrUnexpectedEOF)
	}{
		{"exception-throttling", bedrocktest.Respond(fiveFrames).ExceptionAfter(2, bedrocktest.ThrottlingException, "slow down"), "an exception frame after 2 events", 2, false, "slow down", "*types.ThrottlingException", false},
		{"exception-model-stream", bedrocktest.Respond(fiveFrames).ExceptionAfter(3, bedrocktest.ModelStreamErrorException, "model failed"), "modelStreamErrorException", 3, false, "model failed", "*types.ModelStreamErrorException", false},
		{"exception-validation", bedrocktest.Respond(fiveFrames).ExceptionAfter(1, bedrocktest.ValidationException, "bad input"), "validationException", 1, false, "bad input", "*types.ValidationException", false},
		{"exception-internal", bedrocktest.Respond(fiveFrames).ExceptionAfter(4, bedrocktest.InternalServerException, "oops"), "internalServerException after message stop", 4, false, "oops", "*types.InternalServerException", false},
		{"exception-unavailable", bedrocktest.Respond(fiveFrames).ExceptionAfter(0, bedrocktest.ServiceUnavailableException, "down"), "serviceUnavailableException as the first frame", 0, false, "down", "*types.ServiceUnavailableException", false},
		{"drop", bedrocktest.Respond(fiveFrames).DropAfter(2), "connection closed between frames", 2, true, "body cut after 2 frames", "", true},
		{"drop-after-stop", bedrocktest.Respond(fiveFrames).DropAfter(4), "connection closed after message stop: the usage is lost", 4, true, "body cut after 4 frames", "", true},
		{"truncate", bedrocktest.Respond(fiveFrames).TruncateAfter(2), "half a frame then a clean end", 2, true, "body ended inside frame 3", "", true},
		{"truncate-chunked", bedrocktest.Respond(fiveFrames).TruncateAfter(3).Chunked(5), "half a frame in 5-byte writes then a clean end", 3, true, "body ended inside frame 4", "", true},
		{"cut", bedrocktest.Respond(fiveFrames).CutAfter(1), "half a frame then the connection is closed", 1, true, "body cut inside frame 2", "", true},
		{"corrupt-crc", bedrocktest.Respond(fiveFrames).CorruptAfter(2), "frame 2 with a wrong message CRC", 2, false, "checksum", "", false},
	}
	s := newServer(t, nil)
	plain := s.Client(&bedrocktest.ClientOptions{HTTPClient: bodyFixOnly{c: &http.Client{}}})
	fixed := s.Client(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Enqueue(tt.reply)
			r := converseStream(t.Context(), plain, "m")
			if len(r.events) != tt.events {
				t.Errorf("%s: SDK alone got %d events, want %d: %v", tt.reason, len(r.events), tt.events, eventTypes(r.events))
			}
			if hidden := r.err == nil; hidden != tt.sdkHides {
				t.Errorf("%s: SDK alone: Err() = %v; want it hidden (nil) = %v", tt.reason, r.err, tt.sdkHides)
			}

			s.Enqueue(tt.reply)
			r = converseStream(t.Context(), fixed, "m")
			if len(r.events) != tt.events {
				t.Errorf("%s: with the fixes got %d events, want %d: %v", tt.reason, len(r.events), tt.events, eventTypes(r.events))
			}
			if r.err == nil || !strings.Contains(r.err.Error(), tt.wantErr) {
				t.Fatalf("%s: with the fixes Err() = %v, want an error containing %q", tt.reason, r.err, tt.wantErr)
			}
			if got := errors.Is(r.err, io.ErrUnexpectedEOF); got != tt.unexpected {
				t.Errorf("%s: errors.Is(%v, io.ErrUnexpectedEOF) = %v, want %v", tt.reason, r.err, got, tt.unexpected)
			}
			var api smithy.APIError
			gotType := ""
			if errors.As(r.err, &api) {
				gotType = fmt.Sprintf("%T", api)
			}
			if gotType != tt.wantType {
				t.Errorf("%s: API error type %q, want %q (err %v)", tt.reason, gotType, tt.wantType, r.err)
			}
		})
	}
}

// TestConverseFaults checks the stream faults applied to a non-streaming call.
func TestConverseFaults(t *testing.T) {
	tests := []struct {
		name    string
		reply   bedrocktest.ServerReply
		reason  string
		wantErr string
	}{
		{"exception", bedrocktest.Text("x").ExceptionAfter(1, bedrocktest.ThrottlingException, "slow"), "becomes the HTTP error", "ThrottlingException"},
		{"drop", bedrocktest.Text("x").DropAfter(0), "connection closed before any response", "request send failed"},
		{"truncate", bedrocktest.Text("x").TruncateAfter(0), "half the JSON body, clean end", "deserialization failed"},
		{"cut", bedrocktest.Text("x").CutAfter(0), "half the announced body, then the connection is closed", "unexpected EOF"},
		{"corrupt", bedrocktest.Text("x").CorruptAfter(0), "last byte of the body corrupted", "deserialization failed"},
	}
	s := newServer(t, nil)
	c := s.Client(nil)
	for _, tt := range tests {
		s.Enqueue(tt.reply)
		_, err := converse(t.Context(), c, "m")
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: %s: Converse error = %v, want one containing %q", tt.name, tt.reason, err, tt.wantErr)
		}
	}
}

// TestRetries checks the retry settings of the client against the faults
// (providers/bedrock/RULES.md SDK-RETRIES).
func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		attempts int
		replies  []bedrocktest.ServerReply
		stream   bool
		reason   string
		wantReqs int
		wantOK   bool
	}{
		{"throttling-retried", 3, []bedrocktest.ServerReply{bedrocktest.Error(bedrocktest.ThrottlingException, "a"), bedrocktest.Error(bedrocktest.ThrottlingException, "b"), bedrocktest.Text("ok")}, false, "throttling is retried with no backoff", 3, true},
		{"unavailable-retried", 2, []bedrocktest.ServerReply{bedrocktest.Error(bedrocktest.ServiceUnavailableException, "a"), bedrocktest.Text("ok")}, true, "503 before a stream is retried", 2, true},
		{"drop-retried", 2, []bedrocktest.ServerReply{bedrocktest.Text("x").DropAfter(0), bedrocktest.Text("ok")}, false, "a dropped connection is retried", 2, true},
		{"throttling-exhausted", 2, []bedrocktest.ServerReply{bedrocktest.Error(bedrocktest.ThrottlingException, "a"), bedrocktest.Error(bedrocktest.ThrottlingException, "b")}, false, "attempts run out", 2, false},
		{"validation-not-retried", 3, []bedrocktest.ServerReply{bedrocktest.Error(bedrocktest.ValidationException, "bad")}, false, "a 400 is not retried", 1, false},
		{"timeout-not-retried", 3, []bedrocktest.ServerReply{bedrocktest.Error(bedrocktest.ModelTimeoutException, "slow")}, false, "a 408 is not retried", 1, false},
		{"mid-stream-not-retried", 3, []bedrocktest.ServerReply{bedrocktest.Respond(fiveFrames).ExceptionAfter(2, bedrocktest.ThrottlingException, "slow down")}, true, "a mid-stream exception is never retried", 1, false},
		{"off-by-default", 0, []bedrocktest.ServerReply{bedrocktest.Error(bedrocktest.ThrottlingException, "a")}, false, "retries are off by default", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil)
			s.Enqueue(tt.replies...)
			c := s.Client(&bedrocktest.ClientOptions{MaxAttempts: tt.attempts})
			var err error
			if tt.stream {
				err = converseStream(t.Context(), c, "m").err
			} else {
				_, err = converse(t.Context(), c, "m")
			}
			if (err == nil) != tt.wantOK {
				t.Errorf("%s: error %v, want success %v", tt.reason, err, tt.wantOK)
			}
			reqs := s.Requests()
			if len(reqs) != tt.wantReqs {
				t.Fatalf("%s: %d requests, want %d", tt.reason, len(reqs), tt.wantReqs)
			}
			if tt.attempts > 1 {
				for i, r := range reqs {
					want := fmt.Sprintf("attempt=%d; max=%d", i+1, tt.attempts)
					if got := r.Header.Get("Amz-Sdk-Request"); got != want {
						t.Errorf("%s: request %d Amz-Sdk-Request = %q, want %q", tt.reason, i, got, want)
					}
				}
			}
		})
	}
}
