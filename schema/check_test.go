package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestCheckToolSchema covers what every tool schema must be, whatever the provider:
// an object at the root, properties never null, references local and resolved.
func TestCheckToolSchema(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		raw    string
		want   string // "" = accepted; else a substring of the error
		strict string // the same for CheckStrictSchema; "-" = as want
	}{
		{"minimal", "an object with properties", `{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`, "", "-"},
		{"no_properties", "a tool without arguments may omit properties", `{"type":"object","additionalProperties":false}`, "", "-"},
		{"property_named_ref", "a member may be called $ref: it is a name, not a keyword", `{"type":"object","properties":{"$ref":{"type":"string"}},"additionalProperties":false}`, "", "-"},
		{"root_array", "the root must be an object schema", `[]`, "the schema is a JSON array, want an object", "-"},
		{"root_type_missing", "the root needs type object", `{"properties":{}}`, `(root): type is null, want "object"`, "-"},
		{"root_type_string", "the root needs type object", `{"type":"string"}`, `(root): type is "string", want "object"`, "-"},
		{"root_type_list", "a type list is not accepted at the root", `{"type":["object","null"]}`, `(root): type is ["object","null"], want "object"`, "-"},
		{"properties_null", `"properties": null is refused by Bedrock (bifrost #1720)`, `{"type":"object","properties":null}`, "/properties: properties is null, want an object", "-"},
		{"nested_properties_null", "properties are never null anywhere", `{"type":"object","properties":{"a":{"type":"object","properties":null}}}`, "/properties/a/properties: properties is null", "-"},
		{"ref", "a local reference into $defs is JSON Schema; providers that take none inline it", `{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"string"}}}`, "", `(root): strict schemas need "additionalProperties": false`},
		{"nested_ref", "a reference that is neither # nor a definition cannot travel with the schema", `{"type":"object","properties":{"a":{"type":"array","items":{"$ref":"#/x"}}}}`, `/properties/a/items: $ref "#/x" is not local`, "-"},
		{"missing_definition", "a reference to a definition that is not there", `{"type":"object","properties":{"a":{"$ref":"#/$defs/B"}},"$defs":{"A":{"type":"string"}},"additionalProperties":false}`, `/properties/a: $ref "#/$defs/B": the root has no such definition`, "-"},
		{"escaped_definition", "definition names are unescaped as JSON pointer tokens", `{"type":"object","properties":{"a":{"$ref":"#/$defs/a~1b"}},"$defs":{"a/b":{"type":"string"}},"additionalProperties":false}`, "", "-"},
		{"schema_keyword", "$schema names the dialect; providers drop it if they must", `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false}`, "", "-"},
		{"id", "$id is allowed", `{"type":"object","properties":{"a":{"$id":"x","type":"string"}},"additionalProperties":false}`, "", "-"},
		{"definitions", "draft-07 definitions are checked like $defs", `{"type":"object","definitions":{"A":{"type":"object","properties":null}},"additionalProperties":false}`, `/definitions/A/properties: properties is null`, "-"},
		{"anyof_ref", "a reference to the root is recursion, which JSON Schema allows", `{"type":"object","properties":{"a":{"anyOf":[{"type":"null"},{"$ref":"#"}]}},"additionalProperties":false}`, "", "-"},
		{"escaped_name", "member names are escaped in the location", `{"type":"object","properties":{"a/b":{"$ref":"other.json"}}}`, `/properties/a~1b: $ref "other.json" is not local`, "-"},
		{"ref_not_string", "$ref must be a string", `{"type":"object","properties":{"a":{"$ref":1}}}`, `/properties/a: $ref is 1, want a string`, "-"},
		{"dynamic_ref", "dynamic references are not supported", `{"type":"object","properties":{"a":{"$dynamicRef":"#x"}}}`, `/properties/a: "$dynamicRef" is not supported`, "-"},
		{"strict_definition", "strict mode applies inside $defs too", `{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"object"}},"additionalProperties":false}`, "", `/$defs/A: strict schemas need "additionalProperties": false`},
		{"bad_subschema", "a sub-schema must be an object or a boolean", `{"type":"object","properties":{"a":3}}`, "/properties/a: a sub-schema is 3", "-"},
		{"invalid_json", "malformed input is an error", `{"type":`, "invalid JSON", "-"},
		{"empty", "an empty schema is an error", ``, "empty schema", "-"},
		{"map", "a map's open additionalProperties is fine for a tool, not in strict mode", `{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"integer"}}},"additionalProperties":false}`, "", `/properties/m: strict schemas need "additionalProperties": false`},
		{"open_root", "strict mode wants additionalProperties false at the root too", `{"type":"object","properties":{}}`, "", `(root): strict schemas need "additionalProperties": false`},
		{"max_items", "maxItems is JSON Schema; a provider whose strict mode refuses it drops it", `{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"},"maxItems":3}},"additionalProperties":false}`, "", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(fn func(json.RawMessage) error, fname, want string) {
				err := fn(json.RawMessage(tt.raw))
				switch {
				case want == "" && err != nil:
					t.Errorf("%s(%s) = %v, want nil (%s)", fname, tt.raw, err, tt.reason)
				case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
					t.Errorf("%s(%s) = %v, want an error containing %q (%s)", fname, tt.raw, err, want, tt.reason)
				case err != nil && !strings.HasPrefix(err.Error(), "schema: check: "):
					t.Errorf("%s(%s) = %q, want the schema: check: prefix", fname, tt.raw, err)
				}
			}
			check(CheckToolSchema, "CheckToolSchema", tt.want)
			strict := tt.strict
			if strict == "-" {
				strict = tt.want
			}
			check(CheckStrictSchema, "CheckStrictSchema", strict)
		})
	}
}

// TestForStrict says which reflected schemas strict mode takes: all but maps.
func TestForStrict(t *testing.T) {
	for _, tt := range []struct {
		typ    reflect.Type
		strict bool
		reason string
	}{
		{reflect.TypeFor[scalars](), true, "plain structs are strict-ready"},
		{reflect.TypeFor[nested](), true, "nested structs and slices too"},
		{reflect.TypeFor[tagged](), true, "tag keywords do not spoil it"},
		{reflect.TypeFor[maps](), false, "a map's keys are open"},
		{reflect.TypeFor[special](), true, "a Go array's maxItems is a provider's matter"},
		{reflect.TypeFor[recursive](), true, "references keep the rules: the definitions are closed too"},
	} {
		raw, err := ForType(tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckStrictSchema(raw); (err == nil) != tt.strict {
			t.Errorf("CheckStrictSchema(ForType(%s)) = %v, want strict=%v (%s)", tt.typ, err, tt.strict, tt.reason)
		}
	}
}
