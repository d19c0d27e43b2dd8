package bedrock

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/internal/partname"
	"github.com/llmkit/llmkit/llm"
)

// origin is where a wire block came from: message and part index in the request.
type origin struct{ msg, part int }

type blockKind uint8

const (
	blockText blockKind = iota + 1
	blockImage
	blockDocument
	blockToolUse
	blockToolResult
	blockReasoning
	blockCache
	blockSearchResult
	blockServerTool // a server-side tool's use or result, in an assistant turn
	blockAV         // a video or audio block
	blockOpaque     // an opaque Bedrock block, as its placeholder text (RESP-OPAQUE)
)

// wireBlock is one content block on its way to the wire, with its origin.
type wireBlock struct {
	kind  blockKind
	at    origin
	block types.ContentBlock
	id    string // sanitised tool-use id of a tool use or result
	raw   string // the id as given
}

// wireTurn is one Bedrock message: consecutive neutral messages of one role merged.
type wireTurn struct {
	role   types.ConversationRole
	blocks []wireBlock
}

// conversation is what the message pass returns and the turn passes rework: the system
// prompt and the turns, with what later passes need to know of the tool calls.
type conversation struct {
	system        []types.SystemContentBlock
	systemAt      []origin // origin of each system block
	systemHasText bool
	turns         []*wireTurn
	toolUses      map[string]origin // sanitised tool-use id → its tool use
	history       toolHistory
}

// toolHistory is what the tool pass needs to know of the tool calls in the history.
type toolHistory struct {
	blocks bool     // the history holds tool uses or results
	called []string // names of the tools called, in order of first call
}

// wireMessages returns the turns as Bedrock messages.
func (c *conversation) wireMessages() []types.Message {
	msgs := make([]types.Message, len(c.turns))
	for i, t := range c.turns {
		content := make([]types.ContentBlock, len(t.blocks))
		for j, wb := range t.blocks {
			content[j] = wb.block
		}
		msgs[i] = types.Message{Role: t.role, Content: content}
	}
	return msgs
}

// messageReader is the state of the message pass: the conversation it builds and what it
// tracks on the way.
type messageReader struct {
	*requestBuilder
	conv        conversation
	systemTexts []string            // system text, kept for models without a system prompt
	pendingIDs  map[string][]string // call id as given → Bedrock ids of its calls not yet answered, oldest first
	docs        documentNamer
}

// messages walks the request's messages: system parts to the system prompt, the rest into
// turns, consecutive turns of one role merged (REQ-SYSTEM and REQ-ROLES).
func (b *requestBuilder) messages() (conversation, error) {
	r := messageReader{requestBuilder: b}
	if err := r.read(); err != nil {
		return conversation{}, err
	}
	return r.conv, nil
}

