package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// readmeCommand is one command line of a shell code block of the README.
type readmeCommand struct {
	line int    // in README.md, from 1
	text string // as written, continuation lines joined
}

// readmeBlocks returns the commands of the README's ```sh, ```bash, ```shell and
// ```console blocks, one slice per block, without comment-only and empty lines and
// without "$ " prompts.
func readmeBlocks(t *testing.T, path string) [][]readmeCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks [][]readmeCommand
	var cur []readmeCommand
	inShell, inOther := false, false
	pending, pendingLine := "", 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if fence, ok := strings.CutPrefix(trimmed, "```"); ok {
			switch {
			case inShell:
				blocks = append(blocks, cur)
				cur, inShell = nil, false
			case inOther:
				inOther = false
			case fence == "sh" || fence == "bash" || fence == "shell" || fence == "console":
				inShell = true
			default:
				inOther = true
			}
			continue
		}
		if !inShell {
			continue
		}
		trimmed = strings.TrimPrefix(trimmed, "$ ")
		if pending == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if pending == "" {
			pendingLine = n
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			pending += cont + " "
			continue
		}
		cur = append(cur, readmeCommand{line: pendingLine, text: pending + trimmed})
		pending = ""
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if inShell {
		t.Fatalf("%s: a shell code block is not closed", path)
	}
	return blocks
}

// readmeSkips are commands the test does not run, with the reason.
var readmeSkips = []struct {
	re  *regexp.Regexp
	why string
}{
	{regexp.MustCompile(`^go test\b`), "runs the test suite this test belongs to"},
	{regexp.MustCompile(`^go install \S+@`), "installs from the network; the test runs the binary it built from this clone instead"},
}

// readmeExpected are the commands whose expected exit code is not 0, with the reason.
var readmeExpected = []struct {
	match func(cmd string) bool
	code  int
	why   string
}{
	{liveConformance, exitFailure,
		"live, the suite checks what a real model does; on the simulator's echo those checks fail, so the command runs every scenario and reports failures"},
}

// liveConformance reports whether cmd runs the conformance suite live.
func liveConformance(cmd string) bool {
	return strings.Contains(cmd, "llmkit conformance ") && strings.Contains(cmd, "--model") &&
		!strings.Contains(cmd, "--replay") && !strings.Contains(cmd, "--sim")
}

// localAddr matches the loopback addresses of the README's commands, whose ports the
// test replaces by free ones (other programs may hold the README's ports).
var localAddr = regexp.MustCompile(`(127\.0\.0\.1|localhost):(\d{2,5})\b`)

// TestREADMECommands runs every command of the README's shell code blocks, in order,
// as a user without an AWS account would, and checks its exit code (0, or the one in
// readmeExpected). Blocks added to the README are picked up by themselves.
//
// The commands run with sh from the repository's root, with an empty HOME, no AWS
// variable but AWS_ENDPOINT_URL_BEDROCK_RUNTIME, and standard input "Hello\n". That
// variable points at a simulator in this test, so that commands meant for real
// Bedrock reach it instead: it echoes, and answers a request for a structured object
// with one. "llmkit" and "go run ./cmd/llmkit" run the binary built from this clone;
// other programs run as they are (with GOPROXY=off). A "llmkit sim" command runs in
// the background until the end of its block, then gets Ctrl-C and must exit with 0;
// loopback ports are replaced by free ones, the same in a whole block. Commands in
// readmeSkips are not run.
func TestREADMECommands(t *testing.T) {
	bin := llmkitBinary(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(t, filepath.Join(root, "README.md"))
	if len(blocks) == 0 {
		t.Fatal("README.md has no shell code block")
	}
	srv := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Func(readmeReply)})
	t.Cleanup(srv.Close)
	env := readmeEnv(t, bin, srv.URL)
	ran := 0
	for _, block := range blocks {
		if len(block) == 0 {
			continue
		}
		t.Run(fmt.Sprintf("README.md:%d", block[0].line), func(t *testing.T) {
			ran += runReadmeBlock(t, root, env, block)
		})
	}
	if ran == 0 {
		t.Error("no README command ran")
	}
}

// readmeEnv returns the environment of the README's commands: PATH starting with
// shims for "llmkit" and "go", the Go caches, HOME empty, and the simulator's URL.
func readmeEnv(t *testing.T, bin, simURL string) []string {
	t.Helper()
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	shims := t.TempDir()
	goShim := fmt.Sprintf(`#!/bin/sh
if [ "$1" = run ] && [ "$2" = ./cmd/llmkit ]; then shift 2; exec %q "$@"; fi
exec %q "$@"
`, bin, realGo)
	if err := os.WriteFile(filepath.Join(shims, "go"), []byte(goShim), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(shims, "llmkit")); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + shims + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"GOPROXY=off",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME=" + simURL,
	}
	out, err := exec.Command(realGo, "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	vals := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		if i < len(vals) {
			env = append(env, name+"="+vals[i])
		}
	}
	return env
}

