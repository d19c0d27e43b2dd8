package openaitest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	oai "github.com/openai/openai-go/v3"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func basic(t *testing.T) *openaitest.Fixture {
	t.Helper()
	f, err := openaitest.LoadFixture(openaitest.Fixtures, "openai_gpt_4o/basic.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func params(text string) oai.ChatCompletionNewParams {
	return oai.ChatCompletionNewParams{Model: "gpt-4o", Messages: []oai.ChatCompletionMessageParamUnion{oai.UserMessage(text)}}
}

// TestReplayMismatch: a request that differs from the recording is reported, with the
// path; in strict mode it is answered with a 400.
func TestReplayMismatch(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	c := srv.Client()
	svc := oai.NewChatCompletionService(c.Options...)
	srv.Enqueue(basic(t).Reply(nil), basic(t).Reply(&openaitest.ReplayOptions{Strict: true}))
	if _, err := svc.New(context.Background(), params("Hello moon!")); err != nil {
		t.Fatal(err)
	}
	err := srv.Check()
	if err == nil || !strings.Contains(err.Error(), `$.messages[0].content: want "Hello world!", got "Hello moon!"`) {
		t.Fatalf("Check() = %v", err)
	}
	_, err = svc.New(context.Background(), params("Hello moon!"))
	var ae *oai.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest {
		t.Fatalf("strict replay: %v", err)
	}
}

// TestAllowNeedsReason: an Allow without a reason is a problem Check reports.
func TestAllowNeedsReason(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	svc := oai.NewChatCompletionService(srv.Client().Options...)
	srv.Enqueue(basic(t).Reply(&openaitest.ReplayOptions{Allow: []openaitest.Allow{{Path: "$.seed"}}}))
	if _, err := svc.New(context.Background(), params("Hello world!")); err != nil {
		t.Fatal(err)
	}
	if err := srv.Check(); err == nil || !strings.Contains(err.Error(), "openaitest: replay ") || !strings.Contains(err.Error(), "Allow $.seed has no reason") {
		t.Fatalf("Check() = %v", err)
	}
}

// TestAuthAndQueue: a request without a key is a 401; one with no reply queued a 500
// that Check reports.
func TestAuthAndQueue(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
	svc := oai.NewChatCompletionService(srv.Client().Options...)
	if _, err := svc.New(context.Background(), params("hi")); err == nil {
		t.Error("no reply queued, yet an answer")
	}
	if err := srv.Check(); err == nil || !strings.Contains(err.Error(), "no reply queued") {
		t.Errorf("Check() = %v", err)
	}
}
