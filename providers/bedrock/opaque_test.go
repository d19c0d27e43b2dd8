package bedrock

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestOpaqueRoundTrip: a block the SDK does not know is kept as an opaque Bedrock part
// with a warning (RESP-OPAQUE) — not dropped — and the history sent back holds it as it
// came, numbers as written; FormatRequest, which returns an SDK input, refuses it; a
// Model without the block's bytes (another client) still warns.
func TestOpaqueRoundTrip(t *testing.T) {
	const block = `{"hologram":{"depth":2.50,"frames":[1,2,3],"note":"kept"}}`
	m, srv := newTestModel(t, nil)
	srv.Enqueue(
		bedrocktest.RawJSON([]byte(`{"output":{"message":{"role":"assistant","content":[{"text":"Look:"}, `+block+`]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3}}`)),
		bedrocktest.Text("ok"),
		bedrocktest.Text("ok"),
	)
	req := userReq(claude, "Show me.")
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Message.Parts) != 2 {
		t.Fatalf("parts %v, want the text and the opaque block", resp.Message.Parts)
	}
	o, ok := resp.Message.Parts[1].(llm.Opaque)
	if !ok || o.Provider != "bedrock" || o.Kind != "hologram" || string(o.Raw) != block {
		t.Fatalf("part 1 = %#v, want an opaque bedrock hologram block with its JSON %s", resp.Message.Parts[1], block)
	}
	if len(resp.Warnings) != 1 || resp.Warnings[0].Code != llm.WarningOpaque {
		t.Errorf("warnings %q, want one opaque warning", resp.Warnings)
	}

	req.Messages = append(req.Messages, resp.Message, llm.UserText("And again."))
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
	for i, r := range srv.Requests()[1:] {
		checkJSONPath(t, r.Body, "messages.1.content", `[{"text":"Look:"},`+block+`]`)
		if !bytes.Contains(r.Body, []byte(block)) {
			t.Errorf("request %d body %s does not hold the block byte for byte", i+1, r.Body)
		}
	}
	if _, _, err := FormatRequest(req); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("FormatRequest with an opaque block = %v, want llm.ErrInvalidRequest", err)
	}
}
