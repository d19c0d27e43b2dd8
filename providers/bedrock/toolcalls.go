package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/internal/partname"
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

// toolUse converts an assistant's tool call (REQ-TOOL-INPUT and REQ-TOOL-IDS). What a model may send but
// Bedrock does not take back is repaired with a warning, so that an answer never makes
// the history unsendable (the agent has already told the model such a tool is unknown):
//   - a name outside [a-zA-Z0-9_-]{1,64} has each other byte replaced by "_" (an
//     empty name becomes "unnamed_tool");
//   - a call without an id is sent with the id llmkit_call_<message>_<part>;
//   - an id used by an earlier call (or mapped to the same Bedrock id) gets a suffix.
//
// The results follow their calls: a result whose call id was given to several calls (or
// to none, "") answers the oldest of them not answered yet, and is sent with that call's
// Bedrock id.
func (r *messageReader) toolUse(mi, pi int, v llm.ToolCall) (wireBlock, error) {
	c := &r.conv
	if !r.caps.Tools {
		return wireBlock{}, partError(mi, pi, "model %s does not support tools", r.req.Model)
	}
	name := v.Name
	if !toolname.Valid(name) {
		name = sanitizeToolName(name)
		r.warn(llm.WarnPartf(llm.WarningRepaired, mi, pi, "tool name %q sent as %q: Bedrock takes 1 to 64 of a-z, A-Z, 0-9, _ and -", v.Name, name))
	}
	var id string
	if v.ID == "" {
		id = fmt.Sprintf("llmkit_call_%d_%d", mi, pi)
		r.warn(llm.WarnPartf(llm.WarningRepaired, mi, pi, "tool call without an id sent with the id %q, and so is the result that answers it", id))
	} else {
		id = toolUseID(v.ID)
	}
	if prev, dup := c.toolUses[id]; dup {
		fresh := r.freshToolUseID(id)
		r.warn(llm.WarnPartf(llm.WarningRepaired, mi, pi, "tool call id %q is already used (message %d part %d): sent as %q, and so is the result that answers it", v.ID, prev.msg, prev.part, fresh))
		id = fresh
	}
	if c.toolUses == nil {
		c.toolUses = make(map[string]origin)
		r.pendingIDs = make(map[string][]string)
	}
	c.toolUses[id] = origin{mi, pi}
	r.pendingIDs[v.ID] = append(r.pendingIDs[v.ID], id)
	input, err := toolInputJSON(v.Input)
	if err != nil {
		return wireBlock{}, partError(mi, pi, "tool call input: %v", err)
	}
	if !utf8.Valid(v.Input) {
		// compactJSON has replaced each invalid byte with U+FFFD.
		r.warn(llm.WarnPartf(llm.WarningRepaired, mi, pi, "invalid UTF-8 in the tool call's input replaced with U+FFFD"))
	}
	c.history.blocks = true
	if !slices.Contains(c.history.called, name) {
		c.history.called = append(c.history.called, name)
	}
	return wireBlock{kind: blockToolUse, at: origin{mi, pi}, id: id, raw: v.ID, block: &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
		ToolUseId: aws.String(id),
		Name:      aws.String(name),
		Input:     newRawDocument(input),
	}}}, nil
}

// sanitizeToolName maps a tool name to one Bedrock accepts, as [toolname.Sanitize]
// does; an empty name becomes "unnamed_tool", which reads better in a history than "_".
func sanitizeToolName(name string) string {
	if name == "" {
		return "unnamed_tool"
	}
	return toolname.Sanitize(name)
}

// freshToolUseID returns id with the smallest suffix "_2", "_3" … that no tool use of the
// request has, cut so that it stays within Bedrock's 64 bytes.
func (r *messageReader) freshToolUseID(id string) string {
	base := id
	if len(base) > 54 {
		base = base[:54]
	}
	for n := 2; ; n++ {
		cand := base + "_" + strconv.Itoa(n)
		if _, taken := r.conv.toolUses[cand]; !taken {
			return cand
		}
	}
}

