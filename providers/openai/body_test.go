package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// sdkBody is the body openai-go sends for params: its Client.Post (NewStreaming for a
// stream, which adds "stream": true), captured by a middleware before any I/O.
func sdkBody(t *testing.T, params *oai.ChatCompletionNewParams, stream bool) []byte {
	t.Helper()
	var sent []byte
	capture := func(r *http.Request, _ option.MiddlewareNext) (*http.Response, error) {
		sent, _ = io.ReadAll(r.Body)
		return nil, errCaptured
	}
	c := oai.NewClient(option.WithBaseURL("http://127.0.0.1:1/"), option.WithAPIKey("k"), option.WithMaxRetries(0),
		option.WithMiddleware(capture))
	if stream {
		s := c.Chat.Completions.NewStreaming(context.Background(), *params)
		_ = s.Close()
	} else {
		_, _ = c.Chat.Completions.New(context.Background(), *params)
	}
	if sent == nil {
		t.Fatal("openai-go sent no body")
	}
	return sent
}

var errCaptured = &captured{}

type captured struct{}

func (*captured) Error() string { return "captured" }

// checkModelBody checks that the body a Model sends for req, Generate's and Stream's,
// means what openai-go sends for the parameters of FormatRequest (FormatStreamRequest).
// It reports whether the Model encoded the body itself.
func checkModelBody(t *testing.T, req *llm.Request) (own bool) {
	t.Helper()
	own = true
	for _, stream := range []bool{false, true} {
		format := openai.FormatRequest
		if stream {
			format = openai.FormatStreamRequest
		}
		params, _, err := format(req)
		if err != nil {
			t.Fatalf("format: %v", err)
		}
		got, ok, err := openai.ModelBody(req, stream)
		if err != nil {
			t.Fatalf("ModelBody: %v", err)
		}
		if !ok {
			own = false
			continue
		}
		want := sdkBody(t, params, stream)
		ms, err := openaitest.CompareJSON(want, got, nil)
		if err != nil {
			t.Fatalf("stream %v: %v\n%s", stream, err, got)
		}
		for _, m := range ms {
			t.Errorf("stream %v: the Model's body differs from openai-go's: %s", stream, m)
		}
		if !json.Valid(got) || bytes.HasSuffix(got, []byte("\n")) {
			t.Errorf("stream %v: body %q", stream, got)
		}
	}
	return own
}

// TestModelBodyRecordings checks the Model's own request body against openai-go's on
// the request behind every recording.
func TestModelBodyRecordings(t *testing.T) {
	names, err := openaitest.FixtureNames(openaitest.Fixtures)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no recordings")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			f, err := openaitest.LoadFixture(openaitest.Fixtures, name)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := requestFor(t, f)
			if !checkModelBody(t, req) {
				t.Errorf("the Model left the body to openai-go")
			}
		})
	}
}

// TestModelBodyFallback checks what the Model's encoding does not carry: extra fields
// go through openai-go's encoder, which merges them, on Generate and Stream.
func TestModelBodyFallback(t *testing.T) {
	req := &llm.Request{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")},
		Extra: &openai.Extra{ServiceTier: "flex", Fields: map[string]any{"top_k": 5}}}
	if _, ok, err := openai.ModelBody(req, false); err != nil || ok {
		t.Errorf("ModelBody with extra fields: own %v, %v; want openai-go's encoding", ok, err)
	}
	m, srv := newModel(t)
	srv.SetFallback(openaitest.Text("hello"))
	if _, err := m.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	s, err := m.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Response(); err != nil {
		t.Fatal(err)
	}
	for i, r := range srv.Requests() {
		var got struct {
			TopK        int    `json:"top_k"`
			ServiceTier string `json:"service_tier"`
			Stream      bool   `json:"stream"`
		}
		if err := json.Unmarshal(r.Body, &got); err != nil || got.TopK != 5 || got.ServiceTier != "flex" || got.Stream != (i == 1) {
			t.Errorf("request %d: %s (%v)", i, r.Body, err)
		}
	}
}