func (r *messageReader) read() error {
	b, c := r.requestBuilder, &r.conv
	started := false
	for mi, m := range b.req.Messages {
		switch m.Role {
		case llm.RoleSystem:
			if started {
				b.warn(llm.WarnPartf(llm.WarningRepaired, mi, -1, "a system message after the conversation started was merged into the system prompt"))
			}
			if err := r.systemMessage(mi, m); err != nil {
				return err
			}
		case llm.RoleUser, llm.RoleTool, llm.RoleAssistant:
			role := types.ConversationRoleUser
			if m.Role == llm.RoleAssistant {
				role = types.ConversationRoleAssistant
				if !started {
					return partError(mi, -1, "the conversation starts with an assistant message; Bedrock requires the first message to be a user message (see REQ-ROLES in providers/bedrock/RULES.md), so add the user turn that prompted it")
				}
			}
			started = true
			if len(m.Parts) == 0 {
				if role == types.ConversationRoleAssistant {
					// A model's empty answer (end_turn with no content): it must not make
					// the history unsendable.
					b.warn(llm.WarnPartf(llm.WarningDropped, mi, -1, "empty assistant message left out: Bedrock rejects a message with empty content"))
					continue
				}
				return partError(mi, -1, "message has no parts; Bedrock rejects a message with empty content")
			}
			blocks, err := r.turnBlocks(mi, m)
			if err != nil {
				return err
			}
			if len(blocks) == 0 {
				if role == types.ConversationRoleAssistant {
					b.warn(llm.WarnPartf(llm.WarningDropped, mi, -1, "assistant message with no content once blank text is dropped left out: Bedrock rejects a message with empty content"))
					continue
				}
				return partError(mi, -1, "message has no content left once blank text is dropped; Bedrock rejects a message with empty content")
			}
			if n := len(c.turns); n > 0 && c.turns[n-1].role == role {
				c.turns[n-1].blocks = append(c.turns[n-1].blocks, blocks...)
			} else {
				c.turns = append(c.turns, &wireTurn{role: role, blocks: blocks})
			}
		default:
			return partError(mi, -1, "unknown role %q", m.Role)
		}
	}
	if len(c.turns) == 0 {
		return fieldError("messages", "no user message; Bedrock needs at least one")
	}
	if !b.caps.SystemPrompt && len(r.systemTexts) > 0 {
		// The model has no system prompt: the system text opens the first user turn.
		pre := make([]wireBlock, 0, len(r.systemTexts)+len(c.turns[0].blocks))
		for i, s := range r.systemTexts {
			pre = append(pre, wireBlock{kind: blockText, at: c.systemAt[i], block: &types.ContentBlockMemberText{Value: s}})
		}
		c.turns[0].blocks = append(pre, c.turns[0].blocks...)
		b.warn(llm.Warnf(llm.WarningRepaired, "system", "model %s takes no system prompt: the system text was put at the start of the first user message", b.req.Model))
		c.system, c.systemAt, r.systemTexts = nil, nil, nil
	}
	return nil
}

func (r *messageReader) systemMessage(mi int, m llm.Message) error {
	c := &r.conv
	for pi, part := range m.Parts {
		switch v := part.(type) {
		case llm.Text:
			if isBlank(v.Text) {
				r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "whitespace-only text dropped"))
				continue
			}
			text := r.validText(mi, pi, v.Text)
			if r.caps.SystemPrompt {
				c.system = append(c.system, &types.SystemContentBlockMemberText{Value: text})
			}
			r.systemTexts = append(r.systemTexts, text)
			c.systemAt = append(c.systemAt, origin{mi, pi})
			c.systemHasText = true
		case llm.Opaque:
			if v.Provider != "bedrock" || v.Kind != guardKind {
				return opaqueError(mi, pi, v)
			}
			if !r.caps.SystemPrompt {
				return partError(mi, pi, "guard content in the system prompt: model %s takes no system prompt", r.req.Model)
			}
			g, err := systemGuardBlock(mi, pi, v)
			if err != nil {
				return err
			}
			c.system = append(c.system, g)
			c.systemAt = append(c.systemAt, origin{mi, pi})
		case llm.CachePoint:
			if !r.caps.SystemPrompt {
				r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point in the system prompt dropped (model %s takes no system prompt)", r.req.Model))
				continue
			}
			if !c.systemHasText {
				r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point at the start of the system prompt dropped: there is nothing before it to cache"))
				continue
			}
			if _, last := c.system[len(c.system)-1].(*types.SystemContentBlockMemberCachePoint); last {
				r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "cache point right after another cache point dropped"))
				continue
			}
			cp, ok := r.cachePoint(mi, pi, v)
			if !ok {
				continue
			}
			c.system = append(c.system, &types.SystemContentBlockMemberCachePoint{Value: cp})
			c.systemAt = append(c.systemAt, origin{mi, pi})
		case nil:
			return partError(mi, pi, "nil part")
		default:
			return partError(mi, pi, "a system message holds text and cache points only, not %s", partname.Of(part))
		}
	}
	return nil
}

