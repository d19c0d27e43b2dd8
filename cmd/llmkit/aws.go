package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/logging"

	"github.com/llmkit/llmkit/providers/bedrock"
)

// awsFlags are the flags of the commands that call Bedrock.
type awsFlags struct {
	region   string
	profile  string
	endpoint string
	debug    bool
	// stderr receives the SDK's log with --debug.
	stderr io.Writer
}

func (a *awsFlags) register(fs *flag.FlagSet) {
	a.stderr = fs.Output()
	fs.StringVar(&a.region, "region", "", "AWS `REGION`, e.g. us-east-1 (default: AWS_REGION or the profile's region)")
	fs.StringVar(&a.profile, "profile", "", "`PROFILE` of the shared AWS config files (default: AWS_PROFILE or \"default\")")
	fs.StringVar(&a.endpoint, "endpoint", "", "Bedrock Runtime endpoint `URL`, such as the one \"llmkit sim\" prints (default: the region's)")
	fs.BoolVar(&a.debug, "debug", false, "print the AWS SDK's log (warnings, retries, requests without their bodies) on standard error")
}

// configError is a problem with the AWS configuration found before any call: no
// region, an unknown profile, no credentials.
type configError struct {
	credentials bool // the credential chain found nothing
	err         error
}

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// client is a Bedrock model on the AWS default configuration.
type client struct {
	model  *bedrock.Model
	region string
}

// connect loads the AWS default configuration (environment, shared config and
// credentials files, SSO, container and instance credentials) with the flags' region,
// profile and endpoint, checks that credentials can be found, and returns a Model
// calling Bedrock through the real SDK client.
//
// An endpoint on a loopback address (--endpoint or AWS_ENDPOINT_URL_BEDROCK_RUNTIME),
// such as "llmkit sim", needs no AWS account: unless credentials are asked for
// explicitly (--profile, AWS_PROFILE or AWS_ACCESS_KEY_ID), it is signed with
// throwaway credentials, the region defaults to us-east-1, and an endpoint nobody
// listens on is reported at once instead of after the SDK's retries.
//
// The credential check is skipped when AWS_BEARER_TOKEN_BEDROCK is set and the endpoint
// is https: the SDK then authenticates with that API key instead of SigV4. Over plain
// http (a local simulator) SigV4 is used, since the SDK sends bearer tokens over TLS
// only. wrap, when not nil, wraps the HTTP transport (to record the exchanges).
//
// The SDK's own log (such as "WARN falling back to IMDSv1") is dropped unless --debug.
func (a *awsFlags) connect(ctx context.Context, wrap func(http.RoundTripper) http.RoundTripper) (*client, error) {
	if a.endpoint != "" {
		if err := checkEndpointURL(a.endpoint); err != nil {
			return nil, err
		}
	}
	endpoint := a.endpoint
	if endpoint == "" {
		endpoint = envEndpoint()
	}
	cfg, err := a.loadConfig(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	bearer := os.Getenv("AWS_BEARER_TOKEN_BEDROCK") != "" && !strings.HasPrefix(endpoint, "http://")
	if !bearer {
		if err := checkCredentials(ctx, cfg); err != nil {
			return nil, err
		}
	}
	var hc *http.Client // nil: the configuration's own HTTP client
	if wrap != nil {
		var next http.RoundTripper
		if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
			// Keep what the configuration set up (a CA bundle, proxy settings).
			next = bc.GetTransport()
		}
		hc = &http.Client{Transport: wrap(next)}
	}
	rt := bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
		if hc != nil {
			o.HTTPClient = hc
		}
		if a.endpoint != "" {
			// Set here, the flag wins over AWS_ENDPOINT_URL_BEDROCK_RUNTIME too.
			o.BaseEndpoint = aws.String(a.endpoint)
		}
		if !bearer {
			o.BearerAuthTokenProvider = nil
			o.AuthSchemePreference = []string{"sigv4"}
		}
	}, bedrock.ConfigureClient)
	return &client{model: bedrock.New(rt, nil), region: cfg.Region}, nil
}

// loadConfig loads the AWS configuration for the flags and calls to endpoint ("" for
// AWS's own): a loopback endpoint must be reachable and gets the throwaway credentials
// of loadOptions, and an explicit endpoint with no region configured gets us-east-1.
func (a *awsFlags) loadConfig(ctx context.Context, endpoint string) (aws.Config, error) {
	local := isLoopbackURL(endpoint)
	if local {
		if err := checkReachable(ctx, endpoint); err != nil {
			return aws.Config{}, err
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, a.loadOptions(local)...)
	if err != nil {
		return aws.Config{}, &configError{err: fmt.Errorf("loading the AWS configuration: %w", err)}
	}
	if cfg.Region == "" {
		if endpoint == "" {
			return aws.Config{}, &configError{err: fmt.Errorf("no AWS region: pass --region or set AWS_REGION (e.g. us-east-1)")}
		}
		// An explicit endpoint says where to go; SigV4 still needs a region name.
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}

// loadOptions returns the options of config.LoadDefaultConfig for the flags: the
// SDK's log on stderr with --debug (else nowhere), the region and profile, and
// throwaway credentials for a local endpoint unless real ones are asked for.
func (a *awsFlags) loadOptions(local bool) []func(*config.LoadOptions) error {
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if a.debug {
		w := a.stderr
		if w == nil {
			w = os.Stderr
		}
		opts = append(opts, config.WithLogger(logging.NewStandardLogger(w)),
			config.WithClientLogMode(aws.LogRetries|aws.LogRequest|aws.LogResponse))
	}
	if a.region != "" {
		opts = append(opts, config.WithRegion(a.region))
	}
	if a.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.profile))
	}
	if local && a.profile == "" && os.Getenv("AWS_PROFILE") == "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("llmkit-local", "llmkit-local", "")))
	}
	return opts
}

// checkCredentials checks that cfg's credential chain finds credentials.
func checkCredentials(ctx context.Context, cfg aws.Config) error {
	if cfg.Credentials == nil {
		return &configError{credentials: true, err: fmt.Errorf("no AWS credentials provider")}
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return &configError{credentials: true, err: fmt.Errorf("failed to retrieve credentials: %w", err)}
	}
	return nil
}

// checkEndpointURL checks that the endpoint raw is an http:// or https:// URL with a host.
func checkEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &usageErr{fmt.Sprintf("--endpoint %q: want an http:// or https:// URL", raw)}
	}
	return nil
}

// envEndpoint returns the Bedrock Runtime endpoint the AWS environment variables set,
// or "". AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns them off, as in the SDK.
func envEndpoint() string {
	if strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return ""
	}
	if v := os.Getenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"); v != "" {
		return v
	}
	return os.Getenv("AWS_ENDPOINT_URL")
}

// isLoopbackURL reports whether raw is an http(s) URL whose host is localhost or a
// loopback IP address.
func isLoopbackURL(raw string) bool {
	if raw == "" {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpointDownError is a loopback endpoint where nothing listens.
type endpointDownError struct {
	endpoint string
	err      error
}

func (e *endpointDownError) Error() string {
	return fmt.Sprintf("the endpoint %s is not reachable: %v", e.endpoint, e.err)
}

func (e *endpointDownError) Unwrap() error { return e.err }

// checkReachable connects to the loopback endpoint raw once, so that an endpoint
// nobody listens on is reported at once rather than after the SDK's retries.
func checkReachable(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return &usageErr{fmt.Sprintf("endpoint %q: %v", raw, err)}
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return &endpointDownError{endpoint: raw, err: err}
	}
	conn.Close()
	return nil
}
