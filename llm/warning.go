package llm

import (
	"fmt"
	"strings"
)

// WarningCode classifies a [Warning], so that a caller can act on it (refuse an answer
// whose request lost a setting, say) without matching its text.
type WarningCode string

// Warning codes. Request-side codes concern what the caller gave; answer-side codes what
// the model returned.
const (
	// WarningDropped: a part of the request (or a setting) was left out because the
	// model cannot take it, or a part of the answer was left out as a repeat.
	WarningDropped WarningCode = "dropped"
	// WarningUnsupported: a setting the model cannot honour was ignored or sent in a
	// weaker form (tool choice "required" sent as "auto", a reasoning effort ignored).
	WarningUnsupported WarningCode = "unsupported"
	// WarningRepaired: request or answer content was changed so that the provider
	// accepts it (merged, moved, renamed, sanitised, declared).
	WarningRepaired WarningCode = "repaired"
	// WarningSkipped: something in the answer (an event, a block, a delta) has no
	// representation in llmkit's model and was skipped or kept opaque.
	WarningSkipped WarningCode = "skipped"
	// WarningTruncated: a piece of the answer was cut (a tool call whose input
	// max_tokens cut off) and left out.
	WarningTruncated WarningCode = "truncated"
)

// Warning reports something a provider could not honour, repaired, or skipped, without
// failing the call. Warnings end up in [Response.Warnings]; while streaming, a Warning is
// also an [Event].
//
// Message and Part locate the warning: for request content they index
// [Request.Messages] and that message's Parts; for answer content Message is -1 and Part
// is the index of the answer's content block. -1 means the warning concerns no single
// message (or part). Field names a request setting ("temperature", "tools[2].strict")
// when the warning is not about a message.
type Warning struct {
	Code    WarningCode `json:"code"`
	Message int         `json:"message"`
	Part    int         `json:"part"`
	Field   string      `json:"field,omitempty"`
	// Detail says what happened, in words, without the location.
	Detail string `json:"detail"`
}

// String returns the warning as one readable line, e.g.
// "message 2 part 0: whitespace-only text dropped".
func (w Warning) String() string {
	var b strings.Builder
	switch {
	case w.Message >= 0:
		fmt.Fprintf(&b, "message %d", w.Message)
		if w.Part >= 0 {
			fmt.Fprintf(&b, " part %d", w.Part)
		}
		b.WriteString(": ")
	case w.Part >= 0:
		fmt.Fprintf(&b, "content block %d: ", w.Part)
	case w.Field != "":
		b.WriteString(w.Field)
		b.WriteString(": ")
	}
	b.WriteString(w.Detail)
	return b.String()
}

// Warnf returns a Warning about no single message or part, with the detail formatted as
// by [fmt.Sprintf].
func Warnf(code WarningCode, field, format string, args ...any) Warning {
	return Warning{Code: code, Message: -1, Part: -1, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// WarnPartf returns a Warning about part part of message msg (part -1: the whole
// message), with the detail formatted as by [fmt.Sprintf].
func WarnPartf(code WarningCode, msg, part int, format string, args ...any) Warning {
	return Warning{Code: code, Message: msg, Part: part, Detail: fmt.Sprintf(format, args...)}
}

// WarnBlockf returns a Warning about content block block of the answer, with the detail
// formatted as by [fmt.Sprintf].
func WarnBlockf(code WarningCode, block int, format string, args ...any) Warning {
	return Warning{Code: code, Message: -1, Part: block, Detail: fmt.Sprintf(format, args...)}
}

// HasWarning reports whether ws holds a warning with the code.
func HasWarning(ws []Warning, code WarningCode) bool {
	for _, w := range ws {
		if w.Code == code {
			return true
		}
	}
	return false
}

func (Warning) isEvent() {}
