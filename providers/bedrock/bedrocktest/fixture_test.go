package bedrocktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

func fixtureNames(t testing.TB) []string {
	t.Helper()
	names, err := fs.Glob(bedrocktest.Fixtures(), "*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 19 {
		t.Fatalf("Fixtures() holds %d fixtures, want the 19 recorded ones", len(names))
	}
	return names
}

func loadFixture(t testing.TB, name string) *bedrocktest.Fixture {
	t.Helper()
	f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), name)
	if err != nil {
		t.Fatalf("LoadFixture(%s): %v", name, err)
	}
	return f
}

// withBody makes the SDK send body, byte for byte, instead of the serialized input; the
// request is signed after the replacement.
func withBody(body []byte) func(*bedrockruntime.Options) {
	return func(o *bedrockruntime.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Serialize.Add(middleware.SerializeMiddlewareFunc("bedrocktestReplaceBody",
				func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
					req := in.Request.(*smithyhttp.Request)
					req, err := req.SetStream(bytes.NewReader(body))
					if err != nil {
						return middleware.SerializeOutput{}, middleware.Metadata{}, err
					}
					req.ContentLength = int64(len(body))
					in.Request = req
					return next.HandleSerialize(ctx, in)
				}), middleware.After)
		})
	}
}

// sendFixtureRequest sends the fixture's recorded body to its model and operation
// through the real client, and returns the answer the SDK parsed.
func sendFixtureRequest(t *testing.T, c *bedrockruntime.Client, f *bedrocktest.Fixture, body []byte) (answer, error) {
	t.Helper()
	model := aws.String(f.ModelID())
	if f.Operation() == bedrocktest.OpConverseStream {
		out, err := c.ConverseStream(t.Context(), &bedrockruntime.ConverseStreamInput{ModelId: model}, withBody(body))
		if err != nil {
			return answer{}, err
		}
		st := out.GetStream()
		defer st.Close()
		var evs []types.ConverseStreamOutput
		for ev := range st.Events() {
			evs = append(evs, ev)
		}
		return streamAnswer(t, evs), st.Err()
	}
	out, err := c.Converse(t.Context(), &bedrockruntime.ConverseInput{ModelId: model}, withBody(body))
	if err != nil {
		return answer{}, err
	}
	return answerOf(t, out), nil
}

// recordedAnswer builds the answer a fixture holds, from its JSON body or its frames,
// without the SDK.
func recordedAnswer(t *testing.T, f *bedrocktest.Fixture) answer {
	t.Helper()
	type wireBlock struct {
		Text    *string `json:"text"`
		ToolUse *struct {
			ToolUseID string          `json:"toolUseId"`
			Name      string          `json:"name"`
			Input     json.RawMessage `json:"input"`
		} `json:"toolUse"`
	}
	type wireUsage struct{ InputTokens, OutputTokens, TotalTokens, CacheReadInputTokens, CacheWriteInputTokens int }
	type wireMetrics struct{ LatencyMs int64 }
	usage := func(u wireUsage) [5]int {
		return [5]int{u.InputTokens, u.OutputTokens, u.TotalTokens, u.CacheReadInputTokens, u.CacheWriteInputTokens}
	}
	var a answer
	if f.Operation() != bedrocktest.OpConverseStream {
		var body struct {
			Output struct {
				Message struct{ Content []wireBlock }
			}
			StopReason string
			Usage      wireUsage
			Metrics    wireMetrics
		}
		if err := json.Unmarshal(f.Response.Body, &body); err != nil {
			t.Fatal(err)
		}
		for _, b := range body.Output.Message.Content {
			switch {
			case b.Text != nil:
				a.Blocks = append(a.Blocks, answerBlock{Kind: "text", Text: *b.Text})
			case b.ToolUse != nil:
				a.Blocks = append(a.Blocks, answerBlock{Kind: "tool", ID: b.ToolUse.ToolUseID, Name: b.ToolUse.Name, Text: canonicalJSON(t, b.ToolUse.Input)})
			default:
				t.Fatalf("%s: unexpected block in the recorded body", f.Name)
			}
		}
		a.Stop, a.Usage, a.Latency = body.StopReason, usage(body.Usage), body.Metrics.LatencyMs
		return a
	}
	dec := eventstream.NewDecoder()
	r := bytes.NewReader(f.Body())
	var order []int
	blocks := map[int]*answerBlock{}
	for {
		msg, err := dec.Decode(r, nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: decode recorded frame: %v", f.Name, err)
		}
		var p struct {
			ContentBlockIndex int
			Start             struct {
				ToolUse *struct{ ToolUseID, Name string }
			}
			Delta struct {
				Text    *string
				ToolUse *struct{ Input string }
			}
			StopReason string
			Usage      *wireUsage
			Metrics    wireMetrics
		}
		if err := json.Unmarshal(msg.Payload, &p); err != nil {
			t.Fatal(err)
		}
		block := func(kind string) *answerBlock {
			b, ok := blocks[p.ContentBlockIndex]
			if !ok {
				b = &answerBlock{Kind: kind}
				blocks[p.ContentBlockIndex] = b
				order = append(order, p.ContentBlockIndex)
			}
			return b
		}
		switch msg.Headers.Get(":event-type").String() {
		case "contentBlockStart":
			if p.Start.ToolUse != nil {
				b := block("tool")
				b.ID, b.Name = p.Start.ToolUse.ToolUseID, p.Start.ToolUse.Name
			}
		case "contentBlockDelta":
			switch {
			case p.Delta.Text != nil:
				block("text").Text += *p.Delta.Text
			case p.Delta.ToolUse != nil:
				block("tool").Text += p.Delta.ToolUse.Input
			}
		case "messageStop":
			a.Stop = p.StopReason
		case "metadata":
			a.Usage, a.Latency = usage(*p.Usage), p.Metrics.LatencyMs
		}
	}
	for _, i := range order {
		b := *blocks[i]
		if b.Kind == "tool" {
			b.Text = canonicalJSON(t, []byte(b.Text))
		}
		a.Blocks = append(a.Blocks, b)
	}
	return a
}

