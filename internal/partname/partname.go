// Package partname names the kind of an llm.Part in the providers' error messages.
package partname

import (
	"fmt"

	"github.com/llmkit/llmkit/llm"
)

// Of names p's kind as a phrase for an error message: "text", "an image", "a tool
// call", …; an opaque part is named with its kind and provider.
func Of(p llm.Part) string {
	switch v := p.(type) {
	case llm.Text:
		return "text"
	case llm.Image:
		return "an image"
	case llm.Document:
		return "a document"
	case llm.ToolCall:
		return "a tool call"
	case llm.ToolResult:
		return "a tool result"
	case llm.Reasoning:
		return "reasoning"
	case llm.CachePoint:
		return "a cache point"
	case llm.SearchResult:
		return "a search result"
	case llm.Video:
		return "a video"
	case llm.Audio:
		return "audio"
	case llm.Opaque:
		return fmt.Sprintf("an opaque %q block of provider %q", v.Kind, v.Provider)
	case nil:
		return "nil"
	}
	return fmt.Sprintf("an unknown part (%T)", p)
}
