// Package schema turns Go types into JSON Schemas that Amazon Bedrock accepts, and
// validates and decodes JSON against them.
//
// # From Go types
//
// [For] reflects a struct type once (with github.com/invopop/jsonschema) and caches the
// result. The schema is what Bedrock accepts for a tool's input and for structured
// output (providers/bedrock/RULES.md REQ-SCHEMA):
//
//   - the root is a struct, so the schema's root has type "object"; any other root type
//     is an error;
//   - every definition is inlined: no "$ref", "$defs", "$id" or "$schema". A recursive
//     type cannot be inlined and is an error naming the cycle;
//   - every struct is an object with "properties" (never null, {} for a struct without
//     fields) and "additionalProperties": false, its members in field order;
//   - members follow encoding/json: the json tag names them, json:"-" and
//     jsonschema:"-" drop them, unexported fields are skipped, embedded structs are
//     flattened (a shallower field hides a deeper one of the same name; a tagged one
//     wins at equal depth; two equal candidates both disappear), ",string" makes a
//     scalar a string;
//   - a member is required unless its json tag has omitempty or omitzero, or its type
//     is a pointer; jsonschema:"required" makes any member required;
//   - descriptions come from jsonschema:"description=…" or jsonschema_description:"…",
//     enums from jsonschema:"enum=a,enum=b", and so on for the other keywords
//     invopop/jsonschema reads (title, format, minimum, pattern, minItems…);
//   - a slice is an array of its element schema, []byte a base64 string, an array an
//     array with minItems and maxItems of its length, a map an object whose
//     additionalProperties is the element schema (integer keys use patternProperties),
//     a pointer its element's schema, time.Time a string with format date-time, an
//     interface any value ({});
//   - a type with a MarshalText method is a string; a type with a JSONSchema method
//     describes itself; any other type with a MarshalJSON method, and channels,
//     functions and complex numbers, are errors.
//
// Maps cannot be expressed in Bedrock's strict mode (strict tools, native structured
// output), which wants "additionalProperties": false on every object; nor can Go arrays
// (strict mode refuses maxItems). [CheckStrictSchema] reports such schemas;
// [CheckToolSchema] checks the rules every tool schema must follow.
//
// # Validating and decoding
//
// [Compile] compiles any JSON Schema (github.com/santhosh-tekuri/jsonschema/v6); a
// [Schema] validates JSON with [Schema.Validate]. [Decode] validates against [For][T]
// and decodes into a T. Failures are a [*ValidationError] whose Path is the JSON pointer
// of the first (deepest) mismatch, e.g. `schema: /items/0/age: want integer, got
// string`; malformed JSON wraps [ErrInvalidJSON]. [DecodeOptions].Coerce turns numbers
// and booleans sent as strings ("30", "true") into what the schema wants, a habit of
// some models.
package schema
