// Package contender defines what every benchmarked client does, so that the benchmarks
// drive llmkit, the raw SDK and each peer library through the same three operations.
package contender

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/llmkit/llmkit/bench/internal/harness"
	"github.com/llmkit/llmkit/bench/internal/workload"
	"github.com/llmkit/llmkit/providers/bedrock"
)

// Contender is a client under test. Its methods are safe for concurrent use; requests
// are prepared once when the contender is made, so that the timed work is what a user
// pays per call: turning the library's request into the wire form, the HTTP exchange,
// decoding, and the library's own answer type.
type Contender interface {
	// Converse makes the single call of workload.Converse.
	Converse(ctx context.Context) (workload.Answer, error)
	// ToolRoundTrip runs workload.ToolTrip: a call, the tool, and the call with its
	// result.
	ToolRoundTrip(ctx context.Context) (workload.Answer, error)
	// Stream makes the streaming call of w, reads every event and accumulates the answer.
	Stream(ctx context.Context, w *workload.Workload) (workload.Answer, error)
	// Close releases the contender's resources.
	Close() error
}

// Info describes a contender for the results.
type Info struct {
	Name    string // benchmark sub-name
	Module  string // module and version measured
	API     string // Bedrock API used
	Route   string // how it reaches the simulator
	Explain string // anything a reader of the results needs to know
}

// ErrUnsupported marks a workload a contender cannot do at all.
var ErrUnsupported = errors.New("not supported by this library")

// RuntimeClient returns a Bedrock Runtime client for the simulator at url, with static
// credentials, the SDK's defaults otherwise (the standard retryer included), and
// llmkit's fixes for SDK defects installed by bedrock.ConfigureClient: the request-body
// fix (bedrock.NewHTTPClient) and an event-stream codec per stream (the SDK's own is
// shared by all the streams of a client, a data race under concurrent streams). The raw
// SDK contender and llmkit use the same client, so that the difference between them is
// llmkit's own work.
func RuntimeClient(url string) *bedrockruntime.Client {
	return bedrockruntime.NewFromConfig(config(), bedrock.ConfigureClient, func(o *bedrockruntime.Options) {
		o.BaseEndpoint = aws.String(url)
	})
}

// PlainRuntimeClient returns a Bedrock Runtime client for the simulator at url as most
// programs build one: bedrockruntime.NewFromConfig with static credentials and nothing
// of llmkit's (the SDK's default HTTP client, its shared event-stream codec).
func PlainRuntimeClient(url string) *bedrockruntime.Client {
	return bedrockruntime.NewFromConfig(aws.Config{
		Region:      harness.Region,
		Credentials: credentials.NewStaticCredentialsProvider(harness.AccessKey, harness.SecretKey, ""),
	}, func(o *bedrockruntime.Options) {
		o.BaseEndpoint = aws.String(url)
	})
}

// RuntimeClientTLS returns the client of [RuntimeClient] with no BaseEndpoint: it goes to
// the real regional endpoint, https://bedrock-runtime.us-east-1.amazonaws.com, and so
// through HTTPS_PROXY, like the libraries that hard-code that endpoint.
func RuntimeClientTLS() *bedrockruntime.Client {
	return bedrockruntime.NewFromConfig(config(), bedrock.ConfigureClient)
}

// config is the AWS configuration of the SDK clients: static credentials, and
// bedrock.NewHTTPClient(nil) as the HTTP client, as bedrock.NewFromConfig does. (Left nil,
// bedrockruntime.NewFromConfig puts the SDK's default client there, whose pool keeps 10
// idle connections per host, before bedrock.ConfigureClient runs; ConfigureClient then
// wraps that one, and 64 concurrent sessions keep opening new connections.)
func config() aws.Config {
	return aws.Config{
		Region:      harness.Region,
		Credentials: credentials.NewStaticCredentialsProvider(harness.AccessKey, harness.SecretKey, ""),
		HTTPClient:  bedrock.NewHTTPClient(nil),
	}
}

// HTTPClient returns a plain net/http client whose pool, like the one
// bedrock.NewHTTPClient(nil) makes, keeps enough idle connections for the concurrent
// workload, for libraries that take an *http.Client.
func HTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	return &http.Client{Transport: t}
}
