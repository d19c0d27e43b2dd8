package schema

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/llmkit/llmkit/internal/jsonx"
)

// For returns the JSON Schema of T, for a tool's input, a structured output or
// validation. See the package documentation for how Go types map to schemas.
//
// Any type with a JSON form has a schema: a struct is an object, a slice an array, a
// string a string… A struct type that recurses or is used in more than one place is
// described once under "$defs" and referred to with "$ref" (a reference to the root
// type itself is "#"). Providers whose service takes no references inline them or
// refuse the schema, in their own request formatting.
// The schema is reflected once per type and cached; For is safe for concurrent use and
// does not allocate once the type is cached. The returned slice is shared by every
// caller: it must not be modified.
func For[T any]() (json.RawMessage, error) {
	return ForType(reflect.TypeFor[T]())
}

// ForType is [For] for a [reflect.Type].
func ForType(t reflect.Type) (json.RawMessage, error) {
	e, err := lookup(t)
	if err != nil {
		return nil, err
	}
	return e.raw, e.err
}

// entry is the cached result of reflecting one type: its schema or the error that
// prevented one, and the compiled schema, built on first use.
type entry struct {
	raw json.RawMessage
	err error

	once     sync.Once
	compiled *Schema
	cerr     error
}

// cache maps a reflect.Type to its *entry. It is the package's only state: a pure
// function of the type, safe to share.
var cache sync.Map

func lookup(t reflect.Type) (*entry, error) {
	if t == nil {
		return nil, errors.New("schema: for <nil>: no type")
	}
	if e, ok := cache.Load(t); ok {
		return e.(*entry), nil
	}
	raw, err := reflectType(t)
	e, _ := cache.LoadOrStore(t, &entry{raw: raw, err: err})
	return e.(*entry), nil
}

// compiledSchema returns the compiled form of the entry's schema.
func (e *entry) compiledSchema() (*Schema, error) {
	if e.err != nil {
		return nil, e.err
	}
	e.once.Do(func() { e.compiled, e.cerr = Compile(e.raw) })
	return e.compiled, e.cerr
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	urlType         = reflect.TypeFor[url.URL]()
	ipType          = reflect.TypeFor[net.IP]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	textMarshalType = reflect.TypeFor[encoding.TextMarshaler]()
	customType      = reflect.TypeFor[interface{ JSONSchema() *jsonschema.Schema }]()
	extendType      = reflect.TypeFor[interface{ JSONSchemaExtend(*jsonschema.Schema) }]()
)

// generator reflects one root type. invopop/jsonschema does the per-field work (types,
// tags: description, enum, format, bounds…); its Mapper hook hands every struct type
// back to the generator, which flattens it the way encoding/json does, decides which
// members are required, and refuses what cannot be inlined.
type generator struct {
	r     *jsonschema.Reflector
	root  reflect.Type
	flat  map[reflect.Type]bool // flattened stand-ins, reflected by invopop itself
	stack []reflect.Type        // structs being reflected, to catch recursion
	err   error
	defs  definitions
}

func reflectType(t reflect.Type) (raw json.RawMessage, err error) {
	root := t
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	g := &generator{root: root, flat: map[reflect.Type]bool{}}
	g.defs.init(t)
	g.r = &jsonschema.Reflector{
		Anonymous:      true,
		DoNotReference: true,
		Mapper:         g.mapType,
	}
	defer func() {
		if p := recover(); p != nil {
			raw, err = nil, fmt.Errorf("schema: for %s: %v", root, p)
		}
	}()
	s := g.r.ReflectFromType(t)
	if g.err != nil {
		return nil, g.err
	}
	s.Definitions = g.defs.finish()
	s.Version, s.ID = "", ""
	fixEmpty(s)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("schema: for %s: %w", root, err)
	}
	raw, err = orderKeywords(bytes.TrimSpace(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("schema: for %s: %w", root, err)
	}
	if err := checkReflected(raw); err != nil {
		return nil, fmt.Errorf("schema: for %s: the reflected schema is malformed: %w", root, err)
	}
	return raw, nil
}

func (g *generator) fail(format string, args ...any) *jsonschema.Schema {
	if g.err == nil {
		g.err = fmt.Errorf("schema: for %s: "+format, append([]any{g.root}, args...)...)
	}
	return &jsonschema.Schema{}
}

// mapType is the Reflector's Mapper: nil lets invopop reflect t itself.
func (g *generator) mapType(t reflect.Type) *jsonschema.Schema {
	if g.err != nil {
		return &jsonschema.Schema{} // stop descending
	}
	switch {
	case g.flat[t], t == timeType, t == urlType, t == ipType, t == rawMessageType:
		return nil
	case t.Implements(customType):
		return nil // the type describes itself
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType):
		return g.fail("%s implements json.Marshaler, so its JSON form is unknown; give it a JSONSchema() *jsonschema.Schema method", t)
	case t.Implements(textMarshalType) || reflect.PointerTo(t).Implements(textMarshalType):
		return &jsonschema.Schema{Type: "string"} // encoding/json writes it as a string
	}
	switch t.Kind() {
	case reflect.Struct:
		return g.structSchema(t)
	case reflect.Map:
		switch k := t.Key(); k.Kind() {
		case reflect.String,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			if !reflect.PointerTo(k).Implements(textMarshalType) {
				return g.fail("%s: map key type %s cannot be a JSON object key", t, k)
			}
		}
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer, reflect.Uintptr:
		return g.fail("%s has no JSON form", t)
	}
	return nil
}

