package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// echoServer returns a simulator that echoes every request, closed with the test.
func echoServer(t *testing.T) *bedrocktest.Server {
	t.Helper()
	srv := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Echo()})
	t.Cleanup(srv.Close)
	return srv
}

// requestMessages returns the roles and texts of the messages of a Converse request
// body, as "role: text".
func requestMessages(t *testing.T, body []byte) []string {
	t.Helper()
	var in struct {
		System []struct {
			Text string `json:"text"`
		} `json:"system"`
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatalf("request body %s: %v", body, err)
	}
	var out []string
	for _, s := range in.System {
		out = append(out, "system: "+s.Text)
	}
	for _, m := range in.Messages {
		var texts []string
		for _, c := range m.Content {
			texts = append(texts, c.Text)
		}
		out = append(out, m.Role+": "+strings.Join(texts, ""))
	}
	return out
}

func TestChatCommands(t *testing.T) {
	fakeAWSEnv(t)
	srv := echoServer(t)
	file := filepath.Join(t.TempDir(), "chat.json")
	script := strings.Join([]string{
		"hello there",
		"/history",
		"/save " + file,
		"/reset",
		"/history",
		"/load " + file,
		"/history",
		"//slash is sent",
		"/bogus",
		"/quit",
		"never read",
	}, "\n") + "\n"
	stdout, stderr, code := runLLMKit(t, script, "chat", "--model", "m1", "--endpoint", srv.URL, "--system", "Be brief.", "--max-tokens", "64")
	if code != 0 {
		t.Fatalf("llmkit chat: exit code %d, want 0\nstderr:\n%s", code, stderr)
	}
	want := "Chatting with m1 (" + srv.URL + "). /help lists the commands; Ctrl-D or /quit leaves.\n" +
		"> hello there\n" +
		"> 1. user: hello there\n2. assistant: hello there\n" +
		"> (saved 2 messages to " + file + ")\n" +
		"> (conversation cleared)\n" +
		"> (the conversation is empty)\n" +
		"> (loaded 2 messages from " + file + ")\n" +
		"> 1. user: hello there\n2. assistant: hello there\n" +
		"> /slash is sent\n" +
		"> > "
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("llmkit chat stdout mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, "unknown command /bogus") {
		t.Errorf("llmkit chat stderr lacks the unknown command; stderr:\n%s", stderr)
	}

	// The saved file is the conversation in llmkit's JSON form.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var saved struct{ Messages []llm.Message }
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatalf("saved conversation %s: %v", data, err)
	}
	wantSaved := []llm.Message{llm.UserText("hello there"), llm.AssistantText("hello there")}
	if diff := cmp.Diff(wantSaved, saved.Messages); diff != "" {
		t.Errorf("saved conversation mismatch (-want +got):\n%s", diff)
	}

	// The turn after /load sent the loaded history, with the system prompt.
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the simulator got %d requests, want 2", len(reqs))
	}
	if reqs[1].Op != bedrocktest.OpConverseStream {
		t.Errorf("chat used %s, want converse-stream", reqs[1].Op)
	}
	wantSent := []string{"system: Be brief.", "user: hello there", "assistant: hello there", "user: /slash is sent"}
	if diff := cmp.Diff(wantSent, requestMessages(t, reqs[1].Body)); diff != "" {
		t.Errorf("second request's messages mismatch (-want +got):\n%s", diff)
	}
	if got := string(reqs[1].Body); !strings.Contains(got, `"maxTokens":64`) {
		t.Errorf("second request %s lacks maxTokens 64", got)
	}
}

func TestChatCancelAnswer(t *testing.T) {
	fakeAWSEnv(t)
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	// A slow answer, one character every 20ms, then a quick one.
	srv.Enqueue(bedrocktest.Text("a slow and rather long answer that will not finish").Split(1).Pace(0, 20*time.Millisecond))
	srv.Enqueue(bedrocktest.Text("quick"))

	stdin, in := io.Pipe()
	defer in.Close()
	s := start(t.Context(), stdin, "chat", "--model", "m1", "--endpoint", srv.URL)
	s.stdout.waitFor(t, "> ")
	io.WriteString(in, "tell me slowly\n")
	s.stdout.waitFor(t, "a slow")
	s.interrupts <- os.Interrupt // Ctrl-C while the answer streams
	s.stdout.waitFor(t, "(answer cancelled; it is not part of the conversation)\n> ")
	io.WriteString(in, "/history\n")
	s.stdout.waitFor(t, "(the conversation is empty)\n")
	io.WriteString(in, "again\n")
	s.stdout.waitFor(t, "quick\n> ")
	io.WriteString(in, "/history\n")
	s.stdout.waitFor(t, "1. user: again\n2. assistant: quick\n")
	// Ctrl-C twice at the prompt leaves.
	s.interrupts <- os.Interrupt
	s.stdout.waitFor(t, "(Ctrl-C again, /quit or Ctrl-D to leave)")
	s.interrupts <- os.Interrupt
	if code := s.wait(t); code != 0 {
		t.Errorf("llmkit chat after Ctrl-C twice: exit code %d, want 0\nstderr:\n%s", code, s.stderr)
	}
	in.Close()
}

