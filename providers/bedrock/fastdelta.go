package bedrock

import (
	"encoding/json"
	"math"
	"unicode/utf8"

	"github.com/llmkit/llmkit/llm"
)

// fastDelta decodes the JSON payload of a contentBlockDelta frame whose delta is text or
// a tool-input fragment — nearly every frame of a stream — without reflection:
//
//	{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abc"}
//	{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"ci"}},"p":"abc"}
//
// It takes only the plain form: other top-level members (Bedrock's "p" padding) are
// skipped, but a delta with another member, a null, a duplicate key, an escaped key or
// an index that is not a small non-negative integer is not taken (ok false), and the
// caller hands the frame to the SDK's deserializer, which decides. Strings are unescaped
// as encoding/json does; the SDK's decoder shares that code.
func fastDelta(p []byte) (ev llm.Event, ok bool) {
	s := scanner{b: p}
	if !s.byte('{') {
		return nil, false
	}
	index := -1
	var kind deltaKind
	var text string
	for first := true; ; first = false {
		s.space()
		if s.peek() == '}' && first {
			s.i++
			break
		}
		key, ok := s.key()
		if !ok {
			return nil, false
		}
		switch string(key) {
		case "contentBlockIndex":
			if index >= 0 {
				return nil, false
			}
			if index, ok = s.index(); !ok {
				return nil, false
			}
		case "delta":
			if kind != noDelta {
				return nil, false
			}
			if kind, text, ok = s.delta(); !ok {
				return nil, false
			}
		default:
			if !s.skip(0) {
				return nil, false
			}
		}
		s.space()
		if s.byte('}') {
			break
		}
		if !s.byte(',') {
			return nil, false
		}
	}
	s.space()
	if s.i != len(s.b) || index < 0 {
		return nil, false
	}
	switch kind {
	case textDelta:
		return llm.TextDelta{Index: index, Text: text}, true
	case toolDelta:
		return llm.ToolInputDelta{Index: index, Fragment: text}, true
	}
	return nil, false
}

// deltaKind is the member of a delta fastDelta read.
type deltaKind uint8

const (
	noDelta deltaKind = iota
	textDelta
	toolDelta
)

// scanner walks a JSON text; every method reports false for input it does not take.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// byte consumes c, after white space.
func (s *scanner) byte(c byte) bool {
	s.space()
	if s.peek() != c {
		return false
	}
	s.i++
	return true
}

// key reads an object key without escapes or non-ASCII bytes, and the colon after it.
// The slice it returns shares s.b's memory.
func (s *scanner) key() ([]byte, bool) {
	raw, escaped, high, ok := s.str()
	if !ok || escaped || high || !s.byte(':') {
		return nil, false
	}
	return raw[1 : len(raw)-1], true
}

// str reads a string token, quotes included, and reports whether it holds a backslash
// escape or a byte outside ASCII.
func (s *scanner) str() (raw []byte, escaped, high, ok bool) {
	s.space()
	if s.peek() != '"' {
		return nil, false, false, false
	}
	start := s.i
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return s.b[start:s.i], escaped, high, true
		case c == '\\':
			escaped = true
			j++ // the escaped byte; a \u's hex digits are plain
		case c < ' ':
			return nil, false, false, false
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	return nil, false, false, false
}

// text reads a string value as a Go string: plain text and the one-letter escapes here,
// \u escapes with encoding/json. A string with bytes that are not UTF-8 is not taken:
// the SDK's decoder keeps them or not depending on escapes, and decides.
func (s *scanner) text() (string, bool) {
	raw, escaped, high, ok := s.str()
	if !ok {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	if high && !utf8.Valid(in) {
		return "", false
	}
	if !escaped {
		return string(in), true
	}
	return unescape(raw)
}

// unescape returns the text of a string token with backslash escapes.
func unescape(raw []byte) (string, bool) {
	in := raw[1 : len(raw)-1]
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++ // str saw a byte after every backslash
		switch in[i] {
		case '"', '\\', '/':
			out = append(out, in[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default: // \u, with its surrogate pairs, and anything else
			var v string
			if json.Unmarshal(raw, &v) != nil {
				return "", false
			}
			return v, true
		}
	}
	return string(out), true
}

// index reads a non-negative integer that fits an int32, in its plain form.
func (s *scanner) index() (int, bool) {
	s.space()
	n, digits := 0, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		if digits > 0 && n == 0 {
			return 0, false // a leading zero
		}
		n = n*10 + int(s.b[s.i]-'0')
		if n > math.MaxInt32 {
			return 0, false
		}
		s.i++
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	switch s.peek() {
	case '.', 'e', 'E':
		return 0, false
	}
	return n, true
}

// delta reads {"text":"…"} or {"toolUse":{"input":"…"}}.
func (s *scanner) delta() (deltaKind, string, bool) {
	if !s.byte('{') {
		return noDelta, "", false
	}
	key, ok := s.key()
	if !ok {
		return noDelta, "", false
	}
	kind := textDelta
	switch string(key) {
	case "text":
	case "toolUse":
		kind = toolDelta
		if !s.byte('{') {
			return noDelta, "", false
		}
		if k, ok := s.key(); !ok || string(k) != "input" {
			return noDelta, "", false
		}
	default:
		return noDelta, "", false
	}
	t, ok := s.text()
	if !ok || kind == toolDelta && !s.byte('}') || !s.byte('}') {
		return noDelta, "", false
	}
	return kind, t, true
}

// maxDepth bounds the nesting skip follows.
const maxDepth = 32

// skip passes over one JSON value of any kind.
func (s *scanner) skip(depth int) bool {
	if depth > maxDepth {
		return false
	}
	s.space()
	switch c := s.peek(); {
	case c == '"':
		_, _, _, ok := s.str()
		return ok
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.i++
		if s.byte(end) {
			return true
		}
		for {
			if c == '{' {
				if _, _, _, ok := s.str(); !ok || !s.byte(':') {
					return false
				}
			}
			if !s.skip(depth + 1) {
				return false
			}
			if s.byte(end) {
				return true
			}
			if !s.byte(',') {
				return false
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				return true
			}
		}
		return false
	}
}

// number passes over a number in JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.peek() == '-' {
		s.i++
	}
	if s.peek() == '0' {
		s.i++
	} else if digits() == 0 {
		return false
	}
	if s.peek() == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
