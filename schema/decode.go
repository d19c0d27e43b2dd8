package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// DecodeOptions configures [Decode] and [Schema.Decode]. The zero value (and nil) is
// strict: the JSON must match the schema as it is.
type DecodeOptions struct {
	// Coerce turns strings into numbers or booleans where the schema wants a number,
	// an integer or a boolean and does not accept a string: "30" becomes 30 for an
	// integer, "2.5" becomes 2.5 for a number, "true"/"false" become booleans. Some
	// models (some Llama deployments, for one) write numbers as strings.
	// Surrounding spaces are ignored; "30.0" is not an integer. An optional member sent
	// as null where its schema accepts no null is dropped, as if absent (a Go pointer or
	// omitempty field then keeps its zero value). Nothing else changes; the result is
	// still validated.
	Coerce bool
}

// Decode validates data against [For][T] and decodes it into a T. Errors wrap
// [ErrInvalidJSON] for malformed JSON, are a [*ValidationError] naming the JSON path of
// the first mismatch, or the error For[T] returned. opts may be nil (strict).
func Decode[T any](data []byte, opts *DecodeOptions) (T, error) {
	var v T
	e, err := lookup(reflect.TypeFor[T]())
	if err != nil {
		return v, err
	}
	s, err := e.compiledSchema()
	if err != nil {
		return v, err
	}
	err = s.Decode(data, &v, opts)
	return v, err
}

// Decode validates data against s and then decodes it into dst, a non-nil pointer, with
// encoding/json. With opts.Coerce, strings are first coerced where the schema wants
// numbers or booleans. A value that validates but does not fit dst yields a
// [*ValidationError] with Keyword "decode" and the path of the mismatch.
func (s *Schema) Decode(data []byte, dst any, opts *DecodeOptions) error {
	v, err := parseJSON(data)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	changed := false
	if opts != nil && opts.Coerce {
		root, _ := s.doc.(map[string]any)
		v, changed = coerce(root, s.doc, v)
	}
	if err := s.validateValue(v); err != nil {
		return err
	}
	if changed {
		if data, err = json.Marshal(v); err != nil {
			return fmt.Errorf("schema: decode: %w", err)
		}
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return decodeError(err)
	}
	return nil
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := ""
		if te.Field != "" {
			path = "/" + strings.Join(strings.Split(te.Field, "."), "/")
		}
		return &ValidationError{Path: path, Keyword: "decode", Message: fmt.Sprintf("cannot decode a JSON %s into %s", te.Value, te.Type)}
	}
	var ie *json.InvalidUnmarshalError
	if errors.As(err, &ie) {
		return fmt.Errorf("schema: decode: %w", err)
	}
	return &ValidationError{Keyword: "decode", Message: err.Error()}
}

// coerce walks the instance v alongside the schema sch, a part of the schema document
// root, and turns strings into numbers or booleans where the schema wants them and
// accepts no string. It reports whether it changed anything. Objects and arrays are
// changed in place.
func coerce(root map[string]any, sch, v any) (any, bool) {
	node, ok := sch.(map[string]any)
	if !ok {
		return v, false
	}
	node = deref(root, node)
	switch x := v.(type) {
	case string:
		return coerceString(node, x)
	case map[string]any:
		return x, coerceObject(root, node, x)
	case []any:
		return x, coerceArray(root, node, x)
	}
	return v, false
}

// maxRefChain bounds the references deref follows from one node: a longer chain (a
// cycle of references, say) describes no value to coerce.
const maxRefChain = 32

// deref returns the schema node stands for: when node has a "$ref" and no "type" (as
// [For] writes a shared or recursive struct type, with at most a description beside it),
// the schema the reference names in root, followed while that is a reference too. A
// reference that does not resolve leaves node as it is.
func deref(root, node map[string]any) map[string]any {
	for range maxRefChain {
		ref, ok := node["$ref"].(string)
		if !ok || node["type"] != nil {
			return node
		}
		target, ok := resolveRef(root, ref)
		next, isMap := target.(map[string]any)
		if !ok || !isMap {
			return node
		}
		node = next
	}
	return node
}

