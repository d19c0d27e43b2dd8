package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/llmkit/llmkit/providers/bedrock"
)

// awsFlags are the flags of the commands that call Bedrock.
type awsFlags struct {
	region   string
	profile  string
	endpoint string
}

func (a *awsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.region, "region", "", "AWS `REGION`, e.g. us-east-1 (default: AWS_REGION or the profile's region)")
	fs.StringVar(&a.profile, "profile", "", "`PROFILE` of the shared AWS config files (default: AWS_PROFILE or \"default\")")
	fs.StringVar(&a.endpoint, "endpoint", "", "Bedrock Runtime endpoint `URL`, such as the one \"llmkit sim\" prints (default: the region's)")
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
// The credential check is skipped when AWS_BEARER_TOKEN_BEDROCK is set and the endpoint
// is https: the SDK then authenticates with that API key instead of SigV4. Over plain
// http (a local simulator) SigV4 is used, since the SDK sends bearer tokens over TLS
// only. wrap, when not nil, wraps the HTTP transport (to record the exchanges).
func (a *awsFlags) connect(ctx context.Context, wrap func(http.RoundTripper) http.RoundTripper) (*client, error) {
	if a.endpoint != "" {
		u, err := url.Parse(a.endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &usageErr{fmt.Sprintf("--endpoint %q: want an http:// or https:// URL", a.endpoint)}
		}
	}
	var opts []func(*config.LoadOptions) error
	if a.region != "" {
		opts = append(opts, config.WithRegion(a.region))
	}
	if a.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, &configError{err: fmt.Errorf("loading the AWS configuration: %w", err)}
	}
	if cfg.Region == "" {
		if a.endpoint == "" {
			return nil, &configError{err: fmt.Errorf("no AWS region: pass --region or set AWS_REGION (e.g. us-east-1)")}
		}
		// An explicit endpoint says where to go; SigV4 still needs a region name.
		cfg.Region = "us-east-1"
	}
	plainHTTP := strings.HasPrefix(a.endpoint, "http://")
	bearer := os.Getenv("AWS_BEARER_TOKEN_BEDROCK") != "" && !plainHTTP
	if !bearer {
		if cfg.Credentials == nil {
			return nil, &configError{credentials: true, err: fmt.Errorf("no AWS credentials provider")}
		}
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return nil, &configError{credentials: true, err: fmt.Errorf("failed to retrieve credentials: %w", err)}
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
