package structured_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/schema"
	"github.com/llmkit/llmkit/structured"
)

// profile is the Go form of the schema in the recorded object_* fixtures: schema.For
// must reflect it to the schema ReqLLM sent (compared as parsed JSON by the replay).
type profile struct {
	Name       string `json:"name" jsonschema:"description=Person's full name"`
	Age        int    `json:"age" jsonschema:"description=Person's age in years,minimum=1"`
	Occupation string `json:"occupation,omitempty" jsonschema:"description=Person's job or profession"`
}

// forceNamed is the tool choice llmkit adds for models that take a named choice (Claude;
// providers/bedrock/RULES.md REQ-TOOL-CHOICE). ReqLLM's recordings omit it; for Cohere
// and Llama, which cannot be forced, llmkit sends no choice either (and warns).
const forceNamed = `{"tool":{"name":"structured_output"}}`

// fixtureModel returns a Bedrock model on a simulator that replays the fixture name,
// and the request that was recorded for it. The request llmkit sends must equal the
// recorded one as parsed JSON, but for the tool choice when forced is set.
func fixtureModel(t *testing.T, name, forced string) (llm.Model, *bedrocktest.Server, *llm.Request) {
	t.Helper()
	var allow []bedrocktest.Allow
	if forced != "" {
		allow = []bedrocktest.Allow{{
			Path:   "$.toolConfig.toolChoice",
			Reason: "llmkit forces the structured_output call where the model takes a named choice; ReqLLM omitted the choice",
			Want:   json.RawMessage(forced),
		}}
	}
	f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), name)
	if err != nil {
		t.Fatal(err)
	}
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	srv.Enqueue(f.Reply(&bedrocktest.ReplayOptions{Allow: allow}))
	req := &llm.Request{
		Model:       f.ModelID(),
		Messages:    []llm.Message{llm.UserText("Generate a software engineer profile")},
		MaxTokens:   500,
		Temperature: llm.Ptr(0.0),
	}
	return bedrock.New(srv.Client(nil), nil), srv, req
}

// checkSent checks the request the simulator received against the recording and the
// expected tool choice (absent when forced is empty).
func checkSent(t *testing.T, srv *bedrocktest.Server, forced string) {
	t.Helper()
	if err := srv.Check(); err != nil {
		t.Errorf("the request differs from the recording:\n%v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the simulator got %d requests, want 1", len(reqs))
	}
	var body struct {
		ToolConfig struct {
			ToolChoice json.RawMessage `json:"toolChoice"`
		} `json:"toolConfig"`
	}
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if got := string(body.ToolConfig.ToolChoice); got != forced {
		t.Errorf("toolChoice sent = %q, want %q", got, forced)
	}
}

func objectOptions(coerce bool) *structured.Options {
	return &structured.Options{
		Description: "Generate structured output matching the provided schema",
		Mode:        llm.OutputTool, // as recorded: the synthetic tool, not native output
		Coerce:      coerce,
	}
}

// TestGenerateRecorded decodes the recorded object_basic answers of three model
// families through the real Bedrock client, llmkit's Bedrock model and the simulator,
// and checks that the request llmkit sent matches the recorded one.
func TestGenerateRecorded(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		fixture string
		forced  string // the tool choice llmkit adds, or "" for none
		coerce  bool
		want    profile
	}{
		{
			name: "claude", reason: "Claude answers with the forced tool call alone",
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/object_basic.json", forced: forceNamed,
			want: profile{Name: "Alex Johnson", Age: 32, Occupation: "Software Engineer"},
		},
		{
			name: "cohere", reason: "Cohere writes a preamble before the tool call; the object is still the call's input",
			fixture: "cohere_command_r_plus_v1_0/object_basic.json",
			want:    profile{Name: "John Smith", Age: 30, Occupation: "Software Engineer"},
		},
		{
			name: "llama_coerced", reason: `Llama sends "age":"30" (providers/bedrock/RULES.md RESP-LLAMA): this decodes only with Coerce`,
			fixture: "meta_llama3_3_70b_instruct_v1_0/object_basic.json", coerce: true,
			want: profile{Name: "John Doe", Age: 30, Occupation: "Software Engineer"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, srv, req := fixtureModel(t, tt.fixture, tt.forced)
			got, resp, err := structured.Generate[profile](context.Background(), m, req, objectOptions(tt.coerce))
			if err != nil {
				t.Fatalf("Generate(%s) error: %v (%s)", tt.fixture, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Generate(%s) mismatch (-want +got), %s:\n%s", tt.fixture, tt.reason, diff)
			}
			if resp.StopReason != llm.StopReasonEndTurn || len(resp.ToolCalls()) != 0 {
				t.Errorf("Generate(%s) stop %q, tool calls %v; want end_turn and no visible call", tt.fixture, resp.StopReason, resp.ToolCalls())
			}
			checkSent(t, srv, tt.forced)
		})
	}
}

