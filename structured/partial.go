package structured

import (
	"encoding/json"
	"errors"
)

// partialJSON reads the text of a JSON object as it arrives and closes what it has read
// so far into a complete document. It starts at the first "{" (text before it, such as
// a preamble or a ```json fence, is skipped) and stops when that object closes.
//
// The document holds every member whose value is complete, plus a string value still
// arriving (closed where it stands, never inside an escape). A member whose key, number
// or literal (true, false, null) is still arriving is left out until it is complete, so
// a partial never shows 3 for what becomes 30.
type partialJSON struct {
	buf     []byte
	started bool
	done    bool
	stack   []level // the open objects and arrays, outermost first

	inString  bool
	stringKey bool // the string being read is an object's key
	escape    int  // 0 outside an escape; 1 after a backslash; 2 to 5 in a \u escape
	escStart  int  // where the escape being read starts in buf
	inScalar  bool // a number or literal is being read

	cut     int    // buf[:cut] is the longest prefix that ends after a complete value
	closers []byte // what closes buf[:cut]
}

// level is one open container: its kind ('{' or '[') and what it expects next.
type level struct {
	kind   byte
	expect expect
}

type expect uint8

const (
	expectKey   expect = iota // a key or the end ('{' and after ',' in an object)
	expectColon               // the ':' after a key
	expectValue               // a value (or the end, for an array just opened)
	expectComma               // a ',' or the end, after a value
)

// write feeds the next fragment of text.
func (p *partialJSON) write(text string) {
	for i := 0; i < len(text) && !p.done; i++ {
		c := text[i]
		if !p.started {
			if c != '{' {
				continue
			}
			p.started = true
		}
		p.buf = append(p.buf, c)
		p.scan(c, len(p.buf)-1)
	}
}

// scan advances the state by the byte c, found at buf[at].
func (p *partialJSON) scan(c byte, at int) {
	if p.inString {
		p.scanString(c, at)
		return
	}
	if p.inScalar {
		switch c {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			p.inScalar = false
			p.valueDone(at)
		default:
			return
		}
	}
	switch c {
	case ' ', '\t', '\r', '\n':
	case '{', '[':
		e := expectValue
		if c == '{' {
			e = expectKey
		}
		p.stack = append(p.stack, level{kind: c, expect: e})
		p.mark(at + 1)
	case '}', ']':
		if len(p.stack) > 0 {
			p.stack = p.stack[:len(p.stack)-1]
		}
		if len(p.stack) == 0 {
			p.done = true
		}
		p.valueDone(at + 1)
	case '"':
		p.inString, p.escape = true, 0
		p.stringKey = len(p.stack) > 0 && p.top().kind == '{' && p.top().expect == expectKey
	case ':':
		p.setExpect(expectValue)
	case ',':
		if len(p.stack) > 0 && p.top().kind == '{' {
			p.setExpect(expectKey)
		} else {
			p.setExpect(expectValue)
		}
	default:
		p.inScalar = true
	}
}

// scanString advances the state inside a string.
func (p *partialJSON) scanString(c byte, at int) {
	switch {
	case p.escape == 1 && c == 'u':
		p.escape = 2
	case p.escape == 1:
		p.escape = 0
	case p.escape >= 2:
		p.escape++
		if p.escape == 6 {
			p.escape = 0
		}
	case c == '\\':
		p.escape, p.escStart = 1, at
	case c == '"':
		p.inString = false
		if p.stringKey {
			p.setExpect(expectColon)
		} else {
			p.valueDone(at + 1)
		}
	}
}

func (p *partialJSON) top() *level { return &p.stack[len(p.stack)-1] }

func (p *partialJSON) setExpect(e expect) {
	if len(p.stack) > 0 {
		p.top().expect = e
	}
}

// valueDone records that a value ended just before buf[end].
func (p *partialJSON) valueDone(end int) {
	p.setExpect(expectComma)
	p.mark(end)
}

// mark records buf[:end] as the longest prefix that can be closed.
func (p *partialJSON) mark(end int) {
	p.cut = end
	p.closers = p.closers[:0]
	for i := len(p.stack) - 1; i >= 0; i-- {
		p.closers = append(p.closers, closing(p.stack[i].kind))
	}
}

func closing(kind byte) byte {
	if kind == '{' {
		return '}'
	}
	return ']'
}

// document returns what has been read so far as a complete JSON document, or nil
// before the object's first byte.
func (p *partialJSON) document() []byte {
	if !p.started {
		return nil
	}
	if p.inString && !p.stringKey {
		end := len(p.buf)
		if p.escape > 0 {
			end = p.escStart
		}
		doc := append([]byte(nil), p.buf[:end]...)
		doc = append(doc, '"')
		for i := len(p.stack) - 1; i >= 0; i-- {
			doc = append(doc, closing(p.stack[i].kind))
		}
		return doc
	}
	doc := append([]byte(nil), p.buf[:p.cut]...)
	return append(doc, p.closers...)
}

// decodeLenient decodes doc into v as far as it goes: a member whose value does not fit
// its field (a number sent as a string, say) is left at its zero value, where the final
// decoding would report it. It reports false when doc is not JSON at all.
func decodeLenient(doc []byte, v any) bool {
	err := json.Unmarshal(doc, v)
	var typeErr *json.UnmarshalTypeError
	return err == nil || errors.As(err, &typeErr)
}
