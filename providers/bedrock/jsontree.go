package bedrock

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// jsonNode is a JSON value that keeps the order of object members and the literals of
// numbers, used to normalise schemas: the order of a schema's properties is the order the
// model writes them in.
type jsonNode struct {
	kind    jsonKind
	str     string // a string, or a number's literal
	boolean bool
	items   []*jsonNode
	members []jsonMember
}

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

type jsonMember struct {
	key   string
	value *jsonNode
}

// parseJSONTree parses one JSON value with encoding/json, keeping the order of object
// members and the literals of numbers; a key given twice keeps its first place and its
// last value.
func parseJSONTree(data []byte) (*jsonNode, error) {
	// Checking the whole value first (syntax, and encoding/json's nesting limit) leaves
	// the token walk valid JSON only, and bounds its recursion.
	if !json.Valid(data) {
		return nil, jsonError(data, errors.New("not valid JSON"))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeJSONNode(dec)
}

// decodeJSONNode reads the next value from dec.
func decodeJSONNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			n := &jsonNode{kind: jsonArray, items: []*jsonNode{}}
			for dec.More() {
				it, err := decodeJSONNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, it)
			}
			_, err := dec.Token() // ]
			return n, err
		}
		n := &jsonNode{kind: jsonObject, members: []jsonMember{}}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := tok.(string) // the decoder yields object keys as strings
			val, err := decodeJSONNode(dec)
			if err != nil {
				return nil, err
			}
			n.set(key, val)
		}
		_, err := dec.Token() // }
		return n, err
	case string:
		return &jsonNode{kind: jsonString, str: v}, nil
	case json.Number:
		return &jsonNode{kind: jsonNumber, str: string(v)}, nil
	case bool:
		return &jsonNode{kind: jsonBool, boolean: v}, nil
	}
	return &jsonNode{kind: jsonNull}, nil
}

func (n *jsonNode) kindName() string {
	switch n.kind {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	}
	return "an object"
}

func (n *jsonNode) get(key string) *jsonNode {
	for _, m := range n.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// set replaces the member key, or appends it.
func (n *jsonNode) set(key string, v *jsonNode) {
	for i := range n.members {
		if n.members[i].key == key {
			n.members[i].value = v
			return
		}
	}
	n.members = append(n.members, jsonMember{key, v})
}

// setFirst replaces the member key, or puts it first.
func (n *jsonNode) setFirst(key string, v *jsonNode) {
	if n.get(key) != nil {
		n.set(key, v)
		return
	}
	n.members = append([]jsonMember{{key, v}}, n.members...)
}

func (n *jsonNode) del(key string) {
	for i := range n.members {
		if n.members[i].key == key {
			n.members = append(n.members[:i], n.members[i+1:]...)
			return
		}
	}
}

func (n *jsonNode) clone() *jsonNode {
	c := *n
	if n.items != nil {
		c.items = make([]*jsonNode, len(n.items))
		for i, it := range n.items {
			c.items[i] = it.clone()
		}
	}
	if n.members != nil {
		c.members = make([]jsonMember, len(n.members))
		for i, m := range n.members {
			c.members[i] = jsonMember{m.key, m.value.clone()}
		}
	}
	return &c
}

// appendJSON appends n as compact JSON, object members in order.
func (n *jsonNode) appendJSON(b []byte) []byte {
	switch n.kind {
	case jsonNull:
		return append(b, "null"...)
	case jsonBool:
		return strconv.AppendBool(b, n.boolean)
	case jsonNumber:
		return append(b, n.str...)
	case jsonString:
		return appendJSONString(b, n.str)
	case jsonArray:
		b = append(b, '[')
		for i, it := range n.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = it.appendJSON(b)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, m := range n.members {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.key)
		b = append(b, ':')
		b = m.value.appendJSON(b)
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
