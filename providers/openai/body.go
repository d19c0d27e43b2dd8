package openai

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
)

// A Model sends the parameters of FormatRequest as a body it encodes itself, with
// encoding/json over the plain types below: openai-go's reflective request encoder
// (ChatCompletionNewParams.MarshalJSON) cost about as much again as the rest of a call
// with a long history (bench/RESULTS.md). The body means what openai-go would send for
// the same parameters (a test compares the two as JSON); openai-go still sends it, with
// its authentication, headers and retries. The types carry what FormatRequest sets, no
// more: parameters holding anything else — a field, a union variant or an extra field
// FormatRequest does not use — are left to openai-go's encoder, so nothing is dropped.

type wireRequest struct {
	Model               string              `json:"model"`
	Messages            []wireReqMessage    `json:"messages"`
	Tools               []json.RawMessage   `json:"tools,omitempty"`
	ToolChoice          any                 `json:"tool_choice,omitempty"`
	ResponseFormat      *wireResponseFormat `json:"response_format,omitempty"`
	MaxCompletionTokens *int64              `json:"max_completion_tokens,omitempty"`
	MaxTokens           *int64              `json:"max_tokens,omitempty"`
	Temperature         *float64            `json:"temperature,omitempty"`
	TopP                *float64            `json:"top_p,omitempty"`
	Stop                []string            `json:"stop,omitempty"`
	ReasoningEffort     string              `json:"reasoning_effort,omitempty"`
	ServiceTier         string              `json:"service_tier,omitempty"`
	Seed                *int64              `json:"seed,omitempty"`
	ParallelToolCalls   *bool               `json:"parallel_tool_calls,omitempty"`
	User                *string             `json:"user,omitempty"`
	Stream              bool                `json:"stream,omitempty"`
	StreamOptions       *wireStreamOptions  `json:"stream_options,omitempty"`
}

type wireStreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// wireReqMessage is one message; Content is a *string or a []wireReqPart, nil when
// the message has none.
type wireReqMessage struct {
	Role       string        `json:"role"`
	Content    any           `json:"content,omitempty"`
	ToolCalls  []wireReqCall `json:"tool_calls,omitempty"`
	ToolCallID *string       `json:"tool_call_id,omitempty"`
}

type wireReqPart struct {
	Type     string        `json:"type"`
	Text     *string       `json:"text,omitempty"`
	ImageURL *wireImageURL `json:"image_url,omitempty"`
}

type wireImageURL struct {
	URL string `json:"url"`
}

type wireReqCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function wireCallFunc `json:"function"`
}

type wireCallFunc struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type wireNamedChoice struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

type wireResponseFormat struct {
	Type       string         `json:"type"`
	JSONSchema wireJSONSchema `json:"json_schema"`
}

type wireJSONSchema struct {
	Name        string  `json:"name"`
	Strict      *bool   `json:"strict,omitempty"`
	Description *string `json:"description,omitempty"`
	Schema      any     `json:"schema,omitempty"`
}

// fieldsOf is the set of T's fields named, by index, with its embedded metadata
// (extra fields and overrides, checked apart).
func fieldsOf[T any](names ...string) []bool {
	t := reflect.TypeFor[T]()
	known := make([]bool, t.NumField())
	for i := range known {
		f := t.Field(i)
		known[i] = f.Anonymous || slices.Contains(names, f.Name)
	}
	return known
}

// onlyFields reports whether v (a pointer to a struct) has no other field set than the
// known ones.
func onlyFields(v any, known []bool) bool {
	s := reflect.ValueOf(v).Elem()
	for i := range s.NumField() {
		if !known[i] && !s.Field(i).IsZero() {
			return false
		}
	}
	return true
}

