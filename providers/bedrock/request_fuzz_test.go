package bedrock

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// FuzzFormatRequest builds conversations from random bytes: formatRequest never panics,
// and either fails with an invalid-request error or returns an input that keeps Bedrock's
// invariants.
func FuzzFormatRequest(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("a tool round trip with cache points and reasoning"))
	f.Add([]byte{4, 1, 0, 7, 2, 1, 1, 1, 0, 1, 2, 2, 1, 0, 0, 3, 1, 0, 7})
	f.Add([]byte{9, 3, 0, 1, 7, 6, 2, 1, 1, 0, 2, 2, 2, 1, 5, 0, 1, 2, 0, 0, 1, 7, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		req, caps := fuzzRequest(data)
		p, err := formatRequest(req, caps)
		if err != nil {
			var ire *llm.InvalidRequestError
			if !errors.As(err, &ire) || !errors.Is(err, llm.ErrInvalidRequest) {
				t.Fatalf("formatRequest = %T %v, want an *llm.InvalidRequestError", err, err)
			}
			return
		}
		checkConverseInvariants(t, p.input, lookupFamily(req.Model))
	})
}

type fuzzBytes struct {
	data []byte
	i    int
}

func (r *fuzzBytes) next(n int) int {
	if r.i >= len(r.data) {
		return 0
	}
	v := int(r.data[r.i]) % n
	r.i++
	return v
}

var fuzzModels = []string{rqClaude45, rqClaude37, rqNova, rqLlama, rqMistral, rqAppARN}

