package openai_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

func newModel(t *testing.T) (*openai.Model, *openaitest.Server) {
	t.Helper()
	srv := openaitest.NewServer()
	t.Cleanup(srv.Close)
	return openai.New(srv.Client(), nil), srv
}

func hello() *llm.Request {
	return &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("Hello")}}
}

// TestHTTPErrors checks that each HTTP error, before a stream or for a plain call, is a
// ProviderError of the right category with the status, code, request id and
// Retry-After.
func TestHTTPErrors(t *testing.T) {
	cases := []struct {
		name      string
		reply     openaitest.Reply
		want      error
		status    int
		code      string
		retryable bool
		after     time.Duration
	}{
		{"400", openaitest.Error(400, "invalid_request_error", "", "Invalid value for 'messages'"), llm.ErrInvalidRequest, 400, "invalid_request_error", false, 0},
		{"400 context", openaitest.Error(400, "invalid_request_error", "context_length_exceeded", "This model's maximum context length is 128000 tokens."), llm.ErrContextTooLong, 400, "context_length_exceeded", false, 0},
		{"401", openaitest.Error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided"), llm.ErrAuth, 401, "invalid_api_key", false, 0},
		{"403", openaitest.Error(403, "permission_error", "unsupported_country_region_territory", "Country not supported"), llm.ErrAuth, 403, "unsupported_country_region_territory", false, 0},
		{"404", openaitest.Error(404, "invalid_request_error", "model_not_found", "The model `gpt-9` does not exist"), llm.ErrNotFound, 404, "model_not_found", false, 0},
		{"408", openaitest.Error(408, "timeout", "", "Request timed out"), llm.ErrTimeout, 408, "timeout", true, 0},
		{"429", openaitest.Error(429, "requests", "rate_limit_exceeded", "Rate limit reached").WithHeader("Retry-After", "7"), llm.ErrRateLimited, 429, "rate_limit_exceeded", true, 7 * time.Second},
		{"429 ms", openaitest.Error(429, "tokens", "rate_limit_exceeded", "Rate limit reached").WithHeader("retry-after-ms", "1500"), llm.ErrRateLimited, 429, "rate_limit_exceeded", true, 1500 * time.Millisecond},
		{"429 quota", openaitest.Error(429, "insufficient_quota", "insufficient_quota", "You exceeded your current quota"), llm.ErrRateLimited, 429, "insufficient_quota", false, 0},
		{"500", openaitest.Error(500, "server_error", "", "The server had an error"), llm.ErrServer, 500, "server_error", true, 0},
		{"503", openaitest.Error(503, "server_error", "", "The engine is currently overloaded").WithHeader("Retry-After", "2"), llm.ErrServer, 503, "server_error", true, 2 * time.Second},
	}
	m, srv := newModel(t)
	for _, tc := range cases {
		for _, stream := range []bool{false, true} {
			name := tc.name
			if stream {
				name += " stream"
			}
			t.Run(name, func(t *testing.T) {
				srv.Enqueue(tc.reply.WithRequestID("req_fault"))
				var err error
				if stream {
					_, err = m.Stream(context.Background(), hello())
				} else {
					_, err = m.Generate(context.Background(), hello())
				}
				var pe *llm.ProviderError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v (%T), want a *llm.ProviderError", err, err)
				}
				if !errors.Is(err, tc.want) {
					t.Errorf("category %v, want %v", pe.Category, tc.want)
				}
				if pe.StatusCode != tc.status || pe.Code != tc.code || pe.RequestID != "req_fault" || pe.Retryable != tc.retryable || pe.RetryAfter != tc.after {
					t.Errorf("got status %d code %q request id %q retryable %v retry after %v; want %d %q req_fault %v %v",
						pe.StatusCode, pe.Code, pe.RequestID, pe.Retryable, pe.RetryAfter, tc.status, tc.code, tc.retryable, tc.after)
				}
			})
		}
	}
}

// TestStreamFaults checks that a stream that breaks is an error of the right category,
// never a short success.
func TestStreamFaults(t *testing.T) {
	answer := openaitest.Text("one two three four five six").Split(6)
	cases := []struct {
		name  string
		reply openaitest.Reply
		want  []error
	}{
		{"cut before [DONE]", answer.CutAfter(9), []error{llm.ErrStream}},
		{"cut before finish", answer.CutAfter(4), []error{llm.ErrStream}},
		{"cut before [DONE], chunked", answer.Chunked(5).CutAfter(9), []error{llm.ErrStream}},
		{"dropped connection", answer.DropAfter(3), []error{llm.ErrStream}},
		{"malformed event", answer.MalformedAfter(2), []error{llm.ErrStream}},
		{"error object", answer.ErrorAfter(3, "server_error", "", "The server had an error while processing your request."), []error{llm.ErrStream, llm.ErrServer}},
		{"rate limit object", answer.ErrorAfter(1, "tokens", "rate_limit_exceeded", "Rate limit reached"), []error{llm.ErrStream, llm.ErrRateLimited}},
		{"no finish reason", openaitest.RawEvents(`{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}]}`, "[DONE]"), []error{llm.ErrStream}},
	}
	m, srv := newModel(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.Enqueue(tc.reply.WithRequestID("req_stream"))
			s, err := m.Stream(context.Background(), hello())
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			resp, err := s.Response()
			if err == nil {
				t.Fatalf("a short success: %q", resp.Text())
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("error %v is not %v", err, w)
				}
			}
			var pe *llm.ProviderError
			if errors.As(err, &pe) && pe.RequestID != "req_stream" {
				t.Errorf("request id %q, want req_stream", pe.RequestID)
			}
		})
	}
	// The same answer, whole, succeeds.
	srv.Enqueue(answer)
	s, err := m.Stream(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Response()
	if err != nil || resp.Text() != "one two three four five six" {
		t.Fatalf("whole stream: %v, %v", resp, err)
	}
}

// TestInvalidRequestNotSent checks that bad input is refused before anything is sent.
func TestInvalidRequestNotSent(t *testing.T) {
	m, srv := newModel(t)
	req := hello()
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.Document{Name: "a", Format: "pdf", Data: []byte("%PDF")}}})
	for _, stream := range []bool{false, true} {
		var err error
		if stream {
			_, err = m.Stream(context.Background(), req)
		} else {
			_, err = m.Generate(context.Background(), req)
		}
		var ire *llm.InvalidRequestError
		if !errors.As(err, &ire) || ire.Message != 1 || ire.Part != 0 || ire.Op == "" {
			t.Fatalf("error %#v, want an InvalidRequestError at message 1 part 0 with its operation", err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// TestCancelledContext checks that cancelling is reported as such.
func TestCancelledContext(t *testing.T) {
	m, srv := newModel(t)
	srv.Enqueue(openaitest.Text("hi"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Generate(ctx, hello())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	var pe *llm.ProviderError
	if !errors.Is(err, llm.ErrCanceled) || !errors.As(err, &pe) || pe.Retryable {
		t.Fatalf("error %v, want a ProviderError of category llm.ErrCanceled, not retryable", err)
	}
	if _, err := m.Stream(ctx, hello()); !errors.Is(err, llm.ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Stream error %v, want llm.ErrCanceled and context.Canceled", err)
	}
}
