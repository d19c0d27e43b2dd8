package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
)

// The providers a model may be prefixed with: "openai:gpt-4o",
// "bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0". A model without one of these
// prefixes is a Bedrock model id (which may itself hold colons: "…-v1:0", ARNs).
const (
	providerBedrock = "bedrock"
	providerOpenAI  = "openai"
)

// splitModel returns the provider a --model value names and the model id to send.
func splitModel(model string) (provider, id string) {
	for _, p := range []string{providerBedrock, providerOpenAI} {
		if rest, ok := strings.CutPrefix(model, p+":"); ok {
			return p, rest
		}
	}
	return providerBedrock, model
}

// connection is a model ready to call and a description of where it is.
type connection struct {
	model llm.Model
	id    string // the model id to send
	where string // "region us-east-1", the endpoint…
}

// connectModel connects to the provider model names: Bedrock through the AWS flags,
// Chat Completions through OPENAI_API_KEY and --endpoint (the API root, e.g.
// https://api.groq.com/openai/v1/ or "llmkit sim --openai"'s URL; OPENAI_BASE_URL when
// unset). A loopback endpoint needs no key.
func connectModel(ctx context.Context, a *awsFlags, model string, wrap func(http.RoundTripper) http.RoundTripper) (*connection, error) {
	provider, id := splitModel(model)
	if provider == providerBedrock {
		cl, err := a.connect(ctx, wrap)
		if err != nil {
			return nil, err
		}
		where := "region " + cl.region
		if a.endpoint != "" {
			where = a.endpoint
		}
		return &connection{model: cl.model, id: id, where: where}, nil
	}
	cfg := openai.Config{BaseURL: a.endpoint, APIKey: os.Getenv("OPENAI_API_KEY")}
	if cfg.BaseURL == "" {
		cfg.BaseURL = os.Getenv("OPENAI_BASE_URL")
	}
	if cfg.BaseURL != "" {
		if err := checkEndpointURL(cfg.BaseURL); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(cfg.BaseURL, "/") {
			cfg.BaseURL += "/"
		}
	}
	local := isLoopbackURL(cfg.BaseURL)
	if local {
		if err := checkReachable(ctx, cfg.BaseURL); err != nil {
			return nil, err
		}
		if cfg.APIKey == "" {
			cfg.APIKey = "llmkit-sim" // a local server takes any key
		}
	}
	if cfg.APIKey == "" {
		return nil, &configError{err: fmt.Errorf("no API key for %s: set OPENAI_API_KEY (or use a loopback --endpoint such as \"llmkit sim --openai\")", model)}
	}
	if wrap != nil {
		cfg.HTTPClient = &http.Client{Transport: wrap(http.DefaultTransport)}
	}
	where := "api.openai.com"
	if cfg.BaseURL != "" {
		where = cfg.BaseURL
	}
	return &connection{model: openai.NewWithConfig(cfg, nil), id: id, where: where}, nil
}
