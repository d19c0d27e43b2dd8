package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type person struct {
	Name  string    `json:"name"`
	Age   int       `json:"age"`
	Email string    `json:"email,omitempty"`
	Tags  []string  `json:"tags,omitempty"`
	Pet   *pet      `json:"pet,omitempty"`
	Born  time.Time `json:"born,omitzero"`
}

type pet struct {
	Kind string `json:"kind" jsonschema:"enum=cat,enum=dog"`
	Legs int    `json:"legs"`
}

type roster struct {
	Items []person `json:"items"`
}

func TestValidate(t *testing.T) {
	sch := mustCompileFor[roster](t)
	tests := []struct {
		name   string
		reason string
		data   string
		want   *ValidationError // nil: valid
	}{
		{"valid", "a matching value passes", `{"items":[{"name":"Ann","age":30}]}`, nil},
		{"valid_optional", "optional members may appear", `{"items":[{"name":"Ann","age":30,"pet":{"kind":"cat","legs":4},"born":"2000-01-02T03:04:05Z"}]}`, nil},
		{"type_deep", "the path names the array index and member", `{"items":[{"name":"Ann","age":30},{"name":"Bob","age":"41"}]}`,
			&ValidationError{Path: "/items/1/age", Keyword: "type", Message: "want integer, got string"}},
		{"type_float", "a fraction is not an integer", `{"items":[{"name":"Ann","age":30.5}]}`,
			&ValidationError{Path: "/items/0/age", Keyword: "type", Message: "want integer, got number"}},
		{"missing", "a missing required member is reported at its object", `{"items":[{"name":"Ann"}]}`,
			&ValidationError{Path: "/items/0", Keyword: "required", Message: `missing required property "age"`}},
		{"missing_two", "all missing members are named", `{"items":[{}]}`,
			&ValidationError{Path: "/items/0", Keyword: "required", Message: `missing required properties "name", "age"`}},
		{"extra", "additionalProperties false refuses unknown members", `{"items":[{"name":"Ann","age":1,"nick":"A"}]}`,
			&ValidationError{Path: "/items/0", Keyword: "additionalProperties", Message: `unexpected property "nick"`}},
		{"enum", "an enum names its values", `{"items":[{"name":"Ann","age":1,"pet":{"kind":"cow","legs":4}}]}`,
			&ValidationError{Path: "/items/0/pet/kind", Keyword: "enum", Message: `want one of "cat", "dog"; got "cow"`}},
		{"format", "date-time is asserted", `{"items":[{"name":"Ann","age":1,"born":"yesterday"}]}`,
			&ValidationError{Path: "/items/0/born", Keyword: "format", Message: `want format date-time, got "yesterday" (less than 20 characters long)`}},
		{"root_type", "the root must be an object", `[1,2]`,
			&ValidationError{Path: "", Keyword: "type", Message: "want object, got array"}},
		{"null_optional", "null is not a value of an optional member's type", `{"items":[{"name":"Ann","age":1,"pet":null}]}`,
			&ValidationError{Path: "/items/0/pet", Keyword: "type", Message: "want object, got null"}},
		{"deepest_wins", "with several failures the deepest is reported", `{"items":[{"name":1,"age":1,"pet":{"kind":"cat","legs":"four"}}]}`,
			&ValidationError{Path: "/items/0/pet/legs", Keyword: "type", Message: "want integer, got string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sch.Validate([]byte(tt.data))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate(%s) = %v, want nil (%s)", tt.data, err, tt.reason)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate(%s) = %v, want a *ValidationError (%s)", tt.data, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, ve); diff != "" {
				t.Errorf("Validate(%s) mismatch (-want +got), %s:\n%s", tt.data, tt.reason, diff)
			}
			if !strings.HasPrefix(err.Error(), "schema: ") {
				t.Errorf("Validate(%s) error %q lacks the schema: prefix", tt.data, err)
			}
		})
	}
}

