package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// These tests run the built command as a user would, with real signals and an
// environment holding no AWS configuration.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// llmkitBinary builds the command once per test run, with the environment the tests
// started with (the Go caches live under HOME).
func llmkitBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command; skipped with -short")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "llmkit-cmd-test")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "llmkit")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildFailure{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binPath
}

type buildFailure struct {
	err error
	out string
}

func (b *buildFailure) Error() string { return b.err.Error() + "\n" + b.out }

// childEnv returns an environment with no AWS configuration: HOME is home, the only
// AWS variable is AWS_EC2_METADATA_DISABLED (so the SDK never probes the instance
// metadata service), plus extra.
func childEnv(home string, extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_EC2_METADATA_DISABLED=true"}
	return append(env, extra...)
}

// process is a running llmkit binary.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *buffer
	stderr *buffer
}

func startBinary(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(llmkitBinary(t), args...), stdout: newBuffer(), stderr: newBuffer()}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// wait closes stdin, waits for the process and returns its exit code.
func (p *process) wait(t *testing.T) int {
	t.Helper()
	p.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-done
		t.Fatalf("llmkit %s did not end; stdout:\n%s\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), p.stdout, p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

func TestBinaryDemoWithoutAWS(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	// A broken AWS configuration and an unknown profile: the demo must not read them.
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile broken\nregion = \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startBinary(t, childEnv(home, "AWS_PROFILE=does-not-exist"), "demo")
	if code := p.wait(t); code != 0 {
		t.Fatalf("llmkit demo: exit code %d, want 0\nstderr:\n%s", code, p.stderr)
	}
	for _, want := range []string{"  <- tool result: 5\n", "assistant: sum=5\n", "check: the 2 requests the agent sent match the recorded ones"} {
		if !strings.Contains(p.stdout.String(), want) {
			t.Errorf("llmkit demo stdout lacks %q:\n%s", want, p.stdout)
		}
	}
}

func TestBinaryChatMissingCredentials(t *testing.T) {
	t.Parallel()
	p := startBinary(t, childEnv(t.TempDir(), "AWS_REGION=us-east-1"), "chat", "--model", "us.anthropic.claude-haiku-4-5-20251001-v1:0")
	io.WriteString(p.stdin, "hello\n")
	if code := p.wait(t); code != exitAuth {
		t.Errorf("llmkit chat without credentials: exit code %d, want %d\nstderr:\n%s", code, exitAuth, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "No AWS credentials were found") || !strings.Contains(p.stderr.String(), "llmkit demo") {
		t.Errorf("llmkit chat without credentials: stderr lacks the advice:\n%s", p.stderr)
	}
}

func TestBinaryBadFlag(t *testing.T) {
	t.Parallel()
	p := startBinary(t, childEnv(t.TempDir()), "ask", "--modle", "m", "hi")
	if code := p.wait(t); code != exitUsage {
		t.Errorf("llmkit ask --modle: exit code %d, want %d", code, exitUsage)
	}
	if !strings.Contains(p.stderr.String(), "flag provided but not defined: -modle") {
		t.Errorf("llmkit ask --modle: stderr lacks the flag error:\n%s", p.stderr)
	}
}

// TestBinaryChatCtrlC sends a real SIGINT while an answer streams.
func TestBinaryChatCtrlC(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue(bedrocktest.Text("a slow answer that the user will not wait for").Split(1).Pace(0, 30*time.Millisecond))
	srv.Enqueue(bedrocktest.Text("second answer"))
	p := startBinary(t, childEnv(t.TempDir(), "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_REGION=us-east-1"),
		"chat", "--model", "m1", "--endpoint", srv.URL)
	io.WriteString(p.stdin, "slowly, please\n")
	p.stdout.waitFor(t, "a slow")
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.stdout.waitFor(t, "(answer cancelled; it is not part of the conversation)")
	io.WriteString(p.stdin, "again\n/history\n/quit\n")
	if code := p.wait(t); code != 0 {
		t.Errorf("llmkit chat: exit code %d, want 0\nstderr:\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stdout.String(), "1. user: again\n2. assistant: second answer\n") {
		t.Errorf("llmkit chat: the history after a cancelled answer is wrong; stdout:\n%s", p.stdout)
	}
}

func TestBinarySimSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			p := startBinary(t, childEnv(t.TempDir()), "sim")
			p.stdout.waitFor(t, "Stop with Ctrl-C.\n")
			m := simURL.FindStringSubmatch(p.stdout.String())
			if m == nil {
				t.Fatalf("llmkit sim printed no URL:\n%s", p.stdout)
			}
			_, err := sdkClient(m[1]).Converse(t.Context(), &bedrockruntime.ConverseInput{
				ModelId: aws.String("any-model"),
				Messages: []types.Message{{
					Role:    types.ConversationRoleUser,
					Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "ping"}},
				}},
			})
			if err != nil {
				t.Fatalf("Converse with llmkit sim: %v", err)
			}
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != 0 {
				t.Errorf("llmkit sim after %v: exit code %d, want 0\nstderr:\n%s", sig, code, p.stderr)
			}
			if !strings.Contains(p.stdout.String(), "llmkit sim: stopped after 1 requests") {
				t.Errorf("llmkit sim after %v: stdout lacks the stop line:\n%s", sig, p.stdout)
			}
			if !strings.Contains(p.stderr.String(), "converse any-model") {
				t.Errorf("llmkit sim did not log the request on stderr:\n%s", p.stderr)
			}
		})
	}
}
