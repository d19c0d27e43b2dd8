package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestCheckToolSchema covers what Bedrock requires of tool schemas
// (providers/bedrock/RULES.md REQ-SCHEMA).
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
		{"ref", "no $ref: Bedrock resolves no references", `{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"string"}}}`, `(root): "$defs" is not allowed`, "-"},
		{"nested_ref", "no $ref deep inside either", `{"type":"object","properties":{"a":{"type":"array","items":{"$ref":"#/x"}}}}`, `/properties/a/items: "$ref" is not allowed`, "-"},
		{"schema_keyword", "no $schema (extraneous key)", `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}`, `(root): "$schema" is not allowed`, "-"},
		{"id", "no $id", `{"type":"object","properties":{"a":{"$id":"x","type":"string"}}}`, `/properties/a: "$id" is not allowed`, "-"},
		{"definitions", "no draft-07 definitions either", `{"type":"object","definitions":{}}`, `"definitions" is not allowed`, "-"},
		{"anyof_ref", "sub-schemas in lists are checked", `{"type":"object","properties":{"a":{"anyOf":[{"type":"null"},{"$ref":"#"}]}}}`, `/properties/a/anyOf/1: "$ref" is not allowed`, "-"},
		{"escaped_name", "member names are escaped in the location", `{"type":"object","properties":{"a/b":{"$ref":"#"}}}`, `/properties/a~1b: "$ref"`, "-"},
		{"bad_subschema", "a sub-schema must be an object or a boolean", `{"type":"object","properties":{"a":3}}`, "/properties/a: a sub-schema is 3", "-"},
		{"invalid_json", "malformed input is an error", `{"type":`, "invalid JSON", "-"},
		{"empty", "an empty schema is an error", ``, "empty schema", "-"},
		{"map", "a map's open additionalProperties is fine for a tool, not in strict mode", `{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"integer"}}},"additionalProperties":false}`, "", `/properties/m: strict schemas need "additionalProperties": false`},
		{"open_root", "strict mode wants additionalProperties false at the root too", `{"type":"object","properties":{}}`, "", `(root): strict schemas need "additionalProperties": false`},
		{"max_items", "strict mode refuses maxItems (REQ-SCHEMA)", `{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"},"maxItems":3}},"additionalProperties":false}`, "", "/properties/a: strict schemas do not take maxItems"},
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

// TestForStrict says which reflected schemas strict mode takes: all but maps and arrays.
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
		{reflect.TypeFor[special](), false, "a Go array sets maxItems"},
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
