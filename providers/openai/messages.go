package openai

import (
	"slices"
	"strings"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"

	"github.com/llmkit/llmkit/internal/partname"
	"github.com/llmkit/llmkit/llm"
)

// messages translates the conversation, message by message, checking that every tool
// call is answered by a result before the next assistant turn and that every result
// answers a call.
func (b *builder) messages() error {
	for mi, m := range b.req.Messages {
		if len(m.Parts) == 0 {
			return invalid(mi, -1, "message has no parts")
		}
		var err error
		switch m.Role {
		case llm.RoleSystem:
			err = b.system(mi, m)
		case llm.RoleUser, llm.RoleTool:
			err = b.user(mi, m)
		case llm.RoleAssistant:
			err = b.assistant(mi, m)
		default:
			err = invalid(mi, -1, "unknown role %q", m.Role)
		}
		if err != nil {
			return err
		}
	}
	if len(b.pending) > 0 {
		c := b.pending[0]
		return invalid(c.msg, -1, "tool call %s has no result: Chat Completions wants a tool message for every call before the next turn", c.id)
	}
	return nil
}

// system translates a system message: its text parts, joined, as one system message.
func (b *builder) system(mi int, m llm.Message) error {
	var sb strings.Builder
	for pi, part := range m.Parts {
		switch v := part.(type) {
		case llm.Text:
			if sb.Len() > 0 && v.Text != "" {
				sb.WriteString("\n")
			}
			sb.WriteString(v.Text)
		case llm.CachePoint:
			b.cachePoint(mi, pi)
		default:
			return invalid(mi, pi, "a system message holds text only, not %s", partname.Of(part))
		}
	}
	if strings.TrimSpace(sb.String()) == "" {
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, -1, "system message without text dropped"))
		return nil
	}
	if !b.caps.SystemPrompt {
		b.warn(llm.WarnPartf(llm.WarningRepaired, mi, -1, "model %s takes no system prompt: sent as a user message", b.req.Model))
		b.p.body.Messages = append(b.p.body.Messages, oai.UserMessage(sb.String()))
		return nil
	}
	b.p.body.Messages = append(b.p.body.Messages, oai.SystemMessage(sb.String()))
	return nil
}

func (b *builder) cachePoint(mi, pi int) {
	b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "Chat Completions has no cache points (the service caches prompt prefixes itself); dropped"))
}

// user translates a user (or tool) message: its tool results first, each as a tool
// message, then its other content as one user message.
func (b *builder) user(mi int, m llm.Message) error {
	var parts []oai.ChatCompletionContentPartUnionParam
	texts, images := 0, 0
	for pi, part := range m.Parts {
		switch v := part.(type) {
		case llm.Text:
			b.dropCitations(mi, pi, v)
			parts = append(parts, oai.TextContentPart(v.Text))
			texts++
		case llm.Image:
			if !b.caps.Images {
				return invalid(mi, pi, "model %s does not take images", b.req.Model)
			}
			url, err := imageURL(mi, pi, v)
			if err != nil {
				return err
			}
			parts = append(parts, oai.ImageContentPart(oai.ChatCompletionContentPartImageImageURLParam{URL: url}))
			images++
		case llm.ToolResult:
			if err := b.toolResult(mi, pi, v); err != nil {
				return err
			}
		case llm.CachePoint:
			b.cachePoint(mi, pi)
		case nil:
			return invalid(mi, pi, "nil part")
		default:
			return invalid(mi, pi, "a user message takes text, images and tool results, not %s", partname.Of(part))
		}
	}
	switch {
	case len(parts) == 0:
		return nil
	case len(b.pending) > 0:
		c := b.pending[0]
		return invalid(mi, -1, "content after tool results while tool call %s (message %d) has no result yet", c.id, c.msg)
	case texts == 1 && images == 0:
		b.p.body.Messages = append(b.p.body.Messages, oai.UserMessage(*parts[0].GetText()))
	default:
		b.p.body.Messages = append(b.p.body.Messages, oai.UserMessage(parts))
	}
	return nil
}

// dropCitations warns that the citations of a text part are not sent: Chat Completions
// takes plain text in the history.
func (b *builder) dropCitations(mi, pi int, v llm.Text) {
	if len(v.Citations) > 0 {
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "citations dropped: Chat Completions takes plain text in the history"))
	}
}

