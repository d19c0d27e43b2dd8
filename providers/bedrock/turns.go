package bedrock

import (
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/llm"
)

// arrangeTurns applies the per-turn rules: a turn of nothing but cache points is an error
// and a cache point leads no turn (REQ-CACHE); tool results come first in their turn, and
// for models that take no text beside tool results the rest of the turn moves into the
// last result (REQ-TOOL-RESULT-TURN); a document needs text in its turn (REQ-MEDIA);
// reasoning comes first in an assistant turn (REQ-REASONING).
func (b *requestBuilder) arrangeTurns(c *conversation) error {
	for ti, t := range c.turns {
		only := true
		for _, wb := range t.blocks {
			if wb.kind != blockCache {
				only = false
				break
			}
		}
		if only {
			at := t.blocks[0].at
			return partError(at.msg, at.part, "a cache point alone in its turn: Bedrock finds nothing to cache in it; put it after the content it should cache")
		}
		if t.role == types.ConversationRoleUser {
			if err := b.arrangeUserTurn(t); err != nil {
				return err
			}
		} else {
			stableFront(t.blocks, blockReasoning)
		}
		// Cache points: no two in a row, none leading a turn.
		kept := t.blocks[:0]
		for _, wb := range t.blocks {
			if wb.kind == blockCache && len(kept) > 0 && kept[len(kept)-1].kind == blockCache {
				b.warn(llm.WarnPartf(llm.WarningDropped, wb.at.msg, wb.at.part, "cache point right after another cache point dropped"))
				continue
			}
			kept = append(kept, wb)
		}
		t.blocks = kept
		for len(t.blocks) > 0 && t.blocks[0].kind == blockCache {
			lead := t.blocks[0]
			t.blocks = t.blocks[1:]
			switch {
			case ti > 0:
				// The prefix up to the start of this turn is the prefix up to the end of
				// the one before: the cache point moves there.
				prev := c.turns[ti-1]
				if prev.blocks[len(prev.blocks)-1].kind == blockCache {
					b.warn(llm.WarnPartf(llm.WarningDropped, lead.at.msg, lead.at.part, "cache point right after another cache point dropped"))
				} else {
					prev.blocks = append(prev.blocks, lead)
				}
			case c.systemHasText && b.caps.SystemPrompt:
				if _, last := c.system[len(c.system)-1].(*types.SystemContentBlockMemberCachePoint); last {
					b.warn(llm.WarnPartf(llm.WarningDropped, lead.at.msg, lead.at.part, "cache point right after another cache point dropped"))
				} else {
					c.system = append(c.system, &types.SystemContentBlockMemberCachePoint{Value: lead.block.(*types.ContentBlockMemberCachePoint).Value})
					c.systemAt = append(c.systemAt, lead.at)
				}
			default:
				b.warn(llm.WarnPartf(llm.WarningDropped, lead.at.msg, lead.at.part, "cache point at the start of the conversation dropped: there is nothing before it to cache"))
			}
		}
	}
	return nil
}

func (b *requestBuilder) arrangeUserTurn(t *wireTurn) error {
	results := stableFront(t.blocks, blockToolResult)
	if results > 0 && (b.fam == nil || !b.fam.mixedResults) {
		var moved []wireBlock
		kept := t.blocks[:results]
		for _, wb := range t.blocks[results:] {
			switch wb.kind {
			case blockText, blockImage, blockDocument:
				moved = append(moved, wb)
			default:
				kept = append(kept, wb)
			}
		}
		if len(moved) > 0 {
			last := kept[results-1].block.(*types.ContentBlockMemberToolResult)
			for _, wb := range moved {
				switch c := wb.block.(type) {
				case *types.ContentBlockMemberText:
					last.Value.Content = append(last.Value.Content, &types.ToolResultContentBlockMemberText{Value: c.Value})
				case *types.ContentBlockMemberImage:
					last.Value.Content = append(last.Value.Content, &types.ToolResultContentBlockMemberImage{Value: c.Value})
				case *types.ContentBlockMemberDocument:
					last.Value.Content = append(last.Value.Content, &types.ToolResultContentBlockMemberDocument{Value: c.Value})
				}
			}
			at := moved[0].at
			b.warn(llm.WarnPartf(llm.WarningRepaired, at.msg, at.part, "content beside tool results moved into the result for tool call %q: model %s takes no text, images or documents in a turn with tool results", kept[results-1].raw, b.req.Model))
		}
		t.blocks = kept
	}
	hasText := false
	for _, wb := range t.blocks {
		if wb.kind == blockText {
			hasText = true
			break
		}
	}
	if !hasText {
		for _, wb := range t.blocks {
			if wb.kind == blockDocument {
				return partError(wb.at.msg, wb.at.part, "a document needs a text part in the same user turn on Bedrock; add a Text part saying what to do with it")
			}
		}
	}
	return nil
}

