package schema

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// definitions collects the struct types that one reflected schema describes once,
// under "$defs": those that recurse and those used in more than one place. The first
// occurrence of every struct type is reflected in place and remembered; a later or
// recursive occurrence is a "$ref". When reflection ends, the first occurrence of each
// referenced type moves into "$defs" and is replaced by a reference, which keeps the
// keywords its field added (a description from the field's tag, say).
type definitions struct {
	root   reflect.Type                 // the root type, referred to as "#"
	firsts map[reflect.Type]*occurrence // every struct type reflected, by type
	names  map[reflect.Type]string      // referenced types' names under $defs
	taken  map[string]bool              // names in use
	order  []reflect.Type               // referenced types, in order of first reference
}

// occurrence is the first place a struct type was reflected: the node in the tree and a
// copy of it as reflected, before the enclosing field's tags were applied to it.
type occurrence struct {
	node     *jsonschema.Schema
	pristine jsonschema.Schema
}

func (d *definitions) init(root reflect.Type) {
	d.root = root
	d.firsts = map[reflect.Type]*occurrence{}
	d.names = map[reflect.Type]string{}
	d.taken = map[string]bool{}
}

// seen reports whether t was reflected completely before.
func (d *definitions) seen(t reflect.Type) bool { return d.firsts[t] != nil }

// first records the first reflection of t.
func (d *definitions) first(t reflect.Type, s *jsonschema.Schema) {
	if d.firsts[t] == nil {
		d.firsts[t] = &occurrence{node: s, pristine: *s}
	}
}

// ref returns a reference to t: "#" for the root type, "#/$defs/Name" otherwise.
func (d *definitions) ref(t reflect.Type) *jsonschema.Schema {
	if t == d.root {
		return &jsonschema.Schema{Ref: "#"}
	}
	name, ok := d.names[t]
	if !ok {
		name = d.newName(t)
		d.names[t] = name
		d.order = append(d.order, t)
	}
	return &jsonschema.Schema{Ref: "#/$defs/" + name}
}

// newName returns an unused name for t under $defs: its Go name with characters other
// than letters, digits, '_', '-' and '.' replaced by '_', numbered when taken.
func (d *definitions) newName(t reflect.Type) string {
	base := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			return r
		}
		return '_'
	}, t.Name())
	if base == "" {
		base = "struct"
	}
	name := base
	for i := 2; d.taken[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	d.taken[name] = true
	return name
}

// finish moves the first occurrence of every referenced type into the returned $defs
// (nil when there is none) and leaves a reference in its place.
func (d *definitions) finish() jsonschema.Definitions {
	if len(d.order) == 0 {
		return nil
	}
	defs := make(jsonschema.Definitions, len(d.order))
	for i := 0; i < len(d.order); i++ { // a definition may refer to types not yet listed
		t := d.order[i]
		occ := d.firsts[t]
		def := occ.pristine
		ref := &jsonschema.Schema{Ref: "#/$defs/" + d.names[t], Extras: fieldKeywords(occ.node, &occ.pristine)}
		*occ.node = *ref
		defs[d.names[t]] = &def
	}
	return defs
}

// fieldKeywords returns the keywords of node that differ from pristine: those the
// enclosing field's tags set on the first occurrence of a type.
func fieldKeywords(node, pristine *jsonschema.Schema) map[string]any {
	var now, before map[string]json.RawMessage
	a, errA := json.Marshal(node)
	b, errB := json.Marshal(pristine)
	if errA != nil || errB != nil || json.Unmarshal(a, &now) != nil || json.Unmarshal(b, &before) != nil {
		return nil
	}
	var extra map[string]any
	for _, k := range memberNames(now) {
		if string(before[k]) == string(now[k]) {
			continue
		}
		var v any
		if json.Unmarshal(now[k], &v) == nil {
			if extra == nil {
				extra = map[string]any{}
			}
			extra[k] = v
		}
	}
	return extra
}

// memberNames returns the keys of m, sorted.
func memberNames(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