// structSchema reflects a struct through a flattened stand-in: one field per JSON
// member, tags kept, so that invopop sees exactly what encoding/json encodes.
func (g *generator) structSchema(t reflect.Type) *jsonschema.Schema {
	if slices.Contains(g.stack, t) || g.defs.seen(t) {
		return g.defs.ref(t) // recursive, or met before: described once under $defs
	}
	g.stack = append(g.stack, t)
	defer func() { g.stack = g.stack[:len(g.stack)-1] }()

	// The stand-in's members have placeholder names (m0, m1…), renamed afterwards:
	// invopop would mistake a member named "-" for a skipped field.
	fields := jsonFields(t)
	sfs := make([]reflect.StructField, len(fields))
	real := make(map[string]string, len(fields))
	for i, f := range fields {
		placeholder := "m" + strconv.Itoa(i)
		real[placeholder] = f.name
		jsonTag := placeholder
		if f.quoted {
			jsonTag += ",string"
		}
		tag := "json:" + strconv.Quote(jsonTag)
		for _, k := range []string{"jsonschema", "jsonschema_description", "jsonschema_extras"} {
			if v, ok := f.sf.Tag.Lookup(k); ok {
				tag += " " + k + ":" + strconv.Quote(v)
			}
		}
		sfs[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: f.sf.Type, Tag: reflect.StructTag(tag)}
	}
	flat := reflect.StructOf(sfs)
	g.flat[flat] = true
	s := g.r.ReflectFromType(flat)
	if g.err != nil {
		return &jsonschema.Schema{}
	}
	s.Version, s.ID = "", ""
	props := jsonschema.NewProperties()
	for p := s.Properties.Oldest(); p != nil; p = p.Next() {
		props.Set(real[p.Key], p.Value)
	}
	s.Properties = props
	for _, alt := range append(slices.Clip(s.OneOf), s.AnyOf...) { // oneof_required, anyof_required
		for i, name := range alt.Required {
			if r, ok := real[name]; ok {
				alt.Required[i] = r
			}
		}
	}
	s.Required = s.Required[:0]
	for _, f := range fields {
		if !f.optional || hasOption(f.sf.Tag.Get("jsonschema"), "required") {
			s.Required = append(s.Required, f.name)
		}
	}
	if len(s.Required) == 0 {
		s.Required = nil
	}
	if t.Implements(extendType) {
		reflect.New(t).Interface().(interface{ JSONSchemaExtend(*jsonschema.Schema) }).JSONSchemaExtend(s)
	}
	g.defs.first(t, s)
	return s
}

// fixEmpty makes every empty sub-schema ("any value") marshal as {} rather than true,
// which some providers refuse in place of a schema object.
func fixEmpty(s *jsonschema.Schema) {
	walk(s, func(s *jsonschema.Schema) {
		if s != jsonschema.TrueSchema && s != jsonschema.FalseSchema && reflect.DeepEqual(s, &jsonschema.Schema{}) {
			s.Extras = map[string]any{}
		}
	})
}

// walk calls fn on s and each of its sub-schemas.
func walk(s *jsonschema.Schema, fn func(*jsonschema.Schema)) {
	if s == nil {
		return
	}
	fn(s)
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			walk(p.Value, fn)
		}
	}
	for _, m := range []map[string]*jsonschema.Schema{s.PatternProperties, s.DependentSchemas, s.Definitions} {
		for _, sub := range m {
			walk(sub, fn)
		}
	}
	for _, list := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
		for _, sub := range list {
			walk(sub, fn)
		}
	}
	for _, sub := range []*jsonschema.Schema{s.Not, s.If, s.Then, s.Else, s.Items, s.Contains, s.AdditionalProperties, s.PropertyNames, s.ContentSchema} {
		walk(sub, fn)
	}
}

// keywordRank orders a schema object's keywords for people and models reading it: what
// the value is first, then what it holds. Unlisted keywords follow, in their order.
var keywordRank = map[string]int{
	"$ref": 1, "type": 2, "title": 3, "description": 4, "enum": 5, "const": 6, "format": 7,
	"properties": 8, "items": 9, "additionalProperties": 10, "required": 11, "$defs": 12,
}

// orderKeywords rewrites a schema so that each schema object lists its keywords in
// keywordRank order. Member names under properties (and other maps of sub-schemas) keep
// their order: that is the struct's field order.
func orderKeywords(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeOrdered(&buf, raw, true); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeOrdered writes raw, a schema (isSchema) or a map of schemas (!isSchema).
func writeOrdered(buf *bytes.Buffer, raw []byte, isSchema bool) error {
	ms, isObject, err := jsonx.ObjectMembers(raw)
	if err != nil {
		return err
	}
	if !isObject {
		buf.Write(raw) // true, false, or not a schema
		return nil
	}
	if isSchema {
		slices.SortStableFunc(ms, func(a, b jsonx.RawMember) int {
			ra, rb := keywordRank[a.Key], keywordRank[b.Key]
			if ra == 0 {
				ra = len(keywordRank) + 1
			}
			if rb == 0 {
				rb = len(keywordRank) + 1
			}
			return ra - rb
		})
	}
	buf.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		buf.Write(k)
		buf.WriteByte(':')
		switch {
		case !isSchema:
			err = writeOrdered(buf, m.Value, true)
		case slices.Contains(schemaMapKeywords, m.Key):
			err = writeOrdered(buf, m.Value, false)
		case slices.Contains(schemaKeywords, m.Key):
			err = writeOrdered(buf, m.Value, true)
		case slices.Contains(schemaListKeyword, m.Key):
			var list []json.RawMessage
			if err = json.Unmarshal(m.Value, &list); err != nil {
				break
			}
			buf.WriteByte('[')
			for j, sub := range list {
				if j > 0 {
					buf.WriteByte(',')
				}
				if err = writeOrdered(buf, sub, true); err != nil {
					break
				}
			}
			buf.WriteByte(']')
		default:
			buf.Write(m.Value)
		}
		if err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}