// resultID returns the Bedrock id a tool result is sent with: that of the oldest call
// with its call id not yet answered, or the call id mapped as a call's would be.
func (r *messageReader) resultID(callID string) string {
	if q := r.pendingIDs[callID]; len(q) > 0 {
		r.pendingIDs[callID] = q[1:]
		return q[0]
	}
	return toolUseID(callID)
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
	if v.CallID == "" && len(r.pendingIDs[""]) == 0 {
		return wireBlock{}, partError(mi, pi, "tool result has no call id (and no tool call without an id waits for one)")
	}
	id := r.resultID(v.CallID)
	content, blank, err := r.toolResultContent(mi, pi, v.Content)
	if err != nil {
		return wireBlock{}, err
	}
	tr := types.ToolResultBlock{ToolUseId: aws.String(id)}
	switch {
	case v.IsError && r.fam != nil && r.fam.resultStatus:
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
		r.warn(llm.WarnPartf(llm.WarningRepaired, mi, pi, "tool result for call %q is empty (or white space only): sent as \"(no output)\", since Bedrock rejects an empty result", v.CallID))
		blank = 0
	}
	if blank > 0 {
		r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "whitespace-only text in the tool result for call %q dropped", v.CallID))
	}
	tr.Content = content
	r.conv.history.blocks = true
	return wireBlock{kind: blockToolResult, at: origin{mi, pi}, id: id, raw: v.CallID, block: &types.ContentBlockMemberToolResult{Value: tr}}, nil
}

// toolResultContent converts the content of a tool result, counting the blank texts
// it dropped.
func (r *messageReader) toolResultContent(mi, pi int, parts []llm.Part) ([]types.ToolResultContentBlock, int, error) {
	content := make([]types.ToolResultContentBlock, 0, len(parts)+1)
	blank := 0
	for _, part := range parts {
		switch c := part.(type) {
		case llm.Text:
			if isBlank(c.Text) {
				blank++
				continue
			}
			if len(c.Citations) > 0 {
				r.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "citations of a tool result's text dropped: Bedrock takes none there"))
			}
			text := r.validText(mi, pi, c.Text)
			if r.fam != nil && r.fam.jsonResults {
				if doc, ok := jsonObjectText(text); ok {
					content = append(content, &types.ToolResultContentBlockMemberJson{Value: newRawDocument(doc)})
					continue
				}
			}
			content = append(content, &types.ToolResultContentBlockMemberText{Value: text})
		case llm.Image:
			img, err := r.image(mi, pi, c)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, &types.ToolResultContentBlockMemberImage{Value: img})
		case llm.Document:
			doc, err := r.document(mi, pi, c)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, &types.ToolResultContentBlockMemberDocument{Value: doc})
		case llm.Video:
			vb, err := video(mi, pi, c)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, &types.ToolResultContentBlockMemberVideo{Value: vb})
		case llm.SearchResult:
			sr, err := searchResultBlock(mi, pi, c)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, &types.ToolResultContentBlockMemberSearchResult{Value: sr})
		case nil:
			return nil, 0, partError(mi, pi, "tool result content holds a nil part")
		default:
			return nil, 0, partError(mi, pi, "tool result content holds text, images, documents, videos and search results only, not %s", partname.Of(part))
		}
	}
	return content, blank, nil
}

// serverToolUse converts the call of a server-side tool, which Bedrock ran itself: it
// goes back as a toolUse of type server_tool_use and needs no result from the caller
// (REQ-SERVER-TOOLS).
func serverToolUse(mi, pi int, v llm.ToolCall) (wireBlock, error) {
	if v.ID == "" || v.Name == "" {
		return wireBlock{}, partError(mi, pi, "server-side tool call has no id or no name")
	}
	input, err := toolInputJSON(v.Input)
	if err != nil {
		return wireBlock{}, partError(mi, pi, "server-side tool call input: %v", err)
	}
	return wireBlock{kind: blockServerTool, at: origin{mi, pi}, raw: v.ID, block: &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
		ToolUseId: aws.String(v.ID), Name: aws.String(v.Name), Input: newRawDocument(input), Type: types.ToolUseTypeServerToolUse,
	}}}, nil
}

// serverToolResult converts the result of a server-side tool, sent back in its
// assistant turn as Bedrock returned it (REQ-SERVER-TOOLS).
func (r *messageReader) serverToolResult(mi, pi int, v llm.ToolResult) (wireBlock, error) {
	if v.CallID == "" {
		return wireBlock{}, partError(mi, pi, "server-side tool result has no call id")
	}
	content, _, err := r.toolResultContent(mi, pi, v.Content)
	if err != nil {
		return wireBlock{}, err
	}
	tr := types.ToolResultBlock{ToolUseId: aws.String(v.CallID), Content: content}
	if v.IsError {
		tr.Status = types.ToolResultStatusError
	}
	return wireBlock{kind: blockServerTool, at: origin{mi, pi}, raw: v.CallID, block: &types.ContentBlockMemberToolResult{Value: tr}}, nil
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
