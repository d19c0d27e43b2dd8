package bedrocktest

import (
	"fmt"

	"github.com/llmkit/llmkit/llm"
)

// The wire forms of the answer blocks beyond text, reasoning and client tool calls that a
// neutral scripted answer may hold: cited text (citationsContent, streamed as text and
// citation deltas), search results, and a server-side tool's call (toolUse of type
// server_tool_use) and result (toolResult, streamed as a start and toolResult deltas).

type wireCitation struct {
	Location      map[string]any   `json:"location,omitempty"`
	Source        string           `json:"source,omitempty"`
	SourceContent []map[string]any `json:"sourceContent,omitempty"`
	Title         string           `json:"title,omitempty"`
}

func toWireCitation(c llm.Citation) wireCitation {
	w := wireCitation{Source: c.Source, Title: c.Title}
	for _, q := range c.Quotes {
		w.SourceContent = append(w.SourceContent, map[string]any{"text": q})
	}
	l := c.Location
	doc := map[string]any{"documentIndex": l.Index, "start": l.Start, "end": l.End}
	switch l.Kind {
	case llm.CiteChars:
		w.Location = map[string]any{"documentChar": doc}
	case llm.CiteChunks:
		w.Location = map[string]any{"documentChunk": doc}
	case llm.CitePages:
		w.Location = map[string]any{"documentPage": doc}
	case llm.CiteSearchResult:
		w.Location = map[string]any{"searchResultLocation": map[string]any{"searchResultIndex": l.Index, "start": l.Start, "end": l.End}}
	case llm.CiteWeb:
		w.Location = map[string]any{"web": map[string]any{"url": l.URL, "domain": l.Domain}}
	}
	return w
}

func toWireSearchResult(v llm.SearchResult) map[string]any {
	content := make([]map[string]any, len(v.Content))
	for i, c := range v.Content {
		content[i] = map[string]any{"text": c}
	}
	m := map[string]any{"source": v.Source, "title": v.Title, "content": content}
	if v.Citations {
		m["citations"] = map[string]any{"enabled": true}
	}
	return m
}

// toWireToolResultContent encodes the content of a server tool's result: text and
// search results.
func toWireToolResultContent(v llm.ToolResult) ([]map[string]any, error) {
	out := make([]map[string]any, 0, len(v.Content))
	for i, p := range v.Content {
		switch c := p.(type) {
		case llm.Text:
			out = append(out, map[string]any{"text": c.Text})
		case llm.SearchResult:
			out = append(out, map[string]any{"searchResult": toWireSearchResult(c)})
		default:
			return nil, fmt.Errorf("bedrocktest: server tool result %s: content %d: %T has no wire form here", v.CallID, i, p)
		}
	}
	return out, nil
}

func toWireToolResult(v llm.ToolResult) (map[string]any, error) {
	content, err := toWireToolResultContent(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{"toolUseId": v.CallID, "content": content}
	if v.IsError {
		m["status"] = "error"
	}
	return m, nil
}

// extraBlock encodes a part converseJSON's main switch does not: ok is false when p is
// none of them.
func extraBlock(p llm.Part) (b wireBlock, ok bool, err error) {
	switch v := p.(type) {
	case llm.Text:
		if len(v.Citations) == 0 {
			return b, false, nil
		}
		cs := make([]wireCitation, len(v.Citations))
		for i, c := range v.Citations {
			cs[i] = toWireCitation(c)
		}
		b.CitationsContent = map[string]any{"content": []map[string]any{{"text": v.Text}}, "citations": cs}
		return b, true, nil
	case llm.SearchResult:
		b.SearchResult = toWireSearchResult(v)
		return b, true, nil
	case llm.ToolResult:
		if !v.Server {
			return b, false, nil
		}
		b.ToolResult, err = toWireToolResult(v)
		return b, true, err
	}
	return b, false, nil
}

// extraFrames encodes the events eventFrames' main switch does not: ok is false when ev
// is none of them.
func extraFrames(ev llm.Event, add func(string, any) error, pad func() string) (ok bool, err error) {
	switch e := ev.(type) {
	case llm.CitationDelta:
		return true, add("contentBlockDelta", map[string]any{"contentBlockIndex": e.Index, "delta": map[string]any{"citation": toWireCitation(e.Citation)}, "p": pad()})
	case llm.BlockPart:
		tr, isResult := e.Part.(llm.ToolResult)
		if !isResult || !tr.Server {
			return true, fmt.Errorf("bedrocktest: block %d: a streamed %T has no ConverseStream form", e.Index, e.Part)
		}
		start := map[string]any{"toolUseId": tr.CallID}
		if tr.IsError {
			start["status"] = "error"
		}
		if err := add("contentBlockStart", map[string]any{"contentBlockIndex": e.Index, "start": map[string]any{"toolResult": start}, "p": pad()}); err != nil {
			return true, err
		}
		content, err := toWireToolResultContent(tr)
		if err != nil {
			return true, err
		}
		for _, c := range content {
			if _, isText := c["text"]; !isText {
				return true, fmt.Errorf("bedrocktest: block %d: a streamed server tool result holds text only", e.Index)
			}
		}
		return true, add("contentBlockDelta", map[string]any{"contentBlockIndex": e.Index, "delta": map[string]any{"toolResult": content}, "p": pad()})
	}
	return false, nil
}
