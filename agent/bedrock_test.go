package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// These tests run the loop end to end on the Bedrock provider: the real SDK client,
// SigV4, JSON and event-stream wire formats, against the bedrocktest simulator.

func newBedrock(t testing.TB) (*bedrock.Model, *bedrocktest.Server) {
	t.Helper()
	srv := bedrocktest.NewServer(nil)
	t.Cleanup(srv.Close)
	return bedrock.New(srv.Client(nil), nil), srv
}

// TestBedrockToolRoundTripFixtures replays the recorded tool_round_trip exchanges as a
// two-step loop with a real Go tool: the requests the loop sends must match the recorded
// ones (as parsed JSON), and the tool must really run on the recorded call.
func TestBedrockToolRoundTripFixtures(t *testing.T) {
	const dir = "anthropic_claude_haiku_4_5_20251001_v1_0/"
	var fixtures []*bedrocktest.Fixture
	for _, name := range []string{"tool_round_trip_1.json", "tool_round_trip_2.json"} {
		f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), dir+name)
		if err != nil {
			t.Fatal(err)
		}
		fixtures = append(fixtures, f)
	}
	m, srv := newBedrock(t)
	replay := &bedrocktest.ReplayOptions{Strict: true}
	srv.Enqueue(fixtures[0].Reply(replay), fixtures[1].Reply(replay))

	var calls atomic.Int32
	add, err := agent.NewTool("add", "Add two integers", func(ctx context.Context, in struct {
		A int `json:"a"`
		B int `json:"b"`
	}) (int, error) {
		calls.Add(1)
		return in.A + in.B, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := agent.New(m, &agent.Options{Tools: []agent.Tool{add}})
	res, err := a.Run(context.Background(), &llm.Request{
		Model:       fixtures[0].ModelID(),
		MaxTokens:   150,
		Temperature: llm.Ptr(0.0),
		Messages:    []llm.Message{llm.UserText("Use the add tool to compute 2 + 3. After the tool result arrives, respond with 'sum=<value>'.")},
	})
	if err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	if err := srv.Check(); err != nil {
		t.Errorf("the loop's requests differ from the recorded ones: %v", err)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("the add tool ran %d times, want 1", got)
	}
	want := []llm.Message{
		llm.UserText("Use the add tool to compute 2 + 3. After the tool result arrives, respond with 'sum=<value>'."),
		{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Text{Text: "I'll use the add tool to compute 2 + 3."},
			llm.ToolCall{ID: "tooluse_pr4l8my1R9Sd9YccZuSb3Q", Name: "add", Input: json.RawMessage(`{"a":2,"b":3}`)},
		}},
		{Role: llm.RoleTool, Parts: []llm.Part{llm.ToolResult{CallID: "tooluse_pr4l8my1R9Sd9YccZuSb3Q", Content: []llm.Part{llm.Text{Text: "5"}}}}},
		llm.AssistantText("sum=5"),
	}
	if diff := cmp.Diff(want, res.Messages, jsonEqual); diff != "" {
		t.Errorf("Result.Messages (-want +got):\n%s", diff)
	}
	if res.Steps != 2 || res.Text() != "sum=5" {
		t.Errorf("Run() = %q after %d steps, want sum=5 after 2", res.Text(), res.Steps)
	}
	// Usage is summed over both recorded calls: 601+698 in, 84+6 out.
	if want := (llm.Usage{InputTokens: 1299, OutputTokens: 90, TotalTokens: 1389}); res.Usage != want {
		t.Errorf("Result.Usage = %+v, want %+v", res.Usage, want)
	}
	requireFormattable(t, res.Messages) // the history invariant
}

// jsonEqual compares JSON raw messages as parsed JSON.
var jsonEqual = cmp.FilterValues(func(x, y json.RawMessage) bool { return json.Valid(x) && json.Valid(y) }, cmp.Comparer(func(x, y json.RawMessage) bool {
	var a, b any
	json.Unmarshal(x, &a)
	json.Unmarshal(y, &b)
	return cmp.Equal(a, b)
}))

