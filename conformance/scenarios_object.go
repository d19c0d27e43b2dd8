package conformance

import (
	"encoding/json"
	"strings"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/structured"
)

// The structured-output scenarios.

// engineer is the object the structured-output scenarios ask for.
type engineer struct {
	Name       string `json:"name" jsonschema:"description=The person's full name"`
	Age        int    `json:"age" jsonschema:"description=Age in years,minimum=1"`
	Occupation string `json:"occupation,omitempty" jsonschema:"description=The person's job"`
}

const engineerJSON = `{"name":"Ada Byte","age":36,"occupation":"software engineer"}`

func objectAnswer(raw string) *llm.Response {
	resp := textAnswer(raw, llm.StopReasonEndTurn, 300, 30)
	resp.Object = json.RawMessage(raw)
	return resp
}

// checkObject checks what structured.Generate and structured.Stream return: the object asked for,
// which is also the response's text and Object, with no tool call and stop end_turn.
func (e *env) checkObject(what string, v engineer, resp *llm.Response, want *llm.Response) {
	e.Helper()
	e.exact(what, resp, want)
	if !strings.Contains(v.Name, "Ada") || v.Age != 36 {
		e.Errorf("%s object = %+v, want Ada Byte, aged 36", what, v)
	}
	e.wantNoToolCalls(what, resp)
	e.wantStop(what, resp, llm.StopReasonEndTurn)
	if !sameJSON([]byte(resp.Text()), resp.Object) {
		e.Errorf("%s text = %q, Object = %s; want the text to be the object", what, resp.Text(), resp.Object)
	}
}

var objectPrompt = "Invent a profile of a software engineer named Ada Byte, aged 36."

func object(e *env) {
	req := e.request(llm.UserText(objectPrompt))
	want := e.answer(objectAnswer(engineerJSON))
	v, resp, err := structured.Generate[engineer](e.ctx, e.h.Model, req, &structured.Options{Coerce: true})
	if err != nil {
		e.Fatalf("structured.Generate(object) error: %v", err)
	}
	e.checkObject("structured.Generate(object)", v, resp, want)
}

func objectStreaming(e *env) {
	req := e.request(llm.UserText(objectPrompt))
	want := e.answer(objectAnswer(engineerJSON))
	streamObject(e, "object_streaming", req, &structured.Options{Coerce: true}, func(what string, v engineer, resp *llm.Response, text string) {
		e.checkObject(what, v, resp, want)
		if !sameJSON([]byte(text), resp.Object) {
			e.Errorf("%s text deltas join into %q, want the object %s", what, text, resp.Object)
		}
	})
}

// streamObject streams the object req asks for (structured.Stream with opts), reading
// its text deltas and then its object, and fails the scenario named name on any error.
// It hands check the object, the response and the text deltas joined, with what naming
// the call in messages ("structured.Stream(name)"); then it checks that the stream yielded no
// tool-call event, since the object must arrive as text.
func streamObject[T any](e *env, name string, req *llm.Request, opts *structured.Options, check func(what string, v T, resp *llm.Response, text string)) {
	e.Helper()
	what := "structured.Stream(" + name + ")"
	os, err := structured.Stream[T](e.ctx, e.h.Model, req, opts)
	if err != nil {
		e.Fatalf("%s error: %v", what, err)
	}
	defer os.Close()
	var text strings.Builder
	for t, err := range os.Text() {
		if err != nil {
			e.Fatalf("%s text error: %v", what, err)
		}
		text.WriteString(t)
	}
	v, resp, err := os.Object()
	if err != nil {
		e.Fatalf("%s.Object() error: %v", what, err)
	}
	check(what, v, resp, text.String())
	for ev, err := range os.Stream().Events() {
		if err != nil {
			e.Fatalf("%s replay error: %v", what, err)
		}
		if c, ok := ev.(llm.ToolCallStart); ok {
			e.Errorf("%s yielded a tool-call start (%s %s); the object must arrive as text", what, c.ID, c.Name)
		}
	}
}
