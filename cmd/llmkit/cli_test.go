package main

import (
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // substrings of stdout
		wantStderr []string // substrings of stderr
	}{
		{"help lists every command and the exit codes", []string{"help"}, 0,
			[]string{"demo", "chat", "ask", "sim", "conformance", "Exit codes", "3    AWS credentials"}, nil},
		{"no command is a usage error", nil, 2, nil, []string{"Usage:", "Commands:"}},
		{"an unknown command is a usage error", []string{"fly"}, 2, nil, []string{`unknown command "fly"`}},
		{"help of an unknown command is a usage error", []string{"help", "fly"}, 2, nil, []string{`unknown command "fly"`}},
		{"help COMMAND prints the command's usage", []string{"help", "ask"}, 0, []string{"Usage: llmkit ask --model ID", "-schema FILE"}, nil},
		{"demo -h", []string{"demo", "-h"}, 0, []string{"Usage: llmkit demo", "-pace"}, nil},
		{"chat -h", []string{"chat", "-h"}, 0, []string{"Usage: llmkit chat --model ID", "/save FILE", "-endpoint URL"}, nil},
		{"ask --help", []string{"ask", "--help"}, 0, []string{"Usage: llmkit ask", "-json"}, nil},
		{"sim -h", []string{"sim", "-h"}, 0, []string{"Usage: llmkit sim", "-addr HOST:PORT", "-fixtures DIR"}, nil},
		{"conformance -h", []string{"conformance", "-h"}, 0, []string{"Usage: llmkit conformance", "-format"}, nil},
		{"an unknown flag is a usage error", []string{"demo", "--fast"}, 2, nil, []string{"flag provided but not defined: -fast", "Usage: llmkit demo"}},
		{"a flag value of the wrong type is a usage error", []string{"chat", "--model", "m", "--max-tokens", "many"}, 2, nil, []string{`invalid value "many" for flag -max-tokens`}},
		{"chat needs --model", []string{"chat"}, 2, nil, []string{"--model is required"}},
		{"ask needs --model", []string{"ask", "hello"}, 2, nil, []string{"--model is required"}},
		{"ask needs a prompt", []string{"ask", "--model", "m"}, 2, nil, []string{"no prompt"}},
		{"a negative token limit is refused", []string{"ask", "--model", "m", "--max-tokens", "-1", "hi"}, 2, nil, []string{"--max-tokens -1"}},
		{"demo takes no arguments", []string{"demo", "now"}, 2, nil, []string{`unexpected argument "now"`}},
		{"a malformed endpoint is refused", []string{"ask", "--model", "m", "--endpoint", "localhost:1", "hi"}, 2, nil, []string{"--endpoint \"localhost:1\": want an http:// or https:// URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runLLMKit(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("llmkit %s: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.wantCode, stdout, stderr)
			}
			for _, s := range tt.wantStdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("llmkit %s: stdout lacks %q:\n%s", strings.Join(tt.args, " "), s, stdout)
				}
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("llmkit %s: stderr lacks %q:\n%s", strings.Join(tt.args, " "), s, stderr)
				}
			}
		})
	}
}