// TestReplayFixtures replays every recorded exchange through the real client, sending the
// recorded body: the request must match the recording exactly, and the SDK must parse the
// recorded answer.
func TestReplayFixtures(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, name)
			for _, shape := range []struct {
				reason string
				reply  bedrocktest.ServerReply
			}{
				{"as recorded", f.Reply(nil)},
				{"re-chunked in 3-byte writes", f.Reply(nil).Chunked(3)},
			} {
				s := newServer(t, nil)
				s.Enqueue(shape.reply)
				got, err := sendFixtureRequest(t, s.Client(nil), f, f.Request.Body.B64)
				if err != nil {
					t.Fatalf("%s: replay: %v", shape.reason, err)
				}
				if err := s.Check(); err != nil {
					t.Errorf("%s: Check() = %v, want no mismatch for the recorded body", shape.reason, err)
				}
				if diff := cmp.Diff(recordedAnswer(t, f), got); diff != "" {
					t.Errorf("%s: answer mismatch (-recorded +parsed by the SDK):\n%s", shape.reason, diff)
				}
				r := s.Requests()[0]
				if want := f.Response.Headers["x-amzn-requestid"][0]; r.RequestID != want {
					t.Errorf("%s: answered with request id %q, want the recorded %q", shape.reason, r.RequestID, want)
				}
			}
		})
	}
}

// TestReplayStreamBytes checks that a recorded stream is served byte for byte, in its
// recorded chunks.
func TestReplayStreamBytes(t *testing.T) {
	f := loadFixture(t, "cohere_command_r_plus_v1_0/object_streaming.json")
	s := newServer(t, nil)
	s.Enqueue(f.Reply(nil))
	req, _ := newRawRequest(t, s.URL+"/model/"+f.ModelID()+"/converse-stream", f.Request.Body.B64)
	resp, err := req()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, f.Body()) {
		t.Errorf("replayed stream body differs from the recorded chunks (%d bytes, want %d)", len(got), len(f.Body()))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.amazon.eventstream" {
		t.Errorf("Content-Type = %q, want the recorded application/vnd.amazon.eventstream", ct)
	}
}

func TestReplayFaults(t *testing.T) {
	f := loadFixture(t, "anthropic_claude_haiku_4_5_20251001_v1_0/streaming.json")
	s := newServer(t, nil)
	s.Enqueue(f.Reply(nil).ExceptionAfter(3, bedrocktest.ThrottlingException, "slow down"), f.Reply(nil).TruncateAfter(4))
	c := s.Client(nil)
	for _, want := range []string{"slow down", "body ended inside frame 5"} {
		_, err := sendFixtureRequest(t, c, f, f.Request.Body.B64)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("replay with a fault: error %v, want one containing %q", err, want)
		}
	}
}

