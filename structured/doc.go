// Package structured asks a model for typed Go values: one JSON object matching the
// JSON Schema of a Go struct type, validated and decoded.
//
//	city, resp, err := structured.Generate[City](ctx, model, req, nil)
//
// [Generate] sends a copy of the request whose [llm.Output] carries the schema of T
// (from package schema), takes the object from [llm.Response.Object] or from the
// answer's text, validates it against the schema and decodes it; with
// [Options.Retries] it asks again, stating what was wrong, when the answer held no valid
// object. An answer without a valid object is an [*Error] with a [Reason]; it unwraps
// to [llm.ErrNoObject].
//
// [Stream] is the streaming form: [ObjectStream.Partials] yields values of T filled in
// as the JSON arrives (for a user interface showing fields as they come), then the
// final validated value; [ObjectStream.Text] yields the JSON text itself.
//
// This package holds what needs a JSON Schema library, so that package llm, the
// neutral model every provider and program imports, depends on the standard library
// alone.
package structured
