package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/llmkit/llmkit/llm"
)

func TestExitCodeAndHint(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantHint string // a substring of the hint, or "" for none
	}{
		{"the SDK found no credentials while signing", fmt.Errorf("operation error Bedrock Runtime: Converse: %w",
			&v4.SigningError{Err: errors.New("failed to retrieve credentials: no EC2 IMDS role found")}), exitAuth, "llmkit demo"},
		{"the credential check before the first call failed", &configError{credentials: true, err: errors.New("failed to retrieve credentials: x")}, exitAuth, "AWS_ACCESS_KEY_ID"},
		{"a profile that does not exist", &configError{err: errors.New("loading the AWS configuration: failed to get shared config profile, nope")}, exitAuth, ""},
		{"access denied to the model", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "AccessDeniedException", StatusCode: 403, Category: llm.ErrAuth}, exitAuth, "Model access"},
		{"expired credentials", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ExpiredTokenException", StatusCode: 403, Category: llm.ErrAuth}, exitAuth, "aws sso login"},
		{"throttling", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ThrottlingException", StatusCode: 429, Category: llm.ErrRateLimited, Retryable: true}, exitFailure, "Service Quotas"},
		{"an unknown model id", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ValidationException", StatusCode: 400, Message: "The provided model identifier is invalid.", Category: llm.ErrInvalidRequest}, exitFailure, "list-foundation-models"},
		{"a model that is not found", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ResourceNotFoundException", StatusCode: 404, Category: llm.ErrNotFound}, exitFailure, "list-inference-profiles"},
		{"a model that needs an inference profile", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ValidationException", StatusCode: 400, Message: "Invocation of model ID x with on-demand throughput isn’t supported.", Category: llm.ErrInvalidRequest}, exitFailure, `"global."`},
		{"a model that is loading", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ModelNotReadyException", StatusCode: 429, Category: llm.ErrModelNotReady}, exitFailure, "loading"},
		{"a server error has no advice", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "InternalServerException", StatusCode: 500, Category: llm.ErrServer}, exitFailure, ""},
		{"a request refused before sending is bad input", &llm.InvalidRequestError{Provider: "bedrock", Message: 0, Part: 0, Reason: "empty text"}, exitUsage, ""},
		{"a bad argument", &usageErr{"--schema: nope"}, exitUsage, ""},
		{"a remote endpoint that refuses connections", &llm.ProviderError{Provider: "bedrock", Op: "converse-stream", Category: llm.ErrServer,
			Err: fmt.Errorf("exceeded maximum number of attempts, 3: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})}, exitFailure, "check --endpoint"},
		{"a local endpoint where nothing listens", &endpointDownError{endpoint: "http://127.0.0.1:8089", err: syscall.ECONNREFUSED}, exitFailure, `Is "llmkit sim" running?`},
		{"Ctrl-C", fmt.Errorf("bedrock: converse-stream: %w", context.Canceled), exitInterrupted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.wantCode {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.wantCode)
			}
			h := hint(tt.err)
			if tt.wantHint == "" && h != "" {
				t.Errorf("hint(%v) = %q, want none", tt.err, h)
			}
			if !strings.Contains(h, tt.wantHint) {
				t.Errorf("hint(%v) = %q, want it to contain %q", tt.err, h, tt.wantHint)
			}
		})
	}
}

func TestReportPrefixes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"throttling is named", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ThrottlingException", Category: llm.ErrRateLimited}, "llmkit ask: throttled: bedrock: converse: rate limited (ThrottlingException)"},
		{"an unknown model is named", &llm.ProviderError{Provider: "bedrock", Op: "converse", Code: "ResourceNotFoundException", Category: llm.ErrNotFound}, "llmkit ask: unknown model: bedrock: converse: not found (ResourceNotFoundException)"},
		{"an interruption is short", context.Canceled, "llmkit ask: interrupted\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			report(&b, "ask", tt.err)
			if !strings.HasPrefix(b.String(), tt.want) {
				t.Errorf("report(%v) wrote %q, want it to start with %q", tt.err, b.String(), tt.want)
			}
		})
	}
}
