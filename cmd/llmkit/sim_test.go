package main

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
)

var simURL = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)\n`)

// startSim runs llmkit sim in-process and returns it with its URL.
func startSim(t *testing.T, args ...string) (*session, string) {
	t.Helper()
	s := start(t.Context(), nil, append([]string{"sim", "--quiet"}, args...)...)
	s.stdout.waitFor(t, "Stop with Ctrl-C.\n")
	m := simURL.FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("llmkit sim printed no URL:\n%s", s.stdout)
	}
	return s, m[1]
}

// stop stops the simulator with Ctrl-C and checks that it ended well.
func (s *session) stop(t *testing.T, wantRequests string) {
	t.Helper()
	s.interrupts <- os.Interrupt
	if code := s.wait(t); code != 0 {
		t.Errorf("llmkit sim after Ctrl-C: exit code %d, want 0\nstderr:\n%s", code, s.stderr)
	}
	if want := "llmkit sim: stopped after " + wantRequests + " requests\n"; !strings.HasSuffix(s.stdout.String(), want) {
		t.Errorf("llmkit sim stdout does not end with %q:\n%s", want, s.stdout)
	}
}

// sdkClient returns an SDK client for url, configured as a program would be: static
// credentials, the endpoint, and bedrock.ConfigureClient, without which about one fast
// stream in ten dies with "use of closed network connection" (RULES.md SDK-BODY-CLOSE)
// and these tests would fail at random.
func sdkClient(url string) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSIM", "sim", ""),
		Retryer:      aws.NopRetryer{},
	}, bedrock.ConfigureClient, func(o *bedrockruntime.Options) {
		o.BearerAuthTokenProvider = nil
		o.AuthSchemePreference = []string{"sigv4"}
	})
}

func TestSimEcho(t *testing.T) {
	s, url := startSim(t)
	out, err := sdkClient(url).Converse(t.Context(), &bedrockruntime.ConverseInput{
		ModelId: aws.String("any-model"),
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "Hello, simulator"}},
		}},
	})
	if err != nil {
		t.Fatalf("Converse: %v", err)
	}
	msg := out.Output.(*types.ConverseOutputMemberMessage).Value
	if got := msg.Content[0].(*types.ContentBlockMemberText).Value; got != "Hello, simulator" {
		t.Errorf("Converse answer = %q, want the echo %q", got, "Hello, simulator")
	}
	for _, want := range []string{"Answers: echo", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME=" + url, "--endpoint-url " + url, "llmkit chat --endpoint " + url} {
		if !strings.Contains(s.stdout.String(), want) {
			t.Errorf("llmkit sim stdout lacks %q:\n%s", want, s.stdout)
		}
	}
	s.stop(t, "1")
}

func TestSimRecorded(t *testing.T) {
	s, url := startSim(t, "--recorded")
	m := bedrock.New(sdkClient(url), nil)
	add, err := newAddTool()
	if err != nil {
		t.Fatal(err)
	}
	// The request recorded as tool_round_trip_1.
	req := &llm.Request{
		Model:       demoModel,
		Messages:    []llm.Message{llm.UserText(demoPrompt)},
		Tools:       []llm.Tool{add.Declaration},
		MaxTokens:   150,
		Temperature: llm.Ptr(0.0),
	}
	wantCall := llm.ToolCall{ID: "tooluse_pr4l8my1R9Sd9YccZuSb3Q", Name: "add", Input: []byte(`{"a":2,"b":3}`)}

	resp, err := m.Generate(t.Context(), req)
	if err != nil {
		t.Fatalf("Generate(recorded request): %v", err)
	}
	if diff := cmp.Diff([]llm.ToolCall{wantCall}, resp.ToolCalls()); diff != "" {
		t.Errorf("Generate(recorded request) tool calls mismatch (-want +got):\n%s", diff)
	}

	// The same request streamed gets the recorded Converse answer as a stream.
	st, err := m.Stream(t.Context(), req)
	if err != nil {
		t.Fatalf("Stream(recorded request): %v", err)
	}
	sresp, err := st.Response()
	if err != nil {
		t.Fatalf("Stream(recorded request).Response(): %v", err)
	}
	if diff := cmp.Diff(resp.Message, sresp.Message); diff != "" {
		t.Errorf("streamed answer differs from the recorded one (-want +got):\n%s", diff)
	}

	// Another prompt matches no recording: the error names the closest one.
	other := req.Clone()
	other.Messages = []llm.Message{llm.UserText("Add 2 and 3.")}
	_, err = m.Generate(t.Context(), other)
	if !errors.Is(err, llm.ErrInvalidRequest) || !strings.Contains(err.Error(), "the closest, anthropic_claude_haiku_4_5_20251001_v1_0/tool_round_trip_1.json, differs at $.messages[0].content[0].text") {
		t.Errorf("Generate(unrecorded prompt) error = %v, want a validation error naming the closest recording", err)
	}

	// An unknown model gets Bedrock's answer for one.
	other.Model = "acme.unknown-v1"
	_, err = m.Generate(t.Context(), other)
	if err == nil || !strings.Contains(err.Error(), "The provided model identifier is invalid.") || hint(err) != unknownModelHint {
		t.Errorf("Generate(unknown model) error = %v (hint %q), want an invalid model identifier with the unknown-model hint", err, hint(err))
	}
	// The banner suggests no chat, whose requests never match a recording.
	if out := s.stdout.String(); strings.Contains(out, "llmkit chat --endpoint") || !strings.Contains(out, "matches a recorded request") {
		t.Errorf("llmkit sim --recorded banner suggests chat or does not say requests must match:\n%s", out)
	}
	s.stop(t, "4")
}

func TestSimFixturesDir(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		wantStderr string
	}{
		{"an empty directory", map[string]string{"README.md": "no fixtures"}, "no fixture (*.json) found in"},
		{"a file that is not a fixture", map[string]string{"a/bad.json": `{"request": {}}`}, "a/bad.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.MkdirAll(dir+"/"+name[:strings.LastIndex(name, "/")+1], 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dir+"/"+name, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, stderr, code := runLLMKit(t, "", "sim", "--fixtures", dir)
			if code != exitUsage {
				t.Errorf("llmkit sim --fixtures: exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("llmkit sim --fixtures: stderr lacks %q:\n%s", tt.wantStderr, stderr)
			}
		})
	}
}

func TestSimRefusesPublicAddresses(t *testing.T) {
	tests := []struct {
		name, addr, want string
	}{
		{"every interface", ":8080", "listens on every interface"},
		{"every IPv4 interface", "0.0.0.0:0", "0.0.0.0 is not a loopback address"},
		{"a public address", "8.8.8.8:53", "8.8.8.8 is not a loopback address"},
		{"a private address", "192.168.1.10:9000", "192.168.1.10 is not a loopback address"},
		{"a host name, which is not resolved", "example.com:80", `"example.com" is not an IP address`},
		{"no port", "127.0.0.1", "want HOST:PORT"},
		{"a named port", "127.0.0.1:http", "the port must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runLLMKit(t, "", "sim", "--addr", tt.addr)
			if code != exitUsage {
				t.Errorf("llmkit sim --addr %s: exit code %d, want %d", tt.addr, code, exitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("llmkit sim --addr %s: stderr lacks %q:\n%s", tt.addr, tt.want, stderr)
			}
		})
	}
}

func TestLoopbackAddr(t *testing.T) {
	tests := []struct {
		name, addr, want string
	}{
		{"IPv4 loopback", "127.0.0.1:8080", "127.0.0.1:8080"},
		{"any address in 127/8", "127.0.0.2:0", "127.0.0.2:0"},
		{"IPv6 loopback", "[::1]:9000", "[::1]:9000"},
		{"localhost, spelled as its address", "localhost:7000", "127.0.0.1:7000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loopbackAddr(tt.addr)
			if err != nil || got != tt.want {
				t.Errorf("loopbackAddr(%q) = %q, %v, want %q", tt.addr, got, err, tt.want)
			}
		})
	}
}

func TestSimStopsOnSIGTERM(t *testing.T) {
	// main turns SIGTERM into a cancelled context.
	ctx, cancel := context.WithCancel(t.Context())
	s := start(ctx, nil, "sim", "--quiet")
	s.stdout.waitFor(t, "Stop with Ctrl-C.\n")
	cancel()
	if code := s.wait(t); code != 0 {
		t.Errorf("llmkit sim after SIGTERM: exit code %d, want 0", code)
	}
}

func TestSimAddressInUse(t *testing.T) {
	s, url := startSim(t)
	addr := strings.TrimPrefix(url, "http://")
	_, stderr, code := runLLMKit(t, "", "sim", "--addr", addr)
	if code != exitFailure || !strings.Contains(stderr, "address already in use") {
		t.Errorf("llmkit sim --addr %s (in use): exit code %d, stderr %q; want %d and the listen error", addr, code, stderr, exitFailure)
	}
	s.stop(t, "0")
}