// TestGenerateRecordedLlamaStrict: without coercion, Llama's string number is a
// schema mismatch naming the path, with the raw object kept for the caller.
func TestGenerateRecordedLlamaStrict(t *testing.T) {
	m, srv, req := fixtureModel(t, "meta_llama3_3_70b_instruct_v1_0/object_basic.json", "")
	_, resp, err := structured.Generate[profile](context.Background(), m, req, objectOptions(false))
	var oe *structured.Error
	if !errors.As(err, &oe) || oe.Reason != structured.ReasonMismatch {
		t.Fatalf("Generate(llama, strict) error = %v, want a schema mismatch", err)
	}
	var ve *schema.ValidationError
	if !errors.As(err, &ve) || ve.Path != "/age" || ve.Message != "want integer, got string" {
		t.Errorf("Generate(llama, strict) validation error = %#v, want /age: want integer, got string", ve)
	}
	if !strings.Contains(oe.Raw, `"age":"30"`) || resp == nil {
		t.Errorf("Generate(llama, strict) Raw = %q, response %v; want the raw object and the response", oe.Raw, resp)
	}
	checkSent(t, srv, "")
}

// TestStreamRecorded decodes the recorded object_streaming answer (Cohere, the
// only model recorded streaming an object) through converse-stream.
func TestStreamRecorded(t *testing.T) {
	m, srv, req := fixtureModel(t, "cohere_command_r_plus_v1_0/object_streaming.json", "")
	s, err := structured.Stream[profile](context.Background(), m, req, objectOptions(false))
	if err != nil {
		t.Fatalf("Stream(object_streaming) error: %v", err)
	}
	defer s.Close()
	var text strings.Builder
	for chunk, err := range s.Text() {
		if err != nil {
			t.Fatalf("Stream(object_streaming).Text() error: %v", err)
		}
		text.WriteString(chunk)
	}
	got, resp, err := s.Object()
	if err != nil {
		t.Fatalf("Stream(object_streaming).Object() error: %v", err)
	}
	want := profile{Name: "John Smith", Age: 30, Occupation: "Software Engineer"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stream(object_streaming) mismatch (-want +got):\n%s", diff)
	}
	streamed, err := schema.Decode[profile]([]byte(text.String()), nil)
	if err != nil || streamed != want {
		t.Errorf("streamed text %q decodes to %+v, %v; want the object itself", text.String(), streamed, err)
	}
	if resp.Usage.TotalTokens == 0 {
		t.Errorf("Stream(object_streaming) usage = %+v, want the recorded usage", resp.Usage)
	}
	checkSent(t, srv, "")
}

// TestStreamPartialsRecorded streams the recorded object_streaming answer (Cohere's
// converse-stream, replayed by the simulator through the real Bedrock client) and
// checks the partial values Partials yields as the JSON arrives: a member appears when
// its value has arrived (the age only once "30" is complete, never as 3), a string
// grows as its fragments come, and the last value is the validated object.
func TestStreamPartialsRecorded(t *testing.T) {
	m, srv, req := fixtureModel(t, "cohere_command_r_plus_v1_0/object_streaming.json", "")
	s, err := structured.Stream[profile](context.Background(), m, req, objectOptions(false))
	if err != nil {
		t.Fatalf("Stream(object_streaming) error: %v", err)
	}
	defer s.Close()
	var got []profile
	for v, err := range s.Partials() {
		if err != nil {
			t.Fatalf("Stream(object_streaming).Partials() error: %v", err)
		}
		got = append(got, v)
	}
	want := []profile{
		{},
		{Age: 30},
		{Age: 30, Name: "John"},
		{Age: 30, Name: "John Smith"},
		{Age: 30, Name: "John Smith", Occupation: "Software"},
		{Age: 30, Name: "John Smith", Occupation: "Software Engineer"},
		{Age: 30, Name: "John Smith", Occupation: "Software Engineer"}, // the final, validated value
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stream(object_streaming).Partials() sequence (-want +got):\n%s", diff)
	}
	final, resp, err := s.Object()
	if err != nil || final != want[len(want)-1] || resp == nil {
		t.Errorf("Object() after Partials() = %+v, %v; want the last value", final, err)
	}
	var again []profile
	for v, err := range s.Partials() {
		if err != nil {
			t.Fatalf("second Partials() error: %v", err)
		}
		again = append(again, v)
	}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("a second pass over Partials() differs (-first +second):\n%s", diff)
	}
	checkSent(t, srv, "")
}