// runReadmeBlock runs the commands of one block and returns how many ran.
func runReadmeBlock(t *testing.T, root string, env []string, block []readmeCommand) int {
	ports := map[string]string{}
	var background []*readmeProcess
	defer func() {
		for _, p := range background {
			p.stop(t)
		}
	}()
	ran := 0
	for _, c := range block {
		skipped := false
		for _, s := range readmeSkips {
			if s.re.MatchString(c.text) {
				t.Logf("README.md:%d: not run: %s: %s", c.line, c.text, s.why)
				skipped = true
			}
		}
		if skipped {
			continue
		}
		ran++
		text := localAddr.ReplaceAllStringFunc(c.text, func(addr string) string {
			m := localAddr.FindStringSubmatch(addr)
			if m[2] == "0" {
				return addr
			}
			if ports[m[2]] == "" {
				ports[m[2]] = freePort(t)
			}
			return m[1] + ":" + ports[m[2]]
		})
		sim := regexp.MustCompile(`\bllmkit (batch )?sim\b`).MatchString(c.text)
		if sim && !strings.ContainsAny(text, ";&|") {
			// sh runs the simulator as itself, so that Ctrl-C reaches it alone.
			text = "exec " + text
		}
		start := time.Now()
		p := startReadmeCommand(t, root, env, c, text)
		if sim {
			p.waitReady(t)
			background = append(background, p)
			continue
		}
		want, why := 0, ""
		for _, e := range readmeExpected {
			if e.match(c.text) {
				want, why = e.code, " ("+e.why+")"
			}
		}
		code := p.wait(t, 3*time.Minute)
		t.Logf("README.md:%d: exit code %d after %v: %s", c.line, code, time.Since(start).Round(time.Millisecond), c.text)
		if code != want {
			t.Errorf("README.md:%d: %s\nexit code %d, want %d%s\nstdout:\n%s\nstderr:\n%s", c.line, c.text, code, want, why, p.stdout, p.stderr)
		}
	}
	return ran
}

// readmeProcess is a README command running under sh.
type readmeProcess struct {
	c      readmeCommand
	cmd    *exec.Cmd
	stdout *buffer
	stderr *buffer
	done   chan struct{}
}

func startReadmeCommand(t *testing.T, root string, env []string, c readmeCommand, text string) *readmeProcess {
	t.Helper()
	p := &readmeProcess{c: c, cmd: exec.Command("sh", "-c", text), stdout: newBuffer(), stderr: newBuffer(), done: make(chan struct{})}
	p.cmd.Dir, p.cmd.Env = root, env
	p.cmd.Stdin = strings.NewReader("Hello\n")
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("README.md:%d: %s: %v", c.line, c.text, err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
	return p
}

// wait waits for the command and returns its exit code; after timeout it kills it and
// fails the test.
func (p *readmeProcess) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		t.Fatalf("README.md:%d: %s: still running after %v; stdout:\n%s\nstderr:\n%s", p.c.line, p.c.text, timeout, p.stdout, p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitReady waits until a simulator prints its banner.
func (p *readmeProcess) waitReady(t *testing.T) {
	t.Helper()
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		for !strings.Contains(p.stdout.String(), "Stop with Ctrl-C.") {
			select {
			case <-p.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
	}
	if !strings.Contains(p.stdout.String(), "Stop with Ctrl-C.") {
		t.Fatalf("README.md:%d: %s: the simulator did not start; stdout:\n%s\nstderr:\n%s", p.c.line, p.c.text, p.stdout, p.stderr)
	}
}

// stop sends Ctrl-C to a background command, which must then exit with 0.
func (p *readmeProcess) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Errorf("README.md:%d: %s: exit code %d after Ctrl-C, want 0\nstderr:\n%s", p.c.line, p.c.text, code, p.stderr)
	}
}

// freePort returns a port no one listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// readmeObject is the object the test's simulator answers structured-output requests
// with; it fits examples/city.schema.json.
const readmeObject = `{"city":"Paris","population":2102650}`

// readmeReply answers the README's commands meant for real Bedrock: a request for a
// structured object (native output or a forced tool) gets readmeObject, any other the
// echo of its last user message.
func readmeReply(req bedrocktest.Request) bedrocktest.ServerReply {
	var body struct {
		OutputConfig json.RawMessage `json:"outputConfig"`
		ToolConfig   struct {
			ToolChoice struct {
				Tool struct {
					Name string `json:"name"`
				} `json:"tool"`
			} `json:"toolChoice"`
		} `json:"toolConfig"`
	}
	json.Unmarshal(req.Body, &body)
	if name := body.ToolConfig.ToolChoice.Tool.Name; name != "" {
		return bedrocktest.Respond(&llm.Response{
			Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "object-1", Name: name, Input: json.RawMessage(readmeObject)}}},
			StopReason: llm.StopReasonToolUse,
		})
	}
	if len(body.OutputConfig) > 0 {
		return bedrocktest.Text(readmeObject)
	}
	return bedrocktest.Echo()
}
