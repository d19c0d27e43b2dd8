// Package toolname owns the rule for tool names that llmkit checks in more than one
// place: 1 to 64 characters from a-z, A-Z, 0-9, _ and -. Every provider llmkit speaks to
// accepts such a name (Bedrock's Converse API takes exactly these), so the agent checks
// it when a tool is registered, the providers (Bedrock, OpenAI) before a request is sent,
// and agent/mcptool when it names a server's tools.
package toolname

import "fmt"

// MaxLen is the longest tool name accepted.
const MaxLen = 64

// Check returns nil when name is 1 to 64 characters from a-z, A-Z, 0-9, _ and -, else an
// error naming the fault.
func Check(name string) error {
	if name == "" || len(name) > MaxLen {
		return fmt.Errorf("tool name %q: want 1 to %d characters", name, MaxLen)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !validByte(c) {
			return fmt.Errorf("tool name %q: character %q at %d: want letters, digits, _ or -", name, c, i)
		}
	}
	return nil
}

// Valid reports whether [Check] accepts name.
func Valid(name string) bool { return Check(name) == nil }

func validByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// Sanitize returns name made valid: every byte outside [a-zA-Z0-9_-] replaced by '_',
// cut to [MaxLen] bytes, "_" for an empty name. Tools named elsewhere (an MCP server,
// say) get a name every provider accepts.
func Sanitize(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !validByte(c) {
			b[i] = '_'
		}
	}
	if len(b) > MaxLen {
		b = b[:MaxLen]
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}
