package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/llmkit/llmkit/internal/toolname"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/schema"
)

// Tool is a tool the model may call: its declaration, sent to the model, and the
// function that runs a call. [NewTool] builds one from a typed Go function and
// [NewRawTool] from a JSON Schema and a function of raw JSON; a Tool literal works too,
// with no checks.
type Tool struct {
	// Declaration is what the model sees: name, description and input schema.
	Declaration llm.Tool
	// Run runs one call. input is the call's input, a JSON object. Run returns the
	// result's content (text, images, documents) or an error, which the model receives
	// as an error result. Run may be called concurrently, for several calls at once; it
	// should return soon after ctx is done.
	Run func(ctx context.Context, input json.RawMessage) ([]llm.Part, error)
}

// ErrInvalidInput is the category of a tool call whose input does not match the tool's
// schema; the model receives the error, naming the JSON path at fault, as an error
// result and may try again.
var ErrInvalidInput = errors.New("invalid input")

// NewTool returns a tool named name that runs fn. Its input schema is reflected from In
// with [schema.For] — In must have a JSON object form (a struct, usually); recursive
// and shared struct types become "$defs" and "$ref", which each provider sends as is
// or inlines as its service requires —; a call's input is validated against it and
// decoded into an In before fn runs, and input that does not fit never reaches fn: the
// model receives an error result wrapping [ErrInvalidInput] with the JSON path of the
// mismatch. fn's Out is the result: a string as it is, anything else encoded as JSON
// text. An error from fn becomes an error result holding its message.
//
// name must match [a-zA-Z0-9_-]{1,64}, which every provider accepts.
func NewTool[In, Out any](name, description string, fn func(context.Context, In) (Out, error)) (Tool, error) {
	if err := toolname.Check(name); err != nil {
		return Tool{}, fmt.Errorf("agent: new tool: %w", err)
	}
	if fn == nil {
		return Tool{}, fmt.Errorf("agent: new tool %s: nil function", name)
	}
	sch, err := schema.For[In]()
	if err != nil {
		return Tool{}, fmt.Errorf("agent: new tool %s: input type %v: %w", name, reflect.TypeFor[In](), err)
	}
	if err := schema.CheckToolSchema(sch); err != nil {
		return Tool{}, fmt.Errorf("agent: new tool %s: input type %v: a tool's input is a JSON object; use a struct: %w", name, reflect.TypeFor[In](), err)
	}
	return Tool{
		Declaration: llm.Tool{Name: name, Description: description, InputSchema: sch},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			in, err := schema.Decode[In](input, nil)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
			}
			out, err := fn(ctx, in)
			if err != nil {
				return nil, err
			}
			return resultParts(out)
		},
	}, nil
}

func resultParts(out any) ([]llm.Part, error) {
	if s, ok := out.(string); ok {
		return []llm.Part{llm.Text{Text: s}}, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encoding the result: %w", err)
	}
	return []llm.Part{llm.Text{Text: string(b)}}, nil
}

// NewRawTool returns a tool declared by decl that runs fn. decl.InputSchema must be a
// well-formed tool schema ([schema.CheckToolSchema]; [schema.CheckStrictSchema] when
// decl.Strict is set): an object at the root, with local references ("#",
// "#/$defs/…") allowed; empty means an object with no properties. A provider whose
// service takes no references inlines them when it formats the request, or refuses
// the tool there with an error naming it. A call's input is
// validated against it before fn runs; input that does not match becomes an error result
// wrapping [ErrInvalidInput].
func NewRawTool(decl llm.Tool, fn func(ctx context.Context, input json.RawMessage) ([]llm.Part, error)) (Tool, error) {
	if err := toolname.Check(decl.Name); err != nil {
		return Tool{}, fmt.Errorf("agent: new tool: %w", err)
	}
	if fn == nil {
		return Tool{}, fmt.Errorf("agent: new tool %s: nil function", decl.Name)
	}
	if len(decl.InputSchema) == 0 {
		decl.InputSchema = json.RawMessage(`{"type":"object","properties":{}}`)
	} else {
		decl.InputSchema = append(json.RawMessage(nil), decl.InputSchema...)
	}
	check := schema.CheckToolSchema
	if decl.Strict {
		check = schema.CheckStrictSchema
	}
	if err := check(decl.InputSchema); err != nil {
		return Tool{}, fmt.Errorf("agent: new tool %s: input schema: %w", decl.Name, err)
	}
	sch, err := schema.Compile(decl.InputSchema)
	if err != nil {
		return Tool{}, fmt.Errorf("agent: new tool %s: input schema: %w", decl.Name, err)
	}
	return Tool{
		Declaration: decl,
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			if err := sch.Validate(input); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
			}
			return fn(ctx, input)
		},
	}, nil
}

type callKey struct{}

// CallFromContext returns the tool call a [Tool.Run] is running, from the context the
// agent passes it, so that a wrapped tool (a tracing one, say) can see the call's id and
// name.
func CallFromContext(ctx context.Context) (llm.ToolCall, bool) {
	c, ok := ctx.Value(callKey{}).(llm.ToolCall)
	return c, ok
}
