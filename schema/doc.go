// Package schema turns Go types into JSON Schemas (draft 2020-12), and validates and
// decodes JSON against them.
//
// # From Go types
//
// [For] reflects a type once (with github.com/invopop/jsonschema) and caches the
// result, for a tool's input, a structured output or validation:
//
//   - any type with a JSON form may be the root: a struct is an object, a slice an
//     array, a string a string. A tool's input must be an object ([CheckToolSchema]);
//   - a struct type used once is inlined where it is used. One that recurses, or is
//     used in more than one place, is described once under the root's "$defs" and
//     referred to with "$ref": "#/$defs/Name"; a reference to the root type is "#". A
//     use keeps the keywords its field adds (a description) beside its "$ref". There is
//     no "$id" or "$schema". Whether a provider's service takes references is that
//     provider's matter: one that takes none inlines them (a recursive type cannot be)
//     or refuses the schema when it formats the request;
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
// Maps cannot be expressed in strict mode (strict tools, native structured output),
// which wants "additionalProperties": false on every object. [CheckStrictSchema]
// reports such schemas; [CheckToolSchema] checks the rules every tool schema follows
// whatever the provider (an object at the root, properties never null, references
// local and resolved).
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
