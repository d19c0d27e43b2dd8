package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch/batchtest"
)

const batchRequests = `{"id":"t1","messages":[{"role":"user","parts":[{"type":"text","text":"Classify: the parcel never came"}]}]}
{"id":"t2","messages":[{"role":"user","parts":[{"type":"text","text":"Summarise: a call about billing"}]}],"max_tokens":200,"temperature":0.2}
{"id":"t3","messages":[{"role":"user","parts":[{"type":"text","text":"Translate: bonjour"}]}]}
`

// results decodes the JSONL results by id.
func results(t *testing.T, out string) map[string]resultLine {
	t.Helper()
	got := map[string]resultLine{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r resultLine
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("result line %q: %v", line, err)
		}
		got[r.ID] = r
	}
	return got
}

func TestBatchLocal(t *testing.T) {
	clearAWSEnv(t)
	stdout, stderr, code := runLLMKit(t, "", "batch", "submit", "--local", writeFile(t, "req.jsonl", batchRequests))
	if code != 0 {
		t.Fatalf("exit code %d, want 0\nstderr:\n%s", code, stderr)
	}
	got := results(t, stdout)
	for id, want := range map[string]string{"t1": "Classify: the parcel never came", "t2": "Summarise: a call about billing", "t3": "Translate: bonjour"} {
		if r := got[id]; r.Response == nil || r.Response.Text() != want {
			t.Errorf("result %s = %+v, want the echo %q", id, r, want)
		}
	}
	if !strings.Contains(stderr, "Completed, 3/3 records processed (3 ok, 0 failed)") {
		t.Errorf("stderr shows no final progress line:\n%s", stderr)
	}
}

// TestBatchEndpoint runs submit, status, cancel and results as separate commands against
// a stand-in, as a user would against Bedrock.
func TestBatchEndpoint(t *testing.T) {
	fakeAWSEnv(t)
	srv := batchtest.NewServer(&batchtest.Options{PauseAfter: 2})
	defer srv.Close()
	common := []string{"--endpoint", srv.URL}
	args := append([]string{"batch", "submit", "--role", "arn:aws:iam::1:role/r", "--input", "s3://in/", "--output", "s3://out/",
		"--model", "m1", "--min-records", "1", "--name", "cli-test"}, common...)
	stdout, stderr, code := runLLMKit(t, batchRequests, append(args, "-")...)
	if code != 0 {
		t.Fatalf("submit: exit code %d\nstderr:\n%s", code, stderr)
	}
	arn := strings.TrimSpace(stdout)
	if !strings.HasPrefix(arn, "arn:aws:bedrock:") {
		t.Fatalf("submit printed %q, want a job ARN", stdout)
	}
	if _, n, err := srv.Wait(t.Context(), arn); err != nil || n != 2 {
		t.Fatalf("job not held after 2 records: %d, %v", n, err)
	}
	if _, stderr, code := runLLMKit(t, "", append(append([]string{"batch", "cancel"}, common...), arn)...); code != 0 {
		t.Fatalf("cancel: exit code %d\n%s", code, stderr)
	}
	if st, _, err := srv.Wait(t.Context(), arn); err != nil || st != "Stopped" {
		t.Fatalf("after cancel: %s, %v; want Stopped", st, err)
	}
	stdout, stderr, code = runLLMKit(t, "", append(append([]string{"batch", "status"}, common...), arn)...)
	if code != 0 || !strings.Contains(stdout, `"Status": "Stopped"`) || !strings.Contains(stdout, `"Processed": 2`) {
		t.Fatalf("status: exit code %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	stdout, stderr, code = runLLMKit(t, "", append(append([]string{"batch", "results"}, common...), arn)...)
	if code != 0 {
		t.Fatalf("results: exit code %d\n%s", code, stderr)
	}
	got := results(t, stdout)
	if len(got) != 3 || got["t1"].Response == nil || got["t2"].Response == nil || got["t3"].Error == nil || got["t3"].Error.Category != "not processed" {
		t.Errorf("results = %+v, want t1 and t2 answered and t3 not processed", got)
	}
}

func TestBatchBadInput(t *testing.T) {
	tests := []struct {
		name, requests, want string
	}{
		{"unknown field", `{"id":"a","messages":[],"tools":[]}`, "requests line 1"},
		{"rejected request", `{"id":"a","messages":[{"role":"user","parts":[{"type":"text","text":"x"}]}]}
{"id":"b7","messages":[{"role":"assistant","parts":[{"type":"text","text":"x"}]}]}`, `record "b7"`},
		{"duplicate id", `{"id":"a","messages":[{"role":"user","parts":[{"type":"text","text":"x"}]}]}
{"id":"a","messages":[{"role":"user","parts":[{"type":"text","text":"y"}]}]}`, "duplicate record id"},
		{"empty", "\n", "no records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearAWSEnv(t)
			_, stderr, code := runLLMKit(t, tt.requests, "batch", "submit", "--local", "-")
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit code %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
	if _, _, code := runLLMKit(t, "", "batch", "frobnicate"); code != exitUsage {
		t.Errorf("unknown subcommand: exit code %d, want 2", code)
	}
}

// TestBatchSim serves the stand-in with "batch sim" and runs a batch against it with
// --endpoint, as two programs would.
func TestBatchSim(t *testing.T) {
	fakeAWSEnv(t)
	s := start(t.Context(), nil, "batch", "sim", "--addr", "127.0.0.1:0")
	s.stdout.waitFor(t, "Stop with Ctrl-C.\n")
	url := strings.TrimPrefix(strings.SplitN(s.stdout.String(), "\n", 2)[0], "batch stand-in on ")
	stdout, stderr, code := runLLMKit(t, batchRequests, "batch", "submit", "--endpoint", url, "--role", "arn:aws:iam::1:role/r",
		"--input", "s3://in/", "--output", "s3://out/", "--model", "m1", "--min-records", "1", "--wait", "--interval", "5ms", "-")
	if code != 0 {
		t.Fatalf("submit --wait: exit code %d\nstderr:\n%s", code, stderr)
	}
	if got := results(t, stdout); len(got) != 3 || got["t3"].Response == nil || got["t3"].Response.Text() != "Translate: bonjour" {
		t.Errorf("results = %+v, want the three echoes", got)
	}
	s.interrupts <- os.Interrupt
	if code := s.wait(t); code != 0 {
		t.Errorf("batch sim after Ctrl-C: exit code %d, want 0", code)
	}
}
