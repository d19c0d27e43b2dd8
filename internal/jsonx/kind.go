package jsonx

import (
	"bytes"
	"encoding/json"
)

// Kind is the kind of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{Null: "null", Bool: "boolean", Number: "number", String: "string", Array: "array", Object: "object"}

// String returns the kind's name: "null", "boolean", "number", "string", "array" or
// "object".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Name returns the kind as an error message names a value of it: "null", "a boolean",
// "a number", "a string", "an array" or "an object".
func (k Kind) Name() string {
	switch k {
	case Null:
		return "null"
	case Array, Object:
		return "an " + k.String()
	}
	return "a " + k.String()
}

// KindOf returns the kind of the valid JSON value b by its first byte, leading
// whitespace skipped.
func KindOf(b []byte) Kind {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return Null
	}
	switch b[0] {
	case '{':
		return Object
	case '[':
		return Array
	case '"':
		return String
	case 't', 'f':
		return Bool
	case 'n':
		return Null
	}
	return Number
}

// KindOfValue returns the kind of a value decoded by encoding/json into an interface
// value; ok is false for a value of another Go type.
func KindOfValue(v any) (k Kind, ok bool) {
	switch v.(type) {
	case nil:
		return Null, true
	case bool:
		return Bool, true
	case json.Number, float64:
		return Number, true
	case string:
		return String, true
	case []any:
		return Array, true
	case map[string]any:
		return Object, true
	}
	return 0, false
}
