package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/internal/toolname"
	"github.com/llmkit/llmkit/llm"
)

func toolUseIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':'
}

// toolUseID maps a tool-call id to one Bedrock accepts, [a-zA-Z0-9_.:-]{1,64} (REQ-TOOL-IDS).
// A valid id is kept as is. Another has each invalid character replaced by "_", is cut
// to 55 bytes and gets "-" and 8 hex digits of the FNV-1a hash of the original id, so the
// mapping is deterministic — the same on a tool call and on its result — and two ids
// differing only in invalid characters stay apart.
func toolUseID(id string) string {
	valid := len(id) > 0 && len(id) <= 64
	for i := 0; valid && i < len(id); i++ {
		valid = toolUseIDByte(id[i])
	}
	if valid {
		return id
	}
	out := make([]byte, 0, 64)
	for _, r := range id {
		if len(out) == 55 {
			break
		}
		if r < utf8.RuneSelf && toolUseIDByte(byte(r)) {
			out = append(out, byte(r))
		} else {
			out = append(out, '_')
		}
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	out = append(out, '-')
	out = fmt.Appendf(out, "%08x", h.Sum32())
	return string(out)
}

// toolUse converts an assistant's tool call (REQ-TOOL-INPUT and REQ-TOOL-IDS).
func (r *messageReader) toolUse(mi, pi int, v llm.ToolCall) (wireBlock, error) {
	c := &r.conv
	if !r.caps.Tools {
		return wireBlock{}, partError(mi, pi, "model %s does not support tools", r.req.Model)
	}
	if !toolname.Valid(v.Name) {
		return wireBlock{}, partError(mi, pi, "tool name %q: Bedrock takes 1 to 64 of a-z, A-Z, 0-9, _ and -", v.Name)
	}
	if v.ID == "" {
		return wireBlock{}, partError(mi, pi, "tool call has no id")
	}
	id := toolUseID(v.ID)
	if prev, dup := c.toolUses[id]; dup {
		if raw := r.toolIDRaw[id]; raw != v.ID {
			return wireBlock{}, partError(mi, pi, "tool call id %q and %q (message %d part %d) map to the same Bedrock id %q", v.ID, raw, prev.msg, prev.part, id)
		}
		return wireBlock{}, partError(mi, pi, "tool call id %q is used twice (first at message %d part %d)", v.ID, prev.msg, prev.part)
	}
	if c.toolUses == nil {
		c.toolUses = make(map[string]origin)
		r.toolIDRaw = make(map[string]string)
	}
	c.toolUses[id] = origin{mi, pi}
	r.toolIDRaw[id] = v.ID
	input, err := toolInputJSON(v.Input)
	if err != nil {
		return wireBlock{}, partError(mi, pi, "tool call input: %v", err)
	}
	c.history.blocks = true
	if !slices.Contains(c.history.called, v.Name) {
		c.history.called = append(c.history.called, v.Name)
	}
	return wireBlock{kind: blockToolUse, at: origin{mi, pi}, id: id, raw: v.ID, block: &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
		ToolUseId: aws.String(id),
		Name:      aws.String(v.Name),
		Input:     newRawDocument(input),
	}}}, nil
}

// toolInputJSON returns a tool call's input as it goes to Bedrock (REQ-TOOL-INPUT): empty
// is {}, a JSON object is kept as written (compacted), anything else is an error.
func toolInputJSON(raw json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("{}"), nil
	}
	b, err := jsonx.Compact(raw)
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if b[0] != '{' {
		return nil, fmt.Errorf("must be a JSON object, got %s", jsonx.KindOf(b).Name())
	}
	return b, nil
}

