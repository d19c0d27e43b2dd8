package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/llmkit/llmkit/internal/goldenfile"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// recorded is the part of a recorded request the replay test reads to rebuild the
// llm.Request a program would have made.
type recorded struct {
	Model       string   `json:"model"`
	MaxTokens   int      `json:"max_tokens"`
	Temperature *float64 `json:"temperature"`
	TopP        *float64 `json:"top_p"`
	Seed        *int64   `json:"seed"`
	Stream      bool     `json:"stream"`
	Effort      string   `json:"reasoning_effort"`
	Messages    []struct {
		Role       string          `json:"role"`
		Content    json.RawMessage `json:"content"`
		ToolCallID string          `json:"tool_call_id"`
		ToolCalls  []struct {
			ID       string `json:"id"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"messages"`
	Tools []struct {
		Function struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
			Strict      bool            `json:"strict"`
		} `json:"function"`
	} `json:"tools"`
	ToolChoice     json.RawMessage `json:"tool_choice"`
	ResponseFormat struct {
		JSONSchema struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

// requestFor rebuilds the llm.Request behind a recording, and the intended differences
// between what llmkit sends for it and what ReqLLM sent.
func requestFor(t *testing.T, f *openaitest.Fixture) (*llm.Request, []openaitest.Allow) {
	t.Helper()
	var rec recorded
	if err := json.Unmarshal(f.Request.CanonicalJSON, &rec); err != nil {
		t.Fatal(err)
	}
	req := &llm.Request{Model: rec.Model, MaxTokens: rec.MaxTokens, Temperature: rec.Temperature, TopP: rec.TopP}
	var allow []openaitest.Allow
	if rec.Seed != nil {
		req.Extra = &openai.Extra{Seed: rec.Seed}
	}
	if !rec.Stream {
		allow = append(allow, openaitest.Allow{Path: "$.stream", Absent: true,
			Reason: "ReqLLM sends stream: false; openai-go's New sends no stream field (false is the default)"})
	}
	if rec.Effort != "" {
		req.Reasoning = &llm.ReasoningConfig{Effort: llm.ReasoningEffort(rec.Effort)}
	}
	for i, m := range rec.Messages {
		var text string
		_ = json.Unmarshal(m.Content, &text)
		switch m.Role {
		case "system":
			req.Messages = append(req.Messages, llm.SystemText(text))
		case "user":
			req.Messages = append(req.Messages, llm.UserText(text))
		case "tool":
			req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Parts: []llm.Part{
				llm.ToolResult{CallID: m.ToolCallID, Content: []llm.Part{llm.Text{Text: text}}}}})
			allow = append(allow, openaitest.Allow{Path: fmt.Sprintf("$.messages[%d].name", i), Absent: true,
				Reason: "ReqLLM names the tool in a tool message; Chat Completions defines no name there (openai-go's ToolMessageParam has none)"})
		case "assistant":
			msg := llm.Message{Role: llm.RoleAssistant}
			if text != "" {
				msg.Parts = append(msg.Parts, llm.Text{Text: text})
			} else if len(m.ToolCalls) > 0 {
				allow = append(allow, openaitest.Allow{Path: fmt.Sprintf("$.messages[%d].content", i), Absent: true,
					Reason: "ReqLLM sends content: [] beside tool calls; llmkit sends no content when the turn has no text"})
			}
			for _, c := range m.ToolCalls {
				msg.Parts = append(msg.Parts, llm.ToolCall{ID: c.ID, Name: c.Function.Name, Input: json.RawMessage(c.Function.Arguments)})
			}
			req.Messages = append(req.Messages, msg)
		default:
			t.Fatalf("role %q in recording", m.Role)
		}
	}
	var forced struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	_ = json.Unmarshal(rec.ToolChoice, &forced)
	for _, tool := range rec.Tools {
		fn := tool.Function
		if fn.Name == openai.DefaultOutputTool && forced.Function.Name == fn.Name {
			// ReqLLM's structured output: a forced tool. The program asks for an object
			// through the tool mode, which sends the same.
			req.Output = &llm.Output{Schema: fn.Parameters, Mode: llm.OutputTool}
			continue
		}
		req.Tools = append(req.Tools, llm.Tool{Name: fn.Name, Description: fn.Description, InputSchema: fn.Parameters, Strict: fn.Strict})
	}
	if js := rec.ResponseFormat.JSONSchema; js.Name != "" {
		req.Output = &llm.Output{Name: js.Name, Schema: js.Schema, Mode: llm.OutputNative}
	}
	if forced.Function.Name != "" && req.Output == nil {
		req.ToolChoice = llm.UseTool(forced.Function.Name)
	}
	return req, allow
}

// call sends req through m as the recording did (streamed or not) and returns the
// response.
func call(ctx context.Context, m *openai.Model, req *llm.Request, stream bool) (*llm.Response, error) {
	if !stream {
		return m.Generate(ctx, req)
	}
	s, err := m.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.Response()
}

// normalize clears what differs between runs.
func normalize(r *llm.Response) *llm.Response {
	c := *r
	c.Latency = 0
	return &c
}

// TestReplayFixtures replays every recorded exchange through openai.Model: the request
// must match the recording (beyond the intended differences listed in requestFor), the
// parsed response its golden file; and the same answer, served again by the simulator
// as JSON and as a stream, must accumulate to the same response both ways.
func TestReplayFixtures(t *testing.T) {
	names, err := openaitest.FixtureNames(openaitest.Fixtures)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 50 {
		t.Fatalf("%d fixtures, want the 55 recordings", len(names))
	}
	srv := openaitest.NewServer()
	defer srv.Close()
	m := openai.New(srv.Client(), nil)
	ctx := context.Background()
	for _, name := range names {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			f, err := openaitest.LoadFixture(openaitest.Fixtures, name)
			if err != nil {
				t.Fatal(err)
			}
			req, allow := requestFor(t, f)
			before := len(srv.Mismatches())
			srv.Enqueue(f.Reply(&openaitest.ReplayOptions{Allow: allow}))
			resp, err := call(ctx, m, req, f.Stream())
			if err != nil {
				t.Fatalf("replay: %v", err)
			}
			for _, ms := range srv.Mismatches()[before:] {
				t.Errorf("request differs: %s", ms)
			}
			if resp.RequestID != f.RequestID() {
				t.Errorf("request id %q, want %q", resp.RequestID, f.RequestID())
			}
			golden(t, filepath.Join("testdata", "replay", strings.TrimSuffix(name, ".json")+".json"), normalize(resp))

			// The same answer as JSON and as a stream (split in many deltas) gives the
			// same response.
			srv.Enqueue(openaitest.Respond(resp), openaitest.Respond(resp).Split(7).Chunked(13))
			gen, err := call(ctx, m, req, false)
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			str, err := call(ctx, m, req, true)
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			opts := []cmp.Option{cmpopts.IgnoreFields(llm.Response{}, "Latency", "RequestID", "Extra"), cmpopts.EquateEmpty()}
			if d := cmp.Diff(normalizeParts(gen), normalizeParts(str), opts...); d != "" {
				t.Errorf("generate and stream differ (-generate +stream):\n%s", d)
			}
			if req.Output != nil {
				// The object is text in the response; re-served, it comes back as text,
				// not as the tool call it was recorded as, which reads another stop
				// reason: only Generate and Stream are compared.
				return
			}
			if d := cmp.Diff(normalizeParts(resp), normalizeParts(gen), append(opts, cmpopts.IgnoreFields(llm.Response{}, "RawStopReason"))...); d != "" {
				t.Errorf("re-served answer differs from the recorded one (-recorded +re-served):\n%s", d)
			}
		})
	}
	if err := srv.Check(); err != nil {
		t.Error(err)
	}
}

// normalizeParts compacts tool inputs and objects so that responses compare by value.
func normalizeParts(r *llm.Response) *llm.Response {
	c := *r
	c.Message.Parts = append([]llm.Part(nil), r.Message.Parts...)
	for i, p := range c.Message.Parts {
		if tc, ok := p.(llm.ToolCall); ok {
			var b bytes.Buffer
			if json.Compact(&b, tc.Input) == nil {
				tc.Input = b.Bytes()
			}
			c.Message.Parts[i] = tc
		}
	}
	return &c
}

// golden compares v's JSON form with the file at path (rewritten with -update).
func golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if goldenfile.Update() {
		goldenfile.Write(t, path, got)
		return
	}
	if d := cmp.Diff(string(goldenfile.Read(t, path)), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}
