package workload

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/google/go-cmp/cmp"
)

// converseBody is the Converse request of the round trip's second call, as a correct
// client sends it.
const converseBody = `{
 "system":[{"text":"` + system + `"}],
 "inferenceConfig":{"maxTokens":1024},
 "toolConfig":{"tools":[{"toolSpec":{"name":"get_weather"}},{"toolSpec":{"name":"get_time"}},{"toolSpec":{"name":"search_docs"}}]},
 "messages":[
  {"role":"user","content":[{"text":"What is the weather in Paris right now? (bench:w2)"}]},
  {"role":"assistant","content":[{"text":"I'll check the current weather in Paris."},{"toolUse":{"toolUseId":"tooluse_bench_0001","name":"get_weather","input":{"unit":"celsius","city":"Paris"}}}]},
  {"role":"user","content":[{"toolResult":{"toolUseId":"tooluse_bench_0001","content":[{"json":{"temp_c":18,"conditions":"cloudy","wind_kmh":9}}]}}]}
 ]}`

// invokeBody is the same request in the Anthropic messages format of InvokeModel.
const invokeBody = `{
 "anthropic_version":"bedrock-2023-05-31","max_tokens":1024,
 "system":"` + system + `",
 "tools":[{"name":"get_weather"},{"name":"get_time"},{"name":"search_docs"}],
 "messages":[
  {"role":"user","content":"What is the weather in Paris right now? (bench:w2)"},
  {"role":"assistant","content":[{"type":"text","text":"I'll check the current weather in Paris."},{"type":"tool_use","id":"tooluse_bench_0001","name":"get_weather","input":{"city":"Paris","unit":"celsius"}}]},
  {"role":"user","content":[{"type":"tool_result","tool_use_id":"tooluse_bench_0001","content":[{"type":"text","text":"{\"temp_c\":18,\"conditions\":\"cloudy\",\"wind_kmh\":9}"}]}]}
 ]}`

func TestCheckRequest(t *testing.T) {
	tests := []struct {
		name, reason string
		op, body     string
		wantErr      string // empty: the request must pass
	}{
		{"converse", "a correct Converse request passes; member order and JSON-vs-text tool results do not matter", OpConverse, converseBody, ""},
		{"invoke", "a correct InvokeModel request passes; string and block content are the same", OpInvoke, invokeBody, ""},
		{"no system", "a dropped system prompt is caught", OpConverse, strings.Replace(converseBody, `"system":[{"text":"`+system+`"}],`, "", 1), "system prompt"},
		{"tool id", "a tool result answering another id is caught", OpConverse, strings.Replace(converseBody, `"toolResult":{"toolUseId":"tooluse_bench_0001"`, `"toolResult":{"toolUseId":"tooluse_other"`, 1), "message 2"},
		{"tool input", "a changed tool input in the history is caught", OpInvoke, strings.Replace(invokeBody, `"city":"Paris"`, `"city":"Lyon"`, 1), "message 1"},
		{"tools", "a missing tool declaration is caught", OpInvoke, strings.Replace(invokeBody, `,{"name":"search_docs"}`, "", 1), "tools"},
		{"max tokens", "a different token limit is caught", OpConverse, strings.Replace(converseBody, `"maxTokens":1024`, `"maxTokens":4096`, 1), "max tokens"},
		{"assistant text", "an assistant turn that lost its text is caught", OpConverse, strings.Replace(converseBody, `{"text":"I'll check the current weather in Paris."},`, "", 1), "message 1"},
	}
	for _, tt := range tests {
		w, reply, err := Find(tt.op, []byte(tt.body))
		if err != nil || w != ToolTrip || reply != 1 {
			t.Fatalf("%s: Find = %v, %d, %v; want ToolTrip, reply 1", tt.name, w, reply, err)
		}
		err = w.CheckRequest(tt.op, reply, []byte(tt.body))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s (%s): CheckRequest = %v, want nil", tt.name, tt.reason, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s (%s): CheckRequest = %v, want an error about %q", tt.name, tt.reason, err, tt.wantErr)
		}
	}
}

