package bedrock

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// Citations, search results and server-side tools: the Converse members behind
// [llm.Citation], [llm.SearchResult] and the Server flags of [llm.Tool], [llm.ToolCall]
// and [llm.ToolResult] (RULES.md RESP-CITATIONS, REQ-SEARCH-RESULT, REQ-SERVER-TOOLS).

// parseCitation maps a citation of a citationsContent block.
func parseCitation(c types.Citation) llm.Citation {
	out := llm.Citation{Title: outStr(c.Title), Source: outStr(c.Source), Location: parseLocation(c.Location)}
	for _, sc := range c.SourceContent {
		if t, ok := sc.(*types.CitationSourceContentMemberText); ok {
			out.Quotes = append(out.Quotes, t.Value)
		}
	}
	return out
}

// parseCitationDelta maps a streamed citation delta; it carries what a citation does.
func parseCitationDelta(c *types.CitationsDelta) llm.Citation {
	out := llm.Citation{Title: outStr(c.Title), Source: outStr(c.Source), Location: parseLocation(c.Location)}
	for _, sc := range c.SourceContent {
		out.Quotes = append(out.Quotes, outStr(sc.Text))
	}
	return out
}

func parseLocation(l types.CitationLocation) llm.CitationLocation {
	switch v := l.(type) {
	case *types.CitationLocationMemberDocumentChar:
		return llm.CitationLocation{Kind: llm.CiteChars, Index: int(outInt(v.Value.DocumentIndex)), Start: int(outInt(v.Value.Start)), End: int(outInt(v.Value.End))}
	case *types.CitationLocationMemberDocumentChunk:
		return llm.CitationLocation{Kind: llm.CiteChunks, Index: int(outInt(v.Value.DocumentIndex)), Start: int(outInt(v.Value.Start)), End: int(outInt(v.Value.End))}
	case *types.CitationLocationMemberDocumentPage:
		return llm.CitationLocation{Kind: llm.CitePages, Index: int(outInt(v.Value.DocumentIndex)), Start: int(outInt(v.Value.Start)), End: int(outInt(v.Value.End))}
	case *types.CitationLocationMemberSearchResultLocation:
		return llm.CitationLocation{Kind: llm.CiteSearchResult, Index: int(outInt(v.Value.SearchResultIndex)), Start: int(outInt(v.Value.Start)), End: int(outInt(v.Value.End))}
	case *types.CitationLocationMemberWeb:
		return llm.CitationLocation{Kind: llm.CiteWeb, URL: outStr(v.Value.Url), Domain: outStr(v.Value.Domain)}
	}
	return llm.CitationLocation{}
}

// citationsBlock is the citationsContent block of an assistant text with citations, as
// Bedrock expects it back in the history.
func citationsBlock(mi, pi int, t llm.Text) (*types.ContentBlockMemberCitationsContent, error) {
	cs := make([]types.Citation, len(t.Citations))
	for i, c := range t.Citations {
		loc, err := wireLocation(c.Location)
		if err != nil {
			return nil, partError(mi, pi, "citation %d: %v", i, err)
		}
		wc := types.Citation{Location: loc, Source: optStr(c.Source), Title: optStr(c.Title)}
		for _, q := range c.Quotes {
			wc.SourceContent = append(wc.SourceContent, &types.CitationSourceContentMemberText{Value: q})
		}
		cs[i] = wc
	}
	return &types.ContentBlockMemberCitationsContent{Value: types.CitationsContentBlock{
		Citations: cs,
		Content:   []types.CitationGeneratedContent{&types.CitationGeneratedContentMemberText{Value: t.Text}},
	}}, nil
}

type locationError string

func (e locationError) Error() string { return string(e) }

func wireLocation(l llm.CitationLocation) (types.CitationLocation, error) {
	i32 := func(n int) *int32 { return aws.Int32(int32(n)) }
	switch l.Kind {
	case llm.CiteChars:
		return &types.CitationLocationMemberDocumentChar{Value: types.DocumentCharLocation{DocumentIndex: i32(l.Index), Start: i32(l.Start), End: i32(l.End)}}, nil
	case llm.CiteChunks:
		return &types.CitationLocationMemberDocumentChunk{Value: types.DocumentChunkLocation{DocumentIndex: i32(l.Index), Start: i32(l.Start), End: i32(l.End)}}, nil
	case llm.CitePages:
		return &types.CitationLocationMemberDocumentPage{Value: types.DocumentPageLocation{DocumentIndex: i32(l.Index), Start: i32(l.Start), End: i32(l.End)}}, nil
	case llm.CiteSearchResult:
		return &types.CitationLocationMemberSearchResultLocation{Value: types.SearchResultLocation{SearchResultIndex: i32(l.Index), Start: i32(l.Start), End: i32(l.End)}}, nil
	case llm.CiteWeb:
		return &types.CitationLocationMemberWeb{Value: types.WebLocation{Url: optStr(l.URL), Domain: optStr(l.Domain)}}, nil
	case "":
		return nil, nil // Bedrock sent the citation without a location
	}
	return nil, locationError("location kind " + string(l.Kind) + " is not one Bedrock knows (chars, chunks, pages, search_result, web)")
}

