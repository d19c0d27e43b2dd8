package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/llmkit/llmkit/internal/jsonx"
)

// CheckToolSchema reports whether raw is a well-formed schema for a tool's input: a
// JSON object whose root has type "object", whose "properties" are never null, and whose
// references are local — "#" or a definition under the root's "$defs" (or
// "definitions") that exists — since a tool schema travels on its own. The error names
// the schema location at fault, as a JSON pointer.
//
// What a given provider's service accepts beyond this (no references at all, say) is
// that provider's rule, applied when it formats a request. Strict tools ask for more;
// see [CheckStrictSchema].
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

// CheckStrictSchema is [CheckToolSchema] plus what strict tools and strict structured
// output mean: every object schema sets "additionalProperties": false, so that the
// model's object has no members beyond those declared — a Go map, whose keys are open,
// cannot be part of a strict schema.
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

// checkReflected checks a schema [For] produced: well-formed, its references resolved.
func checkReflected(raw json.RawMessage) error {
	root, err := parseSchemaDoc(raw)
	if err != nil {
		return err
	}
	return checkTree(root, "", false)
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
// "dependencies" (draft 7) maps a property to a sub-schema or to a list of property
// names; only its sub-schemas are checked.
var (
	schemaKeywords    = []string{"additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema", "additionalItems"}
	schemaListKeyword = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	schemaMapKeywords = []string{"properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"}
	dynamicRefs       = []string{"$dynamicRef", "$recursiveRef"}
)

// checker walks a schema keeping the JSON pointer of the current node as a list of
// tokens, joined only when an error names it: a deep schema costs memory linear in its
// size, not in its depth squared.
type checker struct {
	root   map[string]any // the document, where references resolve
	strict bool
	path   []string
}

// checkTree checks the schema document s, its location named at.
func checkTree(s map[string]any, at string, strict bool) error {
	c := &checker{root: s, strict: strict}
	if at != "" {
		c.path = append(c.path, at)
	}
	return c.tree(s)
}

// at returns the JSON pointer of the current node, with extra tokens appended.
func (c *checker) at(extra ...string) string {
	var b strings.Builder
	for _, t := range c.path {
		b.WriteString(t)
	}
	for _, t := range extra {
		b.WriteString("/")
		b.WriteString(t)
	}
	return pointerOrRoot(b.String())
}

// ref checks the node's reference: "#", or a definition of the root's "$defs" or
// "definitions".
func (c *checker) ref(s map[string]any) error {
	for _, k := range dynamicRefs {
		if _, ok := s[k]; ok {
			return fmt.Errorf("schema: check: %s: %q is not supported: use \"$ref\" to a definition under the root's \"$defs\"", c.at(), k)
		}
	}
	v, ok := s["$ref"]
	if !ok {
		return nil
	}
	ref, ok := v.(string)
	if !ok {
		return fmt.Errorf("schema: check: %s: $ref is %s, want a string", c.at(), describe(v))
	}
	if _, ok := resolveRef(c.root, ref); ok {
		return nil
	}
	for _, section := range defSections {
		if strings.HasPrefix(ref, "#/"+section+"/") {
			return fmt.Errorf("schema: check: %s: $ref %q: the root has no such definition", c.at(), ref)
		}
	}
	return fmt.Errorf("schema: check: %s: $ref %q is not local: a schema travels on its own, so references must be \"#\" or \"#/$defs/<name>\"", c.at(), ref)
}

// defSections are the root keywords that hold a schema's definitions.
var defSections = []string{"$defs", "definitions"}

// resolveRef returns the schema the local reference ref names in the schema document
// root: root itself for "#", a definition of the root's "$defs" (or "definitions") for
// "#/$defs/<name>". ok is false for another reference or a definition the root lacks.
func resolveRef(root map[string]any, ref string) (target any, ok bool) {
	if ref == "#" {
		return root, true
	}
	for _, section := range defSections {
		if name, isDef := strings.CutPrefix(ref, "#/"+section+"/"); isDef {
			defs, _ := root[section].(map[string]any)
			target, ok = defs[jsonx.UnescapePointer(name)]
			return target, ok
		}
	}
	return nil, false
}

func (c *checker) tree(s map[string]any) error {
	if err := c.ref(s); err != nil {
		return err
	}
	if p, ok := s["properties"]; ok {
		if _, isMap := p.(map[string]any); !isMap {
			return fmt.Errorf("schema: check: %s: properties is %s, want an object", c.at("properties"), describe(p))
		}
	}
	if c.strict {
		if isObjectSchema(s) {
			if ap, ok := s["additionalProperties"]; !ok || ap != false {
				return fmt.Errorf("schema: check: %s: strict schemas need \"additionalProperties\": false on every object (a Go map cannot be expressed)", c.at())
			}
		}
	}
	for _, k := range schemaKeywords {
		if err := c.sub(s[k], "/"+k); err != nil {
			return err
		}
	}
	for _, k := range schemaListKeyword {
		if list, ok := s[k].([]any); ok {
			for i, sub := range list {
				if err := c.sub(sub, "/"+k+"/"+strconv.Itoa(i)); err != nil {
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
				if _, isList := m[name].([]any); isList && k == "dependencies" {
					continue // a property dependency: names, not a schema
				}
				if err := c.sub(m[name], "/"+k+"/"+jsonx.EscapePointer(name)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// sub checks the sub-schema v found at the pointer token tok below the current node.
func (c *checker) sub(v any, tok string) error {
	switch sub := v.(type) {
	case nil:
		return nil
	case bool:
		return nil
	case map[string]any:
		c.path = append(c.path, tok)
		err := c.tree(sub)
		c.path = c.path[:len(c.path)-1]
		return err
	}
	c.path = append(c.path, tok)
	at := c.at()
	c.path = c.path[:len(c.path)-1]
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
