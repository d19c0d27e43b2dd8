package bedrock

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
)

// Schemas.

// schemaWalker normalises one schema (REQ-SCHEMA).
type schemaWalker struct {
	b      *requestBuilder
	where  string
	strict bool
	defs   map[string]*jsonx.Node // "#/$defs/x" and "#/definitions/x" → definition
	stack  []string               // refs being inlined
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
	var root *jsonx.Node
	if len(bytes.TrimSpace(raw)) == 0 {
		root = jsonx.NewObject(jsonx.Member{Key: "type", Value: jsonx.NewString("object")})
	} else {
		n, err := jsonx.Parse(raw)
		if err != nil {
			return nil, fieldError(where, "not valid JSON: %v", err)
		}
		root = n
	}
	if root.Kind != jsonx.Object {
		return nil, fieldError(where, "a schema must be a JSON object, got %s", root.Kind.Name())
	}
	w := &schemaWalker{b: b, where: where, strict: strict}
	for _, section := range []string{"$defs", "definitions"} {
		d := root.Get(section)
		if d == nil {
			continue
		}
		if d.Kind != jsonx.Object {
			return nil, fieldError(where, "%s must be an object", section)
		}
		if w.defs == nil {
			w.defs = make(map[string]*jsonx.Node)
		}
		for _, m := range d.Members {
			w.defs["#/"+section+"/"+jsonx.EscapePointer(m.Key)] = m.Value
		}
		root.Delete(section)
	}
	switch t := root.Get("type"); {
	case t == nil:
		root.SetFirst("type", jsonx.NewString("object"))
	case !t.IsString("object"):
		return nil, fieldError(where, "the root of a tool or output schema must have type object (see REQ-SCHEMA in providers/bedrock/RULES.md)")
	}
	out, err := w.walk(root, nil)
	if err != nil {
		return nil, err
	}
	if out.Kind != jsonx.Object {
		return nil, fieldError(where, "a schema must be a JSON object")
	}
	if p := out.Get("properties"); p == nil {
		out.Set("properties", jsonx.NewObject())
	}
	return out.AppendJSON(nil), nil
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
func (w *schemaWalker) walk(n *jsonx.Node, at *pointer) (*jsonx.Node, error) {
	w.nodes++
	if w.nodes > maxSchemaNodes {
		return nil, w.fail(nil, "schema too large once its references are inlined (over %d nodes)", maxSchemaNodes)
	}
	if n.Kind == jsonx.Bool {
		return n, nil
	}
	if n.Kind != jsonx.Object {
		return nil, w.fail(at, "a schema must be an object or a boolean, got %s", n.Kind.Name())
	}
	if ref := n.Get("$ref"); ref != nil {
		resolved, err := w.inline(n, ref, at)
		if err != nil {
			return nil, err
		}
		n = resolved
	}
	n.Delete("$schema")
	n.Delete("$id")
	n.Delete("$defs")
	n.Delete("definitions")
	if w.strict {
		if err := w.strictObject(n, at); err != nil {
			return nil, err
		}
	}
	for i := range n.Members {
		if err := w.walkMember(&n.Members[i], at); err != nil {
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
func (w *schemaWalker) walkMember(m *jsonx.Member, at *pointer) error {
	var err error
	switch m.Key {
	case "properties", "patternProperties", "dependentSchemas", "dependencies":
		switch m.Value.Kind {
		case jsonx.Null:
			m.Value = jsonx.NewObject()
		case jsonx.Object:
			for j := range m.Value.Members {
				pm := &m.Value.Members[j]
				if m.Key == "dependencies" && pm.Value.Kind == jsonx.Array {
					continue // a property dependency: names, not a schema
				}
				if pm.Value, err = w.walk(pm.Value, at.child(m.Key).child(jsonx.EscapePointer(pm.Key))); err != nil {
					return err
				}
			}
		default:
			return w.fail(at, "%s must be an object, got %s", m.Key, m.Value.Kind.Name())
		}
	case "items", "additionalProperties", "not", "if", "then", "else", "contains",
		"propertyNames", "unevaluatedProperties", "unevaluatedItems", "additionalItems", "contentSchema":
		switch m.Value.Kind {
		case jsonx.Object, jsonx.Bool:
			m.Value, err = w.walk(m.Value, at.child(m.Key))
		case jsonx.Array:
			if m.Key != "items" {
				return w.fail(at, "%s must be a schema, got an array", m.Key)
			}
			err = w.walkAll(m.Value, at.child(m.Key))
		default:
			return w.fail(at, "%s must be a schema, got %s", m.Key, m.Value.Kind.Name())
		}
	case "anyOf", "allOf", "oneOf", "prefixItems":
		if m.Value.Kind != jsonx.Array {
			return w.fail(at, "%s must be an array of schemas, got %s", m.Key, m.Value.Kind.Name())
		}
		err = w.walkAll(m.Value, at.child(m.Key))
	default:
		if !dataKeywords[m.Key] && holdsRef(m.Value) {
			return w.fail(at.child(jsonx.EscapePointer(m.Key)), "keyword %q holds a $ref that cannot be inlined: llmkit does not know it as a keyword that holds schemas, and Bedrock rejects $ref", m.Key)
		}
	}
	return err
}

// holdsRef reports whether a "$ref" member is anywhere in n.
func holdsRef(n *jsonx.Node) bool {
	switch n.Kind {
	case jsonx.Object:
		for _, m := range n.Members {
			if m.Key == "$ref" || holdsRef(m.Value) {
				return true
			}
		}
	case jsonx.Array:
		for _, it := range n.Items {
			if holdsRef(it) {
				return true
			}
		}
	}
	return false
}

func (w *schemaWalker) walkAll(arr *jsonx.Node, at *pointer) error {
	for i, it := range arr.Items {
		v, err := w.walk(it, at.child(strconv.Itoa(i)))
		if err != nil {
			return err
		}
		arr.Items[i] = v
	}
	return nil
}

// inline replaces a node holding $ref by a copy of its definition, with the node's other
// keywords laid over it.
func (w *schemaWalker) inline(n, ref *jsonx.Node, at *pointer) (*jsonx.Node, error) {
	if ref.Kind != jsonx.String {
		return nil, w.fail(at, "$ref must be a string")
	}
	if ref.Str == "#" {
		return nil, w.fail(at, "$ref \"#\" refers to the schema's root, so the schema is recursive; Bedrock takes no $ref and a recursive schema cannot be inlined")
	}
	def, ok := w.defs[ref.Str]
	if !ok {
		return nil, w.fail(at, "$ref %q cannot be inlined: only references to the root's $defs or definitions can (Bedrock rejects $ref)", ref.Str)
	}
	for _, s := range w.stack {
		if s == ref.Str {
			return nil, w.fail(at, "$ref %q is recursive; Bedrock takes no $ref and a recursive schema cannot be inlined", ref.Str)
		}
	}
	if def.Kind == jsonx.Bool {
		return def, nil
	}
	if def.Kind != jsonx.Object {
		return nil, w.fail(at, "definition %q must be a schema object", ref.Str)
	}
	w.stack = append(w.stack, ref.Str)
	resolved, err := w.walk(def.Clone(), at)
	w.stack = w.stack[:len(w.stack)-1]
	if err != nil {
		return nil, err
	}
	for _, m := range n.Members {
		if m.Key != "$ref" {
			resolved.Set(m.Key, m.Value)
		}
	}
	return resolved, nil
}

// strictMapReason begins the error of a strict schema with an open object (a map).
const strictMapReason = "strict schemas need additionalProperties false"

// strictObject applies the strict-schema rules to one schema node.
func (w *schemaWalker) strictObject(n *jsonx.Node, at *pointer) error {
	t := n.Get("type")
	isObject := n.Get("properties") != nil || (t != nil && (t.IsString("object") || t.Kind == jsonx.Array && containsString(t, "object")))
	if isObject {
		switch ap := n.Get("additionalProperties"); {
		case ap == nil:
			n.Set("additionalProperties", &jsonx.Node{Kind: jsonx.Bool})
		case ap.Kind != jsonx.Bool || ap.Bool:
			return w.fail(at, "%s: a map (map[string]T in Go) cannot be strict; ask for the object through a tool (llm.Output Mode llm.OutputTool) or declare the tool without Strict", strictMapReason)
		}
	}
	for _, k := range strictUnsupported {
		if n.Get(k) != nil {
			n.Delete(k)
			w.b.warn(llm.Warnf(llm.WarningDropped, w.where, "keyword %s at %q dropped: Bedrock does not support it in strict schemas", k, "#"+at.String()))
		}
	}
	if mi := n.Get("minItems"); mi != nil && mi.Kind == jsonx.Number && mi.Str != "0" && mi.Str != "1" {
		n.Delete("minItems")
		w.b.warn(llm.Warnf(llm.WarningDropped, w.where, "keyword minItems at %q dropped: Bedrock supports only 0 or 1 in strict schemas", "#"+at.String()))
	}
	return nil
}

func containsString(arr *jsonx.Node, s string) bool {
	for _, it := range arr.Items {
		if it.IsString(s) {
			return true
		}
	}
	return false
}