// TestReplayMismatches checks that a request differing from the recording is reported
// precisely, and that intended differences are accepted only as declared.
func TestReplayMismatches(t *testing.T) {
	f := loadFixture(t, "anthropic_claude_haiku_4_5_20251001_v1_0/basic.json")
	// Recorded: {"inferenceConfig":{"maxTokens":50,"temperature":0.0},"messages":[{"content":[{"text":"Hello world!"}],"role":"user"}]}
	sent := []byte(`{"inferenceConfig":{"temperature":0,"topP":0.9},"messages":[{"role":"user","content":[{"text":"Hello world!"},{"cachePoint":{"type":"default"}}]}],"toolConfig":{"toolChoice":{"auto":{}}}}`)
	tests := []struct {
		name   string
		opts   *bedrocktest.ReplayOptions
		model  string
		reason string
		want   []bedrocktest.Mismatch
		check  string // in Check's error; empty for nil
		strict bool
	}{
		{
			name:   "strict-compare",
			reason: "every difference is reported, in document order; 0 equals 0.0",
			want: []bedrocktest.Mismatch{
				{Path: "$.inferenceConfig.maxTokens", Want: "50", Got: "(absent)"},
				{Path: "$.inferenceConfig.topP", Want: "(absent)", Got: "0.9"},
				{Path: "$.messages[0].content[1]", Want: "(absent)", Got: `{"cachePoint":{"type":"default"}}`},
				{Path: "$.toolConfig", Want: "(absent)", Got: `{"toolChoice":{"auto":{}}}`},
			},
			check: "$.inferenceConfig.maxTokens: want 50, got (absent)",
		},
		{
			name: "allowed",
			opts: &bedrocktest.ReplayOptions{Allow: []bedrocktest.Allow{
				{Path: "$.inferenceConfig.maxTokens", Absent: true, Reason: "no token limit was asked for"},
				{Path: "$.inferenceConfig.topP", Want: json.RawMessage(`0.9`), Reason: "top_p set by the test"},
				{Path: "$.messages[*].content[1]", Reason: "cache point added"},
				{Path: "$.toolConfig", Want: json.RawMessage(`{"toolChoice":{"auto":{}}}`), Reason: "ReqLLM omitted the tool choice"},
			}},
			reason: "declared differences are accepted",
		},
		{
			name: "allowed-but-wrong",
			opts: &bedrocktest.ReplayOptions{Allow: []bedrocktest.Allow{
				{Path: "$.inferenceConfig", Reason: "inference settings differ"},
				{Path: "$.messages", Reason: "messages differ"},
				{Path: "$.toolConfig", Want: json.RawMessage(`{"toolChoice":{"any":{}}}`), Reason: "a forced choice is expected"},
			}},
			reason: "a value declared with Want must be exactly that",
			want:   []bedrocktest.Mismatch{{Path: "$.toolConfig.toolChoice.any", Want: "{}", Got: "(absent)"}, {Path: "$.toolConfig.toolChoice.auto", Want: "(absent)", Got: "{}"}},
			check:  "$.toolConfig.toolChoice.any: want {}, got (absent)",
		},
		{
			name:   "no-reason",
			opts:   &bedrocktest.ReplayOptions{Allow: []bedrocktest.Allow{{Path: "$.inferenceConfig"}, {Path: "$.messages", Reason: "x"}, {Path: "$.toolConfig", Reason: "x"}}},
			reason: "an intended difference needs a reason",
			check:  "Allow $.inferenceConfig has no reason",
		},
		{
			name:   "model",
			opts:   &bedrocktest.ReplayOptions{Allow: []bedrocktest.Allow{{Path: "$", Reason: "body not under test"}}},
			model:  "us.anthropic.claude-haiku-4-5-20251001-v1:0",
			reason: "a request to another model is a mismatch",
			want:   []bedrocktest.Mismatch{{Path: "model", Want: "global.anthropic.claude-haiku-4-5-20251001-v1:0", Got: "us.anthropic.claude-haiku-4-5-20251001-v1:0"}},
			check:  "model: want global.anthropic",
		},
		{
			name:   "strict-option",
			opts:   &bedrocktest.ReplayOptions{Strict: true},
			reason: "Strict refuses a mismatching request with a ValidationException",
			want: []bedrocktest.Mismatch{
				{Path: "$.inferenceConfig.maxTokens", Want: "50", Got: "(absent)"},
				{Path: "$.inferenceConfig.topP", Want: "(absent)", Got: "0.9"},
				{Path: "$.messages[0].content[1]", Want: "(absent)", Got: `{"cachePoint":{"type":"default"}}`},
				{Path: "$.toolConfig", Want: "(absent)", Got: `{"toolChoice":{"auto":{}}}`},
			},
			check:  "$.toolConfig: want (absent)",
			strict: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, nil)
			s.Enqueue(f.Reply(tt.opts))
			model := f.ModelID()
			if tt.model != "" {
				model = tt.model
			}
			_, err := s.Client(nil).Converse(t.Context(), &bedrockruntime.ConverseInput{ModelId: aws.String(model)}, withBody(sent))
			var ve *types.ValidationException
			if tt.strict {
				if !errors.As(err, &ve) || !strings.Contains(ve.ErrorMessage(), "$.inferenceConfig.maxTokens: want 50, got (absent)") {
					t.Errorf("%s: Converse error = %v, want a ValidationException listing the differences", tt.reason, err)
				}
			} else if err != nil {
				t.Errorf("%s: Converse: %v, want the recorded answer", tt.reason, err)
			}
			for i := range tt.want {
				tt.want[i].Fixture = f.Name
			}
			if diff := cmp.Diff(tt.want, s.Mismatches()); diff != "" {
				t.Errorf("%s: Mismatches() (-want +got):\n%s", tt.reason, diff)
			}
			err = s.Check()
			if tt.check == "" && err != nil || tt.check != "" && (err == nil || !strings.Contains(err.Error(), tt.check)) {
				t.Errorf("%s: Check() = %v, want %q", tt.reason, err, tt.check)
			}
		})
	}
}

