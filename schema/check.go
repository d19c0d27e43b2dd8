package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/llmkit/llmkit/internal/jsonx"
)

// CheckToolSchema reports whether Bedrock accepts raw as a tool's input schema
// (providers/bedrock/RULES.md REQ-SCHEMA): a JSON object whose root has type "object", whose
// "properties" are never null, and which holds no "$ref", "$defs", "definitions", "$id"
// or "$schema" anywhere, since Bedrock resolves no references. The error names the
// schema location at fault, as a JSON pointer.
//
// Strict tools and native structured output ask for more; see [CheckStrictSchema].
func CheckToolSchema(raw json.RawMessage) error {
	root, err := parseSchemaDoc(raw)
	if err != nil {
		return err
	}
	if err := checkRoot(root); err != nil {
		return err
	}
	return checkTree(root, "", false)
}

// CheckStrictSchema is [CheckToolSchema] plus what strict tools and Bedrock's native
// structured output require (providers/bedrock/RULES.md REQ-SCHEMA): every object schema sets
// "additionalProperties": false — so a Go map, whose keys are open, cannot be part of a
// strict schema — and no array schema carries "maxItems" (which a Go array produces).
func CheckStrictSchema(raw json.RawMessage) error {
	root, err := parseSchemaDoc(raw)
	if err != nil {
		return err
	}
	if err := checkRoot(root); err != nil {
		return err
	}
	if err := checkTree(root, "", false); err != nil {
		return err // the rules for every tool come first
	}
	return checkTree(root, "", true)
}

func parseSchemaDoc(raw json.RawMessage) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("schema: check: empty schema")
	}
	v, err := parseJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("schema: check: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema: check: the schema is a JSON %s, want an object", jsonKind(v))
	}
	return root, nil
}

func checkRoot(root map[string]any) error {
	if t, ok := root["type"].(string); !ok || t != "object" {
		return fmt.Errorf("schema: check: (root): type is %s, want \"object\"", describe(root["type"]))
	}
	return nil
}

// Keywords whose value is one sub-schema, a list of them, or a map of them.
var (
	schemaKeywords    = []string{"additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema", "additionalItems"}
	schemaListKeyword = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	schemaMapKeywords = []string{"properties", "patternProperties", "dependentSchemas"}
	forbidden         = []string{"$ref", "$defs", "definitions", "$id", "$schema", "$dynamicRef", "$recursiveRef"}
)

func checkTree(s map[string]any, at string, strict bool) error {
	for _, k := range forbidden {
		if _, ok := s[k]; ok {
			return fmt.Errorf("schema: check: %s: %q is not allowed: Bedrock accepts no references or schema identifiers; inline the definition", pointerOrRoot(at), k)
		}
	}
	if p, ok := s["properties"]; ok {
		if _, isMap := p.(map[string]any); !isMap {
			return fmt.Errorf("schema: check: %s: properties is %s, want an object", pointerOrRoot(at+"/properties"), describe(p))
		}
	}
	if strict {
		if isObjectSchema(s) {
			if ap, ok := s["additionalProperties"]; !ok || ap != false {
				return fmt.Errorf("schema: check: %s: strict schemas need \"additionalProperties\": false on every object (a Go map cannot be expressed)", pointerOrRoot(at))
			}
		}
		if _, ok := s["maxItems"]; ok {
			return fmt.Errorf("schema: check: %s: strict schemas do not take maxItems (a Go array produces it; use a slice)", pointerOrRoot(at))
		}
	}
	for _, k := range schemaKeywords {
		if err := checkSub(s[k], at+"/"+k, strict); err != nil {
			return err
		}
	}
	for _, k := range schemaListKeyword {
		if list, ok := s[k].([]any); ok {
			for i, sub := range list {
				if err := checkSub(sub, at+"/"+k+"/"+strconv.Itoa(i), strict); err != nil {
					return err
				}
			}
		}
	}
	for _, k := range schemaMapKeywords {
		if m, ok := s[k].(map[string]any); ok {
			keys := make([]string, 0, len(m))
			for name := range m {
				keys = append(keys, name)
			}
			slices.Sort(keys) // deterministic: report the same fault every time
			for _, name := range keys {
				if err := checkSub(m[name], at+"/"+k+"/"+jsonx.EscapePointer(name), strict); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkSub(v any, at string, strict bool) error {
	switch sub := v.(type) {
	case nil:
		return nil
	case bool:
		return nil
	case map[string]any:
		return checkTree(sub, at, strict)
	}
	return fmt.Errorf("schema: check: %s: a sub-schema is %s, want an object", at, describe(v))
}

func isObjectSchema(s map[string]any) bool {
	switch t := s["type"].(type) {
	case string:
		return t == "object"
	case []any:
		return slices.Contains(t, any("object"))
	}
	_, ok := s["properties"]
	return ok
}

func describe(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) > 40 {
		return "a JSON " + jsonKind(v)
	}
	return string(b)
}

// jsonKind names the kind of a value decoded by encoding/json: "object", "array", ….
func jsonKind(v any) string {
	if k, ok := jsonx.KindOfValue(v); ok {
		return k.String()
	}
	return fmt.Sprintf("%T", v)
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}