// coerceString turns s into a number or boolean where node wants one and accepts no
// string.
func coerceString(node map[string]any, x string) (any, bool) {
	types := wantTypes(node)
	if len(types) == 0 || types["string"] {
		return x, false
	}
	s := strings.TrimSpace(x)
	if types["integer"] || types["number"] {
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return json.Number(s), true
		}
		if _, err := strconv.ParseUint(s, 10, 64); err == nil {
			return json.Number(s), true
		}
		if types["number"] && isJSONNumber(s) {
			return json.Number(s), true
		}
	}
	if types["boolean"] {
		switch s {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return x, false
}

// coerceObject coerces the members of x in place and drops optional members sent as
// null; it reports whether it changed anything.
func coerceObject(root, node map[string]any, x map[string]any) bool {
	obj := branch(node, "object")
	if obj == nil {
		return false
	}
	props, _ := obj["properties"].(map[string]any)
	required, _ := obj["required"].([]any)
	changed := false
	for k, val := range x {
		sub, ok := props[k]
		if !ok {
			sub = obj["additionalProperties"]
		}
		if val == nil && ok && !slices.Contains(required, any(k)) && !acceptsNull(root, sub) {
			delete(x, k) // an optional member sent as null: as if absent
			changed = true
			continue
		}
		if nv, c := coerce(root, sub, val); c {
			x[k] = nv
			changed = true
		}
	}
	return changed
}

// coerceArray coerces the items of x in place; it reports whether it changed anything.
func coerceArray(root, node map[string]any, x []any) bool {
	arr := branch(node, "array")
	if arr == nil {
		return false
	}
	prefix, _ := arr["prefixItems"].([]any)
	changed := false
	for i, val := range x {
		sub := arr["items"]
		if i < len(prefix) {
			sub = prefix[i]
		}
		if nv, c := coerce(root, sub, val); c {
			x[i] = nv
			changed = true
		}
	}
	return changed
}

// wantTypes returns the types a schema node accepts, its anyOf/oneOf branches included.
// An empty result means any type.
func wantTypes(node map[string]any) map[string]bool {
	types := map[string]bool{}
	anyType := false
	add := func(n map[string]any) {
		switch t := n["type"].(type) {
		case string:
			types[t] = true
		case []any:
			for _, s := range t {
				if s, ok := s.(string); ok {
					types[s] = true
				}
			}
		}
	}
	add(node)
	for _, k := range []string{"anyOf", "oneOf"} {
		list, _ := node[k].([]any)
		for _, b := range list {
			switch b := b.(type) {
			case map[string]any:
				if _, typed := b["type"]; !typed {
					anyType = true
				}
				add(b)
			case bool:
				anyType = anyType || b
			}
		}
	}
	if anyType {
		return nil
	}
	return types
}

// branch returns the node, or its first anyOf/oneOf branch, that describes values of
// the JSON type kind.
func branch(node map[string]any, kind string) map[string]any {
	if accepts(node, kind) {
		return node
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		list, _ := node[k].([]any)
		for _, b := range list {
			if b, ok := b.(map[string]any); ok && accepts(b, kind) {
				return b
			}
		}
	}
	return nil
}

func accepts(node map[string]any, kind string) bool {
	switch t := node["type"].(type) {
	case string:
		return t == kind
	case []any:
		for _, s := range t {
			if s == kind {
				return true
			}
		}
		return false
	}
	switch kind {
	case "object":
		_, p := node["properties"]
		_, ap := node["additionalProperties"]
		return p || ap
	case "array":
		_, it := node["items"]
		_, pi := node["prefixItems"]
		return it || pi
	}
	return false
}

// acceptsNull reports whether the schema sch, a part of the schema document root, may
// accept null: it names the null type or constrains no type at all.
func acceptsNull(root map[string]any, sch any) bool {
	node, ok := sch.(map[string]any)
	if !ok {
		return sch != false
	}
	types := wantTypes(deref(root, node))
	return len(types) == 0 || types["null"]
}

func isJSONNumber(s string) bool {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	return json.Valid([]byte(s))
}
