package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) {
		if buildDir != "" {
			os.RemoveAll(buildDir)
		}
	}))
}

// buffer is a bytes.Buffer safe for concurrent use that can wait for content.
type buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	writes  int
	changed chan struct{}
}

func newBuffer() *buffer { return &buffer{changed: make(chan struct{})} }

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	n, err := b.b.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// waitFor waits until the buffer contains s, and fails the test after a while.
func (b *buffer) waitFor(t *testing.T, s string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		b.mu.Lock()
		ok := strings.Contains(b.b.String(), s)
		ch := b.changed
		b.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("output never contained %q; it is:\n%s", s, b.String())
		}
	}
}

// session is one in-process run of the command line.
type session struct {
	stdout, stderr *buffer
	interrupts     chan os.Signal
	done           chan int
}

// start runs llmkit args in-process with stdin, in the background.
func start(ctx context.Context, stdin io.Reader, args ...string) *session {
	s := &session{stdout: newBuffer(), stderr: newBuffer(), interrupts: make(chan os.Signal, 1), done: make(chan int, 1)}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	e := &env{stdin: stdin, stdout: s.stdout, stderr: s.stderr, interrupts: s.interrupts}
	go func() { s.done <- run(ctx, e, args) }()
	return s
}

// wait waits for the command to end and returns its exit code.
func (s *session) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-s.done:
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("the command did not end; stdout:\n%s\nstderr:\n%s", s.stdout, s.stderr)
		return -1
	}
}

// runLLMKit runs llmkit args in-process with stdin and returns its output and exit
// code.
func runLLMKit(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	s := start(t.Context(), strings.NewReader(stdin), args...)
	code = s.wait(t)
	return s.stdout.String(), s.stderr.String(), code
}

// clearAWSEnv leaves the test with no AWS configuration: HOME is an empty
// directory, every AWS_* variable is unset, and the SDK must not probe the EC2
// instance metadata service (which would go to the network).
func clearAWSEnv(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "no-credentials"))
}

// fakeAWSEnv is clearAWSEnv with static credentials and a region, for the simulator.
func fakeAWSEnv(t *testing.T) {
	t.Helper()
	clearAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_REGION", "us-east-1")
}
