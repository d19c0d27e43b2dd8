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

// pointerUnescaper undoes pointerEscaper: "~1" first, then "~0" (RFC 6901, section 4).
var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// UnescapePointer turns one reference token of a JSON pointer back into the name it
// stands for: "~1" becomes "/" and "~0" becomes "~".
func UnescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return pointerUnescaper.Replace(s)
}
