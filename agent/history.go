package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/llmkit/llmkit/llm"
)

// CheckHistory reports what is wrong with msgs as a session's history, naming the
// message and part at fault, or returns nil. A history alternates user and model
// turns: it starts with a user message; every message is a user, assistant or tool
// message with at least one part and no nil part; a tool message follows an assistant
// message that called tools and holds only tool results, each answering one of those
// calls. System messages belong in the session's defaults, not in its history.
// [Session.SetHistory] and [Session.UnmarshalJSON] refuse a history that fails it.
func CheckHistory(msgs []llm.Message) error {
	var calls []string // the call ids of the last assistant message
	for i, m := range msgs {
		switch m.Role {
		case llm.RoleUser, llm.RoleAssistant, llm.RoleTool:
		case llm.RoleSystem:
			return fmt.Errorf("message %d: role system: a system prompt belongs in the session's defaults (NewSession), not in its history", i)
		default:
			return fmt.Errorf("message %d: role %q: want user, assistant or tool", i, m.Role)
		}
		if i == 0 && m.Role != llm.RoleUser {
			return fmt.Errorf("message 0: role %s: a history starts with a user message", m.Role)
		}
		if len(m.Parts) == 0 {
			return fmt.Errorf("message %d (%s): no parts", i, m.Role)
		}
		for j, p := range m.Parts {
			if p == nil {
				return fmt.Errorf("message %d (%s): part %d is nil", i, m.Role, j)
			}
		}
		switch m.Role {
		case llm.RoleAssistant:
			calls = calls[:0]
			for _, c := range m.ToolCalls() {
				calls = append(calls, c.ID)
			}
		case llm.RoleTool:
			if len(calls) == 0 {
				return fmt.Errorf("message %d (tool): tool results without a preceding assistant message that called tools", i)
			}
			for j, p := range m.Parts {
				tr, ok := p.(llm.ToolResult)
				if !ok {
					return fmt.Errorf("message %d (tool): part %d is a %T: a tool message holds tool results only", i, j, p)
				}
				if !slices.Contains(calls, tr.CallID) {
					return fmt.Errorf("message %d (tool): part %d answers call %q, which message %d did not make (its calls: %v)", i, j, tr.CallID, lastAssistant(msgs[:i]), calls)
				}
			}
		case llm.RoleUser:
			calls = calls[:0]
		}
	}
	return nil
}

func lastAssistant(msgs []llm.Message) int {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == llm.RoleAssistant {
			return i
		}
	}
	return -1
}

// parseSessionJSON decodes a session's JSON form, {"messages":[…]}, and checks the
// history it holds.
func parseSessionJSON(data []byte) ([]llm.Message, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		what := "nothing"
		if len(data) > 0 {
			what = fmt.Sprintf("%.20s", data)
		}
		return nil, fmt.Errorf(`want a JSON object {"messages":[…]}, got %s`, what)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, err
	}
	raw, ok := members["messages"]
	if !ok {
		keys := make([]string, 0, len(members))
		for k := range members {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) == 0 {
			return nil, errors.New(`no "messages" member: an empty object is not a saved session`)
		}
		return nil, fmt.Errorf(`no "messages" member (the object has %q): this is not a saved session`, keys)
	}
	for k := range members {
		if k != "messages" {
			return nil, fmt.Errorf(`unknown member %q: a saved session has "messages" only`, k)
		}
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, errors.New(`"messages" is null: want an array of messages ([] for an empty conversation)`)
	}
	var msgs []llm.Message
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	if err := CheckHistory(msgs); err != nil {
		return nil, err
	}
	return msgs, nil
}
