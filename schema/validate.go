package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ErrInvalidJSON is the category of errors for input that is not one well-formed JSON
// value. Test for it with [errors.Is].
var ErrInvalidJSON = errors.New("invalid JSON")

// ValidationError reports the first place where a JSON value does not match a schema
// (or does not decode into a Go type). When a value fails in several places, it is the
// deepest, most specific failure.
type ValidationError struct {
	// Path is the JSON pointer (RFC 6901) of the failing value in the instance, such as
	// "/items/0/age"; "" is the root.
	Path string
	// Keyword is the schema keyword that failed ("type", "required", "enum",
	// "additionalProperties"…), or "decode" when decoding into the Go type failed.
	Keyword string
	// Message says what is wrong, e.g. "want integer, got string".
	Message string
}

func (e *ValidationError) Error() string {
	return "schema: " + pointerOrRoot(e.Path) + ": " + e.Message
}

// Schema is a compiled JSON Schema (draft 2020-12 unless the schema says otherwise). It
// is safe for concurrent use.
type Schema struct {
	raw      json.RawMessage
	doc      any // the parsed schema, walked by coercion
	compiled *jsonschema.Schema
}

// Compile compiles raw, a JSON Schema. References may point only inside the schema:
// nothing is loaded from files or the network. Format assertions (date-time, email…)
// are on.
func Compile(raw json.RawMessage) (*Schema, error) {
	doc, err := parseJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("schema: compile: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	const loc = "mem:///schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("schema: compile: %w", err)
	}
	compiled, err := compileSafely(c, loc)
	if err != nil {
		return nil, fmt.Errorf("schema: compile: %w", err)
	}
	return &Schema{raw: bytes.Clone(raw), doc: doc, compiled: compiled}, nil
}

func compileSafely(c *jsonschema.Compiler, loc string) (s *jsonschema.Schema, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("invalid schema: %v", p)
		}
	}()
	return c.Compile(loc)
}

// noLoader refuses every external reference.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external reference %s is not allowed", url)
}

// JSON returns the schema's source. The caller must not modify it.
func (s *Schema) JSON() json.RawMessage { return s.raw }

// Validate checks that data is one JSON value matching the schema. It returns an error
// wrapping [ErrInvalidJSON] for malformed input and a [*ValidationError] naming the
// first failing place for a mismatch.
func (s *Schema) Validate(data []byte) error {
	v, err := parseJSON(data)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return s.validateValue(v)
}

func (s *Schema) validateValue(v any) error {
	err := s.compiled.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("schema: %w", err)
	}
	return convert(ve)
}

// parseJSON decodes exactly one JSON value, numbers kept as [json.Number].
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%w: empty input", ErrInvalidJSON)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidJSON, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the value at offset %d", ErrInvalidJSON, dec.InputOffset())
	}
	return v, nil
}

var printer = message.NewPrinter(language.English)

// convert turns the validator's error tree into its most specific failure: the leaf
// with the deepest instance location, the first one among equals.
func convert(root *jsonschema.ValidationError) *ValidationError {
	var best, bestParent *jsonschema.ValidationError
	var visit func(e, parent *jsonschema.ValidationError)
	visit = func(e, parent *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			if best == nil || len(e.InstanceLocation) > len(best.InstanceLocation) {
				best, bestParent = e, parent
			}
			return
		}
		for _, c := range e.Causes {
			visit(c, e)
		}
	}
	visit(root, nil)
	out := &ValidationError{Path: pointer(best.InstanceLocation)}
	if kw := best.ErrorKind.KeywordPath(); len(kw) > 0 {
		out.Keyword = kw[len(kw)-1]
	}
	// A failed anyOf/oneOf whose branches all failed on type at the same place reads
	// better as one message: "want string or null, got integer".
	if bestParent != nil && isAlternative(bestParent.ErrorKind) {
		if msg, ok := mergedTypeMessage(bestParent); ok {
			out.Keyword = "type"
			out.Message = msg
			return out
		}
	}
	out.Message = message1(best.ErrorKind)
	return out
}

func isAlternative(k jsonschema.ErrorKind) bool {
	switch k.(type) {
	case *kind.AnyOf, *kind.OneOf:
		return true
	}
	return false
}

func mergedTypeMessage(group *jsonschema.ValidationError) (string, bool) {
	var want []string
	var got string
	for _, c := range group.Causes {
		t, ok := c.ErrorKind.(*kind.Type)
		if !ok || len(c.Causes) > 0 || !slices.Equal(c.InstanceLocation, group.InstanceLocation) {
			return "", false
		}
		got = t.Got
		for _, w := range t.Want {
			if !slices.Contains(want, w) {
				want = append(want, w)
			}
		}
	}
	if len(want) == 0 {
		return "", false
	}
	return "want " + strings.Join(want, " or ") + ", got " + got, true
}

func message1(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "want " + strings.Join(k.Want, " or ") + ", got " + k.Got
	case *kind.Required:
		return "missing required " + plural(len(k.Missing), "property", "properties") + " " + quoteAll(k.Missing)
	case *kind.AdditionalProperties:
		return "unexpected " + plural(len(k.Properties), "property", "properties") + " " + quoteAll(k.Properties)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = describe(w)
		}
		return "want one of " + strings.Join(want, ", ") + "; got " + describe(k.Got)
	case *kind.Const:
		return "want " + describe(k.Want) + ", got " + describe(k.Got)
	case *kind.Format:
		msg := "want format " + k.Want + ", got " + describe(k.Got)
		if k.Err != nil {
			msg += " (" + k.Err.Error() + ")"
		}
		return msg
	case *kind.FalseSchema:
		return "no value is allowed here"
	}
	return k.LocalizedString(printer)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// pointer joins instance location tokens into a JSON pointer.
func pointer(tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(jsonx.EscapePointer(t))
	}
	return b.String()
}
