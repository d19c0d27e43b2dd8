package schema

import (
	"bytes"
	"encoding/json"
	"math/big"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/llmkit/llmkit/internal/goldenfile"
)

// Types for the golden cases. Each is named for what it exercises.

type scalars struct {
	S   string  `json:"s"`
	I   int     `json:"i"`
	I8  int8    `json:"i8"`
	U64 uint64  `json:"u64"`
	F32 float32 `json:"f32"`
	F64 float64 `json:"f64"`
	B   bool    `json:"b"`
}

type requiredRules struct {
	Plain        string  `json:"plain"`
	OmitEmpty    string  `json:"omit_empty,omitempty"`
	OmitZero     int     `json:"omit_zero,omitzero"`
	Pointer      *string `json:"pointer"`
	ForcedByTag  string  `json:"forced,omitempty" jsonschema:"required"`
	ForcedPtr    *int    `json:"forced_ptr" jsonschema:"description=a pointer made required,required"`
	NoJSONTag    int
	EmptyJSONTag bool `json:",omitempty"`
}

type tagged struct {
	Name   string   `json:"name" jsonschema:"description=The person's full name"`
	Mood   string   `json:"mood" jsonschema:"enum=happy,enum=sad,enum=neutral"`
	Level  int      `json:"level" jsonschema:"enum=1,enum=2,enum=3"`
	Note   string   `json:"note" jsonschema_description:"Free text, commas, and all"`
	Email  string   `json:"email" jsonschema:"format=email,minLength=3"`
	Score  float64  `json:"score" jsonschema:"minimum=0,maximum=1"`
	Labels []string `json:"labels" jsonschema:"minItems=1,uniqueItems=true"`
	Title  string   `json:"title" jsonschema:"title=Title,example=Dr"`
}

type address struct {
	Street string `json:"street"`
	City   string `json:"city" jsonschema:"description=City name"`
}

type nested struct {
	Home     address   `json:"home" jsonschema:"description=Where they live"`
	Work     *address  `json:"work"`
	Previous []address `json:"previous"`
	Matrix   [][]int   `json:"matrix"`
	Inline   struct {
		A int `json:"a"`
	} `json:"inline"`
}

type maps struct {
	Counts  map[string]int     `json:"counts"`
	Places  map[string]address `json:"places"`
	ByID    map[int]string     `json:"by_id"`
	Free    map[string]any     `json:"free"`
	Ptrs    map[string]*int    `json:"ptrs"`
	Labeled map[textKey]bool   `json:"labeled"`
}

// textKey is a map key type that encodes through MarshalText.
type textKey struct{ a, b string }

func (k textKey) MarshalText() ([]byte, error) { return []byte(k.a + "/" + k.b), nil }

type times struct {
	At       time.Time     `json:"at"`
	Maybe    *time.Time    `json:"maybe"`
	Duration time.Duration `json:"duration"`
}

type Base struct {
	ID      string `json:"id"`
	Created string `json:"created,omitempty"`
	Shadow  int    `json:"shadow"`
}

type Audit struct {
	By string `json:"by"`
}

// Tie1 and Tie2 both have a member "tie". Embedding both in one struct makes the name
// ambiguous; go vet refuses such a declaration, so the test builds it with StructOf.
type Tie1 struct {
	Tie  string `json:"tie"`
	Left int    `json:"left"`
}

type Tie2 struct {
	Tie   string `json:"tie"`
	Right int    `json:"right"`
}

var ambiguous = reflect.StructOf([]reflect.StructField{
	{Name: "Tie1", Type: reflect.TypeFor[Tie1](), Anonymous: true},
	{Name: "Tie2", Type: reflect.TypeFor[Tie2](), Anonymous: true},
	{Name: "Own", Type: reflect.TypeFor[string](), Tag: `json:"own"`},
})

type unexportedEmbedded struct {
	Hidden string `json:"hidden"`
}

type embedded struct {
	Base                      // flattened
	*Audit                    // flattened through a pointer
	unexportedEmbedded        // an unexported type with exported fields: still flattened
	Named              Base   `json:"named"` // a tagged embedded-like field stays nested
	Own                string `json:"own"`
}

type shadowing struct {
	Base
	Shadow bool `json:"shadow"` // a shallower field hides Base.Shadow
}

type skipped struct {
	Kept      string `json:"kept"`
	Dash      string `json:"-"`
	SchemaOut string `json:"schema_out" jsonschema:"-"`
	//lint:ignore SA5008 a member literally named "-" is what this case tests
	DashComma string `json:"-,"`
	//lint:ignore U1000 an unexported field is never encoded: what this case tests
	private string
}

type quoted struct {
	N int     `json:"n,string"`
	F float64 `json:"f,string"`
	B bool    `json:"b,string"`
	S string  `json:"s,string"`
}

type empty struct{}

type special struct {
	Bytes   []byte          `json:"bytes"`
	Fixed   [3]int          `json:"fixed"`
	Raw     json.RawMessage `json:"raw"`
	Any     any             `json:"any"`
	Addr    netip.Addr      `json:"addr"`
	Pointer **int           `json:"pointer"`
}

