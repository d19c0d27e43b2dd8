package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfflineUsage covers what a user with no AWS account meets first: a loopback
// endpoint needs no keys, flags may follow the prompt, and the errors say what to do.
func TestOfflineUsage(t *testing.T) {
	clearAWSEnv(t)
	srv := echoServer(t)
	dir := t.TempDir()
	badSchema := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badSchema, []byte("{\"type\": \"object\",\n  \"properties\": {\"a\": }\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	arraySchema := filepath.Join(dir, "array.json")
	if err := os.WriteFile(arraySchema, []byte(`[1]`), 0o644); err != nil {
		t.Fatal(err)
	}
	down := "http://" + "127.0.0.1:" + freePort(t)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
		notStderr  []string
	}{
		{"a loopback endpoint needs no AWS configuration", []string{"ask", "--model", "any", "--endpoint", srv.URL, "hello"}, 0,
			[]string{"hello\n"}, nil, []string{"credentials", "WARN"}},
		{"flags after the prompt", []string{"ask", "hello", "there", "--model", "any", "--endpoint", srv.URL}, 0,
			[]string{"hello there\n"}, nil, nil},
		{"-- ends the flags", []string{"ask", "--model", "any", "--endpoint", srv.URL, "--", "--model", "is", "text"}, 0,
			[]string{"--model is text\n"}, nil, nil},
		{"the SDK's log only with --debug", []string{"ask", "--model", "any", "--endpoint", srv.URL, "--debug", "hi"}, 0,
			[]string{"hi\n"}, []string{"SDK", "converse-stream"}, nil},
		{"an endpoint where nothing listens", []string{"chat", "--model", "any", "--endpoint", down}, 1,
			nil, []string{"the endpoint " + down + " is not reachable", `Is "llmkit sim" running?`, "llmkit sim --addr 127.0.0.1:8089"}, []string{"exceeded maximum number of attempts"}},
		{"a schema that is not JSON", []string{"ask", "--model", "any", "--schema", badSchema, "hi"}, 2,
			nil, []string{badSchema + ": not valid JSON: line 2, column 23: invalid character '}'"}, nil},
		{"a schema that is not an object", []string{"ask", "--model", "any", "--schema", arraySchema, "hi"}, 2,
			nil, []string{"a JSON Schema is a JSON object, not an array"}, nil},
		{"fixtures that do not exist", []string{"sim", "--fixtures", filepath.Join(dir, "nonexistent")}, 2,
			nil, []string{"--fixtures " + filepath.Join(dir, "nonexistent") + ": no such file or directory"}, []string{"stat ."}},
		{"a script with a mistake", []string{"sim", "--script", arraySchema}, 2,
			nil, []string{"--script " + arraySchema, "line 1, column 1"}, nil},
		{"sim --openai takes no arguments", []string{"sim", "--openai", "extra"}, 2,
			nil, []string{`unexpected argument "extra"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runLLMKit(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("llmkit %s: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.wantCode, stdout, stderr)
			}
			for _, s := range tt.wantStdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tt.notStderr {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, stderr)
				}
			}
		})
	}
}
