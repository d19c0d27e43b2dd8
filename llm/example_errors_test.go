package llm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
)

// describe says what a program would do with err, by category: errors.Is tests the
// category every provider error unwraps to; errors.As reaches the details.
func describe(err error) string {
	var pe *llm.ProviderError
	var ire *llm.InvalidRequestError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ire):
		return "fix the request: " + ire.Error()
	case errors.Is(err, llm.ErrRateLimited), errors.Is(err, llm.ErrModelNotReady):
		errors.As(err, &pe)
		return fmt.Sprintf("retry later (%s, status %d, retryable %v)", pe.Code, pe.StatusCode, pe.Retryable)
	case errors.Is(err, llm.ErrAuth):
		return "check the credentials"
	case errors.Is(err, llm.ErrNotFound):
		return "check the model id"
	case errors.Is(err, llm.ErrContextTooLong):
		return "shorten the conversation"
	case errors.Is(err, llm.ErrStream):
		return "the answer broke off; send the turn again: " + err.Error()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "failed: " + err.Error()
}

// Errors from a model unwrap to a category (llm.ErrRateLimited, llm.ErrAuth,
// llm.ErrStream …); a *llm.ProviderError carries the provider's code, status and
// request id.
func Example_errorCategories() {
	throttled := &llm.ProviderError{
		Provider: "bedrock", Op: "converse", Code: "ThrottlingException", StatusCode: 429,
		Message: "Too many requests", RequestID: "req-1", Retryable: true, Category: llm.ErrRateLimited,
	}
	unknown := &llm.ProviderError{
		Provider: "bedrock", Op: "converse", Code: "ValidationException", StatusCode: 400,
		Message: "The provided model identifier is invalid.", Category: llm.ErrNotFound,
	}
	m := llmtest.New(llmtest.Fail(throttled), llmtest.Fail(unknown), llmtest.Text("fine"))
	req := &llm.Request{Model: "any", Messages: []llm.Message{llm.UserText("Hi")}}
	for range 3 {
		_, err := m.Generate(context.Background(), req)
		fmt.Println(describe(err))
	}
	fmt.Println(throttled)

	// A stream that breaks after its first words fails with an error in the stream:
	// from the range, and again from Response.
	m = llmtest.New(llmtest.Stream([]llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "Once upon"},
	}, &llm.StreamError{Reason: "connection reset"}))
	stream, err := m.Stream(context.Background(), req)
	if err != nil {
		fmt.Println(describe(err))
		return
	}
	defer stream.Close()
	for text, err := range stream.Text() {
		if err != nil {
			fmt.Println(describe(err))
			break
		}
		fmt.Printf("%q\n", text)
	}
	_, err = stream.Response()
	fmt.Println(errors.Is(err, llm.ErrStream))
	// Output:
	// retry later (ThrottlingException, status 429, retryable true)
	// check the model id
	// ok
	// bedrock: converse: rate limited (ThrottlingException, status 429): Too many requests [request id req-1]
	// "Once upon"
	// the answer broke off; send the turn again: llm: stream: connection reset
	// true
}
