package openai

import (
	"strings"

	"github.com/llmkit/llmkit/llm"
)

const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// thinkSplitter separates reasoning written as text — "<think>…</think>" at the start of
// the content, as Qwen, DeepSeek R1 and other open models return it — from the answer.
// It is fed the content in pieces (deltas, or the whole content at once) and gives the
// same events either way: the text between the tags as [llm.ReasoningDelta]s, the text
// after the closing tag, without its leading white space, as [llm.TextDelta]s. Content
// that does not start with the opening tag (after white space) is text as it is.
type thinkSplitter struct {
	state   uint8 // thinkStart, thinkIn, thinkAfter, thinkPlain
	pending string
}

const (
	thinkStart uint8 = iota // nothing but white space yet: the tag may still come
	thinkIn                 // inside <think>
	thinkAfter              // after </think>: leading white space is dropped
	thinkPlain              // plain text
)

func (s *thinkSplitter) feed(dst []llm.Event, text string) []llm.Event {
	for text != "" {
		switch s.state {
		case thinkStart:
			s.pending += text
			text = ""
			trimmed := strings.TrimLeft(s.pending, " \t\r\n")
			switch {
			case strings.HasPrefix(trimmed, thinkOpen):
				text = trimmed[len(thinkOpen):]
				s.pending = ""
				s.state = thinkIn
			case strings.HasPrefix(thinkOpen, trimmed):
				// A prefix of the tag (or only white space): wait for more.
			default:
				text, s.pending = s.pending, ""
				s.state = thinkPlain
			}
		case thinkIn:
			buf := s.pending + text
			s.pending, text = "", ""
			if i := strings.Index(buf, thinkClose); i >= 0 {
				dst = reasoningDelta(dst, buf[:i])
				text = buf[i+len(thinkClose):]
				s.state = thinkAfter
				continue
			}
			// Keep back a tail that may be the start of the closing tag.
			keep := 0
			for k := min(len(thinkClose)-1, len(buf)); k > 0; k-- {
				if strings.HasSuffix(buf, thinkClose[:k]) {
					keep = k
					break
				}
			}
			dst = reasoningDelta(dst, buf[:len(buf)-keep])
			s.pending = buf[len(buf)-keep:]
		case thinkAfter:
			text = strings.TrimLeft(text, " \t\r\n")
			if text != "" {
				s.state = thinkPlain
			}
		case thinkPlain:
			dst = append(dst, llm.TextDelta{Index: blockText, Text: text})
			text = ""
		}
	}
	return dst
}

// flush ends the content: what was held back is given out (white space or a partial
// tag as text; a partial closing tag as reasoning, when the answer was cut inside the
// reasoning).
func (s *thinkSplitter) flush(dst []llm.Event) []llm.Event {
	switch s.state {
	case thinkStart:
		if strings.TrimSpace(s.pending) != "" {
			dst = append(dst, llm.TextDelta{Index: blockText, Text: s.pending})
		}
	case thinkIn:
		dst = reasoningDelta(dst, s.pending)
	}
	s.pending = ""
	return dst
}

func reasoningDelta(dst []llm.Event, text string) []llm.Event {
	if text == "" {
		return dst
	}
	return append(dst, llm.ReasoningDelta{Index: blockReasoning, Text: text})
}
