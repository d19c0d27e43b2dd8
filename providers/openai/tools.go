package openai

import (
	"encoding/json"
	"fmt"
	"slices"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"

	"github.com/llmkit/llmkit/internal/toolname"
	"github.com/llmkit/llmkit/llm"
)

// emptySchema is the parameters of a tool declared without an input schema.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// wireFunction is a function tool as sent. The schema goes out as the caller's bytes,
// $defs and $ref included (Chat Completions takes references), in the caller's key
// order; openai-go's FunctionParameters map would decode and re-encode it.
type wireFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      bool            `json:"strict,omitempty"`
}

type wireTool struct {
	Type     string       `json:"type"`
	Function wireFunction `json:"function"`
}

// functionTool builds the SDK union for a function tool from its wire form.
func functionTool(f wireFunction) (oai.ChatCompletionToolUnionParam, error) {
	raw, err := json.Marshal(wireTool{Type: "function", Function: f})
	if err != nil {
		return oai.ChatCompletionToolUnionParam{}, err
	}
	t := param.Override[oai.ChatCompletionFunctionToolParam](json.RawMessage(raw))
	return oai.ChatCompletionToolUnionParam{OfFunction: &t}, nil
}

// tools translates the tool declarations and the tool choice.
func (b *builder) tools() error {
	req := b.req
	if len(req.Tools) > 0 && !b.caps.Tools {
		return invalidField("tools", "model %s does not take tools", req.Model)
	}
	names := make([]string, 0, len(req.Tools))
	for i, t := range req.Tools {
		field := fmt.Sprintf("tools[%d]", i)
		if t.Server {
			return invalidField(field, "tool %q is a server-side tool; the openai provider declares function tools only", t.Name)
		}
		if !toolname.Valid(t.Name) {
			return invalidField(field+".name", "%q is not a valid function name (1 to 64 of a-z, A-Z, 0-9, _ and -)", t.Name)
		}
		if slices.Contains(names, t.Name) {
			return invalidField(field+".name", "tool %q declared twice", t.Name)
		}
		names = append(names, t.Name)
		schema := t.InputSchema
		if len(schema) == 0 {
			schema = emptySchema
		} else if !jsonObject(schema) {
			return invalidField(field+".input_schema", "tool %q: the input schema is not a JSON object", t.Name)
		}
		if t.Strict {
			if err := strictSchema(schema); err != nil {
				return invalidField(field+".input_schema", "tool %q is strict but its schema is not: %v", t.Name, err)
			}
		}
		tool, err := functionTool(wireFunction{Name: t.Name, Description: t.Description, Parameters: schema, Strict: t.Strict})
		if err != nil {
			return invalidField(field+".input_schema", "tool %q: %v", t.Name, err)
		}
		b.p.body.Tools = append(b.p.body.Tools, tool)
	}
	if req.CacheTools != nil {
		b.warn(llm.Warnf(llm.WarningDropped, "cacheTools", "cache point after the tools dropped: OpenAI caches prompt prefixes on its own"))
	}
	return b.toolChoice(names)
}

func (b *builder) toolChoice(names []string) error {
	tc := b.req.ToolChoice
	if tc.Mode == "" {
		return nil
	}
	if len(names) == 0 {
		switch tc.Mode {
		case llm.ToolChoiceAuto, llm.ToolChoiceNone:
			b.warn(llm.Warnf(llm.WarningSkipped, "tool_choice", "tool choice %q without tools not sent (the service rejects it)", tc.Mode))
			return nil
		}
		return invalidField("tool_choice", "tool choice %q but no tools declared", tc.Mode)
	}
	c := &b.p.body.ToolChoice
	switch tc.Mode {
	case llm.ToolChoiceAuto, llm.ToolChoiceNone:
		c.OfAuto = param.NewOpt(string(tc.Mode))
	case llm.ToolChoiceRequired:
		if !b.caps.ToolChoiceRequired {
			return invalidField("tool_choice", "model %s does not take tool choice required", b.req.Model)
		}
		c.OfAuto = param.NewOpt("required")
	case llm.ToolChoiceTool:
		if !b.caps.ToolChoiceTool {
			return invalidField("tool_choice", "model %s does not take a named tool choice", b.req.Model)
		}
		if !slices.Contains(names, tc.Name) {
			return invalidField("tool_choice.name", "tool %q is not declared", tc.Name)
		}
		c.OfFunctionToolChoice = &oai.ChatCompletionNamedToolChoiceParam{Function: oai.ChatCompletionNamedToolChoiceFunctionParam{Name: tc.Name}}
	default:
		return invalidField("tool_choice", "unknown mode %q", tc.Mode)
	}
	return nil
}

