package structured

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPartialJSONPrefixes feeds each prefix of an answer and checks the document it
// closes into.
func TestPartialJSONPrefixes(t *testing.T) {
	tests := []struct {
		name, text, want, reason string
	}{
		{"nothing", "", "", "no object yet"},
		{"preamble", "Here is the JSON: ", "", "text before the first { is not the object"},
		{"open", "{", "{}", "an opened object is an empty one"},
		{"key", `{"na`, "{}", "a key still arriving is left out"},
		{"colon", `{"name":`, "{}", "a key without a value is left out"},
		{"string", `{"name":"Jo`, `{"name":"Jo"}`, "a string still arriving is closed where it stands"},
		{"escape", `{"name":"a\`, `{"name":"a"}`, "never inside an escape"},
		{"unicode_escape", `{"name":"a\u00`, `{"name":"a"}`, "never inside a \\u escape"},
		{"escaped_quote", `{"name":"say \"hi`, `{"name":"say \"hi"}`, "an escaped quote does not end the string"},
		{"number", `{"age":3`, "{}", "a number may still grow: 3 may become 30"},
		{"number_done", `{"age":30,`, `{"age":30}`, "a delimiter ends the number"},
		{"literal", `{"ok":tr`, "{}", "a literal still arriving is left out"},
		{"nested", `{"a":{"b":1,"c":[1,2`, `{"a":{"b":1,"c":[1]}}`, "open containers are closed in order"},
		{"array_string", `{"tags":["x","y`, `{"tags":["x","y"]}`, "a string in an array"},
		{"empty_array", `{"tags":[`, `{"tags":[]}`, "an opened array is an empty one"},
		{"fence", "```json\n{\"a\":1}\n```", `{"a":1}`, "a fence around the object is skipped"},
		{"after", `{"a":1} and {"b":2}`, `{"a":1}`, "text after the object is not read"},
		{"spaces", "{\n  \"a\" : 1 ,\n  \"b\" : \"x", "{\n  \"a\" : 1 ,\n  \"b\" : \"x\"}", "white space is kept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p partialJSON
			p.write(tt.text)
			if got := string(p.document()); got != tt.want {
				t.Errorf("document after %q = %q, want %q (%s)", tt.text, got, tt.want, tt.reason)
			}
		})
	}
}

// TestPartialJSONByteByByte feeds an answer one byte at a time: every document is valid
// JSON, and the last is the object itself.
func TestPartialJSONByteByByte(t *testing.T) {
	const answer = "Sure:\n```json\n{\"name\": \"Ada \\\"the\\\" Countess \\u00e9\", \"born\": 1815, \"alive\": false,\n" +
		"\"works\": [{\"title\": \"Notes\", \"year\": 1843}, {\"title\": null}], \"meta\": {}}\n```"
	var p partialJSON
	var docs []string
	for i := range len(answer) {
		p.write(answer[i : i+1])
		doc := p.document()
		if doc == nil {
			continue
		}
		if !json.Valid(doc) {
			t.Fatalf("after %q: document %q is not valid JSON", answer[:i+1], doc)
		}
		if n := len(docs); n == 0 || docs[n-1] != string(doc) {
			docs = append(docs, string(doc))
		}
	}
	start := strings.IndexByte(answer, '{')
	end := strings.LastIndexByte(answer, '}') + 1
	if got, want := docs[len(docs)-1], answer[start:end]; got != want {
		t.Errorf("last document = %q, want the object %q", got, want)
	}
	if len(docs) < 20 {
		t.Errorf("%d distinct documents, want one for most fragments: %q", len(docs), docs)
	}
}

func TestDecodeLenient(t *testing.T) {
	type person struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	var v person
	if !decodeLenient([]byte(`{"name":"Ada","age":"36"}`), &v) || v != (person{Name: "Ada"}) {
		t.Errorf(`decodeLenient({"name":"Ada","age":"36"}) = %+v, want the name and a zero age (a string for an int is left out)`, v)
	}
	if decodeLenient([]byte(`{"name":`), &v) {
		t.Errorf("decodeLenient(a cut document) = true, want false")
	}
}
