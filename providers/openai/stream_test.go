package openai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	oai "github.com/openai/openai-go/v3"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// chunk is a stream chunk's data with the given delta and finish reason.
func chunk(delta string, finish string) string {
	f := "null"
	if finish != "" {
		f = `"` + finish + `"`
	}
	return fmt.Sprintf(`{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":%s,"finish_reason":%s}]}`, delta, f)
}

func streamed(t *testing.T, model string, events ...string) *llm.Response {
	t.Helper()
	m, srv := newModel(t)
	srv.Enqueue(openaitest.RawEvents(events...))
	s, err := m.Stream(context.Background(), &llm.Request{Model: model, Messages: []llm.Message{llm.UserText("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Response()
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestStreamThinkSplitAcrossChunks(t *testing.T) {
	var evs []string
	for _, piece := range []string{"\n<th", "ink>\nFirst", " thought</th", "ink>", "\n\n", "The answer", " is 4."} {
		b, _ := json.Marshal(piece)
		evs = append(evs, chunk(`{"content":`+string(b)+`}`, ""))
	}
	evs = append(evs, chunk(`{}`, "stop"), "[DONE]")
	resp := streamed(t, "qwen/qwen3-32b", evs...)
	want := []llm.Part{llm.Reasoning{Text: "\nFirst thought"}, llm.Text{Text: "The answer is 4."}}
	if d := cmp.Diff(want, resp.Message.Parts); d != "" {
		t.Errorf("parts (-want +got):\n%s", d)
	}
}

func TestStreamParallelToolCalls(t *testing.T) {
	evs := []string{chunk(`{"role":"assistant","content":null}`, "")}
	// Two calls interleaved by index, 50 fragments each.
	args := [2]string{`{"city":"Paris","unit":"celsius"}`, `{"city":"Tokyo","unit":"celsius"}`}
	for i := range 2 {
		evs = append(evs, chunk(fmt.Sprintf(`{"tool_calls":[{"index":%d,"id":"call_%d","type":"function","function":{"name":"weather","arguments":""}}]}`, i, i), ""))
	}
	for j := 0; j < len(args[0]); j++ {
		for i := range 2 {
			b, _ := json.Marshal(args[i][j : j+1])
			evs = append(evs, chunk(fmt.Sprintf(`{"tool_calls":[{"index":%d,"function":{"arguments":%s}}]}`, i, b), ""))
		}
	}
	evs = append(evs, chunk(`{}`, "tool_calls"), "[DONE]")
	resp := streamed(t, "gpt-4o", evs...)
	want := []llm.Part{
		llm.ToolCall{ID: "call_0", Name: "weather", Input: json.RawMessage(args[0])},
		llm.ToolCall{ID: "call_1", Name: "weather", Input: json.RawMessage(args[1])},
	}
	if d := cmp.Diff(want, resp.Message.Parts); d != "" {
		t.Errorf("parts (-want +got):\n%s", d)
	}
	if resp.StopReason != llm.StopReasonToolUse {
		t.Errorf("stop reason %q", resp.StopReason)
	}
}

// Some servers number every call 0 and tell them apart by id.
func TestStreamToolCallsSameIndex(t *testing.T) {
	resp := streamed(t, "mistral-large",
		chunk(`{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]}`, ""),
		chunk(`{"tool_calls":[{"index":0,"id":"b","type":"function","function":{"name":"g","arguments":"{\"y\":2}"}}]}`, ""),
		chunk(`{}`, "tool_calls"), "[DONE]")
	want := []llm.Part{llm.ToolCall{ID: "a", Name: "f", Input: json.RawMessage(`{"x":1}`)}, llm.ToolCall{ID: "b", Name: "g", Input: json.RawMessage(`{"y":2}`)}}
	if d := cmp.Diff(want, resp.Message.Parts); d != "" {
		t.Errorf("parts (-want +got):\n%s", d)
	}
}

func TestStreamRefusal(t *testing.T) {
	resp := streamed(t, "gpt-4o", chunk(`{"role":"assistant","refusal":"I can't"}`, ""), chunk(`{"refusal":" help with that."}`, ""), chunk(`{}`, "stop"), "[DONE]")
	if resp.Text() != "I can't help with that." || resp.StopReason != llm.StopReasonContentFiltered || resp.RawStopReason != "stop" {
		t.Errorf("got %q %q %q", resp.Text(), resp.StopReason, resp.RawStopReason)
	}
}

func TestParseStreamChunk(t *testing.T) {
	var c oai.ChatCompletionChunk
	data := `{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","reasoning":"hm","content":"Hi","tool_calls":[{"index":1,"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"length"}],
		"usage":{"prompt_tokens":30,"completion_tokens":5,"total_tokens":35,"prompt_tokens_details":{"cached_tokens":20}}}`
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		t.Fatal(err)
	}
	evs, err := openai.ParseStreamChunk(&c)
	if err != nil {
		t.Fatal(err)
	}
	want := []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.ReasoningDelta{Index: 0, Text: "hm"},
		llm.TextDelta{Index: 1, Text: "Hi"},
		llm.ToolCallStart{Index: 3, ID: "t", Name: "f"},
		llm.ToolInputDelta{Index: 3, Fragment: "{}"},
		llm.MessageStop{StopReason: llm.StopReasonMaxTokens, RawStopReason: "length"},
		llm.Metadata{Usage: llm.Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 35, CacheReadTokens: 20}},
	}
	if d := cmp.Diff(want, evs); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}

func TestParseResponseUsageAndThink(t *testing.T) {
	var c oai.ChatCompletion
	data := `{"id":"x","model":"deepseek-r1","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"<think>a</think>\n\nb"}}],
		"usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":4}}}`
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		t.Fatal(err)
	}
	resp, err := openai.ParseResponse(&c)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]llm.Part{llm.Reasoning{Text: "a"}, llm.Text{Text: "b"}}, resp.Message.Parts); d != "" {
		t.Errorf("parts (-want +got):\n%s", d)
	}
	if want := (llm.Usage{InputTokens: 36, OutputTokens: 10, TotalTokens: 110, CacheReadTokens: 64}); resp.Usage != want {
		t.Errorf("usage %+v, want %+v", resp.Usage, want)
	}
	if x := resp.Extra.(*openai.ResponseExtra); x.ReasoningTokens != 4 || !strings.HasPrefix(x.Model, "deepseek") {
		t.Errorf("extra %+v", x)
	}
}