type ordered struct {
	Zulu    string `json:"zulu"`
	Alpha   string `json:"alpha"`
	Mike    string `json:"mike"`
	Charlie string `json:"charlie"`
}

type twice struct {
	From address `json:"from" jsonschema:"description=sender"`
	To   address `json:"to" jsonschema:"description=recipient"`
}

type nullable struct {
	Maybe string `json:"maybe" jsonschema:"nullable"`
}

func TestFor(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		typ    reflect.Type
	}{
		{"scalars", "each Go scalar kind maps to its JSON type", reflect.TypeFor[scalars]()},
		{"required", "required unless omitempty, omitzero or a pointer; jsonschema:\"required\" overrides; untagged fields use the Go name", reflect.TypeFor[requiredRules]()},
		{"tags", "descriptions, enums, formats and bounds come from jsonschema tags", reflect.TypeFor[tagged]()},
		{"nested", "nested structs, pointers to structs, slices of structs and anonymous structs are objects; a struct used in several places is one definition", reflect.TypeFor[nested]()},
		{"maps", "a map is an object whose additionalProperties is the element schema; integer keys use patternProperties", reflect.TypeFor[maps]()},
		{"times", "time.Time is a date-time string, also through a pointer; time.Duration is an integer (nanoseconds)", reflect.TypeFor[times]()},
		{"embedded", "embedded structs (also through pointers, also of unexported types) flatten like encoding/json; a tagged struct field stays nested", reflect.TypeFor[embedded]()},
		{"ambiguous", "two embedded members of one name at the same depth both disappear, as in encoding/json", ambiguous},
		{"shadowing", "a shallower field hides a deeper one of the same JSON name", reflect.TypeFor[shadowing]()},
		{"skipped", "json:\"-\", jsonschema:\"-\" and unexported fields are left out; json:\"-,\" names a member \"-\"", reflect.TypeFor[skipped]()},
		{"quoted", "the ,string option makes scalars strings", reflect.TypeFor[quoted]()},
		{"empty", "a struct without fields still has properties {} (never null)", reflect.TypeFor[empty]()},
		{"special", "[]byte is base64, arrays have fixed length, RawMessage and any accept anything, a TextMarshaler is a string, pointers to pointers collapse", reflect.TypeFor[special]()},
		{"ordered", "properties keep field order, not alphabetical", reflect.TypeFor[ordered]()},
		{"twice", "a struct used twice is described once under $defs, each use keeping its own description", reflect.TypeFor[twice]()},
		{"recursive", "a type containing itself refers to the root as #", reflect.TypeFor[recursive]()},
		{"recursive_pointer", "recursion through a pointer is recursion too", reflect.TypeFor[recursivePtr]()},
		{"mutual", "a cycle through two types: the inner one is a definition, the root is #", reflect.TypeFor[mutualA]()},
		{"recursive_inner", "a recursive type below the root is a definition referring to itself", reflect.TypeFor[holdsTree]()},
		{"slice_root", "any JSON form may be the root: an array of objects", reflect.TypeFor[[]address]()},
		{"scalar_root", "a scalar root", reflect.TypeFor[string]()},
		{"time_root", "time.Time is a date-time string", reflect.TypeFor[time.Time]()},
		{"map_root", "a map is an object with open members", reflect.TypeFor[map[string]int]()},
		{"nullable", "jsonschema:\"nullable\" allows null through oneOf", reflect.TypeFor[nullable]()},
		{"pointer_root", "a pointer to a struct has the struct's schema", reflect.TypeFor[*address]()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ForType(tt.typ)
			if err != nil {
				t.Fatalf("ForType(%s) error: %v (%s)", tt.typ, err, tt.reason)
			}
			if err := checkReflected(got); err != nil {
				t.Errorf("checkReflected(ForType(%s)) = %v, want nil", tt.typ, err)
			}
			if _, err := Compile(got); err != nil {
				t.Errorf("Compile(ForType(%s)) = %v, want nil", tt.typ, err)
			}
			for _, k := range []string{`"$id"`, `"$schema"`, `"properties":null`} {
				if bytes.Contains(got, []byte(k)) {
					t.Errorf("ForType(%s) contains %s:\n%s", tt.typ, k, got)
				}
			}
			path := filepath.Join("testdata", "for", tt.name+".json")
			if goldenfile.Update() {
				var buf bytes.Buffer
				if err := json.Indent(&buf, got, "", "  "); err != nil {
					t.Fatal(err)
				}
				buf.WriteByte('\n')
				goldenfile.Write(t, path, buf.Bytes())
			}
			want := goldenfile.Read(t, path)
			if diff := jsonDiff(t, want, got); diff != "" {
				t.Errorf("ForType(%s) mismatch (-want +got), %s:\n%s", tt.typ, tt.reason, diff)
			}
			if diff := cmp.Diff(keyOrder(t, want), keyOrder(t, got)); diff != "" {
				t.Errorf("ForType(%s) property order mismatch (-want +got):\n%s", tt.typ, diff)
			}
		})
	}
}

