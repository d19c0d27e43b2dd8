package schema

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// Issue 13, point 5 (the check's side): a $ref under "dependencies" is found and
// checked (here, to a definition that does not exist); a property dependency (a list
// of names) is not a schema and passes.
func TestIssue13CheckWalksDependencies(t *testing.T) {
	bad := `{"type":"object","properties":{"a":{"type":"string"}},"dependencies":{"a":{"$ref":"#/$defs/x"}}}`
	err := CheckToolSchema(json.RawMessage(bad))
	if err == nil || !strings.Contains(err.Error(), "/dependencies/a") || !strings.Contains(err.Error(), `$ref "#/$defs/x"`) {
		t.Fatalf("CheckToolSchema(%s) = %v, want the $ref under /dependencies/a named", bad, err)
	}
	ok := `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"dependencies":{"a":["b"],"b":{"required":["a"]}}}`
	if err := CheckToolSchema(json.RawMessage(ok)); err != nil {
		t.Fatalf("CheckToolSchema(%s) = %v", ok, err)
	}
}

// deepSchema returns an object schema nesting depth "not" sub-schemas, with a fault at
// the bottom when bad.
func deepSchema(depth int, bad bool) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"object","properties":{"x":`)
	for range depth {
		b.WriteString(`{"not":`)
	}
	if bad {
		b.WriteString(`{"$ref":"other.json"}`)
	} else {
		b.WriteString(`{}`)
	}
	for range depth {
		b.WriteString(`}`)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// Issue 13, point 7 (tool schemas): checking a deep schema built a path string at every
// level, memory quadratic in the depth. The check now costs memory linear in the size,
// and still names the place at fault.
func TestIssue13CheckDeepSchemaLinear(t *testing.T) {
	const depth = 5000
	ok := deepSchema(depth, false)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := CheckToolSchema(ok)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n, limit := after.TotalAlloc-before.TotalAlloc, uint64(200*len(ok)); n > limit {
		t.Errorf("checking a %d-byte schema of depth %d allocated %d bytes, more than %d", len(ok), depth, n, limit)
	}
	err = CheckToolSchema(deepSchema(3, true))
	if err == nil || !strings.Contains(err.Error(), "/properties/x/not/not/not") {
		t.Errorf("error = %v, want the pointer /properties/x/not/not/not", err)
	}
}

// FuzzCheckToolSchema checks arbitrary schemas, and schemas nesting sub-schemas depth
// deep, with CheckToolSchema and CheckStrictSchema: never a panic, and memory linear in
// the input's size.
func FuzzCheckToolSchema(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"a":{"type":"string"}}}`), uint16(0))
	f.Add([]byte(`{"type":"object","dependencies":{"a":{"$ref":"#/$defs/x"},"b":["a"]}}`), uint16(10))
	f.Add([]byte(`{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"integer"}}}}`), uint16(3000))
	f.Add([]byte(`[]`), uint16(9999))
	f.Fuzz(func(t *testing.T, data []byte, depth uint16) {
		d := int(depth % 9000)
		for _, in := range [][]byte{data, deepSchema(d, depth%2 == 1)} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_ = CheckToolSchema(in)
			_ = CheckStrictSchema(in)
			runtime.ReadMemStats(&after)
			if n, limit := after.TotalAlloc-before.TotalAlloc, uint64(400*len(in)+64<<10); n > limit {
				t.Fatalf("checking %d bytes allocated %d bytes, more than %d", len(in), n, limit)
			}
		}
	})
}
