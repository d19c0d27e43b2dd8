package bedrocktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
)

// Script is a simulator script: the replies a [Server] gives, written as JSON so that a
// test in any language can drive `llmkit sim --script FILE`. [ParseScript] and
// [LoadScript] read one; [Script.Install] queues its replies on a server.
//
// A script is a JSON object with these members, all optional:
//
//	{
//	  "replies": [REPLY, ...],                 // in order, one per request, any model
//	  "models":  {"MODEL_ID": [REPLY, ...]},   // in order, one per request to that model id
//	  "rules":   [{"when": WHEN, "reply": REPLY}, ...],
//	  "otherwise": "echo" | "error"            // default "echo"
//	}
//
// A request takes the next reply queued for its model id, else the next of "replies";
// when both are used up, the first rule whose "when" matches it answers (rules are
// reused any number of times); when none matches, "otherwise" decides: "echo" answers
// with the text of the last user message, "error" with a ValidationException saying
// that the script has no reply for the request.
//
// WHEN is an object whose members must all match: "model" (the model id, exactly),
// "operation" ("converse" or "converse-stream"), "contains" (a substring of the last
// user message's text), "tool_result": true (the last message carries tool results).
//
// REPLY is an object. Its content:
//
//	"text": "…"                               the answer's text
//	"reasoning": {"text": "…", "signature": "…"}   reasoning before the text
//	"tool_calls": [{"id": "…", "name": "…", "input": {…}}, …]
//	"stop_reason": "end_turn"                 sent as written; default: tool_use with tool calls, else end_turn
//	"usage": {"input": N, "output": N}
//
// or, instead of content, an HTTP error in Bedrock's shape:
//
//	"error": {"code": "ThrottlingException", "message": "…"}   (any Bedrock error code)
//
// and, for any content, pacing and faults:
//
//	"split": N                                deltas of at most N characters when streamed
//	"delay": "250ms"                          before the response headers
//	"pace": {"first": "100ms", "between": "20ms"}   before the first frame, between frames
//	"fault": {"kind": "exception", "after": N, "code": "…", "message": "…"}
//
// A fault's kind is "exception" (an exception frame after N frames; for converse the
// HTTP error), "drop" (the connection closed after N frames), "truncate" (the stream
// ends cleanly in the middle of frame N+1), "cut" (the connection closed in the middle
// of frame N+1) or "corrupt" (frame N sent with a bad CRC). A streamed answer's frames
// are: messageStart, then per block a start (tool calls only), its deltas and a stop,
// then messageStop and metadata.
type Script struct {
	Replies   []ScriptReply            `json:"replies,omitempty"`
	Models    map[string][]ScriptReply `json:"models,omitempty"`
	Rules     []ScriptRule             `json:"rules,omitempty"`
	Otherwise string                   `json:"otherwise,omitempty"`
}

// ScriptRule answers every request that matches When with ServerReply.
type ScriptRule struct {
	When  ScriptWhen  `json:"when"`
	Reply ScriptReply `json:"reply"`
}

// ScriptWhen selects requests; its set fields must all match.
type ScriptWhen struct {
	Model      string    `json:"model,omitempty"`
	Operation  Operation `json:"operation,omitempty"`
	Contains   string    `json:"contains,omitempty"`
	ToolResult bool      `json:"tool_result,omitempty"`
}

// ScriptReply is one reply of a [Script]; see there for its members.
type ScriptReply struct {
	Text       string           `json:"text,omitempty"`
	Reasoning  *ScriptReasoning `json:"reasoning,omitempty"`
	ToolCalls  []ScriptToolCall `json:"tool_calls,omitempty"`
	StopReason llm.StopReason   `json:"stop_reason,omitempty"`
	Usage      *ScriptUsage     `json:"usage,omitempty"`
	Error      *ScriptError     `json:"error,omitempty"`
	Split      int              `json:"split,omitempty"`
	Delay      ScriptDuration   `json:"delay,omitempty"`
	Pace       *ScriptPace      `json:"pace,omitempty"`
	Fault      *ScriptFault     `json:"fault,omitempty"`
}

// ScriptReasoning is a reply's reasoning block.
type ScriptReasoning struct {
	Text      string `json:"text"`
	Signature string `json:"signature,omitempty"`
}

// ScriptToolCall is a tool call of a reply; Input must be a JSON object (default {}).
type ScriptToolCall struct {
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input,omitempty"`
}

