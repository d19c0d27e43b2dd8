package schema

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// field is one JSON member of a struct as encoding/json sees it: embedded structs
// flattened, hidden and ambiguous names dropped, in encoding/json's output order.
type field struct {
	name     string
	tagged   bool // the name came from a json tag
	index    []int
	sf       reflect.StructField
	optional bool // omitempty, omitzero or a pointer
	quoted   bool // the ",string" option on a scalar
}

// jsonFields returns the fields encoding/json encodes for the struct type t, following
// its rules for embedded structs (a shallower field hides a deeper one of the same name;
// a tagged one wins at equal depth; two equal candidates cancel out). Fields tagged
// jsonschema:"-" are left out too.
func jsonFields(t reflect.Type) []field {
	type level struct {
		typ   reflect.Type
		index []int
	}
	var fields []field
	current := []level{}
	next := []level{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}

	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := range f.typ.NumField() {
				sf := f.typ.Field(i)
				if ignoredField(sf) {
					continue
				}
				name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clip(f.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					fields = append(fields, newField(sf, name, opts, index, ft))
					if count[f.typ] > 1 {
						// Two embeddings of the same type at one depth: let the
						// duplicate cancel the name out below.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index})
				}
			}
		}
	}

	return dominantFields(fields)
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

func quotable(k reflect.Kind) bool {
	switch k {
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

// validTagName reports whether encoding/json accepts s as a member name from a tag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// ignoredField reports whether encoding/json ignores sf: an unexported field (but for
// an embedded struct, whose exported fields are promoted), or one tagged json:"-" or
// jsonschema:"-".
func ignoredField(sf reflect.StructField) bool {
	if sf.Anonymous {
		et := sf.Type
		if et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if !sf.IsExported() && et.Kind() != reflect.Struct {
			return true
		}
	} else if !sf.IsExported() {
		return true
	}
	return sf.Tag.Get("json") == "-" || strings.Split(sf.Tag.Get("jsonschema"), ",")[0] == "-"
}

// newField returns the member sf becomes, named by its json tag's name (or the field's
// name when the tag gives none), with the tag's options opts; ft is its type, pointers
// removed.
func newField(sf reflect.StructField, name, opts string, index []int, ft reflect.Type) field {
	fl := field{
		name:     name,
		tagged:   name != "",
		index:    index,
		sf:       sf,
		optional: hasOption(opts, "omitempty") || hasOption(opts, "omitzero") || sf.Type.Kind() == reflect.Pointer,
		quoted:   hasOption(opts, "string") && quotable(ft.Kind()),
	}
	if fl.name == "" {
		fl.name = sf.Name
	}
	return fl
}

// dominantFields applies encoding/json's rules to fields of the same name: the
// shallowest wins, a tagged one wins at equal depth, and two equal candidates both
// disappear. It returns the fields that remain, in index order.
func dominantFields(fields []field) []field {
	slices.SortFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return +1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for advance, i := 0, 0; i < len(fields); i += advance {
		name := fields[i].name
		for advance = 1; i+advance < len(fields) && fields[i+advance].name == name; advance++ {
		}
		group := fields[i : i+advance]
		if len(group) > 1 && len(group[0].index) == len(group[1].index) && group[0].tagged == group[1].tagged {
			continue // ambiguous: encoding/json drops the name
		}
		out = append(out, group[0])
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return out
}
