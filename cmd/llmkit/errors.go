package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/llmkit/llmkit/llm"
)

// usageErr is a bad argument found after flag parsing (a file that does not exist, a
// schema that is not one, a malformed URL).
type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

// Hints printed under an error.
const (
	credentialsHint = `No AWS credentials were found. Set them up in one of these ways:
  - environment: export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... (and AWS_SESSION_TOKEN=...)
  - a profile:   aws configure (or aws configure sso; aws sso login), then --profile NAME or AWS_PROFILE=NAME
  - an API key:  export AWS_BEARER_TOKEN_BEDROCK=... (a Bedrock API key)
  - on AWS:      an instance, container or Lambda role is found automatically
To try llmkit without an AWS account, run: llmkit demo`
	refusedHint = `AWS refused the credentials. If they are temporary (SSO, assumed role), refresh them
(e.g. aws sso login); check the profile, region and clock. To try llmkit without AWS, run: llmkit demo`
	accessHint = `The credentials work but may not use this model: grant bedrock:InvokeModel and
bedrock:InvokeModelWithResponseStream in IAM, and enable access to the model in the
Bedrock console (Model access) for this region.`
	throttledHint = `Bedrock is throttling these requests; the SDK already retried (AWS_MAX_ATTEMPTS and
AWS_RETRY_MODE=adaptive change how). Wait a minute and try again, send fewer requests at
once, use a cross-region inference profile (us., eu., global.), or ask for a higher
quota in Service Quotas (Amazon Bedrock).`
	unknownModelHint = `Check the model id and the region: list the models with
  aws bedrock list-foundation-models --region REGION --query 'modelSummaries[].modelId'
and the inference profiles (us.…, eu.…, global.…) with
  aws bedrock list-inference-profiles --region REGION`
	onDemandHint = `This model is served through inference profiles only: use a profile id, e.g. the model id
with a "us.", "eu.", "apac." or "global." prefix (aws bedrock list-inference-profiles).`
	notReadyHint     = `The model is loading; try again in a minute.`
	endpointDownHint = `Nothing answers at that address. Is "llmkit sim" running? Start it in another terminal with
  llmkit sim --addr 127.0.0.1:8089
and pass the URL it prints to --endpoint; or try "llmkit demo", which needs no server.`
	unreachableHint = `The endpoint could not be reached: check --endpoint (or AWS_ENDPOINT_URL_BEDROCK_RUNTIME),
the network and any proxy settings (HTTPS_PROXY); "llmkit sim" serves a local endpoint.`
)

// exitCode returns the exit code for err; see the package documentation.
func exitCode(err error) int {
	var ue *usageErr
	var ce *configError
	var ire *llm.InvalidRequestError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue), errors.As(err, &ire):
		return exitUsage
	case errors.As(err, &ce), isCredentialsError(err), errors.Is(err, llm.ErrAuth):
		return exitAuth
	default:
		return exitFailure
	}
}

// isCredentialsError reports whether err is the SDK's failure to find credentials
// while signing a request.
func isCredentialsError(err error) bool {
	var se *v4.SigningError
	if errors.As(err, &se) && se.Err != nil && strings.Contains(se.Err.Error(), "credentials") {
		return true
	}
	var ce *configError
	if errors.As(err, &ce) && ce.credentials {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "failed to retrieve credentials") ||
		strings.Contains(msg, "no EC2 IMDS role found") ||
		strings.Contains(msg, "failed to refresh cached credentials")
}

// isUnreachable reports whether err is a failure to connect to the endpoint: refused,
// unknown host, no route.
func isUnreachable(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.As(err, &de) ||
		(errors.As(err, &oe) && oe.Op == "dial")
}

// hint returns advice for err, or "".
func hint(err error) string {
	var pe *llm.ProviderError
	errors.As(err, &pe)
	msg := strings.ToLower(err.Error())
	var down *endpointDownError
	switch {
	case errors.Is(err, context.Canceled):
		return ""
	case errors.As(err, &down):
		return endpointDownHint
	case isUnreachable(err):
		return unreachableHint
	case isCredentialsError(err):
		return credentialsHint
	case errors.Is(err, llm.ErrAuth):
		if pe != nil && strings.EqualFold(pe.Code, "AccessDeniedException") {
			return accessHint
		}
		return refusedHint
	case errors.Is(err, llm.ErrRateLimited):
		return throttledHint
	case errors.Is(err, llm.ErrModelNotReady):
		return notReadyHint
	case strings.Contains(msg, "on-demand throughput"):
		return onDemandHint
	case errors.Is(err, llm.ErrNotFound), strings.Contains(msg, "model identifier is invalid"):
		return unknownModelHint
	}
	return ""
}

// report prints err for the command name with advice, and returns its exit code.
func report(w io.Writer, name string, err error) int {
	code := exitCode(err)
	switch {
	case code == exitInterrupted:
		fmt.Fprintf(w, "llmkit %s: interrupted\n", name)
		return code
	case errors.Is(err, llm.ErrNotFound) || strings.Contains(strings.ToLower(err.Error()), "model identifier is invalid"):
		fmt.Fprintf(w, "llmkit %s: unknown model: %v\n", name, err)
	case errors.Is(err, llm.ErrRateLimited):
		fmt.Fprintf(w, "llmkit %s: throttled: %v\n", name, err)
	default:
		fmt.Fprintf(w, "llmkit %s: %v\n", name, err)
	}
	if h := hint(err); h != "" {
		fmt.Fprintf(w, "%s\n", h)
	}
	return code
}
