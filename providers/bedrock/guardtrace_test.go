package bedrock

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestGuardrailIntervention: a guardrail intervention served by the simulator, plain and
// streamed, reads as StopReasonContentFiltered (raw guardrail_intervened) with the guardrail trace in
// ResponseExtra, the same both ways (REQ-GUARD-CONTENT), with either stream decoder.
func TestGuardrailIntervention(t *testing.T) { forDecoders(t, testGuardrailIntervention) }

func testGuardrailIntervention(t *testing.T, dec StreamDecoder) {
	const trace = `"trace":{"guardrail":{"actionReason":"Guardrail blocked.","inputAssessment":{"gr1":{"topicPolicy":{"topics":[{"name":"Finance","type":"DENY","action":"BLOCKED","detected":true}]}}}}}`
	const usage = `"usage":{"inputTokens":4,"outputTokens":6,"totalTokens":10}`
	m, srv := newTestModel(t, &Options{StreamDecoder: dec})
	srv.Enqueue(
		bedrocktest.RawJSON([]byte(`{"output":{"message":{"role":"assistant","content":[{"text":"Sorry, I cannot help with that."}]}},"stopReason":"guardrail_intervened",`+usage+`,`+trace+`}`)),
		bedrocktest.Frames(
			frame("messageStart", `{"role":"assistant"}`),
			frame("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Sorry, I cannot help with that."}}`),
			frame("contentBlockStop", `{"contentBlockIndex":0}`),
			frame("messageStop", `{"stopReason":"guardrail_intervened"}`),
			frame("metadata", `{`+usage+`,"metrics":{"latencyMs":0},`+trace+`}`),
		),
	)
	req := userReq(claude, "How do I evade taxes?")
	req.Extra = &Extra{Guardrail: &GuardrailConfig{Identifier: "gr1", Version: "1", Trace: "enabled"}}
	gen, str := generateAndStream(t, m, req)
	for name, r := range map[string]*llm.Response{"Generate": gen, "Stream": str} {
		x, _ := r.Extra.(*ResponseExtra)
		if r.StopReason != llm.StopReasonContentFiltered || x == nil || x.Trace == nil || x.Trace.Guardrail == nil ||
			x.Trace.Guardrail.ActionReason == nil || *x.Trace.Guardrail.ActionReason != "Guardrail blocked." || len(x.Trace.Guardrail.InputAssessment) != 1 {
			t.Errorf("%s: stop %q extra %+v; want guardrail_intervened with the guardrail trace", name, r.StopReason, r.Extra)
		}
	}
	if diff := cmp.Diff(gen.Message, str.Message); diff != "" || gen.Usage != str.Usage {
		t.Errorf("streamed answer differs from Generate's (-generate +stream):\n%s", diff)
	}
}