func TestValidationErrorString(t *testing.T) {
	for _, tt := range []struct {
		err  ValidationError
		want string
	}{
		{ValidationError{Path: "/items/0/age", Message: "want integer, got string"}, "schema: /items/0/age: want integer, got string"},
		{ValidationError{Path: "", Message: "want object, got array"}, "schema: (root): want object, got array"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestValidateAlternatives(t *testing.T) {
	sch, err := Compile(json.RawMessage(`{"type":"object","properties":{"v":{"anyOf":[{"type":"string"},{"type":"null"}]},"a/b":{"type":"integer"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		data, want string
		reason     string
	}{
		{`{"v":1}`, "schema: /v: want string or null, got number", "failed anyOf type branches merge into one message"},
		{`{"a/b":"x"}`, "schema: /a~1b: want integer, got string", "member names are escaped as JSON pointer tokens"},
	} {
		err := sch.Validate([]byte(tt.data))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Validate(%s) = %v, want %q (%s)", tt.data, err, tt.want, tt.reason)
		}
	}
}

func TestValidateInvalidJSON(t *testing.T) {
	sch := mustCompileFor[roster](t)
	for _, data := range []string{``, `{`, `{"items":[]} x`, `{"items":[],}`, `nul`} {
		err := sch.Validate([]byte(data))
		if !errors.Is(err, ErrInvalidJSON) {
			t.Errorf("Validate(%q) = %v, want an error wrapping ErrInvalidJSON", data, err)
		}
		var ve *ValidationError
		if errors.As(err, &ve) {
			t.Errorf("Validate(%q) = %v, want no *ValidationError for malformed JSON", data, err)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tt := range []struct {
		raw    string
		reason string
	}{
		{`{`, "malformed JSON"},
		{`{"type":"objekt"}`, "an unknown type name"},
		{`{"$ref":"file:///etc/passwd"}`, "no file is read"},
		{`{"$ref":"https://example.com/s.json"}`, "nothing is fetched"},
		{`{"minimum":"zero"}`, "a keyword of the wrong type"},
	} {
		if _, err := Compile(json.RawMessage(tt.raw)); err == nil || !strings.HasPrefix(err.Error(), "schema: compile: ") {
			t.Errorf("Compile(%s) = %v, want a schema: compile: error (%s)", tt.raw, err, tt.reason)
		}
	}
}

type decoded struct {
	Name  string         `json:"name"`
	Age   int            `json:"age"`
	Score float64        `json:"score"`
	OK    bool           `json:"ok"`
	Nick  *string        `json:"nick"`
	Tags  []int          `json:"tags,omitempty"`
	Inner *inner         `json:"inner,omitempty"`
	Any   any            `json:"any,omitempty"`
	Label string         `json:"label,omitempty"`
	When  time.Time      `json:"when,omitzero"`
	Map   map[string]int `json:"map,omitempty"`
	Maybe *int           `json:"maybe,omitempty" jsonschema:"nullable"`
}

type inner struct {
	N uint8 `json:"n"`
}

func TestDecodeCoerce(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		data   string
		want   decoded
	}{
		{"llama_age", "Llama writes integers as strings (providers/bedrock/RULES.md RESP-LLAMA)", `{"name":"Ann","age":"30","score":1,"ok":true}`,
			decoded{Name: "Ann", Age: 30, Score: 1, OK: true}},
		{"number", "a decimal string becomes a number", `{"name":"Ann","age":1,"score":"2.5","ok":true}`,
			decoded{Name: "Ann", Age: 1, Score: 2.5, OK: true}},
		{"exponent", "any JSON number syntax is a number", `{"name":"Ann","age":1,"score":"-1e3","ok":true}`,
			decoded{Name: "Ann", Age: 1, Score: -1000, OK: true}},
		{"spaces", "surrounding spaces are ignored", `{"name":"Ann","age":" 7 ","score":0,"ok":" false"}`,
			decoded{Name: "Ann", Age: 7}},
		{"boolean", "true/false strings become booleans", `{"name":"Ann","age":1,"score":0,"ok":"true"}`,
			decoded{Name: "Ann", Age: 1, OK: true}},
		{"nested", "coercion walks arrays and nested objects", `{"name":"Ann","age":1,"score":0,"ok":false,"tags":["1","2"],"inner":{"n":"200"}}`,
			decoded{Name: "Ann", Age: 1, Tags: []int{1, 2}, Inner: &inner{N: 200}}},
		{"map", "map values follow additionalProperties", `{"name":"Ann","age":1,"score":0,"ok":false,"map":{"a":"3"}}`,
			decoded{Name: "Ann", Age: 1, Map: map[string]int{"a": 3}}},
		{"strings_stay", "a string where a string is wanted is left alone", `{"name":"30","age":1,"score":0,"ok":false,"label":"true"}`,
			decoded{Name: "30", Age: 1, Label: "true"}},
		{"any_stays", "an untyped member is left alone", `{"name":"A","age":1,"score":0,"ok":false,"any":"5"}`,
			decoded{Name: "A", Age: 1, Any: "5"}},
		{"null_optional", "an optional member sent as null is dropped", `{"name":"A","age":1,"score":0,"ok":false,"inner":null,"tags":null}`,
			decoded{Name: "A", Age: 1}},
		{"nullable", "a nullable member keeps its null, and coerces inside oneOf", `{"name":"A","age":1,"score":0,"ok":false,"maybe":"4"}`,
			decoded{Name: "A", Age: 1, Maybe: ptr(4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode[decoded]([]byte(tt.data), &DecodeOptions{Coerce: true})
			if err != nil {
				t.Fatalf("Decode(%s, Coerce) = %v, want nil (%s)", tt.data, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode(%s, Coerce) mismatch (-want +got), %s:\n%s", tt.data, tt.reason, diff)
			}
			if _, err := Decode[decoded]([]byte(tt.data), nil); err == nil && tt.name != "strings_stay" && tt.name != "any_stays" {
				t.Errorf("Decode(%s, nil) = nil error, want one: coercion must be opt-in", tt.data)
			}
		})
	}
}

// shared and node are described under $defs (shared: used twice; node: recursive), so
// coercion has to follow the references For writes.
type shared struct {
	N int `json:"n"`
}

type node struct {
	N    int    `json:"n"`
	Kids []node `json:"kids,omitempty"`
}

type referring struct {
	A    shared  `json:"a"`
	B    *shared `json:"b,omitempty"`
	Tree node    `json:"tree"`
}

func TestDecodeCoerceReferences(t *testing.T) {
	data := `{"a":{"n":"1"},"b":null,"tree":{"n":"2","kids":[{"n":"3","kids":[{"n":" 4 "}]}]}}`
	want := referring{A: shared{N: 1}, Tree: node{N: 2, Kids: []node{{N: 3, Kids: []node{{N: 4}}}}}}
	got, err := Decode[referring]([]byte(data), &DecodeOptions{Coerce: true})
	if err != nil {
		t.Fatalf("Decode(%s, Coerce) = %v, want nil: coercion follows $ref into $defs and to the root", data, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode(%s, Coerce) mismatch (-want +got):\n%s", data, diff)
	}
	// A reference chain that never reaches a schema leaves the value as it is.
	sch, err := Compile(json.RawMessage(`{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"type":"object","properties":{"x":{"$ref":"#/$defs/a"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := sch.Decode([]byte(`{"x":"1"}`), &v, &DecodeOptions{Coerce: true}); err == nil && v["x"] != "1" {
		t.Errorf("Decode through a cycle of references = %v, want x left a string", v)
	}
}

func TestDecodeCoerceRefuses(t *testing.T) {
	tests := []struct {
		name, data, want string
		reason           string
	}{
		{"fraction", `{"name":"A","age":"30.0","score":0,"ok":false}`, "schema: /age: want integer, got string", "30.0 is not made an integer"},
		{"words", `{"name":"A","age":"thirty","score":0,"ok":false}`, "schema: /age: want integer, got string", "words are not numbers"},
		{"yes", `{"name":"A","age":1,"score":0,"ok":"yes"}`, "schema: /ok: want boolean, got string", "only true/false become booleans"},
		{"nan", `{"name":"A","age":1,"score":"NaN","ok":false}`, "schema: /score: want number, got string", "NaN is not a JSON number"},
		{"required_null", `{"name":null,"age":1,"score":0,"ok":false}`, "schema: /name: want string, got null", "a required member's null is not dropped"},
		{"overflow", `{"name":"A","age":1,"score":0,"ok":false,"inner":{"n":"300"}}`, "schema: /inner/n: cannot decode a JSON number 300 into uint8", "a coerced value still has to fit the Go type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode[decoded]([]byte(tt.data), &DecodeOptions{Coerce: true})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Decode(%s, Coerce) = %v, want %q (%s)", tt.data, err, tt.want, tt.reason)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	_, err := Decode[decoded]([]byte(`{"name":"A","age":1,"score":0,"ok":false,"inner":{"n":256}}`), nil)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Keyword != "decode" || ve.Path != "/inner/n" {
		t.Errorf("Decode(n=256 into uint8) = %#v, want a decode *ValidationError at /inner/n", err)
	}
	if got, err := Decode[[]int]([]byte(`[1,2]`), nil); err != nil || len(got) != 2 {
		t.Errorf("Decode[[]int]([1,2]) = %v, %v, want [1 2]: any JSON form may be the root", got, err)
	}
	if _, err := Decode[[]int]([]byte(`[1,"x"]`), nil); err == nil || !strings.Contains(err.Error(), "/1") {
		t.Errorf(`Decode[[]int]([1,"x"]) = %v, want an error at /1`, err)
	}
	if _, err := Decode[chan int]([]byte(`1`), nil); err == nil || !strings.Contains(err.Error(), "chan int has no JSON form") {
		t.Errorf("Decode[chan int] = %v, want the For error", err)
	}
	if _, err := Decode[decoded]([]byte(`{"name":`), nil); !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("Decode(truncated) = %v, want ErrInvalidJSON", err)
	}
	p, err := Decode[*person]([]byte(`{"name":"Ann","age":3}`), nil)
	if err != nil || p == nil || p.Name != "Ann" || p.Age != 3 {
		t.Errorf("Decode[*person] = %+v, %v; want &{Ann 3}", p, err)
	}
}

// TestSchemaMatchesEncodingJSON checks that what encoding/json writes for a populated
// value is exactly what the schema describes: the same members, and valid.
func TestSchemaMatchesEncodingJSON(t *testing.T) {
	s := "x"
	values := []any{
		embedded{Base: Base{ID: "1", Created: "c", Shadow: 2}, Audit: &Audit{By: "b"}, unexportedEmbedded: unexportedEmbedded{Hidden: "h"}, Named: Base{ID: "n", Shadow: 1}, Own: "o"},
		shadowing{Base: Base{ID: "1", Created: "c", Shadow: 2}, Shadow: true},
		skipped{Kept: "k", Dash: "d", SchemaOut: "s", DashComma: "-"},
		quoted{N: 1, F: 2.5, B: true, S: "s"},
		requiredRules{Plain: "p", OmitEmpty: "o", OmitZero: 1, Pointer: &s, ForcedByTag: "f", ForcedPtr: ptr(1), NoJSONTag: 1, EmptyJSONTag: true},
		reflect.New(ambiguous).Elem().Interface(),
	}
	for _, v := range values {
		typ := reflect.TypeOf(v)
		if typ == reflect.TypeFor[skipped]() {
			continue // SchemaOut is encoded but left out of the schema on purpose; checked below
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ForType(typ)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		var enc map[string]json.RawMessage
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &enc); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sortedKeys(enc), sortedKeys(doc.Properties)); diff != "" {
			t.Errorf("ForType(%s) properties differ from encoding/json's members (-json +schema):\n%s", typ, diff)
		}
		sch, err := Compile(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(data); err != nil {
			t.Errorf("Validate(json.Marshal(%T)) = %v, want nil", v, err)
		}
	}
	// jsonschema:"-" hides a member from the schema, so the model never sends it.
	raw, _ := For[skipped]()
	var doc struct {
		Properties map[string]any `json:"properties"`
	}
	json.Unmarshal(raw, &doc)
	if diff := cmp.Diff([]string{"-", "kept"}, sortedKeys(doc.Properties)); diff != "" {
		t.Errorf("For[skipped]() properties mismatch (-want +got):\n%s", diff)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func ptr[T any](v T) *T { return &v }

func mustCompileFor[T any](t testing.TB) *Schema {
	t.Helper()
	raw, err := For[T]()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := Compile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func FuzzCompileValidate(f *testing.F) {
	raw, _ := For[roster]()
	f.Add(string(raw), `{"items":[{"name":"Ann","age":"30"}]}`)
	f.Add(`{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"$defs":{"x":{"type":"integer"}}}`, `{"a":1}`)
	f.Add(`{"anyOf":[{"type":"string"},{"type":"null"}]}`, `null`)
	f.Add(`{"$ref":"#"}`, `{}`)
	f.Add(`{"items":{"prefixItems":[true,false]}}`, `[[1,2]]`)
	f.Add(`{"pattern":"(("}`, `"x"`)
	f.Fuzz(func(t *testing.T, schemaText, instance string) {
		sch, err := Compile(json.RawMessage(schemaText))
		if err != nil {
			return
		}
		err = sch.Validate([]byte(instance))
		var ve *ValidationError
		if err != nil && !errors.Is(err, ErrInvalidJSON) && !errors.As(err, &ve) {
			t.Errorf("Validate(%q) = %v, want nil, ErrInvalidJSON or a *ValidationError", instance, err)
		}
		var dst any
		_ = sch.Decode([]byte(instance), &dst, &DecodeOptions{Coerce: true})
		_ = CheckToolSchema(json.RawMessage(schemaText))
		_ = CheckStrictSchema(json.RawMessage(schemaText))
	})
}

func BenchmarkDecode(b *testing.B) {
	data := []byte(`{"items":[{"name":"Ann","age":30,"email":"ann@example.com","tags":["a","b"],"pet":{"kind":"cat","legs":4}},{"name":"Bob","age":41}]}`)
	if _, err := Decode[roster](data, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode[roster](data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
