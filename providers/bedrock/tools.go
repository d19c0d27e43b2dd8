package bedrock

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/internal/toolname"
	"github.com/llmkit/llmkit/llm"
)

// toolSet is what the tool declaration pass returns: the request's tools as Bedrock
// specifications, and their names.
type toolSet struct {
	specs []types.Tool
	names map[string]bool
}

// declareTools checks and converts the request's tools and checks the tool choice
// against them (REQ-TOOL-IDS and REQ-SCHEMA).
func (b *requestBuilder) declareTools() (toolSet, error) {
	req := b.req
	if len(req.Tools) > 0 && !b.caps.Tools && req.ToolChoice.Mode != llm.ToolChoiceNone {
		return toolSet{}, fieldError("tools", "model %s does not support tools", req.Model)
	}
	ts := toolSet{
		specs: make([]types.Tool, 0, len(req.Tools)+1),
		names: make(map[string]bool, len(req.Tools)+1),
	}
	for i, t := range req.Tools {
		spec, err := b.toolSpec(i, t, ts.names)
		if err != nil {
			return toolSet{}, err
		}
		ts.names[t.Name] = true
		ts.specs = append(ts.specs, spec)
	}
	if err := checkToolChoice(req.ToolChoice, len(req.Tools), ts.names); err != nil {
		return toolSet{}, err
	}
	return ts, nil
}

// toolSpec converts the request's tool i; names holds the names declared before it.
func (b *requestBuilder) toolSpec(i int, t llm.Tool, names map[string]bool) (types.Tool, error) {
	if !toolname.Valid(t.Name) {
		return nil, fieldError(fmt.Sprintf("tools[%d].name", i), "%q: Bedrock takes 1 to 64 of a-z, A-Z, 0-9, _ and -", t.Name)
	}
	if names[t.Name] {
		return nil, fieldError(fmt.Sprintf("tools[%d].name", i), "tool %q declared twice", t.Name)
	}
	if t.Server {
		// A system tool: Bedrock runs it and knows its input (REQ-SERVER-TOOLS).
		if len(t.InputSchema) > 0 || t.Description != "" || t.Strict {
			return nil, fieldError(fmt.Sprintf("tools[%d]", i), "server-side tool %q takes only a name on Bedrock (systemTool): no input schema, description or strict", t.Name)
		}
		return &types.ToolMemberSystemTool{Value: types.SystemTool{Name: aws.String(t.Name)}}, nil
	}
	strict := t.Strict
	if strict && !b.caps.NativeOutput {
		b.warn(llm.Warnf(llm.WarningDropped, fmt.Sprintf("tools[%d].strict", i), "strict dropped: model %s does not support strict tool use", b.req.Model))
		strict = false
	}
	schema, err := b.normalizeSchema(t.InputSchema, fmt.Sprintf("tools[%d].inputSchema", i), strict)
	if err != nil {
		var ie *llm.InvalidRequestError
		if errors.As(err, &ie) {
			named := *ie
			named.Reason = fmt.Sprintf("tool %q: %s", t.Name, ie.Reason)
			return nil, &named
		}
		return nil, err
	}
	spec := types.ToolSpecification{
		Name:        aws.String(t.Name),
		InputSchema: &types.ToolInputSchemaMemberJson{Value: newRawDocument(schema)},
	}
	if t.Description != "" {
		spec.Description = aws.String(t.Description)
	}
	if strict {
		spec.Strict = aws.Bool(true)
	}
	return &types.ToolMemberToolSpec{Value: spec}, nil
}

// checkToolChoice checks the tool choice against the ntools declared tools and their names.
func checkToolChoice(choice llm.ToolChoice, ntools int, names map[string]bool) error {
	switch choice.Mode {
	case "", llm.ToolChoiceAuto, llm.ToolChoiceNone:
	case llm.ToolChoiceRequired:
		if ntools == 0 {
			return fieldError("toolChoice", "required, but the request declares no tools")
		}
	case llm.ToolChoiceTool:
		if !names[choice.Name] {
			return fieldError("toolChoice", "names tool %q, which the request does not declare", choice.Name)
		}
	default:
		return fieldError("toolChoice", "unknown mode %q", choice.Mode)
	}
	return nil
}

