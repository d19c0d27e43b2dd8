package structured_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
	"github.com/llmkit/llmkit/schema"
	"github.com/llmkit/llmkit/structured"
)

type city struct {
	Name       string `json:"name"`
	Country    string `json:"country"`
	Population int    `json:"population"`
}

func objectRequest() *llm.Request {
	return &llm.Request{
		Model:    "test-model",
		Messages: []llm.Message{llm.SystemText("Answer in JSON."), llm.UserText("Describe Paris.")},
	}
}

func textAnswer(text string, usage llm.Usage) llmtest.Answer {
	r := llmtest.Text(text)
	r.Response.Usage = usage
	return r
}

func objectAnswer(object string) llmtest.Answer {
	return llmtest.Respond(&llm.Response{
		Message:    llm.AssistantText(object),
		StopReason: llm.StopReasonEndTurn,
		Object:     json.RawMessage(object),
		Usage:      llm.Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 15},
	})
}

const parisJSON = `{"name":"Paris","country":"France","population":2102650}`

var paris = city{Name: "Paris", Country: "France", Population: 2102650}

func TestGenerate(t *testing.T) {
	m := llmtest.New(objectAnswer(parisJSON))
	req := objectRequest()
	before := req.Clone()
	got, resp, err := structured.Generate[city](context.Background(), m, req, &structured.Options{Name: "city", Description: "A city", Mode: llm.OutputNative})
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	if diff := cmp.Diff(paris, got); diff != "" {
		t.Errorf("Generate() value (-want +got):\n%s", diff)
	}
	if string(resp.Object) != parisJSON {
		t.Errorf("Generate() resp.Object = %s, want %s", resp.Object, parisJSON)
	}
	if diff := cmp.Diff(before, req); diff != "" {
		t.Errorf("Generate() modified the caller's request (-before +after):\n%s", diff)
	}
	sent := m.Requests()
	if len(sent) != 1 {
		t.Fatalf("Generate() made %d calls, want 1", len(sent))
	}
	sch, _ := schema.For[city]()
	want := &llm.Output{Name: "city", Description: "A city", Schema: sch, Mode: llm.OutputNative}
	if diff := cmp.Diff(want, sent[0].Output); diff != "" {
		t.Errorf("Generate() sent Output (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before.Messages, sent[0].Messages); diff != "" {
		t.Errorf("Generate() sent messages (-want +got):\n%s", diff)
	}
}

func TestGenerateKeepsRequestOutput(t *testing.T) {
	m := llmtest.New(objectAnswer(parisJSON))
	req := objectRequest()
	req.Output = &llm.Output{Name: "answer", Description: "the caller's", Schema: json.RawMessage(`{"type":"object"}`), Mode: llm.OutputTool}
	if _, _, err := structured.Generate[city](context.Background(), m, req, nil); err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	sch, _ := schema.For[city]()
	want := &llm.Output{Name: "answer", Description: "the caller's", Schema: sch, Mode: llm.OutputTool}
	if diff := cmp.Diff(want, m.Requests()[0].Output); diff != "" {
		t.Errorf("Generate(nil opts) sent Output (-want +got); name, description and mode kept, schema replaced:\n%s", diff)
	}
	if string(req.Output.Schema) != `{"type":"object"}` {
		t.Errorf("Generate() changed the caller's Output.Schema to %s", req.Output.Schema)
	}
}

// TestGenerateFromText covers providers (or models) that leave Response.Object
// empty and answer in text.
func TestGenerateFromText(t *testing.T) {
	tests := []struct {
		name, text, reason string
	}{
		{"bare", parisJSON, "the text is the object"},
		{"spaces", "\n  " + parisJSON + "\n", "surrounding white space is ignored"},
		{"fence_json", "Here it is:\n```json\n" + parisJSON + "\n```\nAnything else?", "a ```json fence"},
		{"fence_plain", "```\n" + parisJSON + "\n```", "a fence without a label"},
		{"second_fence", "```bash\nls\n```\nand\n```json\n" + parisJSON + "\n```", "the first fence holding an object"},
		{"prose", "Sure! " + parisJSON + " Hope that helps.", "prose around one object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := llmtest.New(llmtest.Text(tt.text))
			got, resp, err := structured.Generate[city](context.Background(), m, objectRequest(), nil)
			if err != nil {
				t.Fatalf("Generate(text %q) error: %v (%s)", tt.text, err, tt.reason)
			}
			if got != paris {
				t.Errorf("Generate(text %q) = %+v, want %+v (%s)", tt.text, got, paris, tt.reason)
			}
			if string(resp.Object) != parisJSON {
				t.Errorf("Generate(text %q) resp.Object = %s, want the extracted %s", tt.text, resp.Object, parisJSON)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		reply    llmtest.Answer
		want     structured.Reason
		raw      string
		also     error  // another category the error unwraps to
		contains string // in the error message
	}{
		{
			name: "text_only", reason: "the model answered in prose without JSON",
			reply: llmtest.Text("Paris is the capital of France."),
			want:  structured.ReasonNoJSON, raw: "Paris is the capital of France.",
			contains: "structured: no object in the answer",
		},
		{
			name: "empty", reason: "an empty answer has no object either",
			reply: llmtest.Respond(&llm.Response{Message: llm.Message{Role: llm.RoleAssistant}, StopReason: llm.StopReasonEndTurn}),
			want:  structured.ReasonNoJSON,
		},
		{
			name: "invalid_json", reason: "malformed JSON is not a mismatch",
			reply: llmtest.Text(`{"name":"Paris","country":"France","population":}`),
			want:  structured.ReasonInvalidJSON, raw: `{"name":"Paris","country":"France","population":}`, also: schema.ErrInvalidJSON,
			contains: "invalid JSON",
		},
		{
			name: "mismatch", reason: "valid JSON of the wrong shape names the path",
			reply: objectAnswer(`{"name":"Paris","country":"France","population":"2102650"}`),
			want:  structured.ReasonMismatch, raw: `{"name":"Paris","country":"France","population":"2102650"}`,
			contains: "schema mismatch: schema: /population: want integer, got string",
		},
		{
			name: "missing", reason: "a missing member is a mismatch",
			reply: objectAnswer(`{"name":"Paris"}`),
			want:  structured.ReasonMismatch, raw: `{"name":"Paris"}`,
			contains: `missing required properties "country", "population"`,
		},
		{
			name: "tool_call", reason: "the model called one of the request's tools instead",
			reply: llmtest.ToolCalls(llm.ToolCall{ID: "t1", Name: "search", Input: json.RawMessage(`{"q":"Paris"}`)}),
			want:  structured.ReasonToolCall, contains: "the model called a tool instead (search)",
		},
		{
			name: "truncated", reason: "a max_tokens stop inside the object is a truncation",
			reply: llmtest.Respond(&llm.Response{Message: llm.AssistantText(`{"name":"Paris","coun`), StopReason: llm.StopReasonMaxTokens}),
			want:  structured.ReasonTruncated, raw: `{"name":"Paris","coun`, also: llm.ErrTruncated,
		},
		{
			name: "truncated_before_object", reason: "a max_tokens stop before any JSON is a truncation too",
			reply: llmtest.Respond(&llm.Response{Message: llm.AssistantText(`Let me think about`), StopReason: llm.StopReasonMaxTokens}),
			want:  structured.ReasonTruncated, raw: `Let me think about`, also: llm.ErrTruncated,
		},
		{
			name: "filtered", reason: "a guardrail stop yields no object",
			reply: llmtest.Respond(&llm.Response{Message: llm.AssistantText("Sorry."), StopReason: llm.StopReasonContentFiltered, RawStopReason: "guardrail_intervened"}),
			want:  structured.ReasonFiltered, raw: "Sorry.", also: llm.ErrContentFiltered,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := llmtest.New(tt.reply)
			got, resp, err := structured.Generate[city](context.Background(), m, objectRequest(), nil)
			if got != (city{}) {
				t.Errorf("Generate() value = %+v, want the zero value", got)
			}
			var oe *structured.Error
			if !errors.As(err, &oe) {
				t.Fatalf("Generate() error = %v, want an *structured.Error (%s)", err, tt.reason)
			}
			if oe.Reason != tt.want {
				t.Errorf("Generate() reason = %q, want %q (%s)", oe.Reason, tt.want, tt.reason)
			}
			if !errors.Is(err, llm.ErrNoObject) {
				t.Errorf("Generate() error %v does not unwrap to ErrNoObject", err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("Generate() error %v does not unwrap to %v", err, tt.also)
			}
			if oe.Raw != tt.raw {
				t.Errorf("Generate() Raw = %q, want %q", oe.Raw, tt.raw)
			}
			if resp == nil || oe.Response != resp {
				t.Errorf("Generate() response = %p, error's response = %p; want the same non-nil answer", resp, oe.Response)
			}
			if oe.Attempts != 1 {
				t.Errorf("Generate() Attempts = %d, want 1", oe.Attempts)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("Generate() error = %q, want it to contain %q", err, tt.contains)
			}
			if tt.want == structured.ReasonMismatch {
				var ve *schema.ValidationError
				if !errors.As(err, &ve) || ve.Path == "" && tt.name == "mismatch" {
					t.Errorf("Generate() error = %v, want a *schema.ValidationError with a path", err)
				}
			}
		})
	}
}

func TestGenerateRetry(t *testing.T) {
	bad := `{"name":"Paris","country":"France","population":"2102650"}`
	m := llmtest.New(
		textAnswer(bad, llm.Usage{InputTokens: 10, OutputTokens: 20, TotalTokens: 30}),
		textAnswer(parisJSON, llm.Usage{InputTokens: 40, OutputTokens: 20, TotalTokens: 60, CacheReadTokens: 5}),
	)
	req := objectRequest()
	got, resp, err := structured.Generate[city](context.Background(), m, req, &structured.Options{Retries: 2})
	if err != nil {
		t.Fatalf("Generate(Retries: 2) error: %v", err)
	}
	if got != paris {
		t.Errorf("Generate(Retries: 2) = %+v, want %+v", got, paris)
	}
	wantUsage := llm.Usage{InputTokens: 50, OutputTokens: 40, TotalTokens: 90, CacheReadTokens: 5}
	if diff := cmp.Diff(wantUsage, resp.Usage); diff != "" {
		t.Errorf("Generate(Retries: 2) usage is not the sum over attempts (-want +got):\n%s", diff)
	}
	sent := m.Requests()
	if len(sent) != 2 {
		t.Fatalf("Generate(Retries: 2) made %d calls, want 2", len(sent))
	}
	msgs := sent[1].Messages
	if len(msgs) != len(req.Messages)+2 {
		t.Fatalf("retry sent %d messages, want %d (the conversation, the bad answer, the feedback)", len(msgs), len(req.Messages)+2)
	}
	if diff := cmp.Diff(llm.AssistantText(bad), msgs[2]); diff != "" {
		t.Errorf("retry: the model's answer (-want +got):\n%s", diff)
	}
	feedback := msgs[3]
	if feedback.Role != llm.RoleUser || !strings.Contains(feedback.Text(), "schema: /population: want integer, got string") {
		t.Errorf("retry: feedback = %+v, want a user turn stating the validation error", feedback)
	}
	if sent[1].Output == nil || len(sent[1].Output.Schema) == 0 {
		t.Errorf("retry: Output = %+v, want the schema again", sent[1].Output)
	}
	if len(req.Messages) != 2 {
		t.Errorf("Generate() grew the caller's messages to %d", len(req.Messages))
	}
}

func TestGenerateRetriesExhausted(t *testing.T) {
	m := llmtest.New(
		textAnswer("No idea.", llm.Usage{OutputTokens: 1}),
		textAnswer(`{"name":`, llm.Usage{OutputTokens: 2}),
		textAnswer(`{"name":"Paris"}`, llm.Usage{OutputTokens: 4}),
	)
	_, resp, err := structured.Generate[city](context.Background(), m, objectRequest(), &structured.Options{Retries: 2})
	var oe *structured.Error
	if !errors.As(err, &oe) {
		t.Fatalf("Generate() error = %v, want an *structured.Error", err)
	}
	if oe.Attempts != 3 || oe.Reason != structured.ReasonMismatch {
		t.Errorf("Generate() = attempts %d, reason %q; want 3, the last answer's %q", oe.Attempts, oe.Reason, structured.ReasonMismatch)
	}
	if !strings.HasSuffix(err.Error(), "(after 3 attempts)") {
		t.Errorf("Generate() error = %q, want it to state the attempts", err)
	}
	if resp.Usage.OutputTokens != 7 {
		t.Errorf("Generate() usage.OutputTokens = %d, want 7 (summed)", resp.Usage.OutputTokens)
	}
	sent := m.Requests()
	if len(sent) != 3 {
		t.Fatalf("Generate() made %d calls, want 3", len(sent))
	}
	// Each retry carries every earlier answer and its feedback, in order.
	var roles []llm.Role
	for _, msg := range sent[2].Messages {
		roles = append(roles, msg.Role)
	}
	want := []llm.Role{llm.RoleSystem, llm.RoleUser, llm.RoleAssistant, llm.RoleUser, llm.RoleAssistant, llm.RoleUser}
	if diff := cmp.Diff(want, roles); diff != "" {
		t.Errorf("third call's roles (-want +got):\n%s", diff)
	}
	if !strings.Contains(sent[1].Messages[3].Text(), "held no JSON object") || !strings.Contains(sent[2].Messages[5].Text(), "not valid JSON") {
		t.Errorf("feedback turns = %q, %q; want them to name the failures", sent[1].Messages[3].Text(), sent[2].Messages[5].Text())
	}
}

func TestGenerateNoRetry(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		reply  llmtest.Answer
	}{
		{"tool_call", "a tool call needs a tool result before any other turn", llmtest.ToolCalls(llm.ToolCall{ID: "t1", Name: "search"})},
		{"truncated", "the same token limit would cut the answer again", llmtest.Respond(&llm.Response{Message: llm.AssistantText(`{"na`), StopReason: llm.StopReasonMaxTokens})},
		{"filtered", "a filter would refuse again", llmtest.Respond(&llm.Response{Message: llm.AssistantText("no"), StopReason: llm.StopReasonContentFiltered})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := llmtest.New(tt.reply, objectAnswer(parisJSON))
			_, _, err := structured.Generate[city](context.Background(), m, objectRequest(), &structured.Options{Retries: 3})
			if !errors.Is(err, llm.ErrNoObject) {
				t.Errorf("Generate() error = %v, want ErrNoObject", err)
			}
			if n := len(m.Requests()); n != 1 {
				t.Errorf("Generate() made %d calls, want 1 (%s)", n, tt.reason)
			}
		})
	}
}

func TestGenerateRetryCap(t *testing.T) {
	m := llmtest.New()
	m.SetHandler(func(context.Context, *llm.Request) llmtest.Answer { return llmtest.Text("no") })
	_, _, err := structured.Generate[city](context.Background(), m, objectRequest(), &structured.Options{Retries: 1000})
	var oe *structured.Error
	if !errors.As(err, &oe) || oe.Attempts != structured.MaxRetries+1 {
		t.Errorf("Generate(Retries: 1000) = %v, want an *structured.Error after %d attempts", err, structured.MaxRetries+1)
	}
}

func TestGenerateCoerce(t *testing.T) {
	llama := `{"name":"Paris","country":"France","population":"2102650"}`
	m := llmtest.New(objectAnswer(llama))
	got, _, err := structured.Generate[city](context.Background(), m, objectRequest(), &structured.Options{Coerce: true})
	if err != nil || got != paris {
		t.Errorf("Generate(Coerce, %s) = %+v, %v; want %+v (providers/bedrock/RULES.md RESP-LLAMA)", llama, got, err, paris)
	}
}

func TestGenerateCallErrors(t *testing.T) {
	ctx := context.Background()
	throttled := &llm.ProviderError{Provider: "test", Op: "converse", Category: llm.ErrRateLimited}
	m := llmtest.New(llmtest.Fail(throttled))
	_, resp, err := structured.Generate[city](ctx, m, objectRequest(), &structured.Options{Retries: 3})
	if !errors.Is(err, llm.ErrRateLimited) || errors.Is(err, llm.ErrNoObject) || resp != nil {
		t.Errorf("Generate() with a throttled model = %v, %v; want the provider's error as is", resp, err)
	}

	m = llmtest.New(objectAnswer(parisJSON))
	if _, _, err := structured.Generate[[]city](ctx, m, objectRequest(), nil); err == nil || !strings.Contains(err.Error(), "must have an object form") {
		t.Errorf("Generate[[]city]() = %v, want the schema error", err)
	}
	if _, _, err := structured.Generate[city](ctx, m, nil, nil); err == nil || !strings.Contains(err.Error(), "nil request") {
		t.Errorf("Generate(nil request) = %v, want an error", err)
	}
	if _, _, err := structured.Generate[city](ctx, nil, objectRequest(), nil); err == nil || !strings.Contains(err.Error(), "nil model") {
		t.Errorf("Generate(nil model) = %v, want an error", err)
	}
	if n := len(m.Requests()); n != 0 {
		t.Errorf("bad arguments still made %d calls, want 0", n)
	}
}

func TestStream(t *testing.T) {
	ctx := context.Background()
	evs := []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: `{"name":"Paris",`},
		llm.TextDelta{Index: 0, Text: `"country":"France",`},
		llm.TextDelta{Index: 0, Text: `"population":2102650}`},
		llm.BlockStop{Index: 0},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn},
		llm.Metadata{Usage: llm.Usage{InputTokens: 3, OutputTokens: 4, TotalTokens: 7}},
	}
	m := llmtest.New(llmtest.Stream(evs, nil))
	s, err := structured.Stream[city](ctx, m, objectRequest(), &structured.Options{Name: "city"})
	if err != nil {
		t.Fatalf("Stream() error: %v", err)
	}
	defer s.Close()
	var parts []string
	for text, err := range s.Text() {
		if err != nil {
			t.Fatalf("Stream().Text() error: %v", err)
		}
		parts = append(parts, text)
	}
	if len(parts) != 3 || strings.Join(parts, "") != parisJSON {
		t.Errorf("Stream().Text() = %q, want the three fragments of %s", parts, parisJSON)
	}
	got, resp, err := s.Object()
	if err != nil || got != paris {
		t.Fatalf("Stream().Object() = %+v, %v; want %+v", got, err, paris)
	}
	if resp.Usage.TotalTokens != 7 || string(resp.Object) != parisJSON {
		t.Errorf("Stream().Object() response = usage %+v, object %s", resp.Usage, resp.Object)
	}
	if out := m.Requests()[0].Output; out == nil || out.Name != "city" || len(out.Schema) == 0 {
		t.Errorf("Stream() sent Output %+v, want the schema named city", out)
	}
}

func TestStreamErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := structured.Stream[city](ctx, llmtest.New(), objectRequest(), &structured.Options{Retries: 1}); err == nil || !strings.Contains(err.Error(), "Retries is not supported when streaming") {
		t.Errorf("Stream(Retries: 1) = %v, want an error", err)
	}

	// A stream that breaks returns the stream's error, not an ObjectError.
	broken := errors.New("connection reset")
	m := llmtest.New(llmtest.Stream([]llm.Event{llm.MessageStart{Role: llm.RoleAssistant}, llm.TextDelta{Text: `{"name":`}}, broken))
	s, err := structured.Stream[city](ctx, m, objectRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err := s.Object()
	if !errors.Is(err, broken) || errors.Is(err, llm.ErrNoObject) || resp != nil {
		t.Errorf("Stream().Object() on a broken stream = %v, %v; want the stream's error", resp, err)
	}

	// A complete stream with a bad object is an ObjectError.
	m = llmtest.New(llmtest.Text(`{"name":"Paris"}`))
	s, err = structured.Stream[city](ctx, m, objectRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err = s.Object()
	var oe *structured.Error
	if !errors.As(err, &oe) || oe.Reason != structured.ReasonMismatch || oe.Attempts != 1 || resp == nil {
		t.Errorf("Stream().Object() with a partial object = %v, %v; want a mismatch *structured.Error with the response", resp, err)
	}
}

func TestStreamPartials(t *testing.T) {
	evs := []llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "```json\n{\"name\":\"Pa"},
		llm.TextDelta{Index: 0, Text: `ris","country":"Fr`},
		llm.TextDelta{Index: 0, Text: `ance","population":21`},
		llm.TextDelta{Index: 0, Text: "02650}\n```"},
		llm.BlockStop{Index: 0},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn},
	}
	s, err := structured.Stream[city](context.Background(), llmtest.New(llmtest.Stream(evs, nil)), objectRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []city
	for v, err := range s.Partials() {
		if err != nil {
			t.Fatalf("Partials() error: %v", err)
		}
		got = append(got, v)
	}
	want := []city{{Name: "Pa"}, {Name: "Paris", Country: "Fr"}, {Name: "Paris", Country: "France"}, paris, paris}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Partials() (-want +got); the population only once complete, then the final value:\n%s", diff)
	}
}

