package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

func TestDemo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// wantLines must appear in stdout in this order.
		wantLines []string
	}{
		{"streamed, the default", []string{"demo", "--pace", "0"}, []string{
			"Simulated: the model",
			"streams them as",
			"user: " + demoPrompt,
			"assistant: I'll use the add tool to compute 2 + 3.\n",
			`  -> tool call: add({"a":2,"b":3})`,
			"  <- tool result: 5\n",
			"assistant: sum=5\n",
			"done: 2 model calls, 1 tool call, 1299 input + 90 output tokens (as recorded).",
			"check: the 2 requests the agent sent match the recorded ones",
		}},
		{"Converse with the recorded bytes", []string{"demo", "--stream=false"}, []string{
			"replays the recorded Converse responses byte for byte",
			"assistant: I'll use the add tool to compute 2 + 3.\n",
			`  -> tool call: add({"a":2,"b":3})`,
			"  <- tool result: 5\n",
			"assistant: sum=5\n",
			"check: the 2 requests the agent sent match the recorded ones",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The demo needs no AWS configuration at all.
			clearAWSEnv(t)
			stdout, stderr, code := runLLMKit(t, "", tt.args...)
			if code != 0 {
				t.Fatalf("llmkit %s: exit code %d, want 0\nstderr:\n%s", strings.Join(tt.args, " "), code, stderr)
			}
			rest := stdout
			for _, line := range tt.wantLines {
				i := strings.Index(rest, line)
				if i < 0 {
					t.Fatalf("llmkit %s: stdout lacks %q after what came before; stdout:\n%s", strings.Join(tt.args, " "), line, stdout)
				}
				rest = rest[i+len(line):]
			}
			if strings.Contains(stdout, "warning") {
				t.Errorf("llmkit %s: stdout holds a warning:\n%s", strings.Join(tt.args, " "), stdout)
			}
		})
	}
}

// TestDemoStreams checks that the demo's answers reach the terminal in pieces, as they
// arrive, and not once the whole answer is in.
func TestDemoStreams(t *testing.T) {
	clearAWSEnv(t)
	out := newBuffer()
	if err := demo(t.Context(), out, demoConfig{stream: true, shape: streamShape{split: 4}, prompt: demoPrompt}); err != nil {
		t.Fatalf("demo: %v", err)
	}
	// "I'll use the add tool to compute 2 + 3." is 39 characters: 10 deltas of 4.
	if out.writes < 10 {
		t.Errorf("demo wrote %d times, want at least 10 (one per streamed delta); output:\n%s", out.writes, out)
	}
}

func TestAddTool(t *testing.T) {
	add, err := newAddTool()
	if err != nil {
		t.Fatalf("newAddTool: %v", err)
	}
	parts, err := add.Run(t.Context(), json.RawMessage(`{"a":40,"b":2}`))
	if err != nil {
		t.Fatalf("add.Run({40, 2}): %v", err)
	}
	if diff := cmp.Diff([]llm.Part{llm.Text{Text: "42"}}, parts); diff != "" {
		t.Errorf("add.Run({40, 2}) mismatch (-want +got):\n%s", diff)
	}
}

// TestAsStreamComparesRequests checks that a recorded answer served as a stream
// reports a request that differs from the recorded one.
func TestAsStreamComparesRequests(t *testing.T) {
	f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), demoModelDir+"/tool_round_trip_1.json")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := recordedResponse(t.Context(), f)
	if err != nil {
		t.Fatalf("recordedResponse(%s): %v", f.Name, err)
	}
	tests := []struct {
		name    string
		prompt  string
		allow   []bedrocktest.Allow
		wantBad []string // substrings of the problems, in order; none means a match
	}{
		{"the recorded request matches", demoPrompt, nil, nil},
		{"another prompt differs", "Add 2 and 3.", nil, []string{"$.messages[0].content[0].text"}},
		{"an allowed difference is not reported", "Add 2 and 3.", []bedrocktest.Allow{{Path: "$.messages[0].content[0].text", Reason: "test"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &mismatchLog{}
			srv := bedrocktest.NewServer(nil)
			defer srv.Close()
			srv.Enqueue(asStream(f, resp, streamShape{split: 3}, tt.allow, log))
			add, err := newAddTool()
			if err != nil {
				t.Fatal(err)
			}
			m := bedrock.New(srv.Client(nil), nil)
			st, err := m.Stream(t.Context(), &llm.Request{
				Model:       demoModel,
				Messages:    []llm.Message{llm.UserText(tt.prompt)},
				Tools:       []llm.Tool{add.Declaration},
				MaxTokens:   150,
				Temperature: llm.Ptr(0.0),
			})
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			got, err := st.Response()
			if err != nil {
				t.Fatalf("Stream(...).Response(): %v", err)
			}
			// The stream carries the recorded answer.
			if diff := cmp.Diff(resp.Message, got.Message); diff != "" {
				t.Errorf("streamed message mismatch (-want +got):\n%s", diff)
			}
			if got.StopReason != resp.StopReason || got.Usage != resp.Usage {
				t.Errorf("streamed stop reason and usage = %s %+v, want %s %+v", got.StopReason, got.Usage, resp.StopReason, resp.Usage)
			}
			n, problems := log.result()
			if n != 1 {
				t.Errorf("requests checked = %d, want 1", n)
			}
			if len(problems) != len(tt.wantBad) {
				t.Fatalf("problems = %q, want %d naming %q", problems, len(tt.wantBad), tt.wantBad)
			}
			for i, p := range problems {
				if !strings.Contains(p, tt.wantBad[i]) {
					t.Errorf("problem %d = %q, want it to name %q", i, p, tt.wantBad[i])
				}
			}
		})
	}
}

func TestDemoStopsOnInterrupt(t *testing.T) {
	clearAWSEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := start(ctx, nil, "demo", "--pace", "0")
	if code := s.wait(t); code != exitInterrupted {
		t.Errorf("llmkit demo with a cancelled context: exit code %d, want %d\nstderr:\n%s", code, exitInterrupted, s.stderr)
	}
}

// TestDemoWarnsOfMismatch checks that the demo says so when the agent's requests differ
// from the recorded ones (here, another prompt), in both modes.
func TestDemoWarnsOfMismatch(t *testing.T) {
	for _, stream := range []bool{true, false} {
		var out strings.Builder
		if err := demo(t.Context(), &out, demoConfig{stream: stream, prompt: "Add 2 and 3 with the tool."}); err != nil {
			t.Fatalf("demo(stream=%v, another prompt): %v", stream, err)
		}
		const want = "warning: request differs from the recording: anthropic_claude_haiku_4_5_20251001_v1_0/tool_round_trip_1.json: $.messages[0].content[0].text: want "
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo(stream=%v, another prompt) output lacks %q:\n%s", stream, want, out.String())
		}
		if strings.Contains(out.String(), "check: the 2 requests") {
			t.Errorf("demo(stream=%v, another prompt) claims the requests matched:\n%s", stream, out.String())
		}
	}
}
