package openai_test

import (
	"context"
	"testing"
	"time"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

func TestConfigHeadersAndAzure(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	root := srv.URL()[:len(srv.URL())-len("/v1/")]
	cases := []struct {
		name      string
		cfg       openai.Config
		path      string
		query     string
		header    map[string]string
		model     string
		wantModel string
	}{
		{"openai", openai.Config{BaseURL: srv.URL(), APIKey: "k1", Organization: "org-1", Project: "proj_1", Headers: map[string]string{"X-Trace": "t"}},
			"/v1/chat/completions", "", map[string]string{"Authorization": "Bearer k1", "OpenAI-Organization": "org-1", "OpenAI-Project": "proj_1", "X-Trace": "t"}, "gpt-4o", "gpt-4o"},
		{"azure deployment", openai.Config{BaseURL: root, APIKey: "k2", AzureDeployment: "my-4o", AzureAPIVersion: "2024-10-21"},
			"/openai/deployments/my-4o/chat/completions", "api-version=2024-10-21", map[string]string{"api-key": "k2"}, "gpt-4o", "gpt-4o"},
		{"azure by model", openai.Config{BaseURL: root, APIKey: "k3", AzureAPIVersion: "2024-10-21"},
			"/openai/deployments/prod-mini/chat/completions", "api-version=2024-10-21", map[string]string{"api-key": "k3"}, "prod-mini", "prod-mini"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.HTTPClient, cfg.MaxRetries = srv.HTTPClient(), -1
			m := openai.NewWithConfig(cfg, nil)
			before := len(srv.Requests())
			srv.Enqueue(openaitest.Text("ok"))
			if _, err := m.Generate(context.Background(), &llm.Request{Model: tc.model, Messages: []llm.Message{llm.UserText("hi")}}); err != nil {
				t.Fatal(err)
			}
			r := srv.Requests()[before]
			if r.Path != tc.path || r.Query != tc.query || r.Model != tc.wantModel {
				t.Errorf("sent to %s?%s model %q, want %s?%s %q", r.Path, r.Query, r.Model, tc.path, tc.query, tc.wantModel)
			}
			for k, v := range tc.header {
				if got := r.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestNewFromEnv(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	t.Setenv("OPENAI_API_KEY", "from-env")
	t.Setenv("OPENAI_BASE_URL", srv.URL())
	m := openai.NewFromEnv(openai.Config{HTTPClient: srv.HTTPClient()}, nil)
	srv.Enqueue(openaitest.Text("ok"))
	if _, err := m.Generate(context.Background(), hello()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()[0].Header.Get("Authorization"); got != "Bearer from-env" {
		t.Errorf("Authorization %q", got)
	}
}

// TestIdleTimeout: a stream that stalls past Options.IdleTimeout ends with an error.
func TestIdleTimeout(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	m := openai.New(srv.Client(), &openai.Options{IdleTimeout: 50 * time.Millisecond})
	srv.Enqueue(openaitest.Text("slow answer").Split(3).Pace(2 * time.Second))
	s, err := m.Stream(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Response(); err == nil {
		t.Fatal("a stalled stream succeeded")
	}
}
