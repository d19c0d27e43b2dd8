package bedrock

import (
	"strings"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
)

// repeatsToolCalls reports whether the family is known to repeat a tool call within one
// answer under a new tool-use id: Llama models on Bedrock do (RULES.md
// RESP-LLAMA). Running such a repeat would run the tool twice for one request of the model.
func (f *modelFamily) repeatsToolCalls() bool {
	return strings.HasPrefix(f.prefix, "meta.llama")
}

// dropRepeatedToolCalls removes from resp's message every tool call whose name and
// input (compared as compact JSON) equal those of an earlier call in the same message,
// with a warning naming it. It is applied only to families that repeat calls
// ([modelFamily.repeatsToolCalls]): elsewhere two equal calls are taken as meant.
func dropRepeatedToolCalls(resp *llm.Response) {
	type key struct{ name, input string }
	var seen map[key]string
	parts := resp.Message.Parts
	var kept []llm.Part // nil until the first repeat: then parts[:i] and the parts kept since
	for i, part := range parts {
		c, ok := part.(llm.ToolCall)
		if !ok {
			if kept != nil {
				kept = append(kept, part)
			}
			continue
		}
		input := string(c.Input)
		if compact, err := jsonx.Compact(c.Input); err == nil {
			input = string(compact)
		}
		k := key{c.Name, input}
		if first, dup := seen[k]; dup {
			if kept == nil {
				kept = append(make([]llm.Part, 0, len(parts)-1), parts[:i]...)
			}
			resp.Warnings = append(resp.Warnings, llm.WarnBlockf(llm.WarningDropped, i, "tool call %s (%s) dropped: it repeats call %s with the same input, as this model family is known to do", c.ID, c.Name, first))
			continue
		}
		if seen == nil {
			seen = make(map[key]string)
		}
		seen[k] = c.ID
		if kept != nil {
			kept = append(kept, part)
		}
	}
	if kept != nil {
		resp.Message.Parts = kept
	}
}
