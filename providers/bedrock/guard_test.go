package bedrock

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestGuardContent: guard content (REQ-GUARD-CONTENT) goes on the wire from GuardText and
// GuardImage parts in the system prompt and user messages, with its qualifiers; a
// guardContent block in an answer comes back as the same opaque part, with a warning,
// and is sent back as it came; an opaque part of another provider is rejected naming
// the part.
func TestGuardContent(t *testing.T) {
	m, srv := newTestModel(t, nil)
	const guarded = `{"guardContent":{"text":{"text":"Paris is in France.","qualifiers":["grounding_source"]}}}`
	srv.Enqueue(bedrocktest.RawJSON([]byte(`{"output":{"message":{"role":"assistant","content":[` + guarded + `,{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`)))
	req := &llm.Request{Model: claude, Messages: []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.Text{Text: "Be brief."}, GuardText("Only answer about geography.", GuardContent)}},
		{Role: llm.RoleUser, Parts: []llm.Part{
			GuardText("Paris is in France.", GuardGroundingSource),
			GuardText("Where is Paris?", GuardQuery),
			GuardImage("png", []byte{1, 2, 3}),
			llm.Text{Text: "Answer."},
		}},
	}}
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	body := srv.Requests()[0].Body
	checkJSONPath(t, body, "system", `[{"text":"Be brief."},{"guardContent":{"text":{"text":"Only answer about geography.","qualifiers":["guard_content"]}}}]`)
	checkJSONPath(t, body, "messages.0.content", `[`+guarded+`,`+
		`{"guardContent":{"text":{"text":"Where is Paris?","qualifiers":["query"]}}},`+
		`{"guardContent":{"image":{"format":"png","source":{"bytes":"AQID"}}}},{"text":"Answer."}]`)

	want := []llm.Part{GuardText("Paris is in France.", GuardGroundingSource), llm.Text{Text: "ok"}}
	if diff := cmp.Diff(want, resp.Message.Parts); diff != "" {
		t.Errorf("answer parts (-want +got):\n%s", diff)
	}
	if len(resp.Warnings) != 1 || resp.Warnings[0].Code != llm.WarningOpaque {
		t.Errorf("warnings %q, want one opaque warning", resp.Warnings)
	}

	// Guard content is not for assistant messages; another provider's opaque part is
	// rejected before sending, naming message and part.
	for name, msg := range map[string]llm.Message{
		"assistant_guard": {Role: llm.RoleAssistant, Parts: []llm.Part{GuardText("x")}},
		"other_provider":  {Role: llm.RoleUser, Parts: []llm.Part{llm.Opaque{Provider: "anthropic", Kind: "container_upload", Raw: []byte(`{}`)}}},
		"bad_qualifier":   {Role: llm.RoleUser, Parts: []llm.Part{GuardText("x", "everything")}},
	} {
		r := userReq(claude, "hi")
		r.Messages = append(r.Messages, msg)
		if msg.Role == llm.RoleUser {
			r.Messages = []llm.Message{msg}
		}
		_, err := m.Generate(context.Background(), r)
		var ire *llm.InvalidRequestError
		if !errors.As(err, &ire) || ire.Part != 0 {
			t.Errorf("%s: Generate = %v, want an invalid request naming part 0", name, err)
		}
	}
}