// searchResultBlock is the searchResult block of a search result; it needs content.
func searchResultBlock(mi, pi int, v llm.SearchResult) (types.SearchResultBlock, error) {
	if len(v.Content) == 0 {
		return types.SearchResultBlock{}, partError(mi, pi, "search result %q has no content; Bedrock requires at least one passage", v.Source)
	}
	if v.Source == "" {
		return types.SearchResultBlock{}, partError(mi, pi, "search result has no source; Bedrock requires one")
	}
	sr := types.SearchResultBlock{Source: aws.String(v.Source), Title: aws.String(v.Title)}
	for _, c := range v.Content {
		sr.Content = append(sr.Content, types.SearchResultContentBlock{Text: aws.String(c)})
	}
	if v.Citations {
		sr.Citations = &types.CitationsConfig{Enabled: aws.Bool(true)}
	}
	return sr, nil
}

func parseSearchResult(sr types.SearchResultBlock) llm.SearchResult {
	out := llm.SearchResult{Source: outStr(sr.Source), Title: outStr(sr.Title)}
	for _, c := range sr.Content {
		out.Content = append(out.Content, outStr(c.Text))
	}
	out.Citations = sr.Citations != nil && sr.Citations.Enabled != nil && *sr.Citations.Enabled
	return out
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// opaqueError rejects an [llm.Opaque] part where it cannot go: one from another
// provider means nothing to Bedrock; guard content goes in user messages and the system
// prompt only; other Bedrock blocks kept opaque go back in user and assistant messages
// only (RULES.md RESP-OPAQUE, REQ-GUARD-CONTENT).
func opaqueError(mi, pi int, v llm.Opaque) error {
	switch {
	case v.Provider != "bedrock":
		return partError(mi, pi, "an opaque %q block from provider %q cannot be sent to Bedrock; remove it from the history", v.Kind, v.Provider)
	case v.Kind == guardKind:
		return partError(mi, pi, "guard content goes in user messages and the system prompt only on Bedrock")
	}
	return partError(mi, pi, "an opaque Bedrock block %q goes back in a user or assistant message only, where Bedrock sent it", v.Kind)
}

// parseServerToolResult maps the toolResult block of a server-side tool in an answer.
func parseServerToolResult(i int, v types.ToolResultBlock) (llm.Part, []llm.Warning, error) {
	tr := llm.ToolResult{CallID: outStr(v.ToolUseId), IsError: v.Status == types.ToolResultStatusError, Server: true}
	var warnings []llm.Warning
	for _, c := range v.Content {
		switch x := c.(type) {
		case *types.ToolResultContentBlockMemberText:
			tr.Content = append(tr.Content, llm.Text{Text: x.Value})
		case *types.ToolResultContentBlockMemberJson:
			raw, err := responseDocJSON(x.Value)
			if err != nil {
				return nil, nil, fmt.Errorf("bedrock: parse response: content block %d: server tool result json: %w", i, err)
			}
			tr.Content = append(tr.Content, llm.Text{Text: string(raw)})
		case *types.ToolResultContentBlockMemberSearchResult:
			tr.Content = append(tr.Content, parseSearchResult(x.Value))
		case *types.ToolResultContentBlockMemberImage:
			part, w, _ := parseBlock(i, &types.ContentBlockMemberImage{Value: x.Value})
			warnings = append(warnings, w...)
			if part != nil {
				tr.Content = append(tr.Content, part)
			}
		case *types.ToolResultContentBlockMemberDocument:
			part, w, _ := parseBlock(i, &types.ContentBlockMemberDocument{Value: x.Value})
			warnings = append(warnings, w...)
			if part != nil {
				tr.Content = append(tr.Content, part)
			}
		case *types.ToolResultContentBlockMemberVideo:
			part, w := parseVideo(i, x.Value)
			warnings = append(warnings, w...)
			if part != nil {
				tr.Content = append(tr.Content, part)
			}
		default:
			warnings = append(warnings, llm.WarnBlockf(llm.WarningSkipped, i, "server tool result content %T skipped", c))
		}
	}
	if v.Type != nil {
		warnings = append(warnings, llm.WarnBlockf(llm.WarningSkipped, i, "server tool result type %q not represented", *v.Type))
	}
	return tr, warnings, nil
}

// parseCitations maps a citationsContent block: its generated text, with its citations.
func parseCitations(i int, v types.CitationsContentBlock) (llm.Text, []llm.Warning) {
	var text []byte
	var warnings []llm.Warning
	for _, c := range v.Content {
		switch t := c.(type) {
		case *types.CitationGeneratedContentMemberText:
			text = append(text, t.Value...)
		default:
			warnings = append(warnings, llm.WarnBlockf(llm.WarningSkipped, i, "unknown generated content of a citations block skipped"))
		}
	}
	t := llm.Text{Text: string(text)}
	for _, c := range v.Citations {
		t.Citations = append(t.Citations, parseCitation(c))
	}
	return t, warnings
}