// toolConfig builds the tool configuration (REQ-TOOL-CONFIG, REQ-REASONING and
// REQ-TOOL-CHOICE) from the declared tools, the structured output's tool if any, the tool
// history of the message pass, and whether thinking is on. It returns nil when no tool
// goes on the wire.
func (b *requestBuilder) toolConfig(ts toolSet, out outputPlan, history toolHistory, thinking bool) (*types.ToolConfiguration, error) {
	choice := b.req.ToolChoice
	var tools []types.Tool
	switch {
	case choice.Mode == llm.ToolChoiceNone && !history.blocks:
		// No tools at all: the model cannot call one (REQ-TOOL-CONFIG).
	case choice.Mode == llm.ToolChoiceNone:
		tools = ts.specs
		b.warn(llm.Warnf(llm.WarningUnsupported, "toolChoice", "tool choice none cannot be sent to Bedrock while the history holds tool calls: the tools are declared and the model may call one"))
	default:
		tools = ts.specs
	}
	if history.blocks {
		tools = append(tools, b.historyStubs(ts.names, out.toolName, history.called)...)
	}
	if out.tool != nil {
		tools = append(tools, out.tool)
	}
	if len(tools) == 0 {
		return nil, nil
	}
	var tc types.ToolChoice
	switch {
	case out.tool != nil:
		tc = b.forcedChoice(out.toolName, len(tools), "structured output")
	case choice.Mode == llm.ToolChoiceRequired:
		if b.caps.ToolChoiceRequired {
			tc = &types.ToolChoiceMemberAny{}
		} else {
			b.warn(llm.Warnf(llm.WarningUnsupported, "toolChoice", "tool choice required sent as auto: model %s cannot be made to call a tool", b.req.Model))
		}
	case choice.Mode == llm.ToolChoiceTool:
		tc = b.forcedChoice(choice.Name, len(tools), "tool choice")
	}
	if thinking && tc != nil {
		return nil, fieldError("toolChoice", "thinking cannot be combined with a forced tool choice on Bedrock (see REQ-REASONING in providers/bedrock/RULES.md); use auto, or drop Reasoning")
	}
	return &types.ToolConfiguration{Tools: tools, ToolChoice: tc}, nil
}

// cacheTools appends the cache point of [llm.Request.CacheTools] to the end of the tool
// list (REQ-CACHE), and reports whether it did.
func (b *requestBuilder) cacheTools(tc *types.ToolConfiguration) bool {
	cp := b.req.CacheTools
	if cp == nil {
		return false
	}
	if !b.caps.CachePoints {
		b.warn(llm.Warnf(llm.WarningDropped, "cacheTools", "cache point after the tools dropped: model %s does not support prompt caching", b.req.Model))
		return false
	}
	block, ok := b.cacheBlock(cp.TTL)
	if !ok {
		b.warn(llm.Warnf(llm.WarningDropped, "cacheTools.ttl", "cache TTL %v dropped: model %s takes 5m or 1h, where it takes a TTL at all", cp.TTL, b.req.Model))
	}
	tc.Tools = append(tc.Tools, &types.ToolMemberCachePoint{Value: block})
	return true
}

// historyStubs declares, with a permissive schema, the tools called in the history that
// the request does not declare (REQ-TOOL-CONFIG): Bedrock needs a toolConfig naming them.
func (b *requestBuilder) historyStubs(declared map[string]bool, objectTool string, called []string) []types.Tool {
	var stubs []types.Tool
	var missing []string
	for _, n := range called {
		if declared[n] || n == objectTool {
			continue
		}
		missing = append(missing, n)
		stubs = append(stubs, &types.ToolMemberToolSpec{Value: types.ToolSpecification{
			Name:        aws.String(n),
			Description: aws.String("A tool used earlier in this conversation."),
			InputSchema: &types.ToolInputSchemaMemberJson{Value: newRawDocument([]byte(`{"type":"object","properties":{}}`))},
		}})
	}
	if len(missing) > 0 {
		b.warn(llm.Warnf(llm.WarningRepaired, "tools", "%s called in the history but not declared: declared with a permissive schema, since Bedrock needs a toolConfig whenever the history holds tool blocks", strings.Join(missing, ", ")))
	}
	return stubs
}

// forcedChoice forces the tool name (REQ-TOOL-CHOICE): by name where the model allows it,
// else with "any", else not at all.
func (b *requestBuilder) forcedChoice(name string, ntools int, what string) types.ToolChoice {
	switch {
	case b.caps.ToolChoiceTool:
		return &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(name)}}
	case b.caps.ToolChoiceRequired:
		if ntools > 1 {
			b.warn(llm.Warnf(llm.WarningUnsupported, what, "model %s cannot be made to call a named tool; sent as any, so it may call another tool than %q", b.req.Model, name))
		}
		return &types.ToolChoiceMemberAny{}
	}
	b.warn(llm.Warnf(llm.WarningUnsupported, what, "model %s cannot be made to call a tool; sent as auto, so it may answer without calling %q", b.req.Model, name))
	return nil
}