// turnBlocks converts the parts of a user, tool or assistant message.
func (r *messageReader) turnBlocks(mi int, m llm.Message) ([]wireBlock, error) {
	assistant := m.Role == llm.RoleAssistant
	blocks := make([]wireBlock, 0, len(m.Parts))
	for pi, part := range m.Parts {
		at := origin{mi, pi}
		switch v := part.(type) {
		case llm.Text, llm.SearchResult, llm.Video, llm.Audio, llm.Opaque:
			wb, ok, err := r.contentBlock(at, m.Role, part)
			if err != nil {
				return nil, err
			}
			if ok {
				blocks = append(blocks, wb)
			}
		case llm.Image:
			if assistant {
				return nil, partError(mi, pi, "an assistant message cannot hold an image on Bedrock")
			}
			img, err := r.image(mi, pi, v)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wireBlock{kind: blockImage, at: at, block: &types.ContentBlockMemberImage{Value: img}})
		case llm.Document:
			if assistant {
				return nil, partError(mi, pi, "an assistant message cannot hold a document on Bedrock")
			}
			doc, err := r.document(mi, pi, v)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wireBlock{kind: blockDocument, at: at, block: &types.ContentBlockMemberDocument{Value: doc}})
		case llm.ToolCall, llm.ToolResult:
			wb, err := r.toolBlock(at, m.Role, part)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wb)
		case llm.Reasoning:
			if wb, ok := r.reasoningBlock(at, m.Role, v); ok {
				blocks = append(blocks, wb)
			}
		case llm.CachePoint:
			cp, ok := r.cachePoint(mi, pi, v)
			if !ok {
				continue
			}
			blocks = append(blocks, wireBlock{kind: blockCache, at: at, block: &types.ContentBlockMemberCachePoint{Value: cp}})
		case nil:
			return nil, partError(mi, pi, "nil part")
		default:
			return nil, partError(mi, pi, "unknown part type %T", part)
		}
	}
	return blocks, nil
}

// toolBlock converts a tool call (in an assistant message) or a tool result (in a user
// or tool message), or a server-side tool's call or result (in an assistant message).
func (r *messageReader) toolBlock(at origin, role llm.Role, part llm.Part) (wireBlock, error) {
	mi, pi := at.msg, at.part
	assistant := role == llm.RoleAssistant
	switch v := part.(type) {
	case llm.ToolCall:
		switch {
		case !assistant:
			return wireBlock{}, partError(mi, pi, "a tool call belongs in an assistant message, not a %s message", role)
		case v.Server:
			return serverToolUse(mi, pi, v)
		}
		return r.toolUse(mi, pi, v)
	case llm.ToolResult:
		switch {
		case v.Server && !assistant:
			return wireBlock{}, partError(mi, pi, "a server-side tool's result belongs in the assistant message that called it, not a %s message", role)
		case !v.Server && assistant:
			return wireBlock{}, partError(mi, pi, "a tool result belongs in a user or tool message, not an assistant message")
		case v.Server:
			return r.serverToolResult(mi, pi, v)
		}
		return r.toolResult(mi, pi, v)
	}
	return wireBlock{}, fmt.Errorf("bedrock: toolBlock: unexpected part %T", part)
}