// toolResult translates one tool result into a tool message. Chat Completions has no
// error status: an error result says so in its text.
func (b *builder) toolResult(mi, pi int, v llm.ToolResult) error {
	if v.Server {
		return invalid(mi, pi, "tool result %s is a server-side tool's, which Chat Completions cannot take back", v.CallID)
	}
	if v.CallID == "" {
		return invalid(mi, pi, "tool result has no call id")
	}
	i := b.pendingIndex(v.CallID)
	if i < 0 {
		return invalid(mi, pi, "tool result for call %s, which no earlier assistant message made (or which already has its result)", v.CallID)
	}
	b.pending = slices.Delete(b.pending, i, i+1)
	var sb strings.Builder
	for _, c := range v.Content {
		t, ok := c.(llm.Text)
		if !ok {
			return invalid(mi, pi, "tool results on Chat Completions hold text only, not %s", partname.Of(c))
		}
		if sb.Len() > 0 && t.Text != "" {
			sb.WriteString("\n")
		}
		sb.WriteString(t.Text)
	}
	text := sb.String()
	switch {
	case v.IsError && text == "":
		text = "Error: the tool call failed"
	case v.IsError:
		text = "Error: " + text
	case text == "":
		text = "(no output)"
	}
	b.p.body.Messages = append(b.p.body.Messages, oai.ToolMessage(text, v.CallID))
	return nil
}

// assistant translates an assistant turn: its text joined as the content, its tool
// calls as tool_calls. Reasoning cannot be sent back on Chat Completions: it is dropped
// with a warning.
func (b *builder) assistant(mi int, m llm.Message) error {
	if len(b.pending) > 0 {
		c := b.pending[0]
		return invalid(mi, -1, "assistant turn while tool call %s (message %d) has no result", c.id, c.msg)
	}
	var sb strings.Builder
	var calls []oai.ChatCompletionMessageToolCallUnionParam
	for pi, part := range m.Parts {
		switch v := part.(type) {
		case llm.Text:
			b.dropCitations(mi, pi, v)
			sb.WriteString(v.Text)
		case llm.ToolCall:
			if v.Server {
				return invalid(mi, pi, "tool call %s is a server-side tool's, which Chat Completions cannot take back", v.ID)
			}
			c, err := b.toolCall(mi, pi, v)
			if err != nil {
				return err
			}
			calls = append(calls, c)
		case llm.Reasoning:
			b.warn(llm.WarnPartf(llm.WarningDropped, mi, pi, "Chat Completions takes no reasoning in the history; dropped"))
		case llm.CachePoint:
			b.cachePoint(mi, pi)
		case nil:
			return invalid(mi, pi, "nil part")
		default:
			return invalid(mi, pi, "an assistant message takes text, tool calls and reasoning, not %s", partname.Of(part))
		}
	}
	msg := oai.ChatCompletionAssistantMessageParam{ToolCalls: calls}
	if sb.Len() > 0 {
		msg.Content.OfString = param.NewOpt(sb.String())
	} else if len(calls) == 0 {
		b.warn(llm.WarnPartf(llm.WarningDropped, mi, -1, "assistant message with nothing Chat Completions can take dropped"))
		return nil
	}
	b.p.body.Messages = append(b.p.body.Messages, oai.ChatCompletionMessageParamUnion{OfAssistant: &msg})
	return nil
}

func (b *builder) toolCall(mi, pi int, v llm.ToolCall) (oai.ChatCompletionMessageToolCallUnionParam, error) {
	switch {
	case v.ID == "":
		return oai.ChatCompletionMessageToolCallUnionParam{}, invalid(mi, pi, "tool call has no id")
	case v.Name == "":
		return oai.ChatCompletionMessageToolCallUnionParam{}, invalid(mi, pi, "tool call %s has no name", v.ID)
	}
	if b.pendingIndex(v.ID) >= 0 {
		return oai.ChatCompletionMessageToolCallUnionParam{}, invalid(mi, pi, "tool call id %s used twice", v.ID)
	}
	args := "{}"
	if len(v.Input) > 0 {
		if !jsonObject(v.Input) {
			return oai.ChatCompletionMessageToolCallUnionParam{}, invalid(mi, pi, "tool call %s: input is not a JSON object", v.ID)
		}
		args = string(v.Input)
	}
	b.pending = append(b.pending, pendingCall{id: v.ID, msg: mi})
	return oai.ChatCompletionMessageToolCallUnionParam{OfFunction: &oai.ChatCompletionMessageFunctionToolCallParam{
		ID:       v.ID,
		Function: oai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: v.Name, Arguments: args},
	}}, nil
}

// pendingIndex is the index of the call id in b.pending, or -1.
func (b *builder) pendingIndex(id string) int {
	return slices.IndexFunc(b.pending, func(c pendingCall) bool { return c.id == id })
}