func fuzzRequest(data []byte) (*llm.Request, llm.Capabilities) {
	r := &fuzzBytes{data: data}
	req := &llm.Request{Model: fuzzModels[r.next(len(fuzzModels))]}
	ids := []string{"a", "b", "c d", strings.Repeat("z", 70)}
	names := []string{"get_weather", "get_time", "lookup"}
	inputs := []string{"", "{}", `{"x":1}`, `{"n":1e400,"s":[true,null]}`, "[1]", `{"y":`}
	texts := []string{"hi", "question", "ok\n", "fine", "more", "sure", " ", ""}
	// Mostly well-formed conversations, so the invariants get checked often; every
	// byte still steers towards the malformed ones.
	role := llm.RoleUser
	var lastCalls []string
	nmsg := 1 + r.next(10)
	for range nmsg {
		switch r.next(12) {
		case 0:
			role = llm.RoleSystem
		case 1:
			role = llm.RoleTool
		case 2:
			role = []llm.Role{llm.RoleUser, llm.RoleAssistant, "critic"}[r.next(3)]
		}
		m := llm.Message{Role: role}
		switch {
		case role == llm.RoleTool && len(lastCalls) > 0 && r.next(8) != 0:
			for _, id := range lastCalls {
				if r.next(8) != 0 {
					tr := llm.ToolResult{CallID: id, IsError: r.next(4) == 0}
					if r.next(4) != 0 {
						tr.Content = []llm.Part{rqText(texts[r.next(len(texts))])}
					}
					m.Parts = append(m.Parts, tr)
				}
			}
			lastCalls = nil
		default:
			nparts := 1 + r.next(3)
			if r.next(16) == 0 {
				nparts = 0
			}
			calls := lastCalls[:0:0]
			for range nparts {
				// Part kinds that fit the role, and now and then any kind at all.
				kinds := map[llm.Role][]int{
					llm.RoleUser:      {0, 0, 0, 6, 7, 8},
					llm.RoleAssistant: {0, 0, 3, 3, 5, 6},
					llm.RoleSystem:    {0, 0, 6},
				}[role]
				kind := r.next(10)
				if len(kinds) > 0 && r.next(16) != 0 {
					kind = kinds[r.next(len(kinds))]
				}
				switch kind {
				case 0, 1, 2:
					m.Parts = append(m.Parts, rqText(texts[r.next(len(texts))]))
				case 3:
					id := ids[r.next(len(ids))]
					if r.next(4) != 0 {
						id = fmt.Sprintf("call_%d_%d", len(req.Messages), len(m.Parts))
					}
					calls = append(calls, id)
					m.Parts = append(m.Parts, rqCall(id, names[r.next(len(names))], inputs[r.next(len(inputs))]))
				case 4:
					m.Parts = append(m.Parts, llm.ToolResult{CallID: ids[r.next(len(ids))]})
				case 5:
					m.Parts = append(m.Parts, llm.Reasoning{Text: "t", Signature: []string{"", "sig"}[r.next(2)]})
				case 6:
					m.Parts = append(m.Parts, llm.CachePoint{TTL: []time.Duration{0, time.Hour, time.Second}[r.next(3)]})
				case 7:
					m.Parts = append(m.Parts, llm.Image{Format: []string{"png", "jpeg", "png", "bmp", ""}[r.next(5)], Data: []byte{1}})
				case 8:
					m.Parts = append(m.Parts, llm.Document{Name: []string{"d.pdf", "r_1.md", "notes.txt", "x"}[r.next(4)], Data: []byte{1}})
				case 9:
					m.Parts = append(m.Parts, nil)
				}
			}
			if role == llm.RoleAssistant {
				lastCalls = calls
			}
		}
		req.Messages = append(req.Messages, m)
		if role == llm.RoleUser || role == llm.RoleTool || role == llm.RoleSystem {
			role = llm.RoleAssistant
		} else {
			role = llm.RoleUser
			if len(lastCalls) > 0 {
				role = llm.RoleTool
			}
		}
	}
	if r.next(2) == 1 {
		req.Tools = []llm.Tool{rqWeatherTool}
	}
	req.ToolChoice.Mode = []llm.ToolChoiceMode{"", llm.ToolChoiceNone, llm.ToolChoiceRequired}[r.next(3)]
	if r.next(4) == 0 {
		req.Output = &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}}}`)}
	}
	if r.next(4) == 0 {
		req.MaxTokens = 4096
		req.Reasoning = &llm.ReasoningConfig{BudgetTokens: 2048}
	}
	return req, capabilitiesFor(req.Model, nil)
}

// checkConverseInvariants checks what Bedrock requires of every request.
func checkConverseInvariants(t *testing.T, in *bedrockruntime.ConverseInput, fam *modelFamily) {
	t.Helper()
	validID := regexp.MustCompile(`^[a-zA-Z0-9_.:-]{1,64}$`)
	validName := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	if len(in.Messages) == 0 || in.Messages[0].Role != types.ConversationRoleUser {
		t.Fatalf("messages = %+v, want a first user message", in.Messages)
	}
	var pending map[string]bool
	toolBlocks := false
	cache := 0
	for _, s := range in.System {
		if _, ok := s.(*types.SystemContentBlockMemberCachePoint); ok {
			cache++
		}
	}
	for i, m := range in.Messages {
		if i > 0 && m.Role == in.Messages[i-1].Role {
			t.Fatalf("messages %d and %d are both %s, want alternation", i-1, i, m.Role)
		}
		if len(m.Content) == 0 {
			t.Fatalf("message %d has no content", i)
		}
		onlyCache := true
		results := map[string]bool{}
		mixed := false
		for j, c := range m.Content {
			if _, ok := c.(*types.ContentBlockMemberCachePoint); !ok {
				onlyCache = false
			}
			switch v := c.(type) {
			case *types.ContentBlockMemberText:
				if isBlank(v.Value) {
					t.Fatalf("message %d block %d: blank text", i, j)
				}
				mixed = true
			case *types.ContentBlockMemberImage, *types.ContentBlockMemberDocument:
				mixed = true
			case *types.ContentBlockMemberCachePoint:
				cache++
				if j == 0 {
					t.Fatalf("message %d: a cache point leads the turn", i)
				}
			case *types.ContentBlockMemberReasoningContent:
				if m.Role != types.ConversationRoleAssistant {
					t.Fatalf("message %d: reasoning in a user turn", i)
				}
			case *types.ContentBlockMemberToolUse:
				toolBlocks = true
				if m.Role != types.ConversationRoleAssistant || !validID.MatchString(aws.ToString(v.Value.ToolUseId)) || !validName.MatchString(aws.ToString(v.Value.Name)) {
					t.Fatalf("message %d block %d: bad tool use %+v", i, j, v.Value)
				}
				raw, err := v.Value.Input.MarshalSmithyDocument()
				if err != nil || len(raw) == 0 || raw[0] != '{' {
					t.Fatalf("message %d block %d: tool input %s (%v), want a JSON object", i, j, raw, err)
				}
			case *types.ContentBlockMemberToolResult:
				toolBlocks = true
				id := aws.ToString(v.Value.ToolUseId)
				if m.Role != types.ConversationRoleUser || !pending[id] || results[id] || len(v.Value.Content) == 0 {
					t.Fatalf("message %d block %d: tool result %q does not answer a call of the turn before exactly once", i, j, id)
				}
				if v.Value.Status != "" && (fam == nil || !fam.resultStatus) {
					t.Fatalf("message %d block %d: status sent to a model without it", i, j)
				}
				results[id] = true
			default:
				t.Fatalf("message %d block %d: unexpected block %T", i, j, c)
			}
		}
		if onlyCache {
			t.Fatalf("message %d holds only cache points", i)
		}
		if m.Role == types.ConversationRoleUser {
			if len(results) != len(pending) {
				t.Fatalf("message %d answers %d of %d tool calls", i, len(results), len(pending))
			}
			if len(results) > 0 && mixed && (fam == nil || !fam.mixedResults) {
				t.Fatalf("message %d mixes content and tool results on a model that rejects it", i)
			}
			pending = nil
		} else {
			pending = map[string]bool{}
			for _, c := range m.Content {
				if u, ok := c.(*types.ContentBlockMemberToolUse); ok {
					pending[aws.ToString(u.Value.ToolUseId)] = true
				}
			}
		}
	}
	if len(pending) > 0 {
		t.Fatalf("the conversation ends with %d unanswered tool calls", len(pending))
	}
	if cache > maxCachePoints {
		t.Fatalf("%d cache points, want at most %d", cache, maxCachePoints)
	}
	if toolBlocks && (in.ToolConfig == nil || len(in.ToolConfig.Tools) == 0) {
		t.Fatalf("history holds tool blocks but toolConfig = %+v", in.ToolConfig)
	}
	if in.ToolConfig != nil && len(in.ToolConfig.Tools) == 0 {
		t.Fatalf("toolConfig without tools")
	}
	wireConverse(t, in) // the SDK's own validation and serialisation accept it
}