// ScriptUsage is a reply's token usage.
type ScriptUsage struct {
	Input  int `json:"input"`
	Output int `json:"output"`
}

// ScriptError is an HTTP error reply.
type ScriptError struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

// ScriptPace paces a streamed reply.
type ScriptPace struct {
	First   ScriptDuration `json:"first,omitempty"`
	Between ScriptDuration `json:"between,omitempty"`
}

// ScriptFault is a stream fault; see [Script].
type ScriptFault struct {
	Kind    string    `json:"kind"`
	After   int       `json:"after"`
	Code    ErrorCode `json:"code,omitempty"`
	Message string    `json:"message,omitempty"`
}

// ScriptDuration is a duration written as a Go duration string ("250ms", "1s").
type ScriptDuration time.Duration

// UnmarshalJSON reads a duration string.
func (d *ScriptDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"250ms\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("duration %q: want a non-negative duration such as \"250ms\"", s)
	}
	*d = ScriptDuration(v)
	return nil
}

// LoadScript reads the script in the file path; see [ParseScript].
func LoadScript(path string) (*Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: script: %w", err)
	}
	s, err := ParseScript(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseScript reads a script from JSON and checks every reply, naming the one at fault
// ("replies[2].fault.kind", "rules[0].when"). Unknown members are errors, so that a
// misspelt one never goes unnoticed.
func ParseScript(data []byte) (*Script, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Script
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("bedrocktest: script: %w", jsonx.WithPosition(data, err))
	}
	if dec.More() {
		return nil, errors.New("bedrocktest: script: data after the script's JSON object")
	}
	check := func(where string, r ScriptReply) error {
		if _, err := r.reply(); err != nil {
			return fmt.Errorf("bedrocktest: script: %s: %w", where, err)
		}
		return nil
	}
	for i, r := range s.Replies {
		if err := check(fmt.Sprintf("replies[%d]", i), r); err != nil {
			return nil, err
		}
	}
	for m, rs := range s.Models {
		for i, r := range rs {
			if err := check(fmt.Sprintf("models[%q][%d]", m, i), r); err != nil {
				return nil, err
			}
		}
	}
	for i, rule := range s.Rules {
		w := rule.When
		if w.Operation != "" && w.Operation != OpConverse && w.Operation != OpConverseStream {
			return nil, fmt.Errorf("bedrocktest: script: rules[%d].when.operation %q: want converse or converse-stream", i, w.Operation)
		}
		if err := check(fmt.Sprintf("rules[%d].reply", i), rule.Reply); err != nil {
			return nil, err
		}
	}
	switch s.Otherwise {
	case "", "echo", "error":
	default:
		return nil, fmt.Errorf("bedrocktest: script: otherwise %q: want \"echo\" or \"error\"", s.Otherwise)
	}
	return &s, nil
}

// Install queues the script's replies on s and sets how requests beyond them are
// answered. It replaces [Options.Default]: use it on a server started without one.
func (sc *Script) Install(s *Server) {
	for _, r := range sc.Replies {
		s.Enqueue(r.serverReply())
	}
	for m, rs := range sc.Models {
		for _, r := range rs {
			s.EnqueueFor(m, r.serverReply())
		}
	}
	s.mu.Lock()
	s.opts.Default = Func(sc.answer)
	s.mu.Unlock()
}

// answer answers a request no queued reply took.
func (sc *Script) answer(req Request) ServerReply {
	last, tools := lastUserMessage(req.Body)
	for _, rule := range sc.Rules {
		w := rule.When
		if (w.Model == "" || w.Model == req.Model) &&
			(w.Operation == "" || w.Operation == req.Op) &&
			(w.Contains == "" || strings.Contains(last, w.Contains)) &&
			(!w.ToolResult || tools) {
			return rule.Reply.serverReply()
		}
	}
	if sc.Otherwise == "error" {
		return Error(ValidationException, fmt.Sprintf(
			"llmkit sim: the script has no reply for this %s request for model %q (its replies are used up and no rule matches)", req.Op, req.Model))
	}
	return Text(last)
}