// topSong is the radio-station tool of Bedrock's tool-use walkthrough: it knows WZPZ
// and fails for any other station.
func topSong(t *testing.T) agent.Tool {
	tool, err := agent.NewRawTool(llm.Tool{
		Name:        "top_song",
		Description: "Get the most popular song played on a radio station.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"sign":{"type":"string","description":"The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP."}},"required":["sign"]}`),
	}, func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
		var in struct{ Sign string }
		if err := json.Unmarshal(input, &in); err != nil {
			return nil, err
		}
		if in.Sign != "WZPZ" {
			return nil, fmt.Errorf("station %s not found", in.Sign)
		}
		return []llm.Part{llm.Text{Text: `{"song":"Elemental Hotel","artist":"8 Storey Hike"}`}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tool
}

// TestBedrockTopSongStreamed streams the radio-station scenario end to end: the model
// (scripted in the simulator, answering over the real event-stream protocol with split
// deltas and Bedrock's padding) reasons, then asks for two stations in one turn; the
// loop runs both calls, sends an error result for the unknown one, replays the
// reasoning with its signature, and streams the final answer.
func TestBedrockTopSongStreamed(t *testing.T) {
	const model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	m, srv := newBedrock(t)
	srv.Enqueue(
		bedrocktest.Respond(&llm.Response{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				llm.Reasoning{Text: "The user wants the top songs of two stations; I will ask for both.", Signature: "EqMBCkgIBxABGAIiQL2signature"},
				llm.Text{Text: "Let me look up both stations."},
				llm.ToolCall{ID: "tooluse_wzpz", Name: "top_song", Input: json.RawMessage(`{"sign":"WZPZ"}`)},
				llm.ToolCall{ID: "tooluse_wxyz", Name: "top_song", Input: json.RawMessage(`{"sign":"WXYZ"}`)},
			}},
			StopReason: llm.StopReasonToolUse,
			Usage:      llm.Usage{InputTokens: 400, OutputTokens: 80, TotalTokens: 480},
		}).Split(7).Padded().Chunked(50),
		bedrocktest.Respond(&llm.Response{
			Message:    llm.AssistantText("The most popular song on WZPZ is Elemental Hotel by 8 Storey Hike. I could not find a station called WXYZ."),
			StopReason: llm.StopReasonEndTurn,
			Usage:      llm.Usage{InputTokens: 600, OutputTokens: 30, TotalTokens: 630},
		}).Split(5).Padded(),
	)

	a := agent.New(m, &agent.Options{Tools: []agent.Tool{topSong(t)}})
	var text strings.Builder
	var starts []string
	finished := map[string]llm.ToolResult{}
	var result *agent.Result
	for ev, err := range a.Stream(context.Background(), &llm.Request{
		Model:     model,
		MaxTokens: 2048,
		Reasoning: &llm.ReasoningConfig{BudgetTokens: 1024},
		Messages:  []llm.Message{llm.UserText("What is the most popular song on WZPZ and on WXYZ?")},
	}) {
		if err != nil {
			t.Fatalf("Stream() error: %v", err)
		}
		switch ev := ev.(type) {
		case agent.ModelEvent:
			switch e := ev.Event.(type) {
			case llm.TextDelta:
				text.WriteString(e.Text)
			case llm.ToolCallStart:
				starts = append(starts, e.Name+" "+e.ID)
			}
		case agent.ToolFinished:
			finished[ev.Call.ID] = ev.Result
		case agent.Done:
			result = ev.Result
		}
	}
	if err := srv.Check(); err != nil {
		t.Errorf("simulator: %v", err)
	}
	if want := "Let me look up both stations.The most popular song on WZPZ is Elemental Hotel by 8 Storey Hike. I could not find a station called WXYZ."; text.String() != want {
		t.Errorf("streamed text = %q, want %q", text.String(), want)
	}
	if diff := cmp.Diff([]string{"top_song tooluse_wzpz", "top_song tooluse_wxyz"}, starts); diff != "" {
		t.Errorf("streamed tool-call starts (-want +got):\n%s", diff)
	}
	wantResults := map[string]llm.ToolResult{
		"tooluse_wzpz": {CallID: "tooluse_wzpz", Content: []llm.Part{llm.Text{Text: `{"song":"Elemental Hotel","artist":"8 Storey Hike"}`}}},
		"tooluse_wxyz": {CallID: "tooluse_wxyz", Content: []llm.Part{llm.Text{Text: "station WXYZ not found"}}, IsError: true},
	}
	if diff := cmp.Diff(wantResults, finished); diff != "" {
		t.Errorf("tool results (-want +got):\n%s", diff)
	}
	if result == nil || result.Steps != 2 || result.Usage.TotalTokens != 1110 {
		t.Fatalf("Done result = %+v, want 2 steps and 1110 tokens", result)
	}

	// The second request carries the whole first turn back, on the wire: the reasoning
	// with its signature first, both tool uses, then one user turn with both results in
	// call order, the unknown station's marked as an error.
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[1].Op != bedrocktest.OpConverseStream || reqs[1].Model != model {
		t.Fatalf("the simulator received %d requests (%+v), want 2 converse-stream calls", len(reqs), reqs)
	}
	var body struct {
		Messages []struct {
			Role    string            `json:"role"`
			Content []json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(reqs[1].Body, &body); err != nil {
		t.Fatalf("second request body: %v", err)
	}
	if len(body.Messages) != 3 {
		t.Fatalf("second request has %d messages, want 3: %s", len(body.Messages), reqs[1].Body)
	}
	wantWire := []string{
		`{"reasoningContent":{"reasoningText":{"text":"The user wants the top songs of two stations; I will ask for both.","signature":"EqMBCkgIBxABGAIiQL2signature"}}}`,
		`{"text":"Let me look up both stations."}`,
		`{"toolUse":{"toolUseId":"tooluse_wzpz","name":"top_song","input":{"sign":"WZPZ"}}}`,
		`{"toolUse":{"toolUseId":"tooluse_wxyz","name":"top_song","input":{"sign":"WXYZ"}}}`,
		`{"toolResult":{"toolUseId":"tooluse_wzpz","content":[{"json":{"song":"Elemental Hotel","artist":"8 Storey Hike"}}]}}`,
		`{"toolResult":{"toolUseId":"tooluse_wxyz","content":[{"text":"station WXYZ not found"}],"status":"error"}}`,
	}
	var gotWire []json.RawMessage
	gotWire = append(gotWire, body.Messages[1].Content...)
	gotWire = append(gotWire, body.Messages[2].Content...)
	if body.Messages[1].Role != "assistant" || body.Messages[2].Role != "user" || len(gotWire) != len(wantWire) {
		t.Fatalf("second request's last two messages = %s", reqs[1].Body)
	}
	for i, w := range wantWire {
		if diff := cmp.Diff(json.RawMessage(w), gotWire[i], jsonEqual); diff != "" {
			t.Errorf("second request, block %d (-want +got):\n%s", i, diff)
		}
	}
}

// TestBedrockSessionFailures checks the session rules on the real wire: a throttled turn
// (HTTP 429) and a stream broken by an exception frame leave the history unchanged; a
// streamed turn with reasoning enters it once, signature included, and is sent back.
func TestBedrockSessionFailures(t *testing.T) {
	const model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
	m, srv := newBedrock(t)
	answer := &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "A greeting.", Signature: "sig-123"},
			llm.Text{Text: "Hello there!"},
		}},
		StopReason: llm.StopReasonEndTurn,
	}
	srv.Enqueue(
		bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests, please wait before trying again."),
		bedrocktest.Respond(answer).Split(3).ExceptionAfter(4, bedrocktest.ModelStreamErrorException, "The model stream failed."),
		bedrocktest.Respond(answer).Split(3).Padded(),
		bedrocktest.Text("Fine, thanks."),
	)
	s := agent.NewSession(m, &llm.Request{Model: model, MaxTokens: 2048, Reasoning: &llm.ReasoningConfig{BudgetTokens: 1024}})
	ctx := context.Background()

	if _, err := s.Send(ctx, llm.Text{Text: "Hi"}); !errors.Is(err, llm.ErrRateLimited) {
		t.Fatalf("Send() error = %v, want ErrRateLimited", err)
	}
	st, err := s.Stream(ctx, llm.Text{Text: "Hi"})
	if err != nil {
		t.Fatalf("Stream() error: %v", err)
	}
	var pe *llm.ProviderError
	if _, err := st.Response(); !errors.As(err, &pe) || pe.Code != "ModelStreamErrorException" {
		t.Fatalf("Response() of a broken stream error = %v, want the ModelStreamErrorException", err)
	}
	if h := s.History(); len(h) != 0 {
		t.Fatalf("History() after two failed turns = %v, want empty", h)
	}

	st, err = s.Stream(ctx, llm.Text{Text: "Hi"})
	if err != nil {
		t.Fatalf("Stream() error: %v", err)
	}
	for _, err := range st.Text() {
		if err != nil {
			t.Fatalf("Text() error: %v", err)
		}
	}
	if _, err := s.Send(ctx, llm.Text{Text: "How are you?"}); err != nil {
		t.Fatalf("Send() error: %v", err)
	}
	want := []llm.Message{llm.UserText("Hi"), answer.Message, llm.UserText("How are you?"), llm.AssistantText("Fine, thanks.")}
	if diff := cmp.Diff(want, s.History()); diff != "" {
		t.Errorf("History() (-want +got):\n%s", diff)
	}
	reqs := srv.Requests()
	if len(reqs) != 4 || !strings.Contains(string(reqs[3].Body), `"signature":"sig-123"`) {
		t.Errorf("the last request does not replay the reasoning signature: %s", reqs[len(reqs)-1].Body)
	}
	requireSendable(t, m, srv, s.History()) // the history invariant
}