func TestCheck(t *testing.T) {
	want := StreamTool.Want()
	reordered := want
	reordered.ToolCalls = append([]Call(nil), want.ToolCalls...)
	var input map[string]any
	if err := json.Unmarshal(want.ToolCalls[0].Input, &input); err != nil {
		t.Fatal(err)
	}
	pretty, _ := json.MarshalIndent(input, "", "  ")
	reordered.ToolCalls[0].Input = pretty
	tests := []struct {
		name, reason string
		got          Answer
		ok           bool
	}{
		{"same", "the answer itself passes", want, true},
		{"formatting", "tool input compares as JSON, not as bytes", reordered, true},
		{"text", "a lost delta is caught", Answer{Text: want.Text[1:], ToolCalls: want.ToolCalls}, false},
		{"calls", "a lost tool call is caught", Answer{Text: want.Text, ToolCalls: want.ToolCalls[:1]}, false},
	}
	for _, tt := range tests {
		if err := Check(tt.got, want); (err == nil) != tt.ok {
			t.Errorf("%s (%s): Check = %v, want ok %v", tt.name, tt.reason, err, tt.ok)
		}
	}
}

// TestStreams decodes every stream reply frame by frame and rebuilds the answer from
// it, in both wire forms.
func TestStreams(t *testing.T) {
	for _, w := range []*Workload{Stream1k, StreamTool} {
		r := &w.Replies[0]
		for _, form := range []struct {
			name string
			body []byte
		}{{"converse", r.ConverseStream()}, {"invoke", r.InvokeStream()}} {
			got, events := decode(t, form.name, form.body)
			if form.name == "converse" && events != r.Events() {
				t.Errorf("%s %s: %d events, want %d", w.Name, form.name, events, r.Events())
			}
			if diff := cmp.Diff(r.Answer(), got); diff != "" {
				t.Errorf("%s %s: decoded answer (-want +got):\n%s", w.Name, form.name, diff)
			}
		}
	}
}

func decode(t *testing.T, form string, body []byte) (Answer, int) {
	t.Helper()
	dec := eventstream.NewDecoder()
	rd := bytes.NewReader(body)
	var a Answer
	var text strings.Builder
	inputs := map[int]*strings.Builder{}
	n := 0
	for rd.Len() > 0 {
		msg, err := dec.Decode(rd, nil)
		if err != nil {
			t.Fatalf("%s: frame %d: %v", form, n, err)
		}
		n++
		payload := msg.Payload
		if form == "invoke" {
			var chunk struct{ Bytes string }
			if err := json.Unmarshal(payload, &chunk); err != nil {
				t.Fatal(err)
			}
			if payload, err = base64.StdEncoding.DecodeString(chunk.Bytes); err != nil {
				t.Fatal(err)
			}
		}
		var ev struct {
			Type              string
			Index             int `json:"index"`
			ContentBlockIndex int
			ContentBlock      struct{ Type, ID, Name string } `json:"content_block"`
			Start             struct {
				ToolUse struct{ ToolUseID, Name string }
			}
			Delta struct {
				Text        string
				PartialJSON string `json:"partial_json"`
				ToolUse     struct{ Input string }
			}
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Fatal(err)
		}
		event := msg.Headers.Get(":event-type").String()
		idx := ev.ContentBlockIndex
		if form == "invoke" {
			idx = ev.Index
		}
		switch {
		case event == "contentBlockStart" || ev.Type == "content_block_start" && ev.ContentBlock.Type == "tool_use":
			c := Call{ID: ev.Start.ToolUse.ToolUseID, Name: ev.Start.ToolUse.Name}
			if form == "invoke" {
				c = Call{ID: ev.ContentBlock.ID, Name: ev.ContentBlock.Name}
			}
			a.ToolCalls = append(a.ToolCalls, c)
			inputs[idx] = &strings.Builder{}
		case event == "contentBlockDelta" || ev.Type == "content_block_delta":
			text.WriteString(ev.Delta.Text)
			if b := inputs[idx]; b != nil {
				b.WriteString(ev.Delta.ToolUse.Input + ev.Delta.PartialJSON)
			}
		}
	}
	a.Text = text.String()
	for i := range a.ToolCalls {
		a.ToolCalls[i].Input = json.RawMessage(inputs[i+1].String())
	}
	return a, n
}
