package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// Node is a JSON value that keeps the order of object members and the literals of
// numbers, for JSON that is edited and written back, such as a schema whose properties
// must stay in the order the model is to write them.
type Node struct {
	Kind    Kind
	Str     string // a string, or a number's literal
	Bool    bool
	Items   []*Node  // an array's items
	Members []Member // an object's members, in order
}

// Member is one member of an object.
type Member struct {
	Key   string
	Value *Node
}

// NewString returns a string node.
func NewString(s string) *Node { return &Node{Kind: String, Str: s} }

// NewObject returns an object node with the given members.
func NewObject(members ...Member) *Node {
	if members == nil {
		members = []Member{}
	}
	return &Node{Kind: Object, Members: members}
}

// Parse parses one JSON value with encoding/json, keeping the order of object members
// and the literals of numbers; a key given twice keeps its first place and its last
// value.
func Parse(data []byte) (*Node, error) {
	// Checking the whole value first (syntax, and encoding/json's nesting limit) leaves
	// the token walk valid JSON only, and bounds its recursion.
	if !json.Valid(data) {
		return nil, syntaxError(data, errors.New("not valid JSON"))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeNode(dec)
}

// decodeNode reads the next value from dec.
func decodeNode(dec *json.Decoder) (*Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			n := &Node{Kind: Array, Items: []*Node{}}
			for dec.More() {
				it, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, it)
			}
			_, err := dec.Token() // ]
			return n, err
		}
		n := NewObject()
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := tok.(string) // the decoder yields object keys as strings
			val, err := decodeNode(dec)
			if err != nil {
				return nil, err
			}
			n.Set(key, val)
		}
		_, err := dec.Token() // }
		return n, err
	case string:
		return NewString(v), nil
	case json.Number:
		return &Node{Kind: Number, Str: string(v)}, nil
	case bool:
		return &Node{Kind: Bool, Bool: v}, nil
	}
	return &Node{Kind: Null}, nil
}

// Get returns the member key of an object, or nil.
func (n *Node) Get(key string) *Node {
	for _, m := range n.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

// Set replaces the member key, or appends it.
func (n *Node) Set(key string, v *Node) {
	for i := range n.Members {
		if n.Members[i].Key == key {
			n.Members[i].Value = v
			return
		}
	}
	n.Members = append(n.Members, Member{key, v})
}

// SetFirst replaces the member key, or puts it first.
func (n *Node) SetFirst(key string, v *Node) {
	if n.Get(key) != nil {
		n.Set(key, v)
		return
	}
	n.Members = append([]Member{{key, v}}, n.Members...)
}

// Delete removes the member key, if present.
func (n *Node) Delete(key string) {
	for i := range n.Members {
		if n.Members[i].Key == key {
			n.Members = append(n.Members[:i], n.Members[i+1:]...)
			return
		}
	}
}

// IsString reports whether n is the string s.
func (n *Node) IsString(s string) bool { return n.Kind == String && n.Str == s }

// Clone returns a deep copy of n.
func (n *Node) Clone() *Node {
	c := *n
	if n.Items != nil {
		c.Items = make([]*Node, len(n.Items))
		for i, it := range n.Items {
			c.Items[i] = it.Clone()
		}
	}
	if n.Members != nil {
		c.Members = make([]Member, len(n.Members))
		for i, m := range n.Members {
			c.Members[i] = Member{m.Key, m.Value.Clone()}
		}
	}
	return &c
}

// AppendJSON appends n to b as compact JSON, object members in order, and returns b.
func (n *Node) AppendJSON(b []byte) []byte {
	switch n.Kind {
	case Null:
		return append(b, "null"...)
	case Bool:
		return strconv.AppendBool(b, n.Bool)
	case Number:
		return append(b, n.Str...)
	case String:
		return AppendString(b, n.Str)
	case Array:
		b = append(b, '[')
		for i, it := range n.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = it.AppendJSON(b)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, m := range n.Members {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, m.Key)
		b = append(b, ':')
		b = m.Value.AppendJSON(b)
	}
	return append(b, '}')
}

// AppendString appends s to b as a JSON string and returns b. Quotes, backslashes and
// control characters are escaped; nothing else is (unlike encoding/json, which also
// escapes <, > and &).
func AppendString(b []byte, s string) []byte {
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

// RawMember is one member of an object with its value as written.
type RawMember struct {
	Key   string
	Value json.RawMessage
}

// ObjectMembers returns the members of the JSON object raw in their order, each value as
// written; ok is false, with no error, when raw is valid JSON but not an object. A key
// given twice is listed twice.
func ObjectMembers(raw []byte) (members []RawMember, ok bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, false, err
	}
	if tok != json.Delim('{') {
		return nil, false, nil
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false, err
		}
		key, _ := k.(string) // the decoder yields object keys as strings
		members = append(members, RawMember{key, v})
	}
	return members, true, nil
}
