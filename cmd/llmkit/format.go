package main

import (
	"fmt"
	"strings"

	"github.com/llmkit/llmkit/llm"
)

// partSummary returns a one-line rendering of p for the terminal: text as it is,
// other parts as a bracketed description.
func partSummary(p llm.Part) string {
	switch p := p.(type) {
	case llm.Text:
		return p.Text
	case llm.ToolCall:
		return fmt.Sprintf("[tool call %s %s (id %s)]", p.Name, p.Input, p.ID)
	case llm.ToolResult:
		var b strings.Builder
		for _, c := range p.Content {
			b.WriteString(partSummary(c))
		}
		status := "tool result"
		if p.IsError {
			status = "tool error"
		}
		return fmt.Sprintf("[%s for %s: %s]", status, p.CallID, b.String())
	case llm.Reasoning:
		if len(p.Redacted) > 0 {
			return fmt.Sprintf("[redacted reasoning, %d bytes]", len(p.Redacted))
		}
		return fmt.Sprintf("[reasoning: %s]", p.Text)
	case llm.Image:
		if p.URI != "" {
			return fmt.Sprintf("[image %s %s]", p.Format, p.URI)
		}
		return fmt.Sprintf("[image %s, %d bytes]", p.Format, len(p.Data))
	case llm.Document:
		if p.URI != "" {
			return fmt.Sprintf("[document %q (%s) %s]", p.Name, p.Format, p.URI)
		}
		return fmt.Sprintf("[document %q (%s), %d bytes]", p.Name, p.Format, len(p.Data))
	case llm.CachePoint:
		return "[cache point]"
	default:
		return fmt.Sprintf("[unknown part %T]", p)
	}
}

// messageSummary renders m as "role: parts", parts separated by spaces.
func messageSummary(m llm.Message) string {
	parts := make([]string, len(m.Parts))
	for i, p := range m.Parts {
		parts[i] = partSummary(p)
	}
	return fmt.Sprintf("%s: %s", m.Role, strings.Join(parts, " "))
}