// contentBlock converts a text, search result, video, audio or opaque part of a user or
// assistant message; ok is false when the part was dropped (with a warning).
func (r *messageReader) contentBlock(at origin, role llm.Role, part llm.Part) (wireBlock, bool, error) {
	mi, pi := at.msg, at.part
	assistant := role == llm.RoleAssistant
	switch v := part.(type) {
	case llm.Text:
		if isBlank(v.Text) {
			r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "whitespace-only text dropped"))
			return wireBlock{}, false, nil
		}
		if len(v.Citations) > 0 {
			if assistant {
				v.Text = r.validText(mi, pi, v.Text)
				cb, err := citationsBlock(mi, pi, v)
				if err != nil {
					return wireBlock{}, false, err
				}
				return wireBlock{kind: blockText, at: at, block: cb}, true, nil
			}
			r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "citations of a %s text dropped: Bedrock takes cited text (citationsContent) in assistant messages only", role))
		}
		return wireBlock{kind: blockText, at: at, block: &types.ContentBlockMemberText{Value: r.validText(mi, pi, v.Text)}}, true, nil
	case llm.SearchResult:
		if assistant {
			return wireBlock{}, false, partError(mi, pi, "an assistant message cannot hold a search result on Bedrock; put it in a user message or a tool result")
		}
		sr, err := searchResultBlock(mi, pi, v)
		if err != nil {
			return wireBlock{}, false, err
		}
		return wireBlock{kind: blockSearchResult, at: at, block: &types.ContentBlockMemberSearchResult{Value: sr}}, true, nil
	case llm.Video:
		if assistant {
			return wireBlock{}, false, partError(mi, pi, "an assistant message cannot hold a video on Bedrock")
		}
		vb, err := video(mi, pi, v)
		if err != nil {
			return wireBlock{}, false, err
		}
		return wireBlock{kind: blockAV, at: at, block: &types.ContentBlockMemberVideo{Value: vb}}, true, nil
	case llm.Audio:
		if assistant {
			return wireBlock{}, false, partError(mi, pi, "an assistant message cannot hold audio on Bedrock")
		}
		ab, err := audio(mi, pi, v)
		if err != nil {
			return wireBlock{}, false, err
		}
		return wireBlock{kind: blockAV, at: at, block: &types.ContentBlockMemberAudio{Value: ab}}, true, nil
	case llm.Opaque:
		if v.Provider == "bedrock" && v.Kind != guardKind {
			marker, err := r.opaque.add(v.Raw)
			if err != nil {
				return wireBlock{}, false, partError(mi, pi, "opaque Bedrock block %q: %v", v.Kind, err)
			}
			return wireBlock{kind: blockOpaque, at: at, block: &types.ContentBlockMemberText{Value: marker}}, true, nil
		}
		if v.Provider != "bedrock" || assistant {
			return wireBlock{}, false, opaqueError(mi, pi, v)
		}
		g, err := guardBlock(mi, pi, v)
		if err != nil {
			return wireBlock{}, false, err
		}
		return wireBlock{kind: blockText, at: at, block: &types.ContentBlockMemberGuardContent{Value: g}}, true, nil
	}
	return wireBlock{}, false, fmt.Errorf("bedrock: contentBlock: unexpected part %T", part)
}

// reasoningBlock converts reasoning to replay (REQ-REASONING). ok is false when it was
// dropped.
func (b *requestBuilder) reasoningBlock(at origin, role llm.Role, v llm.Reasoning) (wb wireBlock, ok bool) {
	mi, pi := at.msg, at.part
	var rc types.ReasoningContentBlock
	switch {
	case role != llm.RoleAssistant:
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "reasoning in a %s message dropped: Bedrock accepts reasoning in assistant messages only", role))
		return wireBlock{}, false
	case !b.caps.Reasoning:
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "reasoning dropped: model %s does not take reasoning content", b.req.Model))
		return wireBlock{}, false
	case len(v.Redacted) > 0:
		rc = &types.ReasoningContentBlockMemberRedactedContent{Value: v.Redacted}
	case v.Signature != "":
		rc = &types.ReasoningContentBlockMemberReasoningText{Value: types.ReasoningTextBlock{Text: aws.String(v.Text), Signature: aws.String(v.Signature)}}
	default:
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "reasoning without a signature or redacted content dropped: Bedrock replays only signed reasoning"))
		return wireBlock{}, false
	}
	return wireBlock{kind: blockReasoning, at: at, block: &types.ContentBlockMemberReasoningContent{Value: rc}}, true
}

// validText returns s with invalid UTF-8 replaced by U+FFFD (what the SDK's JSON encoder
// would send anyway), and a warning about part pi of message mi when it had any.
func (b *requestBuilder) validText(mi, pi int, s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b.warn(llm.WarnPartf(llm.WarningRepaired, mi, pi, "invalid UTF-8 replaced with U+FFFD"))
	return strings.ToValidUTF8(s, "\uFFFD")
}

func isBlank(s string) bool {
	return strings.TrimFunc(s, unicode.IsSpace) == ""
}