// jsonDiff compares two JSON documents as parsed values.
func jsonDiff(t *testing.T, want, got []byte) string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	return cmp.Diff(w, g)
}

// keyOrder lists the member names of every "properties" object in document order, so
// that golden files also pin field order (which parsed comparison ignores).
func keyOrder(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	var order []string
	var walk func(inProps bool)
	walk = func(inProps bool) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("keyOrder: %v", err)
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					t.Fatalf("keyOrder: %v", err)
				}
				key := k.(string)
				if inProps {
					order = append(order, key)
				}
				walk(!inProps && key == "properties")
			}
			dec.Token() // }
		case json.Delim('['):
			for dec.More() {
				walk(false)
			}
			dec.Token() // ]
		}
	}
	walk(false)
	return order
}

type recursive struct {
	Name     string      `json:"name"`
	Children []recursive `json:"children"`
}

type recursivePtr struct {
	Next *recursivePtr `json:"next"`
}

type mutualA struct {
	B *mutualB `json:"b"`
}

type mutualB struct {
	As map[string]mutualA `json:"as"`
}

type tree struct {
	Value int     `json:"value"`
	Kids  []*tree `json:"kids,omitempty"`
}

type holdsTree struct {
	Root tree `json:"root"`
}

type withMarshaler struct {
	N *big.Int `json:"n"`
}

type withChan struct {
	C chan int `json:"c"`
}

type withFunc struct {
	F func() `json:"f"`
}

type withComplex struct {
	C complex128 `json:"c"`
}

type withBadKey struct {
	M map[address]int `json:"m"`
}

type hiddenChan struct {
	C chan int `json:"-"` // skipped, so fine
	N int      `json:"n"`
}

func TestForErrors(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		typ    reflect.Type
		want   []string // substrings of the error
	}{
		{"json_marshaler", "a MarshalJSON method hides the JSON form", reflect.TypeFor[withMarshaler](), []string{"big.Int implements json.Marshaler"}},
		{"chan", "channels have no JSON form", reflect.TypeFor[withChan](), []string{"chan int has no JSON form"}},
		{"func", "functions have no JSON form", reflect.TypeFor[withFunc](), []string{"func() has no JSON form"}},
		{"complex", "complex numbers have no JSON form", reflect.TypeFor[withComplex](), []string{"complex128 has no JSON form"}},
		{"struct_key", "a struct map key cannot be an object key, below a map root too", reflect.TypeFor[map[string]withBadKey](), []string{"schema: for map[string]schema.withBadKey:", "map key type schema.address"}},
		{"struct_key_field", "a struct map key cannot be an object key", reflect.TypeFor[withBadKey](), []string{"map key type schema.address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ForType(tt.typ)
			if err == nil {
				t.Fatalf("ForType(%s) = %s, want an error (%s)", tt.typ, got, tt.reason)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ForType(%s) error = %q, want it to contain %q (%s)", tt.typ, err, w, tt.reason)
				}
			}
			// The error is cached like a schema.
			if _, err2 := ForType(tt.typ); err2 != err {
				t.Errorf("second ForType(%s) error = %v, want the cached %v", tt.typ, err2, err)
			}
		})
	}
	if _, err := ForType(nil); err == nil {
		t.Errorf("ForType(nil) = nil error, want one")
	}
	if raw, err := For[hiddenChan](); err != nil || !bytes.Contains(raw, []byte(`"n"`)) {
		t.Errorf("For[hiddenChan]() = %s, %v; want a schema with n (the channel is skipped)", raw, err)
	}
}

func TestForCacheHitAllocs(t *testing.T) {
	if _, err := For[tagged](); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := For[tagged](); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("For[tagged]() on a cache hit allocates %v times, want 0", allocs)
	}
}

// Types reflected for the first time by TestForConcurrent.
type (
	concA struct {
		A int `json:"a"`
	}
	concB struct {
		B []concA `json:"b"`
	}
	concC struct {
		C map[string]concB `json:"c"`
	}
)

func TestForConcurrent(t *testing.T) {
	types := []reflect.Type{reflect.TypeFor[concA](), reflect.TypeFor[concB](), reflect.TypeFor[concC]()}
	const goroutines = 16
	results := make([][]json.RawMessage, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				typ := types[(g+i)%len(types)]
				raw, err := ForType(typ)
				if err != nil {
					t.Errorf("ForType(%s): %v", typ, err)
					return
				}
				if i < len(types) {
					results[g] = append(results[g], raw)
				}
				if _, err := Decode[concC]([]byte(`{"c":{"x":{"b":[{"a":1}]}}}`), nil); err != nil {
					t.Errorf("Decode[concC]: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, typ := range types {
		first, _ := ForType(typ)
		for g := range goroutines {
			for _, raw := range results[g] {
				if bytes.Equal(raw, first) && &raw[0] != &first[0] {
					t.Errorf("ForType(%s) returned two copies of the same schema; want the one cached slice", typ)
				}
			}
		}
	}
}

func BenchmarkForCacheHit(b *testing.B) {
	if _, err := For[nested](); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := For[nested](); err != nil {
			b.Fatal(err)
		}
	}
}