func TestCompareJSON(t *testing.T) {
	tests := []struct {
		name      string
		want, got string
		allow     []bedrocktest.Allow
		reason    string
		mismatch  []bedrocktest.Mismatch
		err       string
	}{
		{"equal", `{"a":1,"b":[true,null,"x"]}`, `{"b":[true,null,"x"],"a":1.0}`, nil, "member order and number spelling do not matter", nil, ""},
		{"exponent", `{"t":1e2}`, `{"t":100}`, nil, "1e2 equals 100", nil, ""},
		{"type", `{"a":"1"}`, `{"a":1}`, nil, "a string is not a number", []bedrocktest.Mismatch{{Path: "$.a", Want: `"1"`, Got: "1"}}, ""},
		{"array-length", `[1,2]`, `[1,2,3]`, nil, "an extra element is reported by index", []bedrocktest.Mismatch{{Path: "$[2]", Want: "(absent)", Got: "3"}}, ""},
		{"object-vs-array", `{"a":{}}`, `{"a":[]}`, nil, "the whole value is reported", []bedrocktest.Mismatch{{Path: "$.a", Want: "{}", Got: "[]"}}, ""},
		{"odd-key", `{"a b":1}`, `{"a b":2}`, nil, "keys that are not identifiers are quoted", []bedrocktest.Mismatch{{Path: `$["a b"]`, Want: "1", Got: "2"}}, ""},
		{"wildcards", `{"m":[{"x":1},{"x":2}]}`, `{"m":[{"x":3},{"x":4}]}`, []bedrocktest.Allow{{Path: "$.m[*].x", Reason: "r"}}, "[*] matches every index", nil, ""},
		{"key-wildcard", `{"a":{"x":1,"y":2}}`, `{"a":{"x":5,"y":6}}`, []bedrocktest.Allow{{Path: `$.*["y"]`, Reason: "r"}}, ".* matches any key; [\"y\"] a quoted key", []bedrocktest.Mismatch{{Path: "$.a.x", Want: "1", Got: "5"}}, ""},
		{"bad-pattern", `{}`, `{}`, []bedrocktest.Allow{{Path: "$.a[x]", Reason: "r"}}, "an unparsable path is an error", nil, "index \"x\""},
		{"bad-json", `{`, `{}`, nil, "invalid recorded JSON is an error", nil, "recorded JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bedrocktest.CompareJSON([]byte(tt.want), []byte(tt.got), tt.allow)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("%s: CompareJSON(%s, %s) error = %v, want one containing %q", tt.reason, tt.want, tt.got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: CompareJSON(%s, %s): %v", tt.reason, tt.want, tt.got, err)
			}
			if diff := cmp.Diff(tt.mismatch, got); diff != "" {
				t.Errorf("%s: CompareJSON(%s, %s) (-want +got):\n%s", tt.reason, tt.want, tt.got, diff)
			}
		})
	}
}

func TestLoadFixtureErrors(t *testing.T) {
	good, err := fs.ReadFile(bedrocktest.Fixtures(), "anthropic_claude_haiku_4_5_20251001_v1_0/basic.json")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(good, &m)
		fn(m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not-json", []byte(`{`), "load fixture fixture.json: unexpected end of JSON input"},
		{"bad-url", edit(func(m map[string]any) { m["request"].(map[string]any)["url"] = "https://x/foo" }), "is not …/model/{modelId}/{operation}"},
		{"bad-op", edit(func(m map[string]any) { m["request"].(map[string]any)["url"] = "https://x/model/m/chat" }), `unknown operation "chat"`},
		{"no-status", edit(func(m map[string]any) { delete(m["response"].(map[string]any), "status") }), "response.status is missing"},
		{"body-differs", edit(func(m map[string]any) {
			m["request"].(map[string]any)["canonical_json"].(map[string]any)["inferenceConfig"] = map[string]any{"maxTokens": 51}
		}), "$.inferenceConfig.maxTokens: want 51, got 50"},
		{"stream-without-chunks", edit(func(m map[string]any) { m["request"].(map[string]any)["url"] = "https://x/model/m/converse-stream" }), "a successful stream needs chunks"},
	}
	for _, tt := range tests {
		_, err := parseFixture(tt.data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: LoadFixture error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
