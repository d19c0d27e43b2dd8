package main

import (
	"os"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

func TestSplitModel(t *testing.T) {
	for _, tt := range []struct{ in, provider, id string }{
		{"openai:gpt-4o", providerOpenAI, "gpt-4o"},
		{"openai:qwen/qwen3-32b", providerOpenAI, "qwen/qwen3-32b"},
		{"bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0", providerBedrock, "us.anthropic.claude-haiku-4-5-20251001-v1:0"},
		{"us.anthropic.claude-haiku-4-5-20251001-v1:0", providerBedrock, "us.anthropic.claude-haiku-4-5-20251001-v1:0"},
		{"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0", providerBedrock, "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"},
	} {
		if p, id := splitModel(tt.in); p != tt.provider || id != tt.id {
			t.Errorf("splitModel(%q) = %q, %q; want %q, %q (a bare id, colons and all, is Bedrock's)", tt.in, p, id, tt.provider, tt.id)
		}
	}
}

// TestAskOpenAIOffline asks a Chat Completions model on a loopback simulator: no key
// needed, the model id sent without its prefix; without a key or a loopback endpoint
// the command says what to set, with the configuration exit code.
func TestAskOpenAIOffline(t *testing.T) {
	clearAWSEnv(t)
	for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	srv := openaitest.NewServer()
	defer srv.Close()
	srv.SetFallback(openaitest.Echo())
	stdout, stderr, code := runLLMKit(t, "", "ask", "--model", "openai:gpt-4o", "--endpoint", srv.URL(), "Hello there")
	if code != exitOK || strings.TrimSpace(stdout) != "Hello there" {
		t.Fatalf("llmkit ask --model openai:gpt-4o: exit %d, stdout %q, stderr %q; want the echo", code, stdout, stderr)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Model != "gpt-4o" {
		t.Errorf("requests %+v, want one for model gpt-4o", reqs)
	}
	_, stderr, code = runLLMKit(t, "", "ask", "--model", "openai:gpt-4o", "Hi")
	if code != exitAuth || !strings.Contains(stderr, "OPENAI_API_KEY") {
		t.Errorf("llmkit ask --model openai:gpt-4o without a key: exit %d, stderr %q; want %d naming OPENAI_API_KEY", code, stderr, exitAuth)
	}
}
