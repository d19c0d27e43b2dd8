package conformance

import (
	"encoding/json"
	"strings"

	"github.com/llmkit/llmkit/llm"
)

// The reasoning scenarios.

var reasoningPrompt = "What is 17 × 23? Work it out step by step, then answer with just the number."

// reasoningAnswer is the scripted reasoning answer, signed for a model with
// ReasoningReplay.
func (e *env) reasoningAnswer() *llm.Response {
	r := llm.Reasoning{Text: "17 × 23 = 17 × 20 + 17 × 3 = 340 + 51 = 391."}
	if e.caps.ReasoningReplay {
		r.Signature = "c2lnbmF0dXJlLTM5MQ=="
	}
	return partsAnswer(llm.StopReasonEndTurn, 60, 300, r, llm.Text{Text: "391"})
}

// checkReasoning checks that resp starts with reasoning and answers 391.
func (e *env) checkReasoning(what string, resp *llm.Response) {
	e.Helper()
	parts := resp.Message.Parts
	if len(parts) == 0 {
		e.Fatalf("%s message has no parts", what)
	}
	r, ok := parts[0].(llm.Reasoning)
	switch {
	case !ok:
		e.Errorf("%s first part = %T, want llm.Reasoning", what, parts[0])
	case r.Text == "" && len(r.Redacted) == 0:
		e.Errorf("%s reasoning is empty: no text, no redacted bytes", what)
	}
	e.wantContains(what, resp.Text(), "391")
	e.wantStop(what, resp, llm.StopReasonEndTurn)
}

func reasoning(e *env) {
	req := e.reasoningRequest(llm.UserText(reasoningPrompt))
	want := e.answer(e.reasoningAnswer())
	resp := e.generate("reasoning", req)
	e.exact("Generate(reasoning)", resp, want)
	e.checkReasoning("Generate(reasoning)", resp)
}

func reasoningStreaming(e *env) {
	req := e.reasoningRequest(llm.UserText(reasoningPrompt))
	want := e.answer(e.reasoningAnswer())
	got := e.stream("reasoning_streaming", req)
	const what = "Stream(reasoning_streaming)"
	e.exact(what, got.resp, want)
	e.checkReasoning(what, got.resp)

	var text, sig strings.Builder
	firstText, firstReasoning := -1, -1
	for i, ev := range got.events {
		switch ev := ev.(type) {
		case llm.ReasoningDelta:
			if firstReasoning < 0 {
				firstReasoning = i
			}
			text.WriteString(ev.Text)
			sig.WriteString(ev.Signature)
		case llm.TextDelta:
			if firstText < 0 {
				firstText = i
			}
		}
	}
	if firstReasoning < 0 {
		e.Fatalf("%s yielded no reasoning delta", what)
	}
	if firstText >= 0 && firstText < firstReasoning {
		e.Errorf("%s yielded text (event %d) before reasoning (event %d)", what, firstText, firstReasoning)
	}
	var acc strings.Builder
	var accSig strings.Builder
	for _, p := range got.resp.Message.Parts {
		if r, ok := p.(llm.Reasoning); ok {
			acc.WriteString(r.Text)
			accSig.WriteString(r.Signature)
		}
	}
	if acc.String() != text.String() || accSig.String() != sig.String() {
		e.Errorf("%s reasoning = %q (signature %q), want the deltas joined, %q (signature %q)", what, acc.String(), accSig.String(), text.String(), sig.String())
	}
}

func reasoningTool(e *env) {
	req := e.reasoningRequest(llm.UserText("Use the add tool to compute 17 + 25, then answer with just the sum."))
	req.Tools = []llm.Tool{addTool}
	want := e.answer(partsAnswer(llm.StopReasonToolUse, 600, 120,
		llm.Reasoning{Text: "I should call add with 17 and 25.", Signature: "c2lnbmF0dXJlLWFkZA=="},
		llm.ToolCall{ID: "call_add_2", Name: addTool.Name, Input: json.RawMessage(`{"a":17,"b":25}`)}))
	first := e.generate("reasoning_tool, call", req)
	const what1 = "Generate(reasoning_tool, call)"
	e.exact(what1, first, want)
	e.wantStop(what1, first, llm.StopReasonToolUse)
	if _, ok := first.Message.Parts[0].(llm.Reasoning); !ok {
		e.Errorf("%s first part = %T, want llm.Reasoning before the call", what1, first.Message.Parts[0])
	}
	calls := e.wantCalls(what1, first, req.Tools)
	var in struct{ A, B int }
	e.decodeInput(what1, calls[0], &in)
	if in.A+in.B != 42 {
		e.Errorf("%s add input = %s, want a=17 and b=25", what1, calls[0].Input)
	}

	req.Messages = append(req.Messages, first.Message, toolResults(calls[:1], "42"))
	want = e.answer(textAnswer("42", llm.StopReasonEndTurn, 700, 10))
	second := e.generate("reasoning_tool, result", req)
	const what2 = "Generate(reasoning_tool, result)"
	e.exact(what2, second, want)
	e.wantStop(what2, second, llm.StopReasonEndTurn)
	e.wantContains(what2, second.Text(), "42")
}

func reasoningSignature(e *env) {
	req := e.reasoningRequest(llm.UserText(reasoningPrompt))
	want := e.reasoningAnswer()
	want.Message.Parts = append([]llm.Part{llm.Reasoning{Redacted: []byte{0x00, 0x9f, 0xff, 'r', 'e', 'd'}}}, want.Message.Parts...)
	e.script(ScriptedAnswer{Response: want})
	first := e.generate("reasoning_signature, turn 1", req)
	const what1 = "Generate(reasoning_signature, turn 1)"
	e.exact(what1, first, want)
	e.checkReasoning(what1, first)
	for i, p := range first.Message.Parts {
		if r, ok := p.(llm.Reasoning); ok && r.Text != "" && r.Signature == "" && len(r.Redacted) == 0 && e.scripted() {
			e.Errorf("%s reasoning part %d lost its signature", what1, i)
		}
	}

	kept := first.Message.Clone()
	req.Messages = append(req.Messages, first.Message, llm.UserText("Add 9 to that number. Answer with just the number."))
	want = e.answer(textAnswer("400", llm.StopReasonEndTurn, 400, 5))
	second := e.generate("reasoning_signature, turn 2", req)
	const what2 = "Generate(reasoning_signature, turn 2)"
	e.exact(what2, second, want)
	e.wantContains(what2, second.Text(), "400")
	if diff := cmpDiff(kept, req.Messages[1]); diff != "" {
		e.Errorf("Generate changed the history it was given (-before +after):\n%s", diff)
	}
}
