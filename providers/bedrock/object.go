package bedrock

import (
	"github.com/llmkit/llmkit/internal/outputtool"
	"github.com/llmkit/llmkit/llm"
)

// Structured output (llm.Request.Output) reaches the caller the same way whichever
// mechanism carried it: the object is the text of the assistant message — streamed as
// text deltas — and, when it is a well-formed JSON object, also Response.Object. Model
// does not validate the object against the schema and never fails a call for a missing
// or malformed object: the response comes back with Object nil and a warning, and
// structured.Generate (which has the schema, the raw text and a retry loop) decides.

// applyObject fills resp for a request that asked for structured output: for the
// synthetic tool, its call becomes the text and the object; for native output, the text
// is the object.
func applyObject(resp *llm.Response, p *converseParams) {
	switch {
	case p.objectTool != "":
		outputtool.FromToolCall(resp, p.objectTool, outputtool.AtCall)
	case p.native:
		outputtool.FromText(resp)
	}
}
