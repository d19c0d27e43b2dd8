package bedrocktest_test

import (
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// FuzzLoadFixture checks that any fixture file either fails to parse with an error or
// survives a round trip through its file format.
func FuzzLoadFixture(f *testing.F) {
	for _, name := range []string{"anthropic_claude_haiku_4_5_20251001_v1_0/basic.json", "meta_llama3_3_70b_instruct_v1_0/streaming.json"} {
		b, err := fs.ReadFile(bedrocktest.Fixtures(), name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"request":{"url":"http://x/model/a%2Fb/converse","canonical_json":{}},"response":{"status":500,"body":{}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fx, err := parseFixture(data)
		if err != nil {
			return
		}
		b, err := json.MarshalIndent(fx, "", "  ")
		if err != nil {
			t.Fatalf("Marshal of a parsed fixture: %v", err)
		}
		if _, err := parseFixture(b); err != nil {
			t.Fatalf("LoadFixture(Marshal(fixture)): %v\n%s", err, b)
		}
	})
}

// FuzzCompareJSON checks that a JSON document equals itself, re-encoded, and that
// CompareJSON never panics.
func FuzzCompareJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,2.0,{"b":null}],"c":"d"}`), []byte(`{"c":"d"}`))
	f.Add([]byte(`[1e400]`), []byte(`[true]`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		bedrocktest.CompareJSON(a, b, nil)
		var v any
		if json.Unmarshal(a, &v) != nil {
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			return
		}
		ms, err := bedrocktest.CompareJSON(a, again, nil)
		if err != nil || len(ms) != 0 {
			t.Fatalf("CompareJSON(%s, %s) = %v, %v; want no mismatch", a, again, ms, err)
		}
	})
}
