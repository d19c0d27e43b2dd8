package bedrock

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
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
	systemTexts []string          // system text, kept for models without a system prompt
	toolIDRaw   map[string]string // sanitised → raw id, to catch two ids mapped to one
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
				return partError(mi, -1, "message has no parts; Bedrock rejects a message with empty content")
			}
			blocks, err := r.turnBlocks(mi, m)
			if err != nil {
				return err
			}
			if len(blocks) == 0 {
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
			if r.caps.SystemPrompt {
				c.system = append(c.system, &types.SystemContentBlockMemberText{Value: v.Text})
			}
			r.systemTexts = append(r.systemTexts, v.Text)
			c.systemAt = append(c.systemAt, origin{mi, pi})
			c.systemHasText = true
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
			return partError(mi, pi, "a system message holds text and cache points only, not %s", partName(part))
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
		case llm.Text:
			if isBlank(v.Text) {
				r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "whitespace-only text dropped"))
				continue
			}
			blocks = append(blocks, wireBlock{kind: blockText, at: at, block: &types.ContentBlockMemberText{Value: v.Text}})
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
		case llm.ToolCall:
			if !assistant {
				return nil, partError(mi, pi, "a tool call belongs in an assistant message, not a %s message", m.Role)
			}
			wb, err := r.toolUse(mi, pi, v)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, wb)
		case llm.ToolResult:
			if assistant {
				return nil, partError(mi, pi, "a tool result belongs in a user or tool message, not an assistant message")
			}
			wb, err := r.toolResult(mi, pi, v)
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

func partName(p llm.Part) string {
	switch p.(type) {
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
	}
	return fmt.Sprintf("%T", p)
}

func isBlank(s string) bool {
	return strings.TrimFunc(s, unicode.IsSpace) == ""
}
