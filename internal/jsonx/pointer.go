package jsonx

import "strings"

// pointerEscaper escapes a JSON pointer reference token (RFC 6901, section 3).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// EscapePointer escapes s for use as one reference token of a JSON pointer (RFC 6901):
// "~" becomes "~0" and "/" becomes "~1".
func EscapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}
