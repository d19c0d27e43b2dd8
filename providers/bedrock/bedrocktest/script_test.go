package bedrocktest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

func TestParseScriptErrors(t *testing.T) {
	tests := []struct{ name, script, want string }{
		{"syntax error with position", "{\"replies\": [\n  {\"text\": \"hi\",}\n]}", "line 2, column 17"},
		{"unknown member", `{"replies": [{"txt": "hi"}]}`, `unknown field "txt"`},
		{"empty reply", `{"replies": [{}]}`, "replies[0]: empty reply"},
		{"error and content", `{"replies": [{"text": "x", "error": {"code": "ThrottlingException"}}]}`, "replies[0]: error: a reply is either an error or content"},
		{"error without a code", `{"models": {"m": [{"error": {"message": "x"}}]}}`, `models["m"][0]: error.code: missing`},
		{"bad fault", `{"rules": [{"when": {}, "reply": {"text": "x", "fault": {"kind": "explode"}}}]}`, `rules[0].reply: fault.kind "explode"`},
		{"bad operation", `{"rules": [{"when": {"operation": "invoke"}, "reply": {"text": "x"}}]}`, `rules[0].when.operation "invoke"`},
		{"tool input not an object", `{"replies": [{"tool_calls": [{"id": "1", "name": "f", "input": [1]}]}]}`, "replies[0]: tool_calls[0].input: want a JSON object"},
		{"bad duration", `{"replies": [{"text": "x", "delay": "soon"}]}`, `duration "soon"`},
		{"bad otherwise", `{"otherwise": "silence"}`, `otherwise "silence"`},
		{"two objects", `{} {}`, "data after the script"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bedrocktest.ParseScript([]byte(tt.script))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseScript(%s) error = %v, want one containing %q", tt.script, err, tt.want)
			}
		})
	}
}

// TestScriptOrder checks the order replies are taken in: the model's queue, the
// general queue, the first matching rule, then "otherwise".
func TestScriptOrder(t *testing.T) {
	sc, err := bedrocktest.ParseScript([]byte(`{
		"replies": [{"text": "first"}],
		"models": {"special": [{"text": "for special"}]},
		"rules": [{"when": {"model": "m", "contains": "rule"}, "reply": {"text": "by rule"}}],
		"otherwise": "error"
	}`))
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, nil)
	sc.Install(srv)
	c := srv.Client(nil)
	ask := func(model, text string) (string, error) {
		out, err := c.Converse(context.Background(), &bedrockruntime.ConverseInput{ModelId: aws.String(model), Messages: userText(text)})
		if err != nil {
			return "", err
		}
		return out.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberText).Value, nil
	}
	for i, step := range []struct{ model, text, want string }{
		{"special", "x", "for special"},
		{"m", "x", "first"},
		{"m", "a rule please", "by rule"},
		{"m", "a rule again", "by rule"},
	} {
		if got, err := ask(step.model, step.text); err != nil || got != step.want {
			t.Errorf("request %d (%s, %q) = %q, %v; want %q", i, step.model, step.text, got, err, step.want)
		}
	}
	var ve *types.ValidationException
	if _, err := ask("other", "x"); !errors.As(err, &ve) || !strings.Contains(err.Error(), "the script has no reply") {
		t.Errorf("a request beyond the script: error %v, want a ValidationException saying so", err)
	}
}

// TestScriptBuiltInGo: a reply of a Script built in Go, which ParseScript never
// checked, answers with a 500 saying what is wrong with it.
func TestScriptBuiltInGo(t *testing.T) {
	s := newServer(t, nil)
	(&bedrocktest.Script{Replies: []bedrocktest.ScriptReply{{}}}).Install(s)
	if _, err := converse(t.Context(), s.Client(nil), "m"); err == nil {
		t.Error("an empty reply answered, want a 500")
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "script: empty reply") {
		t.Errorf("Check() = %v, want it to name the empty reply", err)
	}
}
