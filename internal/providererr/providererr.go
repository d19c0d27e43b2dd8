// Package providererr holds the opening that every provider's mapping of its errors to
// [llm.ProviderError] shares, so that the rules all providers keep have one owner.
//
// [llm.ProviderError]: https://pkg.go.dev/github.com/llmkit/llmkit/llm#ProviderError
package providererr

import (
	"context"
	"errors"

	"github.com/llmkit/llmkit/llm"
)

// Start begins turning err, the failure of provider's operation op, into the error
// llmkit returns. When err needs no mapping, e is nil and done is the error to return:
// nil for a nil err; err itself when it already carries an *llm.ProviderError; for an
// error caused by a cancelled context, an llm.ErrCanceled ProviderError around err (so
// errors.Is(done, context.Canceled) holds), not retryable. Otherwise e is a new
// ProviderError of provider and op around err, for the provider to classify.
func Start(provider, op string, err error) (e *llm.ProviderError, done error) {
	if err == nil {
		return nil, nil
	}
	var pe *llm.ProviderError
	if errors.As(err, &pe) {
		return nil, err
	}
	e = &llm.ProviderError{Provider: provider, Op: op, Err: err}
	if errors.Is(err, context.Canceled) {
		e.Category = llm.ErrCanceled
		return nil, e
	}
	return e, nil
}