// TestBedrockSessionStreamCutAfterStop: a streamed turn whose stream loses its metadata
// after messageStop fails with llm.ErrStream, leaves the history unchanged, and carries
// the message received in StreamError.Partial.
func TestBedrockSessionStreamCutAfterStop(t *testing.T) {
	m, srv := newBedrock(t)
	answer := &llm.Response{Message: llm.AssistantText("first"), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 1, OutputTokens: 1, TotalTokens: 2}}
	evs, err := llm.ResponseEvents(answer)
	if err != nil {
		t.Fatal(err)
	}
	stop := len(evs) - 1 // up to and including messageStop
	s := agent.NewSession(m, &llm.Request{Model: "us.anthropic.claude-haiku-4-5-20251001-v1:0"})
	srv.Enqueue(bedrocktest.Text("hello"))
	if _, err := s.Send(t.Context(), llm.Text{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	before := s.History()
	for name, reply := range map[string]bedrocktest.ServerReply{
		"connection_dropped": bedrocktest.Respond(answer).DropAfter(stop),
		"metadata_cut":       bedrocktest.Respond(answer).TruncateAfter(stop),
		"clean_end":          bedrocktest.Events(evs[:stop]...),
	} {
		srv.Enqueue(reply)
		st, err := s.Stream(t.Context(), llm.Text{Text: "again"})
		if err != nil {
			t.Fatalf("%s: Stream: %v", name, err)
		}
		_, err = st.Response()
		var se *llm.StreamError
		if !errors.Is(err, llm.ErrStream) || !errors.As(err, &se) || se.Partial == nil {
			t.Fatalf("%s: turn ended with %v, want llm.ErrStream with StreamError.Partial", name, err)
		}
		if got := se.Partial.Text(); got != "first" {
			t.Errorf("%s: Partial text %q, want %q", name, got, "first")
		}
		if diff := cmp.Diff(before, s.History()); diff != "" {
			t.Errorf("%s: history changed by a failed turn (-before +after):\n%s", name, diff)
		}
	}
}