// stableFront moves the blocks of kind k to the front, keeping the order within both
// groups, and returns how many there are.
func stableFront(blocks []wireBlock, k blockKind) int {
	n := 0
	for _, wb := range blocks {
		if wb.kind == k {
			n++
		}
	}
	if n == 0 || n == len(blocks) {
		return n
	}
	sorted := true
	for i := range n {
		if blocks[i].kind != k {
			sorted = false
			break
		}
	}
	if sorted {
		return n
	}
	out := make([]wireBlock, 0, len(blocks))
	for _, wb := range blocks {
		if wb.kind == k {
			out = append(out, wb)
		}
	}
	for _, wb := range blocks {
		if wb.kind != k {
			out = append(out, wb)
		}
	}
	copy(blocks, out)
	return n
}

// trimPrefill trims trailing whitespace from a final assistant turn (REQ-BLANK).
func (c *conversation) trimPrefill() {
	t := c.turns[len(c.turns)-1]
	if t.role != types.ConversationRoleAssistant {
		return
	}
	// The last text, cache points after it aside.
	i := len(t.blocks) - 1
	for i > 0 && t.blocks[i].kind == blockCache {
		i--
	}
	if txt, ok := t.blocks[i].block.(*types.ContentBlockMemberText); ok {
		trimmed := strings.TrimRightFunc(txt.Value, unicode.IsSpace)
		if trimmed != txt.Value {
			t.blocks[i].block = &types.ContentBlockMemberText{Value: trimmed}
		}
	}
}

// countCachePoints enforces Bedrock's limit of four cache points (REQ-CACHE), counting
// the one after the tool definitions (extra, 0 or 1) first.
func (c *conversation) countCachePoints(extra int) error {
	n := extra
	for i, blk := range c.system {
		if _, ok := blk.(*types.SystemContentBlockMemberCachePoint); ok {
			n++
			if n > maxCachePoints {
				at := c.systemAt[i]
				return partError(at.msg, at.part, "more than %d cache points; Bedrock takes at most %d per request", maxCachePoints, maxCachePoints)
			}
		}
	}
	for _, t := range c.turns {
		for _, wb := range t.blocks {
			if wb.kind == blockCache {
				n++
				if n > maxCachePoints {
					return partError(wb.at.msg, wb.at.part, "more than %d cache points; Bedrock takes at most %d per request", maxCachePoints, maxCachePoints)
				}
			}
		}
	}
	return nil
}

// cachePoint converts a cache point (REQ-CACHE). ok is false when it was dropped.
func (b *requestBuilder) cachePoint(mi, pi int, v llm.CachePoint) (types.CachePointBlock, bool) {
	if !b.caps.CachePoints {
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point dropped: model %s does not support prompt caching", b.req.Model))
		return types.CachePointBlock{}, false
	}
	cp, ok := b.cacheBlock(v.TTL)
	switch {
	case ok:
	case v.TTL == time.Hour:
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache TTL 1h dropped: model %s supports the default TTL only", b.req.Model))
	default:
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache TTL %v dropped: Bedrock takes 5m or 1h", v.TTL))
	}
	return cp, true
}

// cacheBlock is a cache point with the given TTL where the model takes one (REQ-CACHE).
// Five minutes, the default, is sent only where a TTL is accepted. ok is false when the
// TTL was left out and the caller should warn: one other than 5m and 1h, or 1h on a
// model that takes the default only.
func (b *requestBuilder) cacheBlock(ttl time.Duration) (cp types.CachePointBlock, ok bool) {
	cp = types.CachePointBlock{Type: types.CachePointTypeDefault}
	ttlOK := b.fam == nil || b.fam.cacheTTL
	switch ttl {
	case 0:
	case 5 * time.Minute:
		if ttlOK {
			cp.Ttl = types.CacheTTLFiveMinutes
		}
	case time.Hour:
		if !ttlOK {
			return cp, false
		}
		cp.Ttl = types.CacheTTLOneHour
	default:
		return cp, false
	}
	return cp, true
}

// maxCachePoints is the most cache points Bedrock accepts in one request.
const maxCachePoints = 4