func TestChatErrors(t *testing.T) {
	tests := []struct {
		name       string
		reply      bedrocktest.ServerReply
		wantCode   int
		wantStderr []string
	}{
		{"throttling, with the retry advice", bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests, please wait before trying again."),
			exitFailure, []string{"llmkit chat: throttled:", "ThrottlingException", "Wait a minute"}},
		{"an unknown model", bedrocktest.Error(bedrocktest.ValidationException, "The provided model identifier is invalid."),
			exitFailure, []string{"llmkit chat: unknown model:", "aws bedrock list-foundation-models"}},
		{"access denied", bedrocktest.Error(bedrocktest.AccessDeniedException, "You don't have access to the model with the specified model ID."),
			exitAuth, []string{"not authorized (AccessDeniedException", "Model access"}},
		{"a stream that breaks midway", bedrocktest.Text("half an answer").ExceptionAfter(2, bedrocktest.ModelStreamErrorException, "model failed"),
			exitFailure, []string{"llmkit chat: bedrock: converse-stream:", "model failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeAWSEnv(t)
			t.Setenv("AWS_MAX_ATTEMPTS", "1") // no retry: each reply answers one turn
			srv := bedrocktest.NewServer(nil)
			defer srv.Close()
			srv.Enqueue(tt.reply)
			srv.Enqueue(bedrocktest.Text("fine"))
			// The chat goes on after the failed turn; its history stays as it was.
			stdout, stderr, code := runLLMKit(t, "first\n/history\nsecond\n", "chat", "--model", "m1", "--endpoint", srv.URL)
			if code != tt.wantCode {
				t.Errorf("llmkit chat: exit code %d, want %d\nstderr:\n%s", code, tt.wantCode, stderr)
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("llmkit chat: stderr lacks %q:\n%s", s, stderr)
				}
			}
			if !strings.Contains(stdout, "(the conversation is empty)\n> fine\n") {
				t.Errorf("llmkit chat: the failed turn was not left out of the history, or the next one failed; stdout:\n%s", stdout)
			}
		})
	}
}

func TestChatMissingCredentials(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	stdout, stderr, code := runLLMKit(t, "hello\n", "chat", "--model", "m1")
	if code != exitAuth {
		t.Errorf("llmkit chat without credentials: exit code %d, want %d", code, exitAuth)
	}
	for _, s := range []string{"failed to retrieve credentials", "AWS_ACCESS_KEY_ID", "llmkit demo"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("llmkit chat without credentials: stderr lacks %q:\n%s", s, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("llmkit chat without credentials wrote %q to stdout, want nothing", stdout)
	}
}

func TestChatNoRegion(t *testing.T) {
	clearAWSEnv(t)
	_, stderr, code := runLLMKit(t, "", "chat", "--model", "m1")
	if code != exitAuth {
		t.Errorf("llmkit chat without a region: exit code %d, want %d", code, exitAuth)
	}
	if !strings.Contains(stderr, "no AWS region: pass --region or set AWS_REGION") {
		t.Errorf("llmkit chat without a region: stderr lacks the advice:\n%s", stderr)
	}
}

func TestChatUnknownProfile(t *testing.T) {
	clearAWSEnv(t)
	_, stderr, code := runLLMKit(t, "", "chat", "--model", "m1", "--profile", "nope", "--region", "us-east-1")
	if code != exitAuth {
		t.Errorf("llmkit chat --profile nope: exit code %d, want %d\nstderr:\n%s", code, exitAuth, stderr)
	}
	if !strings.Contains(stderr, "nope") {
		t.Errorf("llmkit chat --profile nope: stderr does not name the profile:\n%s", stderr)
	}
}