func TestStreamPartialsErrors(t *testing.T) {
	ctx := context.Background()
	collect := func(s *structured.ObjectStream[city]) ([]city, error) {
		var vs []city
		for v, err := range s.Partials() {
			if err != nil {
				return vs, err
			}
			vs = append(vs, v)
		}
		return vs, nil
	}

	broken := errors.New("connection reset")
	m := llmtest.New(llmtest.Stream([]llm.Event{llm.MessageStart{Role: llm.RoleAssistant}, llm.TextDelta{Text: `{"name":"Paris",`}}, broken))
	s, err := structured.Stream[city](ctx, m, objectRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := collect(s)
	if !errors.Is(err, broken) || !cmp.Equal(vs, []city{{Name: "Paris"}}) {
		t.Errorf("Partials() on a broken stream = %+v, %v; want the partial value, then the stream's error", vs, err)
	}

	m = llmtest.New(llmtest.Text(`{"name":"Paris","population":"many"}`))
	s, err = structured.Stream[city](ctx, m, objectRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, err = collect(s)
	var oe *structured.Error
	if !errors.As(err, &oe) || oe.Reason != structured.ReasonMismatch || !cmp.Equal(vs, []city{{Name: "Paris"}}) {
		t.Errorf("Partials() with a mismatched object = %+v, %v; want the lenient partial, then a mismatch *structured.Error", vs, err)
	}

	// Breaking out of the loop abandons the stream, as breaking out of llm.Stream.Text
	// does: Object then reports the stream's error.
	m = llmtest.New(llmtest.Stream([]llm.Event{
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Text: `{"name":"Paris",`},
		llm.TextDelta{Text: `"country":"France","population":2102650}`},
		llm.BlockStop{},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn},
	}, nil))
	s, err = structured.Stream[city](ctx, m, objectRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range s.Partials() {
		n++
		break
	}
	if _, _, err := s.Object(); n != 1 || !errors.Is(err, llm.ErrStream) {
		t.Errorf("Object() after breaking out of Partials() after %d values = %v; want the abandoned stream's error", n, err)
	}
}