// lastUserMessage returns the text of the last user message of a Converse body and
// whether it carries tool results.
func lastUserMessage(body []byte) (string, bool) {
	var in struct {
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text       *string         `json:"text"`
				ToolResult json.RawMessage `json:"toolResult"`
			} `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &in) != nil {
		return "", false
	}
	for i := len(in.Messages) - 1; i >= 0; i-- {
		m := in.Messages[i]
		if m.Role != "user" {
			continue
		}
		var texts []string
		tools := false
		for _, c := range m.Content {
			if c.Text != nil {
				texts = append(texts, *c.Text)
			}
			tools = tools || len(c.ToolResult) > 0
		}
		return strings.Join(texts, "\n"), tools
	}
	return "", false
}

// serverReply is the reply r describes or, for a script built in Go that [ParseScript]
// did not check, one that answers with a 500 saying what is wrong with r.
func (r ScriptReply) serverReply() ServerReply {
	rep, err := r.reply()
	if err != nil {
		rep.err = fmt.Errorf("bedrocktest: script: %w", err)
	}
	return rep
}

// reply builds the ServerReply r describes, or says what is wrong with it.
func (r ScriptReply) reply() (ServerReply, error) {
	content := r.Text != "" || r.Reasoning != nil || len(r.ToolCalls) > 0
	if r.Error != nil {
		if content {
			return ServerReply{}, errors.New("error: a reply is either an error or content (text, reasoning, tool_calls), not both")
		}
		if r.Error.Code == "" {
			return ServerReply{}, errors.New("error.code: missing (e.g. \"ThrottlingException\")")
		}
		return r.shape(Error(r.Error.Code, r.Error.Message))
	}
	if !content {
		return ServerReply{}, errors.New("empty reply: want text, reasoning, tool_calls or error")
	}
	msg := llm.Message{Role: llm.RoleAssistant}
	if r.Reasoning != nil {
		msg.Parts = append(msg.Parts, llm.Reasoning{Text: r.Reasoning.Text, Signature: r.Reasoning.Signature})
	}
	if r.Text != "" {
		msg.Parts = append(msg.Parts, llm.Text{Text: r.Text})
	}
	for i, c := range r.ToolCalls {
		if c.ID == "" || c.Name == "" {
			return ServerReply{}, fmt.Errorf("tool_calls[%d]: want an id and a name", i)
		}
		input := c.Input
		if len(input) == 0 {
			input = json.RawMessage(`{}`)
		}
		compact, err := jsonx.Compact(input)
		if err != nil || jsonx.KindOf(compact) != jsonx.Object {
			return ServerReply{}, fmt.Errorf("tool_calls[%d].input: want a JSON object, got %s", i, input)
		}
		msg.Parts = append(msg.Parts, llm.ToolCall{ID: c.ID, Name: c.Name, Input: compact})
	}
	stop := r.StopReason
	if stop == "" {
		stop = llm.StopReasonEndTurn
		if len(r.ToolCalls) > 0 {
			stop = llm.StopReasonToolUse
		}
	}
	resp := &llm.Response{Message: msg, StopReason: stop}
	if r.Usage != nil {
		resp.Usage = llm.Usage{InputTokens: r.Usage.Input, OutputTokens: r.Usage.Output, TotalTokens: r.Usage.Input + r.Usage.Output}
	}
	return r.shape(Respond(resp))
}

// shape applies the reply's pacing and fault to rep.
func (r ScriptReply) shape(rep ServerReply) (ServerReply, error) {
	if r.Split < 0 {
		return ServerReply{}, fmt.Errorf("split %d: want 0 or more", r.Split)
	}
	if r.Split > 0 {
		rep = rep.Split(r.Split)
	}
	if r.Delay > 0 {
		rep = rep.Delay(time.Duration(r.Delay))
	}
	if r.Pace != nil {
		rep = rep.Pace(time.Duration(r.Pace.First), time.Duration(r.Pace.Between))
	}
	if f := r.Fault; f != nil {
		if f.After < 0 {
			return ServerReply{}, fmt.Errorf("fault.after %d: want 0 or more", f.After)
		}
		switch f.Kind {
		case "exception":
			code := f.Code
			if code == "" {
				code = ModelStreamErrorException
			}
			rep = rep.ExceptionAfter(f.After, code, f.Message)
		case "drop":
			rep = rep.DropAfter(f.After)
		case "truncate":
			rep = rep.TruncateAfter(f.After)
		case "cut":
			rep = rep.CutAfter(f.After)
		case "corrupt":
			rep = rep.CorruptAfter(f.After)
		default:
			return ServerReply{}, fmt.Errorf("fault.kind %q: want exception, drop, truncate, cut or corrupt", f.Kind)
		}
	}
	return rep, nil
}