// The fields wireRequest and wireReqMessage carry; the others must be zero for
// requestBody to encode the parameters.
var (
	encodedFields = fieldsOf[oai.ChatCompletionNewParams]("Messages", "Model", "MaxCompletionTokens", "MaxTokens",
		"Temperature", "TopP", "Seed", "ParallelToolCalls", "User", "ReasoningEffort", "Stop", "StreamOptions",
		"ResponseFormat", "ToolChoice", "Tools", "ServiceTier")
	assistantFields = fieldsOf[oai.ChatCompletionAssistantMessageParam]("Content", "ToolCalls", "Role")
)

// requestBody encodes p (with "stream": true when stream) as the JSON body openai-go
// would send for it. ok is false when p holds something wireRequest does not carry.
func requestBody(p *oai.ChatCompletionNewParams, stream bool) (body []byte, ok bool) {
	if len(p.ExtraFields()) > 0 {
		return nil, false
	}
	if _, over := p.Overrides(); over {
		return nil, false
	}
	if !onlyFields(p, encodedFields) {
		return nil, false
	}
	w := wireRequest{Model: p.Model, Stream: stream, ReasoningEffort: string(p.ReasoningEffort), ServiceTier: string(p.ServiceTier)}
	ok = true
	w.MaxCompletionTokens = optPtr(&p.MaxCompletionTokens, &ok)
	w.MaxTokens = optPtr(&p.MaxTokens, &ok)
	w.Temperature = optPtr(&p.Temperature, &ok)
	w.TopP = optPtr(&p.TopP, &ok)
	w.Seed = optPtr(&p.Seed, &ok)
	w.ParallelToolCalls = optPtr(&p.ParallelToolCalls, &ok)
	w.User = optPtr(&p.User, &ok)
	if p.Stop.OfString != (param.Opt[string]{}) {
		return nil, false
	}
	w.Stop = p.Stop.OfStringArray
	if so := &p.StreamOptions; so.IncludeObfuscation != (param.Opt[bool]{}) {
		return nil, false
	} else if inc := optPtr(&so.IncludeUsage, &ok); inc != nil {
		w.StreamOptions = &wireStreamOptions{IncludeUsage: *inc}
	}
	if !ok || !wireMessages(&w, p.Messages) || !wireTools(&w, p) || !wireFormat(&w, &p.ResponseFormat) {
		return nil, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as openai-go's encoder
	if err := enc.Encode(&w); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}

// optPtr points at o's value when it is set; an explicit null clears ok.
func optPtr[T comparable](o *param.Opt[T], ok *bool) *T {
	switch {
	case o.Valid():
		return &o.Value
	case *o != param.Opt[T]{}:
		*ok = false
	}
	return nil
}

// textContent is the *string of a string content, nil (and ok false) for parts.
func textContent(o *param.Opt[string], parts int) (*string, bool) {
	if parts > 0 || !o.Valid() {
		return nil, false
	}
	return &o.Value, true
}

func wireMessages(w *wireRequest, msgs []oai.ChatCompletionMessageParamUnion) bool {
	w.Messages = make([]wireReqMessage, len(msgs))
	for i := range msgs {
		u, m := &msgs[i], &w.Messages[i]
		var ok bool
		switch {
		case u.OfSystem != nil && !u.OfSystem.Name.Valid():
			m.Role = "system"
			c := &u.OfSystem.Content
			m.Content, ok = textContent(&c.OfString, len(c.OfArrayOfContentParts))
		case u.OfUser != nil && !u.OfUser.Name.Valid():
			m.Role = "user"
			ok = userContent(m, &u.OfUser.Content)
		case u.OfTool != nil:
			m.Role, m.ToolCallID = "tool", &u.OfTool.ToolCallID
			c := &u.OfTool.Content
			m.Content, ok = textContent(&c.OfString, len(c.OfArrayOfContentParts))
		case u.OfAssistant != nil:
			m.Role = "assistant"
			ok = assistantMessage(m, u.OfAssistant)
		}
		if !ok || u.OfDeveloper != nil || u.OfFunction != nil {
			return false
		}
	}
	return true
}

func userContent(m *wireReqMessage, c *oai.ChatCompletionUserMessageParamContentUnion) bool {
	if len(c.OfArrayOfContentParts) == 0 {
		s, ok := textContent(&c.OfString, 0)
		m.Content = s
		return ok
	}
	parts := make([]wireReqPart, len(c.OfArrayOfContentParts))
	for i := range c.OfArrayOfContentParts {
		cp := &c.OfArrayOfContentParts[i]
		switch {
		case cp.OfInputAudio != nil || cp.OfFile != nil:
			return false
		case cp.OfText != nil && cp.OfImageURL == nil:
			parts[i] = wireReqPart{Type: "text", Text: &cp.OfText.Text}
		case cp.OfImageURL != nil && cp.OfText == nil && cp.OfImageURL.ImageURL.Detail == "":
			parts[i] = wireReqPart{Type: "image_url", ImageURL: &wireImageURL{URL: cp.OfImageURL.ImageURL.URL}}
		default:
			return false
		}
	}
	m.Content = parts
	return true
}

func assistantMessage(m *wireReqMessage, a *oai.ChatCompletionAssistantMessageParam) bool {
	if !onlyFields(a, assistantFields) || len(a.Content.OfArrayOfContentParts) > 0 {
		return false
	}
	if a.Content.OfString.Valid() {
		m.Content = &a.Content.OfString.Value
	}
	if len(a.ToolCalls) == 0 {
		return true
	}
	m.ToolCalls = make([]wireReqCall, len(a.ToolCalls))
	for i := range a.ToolCalls {
		f := a.ToolCalls[i].OfFunction
		if f == nil || a.ToolCalls[i].OfCustom != nil {
			return false
		}
		m.ToolCalls[i] = wireReqCall{ID: f.ID, Type: "function", Function: wireCallFunc{Name: f.Function.Name, Arguments: f.Function.Arguments}}
	}
	return true
}

// wireTools carries the tools (each the raw JSON FormatRequest gave openai-go) and the
// tool choice.
func wireTools(w *wireRequest, p *oai.ChatCompletionNewParams) bool {
	if len(p.Tools) > 0 {
		w.Tools = make([]json.RawMessage, len(p.Tools))
	}
	for i := range p.Tools {
		t := &p.Tools[i]
		if t.OfFunction == nil || t.OfCustom != nil {
			return false
		}
		over, _ := t.OfFunction.Overrides()
		raw, ok := over.(json.RawMessage)
		if !ok {
			return false
		}
		w.Tools[i] = raw
	}
	tc := &p.ToolChoice
	switch {
	case tc.OfAllowedTools != nil || tc.OfCustomToolChoice != nil:
		return false
	case tc.OfAuto.Valid() && tc.OfFunctionToolChoice == nil:
		w.ToolChoice = &tc.OfAuto.Value
	case tc.OfFunctionToolChoice != nil && tc.OfAuto == (param.Opt[string]{}):
		nc := &wireNamedChoice{Type: "function"}
		nc.Function.Name = tc.OfFunctionToolChoice.Function.Name
		w.ToolChoice = nc
	case tc.OfAuto != (param.Opt[string]{}):
		return false
	}
	return true
}

func wireFormat(w *wireRequest, rf *oai.ChatCompletionNewParamsResponseFormatUnion) bool {
	if rf.OfText != nil || rf.OfJSONObject != nil {
		return false
	}
	if rf.OfJSONSchema == nil {
		return true
	}
	js := &rf.OfJSONSchema.JSONSchema
	ok := true
	w.ResponseFormat = &wireResponseFormat{Type: "json_schema", JSONSchema: wireJSONSchema{
		Name: js.Name, Strict: optPtr(&js.Strict, &ok), Description: optPtr(&js.Description, &ok), Schema: js.Schema}}
	return ok
}
