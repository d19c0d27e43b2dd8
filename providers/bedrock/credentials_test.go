package bedrock

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// awsEnv lists the environment variables through which the default credential chain
// could find credentials, a profile, a bearer token or instance metadata.
var awsEnv = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_BEARER_TOKEN_BEDROCK",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "AWS_REGION", "AWS_DEFAULT_REGION",
}

// emptyAWSEnv clears every AWS variable for the test and points HOME, and the config
// and credentials files (whose default paths package config computes once, at start),
// at an empty directory, which it returns: the default chain then finds no environment
// credentials and no config or credentials file.
func emptyAWSEnv(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	for _, k := range awsEnv {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials"))
	return home
}

// closedLoopbackURL returns the URL of a loopback port nothing listens on.
func closedLoopbackURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	return url
}

// TestCredentialsDefaultChain: with no credentials anywhere (no environment, no
// profile, instance metadata off or unreachable, an expired SSO session), Generate and
// Stream fail before sending with an error that is llm.ErrAuth, through the real
// default credential chain (RULES.md SDK-CREDENTIALS).
func TestCredentialsDefaultChain(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, home string)
	}{{
		name:  "imds_disabled",
		setup: func(t *testing.T, _ string) { t.Setenv("AWS_EC2_METADATA_DISABLED", "true") },
	}, {
		name: "imds_unreachable",
		setup: func(t *testing.T, _ string) {
			t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", closedLoopbackURL(t))
		},
	}, {
		name: "profile_without_credentials",
		setup: func(t *testing.T, home string) {
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			writeFile(t, filepath.Join(home, ".aws", "config"), "[default]\nregion = us-east-1\n")
		},
	}, {
		name: "sso_expired",
		setup: func(t *testing.T, home string) {
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			const start = "https://example.awsapps.com/start"
			writeFile(t, filepath.Join(home, ".aws", "config"), "[default]\nregion = us-east-1\n"+
				"sso_start_url = "+start+"\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n")
			sum := sha1.Sum([]byte(start))
			writeFile(t, filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"),
				`{"accessToken":"old","expiresAt":"`+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)+`","region":"us-east-1","startUrl":"`+start+`"}`)
		},
	}}
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := emptyAWSEnv(t)
			tt.setup(t, home)
			cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
			if err != nil {
				t.Fatalf("LoadDefaultConfig: %v", err)
			}
			cfg.BaseEndpoint = aws.String(srv.URL) // were a request sent, it would stay on loopback
			cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
			m := NewFromConfig(cfg, nil)
			n := len(srv.Requests())
			_, gerr := m.Generate(context.Background(), userReq(claude, "hi"))
			_, serr := m.Stream(context.Background(), userReq(claude, "hi"))
			for op, err := range map[string]error{"Generate": gerr, "Stream": serr} {
				var pe *llm.ProviderError
				if !errors.Is(err, llm.ErrAuth) || !errors.As(err, &pe) || pe.Retryable {
					t.Errorf("%s = %v, want a non-retryable llm.ErrAuth ProviderError", op, err)
				}
			}
			if got := len(srv.Requests()); got != n {
				t.Errorf("%d requests reached the server without credentials", got-n)
			}
		})
	}
}

// TestCredentialsExpiredStaticToken: static session credentials whose token has
// expired are refused by Bedrock with ExpiredTokenException, which is llm.ErrAuth.
func TestCredentialsExpiredStaticToken(t *testing.T) {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	expired := func(r bedrocktest.Request) bedrocktest.ServerReply {
		if r.Header.Get("X-Amz-Security-Token") == "expired-token" {
			return bedrocktest.Error("ExpiredTokenException", "The security token included in the request is expired")
		}
		return bedrocktest.Text("unexpected: the token was not sent")
	}
	srv.Enqueue(bedrocktest.Func(expired), bedrocktest.Func(expired))
	m := NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", "expired-token"),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}, nil)
	_, gerr := m.Generate(context.Background(), userReq(claude, "hi"))
	_, serr := m.Stream(context.Background(), userReq(claude, "hi"))
	for op, err := range map[string]error{"Generate": gerr, "Stream": serr} {
		if !errors.Is(err, llm.ErrAuth) {
			t.Errorf("%s = %v, want llm.ErrAuth", op, err)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
