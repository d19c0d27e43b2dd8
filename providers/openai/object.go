package openai

import (
	"github.com/llmkit/llmkit/internal/outputtool"
	"github.com/llmkit/llmkit/llm"
)

// applyObject turns the answer of a structured-output request into its object form:
// the output tool's call becomes the text (and [llm.Response.Object]); with native
// output, the text is the object.
func applyObject(resp *llm.Response, p *chatParams) {
	switch {
	case p.objectTool != "":
		outputtool.FromToolCall(resp, p.objectTool, outputtool.BeforeOtherCalls)
	case p.native:
		outputtool.FromText(resp)
	}
}
