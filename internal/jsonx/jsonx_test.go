package jsonx

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestCompact(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"order_and_literals_kept", "{ \"z\" : 1.50 ,\n \"a\": [ 1e400, -0 ] }", `{"z":1.50,"a":[1e400,-0]}`, ""},
		{"invalid_utf8_repaired", "{\"a\": \"x\xffy\"}", "{\"a\":\"x\uFFFDy\"}", ""},
		{"valid_utf8_kept", `"é😀"`, `"é😀"`, ""},
		{"syntax_error_has_offset", `{"a": }`, "", "after 7 bytes"},
		{"trailing_data", `{} {}`, "", "after"},
		{"empty", ``, "", "unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compact([]byte(tc.in))
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Compact(%q) error = %v, want one containing %q", tc.in, err, tc.err)
			case tc.err == "" && (err != nil || string(got) != tc.want):
				t.Errorf("Compact(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		raw  string
		v    any
		want string
	}{
		{`null`, nil, "null"},
		{` true`, true, "a boolean"},
		{`-1.5`, json.Number("-1.5"), "a number"},
		{`"s"`, "s", "a string"},
		{`[1]`, []any{1.0}, "an array"},
		{"\n{}", map[string]any{}, "an object"},
	}
	for _, tc := range tests {
		if got := KindOf([]byte(tc.raw)).Name(); got != tc.want {
			t.Errorf("KindOf(%q).Name() = %q, want %q", tc.raw, got, tc.want)
		}
		k, ok := KindOfValue(tc.v)
		if !ok || k.Name() != tc.want {
			t.Errorf("KindOfValue(%#v) = %v, %v, want %q", tc.v, k, ok, tc.want)
		}
	}
	if _, ok := KindOfValue(struct{}{}); ok {
		t.Error("KindOfValue(struct{}{}) ok = true, want false for a value encoding/json does not decode into")
	}
	if got := Kind(42).String(); got != "invalid" {
		t.Errorf("Kind(42).String() = %q, want invalid", got)
	}
}

func TestEscapePointer(t *testing.T) {
	for in, want := range map[string]string{"a": "a", "a/b": "a~1b", "~1": "~01", "~/": "~0~1", "": ""} {
		if got := EscapePointer(in); got != want {
			t.Errorf("EscapePointer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestObjectMembers(t *testing.T) {
	ms, ok, err := ObjectMembers([]byte(`{"b": {"x":1}, "a": [ 2 ], "b": 3}`))
	if err != nil || !ok {
		t.Fatalf("ObjectMembers = %v, %v, %v, want the members", ms, ok, err)
	}
	got := fmt.Sprintln(len(ms), ms[0].Key, string(ms[0].Value), ms[1].Key, string(ms[1].Value), ms[2].Key)
	if want := "3 b {\"x\":1} a [ 2 ] b\n"; got != want {
		t.Errorf("ObjectMembers = %s, want %s (order kept, values as written, repeats listed)", got, want)
	}
	if _, ok, err := ObjectMembers([]byte(`[1]`)); ok || err != nil {
		t.Errorf("ObjectMembers(array) ok = %v, err = %v, want false, nil", ok, err)
	}
	if _, _, err := ObjectMembers([]byte(`{"a":`)); err == nil {
		t.Error("ObjectMembers(truncated) error = nil, want one")
	}
}

func TestNodeEdit(t *testing.T) {
	n, err := Parse([]byte(`{"b":1,"a":{"c":[true,null,"\u003c"]},"b":2}`))
	if err != nil {
		t.Fatal(err)
	}
	c := n.Clone()
	n.SetFirst("type", NewString("object"))
	n.SetFirst("b", NewString("x"))
	n.Delete("a")
	n.Delete("missing")
	n.Set("z", NewObject())
	if got, want := string(n.AppendJSON(nil)), `{"type":"object","b":"x","z":{}}`; got != want {
		t.Errorf("edited tree = %s, want %s", got, want)
	}
	if got, want := string(c.AppendJSON(nil)), `{"b":2,"a":{"c":[true,null,"<"]}}`; got != want {
		t.Errorf("clone = %s, want %s (first place, last value; unaffected by edits)", got, want)
	}
	if !n.Get("type").IsString("object") || n.Get("nope") != nil {
		t.Error("Get/IsString disagree with the edits")
	}
}

func ExampleCompact() {
	out, _ := Compact([]byte("{ \"b\": 1.0,\n  \"a\": \"\xff\" }"))
	fmt.Println(string(out))
	// Output: {"b":1.0,"a":"�"}
}