// output translates structured output: response_format json_schema where the model has
// it (and the request does not ask for the tool), else a synthetic tool the model is
// made to call.
func (b *builder) output() error {
	o := b.req.Output
	if o == nil {
		return nil
	}
	if !jsonObject(o.Schema) {
		return invalidField("output.schema", "the output schema is not a JSON object")
	}
	name := o.Name
	if name == "" {
		name = DefaultOutputTool
	}
	if !toolname.Valid(name) {
		return invalidField("output.name", "%q is not a valid name (1 to 64 of a-z, A-Z, 0-9, _ and -)", name)
	}
	strictErr := strictSchema(o.Schema)
	native := false
	switch o.Mode {
	case llm.OutputNative:
		if !b.caps.NativeOutput {
			return invalidField("output.mode", "model %s has no native structured output (response_format json_schema); use the tool mode", b.req.Model)
		}
		native = true
	case llm.OutputAuto:
		native = b.caps.NativeOutput
	case llm.OutputTool:
	default:
		return invalidField("output.mode", "unknown mode %q", o.Mode)
	}
	if native {
		js := shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: name, Schema: o.Schema}
		if o.Description != "" {
			js.Description = param.NewOpt(o.Description)
		}
		if strictErr == nil {
			js.Strict = param.NewOpt(true)
		} else {
			b.warn(llm.Warnf(llm.WarningUnsupported, "output.schema", "schema sent without strict: %v", strictErr))
		}
		b.p.body.ResponseFormat.OfJSONSchema = &shared.ResponseFormatJSONSchemaParam{JSONSchema: js}
		b.p.native = true
		return nil
	}
	if !b.caps.Tools || !b.caps.ToolChoiceTool {
		return invalidField("output", "model %s has neither native structured output nor a named tool choice", b.req.Model)
	}
	for _, t := range b.req.Tools {
		if t.Name == name {
			return invalidField("output.name", "a declared tool is already named %q", name)
		}
	}
	if tc := b.req.ToolChoice.Mode; tc != "" && tc != llm.ToolChoiceAuto {
		return invalidField("tool_choice", "structured output through a tool forces the tool choice; the request's %q cannot be kept", tc)
	}
	desc := o.Description
	if desc == "" {
		desc = defaultOutputDescription
	}
	tool, err := functionTool(wireFunction{Name: name, Description: desc, Parameters: o.Schema, Strict: strictErr == nil})
	if err != nil {
		return invalidField("output.schema", "%v", err)
	}
	b.p.body.Tools = append(b.p.body.Tools, tool)
	b.p.body.ToolChoice = oai.ChatCompletionToolChoiceOptionUnionParam{OfFunctionToolChoice: &oai.ChatCompletionNamedToolChoiceParam{
		Function: oai.ChatCompletionNamedToolChoiceFunctionParam{Name: name}}}
	b.p.objectTool = name
	return nil
}

// strictSchema checks what OpenAI's strict mode demands of a schema: every object
// (at the root, in properties, items, $defs, anyOf…) has additionalProperties false and
// lists all its properties as required. The error names the path of the first object
// that does not.
func strictSchema(raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	return strictNode(v, "#")
}

func strictNode(v any, path string) error {
	switch n := v.(type) {
	case []any:
		for i, e := range n {
			if err := strictNode(e, fmt.Sprintf("%s/%d", path, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		if props, ok := n["properties"].(map[string]any); ok || n["type"] == "object" {
			if ap, ok := n["additionalProperties"].(bool); !ok || ap {
				return fmt.Errorf("%s: an object without additionalProperties: false", path)
			}
			req, _ := n["required"].([]any)
			for name := range props {
				if !slices.Contains(req, any(name)) {
					return fmt.Errorf("%s: property %q is not required", path, name)
				}
			}
		}
		for _, k := range sortedKeys(n) {
			switch k {
			case "properties", "$defs", "definitions":
				m, _ := n[k].(map[string]any)
				for _, name := range sortedKeys(m) {
					if err := strictNode(m[name], path+"/"+k+"/"+name); err != nil {
						return err
					}
				}
			case "items", "anyOf", "allOf", "oneOf", "prefixItems", "not", "additionalProperties":
				if err := strictNode(n[k], path+"/"+k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
