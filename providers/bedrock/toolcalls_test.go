package bedrock

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/llm"
)

func TestToolUseID(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9_.:-]{1,64}$`)
	tests := []struct {
		id     string
		reason string
		keep   bool
	}{
		{"tooluse_abc-1.2:3", "a valid id is kept", true},
		{strings.Repeat("a", 64), "64 characters are allowed", true},
		{strings.Repeat("a", 65), "65 characters are too many", false},
		{"call 1", "a space is invalid", false},
		{"call_1", "differs from call 1 only by the invalid character", true},
		{"日本語", "non-ASCII is invalid", false},
		{"a/b", "a slash is invalid", false},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		got := toolUseID(tc.id)
		if !valid.MatchString(got) {
			t.Errorf("toolUseID(%q) = %q, want an id Bedrock accepts (%s)", tc.id, got, tc.reason)
		}
		if (got == tc.id) != tc.keep {
			t.Errorf("toolUseID(%q) = %q, want kept = %v (%s)", tc.id, got, tc.keep, tc.reason)
		}
		if again := toolUseID(tc.id); again != got {
			t.Errorf("toolUseID(%q) = %q then %q, want the same mapping every time", tc.id, got, again)
		}
		if toolUseID(got) != got {
			t.Errorf("toolUseID(toolUseID(%q)) changed the id, want the mapping idempotent", tc.id)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("toolUseID(%q) = toolUseID(%q) = %q, want distinct ids kept apart", tc.id, prev, got)
		}
		seen[got] = tc.id
	}
}

func TestToolInputNumbersExact(t *testing.T) {
	in := `{"big":123456789012345678901234567890,"u64":12345678901234567890,"inf":1e400,"f":0.1000,"e":-2.5E-10,"s":"1","n":null,"b":false,"a":[1,{"x":2}]}`
	got, err := toolInputJSON(json.RawMessage(in))
	if err != nil {
		t.Fatalf("toolInputJSON(%s) = %v", in, err)
	}
	if string(got) != in {
		t.Errorf("toolInputJSON(%s) = %s, want the input unchanged", in, got)
	}
	req := &llm.Request{Model: rqClaude45, Messages: []llm.Message{
		rqUser(rqText("Go")), rqAsst(rqCall("a", "t", in)), rqTool(rqResult("a", "ok")),
	}}
	p, err := formatRequest(req, capabilitiesFor(req.Model, nil))
	if err != nil {
		t.Fatalf("FormatRequest = %v", err)
	}
	body, _ := wireConverse(t, p.input)
	for _, lit := range []string{"123456789012345678901234567890", "12345678901234567890", "1e400", "0.1000", "-2.5E-10", `"s":"1"`, `"n":null`, `"b":false`} {
		if !bytes.Contains(body, []byte(lit)) {
			t.Errorf("tool input on the wire = %s, want it to hold %s exactly", body, lit)
		}
	}
	if want := `"input":` + in; !bytes.Contains(body, []byte(want)) {
		t.Errorf("tool input on the wire = %s, want %s byte for byte (members in order)", body, want)
	}
}
