package providererr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/llmkit/llmkit/llm"
)

func TestStart(t *testing.T) {
	if e, done := Start("p", "op", nil); e != nil || done != nil {
		t.Errorf("Start(nil) = %v, %v; want nil, nil", e, done)
	}

	mapped := fmt.Errorf("wrapped: %w", &llm.ProviderError{Provider: "p", Category: llm.ErrServer})
	if e, done := Start("p", "op", mapped); e != nil || done != mapped {
		t.Errorf("Start(a ProviderError) = %v, %v; want nil and the error itself", e, done)
	}

	cancelled := fmt.Errorf("send: %w", context.Canceled)
	e, done := Start("p", "op", cancelled)
	var pe *llm.ProviderError
	if e != nil || !errors.As(done, &pe) {
		t.Fatalf("Start(cancelled) = %v, %v; want nil and a ProviderError", e, done)
	}
	if pe.Provider != "p" || pe.Op != "op" || pe.Category != llm.ErrCanceled || pe.Retryable ||
		!errors.Is(done, context.Canceled) || !errors.Is(done, llm.ErrCanceled) {
		t.Errorf("Start(cancelled) = %+v; want a non-retryable p/op ErrCanceled error unwrapping to context.Canceled", pe)
	}

	other := errors.New("connection refused")
	e, done = Start("p", "op", other)
	if done != nil || e == nil || e.Provider != "p" || e.Op != "op" || e.Err != other || e.Category != nil {
		t.Errorf("Start(other) = %+v, %v; want a p/op ProviderError around the error, to classify", e, done)
	}
}
