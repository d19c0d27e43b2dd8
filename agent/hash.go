package agent

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
)

// HashMessages returns a stable hash of msgs: the hex SHA-256 of a canonical binary
// encoding of every role and part, binary data included. Equal conversations hash
// equally in every run and on every machine, also after a round trip through JSON (tool
// inputs are hashed in compact form, so white space does not count); any change to a
// role, a part, its order or its content changes the hash. It is meant for logs and
// debugging: two log records with the same hash saw the same conversation.
//
// A tool input is hashed in a canonical form: compacted, and with every string that holds
// an escape sequence decoded and re-encoded one fixed way, so that "<" and "\u003c" (which
// encoding/json writes for it) hash alike. Inputs without escapes hash as their compact
// form, as before.
func HashMessages(msgs []llm.Message) string {
	h := hasher{h: sha256.New()}
	h.str("llmkit-messages-v1")
	h.uint(uint64(len(msgs)))
	for _, m := range msgs {
		h.str(string(m.Role))
		h.parts(m.Parts)
	}
	return hex.EncodeToString(h.h.Sum(nil))
}

// The encoding (version 1): the string "llmkit-messages-v1", the message count, then for
// each message its role and its parts. Strings and byte slices are written as a uvarint
// length and the bytes; counts and durations as uvarints. Parts are a count, then per
// part a tag byte and its fields: 't' text; 'i' format, data, uri; 'd' name, format,
// data, uri; 'c' id, name, compacted input; 'r' call id, error byte (0 or 1), content
// parts; 'g' text, signature, redacted; 'p' ttl in nanoseconds; 'n' for nil; 'x' and the
// Go type name for anything else.
type hasher struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
	tmp bytes.Buffer
}

func (h *hasher) uint(v uint64) {
	n := binary.PutUvarint(h.buf[:], v)
	h.h.Write(h.buf[:n])
}

func (h *hasher) bytes(b []byte) {
	h.uint(uint64(len(b)))
	h.h.Write(b)
}

func (h *hasher) str(s string) {
	h.uint(uint64(len(s)))
	h.h.Write([]byte(s))
}

func (h *hasher) tag(t byte) { h.h.Write([]byte{t}) }

func (h *hasher) parts(parts []llm.Part) {
	h.uint(uint64(len(parts)))
	for _, p := range parts {
		switch v := p.(type) {
		case llm.Text:
			h.tag('t')
			h.str(v.Text)
		case llm.Image:
			h.tag('i')
			h.str(v.Format)
			h.bytes(v.Data)
			h.str(v.URI)
		case llm.Document:
			h.tag('d')
			h.str(v.Name)
			h.str(v.Format)
			h.bytes(v.Data)
			h.str(v.URI)
		case llm.ToolCall:
			h.tag('c')
			h.str(v.ID)
			h.str(v.Name)
			h.bytes(h.canonical(v.Input))
		case llm.ToolResult:
			h.tag('r')
			h.str(v.CallID)
			if v.IsError {
				h.tag(1)
			} else {
				h.tag(0)
			}
			h.parts(v.Content)
		case llm.Reasoning:
			h.tag('g')
			h.str(v.Text)
			h.str(v.Signature)
			h.bytes(v.Redacted)
		case llm.CachePoint:
			h.tag('p')
			h.uint(uint64(v.TTL))
		case nil:
			h.tag('n')
		default:
			h.tag('x')
			h.str(fmt.Sprintf("%T", p))
		}
	}
}

// canonical returns the canonical form of a tool input (see [HashMessages]), or the
// input itself when it is not valid JSON. It is linear in the input's size.
func (h *hasher) canonical(input []byte) []byte {
	h.tmp.Reset()
	if json.Compact(&h.tmp, input) != nil {
		return input
	}
	compact := h.tmp.Bytes()
	if bytes.IndexByte(compact, '\\') < 0 {
		return compact
	}
	out := make([]byte, 0, len(compact))
	for i := 0; i < len(compact); {
		if compact[i] != '"' {
			out = append(out, compact[i])
			i++
			continue
		}
		end := stringEnd(compact, i)
		lit := compact[i:end]
		var s string
		if bytes.IndexByte(lit, '\\') >= 0 && json.Unmarshal(lit, &s) == nil {
			out = jsonx.AppendString(out, s) // escapes only what JSON requires
		} else {
			out = append(out, lit...)
		}
		i = end
	}
	return out
}

// stringEnd returns the index just past the JSON string literal starting at b[i]; b is
// valid, compact JSON.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}