// toolResult converts a tool result (REQ-TOOL-IDS and REQ-TOOL-ERROR).
func (r *messageReader) toolResult(mi, pi int, v llm.ToolResult) (wireBlock, error) {
	if !r.caps.Tools {
		return wireBlock{}, partError(mi, pi, "model %s does not support tools", r.req.Model)
	}
	if v.CallID == "" {
		return wireBlock{}, partError(mi, pi, "tool result has no call id")
	}
	id := toolUseID(v.CallID)
	content := make([]types.ToolResultContentBlock, 0, len(v.Content)+1)
	for _, part := range v.Content {
		switch c := part.(type) {
		case llm.Text:
			if isBlank(c.Text) {
				continue
			}
			if r.fam != nil && r.fam.jsonResults {
				if doc, ok := jsonObjectText(c.Text); ok {
					content = append(content, &types.ToolResultContentBlockMemberJson{Value: newRawDocument(doc)})
					continue
				}
			}
			content = append(content, &types.ToolResultContentBlockMemberText{Value: c.Text})
		case llm.Image:
			img, err := r.image(mi, pi, c)
			if err != nil {
				return wireBlock{}, err
			}
			content = append(content, &types.ToolResultContentBlockMemberImage{Value: img})
		case llm.Document:
			doc, err := r.document(mi, pi, c)
			if err != nil {
				return wireBlock{}, err
			}
			content = append(content, &types.ToolResultContentBlockMemberDocument{Value: doc})
		case nil:
			return wireBlock{}, partError(mi, pi, "tool result content holds a nil part")
		default:
			return wireBlock{}, partError(mi, pi, "tool result content holds text, images and documents only, not %s", partName(part))
		}
	}
	tr := types.ToolResultBlock{ToolUseId: aws.String(id)}
	switch {
	case v.IsError && r.caps.ToolResultStatus:
		tr.Status = types.ToolResultStatusError
		if len(content) == 0 {
			content = append(content, &types.ToolResultContentBlockMemberText{Value: "the tool call failed"})
		}
	case v.IsError:
		// No status field on this model: the error is said in the text (REQ-TOOL-ERROR).
		if t, ok := firstText(content); ok {
			content[0] = &types.ToolResultContentBlockMemberText{Value: "Error: " + t}
		} else if len(content) == 0 {
			content = append(content, &types.ToolResultContentBlockMemberText{Value: "Error: the tool call failed"})
		} else {
			content = append([]types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: "Error:"}}, content...)
		}
	case len(content) == 0:
		content = append(content, &types.ToolResultContentBlockMemberText{Value: "(no output)"})
	}
	tr.Content = content
	r.conv.history.blocks = true
	return wireBlock{kind: blockToolResult, at: origin{mi, pi}, id: id, raw: v.CallID, block: &types.ContentBlockMemberToolResult{Value: tr}}, nil
}

func firstText(c []types.ToolResultContentBlock) (string, bool) {
	if len(c) == 0 {
		return "", false
	}
	t, ok := c[0].(*types.ToolResultContentBlockMemberText)
	if !ok {
		return "", false
	}
	return t.Value, true
}

// jsonObjectText returns s compacted when it is one JSON object.
func jsonObjectText(s string) ([]byte, bool) {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return nil, false
	}
	b, err := jsonx.Compact([]byte(t))
	return b, err == nil
}

// pairToolResults checks REQ-TOOL-PAIRS: every tool use of an assistant turn is answered by
// exactly one tool result in the very next user turn, which holds no other result, and
// the conversation does not end with unanswered tool calls.
func (c *conversation) pairToolResults() error {
	var pending []wireBlock // tool uses of the previous assistant turn
	for _, t := range c.turns {
		if t.role == types.ConversationRoleAssistant {
			pending = pending[:0]
			for _, wb := range t.blocks {
				if wb.kind == blockToolUse {
					pending = append(pending, wb)
				}
			}
			continue
		}
		answered := make([]bool, len(pending))
		for _, wb := range t.blocks {
			if wb.kind != blockToolResult {
				continue
			}
			k := -1
			for i, u := range pending {
				if u.id == wb.id {
					k = i
					break
				}
			}
			switch {
			case k < 0:
				if use, ok := c.toolUses[wb.id]; ok {
					return partError(wb.at.msg, wb.at.part, "tool result for call %q does not follow its call: the call (message %d part %d) must be answered in the user turn right after it", wb.raw, use.msg, use.part)
				}
				return partError(wb.at.msg, wb.at.part, "tool result for call %q answers no tool call of the assistant turn before it", wb.raw)
			case answered[k]:
				return partError(wb.at.msg, wb.at.part, "second tool result for call %q; each tool call takes exactly one result", wb.raw)
			}
			answered[k] = true
		}
		for i, u := range pending {
			if !answered[i] {
				return partError(u.at.msg, u.at.part, "tool call %q has no result in the user turn that follows it; Bedrock needs one result per call", u.raw)
			}
		}
		pending = pending[:0]
	}
	if len(pending) > 0 {
		u := pending[0]
		return partError(u.at.msg, u.at.part, "the conversation ends with unanswered tool call %q; add a tool message with its result", u.raw)
	}
	return nil
}
