package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/conformance"
)

// cells returns the cells of the Markdown table row of scenario, or nil.
func cells(table, scenario string) []string {
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "| `"+scenario+"` |") {
			fields := strings.Split(strings.Trim(line, "| "), " | ")
			return fields[1:]
		}
	}
	return nil
}

func TestConformanceReplayTable(t *testing.T) {
	clearAWSEnv(t)
	stdout, stderr, code := runLLMKit(t, "", "conformance", "--replay", "--run", "^(multi_tool|tool_round_trip)$")
	if code != 0 {
		t.Fatalf("llmkit conformance --replay: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	header := "| Scenario | cohere.command-r-plus-v1:0 | global.anthropic.claude-haiku-4-5-20251001-v1:0 | us.meta.llama3-3-70b-instruct-v1:0 | openai:gpt-4o | openai:gpt-4o-mini | openai:llama-3.3-70b-versatile (Groq) | openai:openai/gpt-oss-120b (Groq) | openai:qwen/qwen3-32b (Groq) |"
	if !strings.HasPrefix(stdout, header+"\n") {
		t.Errorf("llmkit conformance --replay table does not start with %q:\n%s", header, stdout)
	}
	if diff := cmp.Diff([]string{"pass", "pass", "pass", "pass", "pass", "pass", "pass", "pass"}, cells(stdout, "multi_tool")); diff != "" {
		t.Errorf("multi_tool row mismatch (-want +got):\n%s\n%s", diff, stdout)
	}
	// Llama 3.3 on Bedrock has no tool_round_trip recording.
	if got := cells(stdout, "tool_round_trip"); len(got) != 8 || got[0] != "pass" || got[1] != "pass" || !strings.HasPrefix(got[2], "skip") || got[3] != "pass" {
		t.Errorf("tool_round_trip row = %q, want pass, pass, skip, pass…:\n%s", got, stdout)
	}
	// One provider's model, by its prefix.
	stdout, stderr, code = runLLMKit(t, "", "conformance", "--replay", "--model", "openai:gpt-4o", "--run", "^basic$")
	if code != 0 || !strings.HasPrefix(stdout, "| Scenario | openai:gpt-4o |\n") || cells(stdout, "basic")[0] != "pass" {
		t.Errorf("llmkit conformance --replay --model openai:gpt-4o: exit code %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestConformanceReplayReport: conformance/testdata/report.md and report.json are what
// "llmkit conformance --replay" prints, as Markdown and as JSON (rewritten with
// -update-report).
func TestConformanceReplayReport(t *testing.T) {
	clearAWSEnv(t)
	for file, format := range map[string]string{"report.md": "md", "report.json": "json"} {
		stdout, stderr, code := runLLMKit(t, "", "conformance", "--replay", "--format", format)
		if code != 0 {
			t.Fatalf("llmkit conformance --replay --format %s: exit code %d\nstderr:\n%s", format, code, stderr)
		}
		path := filepath.Join("..", "..", "conformance", "testdata", file)
		if *updateReport {
			if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(stdout, "\n")); diff != "" {
			t.Errorf("%s differs from llmkit conformance --replay --format %s (-want +got); run go test -run TestConformanceReplayReport -update-report:\n%s", path, format, diff)
		}
	}
}

var updateReport = flag.Bool("update-report", false, "rewrite conformance/testdata/report.md from llmkit conformance --replay")

// TestConformanceReplayAll replays every shipped recording: no scenario fails, and
// every request matches its recording but for the intended differences.
func TestConformanceReplayAll(t *testing.T) {
	clearAWSEnv(t)
	stdout, stderr, code := runLLMKit(t, "", "conformance", "--replay")
	if code != 0 {
		t.Fatalf("llmkit conformance --replay: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, s := range conformance.ReplayScenarios() {
		if cells(stdout, s.Name) == nil {
			t.Errorf("llmkit conformance --replay table has no row for %s:\n%s", s.Name, stdout)
		}
	}
}

func TestConformanceSimJSON(t *testing.T) {
	clearAWSEnv(t)
	models := []string{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "cohere.command-r-plus-v1:0"}
	stdout, stderr, code := runLLMKit(t, "", "conformance", "--sim", "--model", models[0], "--model", models[1], "--format", "json")
	if code != 0 {
		t.Fatalf("llmkit conformance --sim: exit code %d, want 0\nstderr:\n%s", code, stderr)
	}
	var rep conformance.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("llmkit conformance --format json printed %q, not a report: %v", stdout, err)
	}
	if len(rep.Models) != 2 || rep.Models[0].Model != models[0] || rep.Models[1].Model != models[1] {
		t.Fatalf("report models = %+v, want %q", rep.Models, models)
	}
	if len(rep.Scenarios) != len(conformance.Scenarios()) {
		t.Errorf("report has %d scenarios, want the suite's %d", len(rep.Scenarios), len(conformance.Scenarios()))
	}
	tests := []struct {
		model, scenario string
		want            conformance.Status
		why             string
	}{
		{models[0], "reasoning", conformance.StatusPass, "Claude Sonnet 4.5 reasons"},
		{models[1], "reasoning", conformance.StatusSkip, "Command R+ does not"},
		{models[1], "tool_choice_required", conformance.StatusSkip, "Command R+ takes the auto choice only"},
		{models[0], "error_throttling", conformance.StatusPass, "the simulator injects faults"},
	}
	for _, tt := range tests {
		got, ok := rep.Result(tt.model, tt.scenario)
		if !ok || got.Status != tt.want {
			t.Errorf("report result for %s %s = %+v, want %s (%s)", tt.model, tt.scenario, got, tt.want, tt.why)
		}
	}
}

// TestConformanceRecordAndReplay records a live run (against the simulator's echo,
// through --endpoint) and replays the recording offline.
func TestConformanceRecordAndReplay(t *testing.T) {
	fakeAWSEnv(t)
	srv := echoServer(t)
	dir := t.TempDir()
	stdout, stderr, code := runLLMKit(t, "", "conformance", "--endpoint", srv.URL, "--model", "echo.model-v1", "--record", dir, "--run", "^recorded/no_tool$")
	if code != 0 {
		t.Fatalf("llmkit conformance --record: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := cells(stdout, "recorded/no_tool"); len(got) != 1 || got[0] != "pass" {
		t.Errorf("recorded/no_tool row = %q, want pass:\n%s", got, stdout)
	}
	file := filepath.Join(dir, "echo_model_v1", "no_tool.json")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the recording was not written: %v", err)
	}

	clearAWSEnv(t)
	stdout, stderr, code = runLLMKit(t, "", "conformance", "--replay", "--fixtures", dir, "--run", "no_tool")
	if code != 0 {
		t.Fatalf("llmkit conformance --replay --fixtures: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := cells(stdout, "no_tool"); len(got) != 1 || got[0] != "pass" {
		t.Errorf("replayed no_tool row = %q, want pass:\n%s", got, stdout)
	}
}

func TestConformanceFailureExitCode(t *testing.T) {
	fakeAWSEnv(t)
	srv := echoServer(t)
	// An echo is no answer to "basic": it has no usage.
	stdout, _, code := runLLMKit(t, "", "conformance", "--endpoint", srv.URL, "--model", "echo.model-v1", "--run", "^basic$")
	if code != exitFailure {
		t.Errorf("llmkit conformance with a failing scenario: exit code %d, want %d", code, exitFailure)
	}
	if got := cells(stdout, "basic"); len(got) != 1 || !strings.HasPrefix(got[0], "**fail**") {
		t.Errorf("basic row = %q, want a failure:\n%s", got, stdout)
	}
}

func TestConformanceUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no model for a live run", nil, "--model is required"},
		{"two modes", []string{"--replay", "--sim"}, "exclude each other"},
		{"an unknown format", []string{"--sim", "--model", "m", "--format", "xml"}, `--format "xml": want md or json`},
		{"recording offline", []string{"--replay", "--record", "d"}, "--record records live exchanges"},
		{"fixtures without replay", []string{"--model", "m", "--fixtures", "d"}, "--fixtures goes with --replay"},
		{"an endpoint offline", []string{"--sim", "--model", "m", "--endpoint", "http://127.0.0.1:1"}, "for live runs"},
		{"a bad pattern", []string{"--sim", "--model", "m", "--run", "("}, `--run "("`},
		{"a pattern that matches nothing", []string{"--sim", "--model", "m", "--run", "^nothing$"}, "matches no scenario"},
		{"a model with no recording", []string{"--replay", "--model", "acme.none"}, "hold no recording of it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runLLMKit(t, "", append([]string{"conformance"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("llmkit conformance %s: exit code %d, want %d", strings.Join(tt.args, " "), code, exitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("llmkit conformance %s: stderr lacks %q:\n%s", strings.Join(tt.args, " "), tt.want, stderr)
			}
		})
	}
}

func TestConformanceMissingCredentials(t *testing.T) {
	clearAWSEnv(t)
	_, stderr, code := runLLMKit(t, "", "conformance", "--model", "m", "--region", "us-east-1")
	if code != exitAuth || !strings.Contains(stderr, "No AWS credentials were found") {
		t.Errorf("llmkit conformance without credentials: exit code %d, stderr:\n%s\nwant %d and the advice", code, stderr, exitAuth)
	}
}
