package bedrock

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/llmkit/llmkit/llm"
)

// Schemas.

// schemaWalker normalises one schema (rule 10).
type schemaWalker struct {
	b      *requestBuilder
	where  string
	strict bool
	defs   map[string]*jsonNode // "#/$defs/x" and "#/definitions/x" → definition
	stack  []string             // refs being inlined
	nodes  int
}

// maxSchemaNodes bounds a schema once its references are inlined.
const maxSchemaNodes = 20000

// Keywords strict schemas do not support on Bedrock; they are dropped with a warning.
var strictUnsupported = []string{
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "maxItems",
}

// normalizeSchema makes a tool or output schema Bedrock accepts: a JSON object whose root
// has type object (added when missing) and properties (an empty object when missing or
// null, and never null below); $schema and $id dropped; local references into $defs or
// definitions inlined and those sections removed (a recursive or non-local reference is
// an error). References are looked for under every keyword that holds schemas
// (properties, patternProperties, dependentSchemas, the schemas of dependencies, items,
// prefixItems, additionalProperties, not, if/then/else, contains, propertyNames,
// unevaluated*, additionalItems, contentSchema, allOf/anyOf/oneOf); a $ref under any
// other keyword (but the data keywords enum, const, default, examples) is an error, so
// no reference is ever sent dangling. For strict tools and native output every object schema gets
// additionalProperties false (any other value is an error), and keywords Bedrock does
// not take there are dropped with a warning. An empty schema is an object with no
// declared properties. The result is compact JSON, object members in the order given.
func (b *requestBuilder) normalizeSchema(raw json.RawMessage, where string, strict bool) ([]byte, error) {
	if b.schemas == nil {
		return b.normalizeSchemaNow(raw, where, strict)
	}
	if out, ok := b.schemas.get(raw, strict); ok {
		return out, nil
	}
	warned := len(b.warnings)
	out, err := b.normalizeSchemaNow(raw, where, strict)
	if err == nil && len(b.warnings) == warned {
		b.schemas.put(raw, strict, out)
	}
	return out, err
}