// TestModelBodyRetried checks that openai-go retries a call with the Model's own body,
// sent again whole.
func TestModelBodyRetried(t *testing.T) {
	srv := openaitest.NewServer()
	t.Cleanup(srv.Close)
	m := openai.New(srv.Client(option.WithMaxRetries(1)), nil)
	for _, stream := range []bool{false, true} {
		srv.Enqueue(openaitest.Error(500, "server_error", "", "try again").WithHeader("retry-after-ms", "1"), openaitest.Text("hello"))
		var err error
		if stream {
			var s *llm.Stream
			if s, err = m.Stream(context.Background(), hello()); err == nil {
				_, err = s.Response()
			}
		} else {
			_, err = m.Generate(context.Background(), hello())
		}
		if err != nil {
			t.Fatalf("stream %v: %v", stream, err)
		}
	}
	rs := srv.Requests()
	if len(rs) != 4 {
		t.Fatalf("%d requests, want 4 (two tries each)", len(rs))
	}
	for i := 0; i < 4; i += 2 {
		if len(rs[i].Body) == 0 || !bytes.Equal(rs[i].Body, rs[i+1].Body) || rs[i].Stream != (i == 2) {
			t.Errorf("try 1 %s, try 2 %s", rs[i].Body, rs[i+1].Body)
		}
	}
}

// TestModelBodyVaried checks the Model's own body against openai-go's on requests that
// use every field FormatRequest sets.
func TestModelBodyVaried(t *testing.T) {
	strict := json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false}`)
	loose := json.RawMessage(`{"type":"object","$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}},"properties":{"root":{"$ref":"#/$defs/n"}}}`)
	history := []llm.Message{
		llm.SystemText("Be brief <b> & \"exact\"."),
		{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{Text: "Look:"}, llm.Image{Format: "png", Data: []byte{1, 2, 3}}, llm.Image{URI: "https://example.com/a.jpg?x=1&y=2"}, llm.Text{}}},
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "Adding "}, llm.Text{Text: "ü ☃"}, llm.ToolCall{ID: "c1", Name: "add", Input: json.RawMessage(`{ "a" : 1 }`)}, llm.ToolCall{ID: "c2", Name: "walk"}}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.ToolResult{CallID: "c1", Content: []llm.Part{llm.Text{Text: "2"}}}, llm.ToolResult{CallID: "c2", IsError: true}, llm.Text{Text: "And?"}}},
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.Text{Text: "Done."}}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{}}},
	}
	tools := []llm.Tool{{Name: "add", Description: "Add", InputSchema: strict, Strict: true}, {Name: "walk", InputSchema: loose}, {Name: "bare"}}
	for name, req := range map[string]*llm.Request{
		"everything": {Model: "gpt-4o", Messages: history, Tools: tools, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired},
			MaxTokens: 100, Temperature: llm.Ptr(0.0), TopP: llm.Ptr(0.25), StopSequences: []string{"END", "</s>"},
			Extra: &openai.Extra{Seed: llm.Ptr(int64(-7)), ParallelToolCalls: llm.Ptr(false), User: "u-1", ServiceTier: "flex"}},
		"named tool":          {Model: "gpt-4o-mini", Messages: history, Tools: tools, ToolChoice: llm.UseTool("walk"), Temperature: llm.Ptr(1.3)},
		"tool choice none":    {Model: "gpt-4o", Messages: history[:1:1], Tools: tools[2:], ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceNone}},
		"reasoning model":     {Model: "o4-mini", MaxTokens: 50, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningLow}, Messages: history},
		"native output":       {Model: "gpt-4o", Messages: history[:2], Output: &llm.Output{Schema: strict, Name: "thing", Description: "A thing"}},
		"loose native output": {Model: "gpt-4o", Messages: history[:2], Output: &llm.Output{Schema: loose}},
		"tool output":         {Model: "llama-3.3-70b-versatile", Messages: []llm.Message{llm.UserText("hi")}, Tools: tools[:1], Output: &llm.Output{Schema: strict, Mode: llm.OutputTool}},
		"always reasons":      {Model: "qwen/qwen3-32b", Messages: history[4:], Reasoning: &llm.ReasoningConfig{BudgetTokens: 100}},
	} {
		t.Run(name, func(t *testing.T) {
			if !checkModelBody(t, req) {
				t.Errorf("the Model left the body to openai-go")
			}
		})
	}
}
