package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestModelCountTokens: CountTokens sends the translated request's messages, system
// prompt and tools to the CountTokens operation and returns Bedrock's count; a request
// that cannot be sent fails before any I/O; a client without the operation is
// llm.ErrInvalidRequest.
func TestModelCountTokens(t *testing.T) {
	m, srv := newTestModel(t, nil)
	req := &llm.Request{Model: claude, MaxTokens: 10, Messages: []llm.Message{
		llm.SystemText("Be brief."),
		llm.UserText("How many tokens is this?"),
	}, Tools: []llm.Tool{{Name: "add", InputSchema: []byte(`{"type":"object"}`)}}}
	n, err := m.CountTokens(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()
	if len(got) != 1 || got[0].Op != bedrocktest.OpCountTokens || got[0].Model != claude {
		t.Fatalf("requests %+v, want one count-tokens request for %s", got, claude)
	}
	checkJSONPath(t, got[0].Body, "input.converse.messages", `[{"role":"user","content":[{"text":"How many tokens is this?"}]}]`)
	checkJSONPath(t, got[0].Body, "input.converse.system", `[{"text":"Be brief."}]`)
	checkJSONPath(t, got[0].Body, "input.converse.toolConfig.tools.0.toolSpec.name", `"add"`)
	want, err := bedrocktest.CountTokens(mustInputConverse(t, got[0].Body))
	if err != nil || n != want {
		t.Errorf("CountTokens = %d, want the simulator's %d (%v)", n, want, err)
	}

	if _, err := m.CountTokens(context.Background(), &llm.Request{Model: claude}); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("CountTokens(no messages) = %v, want llm.ErrInvalidRequest", err)
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("an invalid request reached the server")
	}
	if _, err := New(converseOnly{}, nil).CountTokens(context.Background(), req); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("CountTokens on a client without the operation = %v, want llm.ErrInvalidRequest", err)
	}
}

// converseOnly is a ConverseAPI without CountTokens; its methods are never called.
type converseOnly struct{ ConverseAPI }

func mustInputConverse(t *testing.T, body []byte) []byte {
	t.Helper()
	var in struct {
		Input struct {
			Converse json.RawMessage `json:"converse"`
		} `json:"input"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	return in.Input.Converse
}