// normalizeSchemaNow does the work of normalizeSchema, without the cache.
func (b *requestBuilder) normalizeSchemaNow(raw json.RawMessage, where string, strict bool) ([]byte, error) {
	var root *jsonNode
	if len(bytes.TrimSpace(raw)) == 0 {
		root = &jsonNode{kind: jsonObject, members: []jsonMember{{"type", &jsonNode{kind: jsonString, str: "object"}}}}
	} else {
		n, err := parseJSONTree(raw)
		if err != nil {
			return nil, fieldError(where, "not valid JSON: %v", err)
		}
		root = n
	}
	if root.kind != jsonObject {
		return nil, fieldError(where, "a schema must be a JSON object, got %s", root.kindName())
	}
	w := &schemaWalker{b: b, where: where, strict: strict}
	for _, section := range []string{"$defs", "definitions"} {
		d := root.get(section)
		if d == nil {
			continue
		}
		if d.kind != jsonObject {
			return nil, fieldError(where, "%s must be an object", section)
		}
		if w.defs == nil {
			w.defs = make(map[string]*jsonNode)
		}
		for _, m := range d.members {
			w.defs["#/"+section+"/"+escapePointer(m.key)] = m.value
		}
		root.del(section)
	}
	switch t := root.get("type"); {
	case t == nil:
		root.setFirst("type", &jsonNode{kind: jsonString, str: "object"})
	case t.kind != jsonString || t.str != "object":
		return nil, fieldError(where, "the root of a tool or output schema must have type object (rule 10)")
	}
	out, err := w.walk(root, nil)
	if err != nil {
		return nil, err
	}
	if out.kind != jsonObject {
		return nil, fieldError(where, "a schema must be a JSON object")
	}
	if p := out.get("properties"); p == nil {
		out.set("properties", &jsonNode{kind: jsonObject, members: []jsonMember{}})
	}
	return out.appendJSON(nil), nil
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// pointer is a JSON pointer kept as a chain of tokens and spelled out only when a
// warning or an error names it, so that walking a deep schema costs memory linear in its
// size rather than a path string per level.
type pointer struct {
	parent *pointer
	tok    string // with its leading "/"
}

func (p *pointer) child(tok string) *pointer { return &pointer{parent: p, tok: "/" + tok} }

func (p *pointer) String() string {
	n := 0
	for q := p; q != nil; q = q.parent {
		n++
	}
	toks := make([]string, n)
	for q := p; q != nil; q = q.parent {
		n--
		toks[n] = q.tok
	}
	return strings.Join(toks, "")
}

func (w *schemaWalker) fail(at *pointer, format string, args ...any) error {
	where := w.where
	if s := at.String(); s != "" {
		where += " at " + s
	}
	return fieldError(where, format, args...)
}

// walk normalises the schema n found at JSON pointer at, and returns it (a new node when
// a reference was inlined).
func (w *schemaWalker) walk(n *jsonNode, at *pointer) (*jsonNode, error) {
	w.nodes++
	if w.nodes > maxSchemaNodes {
		return nil, w.fail(nil, "schema too large once its references are inlined (over %d nodes)", maxSchemaNodes)
	}
	if n.kind == jsonBool {
		return n, nil
	}
	if n.kind != jsonObject {
		return nil, w.fail(at, "a schema must be an object or a boolean, got %s", n.kindName())
	}
	if ref := n.get("$ref"); ref != nil {
		resolved, err := w.inline(n, ref, at)
		if err != nil {
			return nil, err
		}
		n = resolved
	}
	n.del("$schema")
	n.del("$id")
	n.del("$defs")
	n.del("definitions")
	if w.strict {
		if err := w.strictObject(n, at); err != nil {
			return nil, err
		}
	}
	for i := range n.members {
		if err := w.walkMember(&n.members[i], at); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// dataKeywords hold values, not schemas: a "$ref" member in them is data.
var dataKeywords = map[string]bool{"enum": true, "const": true, "default": true, "examples": true, "required": true}

// walkMember normalises the sub-schemas of one keyword of the schema at at. Every keyword
// that holds schemas is walked; any other keyword (but the data keywords) that holds a
// "$ref" is an error, since that reference would reach Bedrock dangling.
func (w *schemaWalker) walkMember(m *jsonMember, at *pointer) error {
	var err error
	switch m.key {
	case "properties", "patternProperties", "dependentSchemas", "dependencies":
		switch m.value.kind {
		case jsonNull:
			m.value = &jsonNode{kind: jsonObject, members: []jsonMember{}}
		case jsonObject:
			for j := range m.value.members {
				pm := &m.value.members[j]
				if m.key == "dependencies" && pm.value.kind == jsonArray {
					continue // a property dependency: names, not a schema
				}
				if pm.value, err = w.walk(pm.value, at.child(m.key).child(escapePointer(pm.key))); err != nil {
					return err
				}
			}
		default:
			return w.fail(at, "%s must be an object, got %s", m.key, m.value.kindName())
		}
	case "items", "additionalProperties", "not", "if", "then", "else", "contains",
		"propertyNames", "unevaluatedProperties", "unevaluatedItems", "additionalItems", "contentSchema":
		switch m.value.kind {
		case jsonObject, jsonBool:
			m.value, err = w.walk(m.value, at.child(m.key))
		case jsonArray:
			if m.key != "items" {
				return w.fail(at, "%s must be a schema, got an array", m.key)
			}
			err = w.walkAll(m.value, at.child(m.key))
		default:
			return w.fail(at, "%s must be a schema, got %s", m.key, m.value.kindName())
		}
	case "anyOf", "allOf", "oneOf", "prefixItems":
		if m.value.kind != jsonArray {
			return w.fail(at, "%s must be an array of schemas, got %s", m.key, m.value.kindName())
		}
		err = w.walkAll(m.value, at.child(m.key))
	default:
		if !dataKeywords[m.key] && holdsRef(m.value) {
			return w.fail(at.child(escapePointer(m.key)), "keyword %q holds a $ref that cannot be inlined: llmkit does not know it as a keyword that holds schemas, and Bedrock rejects $ref", m.key)
		}
	}
	return err
}

// holdsRef reports whether a "$ref" member is anywhere in n.
func holdsRef(n *jsonNode) bool {
	switch n.kind {
	case jsonObject:
		for _, m := range n.members {
			if m.key == "$ref" || holdsRef(m.value) {
				return true
			}
		}
	case jsonArray:
		for _, it := range n.items {
			if holdsRef(it) {
				return true
			}
		}
	}
	return false
}

func (w *schemaWalker) walkAll(arr *jsonNode, at *pointer) error {
	for i, it := range arr.items {
		v, err := w.walk(it, at.child(strconv.Itoa(i)))
		if err != nil {
			return err
		}
		arr.items[i] = v
	}
	return nil
}

// inline replaces a node holding $ref by a copy of its definition, with the node's other
// keywords laid over it.
func (w *schemaWalker) inline(n, ref *jsonNode, at *pointer) (*jsonNode, error) {
	if ref.kind != jsonString {
		return nil, w.fail(at, "$ref must be a string")
	}
	def, ok := w.defs[ref.str]
	if !ok {
		return nil, w.fail(at, "$ref %q cannot be inlined: only references to the root's $defs or definitions can (Bedrock rejects $ref)", ref.str)
	}
	for _, s := range w.stack {
		if s == ref.str {
			return nil, w.fail(at, "$ref %q is recursive; Bedrock takes no $ref and a recursive schema cannot be inlined", ref.str)
		}
	}
	if def.kind == jsonBool {
		return def, nil
	}
	if def.kind != jsonObject {
		return nil, w.fail(at, "definition %q must be a schema object", ref.str)
	}
	w.stack = append(w.stack, ref.str)
	resolved, err := w.walk(def.clone(), at)
	w.stack = w.stack[:len(w.stack)-1]
	if err != nil {
		return nil, err
	}
	for _, m := range n.members {
		if m.key != "$ref" {
			resolved.set(m.key, m.value)
		}
	}
	return resolved, nil
}

// strictObject applies the strict-schema rules to one schema node.
func (w *schemaWalker) strictObject(n *jsonNode, at *pointer) error {
	t := n.get("type")
	isObject := n.get("properties") != nil || (t != nil && (t.kind == jsonString && t.str == "object" || t.kind == jsonArray && containsString(t, "object")))
	if isObject {
		switch ap := n.get("additionalProperties"); {
		case ap == nil:
			n.set("additionalProperties", &jsonNode{kind: jsonBool})
		case ap.kind != jsonBool || ap.boolean:
			return w.fail(at, "strict schemas need additionalProperties false")
		}
	}
	for _, k := range strictUnsupported {
		if n.get(k) != nil {
			n.del(k)
			w.b.warn(llm.Warnf(llm.WarningDropped, w.where, "keyword %s at %q dropped: Bedrock does not support it in strict schemas", k, "#"+at.String()))
		}
	}
	if mi := n.get("minItems"); mi != nil && mi.kind == jsonNumber && mi.str != "0" && mi.str != "1" {
		n.del("minItems")
		w.b.warn(llm.Warnf(llm.WarningDropped, w.where, "keyword minItems at %q dropped: Bedrock supports only 0 or 1 in strict schemas", "#"+at.String()))
	}
	return nil
}

func containsString(arr *jsonNode, s string) bool {
	for _, it := range arr.items {
		if it.kind == jsonString && it.str == s {
			return true
		}
	}
	return false
}
