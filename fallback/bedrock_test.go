package fallback_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/llmkit/llmkit/fallback"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// retryAfter adds "Retry-After: 3" to the simulator's 429 answers, as a gateway in
// front of Bedrock might.
type retryAfter struct{ next bedrockruntime.HTTPClient }

func (c retryAfter) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		resp.Header.Set("Retry-After", "3")
	}
	return resp, err
}

// twoRegions returns a fallback over two simulated regions, the first of which sends
// its 429s with a Retry-After.
func twoRegions(t *testing.T) (east, west *bedrocktest.Server, m *fallback.Model, failures *[]error) {
	t.Helper()
	east = bedrocktest.NewServer(nil)
	west = bedrocktest.NewServer(nil)
	t.Cleanup(east.Close)
	t.Cleanup(west.Close)
	eastClient := east.Client(&bedrocktest.ClientOptions{HTTPClient: retryAfter{next: bedrock.NewHTTPClient(nil)}})
	var errs []error
	m, err := fallback.New([]fallback.Candidate{
		{Name: "us-east-1", Model: bedrock.New(eastClient, nil)},
		{Name: "us-west-2", Model: bedrock.New(west.Client(nil), nil)},
	}, &fallback.Options{OnFallback: func(_ context.Context, _ fallback.Candidate, err error, _ time.Duration) {
		errs = append(errs, err)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return east, west, m, &errs
}

func TestBedrockRegionsFallBack(t *testing.T) {
	const id = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	req := &llm.Request{Model: id, Messages: []llm.Message{llm.UserText("hi")}}
	for _, stream := range []bool{false, true} {
		east, west, m, errs := twoRegions(t)
		east.Enqueue(bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests, please wait before trying again."))
		west.Enqueue(bedrocktest.Text("hello from the west"))
		var resp *llm.Response
		var err error
		if stream {
			var s *llm.Stream
			if s, err = m.Stream(context.Background(), req); err == nil {
				resp, err = s.Response()
			}
		} else {
			resp, err = m.Generate(context.Background(), req)
		}
		if err != nil {
			t.Fatalf("stream=%v: %v", stream, err)
		}
		if resp.Model != "us-west-2" || resp.Text() != "hello from the west" {
			t.Errorf("stream=%v: %q from %q", stream, resp.Text(), resp.Model)
		}
		var pe *llm.ProviderError
		if len(*errs) != 1 || !errors.As((*errs)[0], &pe) || pe.Code != "ThrottlingException" || pe.RetryAfter != 3*time.Second {
			t.Errorf("stream=%v: fallbacks %v (RetryAfter from the header: want 3s)", stream, *errs)
		}
	}
}

func TestBedrockValidationErrorDoesNotFallBack(t *testing.T) {
	east, west, m, _ := twoRegions(t)
	east.Enqueue(bedrocktest.Error(bedrocktest.ValidationException, "messages: field required"))
	_, err := m.Generate(context.Background(), &llm.Request{Model: "m", Messages: []llm.Message{llm.UserText("hi")}})
	if !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("err = %v, want ErrInvalidRequest", err)
	}
	if n := len(west.Requests()); n != 0 {
		t.Errorf("the second region got %d requests", n)
	}
}
